"""How the ingest worker leaves the machine to the web (docs/operations.md, "The worker leaves the cores to the web").

Four levers. The first three are applied once as the worker starts and inherited by every thread it starts
afterwards (Linux schedules threads, not processes); the last acts before each task:

- niceness (`CLAIMS_INGEST_NICE`): the kernel gives a busy core to the web first, in proportion;
- the idle scheduling class (`CLAIMS_INGEST_IDLE`, Linux): the worker runs only on a core nothing else wants,
  and a web request that wakes up takes the core from it at once;
- the same for the worker's own PostgreSQL backend, when the server runs on this machine (the embedded server;
  `CLAIMS_INGEST_DB_IDLE`): the database work the worker asks for (writing claims, embedding lookups, origin
  tracing) otherwise competes with the web's queries at full priority;
- waiting before each task while other processes keep the machine busy (`CLAIMS_INGEST_YIELD_ABOVE`,
  `QuietWait`): the scheduling class decides who gets a core, but a worker running beside the web still slows
  it through the caches and memory they share.

Nothing here raises: a lever the system does not offer (no SCHED_IDLE, a database on another machine, a backend
owned by another user) is skipped and said so in the worker's first line.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", ""})


def lower_own_priority(*, niceness: int, idle: bool) -> str:
    """Lower this thread's (and its future threads') priority; returns what was applied, for the worker's log."""
    current = os.nice(0)
    if current < niceness:
        current = os.nice(niceness - current)
    applied = f"niceness {current}"
    if idle:
        applied += ", " + ("idle scheduling class" if _set_idle(0) else "idle scheduling class not available")
    return applied


def lower_backend_priority(connection: Any, *, niceness: int) -> str:
    """Put the PostgreSQL backend serving `connection` (a Django connection) in the idle scheduling class at
    `niceness`, when it runs on this machine. Returns what was done."""
    host = str(connection.settings_dict.get("HOST") or "")
    if not (host.startswith("/") or host in LOCAL_HOSTS):
        return "database on another machine: its priority is left alone"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    if not _is_postgres(pid):
        return "database backend not visible from here (another machine or container): left alone"
    try:
        os.setpriority(os.PRIO_PROCESS, pid, max(niceness, os.getpriority(os.PRIO_PROCESS, pid)))
    except OSError as exc:
        return f"database backend's priority not changed ({exc.strerror})"
    return "database backend at the same priority" + ("" if _set_idle(pid) else " (no idle class)")


def backend_priority_on_connect(niceness: int) -> Any:
    """A `connection_created` receiver that lowers each new connection's backend (connections are reopened after
    CONN_MAX_AGE or an error, and each gets a new backend)."""

    def receiver(sender: Any, connection: Any, **kwargs: Any) -> None:
        try:
            said = lower_backend_priority(connection, niceness=niceness)
        except Exception:  # never stop the worker over its priority
            logger.warning("could not lower the database backend's priority", exc_info=True)
            return
        logger.debug("ingest worker: %s", said)  # every reconnection (CONN_MAX_AGE): not worth a line each

    return receiver


def _set_idle(pid: int) -> bool:
    idle = getattr(os, "SCHED_IDLE", None)
    if idle is None:
        return False
    try:
        os.sched_setscheduler(pid, idle, os.sched_param(0))
    except OSError:
        return False
    return True


def _is_postgres(pid: int) -> bool:
    """Whether `pid` on this machine is a PostgreSQL server process (not a same-numbered process of something
    else, as when the server runs in a container)."""
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as handle:
            return handle.read().strip() == "postgres"
    except OSError:
        return False


# ---------------------------------------------------------------- waiting for a quieter machine before a task

_MOMENT = 1.0  # seconds: the short look beside the window (the desk just got busy), and the least history judged


@dataclass(frozen=True, slots=True)
class _CpuSnapshot:
    at: float
    busy: int  # jiffies every core spent on anything but idle / iowait, machine-wide
    total: int
    own: int  # jiffies of this process (all its threads)


def _snapshot() -> _CpuSnapshot | None:
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
        with open("/proc/self/stat", encoding="ascii") as handle:
            own_fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None  # not Linux, or /proc not mounted: never wait
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest time is inside user)
    return _CpuSnapshot(time.monotonic(), total - idle, total, int(own_fields[11]) + int(own_fields[12]))


class QuietWait:
    """Before each task, wait while other processes keep more than `above` of the machine's cores busy (the web
    serving editors, its database queries), at most `longest` seconds, so ingest takes the machine when the desk
    is quiet and steps aside when it is busy; after `longest` the task runs anyway, so ingest never stops.

    Busy is judged from samples a thread of the worker takes every `step` seconds: the task starts only when both
    the last `window` seconds (`CLAIMS_INGEST_YIELD_WINDOW`) and the last second were under `above`. A desk at 80%
    of its capacity leaves short lulls under any threshold: judged over a quarter of a second, the worker found one
    every few seconds and started an article, which then held a core for a second or more; judged over the window
    alone, it went on starting articles for seconds after the desk got busy (docs/performance.md, "The worker
    waits for a quiet spell, not a quiet moment")."""

    def __init__(self, *, above: float, longest: float, window: float = 0.0, step: float = 0.25) -> None:
        self.above, self.longest, self.step = above, longest, step
        self.window = max(window, step)
        self.waited = 0.0  # seconds waited in all, for the worker's log
        self._samples: deque[_CpuSnapshot] = deque(maxlen=max(2, int(self.window / step) + 2))
        self._lock = threading.Lock()
        self._sampler: threading.Thread | None = None

    def __call__(self, **kwargs: Any) -> None:  # a task_started receiver
        if self.above >= 1:
            return
        self.start_sampling()
        started = time.monotonic()
        while time.monotonic() - started < self.longest and not self.is_quiet(_snapshot()):
            time.sleep(self.step)
        self.waited += time.monotonic() - started

    def is_quiet(self, now: _CpuSnapshot | None) -> bool:
        """Whether others kept at most `above` of the cores busy over the window and over the last second."""
        if now is None:
            return True  # not Linux, or /proc not mounted: never wait
        spell, moment = self.busy_share(now), self.busy_share(now, window=min(_MOMENT, self.window))
        return spell is not None and moment is not None and max(spell, moment) <= self.above

    def busy_share(self, now: _CpuSnapshot | None = None, *, window: float | None = None) -> float | None:
        """Share of the cores (0-1) other processes kept busy over the last `window` seconds (by default the
        wait's own) up to `now` (a fresh sample by default), or over the samples there are when the sampler started
        less than a window ago; None until it has a second's worth, which counts as busy."""
        now = now or _snapshot()
        if now is None:
            return 0.0  # not Linux, or /proc not mounted: never wait
        window = self.window if window is None else window
        with self._lock:
            since = next((s for s in reversed(self._samples) if now.at - s.at >= window), None)
            if since is None and self._samples and now.at - self._samples[0].at >= min(_MOMENT, window):
                since = self._samples[0]  # just started: judge over the seconds there are
        if since is None or now.total <= since.total:
            return None
        others = (now.busy - since.busy) - (now.own - since.own)
        return max(0.0, others / (now.total - since.total))

    def start_sampling(self) -> None:
        """Start the sampling thread (once; the first task starts it otherwise)."""
        if self._sampler is None:
            self._sampler = threading.Thread(target=self._sample_forever, name="claimdesk-quiet-wait", daemon=True)
            self._sampler.start()

    def _sample_forever(self) -> None:
        while True:
            snapshot = _snapshot()
            if snapshot is None:
                return
            self.add_sample(snapshot)
            time.sleep(self.step)

    def add_sample(self, snapshot: _CpuSnapshot) -> None:
        """Keep `snapshot` (the sampling thread's, or a test's)."""
        with self._lock:
            self._samples.append(snapshot)
