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
        watching = priority.QuietWait(above=0.0, longest=0.0, window=0.5, step=0.1)
        watching.start_sampling()
        time.sleep(0.8)
        share = watching.busy_share()
        assert share is not None
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
    after = priority._snapshot()
    assert before is not None and after is not None
    wait = priority.QuietWait(above=0.5, longest=0.0)
    wait.add_sample(before)
    share = wait.busy_share(after, window=0.0)
    assert share is not None
    total = after.total - before.total
    own = (after.own - before.own) / total
    assert own >= 0.3 / (os.cpu_count() or 1)  # it did spin
    # what the rest of the machine did (whatever else runs beside the tests): all busy time but this process's
    assert share == pytest.approx(max(0.0, (after.busy - before.busy) / total - own))


def test_the_quiet_wait_judges_busy_over_its_window_not_the_last_moment():
    # Jiffies machine-wide (busy, total) and the worker's own: a core-second of others' work in the first
    # second, then a quiet spell; and, in the last half second, work of the worker's own, which never counts.
    samples = [(0.0, 0, 0, 0), (0.5, 50, 100, 0), (1.0, 100, 200, 0), (1.5, 105, 300, 0), (2.0, 110, 400, 0)]
    now = priority._CpuSnapshot(2.5, 150, 500, 40)

    def share(window: float) -> float | None:
        wait = priority.QuietWait(above=0.5, longest=0.0, window=window, step=0.5)
        for at, busy, total, own in samples:
            wait.add_sample(priority._CpuSnapshot(at, busy, total, own))
        return wait.busy_share(now)

    assert share(0.5) == pytest.approx(0.0)  # the last moment: quiet (the busy jiffies are the worker's own)
    assert share(2.5) == pytest.approx(110 / 500)  # the window still holds the busy second
    assert share(3.0) == pytest.approx(110 / 500)  # less than a window of samples: judged over those there are
    just_started = priority.QuietWait(above=0.5, longest=0.0, window=3.0, step=0.5)
    just_started.add_sample(priority._CpuSnapshot(2.0, 110, 400, 0))
    assert just_started.busy_share(now) is None  # not a second of samples yet: counts as busy


def test_the_quiet_wait_waits_for_a_quiet_spell_and_steps_aside_at_once():
    def quiet(samples: list[tuple[float, int, int]], now: tuple[float, int, int]) -> bool:
        wait = priority.QuietWait(above=0.6, longest=0.0, window=3.0, step=0.5)
        for at, busy, total in samples:
            wait.add_sample(priority._CpuSnapshot(at, busy, total, 0))
        return wait.is_quiet(priority._CpuSnapshot(*now, 0))

    steady = [(t / 2, int(t * 30), t * 100) for t in range(9)]  # 30% busy for 4 s
    assert quiet(steady, (4.5, 270, 900))
    # the desk got busy in the last second (90%): over the window it is still 50%, but the worker steps aside
    assert not quiet(steady, (5.0, 240 + 180, 1000))
    # a quiet second (10%) after a busy spell (90% for 3 s): over the window it is 63%, so not yet
    busy_then_calm = [(t / 2, int(t * 90), t * 100) for t in range(7)]  # up to 3.0 s: 540 of 600
    assert not quiet(busy_then_calm, (4.0, 540 + 20, 800))


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="reads Linux's /proc")
def test_the_quiet_wait_samples_in_the_background_and_waits_for_its_first_samples():
    wait = priority.QuietWait(above=1.0 - 1e-9, longest=1.5, window=0.6, step=0.1)
    assert wait.busy_share() is None
    started = time.monotonic()
    wait()  # no samples yet: it waits for a window's worth (or the longest wait, on a machine busy to the brim)
    assert 0.5 <= time.monotonic() - started < 5.0
    assert wait.busy_share() is not None
