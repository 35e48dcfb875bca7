"""The ingest worker leaves the cores to the web: lower priority and capped torch threads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claims_app.nlp.attribution import model

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_lowers_its_priority_and_caps_torch_threads_before_models_load():
    script = (
        "import django, os; django.setup();"
        "from claims_app.management.commands.ingest_worker import limit_cpu;"
        "print(limit_cpu()); print(os.nice(0), os.environ['CLAIMS_TORCH_THREADS'])"
    )
    env = {
        **os.environ,
        "CLAIMS_INGEST_CORES": "1",
        "CLAIMS_INGEST_NICE": "7",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    said, applied = done.stdout.strip().splitlines()[-2:]
    start = os.nice(0)
    assert applied == f"{max(7, start)} 1"
    assert said == f"Ingest worker: niceness {max(7, start)}, models on at most 1 core(s)."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("", min(2, os.cpu_count() or 1)),
        ("lots", min(2, os.cpu_count() or 1)),
        ("999", os.cpu_count() or 1),
        ("0", 1),
    ],
)
def test_torch_threads_follow_the_environment_within_the_cores(monkeypatch, value, expected):
    monkeypatch.setenv("CLAIMS_TORCH_THREADS", value)
    assert model.torch_threads() == expected


@pytest.mark.parametrize(("cores", "op_threads"), [("1", 1), ("2", 1), ("999", max(1, (os.cpu_count() or 1) - 1))])
def test_with_two_cores_or_more_torch_leaves_one_to_spacy(monkeypatch, cores, op_threads):
    monkeypatch.setenv("CLAIMS_TORCH_THREADS", cores)
    assert model.op_threads() == op_threads


@pytest.mark.parametrize(("cores", "windows"), [("1", 1), ("2", 2), ("3", 1), ("8", 1)])
def test_window_threads_times_op_threads_stay_within_the_cores(monkeypatch, cores, windows):
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    monkeypatch.setenv("CLAIMS_TORCH_THREADS", cores)
    assert model.window_threads() == windows
    assert model.window_threads() * model.op_threads() <= model.torch_threads()
