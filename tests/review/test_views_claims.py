"""The claim list and claim page: filters, search, inline and bulk review, panels, permissions, query counts."""

from __future__ import annotations

import datetime
import json
from typing import Any

import lxml.html
import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.models import Claim, ClaimCorrection, ClaimLink, ClaimStatusChange, Evidence, Speaker
from claims_app.review import selectors as review_selectors
from claims_app.review import services as review_services
from claims_app.review import tagging
from claims_app.review.claim_page import PANEL_TARGETS
from tests.factories import ArticleFactory, ClaimFactory, ClaimLinkFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
LIST = reverse("claims_app:claim_list")


def hx(target: str) -> dict[str, str]:
    return {**HX, "HTTP_HX_TARGET": target}


def status_url(claim: Claim) -> str:
    return reverse("claims_app:claim_status", args=[claim.pk])


# ---------------------------------------------------------------- list: filters and search


def test_list_filters_by_status_kind_and_outlet(viewer_client):
    wanted = ClaimFactory(status="verified", kind="indirect", article__outlet="Dockside Post", text="wanted claim")
    ClaimFactory(status="verified", kind="direct", article__outlet="Dockside Post", text="wrong kind")
    ClaimFactory(status="false", kind="indirect", article__outlet="Dockside Post", text="wrong status")
    ClaimFactory(status="verified", kind="indirect", text="wrong outlet")
    page = viewer_client.get(LIST, {"status": "verified", "kind": "indirect", "outlet": "Dockside Post"})
    rows = page.context["page"].object_list
    assert [c.pk for c in rows] == [wanted.pk]


def test_list_api_and_export_filter_by_attribution_kind_and_the_row_names_it(viewer_client):
    promise = ClaimFactory(attribution="intention", text="will build a new pier")
    ClaimFactory(attribution="statement", text="the pier is old")
    ClaimFactory(attribution="data", text="traffic fell by a third")
    page = viewer_client.get(LIST, {"attribution": "intention"})
    assert [c.pk for c in page.context["page"].object_list] == [promise.pk]
    assert '<span class="muted small">intention</span>' in page.content.decode()
    assert [c.pk for c in viewer_client.get(LIST, {"attribution": "nonsense"}).context["page"].object_list] != []
    api = viewer_client.get("/api/claims/", {"attribution": "data"}).json()  # the session counts for GETs
    assert [(c["text"], c["attribution"]) for c in api["results"]] == [("traffic fell by a third", "data")]
    export = viewer_client.get(reverse("claims_app:claim_export_json"), {"attribution": "intention"})
    assert [c["id"] for c in json.loads(b"".join(export.streaming_content))] == [promise.pk]


def test_list_filtered_by_origin_keeps_the_filter_in_its_form_and_shows_a_chip(viewer_client, editor):
    from claims_app.linking import services as linking_services

    claim, other = ClaimFactory(text="the pier will open"), ClaimFactory(text="unrelated")
    origin = linking_services.create_origin(user=editor, speaker=claim.speaker, medium="a TV interview")
    linking_services.set_statement_origin(claims=[Claim.objects.get(pk=claim.pk)], origin=origin, user=editor)
    page = viewer_client.get(LIST, {"origin": origin.pk})
    assert [c.pk for c in page.context["page"].object_list] == [claim.pk] != [other.pk]
    html = page.content.decode()
    form = html[html.index('<form id="filters"') : html.index("</form>", html.index('<form id="filters"'))]
    assert f'name="origin" value="{origin.pk}"' in form  # changing another filter keeps ?origin=
    assert 'data-testid="origin-filter"' in html and reverse("claims_app:origin_detail", args=[origin.pk]) in html


def test_list_filters_by_speaker_article_and_publication_dates(viewer_client):
    speaker = SpeakerFactory(name="Oskar Brandt")
    old = ClaimFactory(speaker=speaker, article__published_at=datetime.date(2024, 1, 5))
    new = ClaimFactory(speaker=speaker, article__published_at=datetime.date(2025, 3, 1))
    ClaimFactory(article__published_at=datetime.date(2025, 3, 1))
    response = viewer_client.get(LIST, {"speaker": speaker.pk, "published_from": "2025-01-01"})
    assert [c.pk for c in response.context["page"].object_list] == [new.pk]
    assert "Oskar Brandt" in response.content.decode()  # the speaker filter shows as a chip
    response = viewer_client.get(LIST, {"article": old.article_id})
    assert [c.pk for c in response.context["page"].object_list] == [old.pk]
    response = viewer_client.get(LIST, {"published_to": "2024-12-31"})
    assert [c.pk for c in response.context["page"].object_list] == [old.pk]


def test_list_filters_by_has_links(viewer_client):
    link = ClaimLinkFactory()
    lonely = ClaimFactory()
    linked = {c.pk for c in viewer_client.get(LIST, {"has_links": "yes"}).context["page"].object_list}
    unlinked = {c.pk for c in viewer_client.get(LIST, {"has_links": "no"}).context["page"].object_list}
    assert linked == {link.from_claim_id, link.to_claim_id}
    assert unlinked == {lonely.pk}


def test_full_text_search_matches_stemmed_words_and_speaker_names(viewer_client):
    ferry = ClaimFactory(text="The ferries were running late all week")
    ClaimFactory(text="Bridge tolls will rise in spring")
    by_name = ClaimFactory(text="Nothing about boats", speaker=SpeakerFactory(name="Henrike Lottmann"))
    found = viewer_client.get(LIST, {"q": "ferry running"}).context["page"]
    assert [c.pk for c in found.object_list] == [ferry.pk]
    assert not found.fuzzy
    assert [c.pk for c in viewer_client.get(LIST, {"q": "Lottmann"}).context["page"].object_list] == [by_name.pk]


def test_websearch_syntax_supports_phrases_and_exclusion(viewer_client):
    keep = ClaimFactory(text="The harbour crane is broken again")
    ClaimFactory(text="The harbour crane is fine, and the gate is broken")
    results = viewer_client.get(LIST, {"q": '"crane is broken" -gate'}).context["page"].object_list
    assert [c.pk for c in results] == [keep.pk]


def test_misspelt_search_is_corrected_to_a_word_the_claims_contain(viewer_client):
    claim = ClaimFactory(text="The desalination plant opens in October")
    ClaimFactory(text="Bridge tolls will rise in spring")
    page = viewer_client.get(LIST, {"q": "desalinaton plant"})
    assert page.context["page"].corrected == "desalination plant"
    assert [c.pk for c in page.context["page"].object_list] == [claim.pk]
    assert "showing results for “<strong>desalination plant</strong>”" in page.content.decode()
    # A correction that still finds nothing under the other filters is not offered.
    assert not viewer_client.get(LIST, {"q": "desalinaton", "status": "false"}).context["page"].corrected
    # Nor is one for a query of many unknown words (not a typo; and each would cost a lookup).
    assert review_selectors.corrected_query("desalinaton plnt") == "desalination plant"
    assert review_selectors.corrected_query(" ".join(["desalinaton", "qwzx", "vbnm", "plkj", "zzqq", "xxyy"])) == ""


def test_misspelt_speaker_name_finds_their_claims(viewer_client):
    claim = ClaimFactory(text="Tolls rise in spring", speaker=SpeakerFactory(name="Ingrid Halvorsen"))
    page = viewer_client.get(LIST, {"q": "Halvorsn"})
    assert page.context["page"].fuzzy and [c.pk for c in page.context["page"].object_list] == [claim.pk]
    assert "speakers with similar names" in page.content.decode()


def test_claim_words_reach_the_search_vocabulary_on_insert_copy_and_correction(editor):
    from claims_app.models import SearchWord

    claim = ClaimFactory(text="Dredging the estuary costs 40 million, don't doubt it")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"dredging", "the", "estuary", "costs", "million", "doubt"} <= words and "40" not in words
    review_services.correct_claim(claim=claim, user=editor, text="Sandbanks keep moving")
    assert {"sandbanks", "keep", "moving"} <= set(SearchWord.objects.values_list("word", flat=True))
    from django.core.management import call_command

    call_command("generate_corpus", "--claims", "20", "--vectors", "none", verbosity=0)  # COPY fires it too
    copied = {w.casefold() for text in Claim.objects.values_list("text", flat=True) for w in text.split()}
    assert {w for w in copied if w.isalpha() and len(w) >= 3} <= set(SearchWord.objects.values_list("word", flat=True))


def test_search_uses_the_stored_search_vector_and_its_gin_index():
    ClaimFactory(speaker=SpeakerFactory(name="Ferris Wheeler"))
    # rejected="include" leaves only the search condition: on a near-empty table reading the stored column is so
    # cheap that the planner would otherwise filter the is_rejected index's rows instead (fine, but not the point).
    qs = review_selectors.claim_list(review_selectors.ClaimFilters(q="ferries", rejected="include"))
    speakers = Speaker.objects.alias(vector=SearchVector("name", config="english")).filter(
        vector=SearchQuery("ferries", search_type="websearch", config="english")
    )
    # Plain index scans off too: on a tiny table, walking any btree and filtering is as cheap as the GIN
    # index, and which one the planner takes then depends on what earlier tests left in the statistics.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan, speaker_plan = qs.explain(), speakers.explain()
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_indexscan = on")
    assert "claim_search_vector_gin" in plan and "BitmapOr" in plan  # text OR speaker_id IN (name matches)
    assert "to_tsvector" not in str(qs.query)  # reads the stored column; never re-parses claim text
    assert "speaker_name_fts" in speaker_plan


def test_search_vector_follows_text_corrections(editor):
    claim = ClaimFactory(text="The ferry timetable changes in May")
    review_services.correct_claim(claim=claim, user=editor, text="The tram timetable changes in May")
    assert not review_selectors.claim_list(review_selectors.ClaimFilters(q="ferry")).filter(pk=claim.pk).exists()
    assert review_selectors.claim_list(review_selectors.ClaimFilters(q="trams")).filter(pk=claim.pk).exists()


def test_outlets_are_distinct_sorted_and_skip_blank():
    for outlet in ["Tidewater Times", "", "Harbour Ledger", "Tidewater Times", "Anchor Daily"]:
        ArticleFactory(outlet=outlet)
    assert review_selectors.outlets() == ["Anchor Daily", "Harbour Ledger", "Tidewater Times"]


def test_rejected_claims_are_hidden_unless_asked_for(viewer_client):
    kept = ClaimFactory()
    rejected = ClaimFactory(is_rejected=True)
    assert [c.pk for c in viewer_client.get(LIST).context["page"].object_list] == [kept.pk]
    assert [c.pk for c in viewer_client.get(LIST, {"rejected": "only"}).context["page"].object_list] == [rejected.pk]


@pytest.mark.parametrize("sort, expected", [("newest", ["b", "a"]), ("oldest", ["a", "b"]), ("speaker", ["a", "b"])])
def test_list_sorts(viewer_client, sort, expected):
    ClaimFactory(text="a", speaker=SpeakerFactory(name="Aaron Abel"))
    ClaimFactory(text="b", speaker=SpeakerFactory(name="Zora Zeller"))
    rows = viewer_client.get(LIST, {"sort": sort}).context["page"].object_list
    assert [c.text for c in rows] == expected


def test_invalid_filter_values_are_ignored_not_an_error(viewer_client):
    ClaimFactory()
    response = viewer_client.get(LIST, {"status": "nonsense", "published_from": "not-a-date", "page": "x"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_pagination_pages_forward_and_shows_the_count(viewer_client, settings):
    settings.CLAIMS_PAGE_SIZE = 2
    for n in range(5):
        ClaimFactory(text=f"claim {n}")
    first = viewer_client.get(LIST)
    assert first.context["page"].has_next and first.context["page"].count == 5
    last = viewer_client.get(LIST, {"page": 3})
    assert len(last.context["page"].object_list) == 1 and not last.context["page"].has_next
    assert "Showing 5–5 of <strong>5</strong> claims" in last.content.decode()


def test_count_is_capped_for_huge_result_sets(viewer_client, monkeypatch):
    monkeypatch.setattr(review_selectors, "COUNT_CAP", 3)
    for _ in range(5):
        ClaimFactory()
    page = viewer_client.get(LIST).context["page"]
    assert page.count == 3 and page.count_is_capped and page.num_pages is None
    assert "3+" in viewer_client.get(LIST).content.decode()


def test_htmx_filter_request_gets_only_the_results(viewer_client):
    ClaimFactory(text="The tide tables are wrong")
    response = viewer_client.get(LIST, {"q": "tide"}, **hx("results"))
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body and "The tide tables are wrong" in body
    assert "HX-Request" in response["Vary"] and "HX-Target" in response["Vary"]


def test_empty_list_says_so(viewer_client):
    assert "No claims match these filters" in viewer_client.get(LIST, {"q": "zzzz"}).content.decode()


def test_list_runs_the_same_number_of_queries_for_5_or_50_rows(editor_client, settings):
    settings.CLAIMS_PAGE_SIZE = 100

    def count_queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(LIST, params).status_code == 200
        return len(ctx)

    for _ in range(5):
        ClaimFactory(text="quay wall repairs")
    small = count_queries({}), count_queries({"q": "quay"}), count_queries({"q": "qauy"})
    for _ in range(45):
        ClaimFactory(text="quay wall repairs")
    assert (count_queries({}), count_queries({"q": "quay"}), count_queries({"q": "qauy"})) == small


# ---------------------------------------------------------------- list: inline and bulk review


def test_viewer_sees_no_review_controls_on_the_list(viewer_client):
    ClaimFactory()
    body = viewer_client.get(LIST).content.decode()
    assert "inline-status" not in body and "bulk-form" not in body


def test_editor_changes_status_inline_and_only_the_row_comes_back(editor_client, editor):
    claim = ClaimFactory()
    response = editor_client.post(status_url(claim), {"status": "verified", "version": 1}, **hx(f"claim-{claim.pk}"))
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="claim-{claim.pk}"')
    assert "Marked “Verified”" in body
    assert "claimReviewed" in response["HX-Trigger"]
    claim.refresh_from_db()
    assert claim.status == "verified" and claim.status_changes.get().changed_by == editor


def test_list_rows_link_escape_truncate_and_preselect_the_current_status(editor_client):
    long_text = "<script>alert(1)</script> " + "harbour " * 40
    claim = ClaimFactory(text=long_text, status="disputed", article__title="Ferry & <b>Port</b> report")
    unknown = ClaimFactory(speaker=None, text="Short one.", article__published_at=datetime.date(2026, 3, 5))
    body = editor_client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Ferry &amp; &lt;b&gt;Port&lt;/b&gt; report" in body
    assert f'href="{claim.get_absolute_url()}"' in body and f'href="{claim.speaker.get_absolute_url()}"' in body
    assert f'href="{claim.article.get_absolute_url()}"' in body and f'action="{status_url(claim)}"' in body
    row = body[body.index(f'id="claim-{claim.pk}"') :]
    row = row[: row.index("</tr>")]
    shown = row[row.index('class="row-link"') :]
    shown = shown[shown.index(">") + 1 : shown.index("</a>")]
    assert shown.endswith("…") and len(shown.replace("&lt;", "<").replace("&gt;", ">")) == 180  # truncatechars
    assert '<option value="disputed" selected>Disputed</option>' in row and row.count(" selected") == 1
    other = body[body.index(f'id="claim-{unknown.pk}"') :]
    assert '<span class="muted">unknown</span>' in other[: other.index("</tr>")] and "5 Mar 2026" in other


def test_row_shortcuts_give_what_the_template_filters_would():
    from django.template.defaultfilters import date as date_filter
    from django.template.defaultfilters import truncatechars
    from django.utils.dates import MONTHS_3

    from claims_app.review.rows import short_date, truncate

    months = {number: str(name).title() for number, name in MONTHS_3.items()}
    for day in (datetime.date(2026, 1, 1), datetime.date(2025, 9, 30), datetime.date(1999, 12, 31)):
        assert short_date(day, months) == date_filter(day, "j M Y")
    texts = ["short", "x" * 180, "ascii " * 40, "Zoë Ångström said " * 15, "cafe\u0301 " * 40, ""]
    for text in texts:
        for chars in (1, 48, 180):
            assert truncate(text, chars) == truncatechars(text, chars), (text[:20], chars)


def test_row_urls_match_reverse_for_every_route():
    from claims_app.review.rows import url_maker

    for route in ("claim_detail", "claim_status", "speaker_detail", "article_detail"):
        make = url_maker(f"claims_app:{route}")
        for pk in (1, 7, 42, 8675309, 10**12):
            assert make(pk) == reverse(f"claims_app:{route}", args=[pk])


def test_inline_conflict_shows_the_other_change_in_the_row(editor_client, admin_user):
    claim = ClaimFactory()
    review_services.change_claim_status(claim=claim, user=admin_user, status="false", note="Port log says no")
    response = editor_client.post(status_url(claim), {"status": "verified", "version": 1}, **hx(f"claim-{claim.pk}"))
    body = response.content.decode()
    assert "someone else changed this claim" in body and "ada marked it “False”" in body
    assert "Port log says no" in body
    claim.refresh_from_db()
    assert claim.status == "false"


def test_inline_status_without_js_redirects_back_to_the_list(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(status_url(claim), {"status": "false", "version": 1, "next": LIST + "?kind=direct"})
    assert response.status_code == 302 and response["Location"] == LIST + "?kind=direct"


def test_editor_bulk_marks_claims_and_each_gets_a_history_row(editor_client):
    claims = [ClaimFactory() for _ in range(3)]
    already = ClaimFactory(status="verified")
    response = editor_client.post(
        reverse("claims_app:claim_bulk_status"),
        {
            "ids": [c.pk for c in claims] + [already.pk],
            **{f"version-{c.pk}": 1 for c in [*claims, already]},
            "status": "verified",
            "next": LIST,
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST
    assert Claim.objects.filter(status="verified").count() == 4
    assert ClaimStatusChange.objects.count() == 3  # the already-verified one is not touched


def test_bulk_with_htmx_returns_the_form_and_tells_the_list_to_refresh(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_bulk_status"),
        {"ids": [claim.pk], f"version-{claim.pk}": 1, "status": "false"},
        **hx("bulk-form"),
    )
    assert "Marked 1 claim “False”" in response.content.decode()
    assert "claimsChanged" in response["HX-Trigger"]


def test_bulk_without_selection_explains(editor_client):
    response = editor_client.post(reverse("claims_app:claim_bulk_status"), {"status": "false"}, follow=True)
    assert "Select some claims" in response.content.decode()


def test_viewer_cannot_bulk_change(viewer_client):
    claim = ClaimFactory()
    response = viewer_client.post(reverse("claims_app:claim_bulk_status"), {"ids": [claim.pk], "status": "false"})
    assert response.status_code == 403


# ---------------------------------------------------------------- detail


def test_claim_page_highlights_claim_and_speaker_mention_in_its_paragraph(viewer_client):
    body = 'First paragraph.\n\n"Tolls go up," said Ferris <b>Lund</b>.\n\nLast paragraph.'
    article = ArticleFactory(body=body)
    claim = ClaimFactory(
        article=article,
        text="Tolls go up,",
        start=19,
        end=31,
        speaker_mention="Ferris <b>Lund</b>",
        speaker_mention_start=38,
        speaker_mention_end=56,
    )
    page = viewer_client.get(claim.get_absolute_url()).content.decode()
    assert '<mark class="hl-claim">Tolls go up,</mark>' in page
    assert '<mark class="hl-mention">Ferris &lt;b&gt;Lund&lt;/b&gt;</mark>' in page
    assert "First paragraph" not in page and "Last paragraph" not in page


def test_claim_page_lists_history_evidence_links_and_speaker(viewer_client, editor):
    link = ClaimLinkFactory(relation="contradicts")
    claim = link.from_claim
    review_services.change_claim_status(claim=claim, user=editor, status="disputed", note="Two versions exist")
    Evidence.objects.create(claim=claim, url="https://example.org/log", added_by=editor)
    page = viewer_client.get(claim.get_absolute_url()).content.decode()
    for expected in [
        "Two versions exist",
        "https://example.org/log",
        "Contradicts",
        link.to_claim.speaker.name,
        claim.speaker.name,
    ]:
        assert expected in page
    assert "Save review" not in page and "Add evidence" not in page and "Remove" not in page


def test_detail_runs_a_fixed_number_of_queries(editor_client, editor):
    claim = ClaimFactory()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(claim.get_absolute_url()).status_code == 200
        return len(ctx)

    def grow() -> None:
        review_services.change_claim_status(claim=claim, user=editor, status="verified")
        review_services.change_claim_status(claim=claim, user=editor, status="false")
        review_services.correct_claim(claim=claim, user=editor, kind="indirect" if claim.kind == "direct" else "direct")
        Evidence.objects.create(claim=claim, note="note", added_by=editor)
        ClaimLinkFactory(from_claim=claim, to_claim=ClaimFactory(speaker=claim.speaker))
        ClaimFactory(speaker=claim.speaker)
        claim.refresh_from_db()

    grow()
    few = count()
    for _ in range(8):
        grow()
    assert count() == few


# The related rows' tables, by the group of selectors.CLAIM_RELATIONS that reads them.
RELATION_TABLES = {
    "history": ("claims_app_claimstatuschange", "claims_app_claimcorrection", "claims_app_comment"),
    "evidence": ("claims_app_evidence",),
    "aliases": ("claims_app_speakeralias",),
    "tags": ("claims_app_claimtag",),
}


def _tables_read(queries: list[dict[str, Any]]) -> set[str]:
    read = set()
    for query in queries:
        sql = query["sql"]
        if sql.startswith("SELECT") or sql.startswith("(SELECT"):
            read |= {table for tables in RELATION_TABLES.values() for table in tables if f'"{table}"' in sql}
    return read


@pytest.mark.parametrize(
    ("target", "shows", "expected"),
    [
        ("status-panel", "Save review", set()),
        ("claim-head", "claim-head", set()),
        ("history", "Checked the log", {"history"}),
        ("evidence", "https://example.org/log", {"evidence"}),
        ("tags-panel", "budget", {"tags"}),
    ],
)
def test_a_panel_reads_only_the_related_rows_it_shows(editor_client, editor, target, shows, expected):
    # Each panel refreshes on events after every review action; reading the whole page's related rows for each
    # was seven queries thrown away per answer.
    claim = ClaimFactory()
    review_services.change_claim_status(claim=claim, user=editor, status="disputed", note="Checked the log")
    Evidence.objects.create(claim=claim, url="https://example.org/log", added_by=editor)
    tagging.add_tag(claim=claim, user=editor, name="budget")
    with CaptureQueriesContext(connection) as ctx:
        body = editor_client.get(claim.get_absolute_url(), **hx(target)).content.decode()
    assert shows in body
    read = _tables_read(ctx.captured_queries)
    assert read == {table for relation in expected for table in RELATION_TABLES[relation]}


def test_a_status_change_answer_reads_no_related_rows(editor_client):
    claim = ClaimFactory()
    with CaptureQueriesContext(connection) as ctx:
        response = editor_client.post(
            status_url(claim), {"status": "verified", "note": "", "version": claim.version}, **hx("status-panel")
        )
    assert response.status_code == 200 and "Marked" in response.content.decode()
    # The service itself reads who changed the claim before (they are notified); the answer reads nothing more.
    assert _tables_read(ctx.captured_queries) <= {"claims_app_claimstatuschange"}
    history_rows = '"claims_app_claimstatuschange"."old_status"'  # what the history shows, not who to notify
    assert not any(q["sql"].startswith("SELECT") and history_rows in q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("target", sorted(PANEL_TARGETS))
def test_each_detail_panel_renders_alone_for_htmx(viewer_client, target):
    claim = ClaimFactory()
    body = viewer_client.get(claim.get_absolute_url(), **hx(target)).content.decode()
    assert "<html" not in body and "id=" in body


def _self_refreshing_panels(html: str) -> list[Any]:
    """Each element that refreshes itself on a body event."""
    return [e for e in lxml.html.fromstring(html).iter() if "from:body" in (e.get("hx-trigger") or "")]


def _inherited(element: Any, name: str) -> tuple[str | None, Any]:
    """An hx- attribute as htmx resolves it: the element's own, else the nearest ancestor's unless an ancestor in
    between (or that one) lists it in hx-disinherit; with the element that carries it."""
    node = element
    while node is not None:
        disinherited = (node.get("hx-disinherit") or "").split()
        if node is not element and (name in disinherited or "*" in disinherited):
            return None, None
        if node.get(name) is not None:
            return node.get(name), node
        node = node.getparent()
    return None, None


@pytest.mark.parametrize("page", ["claim", "article", "list"])
def test_self_refreshing_panels_and_their_forms_swap_contents_not_the_panel(editor_client, page):
    # Replaced whole, a panel dropped the refresh an event started while the panel was being swapped.
    claim = ClaimFactory()
    url = {
        "claim": claim.get_absolute_url(),
        "article": claim.article.get_absolute_url(),
        "list": reverse("claims_app:claim_list"),
    }[page]
    panels = _self_refreshing_panels(editor_client.get(url).content.decode())
    assert len(panels) >= {"claim": 7, "article": 2, "list": 2}[page]  # the notification badge is one
    for panel in panels:
        select = f"#{panel.get('id')} > *"
        assert (panel.get("hx-swap"), panel.get("hx-select")) == ("innerHTML", select), panel.get("id")
        for inner in panel.iterdescendants():
            if not (inner.get("hx-get") or inner.get("hx-post")):
                continue
            target, owner = _inherited(inner, "hx-target")
            swap, _ = _inherited(inner, "hx-swap")
            selected, _ = _inherited(inner, "hx-select")
            if (target == "this" and owner is panel) or target == f"#{panel.get('id')}":
                assert (swap, selected) == ("innerHTML", select), inner.get("hx-post")  # refreshes it the same way
            else:  # anything else inside must not take the panel's hx-select
                assert selected != select, (panel.get("id"), inner.get("hx-get") or inner.get("hx-post"))


def test_status_change_on_the_claim_page_with_htmx_returns_the_panel(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        status_url(claim), {"status": "unverified", "note": "n", "version": 1}, **hx("status-panel")
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="status-panel"') and "Marked “Unverified”" in body
    assert 'value="2"' in body  # the fresh version, so the next save is not a false conflict


def test_editor_corrects_text_speaker_and_kind_and_history_shows_it(editor_client, editor):
    claim = ClaimFactory(text="The ferries will run again on Monday,")
    response = editor_client.post(
        reverse("claims_app:claim_correct", args=[claim.pk]),
        {
            "text": "The ferries will run again on Tuesday",
            "speaker": "Greta Holm",
            "kind": "indirect",
            "note": "Transcript",
            "version": 1,
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.speaker.name, claim.kind, claim.version) == (
        "The ferries will run again on Tuesday",
        "Greta Holm",
        "indirect",
        2,
    )
    assert set(ClaimCorrection.objects.values_list("field", flat=True)) == {"text", "speaker", "kind"}
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert "corrected speaker" in page and "Greta Holm" in page


def test_correction_with_a_stale_version_is_refused_and_explained(editor_client, admin_user):
    claim = ClaimFactory()
    review_services.change_claim_status(claim=claim, user=admin_user, status="false")
    response = editor_client.post(
        reverse("claims_app:claim_correct", args=[claim.pk]),
        {"text": "changed", "speaker": "", "kind": claim.kind, "version": 1},
        **hx("correct-panel"),
    )
    assert "someone else changed this claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.text != "changed"


def test_correction_to_a_known_alias_reuses_that_speaker(editor_client):
    known = SpeakerFactory(name="Margit Sand", aliases=["Margit Sand", "Mayor Sand"])
    claim = ClaimFactory()
    editor_client.post(
        reverse("claims_app:claim_correct", args=[claim.pk]),
        {"text": claim.text, "speaker": "mayor sand", "kind": claim.kind, "version": 1},
    )
    claim.refresh_from_db()
    assert claim.speaker == known


def test_viewer_cannot_correct_reject_add_evidence_or_link(viewer_client):
    claim, other = ClaimFactory(), ClaimFactory()
    for name, data in [
        ("claim_correct", {"text": "x", "kind": "direct"}),
        ("claim_reject", {}),
        ("claim_add_evidence", {"note": "x"}),
        ("claim_add_link", {"to_claim": other.pk, "relation": "paraphrase"}),
    ]:
        assert viewer_client.post(reverse(f"claims_app:{name}", args=[claim.pk]), data).status_code == 403, name
    assert not ClaimLink.objects.exists() and not Evidence.objects.exists()


def test_editor_adds_evidence_with_htmx_and_gets_the_evidence_panel(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_add_evidence", args=[claim.pk]),
        {"url": "https://example.org/minutes", "note": "Council minutes"},
        **hx("evidence"),
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="evidence"') and "Council minutes" in body
    assert claim.evidence.count() == 1


def test_empty_evidence_is_an_error_in_place(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(reverse("claims_app:claim_add_evidence", args=[claim.pk]), {}, **hx("evidence"))
    assert "Give a URL, a note, or both." in response.content.decode()


def test_editor_links_claims_changes_the_relation_and_removes_the_link(editor_client):
    claim, other = ClaimFactory(), ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_add_link", args=[claim.pk]),
        {"to_claim": other.pk, "relation": "paraphrase"},
        **hx("links"),
    )
    assert "Linked to claim" in response.content.decode() and response["HX-Trigger"].startswith('{"linksChanged"')
    link = ClaimLink.objects.get()
    # From the other claim's page, the same link shows and can be changed.
    editor_client.post(
        reverse("claims_app:link_update", args=[link.pk]), {"relation": "contradicts", "claim": other.pk}
    )
    link.refresh_from_db()
    assert link.relation == "contradicts"
    response = editor_client.post(reverse("claims_app:link_delete", args=[link.pk]), {"claim": other.pk})
    assert response["Location"] == other.get_absolute_url() + "#links"
    assert not ClaimLink.objects.exists()


def test_linking_the_same_pair_twice_is_an_error_in_place(editor_client):
    link = ClaimLinkFactory()
    response = editor_client.post(
        reverse("claims_app:claim_add_link", args=[link.to_claim_id]),
        {"to_claim": link.from_claim_id, "relation": "paraphrase"},
        **hx("links"),
    )
    assert "already linked" in response.content.decode()
    assert ClaimLink.objects.count() == 1


def test_linking_to_a_missing_claim_says_so(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_add_link", args=[claim.pk]), {"to_claim": 999999, "relation": "paraphrase"}
    )
    assert "No claim has that id" in response.content.decode()


def test_link_search_finds_candidates_by_words_or_id(editor_client):
    claim = ClaimFactory(text="Lighthouse keepers were dismissed")
    other = ClaimFactory(text="The lighthouse keepers strike", speaker=SpeakerFactory())
    by_words = editor_client.get(claim.get_absolute_url(), {"link_q": "lighthouse"}, **hx("link-results"))
    assert other.text in by_words.content.decode() and by_words.content.decode().count("<li>") == 1
    by_id = editor_client.get(claim.get_absolute_url(), {"link_q": str(other.pk)})  # no JS: the full page
    assert other.text in by_id.content.decode()


def test_link_search_results_offer_every_relation_when_refreshed_alone(editor_client):
    claim = ClaimFactory(text="Lighthouse keepers were dismissed")
    ClaimFactory(text="The lighthouse keepers strike", speaker=SpeakerFactory())
    html = editor_client.get(claim.get_absolute_url(), {"link_q": "lighthouse"}, **hx("link-results"))
    assert '<option value="paraphrase">' in html.content.decode()


def test_suggested_links_show_similar_claims_in_other_articles(viewer_client):
    claim = ClaimFactory()
    elsewhere = ClaimFactory(speaker=claim.speaker, text="The ferries run again from Monday, the mayor said")
    ClaimFactory(speaker=claim.speaker, text="Another article, same mayor, other subject")
    ClaimFactory(speaker=claim.speaker, article=claim.article, start=50, text="The ferries will run on Monday")
    suggested = viewer_client.get(claim.get_absolute_url()).context["suggested"]
    assert [s.claim_id for s in suggested] == [elsewhere.pk]


def test_missing_claim_is_404(viewer_client):
    assert viewer_client.get(reverse("claims_app:claim_detail", args=[987654])).status_code == 404


def test_list_rows_answer_the_template_engines_item_lookup():
    """The engine tries row[name] before getattr; rows answer it (no exception per lookup), unknown names as
    before: a KeyError there, then nothing rendered."""
    from django.template import Context, Template

    from claims_app.review.rows import claim_rows

    claim = ClaimFactory(text="The ferry will run on Sundays.")
    (row,) = claim_rows([Claim.objects.select_related("article", "speaker", "assignee").get(pk=claim.pk)])
    assert row["text"] == row.text == "The ferry will run on Sundays."
    with pytest.raises(KeyError):
        row["no_such_field"]
    assert Template("{{ row.text }}|{{ row.no_such_field }}|").render(Context({"row": row})) == (
        "The ferry will run on Sundays.||"
    )
