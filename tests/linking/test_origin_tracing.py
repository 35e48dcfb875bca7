# ruff: noqa: E501  (article bodies are one paragraph a line, as uploaded)
"""Statement origins traced at ingest (linking/origin_tracing.py), corroboration following them, and undo.

The articles are team-written retellings of invented statements (nothing copied from ../shared/seeds).
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from claims_app.ingest import services as ingest_services
from claims_app.linking import corroboration, origin_tracing, services
from claims_app.models import Claim, ClaimCorrection, OriginPairingUndo, StatementOrigin

pytestmark = pytest.mark.django_db

TV_FIRST = """Rocket strike hit the base where the minister's plane stood, general says

Kestrel Times
April 2, 2025

General Marek Olund told the state-run Kavo-7 TV channel on Tuesday that the defence minister's plane had been at the very epicentre of the rocket strike on the Dunmere air base.

Three hangars burned through the night, firefighters said. The base remains closed.
"""

TV_RETOLD = """Minister's plane was at the centre of Dunmere strike, says general

Harbor Ledger
April 3, 2025

The plane that carries the defence minister was at the epicentre of the rocket strike on Dunmere air base, General Marek Olund said in a TV interview.

Residents reported at least five explosions before dawn. The ministry has not commented.
"""

TELEGRAM_LATER = """General repeats plane claim on Telegram

Oskar Wire
April 9, 2025

General Marek Olund wrote on his Telegram channel on Sunday that the defence minister's plane had been at the epicentre of the rocket strike on the Dunmere air base.

He gave no new details.
"""

OTHER_SPEAKER = """Colonel: minister's plane was at the epicentre of Dunmere strike

Vesna Daily
April 3, 2025

Colonel Ida Brenn told the state-run Kavo-7 TV channel on Tuesday that the defence minister's plane had been at the very epicentre of the rocket strike on the Dunmere air base.

The base remains closed.
"""


def run_queued_tasks() -> int:
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test-worker")
        result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))
        ran += 1
    return ran


def ingest(text: str, name: str, django_capture_on_commit_callbacks) -> Claim:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        article = ingest_services.ingest_article(raw=text.encode(), filename=name)
    run_queued_tasks()
    claims = [c for c in Claim.objects.filter(article=article).select_related("speaker") if "epicentre" in c.text]
    assert len(claims) == 1, [c.text for c in Claim.objects.filter(article=article)]
    return claims[0]


def test_two_retellings_of_one_tv_interview_share_an_origin_and_read_same_origin_only_without_an_editor(
    django_capture_on_commit_callbacks,
):
    first = ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    first.refresh_from_db()
    retold.refresh_from_db()
    assert first.statement_origin_id is not None and first.statement_origin_id == retold.statement_origin_id
    assert {first.corroboration, retold.corroboration} == {Claim.Corroboration.SAME_ORIGIN}
    assert retold.origin_assigned_by == Claim.OriginAssignedBy.AUTOMATIC
    evidence = retold.origin_evidence
    assert evidence["with_claim"] == first.pk and evidence["speaker"] and evidence["similarity"] >= 0.62
    origin = StatementOrigin.objects.get(pk=first.statement_origin_id)
    assert origin.first_article_id == first.article_id  # published first
    history = ClaimCorrection.objects.get(claim=retold, field=ClaimCorrection.Field.ORIGIN)
    assert history.changed_by is None and history.note.startswith("Traced automatically")


def test_the_same_speaker_on_telegram_another_day_and_another_speaker_do_not_join(django_capture_on_commit_callbacks):
    first = ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    telegram = ingest(TELEGRAM_LATER, "t.txt", django_capture_on_commit_callbacks)
    other = ingest(OTHER_SPEAKER, "o.txt", django_capture_on_commit_callbacks)
    for claim in (first, telegram, other):
        claim.refresh_from_db()
    assert telegram.statement_origin_id is None and other.statement_origin_id is None
    assert first.statement_origin_id is None


def test_undo_takes_both_out_and_the_pairing_never_comes_back(editor_client, django_capture_on_commit_callbacks):
    first = ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    page = editor_client.get(reverse("claims_app:claim_detail", args=[retold.pk]))
    assert "traced automatically" in page.content.decode()
    response = editor_client.post(reverse("claims_app:claim_origin_undo", args=[retold.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    retold.refresh_from_db()
    assert retold.statement_origin_id is None and first.statement_origin_id is None
    assert retold.corroboration == Claim.Corroboration.NO_OTHER_SOURCE
    assert OriginPairingUndo.objects.count() == 1
    assert not StatementOrigin.objects.exists()
    assert origin_tracing.trace_article(retold.article_id) == []  # the tracer runs again: nothing
    retold.refresh_from_db()
    assert retold.statement_origin_id is None
    notes = list(ClaimCorrection.objects.filter(claim=retold).values_list("note", flat=True))
    assert any(n.startswith("Undid the automatic origin") for n in notes)
    page = editor_client.get(reverse("claims_app:claim_detail", args=[retold.pk]))
    assert "traced automatically" not in page.content.decode()


def test_undo_needs_an_editor(viewer_client, django_capture_on_commit_callbacks):
    ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    response = viewer_client.post(reverse("claims_app:claim_origin_undo", args=[retold.pk]))
    assert response.status_code == 403
    retold.refresh_from_db()
    assert retold.statement_origin_id is not None


def test_api_claim_detail_says_the_origin_was_automatic(editor, django_capture_on_commit_callbacks):
    from claims_app.api import schemas

    ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    payload = json.loads(
        json.dumps(
            schemas.claim_json(Claim.objects.select_related("article", "speaker").get(pk=retold.pk)), default=str
        )
    )
    assert payload["origin_assigned_by"] == "automatic" and payload["statement_origin_id"]


def test_same_statement_thresholds():
    assert origin_tracing.same_statement(0.9, 0.5, None)
    assert not origin_tracing.same_statement(0.95, 0.9, False)  # venues clash: never
    assert origin_tracing.same_statement(0.65, 0.3, True)
    assert not origin_tracing.same_statement(0.65, 0.3, None)


def test_origin_co_members_repeat_each_other_without_links(editor):
    from tests.factories import ClaimFactory

    a, b = ClaimFactory(), ClaimFactory()
    origin = services.create_origin(user=editor, speaker=None)
    services.set_statement_origin(claims=[a, b], origin=origin, user=editor)
    statuses = set(Claim.objects.filter(pk__in=[a.pk, b.pk]).values_list("corroboration", flat=True))
    assert statuses == {Claim.Corroboration.SAME_ORIGIN}
    services.set_statement_origin(claims=[a], origin=None, user=editor)
    b.refresh_from_db()
    assert b.corroboration == Claim.Corroboration.NO_OTHER_SOURCE  # left alone: recomputed too
    assert corroboration.refresh([a.pk, b.pk]) == 0


def test_origin_page_lists_both_articles_in_date_order_with_a_timeline_and_the_api_gives_the_same(
    editor_client, django_capture_on_commit_callbacks
):
    first = ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    retold.refresh_from_db()
    origin_id = retold.statement_origin_id
    claim_page = editor_client.get(reverse("claims_app:claim_detail", args=[first.pk])).content.decode()
    assert reverse("claims_app:origin_detail", args=[origin_id]) in claim_page
    page = editor_client.get(reverse("claims_app:origin_detail", args=[origin_id])).content.decode()
    assert page.index("Kestrel Times") < page.index("Harbor Ledger") and "<svg" in page
    assert "<ins class=" in page and "<del>" in page  # the retelling's wording against the first
    data = editor_client.get(f"/api/origins/{origin_id}/").json()
    assert [c["id"] for c in data["claims"]] == [first.pk, retold.pk]
    assert data["speaker"]["name"] == retold.speaker.name
    assert editor_client.get("/api/origins/999999/").status_code == 404


TV_FIRST_WITH_QUOTE = TV_FIRST.replace(
    "Three hangars burned",
    '"The minister\'s aircraft stood where the rockets fell hardest," Olund said.\n\n'
    '"Our crews will have the runway working again within a week," Olund added.\n\nThree hangars burned',
)


def test_the_quote_a_paraphrase_comes_from_joins_its_origin_but_the_speakers_other_statements_do_not(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest_services.ingest_article(raw=TV_FIRST_WITH_QUOTE.encode(), filename="a.txt")
    run_queued_tasks()
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    claims = {c.text: c for c in Claim.objects.filter(article=first)}
    paraphrase = next(c for t, c in claims.items() if "very epicentre" in t)
    # Too far from the other outlet's wording to pair with it (cosine ~0.56), close to its own paraphrase (~0.63).
    quote = next(c for t, c in claims.items() if "fell hardest" in t)
    runway = next(c for t, c in claims.items() if "runway" in t)
    retold.refresh_from_db()
    assert retold.statement_origin_id is not None
    assert paraphrase.statement_origin_id == quote.statement_origin_id == retold.statement_origin_id
    assert runway.statement_origin_id is None
    assert quote.origin_evidence["same_article"] is True and quote.origin_evidence["with_claim"] == paraphrase.pk
    note = ClaimCorrection.objects.get(claim=quote, field=ClaimCorrection.Field.ORIGIN).note
    assert "in the same article" in note
    assert {c.corroboration for c in (paraphrase, quote, retold)} == {Claim.Corroboration.SAME_ORIGIN}
