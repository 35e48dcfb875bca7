"""Assigning claims to editors: the claim page, the bulk bar, the list filter, the home page and the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.models import Claim, ClaimCorrection
from claims_app.roles import Role
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "assign-panel"}
LIST = reverse("claims_app:claim_list")


def assign_url(claim: Claim) -> str:
    return reverse("claims_app:claim_assign", args=[claim.pk])


@pytest.fixture
def other_editor(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="olga", role=Role.EDITOR)


def test_editor_assigns_claim_to_another_editor_and_history_records_it(editor_client, editor, other_editor):
    claim = ClaimFactory()
    response = editor_client.post(assign_url(claim), {"assignee": "olga"})
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert claim.assignee == other_editor
    row = ClaimCorrection.objects.get(claim=claim, field="assignee")
    assert (row.old_value, row.new_value, row.changed_by) == ("", "olga", editor)
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert "assigned it to" in page and "Assigned to" in page


def test_assignment_does_not_bump_the_claim_version(editor_client, other_editor):
    claim = ClaimFactory()
    editor_client.post(assign_url(claim), {"assignee": "olga"})
    claim.refresh_from_db()
    assert claim.version == 1  # a review form loaded before the assignment still saves


def test_empty_assignee_unassigns_and_is_recorded(editor_client, other_editor):
    claim = ClaimFactory(assignee=other_editor)
    editor_client.post(assign_url(claim), {"assignee": ""})
    claim.refresh_from_db()
    assert claim.assignee is None
    row = ClaimCorrection.objects.get(claim=claim, field="assignee")
    assert (row.old_value, row.new_value) == ("olga", "")


def test_assigning_to_the_same_person_again_records_nothing(editor_client, other_editor):
    claim = ClaimFactory(assignee=other_editor)
    editor_client.post(assign_url(claim), {"assignee": "olga"})
    assert not ClaimCorrection.objects.filter(claim=claim).exists()


def test_htmx_assign_answers_with_the_panel_and_an_event(editor_client, other_editor):
    claim = ClaimFactory()
    response = editor_client.post(assign_url(claim), {"assignee": "olga"}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="assign-panel"') and "Assigned to olga." in body
    assert "claimAssigned" in response["HX-Trigger"]


@pytest.mark.parametrize("name", ["nobody-here", "x" * 400, "bad\x00name", "<script>"])
def test_unknown_username_is_a_clear_form_error_never_a_500(editor_client, name):
    claim = ClaimFactory()
    response = editor_client.post(assign_url(claim), {"assignee": name}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and "<script>" not in body
    claim.refresh_from_db()
    assert claim.assignee is None
    # without JavaScript: back to the claim with the message
    response = editor_client.post(assign_url(claim), {"assignee": name}, follow=True)
    assert response.status_code == 200 and 'class="msg-error"' in response.content.decode()


def test_viewers_cannot_be_assigned(editor_client, viewer):
    claim = ClaimFactory()
    response = editor_client.post(assign_url(claim), {"assignee": viewer.username}, **HX)
    assert "cannot review claims" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee is None


def test_viewer_gets_403_and_anonymous_is_sent_to_login(viewer_client, other_editor):
    claim = ClaimFactory()
    assert viewer_client.post(assign_url(claim), {"assignee": "olga"}).status_code == 403
    bulk = reverse("claims_app:claim_bulk_assign")
    assert viewer_client.post(bulk, {"ids": [claim.pk], "assignee": "olga"}).status_code == 403
    response = Client().post(assign_url(claim), {"assignee": "olga"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    claim.refresh_from_db()
    assert claim.assignee is None


def test_assign_requires_a_csrf_token(editor, other_editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    claim = ClaimFactory()
    assert client.post(assign_url(claim), {"assignee": "olga"}).status_code == 403


def test_missing_claim_is_404(editor_client):
    assert editor_client.post(reverse("claims_app:claim_assign", args=[999999]), {"assignee": ""}).status_code == 404


def test_bulk_bar_assigns_many_claims_with_one_history_row_each(editor_client, other_editor):
    claims = [ClaimFactory() for _ in range(3)]
    response = editor_client.post(
        reverse("claims_app:claim_bulk_assign"),
        {"ids": [c.pk for c in claims], "assignee": "olga", "next": LIST},
        HTTP_HX_REQUEST="true",
    )
    assert "Assigned 3 claims to olga." in response.content.decode()
    assert "claimsChanged" in response["HX-Trigger"]
    assert Claim.objects.filter(assignee=other_editor).count() == 3
    assert ClaimCorrection.objects.filter(field="assignee").count() == 3


def test_bulk_assign_to_unknown_user_says_so_and_changes_nothing(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_bulk_assign"), {"ids": [claim.pk], "assignee": "ghost"}, follow=True
    )
    assert "There is no user called" in response.content.decode()
    assert not ClaimCorrection.objects.exists()


def test_list_filters_by_assignee_me_none_and_username(editor_client, editor, other_editor):
    mine = ClaimFactory(assignee=editor)
    theirs = ClaimFactory(assignee=other_editor)
    nobody = ClaimFactory()

    def ids(params: dict[str, str]) -> set[int]:
        return {c.pk for c in editor_client.get(LIST, params).context["page"].object_list}

    assert ids({"assignee": "me"}) == {mine.pk}
    assert ids({"assignee": "olga"}) == {theirs.pk}
    assert ids({"assignee": "none"}) == {nobody.pk}
    assert ids({"assignee": "ghost"}) == set()
    assert ids({}) == {mine.pk, theirs.pk, nobody.pk}


def test_home_page_shows_what_is_assigned_to_me_first(editor_client, editor):
    ClaimFactory(assignee=editor, text="Assigned harbour claim")
    body = editor_client.get(reverse("claims_app:home")).content.decode()
    assert "Assigned to me" in body and "Assigned harbour claim" in body
    assert body.index("Assigned to me") < body.index("Waiting for review")


def test_list_with_assignees_runs_the_same_number_of_queries_for_5_or_50_rows(editor_client, settings):
    settings.CLAIMS_PAGE_SIZE = 100
    users = [UserFactory(role=Role.EDITOR) for _ in range(3)]

    def count_queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(LIST, params).status_code == 200
        return len(ctx)

    for i in range(5):
        ClaimFactory(assignee=users[i % 3])
    small = count_queries({}), count_queries({"assignee": "me"})
    for i in range(45):
        ClaimFactory(assignee=users[i % 3])
    assert (count_queries({}), count_queries({"assignee": "me"})) == small


def test_api_claims_carry_the_assignee_and_filter_by_it(viewer_client, other_editor):
    assigned = ClaimFactory(assignee=other_editor)
    ClaimFactory()
    body = viewer_client.get("/api/claims/", {"assignee": "olga"}).json()
    assert [r["id"] for r in body["results"]] == [assigned.pk]
    assert body["results"][0]["assignee"] == "olga"
    unassigned = viewer_client.get("/api/claims/", {"assignee": "none"}).json()["results"]
    assert [r["assignee"] for r in unassigned] == [None]
    detail = viewer_client.get(f"/api/claims/{assigned.pk}/").json()
    assert detail["assignee"] == "olga"
    assert any(h["field"] == "assignee" for h in detail["history"]) is False  # no change recorded yet
