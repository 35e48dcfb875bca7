"""Cost of the request-timing middleware (claims_app/web/timing.py) on a cheap page: with and without, ratio.

Full requests through Django's test client on the login page (GET; middleware, templates, no network), the
two variants interleaved in rounds so machine noise hits both; prints the median per-request time of each.
Run: `.venv/bin/python bench/timing_overhead.py` (ROUNDS, PER_ROUND env vars).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"  # DEBUG records every query: not what production pays

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "15"))
PER_ROUND = int(os.environ.get("PER_ROUND", "40"))
TIMING = "claims_app.web.timing.RequestTimingMiddleware"


def client(with_timing: bool) -> Client:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if with_timing or m != TIMING]
    answer = Client()
    answer.get("/login/")  # builds this client's middleware chain now, with the settings above
    return answer


def per_request_ms(c: Client) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        c.get("/login/")
    return (time.perf_counter() - start) * 1000 / PER_ROUND


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    full = list(settings.MIDDLEWARE)
    settings.CLAIMS_SERVER_TIMING = True
    with_, without = client(True), None
    settings.MIDDLEWARE = full
    without = client(False)
    settings.MIDDLEWARE = full
    on: list[float] = []
    off: list[float] = []
    for _ in range(ROUNDS):
        off.append(per_request_ms(without))
        on.append(per_request_ms(with_))
    a, b = statistics.median(on), statistics.median(off)
    print(f"login page, median of {ROUNDS} rounds x {PER_ROUND} requests")
    print(f"with timing middleware:    {a:.3f} ms/request")
    print(f"without timing middleware: {b:.3f} ms/request")
    print(f"ratio: {a / b:.3f}x  (+{a - b:.3f} ms/request)")


if __name__ == "__main__":
    main()
