"""The ingest worker leaves the cores to the web: lower priority and capped torch threads."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claims_app.ingest import priority
from claims_app.nlp.attribution import model

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_lowers_its_priority_and_caps_torch_threads_before_models_load():
    script = (
        "import django, os; django.setup();"
        "from claims_app.management.commands.ingest_worker import limit_cpu;"
        "print(limit_cpu()); print(os.nice(0), os.environ['CLAIMS_TORCH_THREADS'])"
    )
    said, applied = _run_worker_setup(
        script,
        CLAIMS_INGEST_CORES="1",
        CLAIMS_INGEST_NICE="7",
        CLAIMS_INGEST_IDLE="false",
        CLAIMS_INGEST_DB_IDLE="false",
    )
    start = os.nice(0)
    assert applied == f"{max(7, start)} 1"
    assert said == f"Ingest worker: niceness {max(7, start)}, models on at most 1 core(s)."


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="the idle scheduling class is Linux's")
def test_the_worker_and_its_local_database_backend_take_only_idle_cores():
    script = (
        "import django, os; django.setup();"
        "from django.db import connection;"
        "from claims_app.management.commands.ingest_worker import limit_cpu;"
        "print(limit_cpu());"
        "cursor = connection.cursor(); cursor.execute('SELECT pg_backend_pid()'); pid = cursor.fetchone()[0];"
        "first = (os.sched_getscheduler(pid) == os.SCHED_IDLE, os.getpriority(os.PRIO_PROCESS, pid));"
        "connection.close();"  # a reconnection (CONN_MAX_AGE, an error) gets a new backend, lowered on opening
        "cursor = connection.cursor(); cursor.execute('SELECT pg_backend_pid()'); again = cursor.fetchone()[0];"
        "print(os.sched_getscheduler(0) == os.SCHED_IDLE, first[0],"
        " os.sched_getscheduler(again) == os.SCHED_IDLE and again != pid, first[1])"
    )
    said, applied = _run_worker_setup(
        script, CLAIMS_INGEST_NICE="5", CLAIMS_INGEST_IDLE="true", CLAIMS_INGEST_DB_IDLE="true"
    )
    if not _database_is_local():
        assert "database on another machine" in said
        return
    assert "idle scheduling class" in said and "database backend at the same priority" in said, said
    own_idle, backend_idle, new_backend_idle, backend_niceness = applied.split()
    assert (own_idle, backend_idle, new_backend_idle) == ("True", "True", "True")
    assert int(backend_niceness) >= max(5, os.nice(0))


def _run_worker_setup(script: str, **settings: str) -> tuple[str, str]:
    """Run `script` in a fresh process under the test settings and `settings` (environment); its last two lines."""
    env = {**os.environ, **settings, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    said, applied = done.stdout.strip().splitlines()[-2:]
    return said, applied


def _database_is_local() -> bool:
    from django.db import connection

    host = str(connection.settings_dict.get("HOST") or "")
    return host.startswith("/") or host in priority.LOCAL_HOSTS


def test_a_database_on_another_machine_is_left_alone():
    from django.db import connections

    settings_dict = {**connections["default"].settings_dict, "HOST": "db.example.org"}
    remote = connections["default"].__class__(settings_dict, alias="remote-check")
    assert priority.lower_backend_priority(remote, niceness=19).startswith("database on another machine")
    assert remote.connection is None  # it never connected


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


def _spin(seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"]
    )


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="reads Linux's /proc")
def test_the_quiet_wait_sees_another_process_keep_a_core_busy_and_waits_for_it():
    spinner = _spin(3.0)
    try:
        time.sleep(0.3)
        share, snapshot = priority.others_busy_share(None)
        assert share is not None and snapshot is not None
        assert share >= 0.3 / (os.cpu_count() or 1)  # one spinning process is 1/N of the machine

        patient = priority.QuietWait(above=0.0, longest=0.6, step=0.1)
        started = time.monotonic()
        patient()
        assert time.monotonic() - started >= 0.5 and patient.waited >= 0.5

        off = priority.QuietWait(above=1.0, longest=5.0)
        started = time.monotonic()
        off()
        assert time.monotonic() - started < 0.05 and off.waited == 0
    finally:
        spinner.kill()
        spinner.wait()


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="reads Linux's /proc")
def test_the_quiet_wait_does_not_count_the_workers_own_work():
    before = priority._snapshot()
    end = time.monotonic() + 0.5
    while time.monotonic() < end:  # this process busy
        pass
    share, after = priority.others_busy_share(before)
    assert before is not None and after is not None and share is not None
    total = after.total - before.total
    own = (after.own - before.own) / total
    assert own >= 0.3 / (os.cpu_count() or 1)  # it did spin
    # what the rest of the machine did (whatever else runs beside the tests): all busy time but this process's
    assert share == pytest.approx(max(0.0, (after.busy - before.busy) / total - own))
