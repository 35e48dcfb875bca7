"""Every page, partial and export needs the view permission; a login without a role gets a 403 page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ClaimFactory, UserFactory


@pytest.fixture
def no_role_client(db) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="norole"))
    return client


def _urls() -> list[str]:
    claim = ClaimFactory()
    return [
        reverse("claims_app:home"),
        reverse("claims_app:claim_list"),
        reverse("claims_app:claim_export_csv"),
        reverse("claims_app:claim_export_json"),
        reverse("claims_app:claim_export_jsonld"),
        reverse("claims_app:claim_detail", args=[claim.pk]),
        reverse("claims_app:article_list"),
        reverse("claims_app:article_detail", args=[claim.article_id]),
        reverse("claims_app:speaker_list"),
        reverse("claims_app:speaker_detail", args=[claim.speaker_id]),
    ]


def test_user_without_a_role_gets_a_403_page_on_every_page_and_export(no_role_client):
    for url in _urls():
        response = no_role_client.get(url)
        assert response.status_code == 403, url
        assert b"no role on the desk" in response.content, url
        assert b"<main" in response.content  # the base layout, not a bare "403 Forbidden"


def test_user_without_a_role_gets_403_on_htmx_partials_too(no_role_client):
    url = reverse("claims_app:claim_list")
    response = no_role_client.get(url, {"status": "verified"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claim-table")
    assert response.status_code == 403


def test_viewer_still_reads_every_page(viewer_client):
    for url in _urls():
        assert viewer_client.get(url).status_code == 200, url


def test_anonymous_is_still_sent_to_the_login_page(db):
    response = Client().get(reverse("claims_app:claim_export_csv"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_page_and_api_keep_their_own_rules(no_role_client):
    assert Client().get(reverse("login")).status_code == 200
    api = no_role_client.get("/api/claims/")
    assert api.status_code == 403 and api["Content-Type"].startswith("application/json")


def test_api_docs_and_schema_need_a_role_like_the_api(no_role_client, viewer_client):
    # Found by bench/security_probe.py: every API route was exempted from the login check, docs and schema too.
    for url in ("/api/docs/", "/api/schema/"):
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login")), url
        assert no_role_client.get(url).status_code == 403, url
        assert viewer_client.get(url).status_code == 200, url


def test_api_clients_read_the_schema_with_their_key(viewer):
    from claims_app.api.tokens import create_api_token

    _, key = create_api_token(user=viewer)
    schema = Client().get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert schema.status_code == 200 and "/api/claims/" in schema.json()["paths"]
    wrong = Client().get("/api/schema/", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert wrong.status_code == 401 and wrong["Content-Type"].startswith("application/json")
