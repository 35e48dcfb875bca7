from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

# Django is imported inside the fixtures so the pure NLP tests also run with `-p no:django`.
if TYPE_CHECKING:
    from django.test import Client


def _user(username: str, role: str, **extra):  # type: ignore[no-untyped-def]
    from claims_app.roles import Role
    from tests.factories import UserFactory

    return UserFactory(username=username, role=Role(role), **extra)


@pytest.fixture
def viewer(db):  # type: ignore[no-untyped-def]
    return _user("vera", "viewer")


@pytest.fixture
def editor(db):  # type: ignore[no-untyped-def]
    return _user("eddie", "editor")


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return _user("ada", "admin", is_staff=True)


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(viewer)


@pytest.fixture
def editor_client(editor) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(editor)


@pytest.fixture
def admin_client_(admin_user) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(admin_user)


# Property-based tests: few examples by default so the suite stays fast; HYPOTHESIS_PROFILE=thorough for more.
def _hypothesis_profiles() -> None:
    import os

    from hypothesis import HealthCheck, settings

    quick = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    settings.register_profile("default", max_examples=25, **quick)
    settings.register_profile("thorough", max_examples=500, **quick)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


_hypothesis_profiles()


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    """The API-token throttle counts in Django's cache, which outlives a test's transaction: clear it after each."""
    yield
    from django.conf import settings

    if settings.configured:
        from django.core.cache import cache

        cache.clear()
