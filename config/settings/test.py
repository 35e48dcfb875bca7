"""Test runs (pytest-django creates test_claimdesk on the same PostgreSQL server)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
LOGGING = {"version": 1, "disable_existing_loggers": False}
