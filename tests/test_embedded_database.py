"""The embedded server runs with the settings the latency work relies on (config/database.py EMBEDDED_SETTINGS)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.db import connection

from config.database import EMBEDDED_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
from pathlib import Path
import psycopg
from config.database import database_settings, EMBEDDED_SETTINGS
db = database_settings(Path("."))
with psycopg.connect(host=db["HOST"], port=db["PORT"], user="postgres", dbname="claimdesk") as conn:
    shown = {name: conn.execute("SELECT current_setting(%s)", [name]).fetchone()[0] for name in EMBEDDED_SETTINGS}
print(json.dumps(shown))
"""

embedded_only = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="a managed server is configured")


def _probe(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAIMS_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _servers_of(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(attrs=["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(data_dir) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


@embedded_only
def test_a_new_data_folder_starts_with_the_settings_applied_and_stops_after(tmp_path):
    import json

    first = _probe(tmp_path)
    assert first.returncode == 0, first.stderr
    # pg_stat_statements needs a restart: the first (and only) process made it happen, so it is live at once.
    assert json.loads(first.stdout.strip().splitlines()[-1]) == EMBEDDED_SETTINGS
    deadline = time.monotonic() + 10
    while _servers_of(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _servers_of(tmp_path), "the restarted server outlived its last process"
    # pg_prewarm's autoprewarm worker saved the cached blocks as the server stopped, to read back at the next start.
    assert (tmp_path / "pg" / "autoprewarm.blocks").is_file()
    # A second start finds everything in place and does not restart again.
    log = (tmp_path / "pg" / "log").read_text()
    second = _probe(tmp_path)
    assert second.returncode == 0, second.stderr
    restarts = (tmp_path / "pg" / "log").read_text()[len(log) :].count("received fast shutdown request")
    assert restarts == 1  # only the stop when the probe exited


@embedded_only
@pytest.mark.django_db
def test_pg_stat_statements_answers_on_the_test_server():
    from bench.load_report import statement_rows, statements_available

    with connection.cursor() as cursor:
        assert statements_available(cursor) is None
        cursor.execute("SELECT count(*) FROM claims_app_claim")
        rows = statement_rows(cursor, "total", count=50)
    assert any("claims_app_claim" in row["query"] for row in rows)


def test_memory_settings_are_written_as_postgresql_shows_them_and_bounded():
    from config.database import _memory_setting, _memory_sizes

    assert [_memory_setting(mb) for mb in (128, 1024, 2944, 4096)] == ["128MB", "1GB", "2944MB", "4GB"]
    sizes = _memory_sizes()
    buffers = sizes["shared_buffers"]
    megabytes = int(buffers[:-2]) * (1024 if buffers.endswith("GB") else 1)
    assert 128 <= megabytes <= 4096 and megabytes % 128 == 0
    assert psutil.virtual_memory().total // 2**20 // 8 >= megabytes or megabytes == 128


def test_a_list_setting_is_written_as_one_literal_per_item():
    from psycopg import sql

    from config.database import _setting_value

    assert _setting_value("shared_preload_libraries", "pg_stat_statements, pg_prewarm").as_string(None) == (
        "'pg_stat_statements', 'pg_prewarm'"
    )
    assert _setting_value("max_wal_size", "4GB").as_string(None) == "'4GB'"
    assert isinstance(_setting_value("max_wal_size", "4GB"), sql.Literal)
