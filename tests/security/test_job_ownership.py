"""Jobs of other editors (issue #13, defect 9): only the uploader (or an admin) sees or retries a job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims_app.ingest import jobs
from claims_app.models import IngestJob
from claims_app.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_job(editor) -> IngestJob:  # type: ignore[no-untyped-def]
    """A failure a retry can fix: the worker stopped mid-ingest on every attempt."""
    raw = b"The minister said the bridge would reopen in May."
    batch = jobs.queue_files(files=[("secret-source-memo.txt", raw)], uploaded_by=editor)
    IngestJob.objects.filter(batch=batch).update(status="running", attempts=jobs.max_attempts())
    jobs.recover_stalled_jobs()
    job = IngestJob.objects.get(batch=batch)
    assert job.status == "failed" and job.retryable
    return job


def retry_url(job: IngestJob) -> str:
    return reverse("claims_app:ingest_job_retry", args=[job.public_id])


def test_retry_urls_name_the_job_by_uuid_not_its_sequential_id(failed_job):
    assert str(failed_job.public_id) in retry_url(failed_job) and f"/{failed_job.pk}/" not in retry_url(failed_job)


def test_another_editor_cannot_retry_or_see_a_job(client, failed_job):
    client.force_login(UserFactory(role=Role.EDITOR))
    response = client.post(retry_url(failed_job))
    assert response.status_code == 404 and "secret-source-memo" not in response.content.decode()
    progress = client.get(reverse("claims_app:ingest_progress"), {"batch": failed_job.batch})
    assert progress.status_code == 404 and "secret-source-memo" not in progress.content.decode()
    failed_job.refresh_from_db()
    assert failed_job.status == "failed"


def test_an_admin_can_retry_anyones_job(admin_client_, failed_job):
    assert admin_client_.post(retry_url(failed_job)).status_code == 302
    failed_job.refresh_from_db()
    assert failed_job.status == "queued"


def test_the_uploader_retries_their_own_job(editor_client, failed_job):
    response = editor_client.post(retry_url(failed_job), headers={"HX-Request": "true"})
    assert "secret-source-memo.txt" in response.content.decode()
    failed_job.refresh_from_db()
    assert failed_job.status == "queued"
