"""Bounded loopback load test: gunicorn (production settings, 2 workers) under wrk for LOAD_SECONDS.

The mix per request: 60% claim list (a random filter, some with a search), 30% claim detail, 10% status
change POST. Requests carry an editor's session cookie and `X-Forwarded-Proto: https`, as they would
behind the TLS proxy production settings expect. Exits non-zero on any error or non-2xx/3xx answer.
Uses the benchmark database in `.data/bench` (run `make bench-pages` first, or it generates 200k claims).
Run: `make load`; `make load REPORT=1` (or `--report`) also prints the top routes and queries by total and by
p99 time after the run (bench/load_report.py: the request timing log and pg_stat_statements).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.load_report import print_report, statements_available  # noqa: E402
from claimdesk_dev.corpus import OUTLETS  # noqa: E402
from claims_app.models import Claim  # noqa: E402

REPORT = "--report" in sys.argv[1:] or os.environ.get("LOAD_REPORT", "") not in ("", "0")

LUA = r"""
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


def session_cookie() -> str:
    from django.contrib.auth import get_user_model

    from claims_app.accounts import create_user
    from claims_app.roles import Role

    user = get_user_model().objects.filter(username="load-editor").first() or create_user(
        username="load-editor", password="load-password-123", role=Role.EDITOR
    )
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)  # a real database session, valid for gunicorn (same secret key)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> None:
    call_command("migrate", verbosity=0)
    have = Claim.objects.count()
    if have < CLAIMS:
        # generate_corpus is dev tooling (claimdesk_dev), which production settings do not install.
        subprocess.run(
            [sys.executable, "manage.py", "generate_corpus", "--claims", str(CLAIMS - have), "--seed", str(CLAIMS)],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
            check=True,
        )
    call_command("collectstatic", interactive=False, verbosity=0)
    picked = list(Claim.objects.order_by("?").values_list("pk", "version")[:2000])
    ids = [pk for pk, _ in picked]
    csrf = _get_new_csrf_string()
    cookie = session_cookie()
    script = LUA % {
        "ids": ",".join(map(str, ids)),
        "versions": ",".join(f"[{pk}]={version}" for pk, version in picked),
        "outlets": ",".join(f'"{o}"' for o in OUTLETS),
        "session": cookie,
        "csrf": csrf,
        "port": PORT,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    report_env: dict[str, str] = {}
    missing: str | None = None
    if REPORT:
        timing_log = Path(tempfile.mkstemp(prefix="claimdesk-timing-", suffix=".jsonl")[1])
        report_env = {"CLAIMS_TIMING_LOG": str(timing_log)}
        with connection.cursor() as cursor:
            missing = statements_available(cursor)
            if missing is None:
                cursor.execute("SELECT pg_stat_statements_reset()")
    gunicorn = start_gunicorn(PORT, {**ENV, **report_env})
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/login/", time.monotonic() + 60)
        # The session must really log in: a redirect to the login page would also count as "no error" in wrk.
        probe = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/claims/",
            headers={"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(probe, timeout=30) as answer:
            assert answer.url.endswith("/claims/") and b"claim" in answer.read(), "load session is not logged in"
        print(
            f"{Claim.objects.count():,} claims; gunicorn 2 workers; "
            f"wrk 2 threads, {CONNECTIONS} connections, {SECONDS}s"
        )
        print("mix: 60% claim list (random filters/search/page), 30% claim detail, 10% status change POST", flush=True)
        run = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{PORT}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        stop(gunicorn)
        os.unlink(handle.name)
    print(run.stdout.strip())
    if run.returncode != 0:
        raise SystemExit(f"wrk failed: {run.stderr.strip()}")
    errors = re.search(
        r"errors_connect=(\d+) errors_read=(\d+) errors_write=(\d+) errors_status=(\d+) errors_timeout=(\d+)",
        run.stdout,
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    total = sum(int(n) for n in errors.groups()) if errors else 1
    total += int(non_2xx.group(1)) if non_2xx else 0
    print(f"errors: {total}")
    if REPORT:
        with connection.cursor() as cursor:
            print_report(timing_log, cursor, missing)
        timing_log.unlink()
    if total:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
