"""Claim embeddings (the real all-MiniLM-L6-v2 model, real PostgreSQL + pgvector) and semantic link suggestions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from claims_app.ingest import services as ingest_services
from claims_app.linking import embeddings, suggestions
from claims_app.models import Article, Claim, ClaimEmbedding, LinkSuggestionDecision
from claims_app.review import services as review_services
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parent.parent / "samples"

QUERY = "Heavy rain flooded many homes in the valley overnight."
PARAPHRASE = "Torrential downpours left numerous houses under water during the night."  # no shared content word
SHARED_WORDS = "Homes in the valley sold for record prices this year."
UNRELATED = "Bakers expect flour prices to double by spring."


def _vector(pk: int) -> object:
    """The claim's stored embedding, or None when it has none (ClaimEmbedding)."""
    return ClaimEmbedding.objects.filter(claim_id=pk).values_list("embedding", flat=True).first()


def lexemes(text: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('english', %s))", [text])
        return set(cursor.fetchone()[0])


def flood_set() -> tuple[Claim, Claim, Claim, Claim]:
    claims = tuple(ClaimFactory(text=text) for text in (QUERY, PARAPHRASE, SHARED_WORDS, UNRELATED))
    embeddings.embed_claims([c.pk for c in claims])
    return tuple(Claim.objects.select_related("article").get(pk=c.pk) for c in claims)  # type: ignore[return-value]


def run_queued_tasks() -> int:
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test-worker")
        result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))
        ran += 1
    return ran


def test_embed_returns_normalised_float32_rows_in_order():
    vectors = embeddings.embed([QUERY, PARAPHRASE, UNRELATED])
    assert vectors.shape == (3, embeddings.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert embeddings.embed([]).shape == (0, embeddings.DIMENSIONS)


def test_a_paraphrase_sharing_no_content_word_ranks_first_through_the_embeddings():
    claim, paraphrase, shared_words, unrelated = flood_set()
    assert not lexemes(QUERY) & lexemes(PARAPHRASE)
    ranked = suggestions.suggestions_for(claim)
    ids = [s.claim_id for s in ranked]
    assert ids[0] == paraphrase.pk
    assert shared_words.pk in ids and unrelated.pk not in ids  # below the neighbour cosine floor
    assert ranked[0].relation_guess == "corroborates"  # different speakers, not a denial


def test_with_embeddings_off_ranking_is_lexical_and_never_loads_the_model(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    claim, _paraphrase, shared_words, _ = flood_set()
    settings.CLAIMS_EMBEDDING_MODEL = ""

    def refuse(texts):  # type: ignore[no-untyped-def]
        raise AssertionError("the model must not be used with embeddings off")

    monkeypatch.setattr(embeddings, "embed", refuse)
    ids = [s.claim_id for s in suggestions.suggestions_for(claim)]
    assert ids == [shared_words.pk]  # only the claim sharing words: the paraphrase is out of lexical reach
    # The lexical ranking as before: the harbour paraphrase first, on shared words and numbers.
    harbour = ClaimFactory(text="The harbour ferries will carry 40 percent fewer passengers this winter")
    same = ClaimFactory(text="Ferries in the harbour are set to carry 40% fewer passengers in winter")
    ClaimFactory(text="The harbour ferries will get new engines next summer")
    assert suggestions.suggestions_for(harbour)[0].claim_id == same.pk
    with django_capture_on_commit_callbacks() as callbacks:
        embeddings.queue_after_commit(claim_ids=[harbour.pk])
    assert callbacks == []  # queues nothing either
    out = io.StringIO()
    with pytest.raises(Exception, match="embeddings are off"):
        call_command("embed_claims", stdout=out)


def test_dismissed_semantic_neighbour_does_not_come_back(editor):
    claim, paraphrase, *_ = flood_set()
    LinkSuggestionDecision.objects.create(
        claim=claim, candidate=paraphrase, decision="dismissed", decided_by=editor, score=0.5, relation_guess="x"
    )
    assert paraphrase.pk not in [s.claim_id for s in suggestions.suggestions_for(claim)]
    assert paraphrase.pk not in [
        s.claim_id for s in suggestions.rank(suggestions.query_for(claim), exclude={paraphrase.pk})
    ]


def test_the_command_line_embeds_claims_without_a_stored_embedding_on_the_fly():
    claim = ClaimFactory(text=QUERY)
    other = ClaimFactory(text="Heavy rain flooded the valley roads overnight.")
    assert _vector(claim.pk) is None and _vector(other.pk) is None
    query = Claim.objects.select_related("article").get(pk=claim.pk)
    ranked = suggestions.suggestions_for(query, embed_missing=True)
    assert ranked[0].claim_id == other.pk and ranked[0].score > 0.6
    out = io.StringIO()
    call_command("suggest", str(claim.pk), "--json", stdout=out)
    assert json.loads(out.getvalue())[0]["claim_id"] == other.pk
    assert not Claim.objects.filter(embedding_row__isnull=False).exists()  # computed for the ranking, never saved


def test_a_web_request_never_runs_the_model_and_queues_the_missing_embedding_once(
    editor, client, monkeypatch, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(text=QUERY)
    repeat = ClaimFactory(text="Heavy rain flooded many homes in the valley overnight, officials said.")
    embeddings.embed_claims([repeat.pk])  # the candidate has a stored vector, the query claim not yet

    def refuse(texts):  # type: ignore[no-untyped-def]
        raise AssertionError("a web request must not run the embedding model")

    monkeypatch.setattr(embeddings, "embed", refuse)
    cache.clear()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/claims/{claim.pk}/")
        again = client.get(f"/claims/{claim.pk}/")
    assert page.status_code == again.status_code == 200
    assert f"suggested-{repeat.pk}" in page.content.decode()  # ranked by its words meanwhile
    assert "still being indexed" in page.content.decode()
    queued = DBTaskResult.objects.ready()
    assert [r.task_path.rsplit(".", 1)[-1] for r in queued] == ["embed_claims_task"]  # once, not per view
    assert queued.get().task_result.args == [[claim.pk]]

    monkeypatch.undo()
    assert run_queued_tasks() == 1 and _vector(claim.pk) is not None
    paraphrase = ClaimFactory(text=PARAPHRASE)
    embeddings.embed_claims([paraphrase.pk])
    monkeypatch.setattr(embeddings, "embed", refuse)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "still being indexed" not in page
    assert f"suggested-{paraphrase.pk}" in page  # semantic neighbours once the vector is stored


def test_embeddings_are_written_by_a_task_queued_when_the_ingest_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = ingest_services.ingest_article(raw=(SAMPLES / "harbour_report.txt").read_bytes(), filename="r.txt")
    claims = Claim.objects.filter(article=article)
    assert claims.exists() and not claims.filter(embedding_row__isnull=False).exists()  # nothing inside the ingest
    assert not DBTaskResult.objects.exists() and len(callbacks) == 1
    callbacks[0]()  # the commit
    assert DBTaskResult.objects.ready().get().task_path.endswith("embed_article_task")
    assert run_queued_tasks() == 1
    assert not claims.filter(embedding_row__isnull=True).exists()
    vector = np.asarray(_vector(claims.first().pk))
    assert vector.shape == (384,) and abs(np.linalg.norm(vector) - 1) < 1e-4


def test_a_rolled_back_ingest_queues_no_embedding(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ingest_services.ingest_article(raw=(SAMPLES / "harbour_report.txt").read_bytes(), filename="r.txt")
        raise RuntimeError("abort")
    assert callbacks == [] and not DBTaskResult.objects.exists()
    assert not Article.objects.exists() and not Claim.objects.filter(embedding_row__isnull=False).exists()


def test_editor_corrections_and_added_claims_are_re_embedded(editor, django_capture_on_commit_callbacks):
    claim = ClaimFactory(text=QUERY)
    embeddings.embed_claims([claim.pk])
    before = np.asarray(_vector(claim.pk))
    with django_capture_on_commit_callbacks(execute=True):
        corrected = review_services.correct_claim(claim=claim, user=editor, text=UNRELATED)
    assert _vector(claim.pk) is None and _vector(corrected.pk) is None
    with django_capture_on_commit_callbacks(execute=True):
        review_services.correct_claim(claim=corrected, user=editor, kind=Claim.Kind.DIRECT)  # text unchanged: no task
    assert run_queued_tasks() == 1
    after = np.asarray(_vector(claim.pk))
    expected = embeddings.embed([UNRELATED])[0]
    assert after @ expected > 0.999 and after @ before < 0.5
    kept = review_services.correct_claim(claim=Claim.objects.get(pk=claim.pk), user=editor, kind=Claim.Kind.INDIRECT)
    assert kept.kind == Claim.Kind.INDIRECT and _vector(claim.pk) is not None

    article = claim.article
    article.body = "Intro. " + PARAPHRASE
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        added = review_services.add_claim(
            article=article, user=editor, start=7, end=len(article.body), kind="assertion"
        )
    assert run_queued_tasks() == 1 and _vector(added.pk) is not None


def test_embed_claims_command_backfills_missing_then_all():
    claims = [ClaimFactory(text=QUERY), ClaimFactory(text=PARAPHRASE)]
    out = io.StringIO()
    call_command("embed_claims", stdout=out)
    assert "Embedded 2 claim(s)" in out.getvalue()
    assert not Claim.objects.filter(pk__in=[c.pk for c in claims], embedding_row__isnull=True).exists()
    call_command("embed_claims", stdout=out)
    assert "Embedded 0 claim(s)" in out.getvalue()
    call_command("embed_claims", "--all", stdout=out)
    assert out.getvalue().count("Embedded 2 claim(s)") == 2


def test_suggest_eval_finds_a_wordless_paraphrase_and_keeps_its_json_contract(tmp_path):
    vclaims = tmp_path / "v.jsonl"
    queries = tmp_path / "q.jsonl"
    vclaims.write_text(
        "\n".join(
            json.dumps({"id": i, "text": t}) for i, t in [("p", PARAPHRASE), ("s", SHARED_WORDS), ("u", UNRELATED)]
        )
    )
    queries.write_text(json.dumps({"id": "q1", "text": QUERY}) + "\n")
    before = (Claim.objects.count(), Claim.objects.filter(embedding_row__isnull=False).count())
    out = io.StringIO()
    call_command("suggest-eval", "--vclaims", str(vclaims), "--queries", str(queries), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert list(result) == ["q1"] and result["q1"][0] == "p"
    assert all(isinstance(v, str) for v in result["q1"])
    assert (Claim.objects.count(), Claim.objects.filter(embedding_row__isnull=False).count()) == before


@pytest.mark.django_db(transaction=True)
def test_an_embedding_of_the_old_text_is_not_stored_over_a_correction_in_progress():
    import threading

    import psycopg

    claim = ClaimFactory(text=QUERY)
    embeddings.embed([QUERY])  # the model loaded, so the write below comes well within the correction's second
    db = connection.settings_dict
    editor = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None, dbname=db["NAME"]
    )
    try:
        # An editor's correction, not yet committed when the embedding task reads the text and writes its vector.
        editor.execute("UPDATE claims_app_claim SET text = %s WHERE id = %s", [UNRELATED, claim.pk])
        commit = threading.Timer(3.0, editor.commit)
        commit.start()
        written = embeddings.embed_claims([claim.pk])  # waits for the correction, then sees the new text
        commit.join()
    finally:
        editor.close()
    assert written == 0 and _vector(claim.pk) is None
    assert Claim.objects.get(pk=claim.pk).text == UNRELATED
