"""Where a request's time goes: a `Server-Timing` header, slow-request log lines and a per-request timing log.

One middleware, outermost, times the whole request; a `connection.execute_wrapper` sums query time and
remembers the slowest query; `process_template_response` wraps the response's `render()` to time the
template; a `gc.callbacks` clock counts the time the process spent in Python's cyclic garbage collector during
the request (a full collection paused a worker for 170-280 ms before web/process.py froze what it loaded at
start). Settings (config/settings/base.py): CLAIMS_SERVER_TIMING (the header), CLAIMS_SLOW_REQUEST_MS
(threshold for one JSON line on the "claimdesk.slow" logger; negative turns it off) and CLAIMS_TIMING_LOG
(a file that gets one JSON line per request, for reports after a load run).
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.template.response import SimpleTemplateResponse

slow_log = logging.getLogger("claimdesk.slow")

SQL_LOG_CHARS = 300


class _RequestCost:
    """Query count, database time, the slowest query, template time and garbage-collection pauses of one request
    (times in seconds)."""

    __slots__ = ("db", "gc", "queries", "slowest", "slowest_sql", "template")

    def __init__(self) -> None:
        self.db = 0.0
        self.queries = 0
        self.slowest = 0.0
        self.slowest_sql = ""
        self.template = 0.0
        self.gc = 0.0

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Sequence[Any] | None,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.db += spent
            self.queries += 1
            if spent > self.slowest:
                self.slowest = spent
                self.slowest_sql = sql


class _GcClock:
    """Seconds this process has spent in the cyclic garbage collector since the clock started. A sync worker
    serves one request at a time, so the clock's change over a request is that request's pause."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started


_GC_CLOCK = _GcClock()


def gc_clock() -> _GcClock:
    """The process's one garbage-collection clock, registered with `gc.callbacks` on first use."""
    if _GC_CLOCK not in gc.callbacks:
        gc.callbacks.append(_GC_CLOCK)
    return _GC_CLOCK


class RequestTimingMiddleware:
    """Times each request; adds Server-Timing, logs slow requests, writes the timing log when configured."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = bool(getattr(settings, "CLAIMS_SERVER_TIMING", False))
        threshold = getattr(settings, "CLAIMS_SLOW_REQUEST_MS", None)
        self.slow_seconds = None if threshold is None or threshold < 0 else threshold / 1000
        path = getattr(settings, "CLAIMS_TIMING_LOG", "") or ""
        # Line-buffered append: each gunicorn worker writes whole lines to the same file.
        self.timing_log: TextIO | None = open(path, "a", buffering=1, encoding="utf-8") if path else None  # noqa: SIM115
        if not self.header and self.slow_seconds is None and self.timing_log is None:
            raise MiddlewareNotUsed
        self.gc = gc_clock()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        cost = _RequestCost()
        request._claimdesk_cost = cost  # type: ignore[attr-defined]  # read by process_template_response
        gc_before = self.gc.total
        start = time.perf_counter()
        with connection.execute_wrapper(cost):
            response = self.get_response(request)
        total = time.perf_counter() - start
        cost.gc = self.gc.total - gc_before
        if self.header:
            response["Server-Timing"] = (
                f'db;dur={cost.db * 1000:.1f};desc="{cost.queries} queries", '
                f"queries;dur={cost.queries}, "
                f"tpl;dur={cost.template * 1000:.1f}, "
                f"gc;dur={cost.gc * 1000:.1f}, "
                f"total;dur={total * 1000:.1f}"
            )
        slow = self.slow_seconds is not None and total >= self.slow_seconds
        if slow or self.timing_log is not None:
            entry = self._entry(request, response, cost, total)
            if slow:
                slow_log.warning("slow request", extra=entry)
            if self.timing_log is not None:
                self.timing_log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return response

    def process_template_response(
        self, request: HttpRequest, response: SimpleTemplateResponse
    ) -> SimpleTemplateResponse:
        cost: _RequestCost | None = getattr(request, "_claimdesk_cost", None)
        if cost is None:
            return response
        render = response.render

        def timed_render() -> SimpleTemplateResponse:
            start = time.perf_counter()
            try:
                return render()
            finally:
                cost.template += time.perf_counter() - start

        response.render = timed_render  # type: ignore[method-assign]
        return response

    @staticmethod
    def _entry(request: HttpRequest, response: HttpResponseBase, cost: _RequestCost, total: float) -> dict[str, Any]:
        match = request.resolver_match
        return {
            "event": "request_timing",
            "method": request.method,
            # The URL pattern, never the raw path: ids would split one route into thousands.
            "route": match.view_name if match else "(unresolved)",
            "pattern": match.route if match else "",
            "status": response.status_code,
            "total_ms": round(total * 1000, 1),
            "db_ms": round(cost.db * 1000, 1),
            "queries": cost.queries,
            "template_ms": round(cost.template * 1000, 1),
            "gc_ms": round(cost.gc * 1000, 1),
            "slowest_query_ms": round(cost.slowest * 1000, 1),
            "slowest_query": cost.slowest_sql[:SQL_LOG_CHARS],
        }
