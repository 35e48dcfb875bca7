"""Run `manage.py ingest_worker ARGS` against the test database (fault tests start it as a real process).

Usage: python tests/run_worker.py DATABASE_NAME [ingest_worker args...]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from django.conf import settings

settings.DATABASES["default"]["NAME"] = sys.argv[1]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("ingest_worker", *sys.argv[2:])
