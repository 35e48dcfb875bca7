"""The API's and the JSON export's bytes for one fully furnished claim: every key, its order and its value's type
and format (datetimes to the millisecond with Z, dates as ISO days). A public contract, so a change in how the
JSON is built (hand-written dicts or the ninja schemas) must leave these bytes as they are.

Values computed by the domain (corroboration, history order) are read from the database; what is pinned here
is the serialisation.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.urls import reverse

from claims_app.discussion import services as discussion_services
from claims_app.linking import services as linking_services
from claims_app.models import Article, Claim, ClaimCorrection, ClaimLink, ClaimStatusChange, Comment
from claims_app.publishing import services as publishing_services
from claims_app.review import services as review_services
from claims_app.review import tagging
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(minute: int) -> datetime.datetime:
    """A fixed instant with microseconds, so the millisecond cut of the JSON encoder shows."""
    return datetime.datetime(2025, 4, 2, 10, minute, 12, 345678, tzinfo=UTC)


def stamp(minute: int) -> str:
    return f"2025-04-02T10:{minute:02d}:12.345Z"


@pytest.fixture
def desk(editor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    olga = UserFactory(username="olga", role="editor")
    speaker = SpeakerFactory(name="Ilse Varga", aliases=["Ilse Varga", "Mayor Varga"], role="mayor of Port Selden")
    article = ArticleFactory(
        title="Ferries “back” on Monday",
        outlet="Harbour Ledger",
        url="https://example.org/ferries",
        published_at=datetime.date(2025, 4, 1),
        author="Tove Marsh",
    )
    claim = ClaimFactory(
        article=article, speaker=speaker, text="The ferries will run again on Monday,", speaker_mention="Mayor Varga"
    )
    later = ClaimFactory(
        text="The ferries will run again on Tuesday,",
        speaker__name="Bo Lind",
        article__outlet="Dockside Post",
        article__published_at=datetime.date(2025, 4, 3),
    )
    earlier = ClaimFactory(speaker=None, text="The ferries will not run", article__outlet="")
    linking_services.link_claims(from_claim=claim, to_claim=later, relation="corroborates", user=editor, note="same")
    linking_services.link_claims(from_claim=earlier, to_claim=claim, relation="contradicts", user=editor)
    origin = linking_services.create_origin(
        user=editor, speaker=speaker, medium="told Harbour TV", first_article=article, note="the interview"
    )
    linking_services.set_statement_origin(claims=[Claim.objects.get(pk=claim.pk), later], origin=origin, user=editor)
    tagging.add_tag(claim=claim, user=editor, name="ferries")
    tagging.add_tag(claim=claim, user=editor, name="Harbour deal")
    review_services.assign_claim(claim=Claim.objects.get(pk=claim.pk), user=editor, assignee_username="olga")
    review_services.change_claim_status(
        claim=Claim.objects.get(pk=claim.pk), user=editor, status="false", note="The timetable says Tuesday."
    )
    comment = discussion_services.add_comment(claim=claim, user=olga, text="Checked with the port, <b>too</b>.")
    published = Claim.objects.get(pk=claim.pk)
    publishing_services.publish_claim(claim=published, user=editor, expected_version=published.version)
    # Fixed instants: the article, links, history rows and the comment, in the order they happened.
    Article.objects.filter(pk=article.pk).update(created_at=at(1))
    Claim.objects.filter(pk=claim.pk).update(created_at=at(2), reviewed_at=at(7))
    ClaimLink.objects.filter(from_claim=claim).update(created_at=at(3))
    ClaimLink.objects.filter(to_claim=claim).update(created_at=at(4))
    ClaimCorrection.objects.filter(claim=claim, field="origin").update(changed_at=at(4))
    ClaimCorrection.objects.filter(claim=claim, field="assignee").update(changed_at=at(5))
    ClaimStatusChange.objects.filter(claim=claim).update(changed_at=at(6))
    ClaimCorrection.objects.filter(claim=claim, field="publication").update(changed_at=at(8))
    Comment.objects.filter(pk=comment.pk).update(created_at=at(9))
    return {
        "claim": Claim.objects.get(pk=claim.pk),
        "later": later,
        "earlier": earlier,
        "speaker": speaker,
        "article": article,
        "origin": origin,
        "comment": comment,
    }


def claim_out(desk: dict[str, Any], url: str) -> dict[str, Any]:
    claim, speaker, article = desk["claim"], desk["speaker"], desk["article"]
    return {
        "id": claim.pk,
        "text": "The ferries will run again on Monday,",
        "kind": "direct",
        "attribution": "statement",
        "status": "false",
        "corroboration": claim.corroboration,
        "corroboration_label": claim.corroboration_label,
        "independent_origins": claim.independent_origins,
        "statement_origin_id": desk["origin"].pk,
        "origin_assigned_by": "editor",
        "assignee": "olga",
        "tags": ["ferries", "Harbour deal"],
        "speaker": {"id": speaker.pk, "name": "Ilse Varga"},
        "article": {
            "id": article.pk,
            "title": "Ferries “back” on Monday",
            "outlet": "Harbour Ledger",
            "url": "https://example.org/ferries",
            "published_at": "2025-04-01",
        },
        "created_at": stamp(2),
        "url": url,
    }


def test_api_claim_list_bytes(viewer_client, desk):
    claim = desk["claim"]
    response = viewer_client.get("/api/claims/", {"tag": "Harbour deal"})
    expected = {
        "count": 1,
        "count_is_capped": False,
        "page": 1,
        "page_size": 50,
        "has_next": False,
        "results": [claim_out(desk, f"http://testserver/claims/{claim.pk}/")],
    }
    assert response.content.decode() == json.dumps(expected)


def test_api_claim_detail_bytes(viewer_client, desk):
    claim, later, earlier, origin = desk["claim"], desk["later"], desk["earlier"], desk["origin"]
    history = [
        {"when": stamp(8), "who": "eddie", "kind": "correction", "field": "publication"},
        {"when": stamp(6), "who": "eddie", "kind": "status", "field": "status"},
        {"when": stamp(5), "who": "eddie", "kind": "correction", "field": "assignee"},
        {"when": stamp(4), "who": "eddie", "kind": "correction", "field": "origin"},
    ]
    rows = {
        ("correction", field): ClaimCorrection.objects.get(claim=claim, field=field)
        for field in ("publication", "assignee", "origin")
    }
    status_change = ClaimStatusChange.objects.get(claim=claim)
    for entry in history:
        if entry["kind"] == "status":
            old, new, note = status_change.old_status, status_change.new_status, status_change.note
        else:
            row = rows[(entry["kind"], entry["field"])]
            old, new, note = row.old_value, row.new_value, row.note
        entry.update({"old": old, "new": new, "note": note})
    expected = {
        **claim_out(desk, f"http://testserver/claims/{claim.pk}/"),
        "cue": "say",
        "speaker_mention": "Mayor Varga",
        "reviewed_at": stamp(7),
        "links": [
            {
                "id": ClaimLink.objects.get(to_claim=claim).pk,
                "relation": "contradicts",
                "direction": "in",
                "other_claim_id": earlier.pk,
                "other_text": "The ferries will not run",
                "other_speaker": None,
                "other_article_id": earlier.article_id,
                "note": "",
                "created_at": stamp(4),
            },
            {
                "id": ClaimLink.objects.get(from_claim=claim).pk,
                "relation": "corroborates",
                "direction": "out",
                "other_claim_id": later.pk,
                "other_text": later.text,
                "other_speaker": later.speaker.name,
                "other_article_id": later.article_id,
                "note": "same",
                "created_at": stamp(3),
            },
        ],
        "origin": {
            "id": origin.pk,
            "speaker": {"id": desk["speaker"].pk, "name": "Ilse Varga"},
            "medium": "told Harbour TV",
            "first_article_id": desk["article"].pk,
            "first_seen": "2025-04-01",
            "note": "the interview",
            "claim_ids": sorted([claim.pk, later.pk]),
        },
        "history": [
            {key: entry[key] for key in ("when", "who", "kind", "field", "old", "new", "note")} for entry in history
        ],
        "published_url": f"http://testserver/fact-checks/{claim.pk}/",
        "comments": [
            {
                "id": desk["comment"].pk,
                "author": "olga",
                "text": "Checked with the port, <b>too</b>.",
                "created_at": stamp(9),
            }
        ],
    }
    response = viewer_client.get(f"/api/claims/{claim.pk}/")
    assert response.content.decode() == json.dumps(expected)


def test_json_export_bytes_are_the_api_claim(viewer_client, desk):
    claim = desk["claim"]
    response = viewer_client.get(reverse("claims_app:claim_export_json"), {"tag": "ferries"})
    body = b"".join(response.streaming_content).decode()
    item = claim_out(desk, f"http://testserver/claims/{claim.pk}/")
    assert body == "[\n" + json.dumps(item, ensure_ascii=False) + "\n]\n"


def test_api_article_and_speaker_pages_bytes(viewer_client, desk):
    article, speaker = desk["article"], desk["speaker"]
    articles = viewer_client.get("/api/articles/", {"page_size": 1, "page": 3}).content.decode()
    # Three articles, newest first: the furnished one was moved to the oldest instant.
    assert articles == json.dumps(
        {
            "count": 3,
            "page": 3,
            "page_size": 1,
            "has_next": False,
            "results": [
                {
                    "id": article.pk,
                    "title": "Ferries “back” on Monday",
                    "outlet": "Harbour Ledger",
                    "url": "https://example.org/ferries",
                    "published_at": "2025-04-01",
                    "author": "Tove Marsh",
                    "created_at": stamp(1),
                    "claim_count": 1,
                }
            ],
        }
    )
    speakers = viewer_client.get("/api/speakers/", {"q": "Ilse Varga", "page_size": 1}).content.decode()
    assert speakers == json.dumps(
        {
            "count": 1,
            "page": 1,
            "page_size": 1,
            "has_next": False,
            "results": [
                {
                    "id": speaker.pk,
                    "name": "Ilse Varga",
                    "kind": "person",
                    "role": "mayor of Port Selden",
                    "aliases": sorted(["Ilse Varga", "Mayor Varga"]),
                    "claim_count": 1,
                }
            ],
        }
    )


def test_api_origin_bytes(viewer_client, desk):
    claim, later, origin = desk["claim"], desk["later"], desk["origin"]
    expected = {
        "id": origin.pk,
        "speaker": {"id": desk["speaker"].pk, "name": "Ilse Varga"},
        "medium": "told Harbour TV",
        "first_seen": "2025-04-01",
        "first_article_id": desk["article"].pk,
        "claims": [
            {
                "id": claim.pk,
                "text": claim.text,
                "article_id": claim.article_id,
                "outlet": "Harbour Ledger",
                "published_at": "2025-04-01",
                "origin_assigned_by": "editor",
                "changed_words": [],
            },
            {
                "id": later.pk,
                "text": later.text,
                "article_id": later.article_id,
                "outlet": "Dockside Post",
                "published_at": "2025-04-03",
                "origin_assigned_by": "editor",
                "changed_words": ["Tuesday,"],
            },
        ],
        "related": [{"relation": "contradicts", "origin_id": None, "claim_id": desk["earlier"].pk}],
    }
    assert viewer_client.get(f"/api/origins/{origin.pk}/").content.decode() == json.dumps(expected)


def test_api_suggestions_keys_and_types(viewer_client, desk):
    body = viewer_client.get(f"/api/claims/{desk['earlier'].pk}/suggestions/").json()
    assert body, "the furnished desk has claims worth suggesting"
    for item in body:
        assert list(item) == ["claim_id", "score", "relation_guess", "text", "speaker", "article_id"]
        assert isinstance(item["claim_id"], int) and isinstance(item["score"], float)
        assert isinstance(item["relation_guess"], str) and isinstance(item["text"], str)
        assert item["speaker"] is None or isinstance(item["speaker"], str)
        assert isinstance(item["article_id"], int)


def test_openapi_parameters_of_the_claim_list_are_the_public_ones(viewer_client):
    schema = viewer_client.get("/api/schema/").json()  # for readers, as every page
    parameters = schema["paths"]["/api/claims/"]["get"]["parameters"]
    text, optional_int = {"type": "string"}, {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    optional_date = {"anyOf": [{"format": "date", "type": "string"}, {"type": "null"}]}
    expected = [
        ("q", {**text, "default": ""}),
        ("status", {**text, "default": ""}),
        ("kind", {**text, "default": ""}),
        ("attribution", {**text, "default": ""}),
        ("speaker", optional_int),
        ("article", optional_int),
        ("outlet", {**text, "default": ""}),
        ("published_from", optional_date),
        ("published_to", optional_date),
        ("has_links", {**text, "default": ""}),
        ("rejected", {**text, "default": ""}),
        ("corroboration", {**text, "default": ""}),
        ("assignee", {**text, "default": ""}),
        ("sort", {**text, "default": "newest"}),
        ("tag", {"type": "array", "items": {"type": "string"}, "default": []}),
        ("page", {"type": "integer", "default": 1}),
        ("page_size", {"type": "integer", "default": 50}),
    ]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [(name, "query", False) for name, _ in expected]
    for parameter, (name, wanted) in zip(parameters, expected, strict=True):
        title = name.replace("_", " ").title()
        assert parameter["schema"] == {**wanted, "title": title}, name
