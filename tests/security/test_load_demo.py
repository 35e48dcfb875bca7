"""load_demo creates logins with a published password, so production settings refuse it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_load_demo_refuses_when_demo_data_is_not_allowed():
    with override_settings(CLAIMS_DEMO_DATA_ALLOWED=False), pytest.raises(CommandError, match="production settings"):
        call_command("load_demo")
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="admin").exists()


def test_load_demo_under_production_settings_exits_non_zero_with_one_line():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-tests",
        "DJANGO_ALLOWED_HOSTS": "claimdesk.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: load_demo refuses to run under production settings (it creates public demo logins)."
    ]
