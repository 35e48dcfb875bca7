"""After a load run: the top routes (from the request timing log) and queries (from pg_stat_statements).

`make load REPORT=1` points CLAIMS_TIMING_LOG of the gunicorn workers at a file, resets pg_stat_statements before
wrk starts and calls `print_report` afterwards. Route times are measured inside Django (the timing middleware), so
they leave out the time a request waited in gunicorn's queue; wrk's figures include it.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

TOP = 10
SQL_CHARS = 110


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of values; 0 for none."""
    return _rank(sorted(values), share)


def _rank(ordered: Sequence[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def latencies(values: Iterable[float]) -> dict[str, float]:
    """p50, p95, p99 (nearest rank) and max of values, sorted once; 0 for none."""
    ordered = sorted(values)
    return {
        "p50": _rank(ordered, 0.50),
        "p95": _rank(ordered, 0.95),
        "p99": _rank(ordered, 0.99),
        "max": ordered[-1] if ordered else 0.0,
    }


def read_timing_log(path: Path) -> list[dict[str, Any]]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short when a worker stopped
        if isinstance(entry, dict) and "total_ms" in entry:
            entries.append(entry)
    return entries


def route_rows(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per route: requests, total seconds, p50/p95/p99/max ms, mean database ms and queries; by total, largest first."""
    by_route: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        by_route[f"{entry['method']} {entry['route']}"].append(entry)
    rows = []
    for route, hits in by_route.items():
        totals = [hit["total_ms"] for hit in hits]
        rows.append(
            {
                "route": route,
                "requests": len(hits),
                "total_s": sum(totals) / 1000,
                **latencies(totals),
                "db_ms": sum(hit["db_ms"] for hit in hits) / len(hits),
                "queries": sum(hit["queries"] for hit in hits) / len(hits),
            }
        )
    return sorted(rows, key=lambda row: row["total_s"], reverse=True)


def slowest_requests(entries: Iterable[dict[str, Any]], count: int = TOP) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda entry: entry["total_ms"], reverse=True)[:count]


def statement_rows(cursor: Any, order: str, count: int = TOP) -> list[dict[str, Any]]:
    """The top statements of the current database by `total` or `max` execution time."""
    column = {"total": "total_exec_time", "max": "max_exec_time"}[order]
    cursor.execute(
        f"""
        SELECT calls, total_exec_time, mean_exec_time, max_exec_time, rows, shared_blks_read, shared_blks_hit, query
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY {column} DESC
        LIMIT %s
        """,
        [count],
    )
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def statements_available(cursor: Any) -> str | None:
    """None when pg_stat_statements can be read here (creating the extension if needed), else why not."""
    cursor.execute("SELECT current_setting('shared_preload_libraries')")
    if "pg_stat_statements" not in cursor.fetchone()[0]:
        return "pg_stat_statements is not in shared_preload_libraries (see docs/operations.md)"
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return None


def _one_line(sql: str) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= SQL_CHARS else text[: SQL_CHARS - 1] + "…"


def format_routes(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{'route':<42} {'requests':>8} {'total s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'db ms':>6} {'queries':>7}"
    ]
    for row in rows:
        lines.append(
            f"{row['route'][:42]:<42} {row['requests']:>8} {row['total_s']:>8.1f} {row['p50']:>7.1f} "
            f"{row['p95']:>7.1f} {row['p99']:>7.1f} {row['max']:>7.1f} {row['db_ms']:>6.1f} {row['queries']:>7.1f}"
        )
    return lines


def format_slowest(entries: list[dict[str, Any]]) -> list[str]:
    lines = [f"{'ms':>7} {'db ms':>7} {'tpl ms':>7} {'gc ms':>7} {'other':>7} {'queries':>7}  route / slowest query"]
    for entry in entries:
        gc_ms = entry.get("gc_ms", 0.0)  # timing logs written before the collector was timed have none
        other = entry["total_ms"] - entry["db_ms"] - entry["template_ms"] - gc_ms
        lines.append(
            f"{entry['total_ms']:>7.1f} {entry['db_ms']:>7.1f} {entry['template_ms']:>7.1f} {gc_ms:>7.1f} "
            f"{other:>7.1f} "
            f"{entry['queries']:>7}  {entry['method']} {entry['route']} "
            f"({entry['slowest_query_ms']:.1f} ms: {_one_line(entry['slowest_query'])})"
        )
    return lines


def format_statements(rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"{'calls':>7} {'total ms':>9} {'mean':>7} {'max':>7} {'blks read':>9}  query"]
    for row in rows:
        lines.append(
            f"{row['calls']:>7} {row['total_exec_time']:>9.0f} {row['mean_exec_time']:>7.1f} "
            f"{row['max_exec_time']:>7.1f} {row['shared_blks_read']:>9}  {_one_line(row['query'])}"
        )
    return lines


def print_report(timing_log: Path, cursor: Any, missing: str | None) -> None:
    """Print the route and query tables; `missing` is statements_available()'s answer from before the run."""
    entries = read_timing_log(timing_log)
    print(f"\n== routes by total time (server side, {len(entries):,} requests; ms unless named)")
    print("\n".join(format_routes(route_rows(entries))))
    by_p99 = sorted(route_rows(entries), key=lambda row: row["p99"], reverse=True)
    print("\n== routes by p99")
    print("\n".join(format_routes(by_p99)))
    print(f"\n== the {TOP} slowest requests and where their time went")
    print("\n".join(format_slowest(slowest_requests(entries))))
    if missing:
        print(f"\n(no query report: {missing})")
        return
    print("\n== queries by total time (pg_stat_statements)")
    print("\n".join(format_statements(statement_rows(cursor, "total"))))
    print("\n== queries by slowest single call")
    print("\n".join(format_statements(statement_rows(cursor, "max"))))
