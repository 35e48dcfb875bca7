"""The foundation: PostgreSQL, constraints, roles, login and the set-up commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from claims_app.models import Claim, ClaimLink, ClaimStatusChange, Evidence
from claims_app.review import services as review_services
from claims_app.roles import Role
from tests.factories import ArticleFactory, ClaimFactory, ClaimLinkFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_app_runs_on_postgresql_with_trigram_and_unaccent():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
    assert {"pg_trgm", "unaccent"} <= extensions


def test_a_query_run_often_on_one_connection_is_prepared():
    """Server-side binding with psycopg's prepare threshold: the sixth run of one query is a prepared statement."""
    ClaimFactory()
    for _ in range(6):
        list(Claim.objects.filter(pk__gte=0).values_list("pk", flat=True)[:1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"claims_app_claim"."id" >= $1' in statement for statement in prepared), prepared


def test_a_query_with_more_parameters_than_the_protocol_carries_still_runs():
    """65,535 is the most a server-bound query takes; a longer pk__in list (or a large bulk_create) is bound on
    the client instead."""
    claim = ClaimFactory()
    ids = [claim.pk, *range(-70_000, 0)]
    assert list(Claim.objects.filter(pk__in=ids).values_list("pk", flat=True)) == [claim.pk]


def test_prepared_statements_can_be_switched_off_for_a_pooler():
    code = "from django.db import connection as c; print(c.settings_dict['OPTIONS'])"
    on, off = (_manage("shell", "-c", code, **env) for env in ({}, {"CLAIMS_DB_PREPARED_STATEMENTS": "false"}))
    assert "'server_side_binding': True" in on.stdout and "'prepare_threshold': 5" in on.stdout, on.stderr
    assert "server_side_binding" not in off.stdout and "prepare_threshold" not in off.stdout, off.stderr


def test_duplicate_content_hash_is_rejected():
    first = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(content_sha256=first.content_sha256)


def test_claim_cannot_link_to_itself():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLink.objects.create(from_claim=claim, to_claim=claim, relation=ClaimLink.Relation.SAME_CLAIM)


def test_a_pair_of_claims_is_linked_once_whatever_the_direction():
    link = ClaimLinkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLink.objects.create(
            from_claim=link.to_claim, to_claim=link.from_claim, relation=ClaimLink.Relation.CONTRADICTS
        )


def test_claim_span_must_not_be_empty():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(start=10, end=10)


def test_evidence_needs_a_url_or_a_note():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(claim=claim)


@pytest.mark.parametrize(
    "url_name",
    [
        "claims_app:home",
        "claims_app:claim_list",
        "claims_app:article_list",
        "claims_app:speaker_list",
        "claims_app:article_upload",
    ],
)
def test_anonymous_visitor_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_lets_a_user_in(client, editor):
    response = client.post(reverse("login"), {"username": "eddie", "password": "test-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("claims_app:home")).status_code == 200


def test_viewer_cannot_post_a_status_change(viewer_client):
    claim = ClaimFactory()
    response = viewer_client.post(reverse("claims_app:claim_status", args=[claim.pk]), {"status": "verified"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNREVIEWED
    assert not ClaimStatusChange.objects.exists()


def test_viewer_sees_no_review_form_and_cannot_upload(viewer_client):
    claim = ClaimFactory()
    page = viewer_client.get(claim.get_absolute_url())
    assert page.status_code == 200
    assert b"Save review" not in page.content
    assert viewer_client.get(reverse("claims_app:article_upload")).status_code == 403


def test_editor_marks_claim_verified_and_history_records_it(editor_client, editor):
    claim = ClaimFactory()
    response = editor_client.post(
        reverse("claims_app:claim_status", args=[claim.pk]),
        {"status": "verified", "note": "Matches the harbour log.", "version": claim.version},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.reviewed_by) == (Claim.Status.VERIFIED, 2, editor)
    change = ClaimStatusChange.objects.get(claim=claim)
    assert (change.old_status, change.new_status, change.note, change.changed_by) == (
        "unreviewed",
        "verified",
        "Matches the harbour log.",
        editor,
    )


def test_stale_version_is_a_conflict_not_a_silent_overwrite(editor_client, editor):
    claim = ClaimFactory()
    review_services.change_claim_status(claim=claim, user=editor, status="false", expected_version=1)
    response = editor_client.post(
        reverse("claims_app:claim_status", args=[claim.pk]), {"status": "verified", "version": 1}, follow=True
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FALSE
    assert "someone else changed this claim" in response.content.decode()


def test_pages_render_for_a_viewer(viewer_client):
    claim = ClaimFactory()
    for url in [
        reverse("claims_app:home"),
        reverse("claims_app:claim_list"),
        claim.get_absolute_url(),
        claim.article.get_absolute_url(),
        reverse("claims_app:speaker_list"),
        claim.speaker.get_absolute_url(),
    ]:
        response = viewer_client.get(url)
        assert response.status_code == 200, url
        assert b"htmx" in response.content  # the bundled htmx script is on every page


def test_article_page_escapes_stored_html(viewer_client):
    claim = ClaimFactory(text="<script>alert(1)</script>", article__body=" <script>alert(1)</script> said Ann.")
    page = viewer_client.get(claim.article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_createuser_command_makes_an_editor(django_user_model):
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("sys.stdin", StringIO("a-long-enough-password\n")):
        call_command("createuser", "newsdesk", "--role", "editor", "--password-stdin", stdout=StringIO())
    user = django_user_model.objects.get(username="newsdesk")
    assert user.has_perm("claims_app.review_claim")
    assert not user.has_perm("claims_app.change_speaker")


def test_roles_are_ordered_viewer_editor_admin(viewer, editor, admin_user):
    from claims_app.roles import role_of

    assert [role_of(u) for u in (viewer, editor, admin_user)] == [Role.VIEWER, Role.EDITOR, Role.ADMIN]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "url, expected",
    [
        ("mysql://u:p@localhost/x", "PostgreSQL only"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "cannot reach the database"),
    ],
)
def test_bad_database_url_gives_one_line_error(url, expected):
    result = _manage("showmigrations", DATABASE_URL=url)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_data_dir_gives_one_line_error():
    result = _manage("showmigrations", DATABASE_URL="", CLAIMS_DATA_DIR="/proc/claimdesk-data")
    assert result.returncode != 0
    assert "Cannot use data directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-for-tests",
        DJANGO_ALLOWED_HOSTS="claimdesk.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
