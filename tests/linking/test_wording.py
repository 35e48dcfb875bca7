"""The origin page's wording changes (#14): a word-level diff of each repeat against the first appearance."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims_app.linking import services
from claims_app.linking.wording import DELETED, INSERTED, REPLACED, SAME, WordingSegment, changed_words, wording_diff
from tests.factories import ArticleFactory, ClaimFactory

FIRST = "The president's helicopter was at the epicenter of the drone attack."


def _kinds(segments: list[WordingSegment]) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segments]


def test_an_insertion_is_marked_where_it_happens():
    retold = "The president's helicopter was right at the epicenter of the drone attack."
    assert _kinds(wording_diff(FIRST, retold)) == [
        (SAME, "The president's helicopter was"),
        (INSERTED, "right"),
        (SAME, "at the epicenter of the drone attack."),
    ]


def test_a_deletion_keeps_the_first_appearances_words_to_strike_through():
    retold = "The helicopter was at the epicenter of the attack."
    assert _kinds(wording_diff(FIRST, retold)) == [
        (SAME, "The"),
        (DELETED, "president's"),
        (SAME, "helicopter was at the epicenter of the"),
        (DELETED, "drone"),
        (SAME, "attack."),
    ]


def test_a_replacement_strikes_the_old_words_and_marks_the_new_ones():
    retold = "The president's aircraft was at the centre of the drone attack."
    assert _kinds(wording_diff(FIRST, retold)) == [
        (SAME, "The president's"),
        (DELETED, "helicopter"),
        (REPLACED, "aircraft"),
        (SAME, "was at the"),
        (DELETED, "epicenter"),
        (REPLACED, "centre"),
        (SAME, "of the drone attack."),
    ]
    assert changed_words(wording_diff(FIRST, retold)) == ["aircraft", "centre"]


def test_case_and_punctuation_around_words_are_not_changes_but_are_shown_as_written():
    retold = "“The President's helicopter was at the epicenter of the drone attack”"
    assert _kinds(wording_diff(FIRST, retold)) == [(SAME, retold)]


def test_the_same_wording_is_one_unchanged_run_and_word_order_changes_show():
    assert _kinds(wording_diff(FIRST, FIRST)) == [(SAME, FIRST)]
    moved = wording_diff("drone attack on Tuesday", "on Tuesday drone attack")
    assert {s.kind for s in moved} >= {SAME} and changed_words(moved) and any(s.kind == DELETED for s in moved)


@pytest.mark.django_db
def test_origin_page_shows_the_diff_escaped_and_the_api_lists_the_changed_words(editor_client, editor):
    first = ClaimFactory(
        text=FIRST, article=ArticleFactory(outlet="Kestrel Times", published_at=datetime.date(2026, 3, 1))
    )
    hostile = "The president's <script>alert('x')</script> helicopter was at the <img src=x onerror=alert(1)> attack."
    retold = ClaimFactory(
        text=hostile, article=ArticleFactory(outlet="Harbor Ledger", published_at=datetime.date(2026, 3, 2))
    )
    origin = services.create_origin(user=editor, speaker=None)
    services.set_statement_origin(claims=[first, retold], origin=origin, user=editor)

    page = editor_client.get(reverse("claims_app:origin_detail", args=[origin.pk])).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert '<ins class="inserted">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</ins>' in page
    assert '<del>epicenter of the drone</del> <ins class="replaced">&lt;img src=x onerror=alert(1)&gt;</ins>' in page
    # The first appearance is shown as it is, with nothing marked.
    first_item = page[page.index(f'id="claim-{first.pk}"') : page.index(f'id="claim-{retold.pk}"')]
    assert "<ins" not in first_item and "<del" not in first_item and FIRST.replace("'", "&#x27;") in first_item

    data = editor_client.get(f"/api/origins/{origin.pk}/").json()
    assert [c["changed_words"] for c in data["claims"]] == [
        [],
        ["<script>alert('x')</script>", "<img", "src=x", "onerror=alert(1)>"],
    ]
