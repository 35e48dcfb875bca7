"""A single long upload is filed by the worker with progress, not inside the web request."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from claims_app.ingest import jobs
from claims_app.models import Article, IngestJob
from tests.ingest.test_jobs import run_queued_tasks

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
pytestmark = pytest.mark.django_db


@pytest.fixture
def report() -> str:
    return (SAMPLES / "harbour_report.txt").read_text(encoding="utf-8")


@pytest.fixture
def low_threshold(settings, report):  # type: ignore[no-untyped-def]
    settings.CLAIMS_BACKGROUND_INGEST_CHARS = len(report) // 2


def paste(client, text: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("claims_app:article_upload"), {"text": text, **extra}, follow=True)


def test_a_long_paste_is_queued_with_its_title_and_filed_by_the_worker(editor_client, report, low_threshold):
    response = paste(editor_client, report, title="Harbour, long version", url="https://example.org/harbour")
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("claims_app:article_upload") + "?batch=")
    assert "This article is long" in html and "filed in the background" in html
    assert "Pasted text" in html and 'hx-trigger="every 1s"' in html
    assert not Article.objects.exists()  # nothing filed inside the request

    job = IngestJob.objects.get()
    assert (job.title, job.url, job.filename, job.status) == (
        "Harbour, long version",
        "https://example.org/harbour",
        "",
        "queued",
    )
    run_queued_tasks()
    job.refresh_from_db()
    article = Article.objects.get()
    assert job.status == "done" and job.article == article
    assert article.title == "Harbour, long version" and article.url == "https://example.org/harbour"
    assert article.claims.exists()
    progress = editor_client.get(reverse("claims_app:ingest_progress"), {"batch": job.batch}).content.decode()
    assert article.get_absolute_url() in progress and "every 1s" not in progress


def test_a_short_paste_is_still_filed_in_the_request(editor_client, report, settings):
    settings.CLAIMS_BACKGROUND_INGEST_CHARS = len(report) * 2
    response = paste(editor_client, report)
    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == article.get_absolute_url()
    assert not IngestJob.objects.exists()


def test_a_long_upload_already_filed_is_reported_without_queueing(editor_client, report, low_threshold, settings):
    settings.CLAIMS_BACKGROUND_INGEST_CHARS = len(report) * 2
    paste(editor_client, report)
    settings.CLAIMS_BACKGROUND_INGEST_CHARS = len(report) // 2
    response = paste(editor_client, report)
    assert "Already filed" in response.content.decode()
    assert not IngestJob.objects.exists() and Article.objects.count() == 1


def test_a_long_upload_that_is_refused_says_why_in_the_form(editor_client, low_threshold):
    response = paste(editor_client, "\x00\x01\x02" * 50_000)
    assert response.status_code == 200 and not IngestJob.objects.exists() and not Article.objects.exists()
    assert "errorlist" in response.content.decode()


def test_a_running_job_shows_an_estimate_of_the_time_left(editor, editor_client, report, settings):
    settings.CLAIMS_BACKGROUND_INGEST_CHARS = len(report) * 2
    paste(editor_client, report)  # one filed article gives the pace
    Article.objects.update(ingest_seconds=1.0)
    size = len(bytes(Article.objects.get().raw))
    batch = jobs.queue_files(files=[("long.txt", b"x" * (size * 40))], uploaded_by=editor)
    IngestJob.objects.filter(batch=batch).update(status="running", started_at=timezone.now(), attempts=1)
    progress = editor_client.get(reverse("claims_app:ingest_progress"), {"batch": batch}).content.decode()
    assert "about 40 s left" in progress or "about 39 s left" in progress
