"""Test runs (pytest-django creates test_claimdesk on the same PostgreSQL server)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Lets two test runs share one server (e.g. parallel checkouts): CLAIMS_TEST_DB=test_other.
DATABASES["default"]["TEST"] = {"NAME": env.str("CLAIMS_TEST_DB", default="test_claimdesk")}  # noqa: F405

# Evaluation and benchmark tooling (synthetic corpus, extraction scoring and their commands): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "claimdesk_dev"]  # noqa: F405

# The API fuzz test sends deliberately wrong tokens by the dozen; the throttle's own test lowers the limit.
CLAIMS_API_TOKEN_FAILURE_LIMIT = 10_000

# The test run keeps the machine busy by design (pytest, the database, a browser), so a worker started by the fault
# tests would wait up to CLAIMS_INGEST_YIELD_LONGEST before every task; the wait has its own tests
# (tests/ingest/test_worker_limits.py).
CLAIMS_INGEST_YIELD_ABOVE = 1.0
