"""Open-loop load like a desk: requests arrive at a fixed rate (Poisson) whatever the server's pace.

First the maximum throughput: a short closed-loop wrk run of `make load`'s mix (LOAD_MAX_SECONDS, default 20),
or MAX=req/s. Then for each level of LEVELS (fractions of that maximum, default "0.5,0.8") LOAD_SECONDS of
Poisson arrivals at that rate, mix: claim list 40%, list with a search 20%, claim page 30%, status change 9%,
upload of one small labelled article 1%. Latency runs from each request's *scheduled* send time, so time
spent waiting behind a slow server counts (no coordinated omission). Prints per route p50/p95/p99, the achieved
rate, errors, whether reads' p99 < 300 ms and writes' p99 < 600 ms, and the client's own CPU use.
Run: `make load-desk` (FRESH=1: right after a bulk load; INGEST=N: while ingest_worker files N articles). With
MAX= the measuring run is skipped, and LOAD_WARM_SECONDS (default 20) of the mix at the first level's rate, not
measured, take its place as the warm-up. After each level, p50/p99 per 10 s of send time show whether its tail is
spread over the run (queueing) or bunched (a stall).
The client is a bare asyncio HTTP/1.1 client in this process, apart from gunicorn (it prints its own CPU use).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_report import latencies  # noqa: E402

MIX = {"list": 40, "search": 20, "claim": 30, "status": 9, "upload": 1}
READS = ("list", "search", "claim")
WRITES = ("status", "upload")
READ_P99_MS = 300
WRITE_P99_MS = 600
STATUSES = ("verified", "false", "disputed", "unverified")
LIST_STATUSES = (*STATUSES, "unreviewed")
ANSWER_TIMEOUT = 60
WORDS = ("council", "harbour", "budget", "ferry", "strike", "water", "police", "school")


def poisson_schedule(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """Send times (seconds from the start) of a Poisson process of `rate` per second over `seconds`."""
    if rate <= 0:
        return []
    times: list[float] = []
    at = rng.expovariate(rate)
    while at < seconds:
        times.append(at)
        at += rng.expovariate(rate)
    return times


def pick_routes(count: int, rng: random.Random) -> list[str]:
    """`count` route names drawn by MIX's weights."""
    return rng.choices(list(MIX), weights=list(MIX.values()), k=count)


@dataclass(frozen=True, slots=True)
class Sample:
    route: str
    ms: float  # from the scheduled send time to the end of the answer
    ok: bool
    due: float = 0.0  # scheduled send time, seconds from the level's start


def slice_table(samples: Sequence[Sample], seconds: float, width: float = 10.0) -> list[str]:
    """All routes' p50 / p99 / max per `width` seconds of schedule (by send time): whether a level's tail is
    spread over the run (queueing) or bunched in a few seconds (a stall, a cold start)."""
    cells = []
    start = 0.0
    while start < seconds:
        hits = [s.ms for s in samples if start <= s.due < start + width]
        if hits:
            stats = latencies(hits)
            cells.append(
                f"{start:>4.0f}-{start + width:<4.0f}s {len(hits):>5} {stats['p50']:>5.0f} {stats['p99']:>5.0f} "
                f"{stats['max']:>5.0f}"
            )
        start += width
    return [f"{'sent':<10} {'reqs':>5} {'p50':>5} {'p99':>5} {'max':>5}  (ms, all routes)", *cells]


def route_table(samples: Sequence[Sample], seconds: float) -> list[dict[str, Any]]:
    """Per route in MIX order, then reads and writes pooled: requests, rate, errors, p50/p95/p99/max ms."""
    groups = [(route, [s for s in samples if s.route == route]) for route in MIX]
    groups += [
        ("reads", [s for s in samples if s.route in READS]),
        ("writes", [s for s in samples if s.route in WRITES]),
    ]
    rows = []
    for name, hits in groups:
        rows.append(
            {
                "route": name,
                "requests": len(hits),
                "rate": len(hits) / seconds if seconds else 0.0,
                "errors": sum(not s.ok for s in hits),
                **latencies(s.ms for s in hits),
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"{'route':<8} {'requests':>8} {'req/s':>6} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"]
    for row in rows:
        lines.append(
            f"{row['route']:<8} {row['requests']:>8} {row['rate']:>6.1f} {row['errors']:>6} {row['p50']:>7.0f} "
            f"{row['p95']:>7.0f} {row['p99']:>7.0f} {row['max']:>7.0f}"
        )
    return lines


def verdict(rows: list[dict[str, Any]]) -> str:
    by_name = {row["route"]: row for row in rows}
    reads, writes = by_name["reads"]["p99"], by_name["writes"]["p99"]
    ok_reads, ok_writes = reads < READ_P99_MS, writes < WRITE_P99_MS
    return (
        f"reads p99 {reads:,.0f} ms < {READ_P99_MS}: {'yes' if ok_reads else 'NO'}; "
        f"writes p99 {writes:,.0f} ms < {WRITE_P99_MS}: {'yes' if ok_writes else 'NO'}"
    )


class Desk:
    """Builds each request of the mix; keeps each claim's version from the status answers, as the form does."""

    def __init__(
        self,
        *,
        port: int,
        session: str,
        csrf: str,
        versions: dict[int, int],
        outlets: Sequence[str],
        uploads: Callable[[], Any],
        rng: random.Random,
    ) -> None:
        self.origin = f"https://127.0.0.1:{port}"
        self.csrf = csrf
        self.versions = versions
        self.ids = list(versions)
        self.outlets = list(outlets)
        self.uploads = uploads
        self.rng = rng
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-Forwarded-Proto": "https",
            "Host": f"127.0.0.1:{port}",
        }

    def request(self, route: str) -> tuple[str, str, dict[str, str], dict[str, str] | None]:
        """(method, path, headers, form) of one request of `route`."""
        rng = self.rng
        if route in ("list", "search"):
            path = f"/claims/?status={rng.choice(LIST_STATUSES)}&sort=newest"
            if rng.random() < 0.5:
                path += "&outlet=" + rng.choice(self.outlets).replace(" ", "+")
            if route == "search":
                path += "&q=" + rng.choice(WORDS)
            if rng.random() < 0.25:
                path += f"&page={rng.randint(1, 5)}"
            return "GET", path, self.headers, None
        if route == "claim":
            return "GET", f"/claims/{rng.choice(self.ids)}/", self.headers, None
        post = {**self.headers, "X-CSRFToken": self.csrf, "Origin": self.origin}
        if route == "status":
            pk = rng.choice(self.ids)
            form = {"status": rng.choice(STATUSES), "note": "load test", "version": str(self.versions[pk])}
            headers = {**post, "HX-Request": "true", "HX-Target": "status-panel"}
            return "POST", f"/claims/{pk}/status/", headers, form
        copy = self.uploads()
        form = {"text": copy.raw.decode("utf-8"), "title": copy.title, "url": copy.url, "outlet": copy.outlet}
        return "POST", "/articles/new/", post, form

    def answered(self, route: str, status: int, body: str) -> bool:
        """Whether the answer is a success; reads the next version from a status panel."""
        if route == "upload":
            return status == 302  # filed: redirected to the article (200 is the form again, with an error)
        if route == "status":
            from bench.loadkit import PANEL_CLAIM, PANEL_VERSION

            claim, version = PANEL_CLAIM.search(body), PANEL_VERSION.search(body)
            if claim and version and int(claim[1]) in self.versions:
                self.versions[int(claim[1])] = int(version[1])
        return 200 <= status < 400


def http_request(method: str, path: str, headers: dict[str, str], form: dict[str, str] | None) -> bytes:
    """One HTTP/1.1 request as bytes, closing the connection after it (gunicorn's sync workers close it anyway)."""
    body = urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def answer_status(answer: bytes) -> int:
    """The status code of a raw HTTP answer; 0 when it is not one."""
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(match[1]) if match else 0


async def drive(desk: Desk, port: int, schedule: Sequence[float], routes: Sequence[str]) -> list[Sample]:
    """Send `routes[i]` at `schedule[i]` seconds from now, each on its own task and connection, never waiting
    for answers. A bare asyncio client: an HTTP library's per-request cost would make the client a bottleneck."""
    loop = asyncio.get_running_loop()
    samples: list[Sample] = []

    async def exchange(payload: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(payload)
            return await reader.read()  # to end of stream: the server closes after the answer
        finally:
            writer.close()

    async def one(route: str, due: float) -> None:
        try:
            answer = await asyncio.wait_for(exchange(http_request(*desk.request(route))), ANSWER_TIMEOUT)
            status = answer_status(answer)
            # Only a status panel is read (for its version).
            ok = desk.answered(route, status, answer.decode("utf-8", "replace") if route == "status" else "")
        except (OSError, TimeoutError):
            ok = False
        samples.append(Sample(route, (loop.time() - due) * 1000, ok, due - start))

    start = loop.time()
    tasks = []
    for at, route in zip(schedule, routes, strict=True):
        due = start + at
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(route, due)))
    await asyncio.gather(*tasks)
    return samples


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=float, default=0.0, help="Maximum throughput in req/s (else measured).")
    parser.add_argument("--levels", default="0.5,0.8", help="Fractions of the maximum, comma-separated.")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", "60")))
    parser.add_argument("--fresh-load", action="store_true", help="Drop and regenerate the claims first.")
    parser.add_argument("--ingest", type=int, default=0, metavar="N", help="ingest_worker files N articles meanwhile.")
    parser.add_argument(
        "--warm",
        type=int,
        default=int(os.environ.get("LOAD_WARM_SECONDS", "20")),
        help="With --max: seconds of the mix at the first level's rate before it, not measured (the measuring run "
        "does this otherwise). 0: none.",
    )
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (make load uses 2).")
    args = parser.parse_args(argv)
    try:
        args.levels = [float(level) for level in args.levels.split(",") if level.strip()]
    except ValueError:
        parser.error("--levels takes fractions like 0.5,0.8")
    return args


def main() -> None:
    args = parse_args(sys.argv[1:])
    from bench.serving import production_env, start_gunicorn, stop, wait_until_up

    port = int(os.environ.get("LOAD_PORT", "8799"))
    claims = int(os.environ.get("LOAD_CLAIMS", "200000"))
    env = production_env(os.environ.get("CLAIMS_DATA_DIR", str(ROOT / ".data" / "bench")))
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string

    from bench import loadkit
    from claimdesk_dev.corpus import OUTLETS
    from claims_app.models import Claim

    call_command("migrate", verbosity=0)
    loadkit.prepare_corpus(claims, fresh=args.fresh_load)
    call_command("collectstatic", interactive=False, verbosity=0)
    picked = loadkit.pick_claims()
    csrf = _get_new_csrf_string()
    cookie = loadkit.session_cookie()
    tag = loadkit.run_tag()
    batches = loadkit.queue_ingest(args.ingest, f"{tag}w")
    small = loadkit.source_articles(smallest=5)
    uploaded = 0

    def next_upload() -> loadkit.ArticleCopy:
        nonlocal uploaded
        uploaded += 1
        return loadkit.article_copies(1, small, tag=f"{tag}u", start=uploaded)[0]

    def desk(versions: dict[int, int], rng: random.Random) -> Desk:
        return Desk(
            port=port, session=cookie, csrf=csrf, versions=versions, outlets=OUTLETS, uploads=next_upload, rng=rng
        )

    def current_versions() -> dict[int, int]:  # the runs before (wrk, warm-up, levels) moved some on
        return dict(loadkit.current_versions(pk for pk, _ in picked))

    rng = random.Random(args.seed)
    gunicorn = start_gunicorn(port, env, workers=args.workers)
    worker = None
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login/", time.monotonic() + 60)
        loadkit.check_logged_in(port, cookie)
        workers = f"gunicorn {args.workers} workers"
        print(f"{Claim.objects.count():,} claims; {workers}; open loop, {args.seconds}s per level")
        # Two uploads at once, before anything is measured: each gunicorn worker loads spaCy and the tagger as it
        # starts (CLAIMS_WARM_NLP, in a background thread; ~15 s here) and an upload waits for that load, so the
        # measuring run and the levels see a desk's long-running workers, not the loading. (A worker recycled by
        # max_requests loads them again.)
        warmed = asyncio.run(drive(desk({0: 0}, rng), port, [0.0, 0.0], ["upload", "upload"]))
        print("warm-up: 2 uploads at once, " + ", ".join(f"{s.ms / 1000:.1f}s" for s in warmed), flush=True)
        failed = not all(s.ok for s in warmed)
        maximum = args.max
        if not maximum and args.fresh_load:
            print("(the measuring run comes first, so it is the first load on the fresh database: MAX= avoids that)")
        if not maximum:
            seconds = int(os.environ.get("LOAD_MAX_SECONDS", "20"))
            script = loadkit.wrk_script(picked, session=cookie, csrf=csrf, port=port)
            run = loadkit.run_wrk(script, port=port, seconds=seconds, connections=8)
            result = loadkit.parse_wrk(run.stdout)
            if run.returncode != 0 or not result.rps:
                raise SystemExit(f"wrk failed: {run.stderr.strip()}")
            maximum = result.rps
            print(f"maximum (closed loop, wrk, 8 connections, {seconds}s, make load's mix): {maximum:.1f} req/s")
        else:
            print(f"maximum (given): {maximum:.1f} req/s")
            if args.warm > 0 and args.levels:
                # New workers and database backends start with cold caches; a desk's have been up for hours.
                # Without this the first level's first seconds measured a start-up, not the level.
                warm_rng = random.Random(args.seed + 1)
                schedule = poisson_schedule(args.levels[0] * maximum, args.warm, warm_rng)
                routes = pick_routes(len(schedule), warm_rng)
                warmed = asyncio.run(drive(desk(current_versions(), warm_rng), port, schedule, routes))
                print(f"warm-up: {args.warm}s at {args.levels[0]:.0%}, not measured ({len(warmed)} requests)")
        print("mix: list 40%, list with search 20%, claim page 30%, status change 9%, upload 1%", flush=True)
        if args.ingest:
            worker, worker_started = loadkit.start_ingest_worker(args.ingest, env)
        for level in args.levels:
            rate = level * maximum
            level_desk = desk(current_versions(), rng)
            schedule = poisson_schedule(rate, args.seconds, rng)
            routes = pick_routes(len(schedule), rng)
            started, wall, cpu = loadkit.now(), time.monotonic(), cpu_seconds()
            samples = asyncio.run(drive(level_desk, port, schedule, routes))
            wall, cpu = time.monotonic() - wall, cpu_seconds() - cpu
            rows = route_table(samples, wall)
            print(
                f"\n== {level:.0%} of maximum: {rate:.1f} req/s scheduled, {len(samples) / wall:.1f} answered/s "
                f"over {wall:.1f}s (the {args.seconds}s schedule and the wait for its last answers)"
            )
            print("\n".join(format_table(rows)))
            print(verdict(rows))
            print("\n".join(slice_table(samples, args.seconds)))
            print(f"client CPU: {cpu:.1f}s in {wall:.1f}s ({100 * cpu / wall:.1f}% of one core)")
            if batches:
                print(loadkit.format_ingest(loadkit.ingest_window(batches, started, loadkit.now())))
            failed = failed or any(row["errors"] for row in rows)
    finally:
        stop(gunicorn)
        if worker is not None:
            ingest_end = loadkit.now()
            loadkit.stop_worker(worker)
    if batches:
        total = loadkit.ingest_window(batches, worker_started, ingest_end)
        print(loadkit.format_ingest(total).replace("ingest:", "ingest over all levels:", 1))
        print(loadkit.leftover_line(batches))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
