"""Article pages: highlighted body, the claim side panel, rejecting spans and adding missed claims."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.models import Claim, ClaimCorrection
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
BODY = 'Intro line.\n\n"The pier reopens in May," said Edda Vik.\n\nCouncil sources said repairs cost more.'


def add_url(article) -> str:  # type: ignore[no-untyped-def]
    return reverse("claims_app:article_add_claim", args=[article.pk])


def test_article_body_highlights_each_claim_with_its_status_and_a_panel_link(viewer_client):
    article = ArticleFactory(body=BODY)
    claim = ClaimFactory(article=article, text="The pier reopens in May,", start=14, end=38, status="verified")
    page = viewer_client.get(article.get_absolute_url()).content.decode()
    assert f'class="hl status-verified" id="hl-{claim.pk}" href="{claim.get_absolute_url()}"' in page
    assert f'hx-get="{claim.get_absolute_url()}" hx-target="#claim-panel"' in page
    assert '<p data-start="13">' in page  # offsets let the selection script map text back to the body


def test_article_list_shows_claim_and_review_counts(viewer_client):
    claim = ClaimFactory()
    ClaimFactory(article=claim.article, start=40, status="verified")
    ClaimFactory(article=claim.article, start=60, is_rejected=True)
    article = viewer_client.get(reverse("claims_app:article_list")).context["page"].object_list[0]
    assert (article.claim_count, article.unreviewed_count) == (2, 1)


def test_article_page_query_count_does_not_grow_with_claims(viewer_client):
    article = ArticleFactory(body="x" * 2000)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            viewer_client.get(article.get_absolute_url())
        return len(ctx)

    for n in range(3):
        ClaimFactory(article=article, text="x" * 5, start=n * 10)
    few = count()
    for n in range(3, 40):
        ClaimFactory(article=article, text="x" * 5, start=n * 10)
    assert count() == few


def test_htmx_body_refresh_returns_only_the_body(viewer_client):
    article = ArticleFactory(body=BODY)
    body = viewer_client.get(article.get_absolute_url(), HTTP_HX_TARGET="article-body", **HX).content.decode()
    assert body.lstrip().startswith('<div id="article-body"') and "<html" not in body


def test_claim_card_for_the_side_panel(editor_client):
    claim = ClaimFactory()
    body = editor_client.get(claim.get_absolute_url(), HTTP_HX_TARGET="claim-panel", **HX).content.decode()
    assert body.lstrip().startswith('<div id="claim-card"') and "Save review" in body and "Not a claim" in body


def test_status_change_from_the_card_returns_the_card(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_status", args=[claim.pk]),
        {"status": "false", "version": 1},
        HTTP_HX_TARGET="claim-card",
        **HX,
    )
    assert response.content.decode().lstrip().startswith('<div id="claim-card"')
    assert "claimReviewed" in response["HX-Trigger"]


def test_editor_rejects_a_span_it_is_kept_flagged_and_recorded(editor_client, editor):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_reject", args=[claim.pk]), {"next": claim.article.get_absolute_url()}
    )
    assert response["Location"] == claim.article.get_absolute_url()
    claim.refresh_from_db()
    assert claim.is_rejected
    correction = ClaimCorrection.objects.get()
    assert (correction.field, correction.new_value, correction.changed_by) == ("rejected", "yes", editor)
    editor_client.post(reverse("claims_app:claim_reject", args=[claim.pk]), {"restore": "1"})
    claim.refresh_from_db()
    assert not claim.is_rejected


def test_reject_with_htmx_from_the_card_swaps_the_card_and_refreshes_the_body(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_reject", args=[claim.pk]), HTTP_HX_TARGET="claim-card", **HX
    )
    assert "Restore as a claim" in response.content.decode()
    assert "claimCorrected" in response["HX-Trigger"]


def test_editor_adds_a_missed_claim_from_a_selection(editor_client):
    article = ArticleFactory(body=BODY)
    start = BODY.index("repairs cost more")
    response = editor_client.post(
        add_url(article),
        {
            "text": "repairs cost more",
            "start": start,
            "end": start + 17,
            "speaker": "Council sources",
            "kind": "indirect",
        },
        **HX,
    )
    assert "Added claim" in response.content.decode() and "articleChanged" in response["HX-Trigger"]
    claim = Claim.objects.get()
    assert (claim.text, claim.filed_by, claim.speaker.name) == ("repairs cost more", "editor", "Council sources")


def test_without_js_the_missed_claim_is_found_by_its_text(editor_client):
    article = ArticleFactory(body=BODY)
    response = editor_client.post(add_url(article), {"text": " The pier reopens in May ", "kind": "direct"})
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert BODY[claim.start : claim.end] == "The pier reopens in May"


def test_a_selection_across_paragraphs_is_accepted_despite_line_breaks(editor_client):
    article = ArticleFactory(body=BODY)
    editor_client.post(add_url(article), {"text": 'Intro line.\n"The pier', "start": 0, "end": 22, "kind": "direct"})
    assert Claim.objects.get().text == 'Intro line.\n\n"The pier'


def test_adding_text_not_in_the_article_is_an_error_in_place(editor_client):
    article = ArticleFactory(body=BODY)
    response = editor_client.post(add_url(article), {"text": "not in the body", "kind": "direct"}, **HX)
    assert "does not occur in the article" in response.content.decode()
    assert not Claim.objects.exists()


def test_adding_an_existing_claim_twice_is_refused(editor_client):
    article = ArticleFactory(body=BODY)
    ClaimFactory(article=article, text="The pier reopens in May,", start=14, end=38)
    response = editor_client.post(add_url(article), {"text": "The pier reopens in May,", "kind": "direct"})
    assert "already a claim" in response.content.decode()


def test_viewer_cannot_add_or_reject_and_sees_no_forms(viewer_client):
    claim = ClaimFactory()
    assert viewer_client.post(add_url(claim.article), {"text": "x", "kind": "direct"}).status_code == 403
    assert viewer_client.post(reverse("claims_app:claim_reject", args=[claim.pk])).status_code == 403
    page = viewer_client.get(claim.article.get_absolute_url()).content.decode()
    assert "Add a missed claim" not in page


def test_missing_article_is_404(viewer_client):
    assert viewer_client.get(reverse("claims_app:article_detail", args=[424242])).status_code == 404
