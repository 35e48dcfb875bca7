"""gunicorn with production settings on loopback, for the tools that drive it (bench/load.py, bench/security_probe.py).

Production settings as `make serve` runs them, except that TLS is the proxy's job: requests carry
`X-Forwarded-Proto: https` (SECURE_PROXY_SSL_HEADER) instead of being redirected, and the database is the
embedded PostgreSQL in the tool's own CLAIMS_DATA_DIR, so a run never touches the development data.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(data_dir: str | Path) -> dict[str, str]:
    """The environment of a production-settings process on loopback using the embedded database in `data_dir`."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CLAIMS_DATA_DIR": str(data_dir),
        "CLAIMS_LOG_LEVEL": "WARNING",
    }


def start_gunicorn(
    port: int, env: Mapping[str, str], *, workers: int = 2, access_log: str = "/dev/null", log: Path | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:`port` with config/gunicorn.py (as `make serve`) and `env` over this process's own;
    its output (the app's JSON log lines) goes to `log` when given, else to this process's."""
    output = log.open("ab") if log is not None else None
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-c",
            "config/gunicorn.py",
            "--access-logfile",
            access_log,
        ],
        cwd=ROOT,
        env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
        stdout=output,
        stderr=output,
    )


def wait_until_up(url: str, deadline: float) -> None:
    """Poll `url` (loopback) until it answers; SystemExit when `deadline` (time.monotonic()) passes first."""
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # loopback only
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (graceful, as its TERM handler does) and wait for its workers."""
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)
