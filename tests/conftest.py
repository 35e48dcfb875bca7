from __future__ import annotations

import pytest
from django.test import Client

from claims_app.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def viewer(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="vera", role=Role.VIEWER)


@pytest.fixture
def editor(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="eddie", role=Role.EDITOR)


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="ada", role=Role.ADMIN, is_staff=True)


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
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
