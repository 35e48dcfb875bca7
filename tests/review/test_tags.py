"""Tags on claims: inline on the claim page, in bulk from the list, as list and API filters and in exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.models import Claim, ClaimTag, Tag
from claims_app.review import tagging
from claims_app.roles import Role
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tags-panel"}
LIST = reverse("claims_app:claim_list")
BULK = reverse("claims_app:claim_bulk_tag")


def add_url(claim: Claim) -> str:
    return reverse("claims_app:claim_tag_add", args=[claim.pk])


def remove_url(claim: Claim) -> str:
    return reverse("claims_app:claim_tag_remove", args=[claim.pk])


def names(claim: Claim) -> list[str]:
    return sorted(claim.tags.values_list("name", flat=True))


def test_editor_tags_a_claim_and_the_page_shows_the_chip_linking_to_the_filtered_list(editor_client, editor):
    claim = ClaimFactory()
    response = editor_client.post(add_url(claim), {"tag": "  election   2026 "})
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert names(claim) == ["election 2026"]
    row = ClaimTag.objects.get(claim=claim)
    assert row.added_by == editor and row.added_at is not None
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert 'href="/claims/?tag=election+2026"' in page and "<bdi>election 2026</bdi>" in page


def test_htmx_add_answers_with_the_tags_panel_and_an_event(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(add_url(claim), {"tag": "ports"}, **HX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="tags-panel"') and "Tagged “ports”." in body
    assert "claimTagged" in response["HX-Trigger"]


def test_tags_are_one_per_name_whatever_the_case(editor_client):
    first, second = ClaimFactory(), ClaimFactory()
    editor_client.post(add_url(first), {"tag": "Climate"})
    editor_client.post(add_url(second), {"tag": "climate"})
    body = editor_client.post(add_url(first), {"tag": "CLIMATE"}, **HX).content.decode()
    assert "Already tagged “Climate”." in body
    assert Tag.objects.count() == 1 and names(second) == ["Climate"]
    assert ClaimTag.objects.filter(claim=first).count() == 1


def test_the_database_refuses_a_second_tag_differing_only_in_case():
    Tag.objects.create(name="Climate")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="cLIMATE")


def test_editor_removes_a_tag_inline(editor_client):
    claim = ClaimFactory()
    editor_client.post(add_url(claim), {"tag": "ports"})
    body = editor_client.post(remove_url(claim), {"tag": "PORTS"}, **HX).content.decode()
    assert "Removed “ports”." in body and names(claim) == []
    again = editor_client.post(remove_url(claim), {"tag": "ports"}, follow=True).content.decode()
    assert "It was not tagged “ports”." in again


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("bad\x00name", "cannot contain control characters"),
        ("x" * 500, "at most 50 characters (this one has 500)"),
        ("y" * 60, "at most 50 characters (this one has 60)"),
        ("cli\u200bmate", "cannot contain invisible characters"),
        ("\u202eetamilc", "cannot contain invisible characters"),
        ("   ", "Give the tag a name."),
    ],
)
def test_hostile_tag_names_are_refused_with_a_clear_message(editor_client, raw, message):
    claim = ClaimFactory()
    response = editor_client.post(add_url(claim), {"tag": raw}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    assert not Tag.objects.exists()
    # without JavaScript: back to the claim page with the message
    page = editor_client.post(add_url(claim), {"tag": raw}, follow=True).content.decode()
    assert 'class="msg-error"' in page and message in page


@pytest.mark.parametrize(
    ("raw", "stored", "shown"),
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>", "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>"),
        ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", "<bdi>=cmd|&#x27; /C calc&#x27;!A0</bdi>"),
        ("مناخ", "مناخ", "<bdi>مناخ</bdi>"),  # right-to-left letters are fine; <bdi> keeps them from reordering the row
        ("ｃｌｉｍａｔｅ", "climate", "<bdi>climate</bdi>"),  # NFKC folds full-width letters
    ],
)
def test_odd_but_harmless_names_are_kept_and_shown_escaped(editor_client, raw, stored, shown):
    claim = ClaimFactory()
    editor_client.post(add_url(claim), {"tag": raw})
    assert Tag.objects.get().name == stored
    for url in (claim.get_absolute_url(), LIST):
        body = editor_client.get(url).content.decode()
        assert shown in body and "<script>alert" not in body


def test_viewer_cannot_tag_and_sees_no_tag_forms(viewer_client, editor):
    claim = ClaimFactory()
    tagging.add_tag(claim=claim, user=editor, name="ports")
    assert viewer_client.post(add_url(claim), {"tag": "x"}).status_code == 403
    assert viewer_client.post(remove_url(claim), {"tag": "ports"}).status_code == 403
    assert viewer_client.post(BULK, {"ids": [claim.pk], "tag": "x", "action": "add"}).status_code == 403
    assert names(claim) == ["ports"]
    page = viewer_client.get(claim.get_absolute_url()).content.decode()
    assert "ports" in page and "Add a tag" not in page and add_url(claim) not in page


def test_bulk_bar_adds_a_tag_with_a_per_row_result(editor_client, editor):
    claims = [ClaimFactory() for _ in range(3)]
    tagging.add_tag(claim=claims[0], user=editor, name="ferries")
    response = editor_client.post(
        BULK,
        {"ids": [c.pk for c in claims] + [999999], "tag": "Ferries", "action": "add", "next": LIST},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f"Tagged 2 claims “ferries”. Unchanged (already tagged): #{claims[0].pk}. Not found: #999999." in body
    assert "claimsChanged" in response["HX-Trigger"]
    assert all(names(c) == ["ferries"] for c in claims)


def test_bulk_bar_removes_a_tag_without_javascript(editor_client, editor):
    tagged, untagged = ClaimFactory(), ClaimFactory()
    tagging.add_tag(claim=tagged, user=editor, name="ferries")
    response = editor_client.post(
        BULK, {"ids": [tagged.pk, untagged.pk], "tag": "ferries", "action": "remove", "next": LIST}, follow=True
    )
    assert f"Removed “ferries” from 1 claim. Unchanged (not tagged): #{untagged.pk}." in response.content.decode()
    assert names(tagged) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tag": "x", "action": "add"}, "Select some claims."),
        ({"ids": ["1"], "tag": "a\x00", "action": "add"}, "cannot contain control characters"),
        ({"ids": ["1"], "tag": "x", "action": "explode"}, "Select a valid choice"),
    ],
)
def test_bulk_tag_refuses_bad_input_with_a_message(editor_client, data, message):
    body = editor_client.post(BULK, data, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in body and message in body
    assert not ClaimTag.objects.exists()


def test_list_rows_show_tag_chips_and_filter_by_one_or_all_tags(editor_client, editor):
    both, ferries, plain = ClaimFactory(), ClaimFactory(), ClaimFactory()
    for claim, tags in ((both, ["ferries", "strike"]), (ferries, ["ferries"])):
        for name in tags:
            tagging.add_tag(claim=claim, user=editor, name=name)

    def ids(query: str) -> set[int]:
        return {c.pk for c in editor_client.get(f"{LIST}?{query}").context["page"].object_list}

    assert ids("tag=ferries") == {both.pk, ferries.pk}
    assert ids("tag=FERRIES&tag=strike") == {both.pk}
    assert ids("tag=nothing-like-it") == set()
    assert ids("tag=%00") == {both.pk, ferries.pk, plain.pk}  # a name no tag can have is dropped
    body = editor_client.get(f"{LIST}?tag=ferries").content.decode()
    assert 'class="chip tag" href="/claims/?tag=strike"' in body
    assert 'data-testid="tag-filter"' in body and 'name="tag" value="ferries"' in body


def test_api_lists_tags_and_filters_by_them(viewer_client, editor):
    tagged, other = ClaimFactory(), ClaimFactory()
    tagging.add_tag(claim=tagged, user=editor, name="strike")
    tagging.add_tag(claim=tagged, user=editor, name="Ferries")
    body = viewer_client.get("/api/claims/", {"tag": "ferries"}).json()
    assert [r["id"] for r in body["results"]] == [tagged.pk]
    assert body["results"][0]["tags"] == ["Ferries", "strike"]
    both = viewer_client.get("/api/claims/?tag=ferries&tag=strike").json()["results"]
    assert [r["id"] for r in both] == [tagged.pk]
    untagged = viewer_client.get("/api/claims/", {"tag": ""}).json()["results"]
    assert {r["id"]: r["tags"] for r in untagged}[other.pk] == []
    assert viewer_client.get(f"/api/claims/{tagged.pk}/").json()["tags"] == ["Ferries", "strike"]


def test_exports_carry_tags_and_the_csv_cell_cannot_start_a_formula(editor_client, editor):
    claim = ClaimFactory()
    tagging.add_tag(claim=claim, user=editor, name="=cmd")
    tagging.add_tag(claim=claim, user=editor, name="zeta")
    response = editor_client.get(reverse("claims_app:claim_export_csv"), {"tag": "zeta"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["tags"] for r in rows] == ["'=cmd; zeta"]
    response = editor_client.get(reverse("claims_app:claim_export_json"))
    assert b'"tags": ["=cmd", "zeta"]' in b"".join(response.streaming_content)


def test_list_with_tags_runs_the_same_number_of_queries_for_5_or_50_rows(editor_client, editor, settings):
    settings.CLAIMS_PAGE_SIZE = 100
    tags = [tagging.tag_for_name(name=f"tag {i}", user=editor) for i in range(3)]

    def make(n: int) -> None:
        for i in range(n):
            claim = ClaimFactory()
            ClaimTag.objects.create(claim=claim, tag=tags[i % 3], added_by=editor)
            ClaimTag.objects.create(claim=claim, tag=tags[(i + 1) % 3], added_by=editor)

    def count_queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(LIST, params).status_code == 200
        return len(ctx)

    make(5)
    small = count_queries({}), count_queries({"tag": "tag 1"}), count_queries({"tag": ["tag 1", "tag 2"]})
    make(45)
    assert (count_queries({}), count_queries({"tag": "tag 1"}), count_queries({"tag": ["tag 1", "tag 2"]})) == small


def test_api_list_with_tags_runs_a_fixed_number_of_queries(viewer_client, editor):
    tag = tagging.tag_for_name(name="t", user=editor)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get("/api/claims/", {"page_size": 100}).status_code == 200
        return len(ctx)

    for _ in range(5):
        ClaimTag.objects.create(claim=ClaimFactory(), tag=tag)
    small = count_queries()
    for _ in range(45):
        ClaimTag.objects.create(claim=ClaimFactory(), tag=tag)
    assert count_queries() == small


def test_two_editors_creating_the_same_new_tag_get_one_tag(editor):
    other = UserFactory(role=Role.EDITOR)
    a = tagging.tag_for_name(name="Harbour", user=editor)
    b = tagging.tag_for_name(name="harbour", user=other)
    assert a.pk == b.pk and Tag.objects.count() == 1
