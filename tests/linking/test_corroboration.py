"""Link suggestions, origins, corroboration status, exports, the JSON API and the suggest commands."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from claims_app.api import tokens
from claims_app.linking import services as linking_services
from claims_app.linking import suggestions
from claims_app.models import Claim, ClaimLink, LinkSuggestionDecision, StatementOrigin
from claims_app.review import services as review_services
from tests.factories import ClaimFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def refreshed(claim: Claim) -> Claim:
    claim.refresh_from_db()
    return claim


# ---------------------------------------------------------------- suggestions


def _harbour_set():  # type: ignore[no-untyped-def]
    speaker = SpeakerFactory(name="Ilse Varga")
    claim = ClaimFactory(speaker=speaker, text="The harbour ferries will carry 40 percent fewer passengers this winter")
    paraphrase = ClaimFactory(
        speaker=speaker, text="Ferries in the harbour are set to carry 40% fewer passengers in winter"
    )
    same_topic = ClaimFactory(speaker=speaker, text="The harbour ferries will get new engines next summer")
    unrelated = ClaimFactory(text="Bridge tolls rise in spring")
    return claim, paraphrase, same_topic, unrelated


def test_suggestions_rank_the_paraphrase_first_and_skip_unrelated_and_same_article_claims():
    claim, paraphrase, same_topic, unrelated = _harbour_set()
    ClaimFactory(article=claim.article, speaker=claim.speaker, start=200, text=claim.text + " again")
    ranked = suggestions.suggestions_for(Claim.objects.select_related("article").get(pk=claim.pk))
    ids = [s.claim_id for s in ranked]
    assert ids[0] == paraphrase.pk
    assert same_topic.pk in ids and unrelated.pk not in ids
    assert all(s.article_id != claim.article_id for s in ranked)
    assert ranked[0].relation_guess in {"same_claim", "paraphrase"}  # same speaker, similar words


def test_lexeme_frequencies_of_a_large_table_come_from_postgresqls_statistics(monkeypatch):
    from django.db import connection

    for n in range(40):
        ClaimFactory(text=f"The harbour ferry {'strike' if n % 4 == 0 else 'timetable'} number {n} continues.")
    assert suggestions._planner_frequencies() is None  # never analysed: the caller counts instead
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_app_claim")
    total, frequencies = suggestions._planner_frequencies()
    assert total == 40 and frequencies["harbour"] == 40 and frequencies["strike"] == 10
    exact = suggestions._frequencies("WHERE NOT is_rejected", [])[1]
    assert {lexeme: frequencies[lexeme] for lexeme in ("harbour", "ferri", "strike")} == {
        lexeme: exact[lexeme] for lexeme in ("harbour", "ferri", "strike")
    }
    # A table past SMALL_TABLE takes them from there, not from counting every claim's lexemes.
    monkeypatch.setattr(suggestions, "SMALL_TABLE", 10)
    monkeypatch.setattr(suggestions, "_frequencies", lambda *a: pytest.fail("counted every claim"))
    suggestions.clear_statistics()
    assert suggestions.document_frequencies() == (total, frequencies)
    suggestions.clear_statistics()


def test_relation_guess_flags_a_denial_as_contradiction_and_another_speaker_as_corroboration():
    claim = ClaimFactory(text="The sluice gate at the Korvath weir jammed on Sunday")
    denial = ClaimFactory(text="The sluice gate at the Korvath weir did not jam on Sunday")
    witness = ClaimFactory(text="A sluice gate at the Korvath weir jammed early on Sunday")
    guesses = {s.claim_id: s.relation_guess for s in suggestions.suggestions_for(claim)}
    assert guesses[denial.pk] == "contradicts"
    assert guesses[witness.pk] == "corroborates"


def test_a_speaker_repeating_a_statement_with_a_negation_is_not_guessed_as_contradicting_it():
    speaker = SpeakerFactory(name="Yury Talvin")
    claim = ClaimFactory(speaker=speaker, text="The lock gate jammed half open at dawn")
    repeat = ClaimFactory(
        speaker=speaker, text="The lock gate jammed half open at dawn and we could neither close nor open it"
    )
    guesses = {s.claim_id: s.relation_guess for s in suggestions.suggestions_for(claim)}
    assert guesses[repeat.pk] in {"same_claim", "paraphrase"}


def test_dismissed_suggestion_does_not_come_back_from_either_side(editor_client):
    claim, paraphrase, *_ = _harbour_set()
    url = reverse("claims_app:suggestion_dismiss", args=[claim.pk])
    response = editor_client.post(url, {"candidate": paraphrase.pk, "score": "0.8", "relation_guess": "paraphrase"})
    assert response.status_code == 302
    assert LinkSuggestionDecision.objects.get().decision == "dismissed"
    assert paraphrase.pk not in [s.claim_id for s in suggestions.suggestions_for(claim)]
    assert claim.pk not in [s.claim_id for s in suggestions.suggestions_for(paraphrase)]
    page = editor_client.get(claim.get_absolute_url())
    assert paraphrase.pk not in [s.claim_id for s in page.context["suggested"]]


def test_accepting_a_suggestion_creates_a_link_of_the_chosen_relation_and_refreshes_panels(editor_client):
    claim, paraphrase, *_ = _harbour_set()
    url = reverse("claims_app:suggestion_accept", args=[claim.pk])
    response = editor_client.post(url, {"candidate": paraphrase.pk, "relation": "same_claim"}, **HX)
    assert response.status_code == 200
    assert "linksChanged" in response["HX-Trigger"]
    link = ClaimLink.objects.get()
    assert (link.from_claim_id, link.to_claim_id, link.relation) == (claim.pk, paraphrase.pk, "same_claim")
    assert LinkSuggestionDecision.objects.get().decision == "accepted"
    assert paraphrase.pk not in [s.claim_id for s in response.context["suggested"]]


def test_viewer_cannot_accept_or_dismiss_suggestions(viewer_client):
    claim, paraphrase, *_ = _harbour_set()
    for name in ("suggestion_accept", "suggestion_dismiss"):
        url = reverse(f"claims_app:{name}", args=[claim.pk])
        assert viewer_client.post(url, {"candidate": paraphrase.pk, "relation": "paraphrase"}).status_code == 403
    assert not ClaimLink.objects.exists()


# ---------------------------------------------------------------- corroboration status


def _link(editor, a: Claim, b: Claim, relation: str) -> ClaimLink:  # type: ignore[no-untyped-def]
    return linking_services.link_claims(from_claim=a, to_claim=b, relation=relation, user=editor)


def test_a_claim_nobody_repeats_has_no_other_source(editor):
    assert refreshed(ClaimFactory()).corroboration == Claim.Corroboration.NO_OTHER_SOURCE


def test_ten_articles_repeating_one_interview_are_one_origin_not_ten(editor):
    speaker = SpeakerFactory(name="Oren Vasko")
    interview = ClaimFactory(speaker=speaker, text="We pushed them back twelve kilometres")
    copies = [ClaimFactory(speaker=speaker, text="We pushed them back twelve kilometres") for _ in range(9)]
    for copy in copies:
        _link(editor, interview, copy, "same_claim")
    for claim in [interview, *copies]:
        claim = refreshed(claim)
        assert claim.corroboration == Claim.Corroboration.SAME_ORIGIN
        assert claim.independent_origins == 0
        assert claim.corroboration_label == "Repeated from the same origin only"


def test_independent_speakers_corroborate_and_count_as_separate_origins(editor):
    claim = ClaimFactory(text="The gate jammed at four in the morning")
    repeat = ClaimFactory(speaker=claim.speaker, text="The gate jammed at 4 a.m.")
    witness = ClaimFactory(text="I saw the gate stick at about four")
    engineer = ClaimFactory(text="Logs show the gate stopped at 04:02")
    _link(editor, claim, repeat, "paraphrase")
    _link(editor, witness, claim, "corroborates")
    _link(editor, claim, engineer, "corroborates")
    claim = refreshed(claim)
    assert claim.corroboration == Claim.Corroboration.CORROBORATED
    assert claim.independent_origins == 2
    assert claim.corroboration_label == "Corroborated by 2 independent origins"
    assert refreshed(repeat).independent_origins == 2  # the same statement, so the same support


def test_an_editor_set_origin_merges_two_speakers_into_one_source(editor):
    agency = ClaimFactory(text="The port will close on Friday")
    relay = ClaimFactory(text="The port closes Friday, the agency said")
    _link(editor, agency, relay, "corroborates")
    assert refreshed(agency).corroboration == Claim.Corroboration.CORROBORATED
    origin = linking_services.create_origin(user=editor, speaker=agency.speaker, medium="Reuters")
    linking_services.set_statement_origin(claims=[agency, relay], origin=origin, user=editor)
    assert refreshed(agency).corroboration == Claim.Corroboration.SAME_ORIGIN
    assert refreshed(relay).corrections.get().field == "origin"  # origin changes are in the history


def test_a_contradicting_link_marks_the_claim_contradicted_and_removing_it_restores_the_status(editor):
    claim = ClaimFactory(text="The town was in danger")
    denial = ClaimFactory(text="The town was never in danger")
    link = _link(editor, claim, denial, "contradicts")
    assert refreshed(claim).corroboration == Claim.Corroboration.CONTRADICTED
    assert refreshed(claim).status == Claim.Status.UNREVIEWED  # the editor's verdict is untouched
    linking_services.remove_link(link=link, user=editor)
    assert refreshed(claim).corroboration == Claim.Corroboration.NO_OTHER_SOURCE


def test_claim_list_filters_by_corroboration_and_shows_the_column(editor, viewer_client):
    contradicted = ClaimFactory(text="The town was in danger")
    _link(editor, contradicted, ClaimFactory(text="The town was never in danger"), "contradicts")
    lonely = ClaimFactory(text="Nothing else says this")
    response = viewer_client.get(reverse("claims_app:claim_list"), {"corroboration": "none"})
    assert [c.pk for c in response.context["page"].object_list] == [lonely.pk]
    response = viewer_client.get(reverse("claims_app:claim_list"), {"corroboration": "contradicted"})
    assert {c.pk for c in response.context["page"].object_list} >= {contradicted.pk}
    assert "Contradicted" in response.content.decode()


def test_origin_suggestion_groups_same_speaker_same_medium_near_duplicates(editor_client):
    speaker = SpeakerFactory(name="Pavel Irin")
    text = "his unit destroyed three enemy tanks near Volsk"
    first = ClaimFactory(
        speaker=speaker,
        text=text,
        article__body=f"Irin told Rossiya-24 that {text}.",
        article__published_at=datetime.date(2025, 3, 1),
    )
    second = ClaimFactory(
        speaker=speaker, text=text + " on Monday", article__body=f"Speaking to Rossiya-24, Irin said {text} on Monday."
    )
    page = editor_client.get(second.get_absolute_url())
    suggestion = page.context["origin_suggestion"]
    assert suggestion is not None and [p.pk for p in suggestion.peers] == [first.pk]
    response = editor_client.post(
        reverse("claims_app:claim_origin", args=[second.pk]),
        {"action": "accept", "peers": [first.pk], "medium": suggestion.medium},
        **HX,
    )
    assert response.status_code == 200 and "originChanged" in response["HX-Trigger"]
    origin = StatementOrigin.objects.get()
    assert set(origin.claims.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert origin.first_article_id == first.article_id  # first appearance is the earliest article


def test_a_claim_without_speaker_is_traced_to_the_outlet_its_article_cites_whatever_the_case(editor_client):
    text = "the dam's northern sluice gate failed during the night"
    cited = ClaimFactory(speaker=None, text=text, article__outlet="Vesta NEWS")
    uncited = ClaimFactory(speaker=None, text=text, article__outlet="Brenmark Daily")
    retold = ClaimFactory(
        speaker=None,
        text=text + " on Friday",
        article__body=f"As reported by Vesta News, {text} on Friday.",
    )
    suggestion = editor_client.get(retold.get_absolute_url()).context["origin_suggestion"]
    # Only the cited outlet's claim (its name in another case) is a peer, not the same words from another outlet.
    assert suggestion is not None and [p.pk for p in suggestion.peers] == [cited.pk]
    assert suggestion.reasons == ["this article cites Vesta NEWS"]
    assert uncited.pk not in {p.pk for p in suggestion.peers}


def test_editor_starts_and_leaves_an_origin_without_javascript(editor_client):
    claim = ClaimFactory()
    url = reverse("claims_app:claim_origin", args=[claim.pk])
    assert editor_client.post(url, {"action": "new", "medium": "TV interview"}).status_code == 302
    assert refreshed(claim).statement_origin.medium == "TV interview"
    editor_client.post(url, {"action": "remove"})
    assert refreshed(claim).statement_origin is None


# ---------------------------------------------------------------- exports


def test_exports_honour_the_claim_list_filters(editor, viewer_client):
    verified = ClaimFactory(
        status="verified",
        text="The ferries run again",
        article__outlet="Dockside Post",
        article__published_at=datetime.date(2025, 4, 2),
    )
    ClaimFactory(status="false", text="The bridge is closed", article__outlet="Dockside Post")
    ClaimFactory(status="verified", text="Elsewhere entirely", article__outlet="Harbour Ledger")
    params = {"status": "verified", "outlet": "Dockside Post"}
    rows = list(
        csv.DictReader(io.StringIO(body(viewer_client.get(reverse("claims_app:claim_export_csv"), params)).decode()))
    )
    assert [int(r["id"]) for r in rows] == [verified.pk]
    data = json.loads(body(viewer_client.get(reverse("claims_app:claim_export_json"), params)))
    assert [c["id"] for c in data] == [verified.pk]
    assert data[0]["corroboration"] == "none"


def test_claimreview_jsonld_covers_only_claims_with_a_verdict(editor, viewer_client):
    speaker = SpeakerFactory(name="Dalia Kestner", kind="person")
    checked = ClaimFactory(
        speaker=speaker,
        text="Waiting lists fell by a third",
        article__url="https://example.org/a",
        article__published_at=datetime.date(2025, 5, 1),
    )
    review_services.change_claim_status(claim=checked, user=editor, status="false")
    ClaimFactory(text="Not reviewed yet")
    response = viewer_client.get(reverse("claims_app:claim_export_jsonld"))
    assert response["Content-Type"] == "application/ld+json"
    doc = json.loads(body(response))
    assert doc["@context"] == "https://schema.org"
    [review] = doc["@graph"]
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Waiting lists fell by a third"
    assert review["reviewRating"]["alternateName"] == "False" and review["reviewRating"]["ratingValue"] == 1
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Dalia Kestner"}
    assert review["itemReviewed"]["appearance"]["url"] == "https://example.org/a"
    assert "firstAppearance" in review["itemReviewed"] and review["datePublished"]


def test_list_page_links_to_exports_with_the_same_query_string(viewer_client):
    ClaimFactory(status="verified")
    page = viewer_client.get(reverse("claims_app:claim_list"), {"status": "verified"}).content.decode()
    assert "/claims/export.csv?status=verified" in page and "/claims/export.jsonld?status=verified" in page


# ---------------------------------------------------------------- API


def test_api_refuses_anonymous_requests_and_serves_viewers():
    ClaimFactory()
    anonymous = Client()
    for path in ("/api/claims/", "/api/articles/", "/api/speakers/"):
        assert anonymous.get(path).status_code == 401


def test_api_claims_take_the_list_filters_and_paginate(viewer_client):
    wanted = ClaimFactory(status="verified", text="The ferries run again")
    ClaimFactory(status="false")
    data = viewer_client.get("/api/claims/", {"status": "verified"}).json()
    assert [c["id"] for c in data["results"]] == [wanted.pk] and data["count"] == 1
    assert data["results"][0]["speaker"]["name"] == wanted.speaker.name
    assert viewer_client.get("/api/claims/", {"page_size": 1, "page": 2}).json()["page"] == 2


def test_api_claim_detail_has_links_origin_corroboration_and_history(editor, viewer_client):
    claim = ClaimFactory(text="The town was in danger")
    other = ClaimFactory(text="The town was never in danger")
    _link(editor, claim, other, "contradicts")
    review_services.change_claim_status(claim=refreshed(claim), user=editor, status="disputed", note="two accounts")
    data = viewer_client.get(f"/api/claims/{claim.pk}/").json()
    assert data["corroboration"] == "contradicted"
    assert data["links"][0]["other_claim_id"] == other.pk and data["links"][0]["relation"] == "contradicts"
    assert data["history"][0]["new"] == "disputed" and data["origin"] is None
    assert viewer_client.get("/api/claims/987654/").status_code == 404


def test_api_token_authenticates_and_a_user_without_read_access_gets_403(viewer):
    from tests.factories import UserFactory

    claim, paraphrase, *_ = _harbour_set()
    _, key = tokens.create_api_token(user=viewer, name="script")
    client = Client()
    response = client.get(f"/api/claims/{claim.pk}/suggestions/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()[0]["claim_id"] == paraphrase.pk
    assert client.get("/api/claims/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    nobody = Client()
    nobody.force_login(UserFactory(username="no-role"))
    assert nobody.get("/api/claims/").status_code == 403


def test_schema_endpoint_serves_valid_openapi(viewer_client):
    schema = viewer_client.get("/api/schema/").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/claims/",
        "/api/claims/{claim_id}/",
        "/api/claims/{claim_id}/suggestions/",
        "/api/articles/",
        "/api/speakers/",
    ):
        assert "get" in schema["paths"][path]
    params = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert {"q", "status", "corroboration", "page"} <= params
    assert {"ReaderSession", "ReaderToken"} <= set(schema["components"]["securitySchemes"])


# ---------------------------------------------------------------- commands


def test_suggest_command_prints_the_json_contract_best_first():
    claim, paraphrase, *_ = _harbour_set()
    out = io.StringIO()
    call_command("suggest", str(claim.pk), "--top", "2", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data) <= 2 and data[0]["claim_id"] == paraphrase.pk
    assert set(data[0]) == {"claim_id", "score", "relation_guess", "text", "speaker", "article_id"}
    assert data == sorted(data, key=lambda s: -s["score"])


def test_suggest_command_rejects_an_unknown_claim():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No claim"):
        call_command("suggest", "987654", "--json")


def test_suggest_eval_ranks_vclaims_per_query_and_leaves_no_rows(tmp_path):
    vclaims = tmp_path / "v.jsonl"
    queries = tmp_path / "q.jsonl"
    vclaims.write_text(
        "\n".join(
            json.dumps(row)
            for row in [
                {"id": "a", "text": "Ferries in the harbour will carry 40% fewer passengers this winter"},
                {"id": "b", "text": "The harbour ferries will get new engines next summer"},
                {"id": "c", "text": "Bridge tolls rise in spring"},
            ]
        )
    )
    queries.write_text(json.dumps({"id": "q1", "text": "The harbour ferries will carry 40 percent fewer passengers"}))
    before = Claim.objects.count()
    out = io.StringIO()
    call_command(
        "suggest-eval", "--vclaims", str(vclaims), "--queries", str(queries), "--top", "2", "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert list(result) == ["q1"] and result["q1"][0] == "a" and len(result["q1"]) <= 2
    assert Claim.objects.count() == before  # loaded inside a rolled-back transaction


def test_suggest_eval_refuses_a_malformed_file(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    with pytest.raises(CommandError, match=r"bad\.jsonl:1"):
        call_command("suggest-eval", "--vclaims", str(bad), "--queries", str(bad), "--json")
