"""Web workers load the NLP pipeline as they start (config/gunicorn.py's post_worker_init), not in the first upload."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A fresh process, as a gunicorn worker is: nothing loaded until the hook runs.
SCRIPT = """
import django, threading
django.setup()
from claims_app.nlp import pipeline
import config.gunicorn as hooks
before = pipeline.load_pipeline.cache_info().currsize
hooks.post_worker_init(None)
for thread in threading.enumerate():
    if thread.name == "claimdesk-warm-nlp":
        thread.join(timeout=300)
from claims_app.ingest import services
loaded = pipeline.load_pipeline.cache_info().currsize
same = loaded and services.load_nlp() is services.load_nlp()
print(before, loaded, bool(same))
"""


def _run(**env: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-3:]


def test_a_starting_web_worker_loads_the_pipeline_in_the_background_once():
    assert _run(CLAIMS_WARM_NLP="true", CLAIMS_BACKGROUND_INGEST_CHARS="100000") == ["0", "1", "True"]


@pytest.mark.parametrize(
    "env",
    [
        {"CLAIMS_WARM_NLP": "false", "CLAIMS_BACKGROUND_INGEST_CHARS": "100000"},
        # Every upload goes to the ingest worker: the web never parses, so it keeps its memory.
        {"CLAIMS_WARM_NLP": "true", "CLAIMS_BACKGROUND_INGEST_CHARS": "0"},
    ],
)
def test_nothing_is_loaded_when_warming_is_off_or_uploads_all_go_to_the_worker(env):
    assert _run(**env) == ["0", "0", "False"]
