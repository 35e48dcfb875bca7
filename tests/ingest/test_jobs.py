"""Background ingestion: bulk uploads and `ingest --background` queue jobs that a worker files, with progress."""

from __future__ import annotations

import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from claimdesk_dev import corpus
from claims_app.ingest import jobs
from claims_app.models import Article, IngestJob

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
pytestmark = pytest.mark.django_db


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def run_queued_tasks() -> int:
    """Do what `db_worker` does for every ready task, in this test's transaction."""
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test-worker")
        task = result.task
        result.set_successful(task.call(*result.task_result.args, **result.task_result.kwargs))
        ran += 1
    return ran


def bulk_upload(client, files: dict[str, bytes], **extra):  # type: ignore[no-untyped-def]
    uploads = [SimpleUploadedFile(name, raw, "text/plain") for name, raw in files.items()]
    return client.post(reverse("claims_app:article_upload"), {"file": uploads, **extra})


def test_bulk_upload_queues_one_job_per_file_and_the_worker_files_them(editor_client):
    response = bulk_upload(
        editor_client,
        {"report.txt": sample("harbour_report.txt"), "followup.txt": sample("harbour_followup.txt"), "e.txt": b""},
        outlet="Harbour Ledger",
    )
    assert response.status_code == 302 and "?batch=" in response["Location"]
    jobs = list(IngestJob.objects.order_by("pk"))
    assert [j.status for j in jobs] == ["queued"] * 3 and not Article.objects.exists()
    assert DBTaskResult.objects.ready().count() == 3

    page = editor_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "0 of 3 finished" in page

    assert run_queued_tasks() == 3
    jobs = {j.filename: j for j in IngestJob.objects.all()}
    assert jobs["report.txt"].status == "done" and jobs["followup.txt"].status == "done"
    assert jobs["report.txt"].article.outlet == "Harbour Ledger"
    assert bytes(jobs["report.txt"].raw) == b""  # the article keeps the upload; the job does not
    assert jobs["e.txt"].status == "failed" and "empty" in jobs["e.txt"].message.lower()
    assert Article.objects.count() == 2

    batch = response["Location"].split("batch=")[1]
    progress = editor_client.get(
        reverse("claims_app:ingest_progress"), {"batch": batch}, headers={"HX-Request": "true"}
    )
    html = progress.content.decode()
    assert "3 of 3 finished" in html and "every 1s" not in html  # polling stops once all are finished
    assert "empty" in html.lower()
    assert ">Retry</button>" not in html  # an empty file would be refused again: no Retry to offer


def test_retry_requeues_a_job_whose_worker_kept_stopping(editor_client, editor):
    batch = jobs.queue_files(files=[("a.txt", sample("harbour_report.txt"))], uploaded_by=editor)
    # As after a worker died mid-ingest on every attempt: running, out of attempts, no worker holding its row.
    IngestJob.objects.filter(batch=batch).update(status="running", attempts=jobs.max_attempts())
    jobs.recover_stalled_jobs()
    job = IngestJob.objects.get(batch=batch)
    assert job.status == "failed" and job.retryable
    progress = editor_client.get(reverse("claims_app:ingest_progress"), {"batch": batch}).content.decode()
    assert ">Retry</button>" in progress

    response = editor_client.post(reverse("claims_app:ingest_job_retry", args=[job.public_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued" and job.message == ""
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == "done" and job.article is not None

    again = editor_client.post(reverse("claims_app:ingest_job_retry", args=[job.public_id]), follow=True)
    assert "Only failed uploads can be retried" in again.content.decode()


def test_a_refused_file_offers_no_retry_and_a_forced_retry_says_why(editor_client, editor):
    batch = jobs.queue_files(files=[("a.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64)], uploaded_by=editor)
    run_queued_tasks()
    job = IngestJob.objects.get(batch=batch)
    assert job.status == "failed" and "image" in job.message.lower() and not job.retryable
    progress = editor_client.get(reverse("claims_app:ingest_progress"), {"batch": batch}).content.decode()
    assert "image" in progress.lower() and ">Retry</button>" not in progress

    response = editor_client.post(reverse("claims_app:ingest_job_retry", args=[job.public_id]), follow=True)
    assert "A retry would fail the same way" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 1


def test_a_file_over_the_limit_in_a_batch_is_failed_at_once_and_not_retryable(editor, settings):
    settings.CLAIMS_MAX_UPLOAD_MB = 1
    batch = jobs.queue_files(files=[("big.txt", b"a " * 600_000)], uploaded_by=editor)
    job = IngestJob.objects.get(batch=batch)
    assert job.status == "failed" and "the limit is 1 MB" in job.message and not job.retryable


def test_viewers_cannot_see_upload_progress_or_retry(viewer_client, editor):
    batch = jobs.queue_files(files=[("a.txt", b"")], uploaded_by=editor)
    job = IngestJob.objects.get(batch=batch)
    assert viewer_client.get(reverse("claims_app:ingest_progress"), {"batch": batch}).status_code == 403
    assert viewer_client.post(reverse("claims_app:ingest_job_retry", args=[job.public_id])).status_code == 403


def test_progress_with_a_bad_batch_id_is_not_found(editor_client):
    url = reverse("claims_app:ingest_progress")
    assert editor_client.get(url, {"batch": "'; drop table x; --"}).status_code == 404


def test_duplicate_file_in_a_batch_is_reported_not_filed_twice(editor):
    jobs.queue_files(
        files=[("a.txt", sample("harbour_report.txt")), ("b.txt", sample("harbour_report.txt"))], uploaded_by=editor
    )
    run_queued_tasks()
    assert sorted(IngestJob.objects.values_list("status", flat=True)) == ["done", "duplicate"]
    assert Article.objects.count() == 1
    dup = IngestJob.objects.get(status="duplicate")
    assert dup.article == Article.objects.get()


def test_oversize_file_in_a_batch_fails_at_once_without_being_stored(editor, settings):
    settings.CLAIMS_MAX_UPLOAD_MB = 1
    jobs.queue_files(files=[("big.txt", b"word " * (300 * 1024)), ("a.txt", b"x")], uploaded_by=editor)
    big = IngestJob.objects.get(filename="big.txt")
    assert big.status == "failed" and "the limit is 1 MB" in big.message and bytes(big.raw) == b""
    assert DBTaskResult.objects.count() == 1


def test_bulk_upload_with_a_title_is_refused(editor_client):
    response = bulk_upload(editor_client, {"a.txt": b"one", "b.txt": b"two"}, title="One title")
    assert response.status_code == 200 and "leave them empty for several files" in response.content.decode()
    assert not IngestJob.objects.exists()


def test_ingest_command_background_queues_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(sample("harbour_report.txt"))
    (tmp_path / "b.txt").write_bytes(sample("harbour_followup.txt"))
    out = StringIO()
    call_command("ingest", str(tmp_path), "--background", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert [Path(j["source"]).name for j in result["jobs"]] == ["a.txt", "b.txt"]
    assert {j["status"] for j in result["jobs"]} == {"queued"} and not Article.objects.exists()
    run_queued_tasks()
    assert Article.objects.count() == 2


def test_ingest_command_background_fails_on_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="could not be queued"):
        call_command("ingest", str(tmp_path / "missing.txt"), "--background", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
def test_recovery_requeues_only_jobs_no_live_worker_holds():
    orphan, busy = (
        IngestJob.objects.create(batch=jobs.uuid.uuid4(), filename=n, raw=b"x", size=1, status="running")
        for n in ("orphan.txt", "busy.txt")
    )
    holding, release = threading.Event(), threading.Event()

    def live_worker() -> None:
        # A worker mid-ingest holds its job row in an open transaction on its own connection.
        with transaction.atomic():
            IngestJob.objects.select_for_update().get(pk=busy.pk)
            holding.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=live_worker)
    thread.start()
    assert holding.wait(10)
    try:
        assert jobs.recover_stalled_jobs() == [orphan.pk]
    finally:
        release.set()
        thread.join()
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert (orphan.status, busy.status) == ("queued", "running")
    assert orphan.task_id and DBTaskResult.objects.filter(pk=orphan.task_id, status="READY").exists()


def test_generate_corpus_writes_consistent_claims_speakers_links_and_history():
    out = StringIO()
    call_command("generate_corpus", "--claims", "200", "--json", stdout=out)
    size = json.loads(out.getvalue())
    assert size["claims"] == 200 and size["articles"] == 20 and size["aliases"] >= size["speakers"]
    from claims_app.models import Claim, ClaimStatusChange

    for claim in Claim.objects.select_related("article")[:50]:
        assert claim.article.body[claim.start : claim.end] == claim.text
    reviewed = Claim.objects.exclude(status="unreviewed").count()
    assert ClaimStatusChange.objects.count() == reviewed
    call_command("generate_corpus", "--claims", "100", stdout=StringIO())  # appends without id clashes
    assert Claim.objects.count() == 300
    call_command("generate_corpus", "--claims", "20", "--vectors", "none", stdout=StringIO())
    assert Claim.objects.filter(embedding_row__isnull=True).count() == 20


def test_generated_claims_carry_unit_stand_in_vectors_that_put_claims_sharing_words_near():
    import numpy as np

    from claims_app.models import Claim

    vectors = corpus.stand_in_vectors(["harbour ferry strike", "harbour ferry vote", "budget school hospital"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.5 > vectors[0] @ vectors[2]
    assert np.allclose(corpus.stand_in_vectors(["harbour ferry"]), corpus.stand_in_vectors(["ferry harbour"]))

    call_command("generate_corpus", "--claims", "100", stdout=StringIO())
    stored = list(Claim.objects.values_list("pk", "text", "embedding_row__embedding"))
    assert len(stored) == 100 and all(vector is not None for *_, vector in stored)
    pk, text, vector = stored[0]
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)
    assert np.allclose(vector, corpus.stand_in_vectors([text])[0], atol=1e-4)  # a word's vector is fixed
    with connection.cursor() as cursor:  # and the HNSW index finds it
        cursor.execute(
            "SELECT claim_id FROM claims_app_claimembedding ORDER BY embedding <=> %s::vector LIMIT 1",
            [corpus.vector_literals(np.asarray([vector]))[0]],
        )
        assert cursor.fetchone()[0] == pk
