"""Local development: DEBUG on, embedded PostgreSQL unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Evaluation and benchmark tooling (synthetic corpus, extraction scoring and their commands): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "claimdesk_dev"]  # noqa: F405
