"""Wrong passwords lock a username out from that address (django-axes); wrong API tokens are throttled too."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from claims_app.api import tokens
from tests.factories import UserFactory

PASSWORD = "test-pass-123"


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def vera(viewer):  # type: ignore[no-untyped-def]
    return viewer


def test_five_wrong_passwords_lock_the_username_even_with_the_right_one_then(vera):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, vera.username, "wrong")
        assert response.status_code == 200 and b"match" in response.content
    locked = _login(client, vera.username, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Login locked" in page and "15 minutes" in page and "axes_reset_username" in page and "<main" in page
    right = _login(client, vera.username, PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(vera):
    other = UserFactory(username="olga")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, vera.username, "wrong")
    assert _login(Client(), other.username, PASSWORD).status_code == 302  # another user, same address
    assert _login(Client(), vera.username, PASSWORD, ip="10.0.0.2").status_code == 302  # same user, elsewhere


def test_admin_command_unlocks_a_username(vera):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, vera.username, "wrong")
    assert _login(Client(), vera.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", vera.username)
    assert _login(Client(), vera.username, PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(vera):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, vera.username, "wrong")
    assert _login(Client(), vera.username, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, vera.username, "wrong")
    assert _login(Client(), vera.username, PASSWORD).status_code == 302


@override_settings(CLAIMS_API_TOKEN_FAILURE_LIMIT=5)  # test settings raise it for the API fuzz test
def test_wrong_api_tokens_are_throttled_per_address(viewer):
    _, key = tokens.create_api_token(user=viewer, name="t")
    client = Client()
    for _ in range(settings.CLAIMS_API_TOKEN_FAILURE_LIMIT):
        assert (
            client.get("/api/claims/", HTTP_AUTHORIZATION="Bearer not-a-key", REMOTE_ADDR="10.0.0.9").status_code == 401
        )
    throttled = client.get("/api/claims/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.0.0.9")
    assert throttled.status_code == 429 and throttled["Content-Type"].startswith("application/json")
    assert "Too many wrong API tokens" in throttled.json()["detail"]
    assert client.get("/api/claims/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.0.0.8").status_code == 200


def test_an_overlong_username_is_a_form_error_not_a_server_error(db):
    # Found by bench/security_probe.py: AuthenticationForm only sets the widget's maxlength, so 10,000
    # characters reached authenticate() and django-axes' varchar(255) record of the failure (a 500).
    from axes.models import AccessAttempt

    response = _login(Client(), "A" * 10_000, "wrong")
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
