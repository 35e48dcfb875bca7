"""Shared pieces of the load tools: bench/load.py (closed loop, wrk) and bench/openloop.py (fixed arrival rates).

The wrk script and its output, the bench corpus (kept, or dropped and regenerated for "right after a bulk load"),
the editor session the requests carry, per-run slices of the request timing log, and background ingest during a
run: copies of the team's labelled articles queued as upload jobs and a real `manage.py ingest_worker`.
Django is imported inside the functions that need it, so the pure parts can be tested without a server.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load_report import format_routes, format_slowest, read_timing_log, route_rows, slowest_requests

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_FOLDERS = (ROOT / "eval" / "extraction", ROOT / "eval" / "heldout")
# Outlets the queued copies are filed under (the copies also differ in title, URL and body; see article_copies).
LOAD_OUTLETS = ("Harbour Ledger", "Valley Courier", "Northshore Post", "Eastgate Record", "Saltmere Gazette")
WORKER_STOP_SECONDS = 90

WRK_LUA = r"""
local ids = {%(ids)s}
-- The version each claim was read at (from the database at start, then from each status answer): a status
-- POST sends it, as the form does, and a conflict answers with the fresh version (not an error).
local versions = {%(versions)s}
local outlets = {%(outlets)s}
local statuses = {"verified", "false", "disputed", "unverified", "unreviewed"}
local words = {"council", "harbour", "budget", "ferry", "strike", "water", "police", "school"}
local cookie = "sessionid=%(session)s; csrftoken=%(csrf)s"
local base = {["Cookie"] = cookie, ["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1:%(port)d"}

local function headers(extra)
  local h = {}
  for k, v in pairs(base) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

local function enc(s) return (s:gsub(" ", "+")) end

request = function()
  local r = math.random(100)
  if r <= 60 then
    local path = "/claims/?status=" .. statuses[math.random(#statuses)] .. "&sort=newest"
    if math.random(2) == 1 then path = path .. "&outlet=" .. enc(outlets[math.random(#outlets)]) end
    if math.random(3) == 1 then path = path .. "&q=" .. words[math.random(#words)] end
    if math.random(4) == 1 then path = path .. "&page=" .. math.random(5) end
    return wrk.format("GET", path, headers())
  elseif r <= 90 then
    return wrk.format("GET", "/claims/" .. ids[math.random(#ids)] .. "/", headers())
  else
    local id = ids[math.random(#ids)]
    local body = "status=" .. statuses[math.random(4)] .. "&note=load+test&version=" .. versions[id]
    return wrk.format("POST", "/claims/" .. id .. "/status/", headers({
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-CSRFToken"] = "%(csrf)s",
      ["Origin"] = "https://127.0.0.1:%(port)d",
      ["HX-Request"] = "true",
      ["HX-Target"] = "status-panel",
    }), body)
  end
end

local errors = 0
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
  -- A status panel names its claim's status URL and the version to send next.
  local id = body and body:match('/claims/(%%d+)/status/')
  local version = body and body:match('name="version" value="(%%d+)"')
  if id and version and versions[tonumber(id)] then versions[tonumber(id)] = version end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d duration_s=%%.1f rps=%%.1f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("RESULT p50_ms=%%.1f p95_ms=%%.1f p99_ms=%%.1f max_ms=%%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  local e = summary.errors
  io.write(string.format(
    "RESULT errors_connect=%%d errors_read=%%d errors_write=%%d errors_status=%%d errors_timeout=%%d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

# The status panel's next version, as the wrk script reads it.
PANEL_CLAIM = re.compile(r"/claims/(\d+)/status/")
PANEL_VERSION = re.compile(r'name="version" value="(\d+)"')


# ---------------------------------------------------------------- wrk


@dataclass(frozen=True, slots=True)
class WrkResult:
    """One wrk run as the script's `done` reports it; `errors` adds socket errors, timeouts and non-2xx/3xx."""

    requests: int
    seconds: float
    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: int


def parse_wrk(output: str) -> WrkResult:
    """Read the RESULT lines (and wrk's own non-2xx/3xx count) of a run; a run missing them counts one error."""
    totals = re.search(r"RESULT requests=(\d+) duration_s=([\d.]+) rps=([\d.]+)", output)
    latency = re.search(r"RESULT p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+) max_ms=([\d.]+)", output)
    errors = re.search(
        r"errors_connect=(\d+) errors_read=(\d+) errors_write=(\d+) errors_status=(\d+) errors_timeout=(\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = sum(int(n) for n in errors.groups()) if errors else 1
    total += int(non_2xx.group(1)) if non_2xx else 0
    requests, seconds, rps = (int(totals[1]), float(totals[2]), float(totals[3])) if totals else (0, 0.0, 0.0)
    p50, p95, p99, most = (float(n) for n in latency.groups()) if latency else (0.0, 0.0, 0.0, 0.0)
    return WrkResult(requests, seconds, rps, p50, p95, p99, most, total)


def wrk_script(picked: Sequence[tuple[int, int]], *, session: str, csrf: str, port: int) -> str:
    """The page-mix script for claims `picked` as (id, version), carrying the editor's session and CSRF token."""
    from claimdesk_dev.corpus import OUTLETS

    return WRK_LUA % {
        "ids": ",".join(str(pk) for pk, _ in picked),
        "versions": ",".join(f"[{pk}]={version}" for pk, version in picked),
        "outlets": ",".join(f'"{o}"' for o in OUTLETS),
        "session": session,
        "csrf": csrf,
        "port": port,
    }


def run_wrk(script: str, *, port: int, seconds: int, connections: int) -> subprocess.CompletedProcess[str]:
    """One closed-loop wrk run (2 threads) of `script` against gunicorn on loopback."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        return subprocess.run(
            [
                *("wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"),
                *("-s", handle.name, f"http://127.0.0.1:{port}"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(handle.name)


def result_header() -> str:
    return f"{'run':>3} {'requests':>8} {'req/s':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'errors':>6}   (ms)"


def result_row(label: str, result: WrkResult) -> str:
    return (
        f"{label:>3} {result.requests:>8,} {result.rps:>6.1f} {result.p50:>7.0f} {result.p95:>7.0f} "
        f"{result.p99:>7.0f} {result.max:>7.0f} {result.errors:>6}"
    )


# ---------------------------------------------------------------- database and session


def prepare_corpus(claims: int, *, fresh: bool) -> None:
    """The bench corpus before a load: `fresh` drops and regenerates it (printing how long that took), else
    claims are only added up to `claims`. Nothing runs after a fresh load: generate_corpus ends with its own
    VACUUM (ANALYZE), as any bulk load here does, and the load starts right after it."""
    if fresh:
        seconds = fresh_load(claims)
        print(f"fresh load: claims dropped and {claims:,} regenerated in {seconds:.1f}s; load starts now", flush=True)
    else:
        ensure_corpus(claims)


def ensure_corpus(claims: int) -> None:
    """Generate synthetic claims until the database holds `claims` (as `make load` always has)."""
    from claims_app.models import Claim

    have = Claim.objects.count()
    if have < claims:
        generate_corpus(claims - have, seed=claims)
    elif have > claims * 1.1:
        # Every INGEST / INGEST_ALONE run files a few hundred articles: figures drift as the claims grow.
        print(
            f"note: the bench database holds {have:,} claims, {have / claims - 1:.0%} more than LOAD_CLAIMS="
            f"{claims:,} (articles earlier runs filed); FRESH=1 regenerates it at {claims:,}",
            flush=True,
        )


def generate_corpus(claims: int, *, seed: int) -> None:
    # generate_corpus is dev tooling (claimdesk_dev), which production settings do not install.
    subprocess.run(
        [sys.executable, "manage.py", "generate_corpus", "--claims", str(claims), "--seed", str(seed)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        check=True,
    )


def fresh_load(claims: int) -> float:
    """Drop the claim data (TRUNCATE, cascading to every table that points at it) and regenerate `claims`
    claims: the database as a bulk load leaves it. Returns the seconds the load took (generation included)."""
    from django.db import connection

    from claims_app.models import Article, Claim, ClaimLink, ClaimStatusChange, Speaker, SpeakerAlias

    started = time.perf_counter()
    tables = ", ".join(m._meta.db_table for m in (Article, Speaker, SpeakerAlias, Claim, ClaimLink, ClaimStatusChange))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    generate_corpus(claims, seed=claims)
    return time.perf_counter() - started


def pick_claims(count: int = 2000) -> list[tuple[int, int]]:
    """`count` random claims as (id, version), the version a status POST must send."""
    from claims_app.models import Claim

    return list(Claim.objects.order_by("?").values_list("pk", "version")[:count])


def current_versions(ids: Iterable[int]) -> dict[int, int]:
    from claims_app.models import Claim

    return dict(Claim.objects.filter(pk__in=list(ids)).values_list("pk", "version"))


def load_editor() -> Any:
    from django.contrib.auth import get_user_model

    from claims_app.accounts import create_user
    from claims_app.roles import Role

    return get_user_model().objects.filter(username="load-editor").first() or create_user(
        username="load-editor", password="load-password-123", role=Role.EDITOR
    )


def session_cookie() -> str:
    """A real database session of the load editor, valid for gunicorn (same secret key)."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    user = load_editor()
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def check_logged_in(port: int, cookie: str) -> None:
    """The session must really log in: a redirect to the login page would also count as "no error" in wrk."""
    import urllib.request

    probe = urllib.request.Request(
        f"http://127.0.0.1:{port}/claims/",
        headers={"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(probe, timeout=30) as answer:  # loopback only
        assert answer.url.endswith("/claims/") and b"claim" in answer.read(), "load session is not logged in"


# ---------------------------------------------------------------- timing log, per run


class TimingLogRuns:
    """Splits one request timing log (CLAIMS_TIMING_LOG of the gunicorn workers) into runs by byte offsets:
    `mark()` before each run and once after the last; a request still in flight at a run's end lands in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.marks: list[int] = []

    def mark(self) -> None:
        self.marks.append(self.path.stat().st_size if self.path.exists() else 0)

    def entries(self, run: int) -> list[dict[str, Any]]:
        """The timing-log lines of run `run` (0-based), between its mark and the next."""
        start, end = self.marks[run], self.marks[run + 1]
        with self.path.open("rb") as handle:
            handle.seek(start)
            chunk = handle.read(end - start)
        with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as part:
            part.write(chunk)
        try:
            return read_timing_log(Path(part.name))
        finally:
            os.unlink(part.name)


def run_details(entries: list[dict[str, Any]], *, slowest: int = 3) -> list[str]:
    """Per route of one run, by p99 (server side), then its `slowest` requests and where their time went."""
    rows = sorted(route_rows(entries), key=lambda row: row["p99"], reverse=True)
    return [*format_routes(rows), *format_slowest(slowest_requests(entries, slowest))]


# ---------------------------------------------------------------- background ingest


@dataclass(frozen=True, slots=True)
class ArticleCopy:
    """One labelled article to upload again: its own title, URL, outlet and one added sentence."""

    filename: str
    raw: bytes
    title: str
    url: str
    outlet: str


def source_articles(*, smallest: int | None = None) -> list[Path]:
    """The team's labelled article texts (eval/extraction, eval/heldout), by name, or the `smallest` few."""
    paths = sorted(path for folder in ARTICLE_FOLDERS for path in folder.glob("*.txt"))
    if smallest is not None:
        paths = sorted(paths, key=lambda path: (path.stat().st_size, path.name))[:smallest]
    return paths


def article_copies(count: int, sources: Sequence[Path], *, tag: str, start: int = 0) -> list[ArticleCopy]:
    """`count` copies of `sources` (round robin) that the ingest will not refuse as duplicates.

    Duplicates are found by the hash of the cleaned body (services.content_hash), not by title or URL, so each
    copy also adds one sentence naming it to its longest paragraph (a paragraph that is surely kept as text).
    `tag` tells one run's copies from an earlier run's on the same database; `start` numbers them on.
    """
    if not sources:
        raise ValueError("no source articles")
    copies = []
    for number in range(start, start + count):
        path = sources[number % len(sources)]
        text = path.read_text(encoding="utf-8")
        label = f"{tag}-{number}"
        paragraphs = text.split("\n\n")
        longest = max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]))
        paragraphs[longest] = paragraphs[longest].rstrip() + f" This is load-test copy {label}."
        title = text.strip().splitlines()[0].strip()
        copies.append(
            ArticleCopy(
                filename=f"{path.stem}-{label}.txt",
                raw="\n\n".join(paragraphs).encode("utf-8"),
                title=f"{title} (copy {label})"[:500],
                url=f"https://load.example.org/{tag}/{number}/{path.stem}",
                outlet=LOAD_OUTLETS[number % len(LOAD_OUTLETS)],
            )
        )
    return copies


def run_tag() -> str:
    """A short tag unique to this run, for copy names."""
    return uuid.uuid4().hex[:8]


def queue_copies(copies: Iterable[ArticleCopy], user: Any) -> list[uuid.UUID]:
    """Queue each copy as an upload job, as the upload page queues a long article (one batch per article, since
    an upload's title and URL apply to its whole batch); returns the batch ids."""
    from claims_app.ingest import jobs, services

    return [
        jobs.queue_files(
            files=[(copy.filename, copy.raw)],
            uploaded_by=user,
            overrides=services.ArticleOverrides(title=copy.title, url=copy.url, outlet=copy.outlet),
        )
        for copy in copies
    ]


def start_worker(env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`manage.py ingest_worker` with `env` over this process's (CLAIMS_INGEST_NICE / _CORES apply as set)."""
    output = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "manage.py", "ingest_worker"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT,
    )


# Background work earlier load runs left queued on the bench database: embeddings of the articles their uploads
# filed, and of claims their claim pages viewed without one, which no worker ran.
STALE_TASKS = ("claims_app.linking.tasks.embed_article_task", "claims_app.linking.tasks.embed_claims_task")


def clear_stale_tasks() -> int:
    """Remove the embedding tasks earlier runs left queued, so an ingest level's worker starts on its own articles
    (1,981 had piled up on 7 December, and an `INGEST=300` level spent its minute on them: 0 articles filed). Their
    claims keep no vector; a claim page viewed later queues it again, as on any desk. Returns how many."""
    from django_tasks_db.models import DBTaskResult

    removed, _ = DBTaskResult.objects.filter(status="READY", task_path__in=STALE_TASKS).delete()
    return removed


def queue_ingest(count: int, tag: str) -> list[uuid.UUID]:
    """`count` copies of the labelled articles queued for ingest_worker (`INGEST=N`), after clearing the tasks earlier
    runs left queued (clear_stale_tasks); returns their batch ids."""
    if not count:
        return []
    copies = article_copies(count, source_articles(), tag=tag)
    if stale := clear_stale_tasks():
        print(f"ingest: removed {stale} embedding task(s) earlier runs left queued", flush=True)
    return queue_copies(copies, load_editor())


def start_ingest_worker(count: int, env: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], datetime.datetime]:
    """Start the worker on `count` queued articles, saying how it is limited; returns it and when it started."""
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    # Tasks queued before ours (embeddings of articles an earlier run filed, ...) run first and cost their time.
    ahead = DBTaskResult.objects.filter(status="READY").count() - count
    log = Path(tempfile.mkstemp(prefix="claimdesk-ingest-worker-", suffix=".log")[1])
    waits = ""
    if settings.CLAIMS_INGEST_YIELD_ABOVE < 1:
        waits = (
            f", waits above {settings.CLAIMS_INGEST_YIELD_ABOVE:.0%} busy over "
            f"{settings.CLAIMS_INGEST_YIELD_WINDOW:g} s (at most {settings.CLAIMS_INGEST_YIELD_LONGEST:g} s)"
        )
    print(
        f"ingest: {count} articles queued" + (f" after {ahead} other task(s)" if ahead > 0 else "") + "; "
        f"ingest_worker (niceness {settings.CLAIMS_INGEST_NICE}"
        f"{', idle class' if settings.CLAIMS_INGEST_IDLE else ''}"
        f"{', database backend too' if settings.CLAIMS_INGEST_DB_IDLE else ''}"
        f"{waits}, "
        f"models on {settings.CLAIMS_INGEST_CORES} core(s)), "
        f"log {log}",
        flush=True,
    )
    return start_worker(env, log), now()


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """TERM lets db_worker finish the article it is filing; KILL after WORKER_STOP_SECONDS (the job's row lock
    goes with the connection and the next worker requeues it)."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(10)


@dataclass(frozen=True, slots=True)
class IngestWindow:
    """What the worker finished between two instants: filed (done), duplicates, failed, and the last finish."""

    seconds: float
    done: int
    duplicate: int
    failed: int
    pending: int
    last_finished_s: float | None

    @property
    def per_minute(self) -> float:
        return 60 * self.done / self.seconds if self.seconds else 0.0


def ingest_window(batches: Sequence[uuid.UUID], start: datetime.datetime, end: datetime.datetime) -> IngestWindow:
    from claims_app.models import IngestJob

    ours = IngestJob.objects.filter(batch__in=list(batches))
    finished = list(ours.filter(finished_at__gte=start, finished_at__lt=end).values_list("status", "finished_at"))
    counts = {status: sum(1 for s, _ in finished if s == status) for status in IngestJob.Status.values}
    last = max((at for _, at in finished), default=None)
    pending = ours.filter(status__in=[IngestJob.Status.QUEUED, IngestJob.Status.RUNNING]).count()
    return IngestWindow(
        seconds=(end - start).total_seconds(),
        done=counts[IngestJob.Status.DONE],
        duplicate=counts[IngestJob.Status.DUPLICATE],
        failed=counts[IngestJob.Status.FAILED],
        pending=pending,
        last_finished_s=(last - start).total_seconds() if last else None,
    )


def format_ingest(window: IngestWindow) -> str:
    line = (
        f"ingest: {window.done} filed in {window.seconds:.1f} s ({window.done / window.seconds:.2f}/s, "
        f"{window.per_minute:.1f}/min)"
        if window.seconds
        else "ingest: no time"
    )
    if window.duplicate or window.failed:
        line += f", {window.duplicate} duplicate, {window.failed} failed"
    if window.pending == 0 and window.last_finished_s is not None:
        line += f"; queue empty after {window.last_finished_s:.1f} s"
    elif window.pending == 0:
        line += "; queue already empty"
    else:
        line += f"; {window.pending} still queued"
    return line


def clear_leftovers(batches: Sequence[uuid.UUID]) -> tuple[int, int]:
    """Remove this run's jobs the worker did not get to (and their tasks); returns (removed, left running)."""
    from django_tasks_db.models import DBTaskResult

    from claims_app.models import IngestJob

    ours = IngestJob.objects.filter(batch__in=list(batches))
    queued = list(ours.filter(status=IngestJob.Status.QUEUED).values_list("pk", "task_id"))
    DBTaskResult.objects.filter(pk__in=[task for _, task in queued if task]).delete()
    IngestJob.objects.filter(pk__in=[pk for pk, _ in queued]).delete()
    return len(queued), ours.filter(status=IngestJob.Status.RUNNING).count()


def leftover_line(batches: Sequence[uuid.UUID]) -> str:
    """Clear this run's unprocessed jobs (clear_leftovers) and say what was left."""
    removed, running = clear_leftovers(batches)
    if not removed and not running:
        return f"ingest queue: all {len(batches)} queued articles finished"
    line = f"ingest queue: {removed} unprocessed job(s) removed"
    return line + (f", {running} left running (the next worker requeues them)" if running else "")


def now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()
