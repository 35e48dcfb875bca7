"""Saved views: save the current claim list under a name, private or shared, in the navigation with counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.models import Claim, SavedView
from claims_app.review import tagging
from claims_app.roles import Role
from claims_app.saved_views import services
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
SAVE = reverse("claims_app:saved_view_list")
NAV = reverse("claims_app:saved_view_nav")
LIST = reverse("claims_app:claim_list")


@pytest.fixture
def other_editor(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="olga", role=Role.EDITOR)


def test_editor_saves_a_view_and_opening_it_is_the_filtered_list(editor_client, editor):
    ClaimFactory(status=Claim.Status.VERIFIED)
    ClaimFactory()
    response = editor_client.post(SAVE, {"name": "Verified", "query": "status=verified&page=3"})
    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query, view.shared) == (editor, "Verified", "status=verified", False)
    assert response.status_code == 302 and response["Location"] == "/claims/?status=verified"
    page = editor_client.get(response["Location"])
    assert [c.status for c in page.context["page"].object_list] == ["verified"]


def test_query_is_normalised_to_known_filters_with_valid_values():
    ArticleFactory(outlet="Selden Courier")
    query = (
        "?status=verified&kind=nonsense&speaker=abc&published_from=2026-02-30"
        "&tag=Ferries&tag=%00&tag=ferries&tag=strike&sort=newest&page=2&utm_source=x&outlet=Selden+Courier"
        "&assignee=me&q=harbour+%00fees"
    )
    assert services.canonical_query(query) == (
        "q=harbour+fees&status=verified&outlet=Selden+Courier&assignee=me&tag=Ferries&tag=strike"
    )
    assert services.canonical_query("") == ""
    assert services.canonical_query("outlet=Nowhere&sort=oldest") == "sort=oldest"


def test_htmx_save_answers_with_the_form_and_refreshes_the_nav(editor_client):
    response = editor_client.post(SAVE, {"name": "Mine", "query": "kind=direct"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="save-view"') and "Saved “Mine”." in body
    assert "savedViewsChanged" in response["HX-Trigger"]


def test_saving_under_an_existing_name_replaces_its_filters(editor_client):
    editor_client.post(SAVE, {"name": "Queue", "query": "status=unreviewed"})
    response = editor_client.post(SAVE, {"name": "Queue", "query": "status=disputed"}, follow=True)
    assert "Updated “Queue”." in response.content.decode()
    assert list(SavedView.objects.values_list("name", "query")) == [("Queue", "status=disputed")]


@pytest.mark.parametrize(
    ("name", "message"), [("", "Give the view a name."), (" \x00 ", "Give the view a name."), ("n" * 90, "at most 80")]
)
def test_bad_names_are_refused_with_a_message(editor_client, name, message):
    body = editor_client.post(SAVE, {"name": name, "query": "status=verified"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in body.content.decode() and message in body.content.decode()
    response = editor_client.post(SAVE, {"name": name, "query": "status=verified&junk=1"})
    assert response["Location"] == "/claims/?status=verified"  # back to the list, with what it understood
    assert not SavedView.objects.exists()


def test_view_names_are_escaped(editor_client, editor):
    services.save_view(owner=editor, name="<script>alert(1)</script>", query="")
    body = editor_client.get(NAV).content.decode() + editor_client.get(SAVE).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_private_views_are_their_owners_and_shared_ones_everyones(editor, other_editor, viewer_client):
    services.save_view(owner=editor, name="Eddie private", query="status=verified")
    services.save_view(owner=editor, name="Eddie shared", query="status=false", shared=True)
    olga = Client()
    olga.force_login(other_editor)
    for client in (olga, viewer_client):
        body = client.get(NAV).content.decode()
        assert "Eddie shared" in body and "by eddie" in body and "Eddie private" not in body
        assert "Eddie private" not in client.get(SAVE).content.decode()


def test_viewer_saves_private_views_but_cannot_share(viewer_client, viewer):
    viewer_client.post(SAVE, {"name": "Mine", "query": "status=verified"})
    response = viewer_client.post(SAVE, {"name": "Everyone", "query": "", "shared": "on"}, follow=True)
    assert "Only editors can share views." in response.content.decode()
    assert list(SavedView.objects.values_list("name", "shared")) == [("Mine", False)]


def test_owner_deletes_own_view_and_nobody_else_can(editor_client, editor, other_editor):
    mine = services.save_view(owner=editor, name="Mine", query="")[0]
    theirs_shared = services.save_view(owner=other_editor, name="Shared", query="", shared=True)[0]
    theirs_private = services.save_view(owner=other_editor, name="Private", query="")[0]
    delete = "claims_app:saved_view_delete"
    assert editor_client.post(reverse(delete, args=[theirs_shared.pk])).status_code == 403
    assert editor_client.post(reverse(delete, args=[theirs_private.pk])).status_code == 404
    response = editor_client.post(reverse(delete, args=[mine.pk]), follow=True)
    assert "Deleted “Mine”." in response.content.decode()
    assert set(SavedView.objects.values_list("name", flat=True)) == {"Shared", "Private"}


def test_nav_counts_are_the_lists_counts(editor_client, editor):
    verified = [ClaimFactory(status=Claim.Status.VERIFIED) for _ in range(3)]
    ClaimFactory()
    tagging.add_tag(claim=verified[0], user=editor, name="ferries")
    ClaimFactory(assignee=editor)
    services.save_view(owner=editor, name="Verified", query="status=verified")
    services.save_view(owner=editor, name="Ferries", query="tag=ferries")
    services.save_view(owner=editor, name="Mine", query="assignee=me")
    response = editor_client.get(NAV)
    counts = {item.view.name: item.count for item in response.context_data["views"]}
    assert counts == {"Verified": 3, "Ferries": 1, "Mine": 1}
    assert 'data-testid="saved-view-count">3<' in response.content.decode()


def test_ordinary_pages_pay_nothing_for_the_nav_and_the_nav_is_capped(editor_client, editor, settings):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(url).status_code == 200
        return len(ctx)

    before = queries(reverse("claims_app:article_list")), queries(NAV)
    for i in range(15):
        services.save_view(owner=editor, name=f"View {i:02}", query="status=verified")
    page = editor_client.get(reverse("claims_app:article_list")).content.decode()
    assert f'hx-get="{NAV}" hx-trigger="load"' in page
    assert queries(reverse("claims_app:article_list")) == before[0]
    response = editor_client.get(NAV)
    assert len(response.context_data["views"]) == 10 and response.context_data["more"]
    assert queries(NAV) <= before[1] + 10  # one count per shown view


def test_claim_list_offers_to_save_the_current_filters(editor_client):
    body = editor_client.get(LIST, {"status": "verified", "page": "1"}).content.decode()
    assert 'id="save-view"' in body and 'name="query" value="status=verified"' in body


def test_anonymous_users_are_sent_to_login():
    response = Client().post(SAVE, {"name": "x", "query": ""})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Client().get(NAV).status_code == 302


def test_a_long_search_in_another_script_is_saved_whole(editor):
    view, _ = services.save_view(owner=editor, name="Long", query="q=" + "ж" * 500 + "&tag=" + "ж" * 50)
    assert len(view.query) > 2_000 and view.get_absolute_url().startswith("/claims/?q=%D0%B6")
