"""One request-timing log entry, as claims_app/web/timing.py writes it, for the load-report and load-kit tests."""

from __future__ import annotations


def timing_entry(route: str, total: float, method: str = "GET") -> dict[str, object]:
    return {
        "event": "request_timing",
        "method": method,
        "route": route,
        "status": 200,
        "total_ms": total,
        "db_ms": total / 2,
        "queries": 4,
        "template_ms": total / 4,
        "gc_ms": total / 8,
        "slowest_query_ms": total / 3,
        "slowest_query": "SELECT 1\n  FROM x",
    }
