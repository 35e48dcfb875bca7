"""Bounded loopback load test: gunicorn (production settings, 2 workers) under wrk for LOAD_SECONDS.

The mix per request: 60% claim list (a random filter, some with a search), 30% claim detail, 10% status
change POST. Requests carry an editor's session cookie and `X-Forwarded-Proto: https`, as they would
behind the TLS proxy production settings expect. Exits non-zero on any error or non-2xx/3xx answer.
Uses the benchmark database in `.data/bench` (run `make bench-pages` first, or it generates 200k claims).
Run: `make load`; `make load REPORT=1` (or `--report`) also prints the top routes and queries by total and by
p99 time after the run (bench/load_report.py: the request timing log and pg_stat_statements).

Hunting the tail (docs/performance.md, "Load"): `--runs N` (RUNS=N) runs wrk N times against one gunicorn and
prints a row per run, each run's routes by p99 and its 3 slowest requests (the timing log is on for this), and
whether every run's p99 stayed under 1 s; `--fresh-load` (FRESH=1) drops and regenerates the claims first;
`--ingest N` (INGEST=N) has a real `manage.py ingest_worker` file N queued copies of the labelled articles
meanwhile and reports its throughput; `--ingest-alone N` (INGEST_ALONE=N) measures that ingest with no web load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import production_env, start_gunicorn, stop, wait_until_up  # noqa: E402

PORT = int(os.environ.get("LOAD_PORT", "8799"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "8"))
CLAIMS = int(os.environ.get("LOAD_CLAIMS", "200000"))
ENV = production_env(os.environ.get("CLAIMS_DATA_DIR", str(ROOT / ".data" / "bench")))
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402

from bench import loadkit  # noqa: E402
from bench.load_report import print_report, statements_available  # noqa: E402
from bench.loadkit import IngestWindow, TimingLogRuns, WrkResult  # noqa: E402
from claims_app.models import Claim  # noqa: E402

REPORT = os.environ.get("LOAD_REPORT", "") not in ("", "0")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="Print top routes and queries after the runs.")
    parser.add_argument("--runs", type=int, default=1, help="Consecutive wrk runs against one gunicorn.")
    parser.add_argument(
        "--fresh-load", action="store_true", help="Drop and regenerate the claims first (right after a bulk load)."
    )
    parser.add_argument("--ingest", type=int, default=0, metavar="N", help="ingest_worker files N articles meanwhile.")
    parser.add_argument(
        "--ingest-alone", type=int, default=0, metavar="N", help="Only the ingest of N articles, no web load."
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.ingest < 0 or args.ingest_alone < 0:
        parser.error("--runs must be at least 1 and --ingest/--ingest-alone not negative")
    if args.ingest and args.ingest_alone:
        parser.error("--ingest and --ingest-alone exclude each other")
    args.report = args.report or REPORT
    return args


def main() -> None:
    args = parse_args(sys.argv[1:])
    call_command("migrate", verbosity=0)
    loadkit.prepare_corpus(CLAIMS, fresh=args.fresh_load)
    if args.ingest_alone:
        ingest_alone(args)
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    picked = loadkit.pick_claims()
    csrf = _get_new_csrf_string()
    cookie = loadkit.session_cookie()
    script = loadkit.wrk_script(picked, session=cookie, csrf=csrf, port=PORT)
    multi = args.runs > 1 or args.fresh_load or bool(args.ingest)
    timing_env: dict[str, str] = {}
    missing: str | None = None
    if args.report or multi:
        timing_log = Path(tempfile.mkstemp(prefix="claimdesk-timing-", suffix=".jsonl")[1])
        timing_env = {"CLAIMS_TIMING_LOG": str(timing_log)}
    if args.report:
        with connection.cursor() as cursor:
            missing = statements_available(cursor)
            if missing is None:
                cursor.execute("SELECT pg_stat_statements_reset()")
    batches = loadkit.queue_ingest(args.ingest, loadkit.run_tag())
    # The mix files no uploads, so the web workers are not asked to load spaCy and the tagger as they start: that
    # load (~15 s of both cores, CLAIMS_WARM_NLP) would fall inside the first run instead of the steady state.
    gunicorn = start_gunicorn(PORT, {**ENV, **timing_env, "CLAIMS_WARM_NLP": "0"})
    worker = None
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/login/", time.monotonic() + 60)
        loadkit.check_logged_in(PORT, cookie)
        print(
            f"{Claim.objects.count():,} claims; gunicorn 2 workers; "
            f"wrk 2 threads, {CONNECTIONS} connections, {SECONDS}s" + (f"; {args.runs} runs" if multi else "")
        )
        print("mix: 60% claim list (random filters/search/page), 30% claim detail, 10% status change POST", flush=True)
        if args.ingest:
            worker, worker_started = loadkit.start_ingest_worker(args.ingest, ENV)
        if multi:
            runs = TimingLogRuns(timing_log)
            results, windows = run_many(args.runs, script, runs, batches)
        else:
            run = loadkit.run_wrk(script, port=PORT, seconds=SECONDS, connections=CONNECTIONS)
    finally:
        stop(gunicorn)
        if worker is not None:
            ingest_end = loadkit.now()
            loadkit.stop_worker(worker)
    if not multi:
        print(run.stdout.strip())
        if run.returncode != 0:
            raise SystemExit(f"wrk failed: {run.stderr.strip()}")
        total = loadkit.parse_wrk(run.stdout).errors
        print(f"errors: {total}")
    else:
        runs.mark()
        print_runs(results, windows, runs)
        if args.ingest:
            print(
                loadkit.format_ingest(loadkit.ingest_window(batches, worker_started, ingest_end)).replace(
                    "ingest:", "ingest over all runs:", 1
                )
            )
            print(loadkit.leftover_line(batches))
        total = sum(result.errors for result in results)
    if args.report:
        with connection.cursor() as cursor:
            print_report(timing_log, cursor, missing)
    if timing_env:
        timing_log.unlink()
    if total:
        raise SystemExit(1)


def run_many(
    count: int, script: str, runs: TimingLogRuns, batches: list[uuid.UUID]
) -> tuple[list[WrkResult], list[IngestWindow | None]]:
    """`count` consecutive wrk runs; prints each run's row (and its ingest) as it ends."""
    results: list[WrkResult] = []
    windows: list[IngestWindow | None] = []
    for number in range(1, count + 1):
        runs.mark()
        started = loadkit.now()
        run = loadkit.run_wrk(script, port=PORT, seconds=SECONDS, connections=CONNECTIONS)
        if run.returncode != 0:
            raise SystemExit(f"wrk failed: {run.stderr.strip()}")
        results.append(loadkit.parse_wrk(run.stdout))
        windows.append(loadkit.ingest_window(batches, started, loadkit.now()) if batches else None)
        print(("\n" if number == 1 else "") + (loadkit.result_header() + "\n" if number == 1 else ""), end="")
        print(loadkit.result_row(str(number), results[-1]), flush=True)
        if windows[-1] is not None:
            print(f"    {loadkit.format_ingest(windows[-1])}", flush=True)
    return results, windows


def print_runs(results: list[WrkResult], windows: list[IngestWindow | None], runs: TimingLogRuns) -> None:
    for number in range(len(results)):
        print(f"\n== run {number + 1}: routes by p99 and the 3 slowest requests (server side, ms)")
        print("\n".join(loadkit.run_details(runs.entries(number))))
    print("\n== runs (wrk, client side)")
    print(loadkit.result_header() + ("   ingest/min" if any(windows) else ""))
    for number, (result, window) in enumerate(zip(results, windows, strict=True), start=1):
        print(loadkit.result_row(str(number), result) + (f"   {window.per_minute:>10.1f}" if window else ""))
    p99s = ", ".join(f"{result.p99:,.0f}" for result in results)
    verdict = "yes" if all(result.p99 < 1000 for result in results) else "NO"
    print(f"p99 under 1 s in every run: {verdict} ({p99s} ms)")


def ingest_alone(args: argparse.Namespace) -> None:
    """The same ingest with no web load: the worker's throughput in run-long windows, as the baseline."""
    batches = loadkit.queue_ingest(args.ingest_alone, loadkit.run_tag())
    worker, worker_started = loadkit.start_ingest_worker(args.ingest_alone, ENV)
    windows = []
    try:
        for number in range(1, args.runs + 1):
            started = loadkit.now()
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline and loadkit.ingest_window(batches, started, loadkit.now()).pending:
                time.sleep(1)
            windows.append(loadkit.ingest_window(batches, started, loadkit.now()))
            print(f"{number:>3} {loadkit.format_ingest(windows[-1])}", flush=True)
            if not windows[-1].pending:
                break
    finally:
        ingest_end = loadkit.now()
        loadkit.stop_worker(worker)
    print(
        loadkit.format_ingest(loadkit.ingest_window(batches, worker_started, ingest_end)).replace(
            "ingest:", "ingest over all windows:", 1
        )
    )
    print(loadkit.leftover_line(batches))


if __name__ == "__main__":
    main()
