"""The route tables `make load REPORT=1` prints, from timing-log lines."""

from __future__ import annotations

import json

from bench.load_report import format_routes, format_slowest, percentile, read_timing_log, route_rows, slowest_requests
from tests.bench.timing_entries import timing_entry as _entry


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7
    assert percentile([], 0.5) == 0


def test_routes_are_grouped_and_ordered_by_total_time():
    entries = [_entry("claim_list", 10.0)] * 9 + [_entry("claim_list", 1000.0), _entry("claim_detail", 500.0)]
    entries.append(_entry("claim_status", 5.0, method="POST"))
    rows = route_rows(entries)
    assert [row["route"] for row in rows] == ["GET claim_list", "GET claim_detail", "POST claim_status"]
    assert rows[0]["requests"] == 10
    assert rows[0]["p50"] == 10.0 and rows[0]["max"] == 1000.0
    assert abs(rows[0]["total_s"] - 1.09) < 1e-9
    assert len(format_routes(rows)) == 4


def test_slowest_requests_show_where_the_time_went(tmp_path):
    log = tmp_path / "timing.jsonl"
    lines = [json.dumps(_entry("claim_list", float(ms))) for ms in (5, 900, 40)]
    log.write_text("\n".join([*lines, '{"cut short']) + "\n", encoding="utf-8")
    entries = read_timing_log(log)
    assert len(entries) == 3  # the broken last line is skipped
    slowest = slowest_requests(entries, count=1)
    assert slowest[0]["total_ms"] == 900
    row = format_slowest(slowest)[1]
    assert "900.0" in row and "450.0" in row and "225.0" in row and "SELECT 1 FROM x" in row
    assert row.split()[3:5] == ["112.5", "112.5"]  # the collector's pauses, and what is left over


def test_timing_logs_from_before_the_collector_was_timed_still_read():
    entry = {key: value for key, value in _entry("claim_list", 80.0).items() if key != "gc_ms"}
    assert format_slowest([entry])[1].split()[:5] == ["80.0", "40.0", "20.0", "0.0", "20.0"]
