"""Odd query values (issue #13, defect 3): digits int() refuses, NUL that PostgreSQL refuses. Never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims_app.models import ClaimLink
from claims_app.web import params
from tests.factories import ClaimFactory, ClaimLinkFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("0", None), ("-3", None), ("1e3", None), ("", None)],
)
def test_positive_int_takes_ascii_digits_only(raw, expected):
    assert params.positive_int(raw) == expected


def test_page_number_is_one_for_anything_odd():
    assert [params.page_number(raw) for raw in ("²", "\x00", None, "0", "999999999", "3")] == [1, 1, 1, 1, 1, 3]


def test_clean_text_drops_nul_controls_and_surrogates():
    assert params.clean_text(" a\x00b\tc\ud800d ") == "ab cd"


def test_claim_list_with_a_superscript_page_number_shows_page_one(viewer_client):
    ClaimFactory()
    assert viewer_client.get(reverse("claims_app:claim_list"), {"page": "²"}).status_code == 200


def test_speaker_list_search_with_nul_is_not_a_server_error(viewer_client):
    SpeakerFactory(name="Ruben Quist")
    response = viewer_client.get(reverse("claims_app:speaker_list"), {"q": "Quist\x00"})
    assert response.status_code == 200
    assert "Ruben Quist" in response.content.decode()


@pytest.mark.parametrize("link_q", ["²", "\x00", "٣"])
def test_claim_page_link_search_with_odd_values_is_not_a_server_error(viewer_client, link_q):
    claim = ClaimFactory()
    assert viewer_client.get(claim.get_absolute_url(), {"link_q": link_q}).status_code == 200


def test_merge_preview_with_a_superscript_id_says_nothing_matches(admin_client_):
    keep, other = SpeakerFactory(), SpeakerFactory()
    response = admin_client_.get(reverse("claims_app:speaker_merge", args=[keep.pk]), {"other": "²"}, follow=True)
    assert response.status_code == 200
    assert "nothing matches" in response.content.decode()
    assert other.pk  # untouched


def test_link_update_with_a_superscript_claim_goes_back_to_the_link_source(editor_client, editor):
    link = ClaimLinkFactory(created_by=editor)
    response = editor_client.post(
        reverse("claims_app:link_update", args=[link.pk]), {"relation": ClaimLink.Relation.CORROBORATES, "claim": "²"}
    )
    assert response.status_code < 500


def test_api_speaker_search_with_nul_answers_json(viewer_client):
    SpeakerFactory(name="Ruben Quist")
    response = viewer_client.get("/api/speakers/", {"q": "Quist\x00"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert [s["name"] for s in response.json()["results"]] == ["Ruben Quist"]


# Found by bench/security_probe.py: `next` is a path on this site or nothing. A value without a slash ("²",
# "0", "-1") passed url_has_allowed_host_and_scheme, and redirect() then tried it as a URL pattern name (a 500).
@pytest.mark.parametrize("value", ["²", "0", "-1", "a\x00b", "' OR '1'='1", "https://evil.example/", "//evil.example"])
def test_odd_next_values_fall_back_to_the_page_of_the_form(editor_client, editor, value):
    from claims_app.notifications.services import notify

    claim = ClaimFactory()
    bulk = editor_client.post(
        reverse("claims_app:claim_bulk_assign"), {"ids": [claim.pk], "assignee": "", "next": value}
    )
    assert bulk.status_code == 302 and bulk["Location"] == reverse("claims_app:claim_list")
    tag = editor_client.post(
        reverse("claims_app:claim_bulk_tag"), {"ids": [claim.pk], "tag": "harbour", "action": "add", "next": value}
    )
    assert tag.status_code == 302 and tag["Location"] == reverse("claims_app:claim_list")
    notify(kind="comment", actor=None, claim_ids=[claim.pk], recipient_ids=[editor.pk])
    notification = editor.notifications.get()
    read = editor_client.post(reverse("claims_app:notification_read", args=[notification.pk]), {"next": value})
    assert read.status_code == 302 and read["Location"] == reverse("claims_app:notification_list")


def test_a_next_path_on_this_site_is_followed(editor_client):
    claim = ClaimFactory()
    back = reverse("claims_app:claim_list") + "?status=false&page=2"
    response = editor_client.post(reverse("claims_app:claim_bulk_assign"), {"ids": [claim.pk], "next": back})
    assert response["Location"] == back
