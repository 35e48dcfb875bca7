"""The open-loop desk load (bench/openloop.py): its arrival schedule, mix and latency table, without a server."""

from __future__ import annotations

import itertools
import random
import statistics

from bench.openloop import MIX, Sample, pick_routes, poisson_schedule, route_table, verdict


def test_poisson_schedule_is_reproducible_from_its_seed():
    first = poisson_schedule(40, 60, random.Random(16))
    assert first == poisson_schedule(40, 60, random.Random(16))
    assert first != poisson_schedule(40, 60, random.Random(17))


def test_poisson_schedule_keeps_the_rate_with_exponential_gaps():
    times = poisson_schedule(40, 600, random.Random(3))
    assert times == sorted(times) and times[0] > 0 and times[-1] < 600
    assert abs(len(times) / 600 - 40) < 1.5  # ~24,000 arrivals: sd of the count is ~155, 0.26 req/s
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Exponential gaps: mean and standard deviation both 1/rate (a fixed pace would have sd 0).
    assert abs(statistics.mean(gaps) - 0.025) < 0.001
    assert abs(statistics.stdev(gaps) - 0.025) < 0.002


def test_poisson_schedule_at_no_rate_sends_nothing():
    assert poisson_schedule(0, 60, random.Random(1)) == []


def test_routes_follow_the_desk_mix():
    routes = pick_routes(20_000, random.Random(5))
    for route, weight in MIX.items():
        assert abs(routes.count(route) / len(routes) - weight / 100) < 0.01, route


def test_route_table_pools_reads_and_writes_and_counts_errors():
    samples = [Sample("list", float(ms), True) for ms in range(1, 101)]
    samples += [Sample("claim", 250.0, True), Sample("status", 700.0, False), Sample("upload", 100.0, True)]
    rows = {row["route"]: row for row in route_table(samples, seconds=10)}
    assert rows["list"]["p50"] == 50 and rows["list"]["p99"] == 99 and rows["list"]["rate"] == 10
    assert rows["reads"]["requests"] == 101 and rows["reads"]["max"] == 250
    assert rows["writes"]["requests"] == 2 and rows["writes"]["errors"] == 1 and rows["writes"]["p99"] == 700
    assert rows["search"]["requests"] == 0 and rows["search"]["p99"] == 0
    assert verdict(list(rows.values())) == "reads p99 100 ms < 300: yes; writes p99 700 ms < 600: NO"


def test_the_slices_show_when_in_the_run_the_tail_came():
    from bench.openloop import slice_table

    samples = [Sample("list", 20.0, True, due=t / 10) for t in range(300)]  # 30 s at 10 req/s, 20 ms each
    samples += [Sample("claim", 900.0, True, due=12.5), Sample("claim", 800.0, True, due=12.6)]  # a stall at 12 s
    lines = slice_table(samples, seconds=30)
    assert len(lines) == 4
    assert lines[1].split() == ["0-10", "s", "100", "20", "20", "20"]
    assert lines[2].split()[2:] == ["102", "20", "800", "900"]
    assert lines[3].split()[-1] == "20"


def test_a_status_post_is_one_closed_form_request_with_its_length():
    from bench.openloop import answer_status, http_request

    payload = http_request("POST", "/claims/7/status/", {"Host": "127.0.0.1:8799"}, {"status": "false", "note": "a b"})
    head, body = payload.split(b"\r\n\r\n")
    assert head.startswith(b"POST /claims/7/status/ HTTP/1.1\r\nHost: 127.0.0.1:8799\r\n")
    assert b"Connection: close" in head and f"Content-Length: {len(body)}".encode() in head
    assert body == b"status=false&note=a+b"
    assert answer_status(b"HTTP/1.1 302 Found\r\nLocation: /articles/9/\r\n\r\n") == 302
    assert answer_status(b"") == 0
