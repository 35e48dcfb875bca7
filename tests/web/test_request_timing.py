"""Server-Timing header, slow-request log lines and the per-request timing log (claims_app/web/timing.py)."""

from __future__ import annotations

import gc
import json
import logging
import re

from django.test import Client
from django.urls import reverse

from tests.factories import ClaimFactory


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    # A new client builds its middleware chain on its first request, after the test changed settings.
    client = Client()
    client.force_login(user)
    return client


def _metrics(header: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"(\w+);dur=([\d.]+)", header)}


def test_server_timing_header_counts_the_queries_of_a_page_that_reads_the_database(viewer):
    claim = ClaimFactory()
    response = _client(viewer).get(reverse("claims_app:claim_detail", args=[claim.pk]))
    assert response.status_code == 200
    metrics = _metrics(response["Server-Timing"])
    assert set(metrics) == {"db", "queries", "tpl", "gc", "total"}
    assert metrics["queries"] >= 3  # session, user, the claim at least
    assert f'desc="{int(metrics["queries"])} queries"' in response["Server-Timing"]
    assert 0 < metrics["db"] <= metrics["total"]
    assert 0 < metrics["tpl"] <= metrics["total"]
    assert 0 <= metrics["gc"] <= metrics["total"]
    assert metrics["total"] < 60_000


def test_time_in_the_garbage_collector_is_reported(viewer, settings, caplog):
    """A collection after every allocation: the request's time in the collector shows in the header and log."""
    settings.CLAIMS_SLOW_REQUEST_MS = 0
    client = _client(viewer)
    client.get(reverse("claims_app:claim_list"))  # middleware built, session and caches warm
    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    try:
        with caplog.at_level(logging.WARNING, logger="claimdesk.slow"):
            response = client.get(reverse("claims_app:claim_list"))
    finally:
        gc.set_threshold(*thresholds)
    metrics = _metrics(response["Server-Timing"])
    assert 0 < metrics["gc"] <= metrics["total"]
    record = [r for r in caplog.records if r.name == "claimdesk.slow"][-1]
    assert 0 < record.gc_ms <= record.total_ms
    assert record.gc_ms == metrics["gc"]


def test_no_server_timing_header_when_the_setting_is_off(viewer, settings):
    settings.CLAIMS_SERVER_TIMING = False
    response = _client(viewer).get(reverse("claims_app:claim_list"))
    assert response.status_code == 200
    assert "Server-Timing" not in response


def test_security_headers_are_unchanged_by_the_timing_middleware(viewer):
    response = _client(viewer).get(reverse("claims_app:claim_list"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_slow_request_logs_one_json_line_with_the_route_when_threshold_is_zero(viewer, settings, caplog):
    settings.CLAIMS_SLOW_REQUEST_MS = 0
    claim = ClaimFactory()
    client = _client(viewer)
    with caplog.at_level(logging.WARNING, logger="claimdesk.slow"):
        client.get(reverse("claims_app:claim_detail", args=[claim.pk]))
    records = [r for r in caplog.records if r.name == "claimdesk.slow"]
    assert len(records) == 1
    from config.log_format import JsonLineFormatter

    line = JsonLineFormatter().format(records[0])
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["route"] == "claims_app:claim_detail"
    assert entry["pattern"] == "claims/<int:pk>/"
    assert str(claim.pk) not in entry["route"] + entry["pattern"]
    assert entry["method"] == "GET" and entry["status"] == 200
    assert entry["queries"] >= 3 and entry["db_ms"] <= entry["total_ms"]
    assert entry["slowest_query"].startswith("SELECT") and entry["slowest_query_ms"] <= entry["db_ms"]
    assert len(entry["slowest_query"]) <= 300


def test_no_slow_request_line_under_the_threshold(viewer, settings, caplog):
    settings.CLAIMS_SLOW_REQUEST_MS = 600_000
    client = _client(viewer)
    with caplog.at_level(logging.WARNING, logger="claimdesk.slow"):
        client.get(reverse("claims_app:claim_list"))
    assert not [r for r in caplog.records if r.name == "claimdesk.slow"]
