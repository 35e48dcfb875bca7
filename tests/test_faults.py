"""Faults on real PostgreSQL connections: a backend killed mid-ingest, a worker killed mid-ingest, two editors.

These use committed data (transactional tests) because the point is what other connections see.
"""

from __future__ import annotations

import importlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from claims_app.api import tokens
from claims_app.ingest import jobs
from claims_app.ingest import services as ingest_services
from claims_app.models import Article, Claim, ClaimStatusChange, IngestJob, Speaker
from claims_app.roles import Role
from tests.factories import ClaimFactory, UserFactory

SAMPLES = Path(__file__).parent / "samples"
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def roles_ready(transactional_db):  # type: ignore[no-untyped-def]
    """transactional_db empties tables between tests; recreate the role groups the data migration made."""
    from django.apps import apps

    importlib.import_module("claims_app.migrations.0003_roles").create_roles(apps, None)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def other_connection() -> psycopg.Connection:
    """A second, independent connection to the test database (not Django's)."""
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"], autocommit=True
    )


def terminate_backend_during(target: object, attribute: str):  # type: ignore[no-untyped-def]
    """Patch target.attribute so that, when called, a second connection first kills our server backend."""
    real = getattr(target, attribute)

    def killed_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        pid = connection.connection.info.backend_pid
        with other_connection() as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real(*args, **kwargs)

    return mock.patch.object(target, attribute, killed_first)


def committed_counts() -> tuple[int, int, int]:
    with other_connection() as other:
        return tuple(  # type: ignore[return-value]
            other.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("claims_app_article", "claims_app_claim", "claims_app_speaker")
        )


def test_database_connection_killed_mid_ingest_leaves_no_partial_article():
    with terminate_backend_during(Claim.objects, "bulk_create"), pytest.raises(Exception) as excinfo:
        ingest_services.ingest_article(raw=sample("harbour_report.txt"), filename="a.txt")
    assert "terminat" in str(excinfo.value).lower() or "closed" in str(excinfo.value).lower()
    assert committed_counts() == (0, 0, 0)  # article and speakers were written, then rolled back whole
    connection.close()
    article = ingest_services.ingest_article(raw=sample("harbour_report.txt"), filename="a.txt")  # and a retry works
    assert committed_counts()[0] == 1 and article.claims.exists()


def test_upload_whose_database_connection_dies_reports_it_and_saves_nothing(editor):
    client = Client()
    client.force_login(editor)
    with terminate_backend_during(Claim.objects, "bulk_create"):
        response = client.post(reverse("claims_app:article_upload"), {"text": sample("harbour_report.txt").decode()})
    assert response.status_code == 503
    assert "database was unavailable" in response.content.decode()
    assert committed_counts() == (0, 0, 0)


def test_background_job_whose_database_connection_dies_is_requeued_then_filed(editor):
    batch = jobs.queue_files(files=[("a.txt", sample("harbour_report.txt"))], uploaded_by=editor)
    job = IngestJob.objects.get(batch=batch)
    with terminate_backend_during(Claim.objects, "bulk_create"):
        assert jobs.run_job(job_id=job.pk) == "requeued"
    job.refresh_from_db()
    assert job.status == "queued" and "Database error" in job.message and job.attempts == 1
    assert committed_counts() == (0, 0, 0)
    assert jobs.run_job(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert job.attempts == 2 and Article.objects.count() == 1 and job.article == Article.objects.get()


def _backend_waiting_on_claim_insert(conn: psycopg.Connection) -> int | None:
    row = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE 'INSERT INTO \"claims_app_claim\"%%'"
    ).fetchone()
    return row[0] if row else None


def _start_worker(*args: str) -> subprocess.Popen:  # type: ignore[type-arg]
    command = [sys.executable, str(ROOT / "tests" / "run_worker.py"), connection.settings_dict["NAME"], *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_worker_killed_mid_ingest_is_retried_without_a_duplicate_article(editor):
    batch = jobs.queue_files(files=[("a.txt", sample("harbour_report.txt"))], uploaded_by=editor)
    job = IngestJob.objects.get(batch=batch)
    with other_connection() as blocker, other_connection() as watcher:
        # Hold the claim table so the worker stops after writing the article and speakers, before the claims.
        blocker.autocommit = False
        blocker.execute("LOCK TABLE claims_app_claim IN ACCESS EXCLUSIVE MODE")
        worker = _start_worker("--interval=0.2")
        try:
            deadline = time.monotonic() + 90
            while (pid := _backend_waiting_on_claim_insert(watcher)) is None:
                assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
                assert time.monotonic() < deadline, "worker never reached the claim insert"
                time.sleep(0.1)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
            blocker.rollback()
        deadline = time.monotonic() + 30
        while watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the dead worker's backend did not go away"
            time.sleep(0.1)
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1
    assert committed_counts() == (0, 0, 0)  # nothing of the killed run survived

    rerun = _start_worker("--batch")
    output, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, output
    assert "Requeued 1 ingest job" in output
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert Article.objects.count() == 1 and job.article == Article.objects.get()
    assert Claim.objects.filter(article=job.article).count() > 0
    assert Speaker.objects.filter(name="Ilse Varga").count() == 1


def test_two_editors_changing_one_claim_at_once_one_wins_and_the_other_sees_a_conflict(editor):
    claim = ClaimFactory()
    other_editor = UserFactory(username="olga", role=Role.EDITOR)
    results: dict[str, object] = {}
    start = threading.Barrier(3)

    def review(user, status: str) -> None:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        start.wait()
        response = client.post(
            reverse("claims_app:claim_status", args=[claim.pk]),
            {"status": status, "version": 1, "note": f"{user.username} says {status}"},
            headers={"HX-Request": "true", "HX-Target": "status-panel"},
        )
        results[user.username] = response
        connections.close_all()

    with transaction.atomic():
        # Hold the row so both requests are in flight, each on its own connection, before either can save.
        Claim.objects.select_for_update().get(pk=claim.pk)
        threads = [
            threading.Thread(target=review, args=(editor, "verified")),
            threading.Thread(target=review, args=(other_editor, "false")),
        ]
        for thread in threads:
            thread.start()
        start.wait()
        with other_connection() as watcher:
            deadline = time.monotonic() + 20
            while (
                watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND query LIKE '%%FOR UPDATE%%'"
                ).fetchone()[0]
                < 2
            ):
                assert time.monotonic() < deadline
                time.sleep(0.05)
    for thread in threads:
        thread.join(30)

    pages = {name: response.content.decode() for name, response in results.items()}  # type: ignore[union-attr]
    conflicted = [name for name, html in pages.items() if "someone else changed this claim" in html]
    saved = [name for name, html in pages.items() if "Marked" in html]
    assert len(conflicted) == 1 and len(saved) == 1
    claim.refresh_from_db()
    assert claim.version == 2
    changes = list(ClaimStatusChange.objects.filter(claim=claim))
    assert len(changes) == 1 and changes[0].changed_by.username == saved[0]
    assert claim.status == changes[0].new_status  # the winner's change stands; the loser's never overwrote it


def test_request_after_the_database_dropped_our_connection_reconnects(viewer):
    """The server ends Django's connection between two requests; CONN_HEALTH_CHECKS notices and reconnects.

    Through the real WSGI handler (django.test.Client skips the request_started connection check)."""
    from django.core.wsgi import get_wsgi_application
    from werkzeug.test import Client as WsgiClient

    ClaimFactory()
    _, key = tokens.create_api_token(user=viewer, name="restart")
    client = WsgiClient(get_wsgi_application())
    headers = {"Authorization": f"Bearer {key}"}
    with mock.patch.dict(connection.settings_dict, CONN_MAX_AGE=None):  # keep the connection across requests
        assert client.get("/api/claims/", headers=headers).status_code == 200
        pid = connection.connection.info.backend_pid
        with other_connection() as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        response = client.get("/api/claims/", headers=headers)
    assert response.status_code == 200 and response.json["count"] == 1
    assert connection.connection.info.backend_pid != pid
