"""Notifications: who is told about what, the inbox page, the unread badge, marking read, and email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.discussion.services import add_comment
from claims_app.linking.services import create_origin, link_claims, set_statement_origin
from claims_app.models import Notification
from claims_app.notifications import selectors
from claims_app.notifications.services import notify
from claims_app.review import services as review
from claims_app.roles import Role
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("claims_app:notification_list")
Kind = Notification.Kind


@pytest.fixture
def olga(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="olga", role=Role.EDITOR, email="olga@example.org")


@pytest.fixture
def olga_client(olga) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(olga)
    return client


def kinds(user) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "claim_id"))


def test_assignment_notifies_the_assignee_and_nobody_else(editor_client, editor, olga):
    claim = ClaimFactory()
    editor_client.post(reverse("claims_app:claim_assign", args=[claim.pk]), {"assignee": "olga"})
    assert kinds(olga) == [(Kind.ASSIGNED, claim.pk)]
    assert kinds(editor) == []
    n = Notification.objects.get()
    assert n.actor == editor and not n.read


def test_assigning_yourself_notifies_nobody(editor):
    claim = ClaimFactory()
    review.assign_claim(claim=claim, user=editor, assignee_username="eddie")
    assert not Notification.objects.exists()


def test_bulk_assignment_notifies_the_assignee_once_per_claim(editor, olga):
    claims = [ClaimFactory() for _ in range(3)]
    review.bulk_assign(claim_ids=[c.pk for c in claims], user=editor, assignee_username="olga")
    assert sorted(kinds(olga)) == sorted((Kind.ASSIGNED, c.pk) for c in claims)


def test_mention_notifies_the_mentioned_user_once(editor, olga, viewer):
    claim = ClaimFactory(assignee=olga)
    comment = add_comment(claim=claim, user=editor, text="@olga please look; @vera FYI; @ghost; @eddie")
    # A mention, not also a "comment" notification for the assignee; the author is never notified.
    assert kinds(olga) == [(Kind.MENTION, claim.pk)]
    assert kinds(viewer) == [(Kind.MENTION, claim.pk)]
    assert kinds(editor) == []
    assert Notification.objects.filter(recipient=olga).get().comment == comment


def test_a_comment_notifies_the_assignee_and_reviewers(editor, olga, admin_user):
    claim = ClaimFactory(assignee=olga)
    review.change_claim_status(claim=claim, user=admin_user, status="verified")
    add_comment(claim=claim, user=editor, text="Are we sure?")
    assert kinds(olga) == [(Kind.STATUS, claim.pk), (Kind.COMMENT, claim.pk)]
    assert kinds(admin_user) == [(Kind.COMMENT, claim.pk)]


def test_status_change_notifies_assignee_and_earlier_reviewers_but_not_the_actor(editor, olga, admin_user):
    claim = ClaimFactory(assignee=olga)
    other = ClaimFactory()
    review.change_claim_status(claim=claim, user=admin_user, status="unverified")
    review.change_claim_status(claim=other, user=admin_user, status="verified")
    Notification.objects.all().delete()
    review.change_claim_status(claim=claim, user=editor, status="false")
    assert kinds(olga) == [(Kind.STATUS, claim.pk)]
    assert kinds(admin_user) == [(Kind.STATUS, claim.pk)]
    assert kinds(editor) == []
    assert Notification.objects.get(recipient=olga).detail == "False"
    # the editor is a reviewer now: the admin's next change tells them, and the admin is not told
    review.change_claim_status(claim=claim, user=admin_user, status="disputed")
    assert kinds(editor) == [(Kind.STATUS, claim.pk)]
    assert kinds(admin_user) == [(Kind.STATUS, claim.pk)]


def test_bulk_status_change_notifies_each_claims_watchers(editor, olga):
    claims = [ClaimFactory(assignee=olga) for _ in range(3)]
    review.bulk_change_status(claim_versions={c.pk: c.version for c in claims}, user=editor, status="verified")
    assert sorted(kinds(olga)) == sorted((Kind.STATUS, c.pk) for c in claims)


def test_corrections_and_links_notify_the_watchers(editor, olga):
    claim = ClaimFactory(assignee=olga)
    other = ClaimFactory()
    review.correct_claim(claim=claim, user=editor, text="The ferries will run on Tuesday,")
    review.set_claim_rejected(claim=claim, user=editor, rejected=True)
    link_claims(from_claim=other, to_claim=claim, relation="same_claim", user=editor)
    assert kinds(olga) == [(Kind.CORRECTION, claim.pk), (Kind.CORRECTION, claim.pk), (Kind.LINK, claim.pk)]
    assert Notification.objects.filter(recipient=olga, kind=Kind.LINK).get().detail == f"Same claim with #{other.pk}"


def test_an_origin_edit_is_a_correction_for_the_watchers(editor, olga):
    claim = ClaimFactory(assignee=olga)
    origin = create_origin(user=editor, speaker=claim.speaker, medium="told Radio Selden")
    set_statement_origin(claims=[claim], origin=origin, user=editor)
    assert kinds(olga) == [(Kind.CORRECTION, claim.pk)]
    assert Notification.objects.get().detail == "origin"


def test_a_change_that_changes_nothing_notifies_nobody(editor, olga):
    claim = ClaimFactory(assignee=olga)
    review.correct_claim(claim=claim, user=editor, text=claim.text)
    review.assign_claim(claim=claim, user=editor, assignee_username="olga")
    assert not Notification.objects.exists()


def test_inbox_lists_newest_first_with_what_happened(olga_client, editor, olga):
    claim = ClaimFactory(assignee=None)
    review.assign_claim(claim=claim, user=editor, assignee_username="olga")
    add_comment(claim=claim, user=editor, text="@olga over to you <b>now</b>")
    body = olga_client.get(INBOX).content.decode()
    assert body.index("mentioned you on") < body.index("assigned you")
    assert "over to you &lt;b&gt;now&lt;/b&gt;" in body
    assert f'href="/claims/{claim.pk}/#comments"' in body


def test_nobody_sees_another_users_notifications(editor_client, editor, olga):
    review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    n = Notification.objects.get()
    assert "assigned you" not in editor_client.get(INBOX).content.decode()
    assert editor_client.post(reverse("claims_app:notification_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert not n.read


def test_mark_one_read_with_htmx_and_without(olga_client, editor, olga):
    claims = [ClaimFactory() for _ in range(2)]
    for claim in claims:
        review.assign_claim(claim=claim, user=editor, assignee_username="olga")
    first, second = Notification.objects.order_by("pk")
    response = olga_client.post(reverse("claims_app:notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li id="notification-{first.pk}"') and "Mark read" not in body
    assert "notificationsChanged" in response["HX-Trigger"]
    response = olga_client.post(reverse("claims_app:notification_read", args=[second.pk]), {"next": "/claims/"})
    assert response.status_code == 302 and response["Location"] == "/claims/"
    assert not Notification.objects.filter(read=False).exists()


def test_mark_all_read_with_htmx_and_without(olga_client, editor, olga):
    for _ in range(3):
        review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    url = reverse("claims_app:notification_read_all")
    response = olga_client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="notification-list")
    assert response.content.decode().lstrip().startswith('<section id="notification-list"')
    assert "Marked 3 notifications read." in response.content.decode()
    assert not Notification.objects.filter(read=False).exists()
    review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    response = olga_client.post(url, follow=True)
    assert "Marked 1 notification read." in response.content.decode()
    assert not Notification.objects.filter(read=False).exists()


def test_unread_count_in_the_navigation_and_the_polled_badge(olga_client, editor, olga):
    home = reverse("claims_app:home")
    assert 'data-testid="unread-count"' not in olga_client.get(home).content.decode()
    for _ in range(2):
        review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    body = olga_client.get(home).content.decode()
    assert 'data-testid="unread-count" title="2 unread">2</span>' in body
    assert 'hx-get="/notifications/count/" hx-trigger="every 30s' in body
    badge = olga_client.get(reverse("claims_app:notification_count"), HTTP_HX_REQUEST="true").content.decode()
    assert badge.lstrip().startswith('<a href="/notifications/" id="notification-badge"') and ">2</span>" in badge
    Notification.objects.update(read=True)
    badge = olga_client.get(reverse("claims_app:notification_count"), HTTP_HX_REQUEST="true").content.decode()
    assert "unread-count" not in badge


def test_unread_count_is_capped(editor, olga):
    claims = [ClaimFactory() for _ in range(selectors.UNREAD_CAP + 5)]
    review.bulk_assign(claim_ids=[c.pk for c in claims], user=editor, assignee_username="olga")
    assert selectors.unread_count(olga) == selectors.UNREAD_CAP + 1
    assert selectors.badge_label(selectors.unread_count(olga)) == "99+"


def test_the_badge_costs_one_query_and_htmx_partials_none(olga_client, editor, olga):
    claim = ClaimFactory()
    review.assign_claim(claim=claim, user=editor, assignee_username="olga")
    with CaptureQueriesContext(connection) as ctx:
        olga_client.get(reverse("claims_app:notification_count"), HTTP_HX_REQUEST="true")
    assert sum("claims_app_notification" in q["sql"] for q in ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        olga_client.get(claim.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="history")
    assert not any("claims_app_notification" in q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        olga_client.get(claim.get_absolute_url())
    assert sum("claims_app_notification" in q["sql"] for q in ctx.captured_queries) == 1


def test_the_inbox_polls_itself_and_answers_the_poll_with_the_list(olga_client):
    body = olga_client.get(INBOX).content.decode()
    assert '<section id="notification-list" hx-get="/notifications/" hx-trigger="every 20s"' in body
    partial = olga_client.get(INBOX, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="notification-list").content.decode()
    assert partial.lstrip().startswith('<section id="notification-list"') and "<html" not in partial


def test_inbox_runs_the_same_number_of_queries_for_5_or_30_notifications(olga_client, editor, olga):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert olga_client.get(INBOX).status_code == 200
        return len(ctx)

    def make(n: int) -> None:
        for i in range(n):
            claim = ClaimFactory()
            if i % 2:
                review.assign_claim(claim=claim, user=editor, assignee_username="olga")
            else:
                add_comment(claim=claim, user=editor, text=f"@olga look at {i}")

    make(5)
    small = count_queries()
    make(25)
    assert count_queries() == small


def test_inbox_is_paginated(olga_client, editor, olga):
    claims = [ClaimFactory() for _ in range(30)]
    review.bulk_assign(claim_ids=[c.pk for c in claims], user=editor, assignee_username="olga")
    first = olga_client.get(INBOX).content.decode()
    assert first.count('class="notification unread"') == 25 and "page=2" in first
    second = olga_client.get(INBOX, {"page": 2}).content.decode()
    assert second.count('class="notification unread"') == 5


def test_viewer_has_an_inbox_and_anonymous_is_sent_to_login(viewer_client):
    assert viewer_client.get(INBOX).status_code == 200
    response = Client().get(INBOX)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_mark_read_requires_a_csrf_token(editor, olga):
    review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    client = Client(enforce_csrf_checks=True)
    client.force_login(olga)
    assert client.post(reverse("claims_app:notification_read_all")).status_code == 403


# ---------------------------------------------------------------- email


def test_no_email_when_the_setting_is_off(editor, olga, settings, django_capture_on_commit_callbacks):
    settings.CLAIMS_NOTIFY_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_email_sent_after_commit_when_the_setting_is_on(editor, olga, settings, django_capture_on_commit_callbacks):
    settings.CLAIMS_NOTIFY_EMAIL = True
    settings.CLAIMS_SITE_URL = "https://desk.example.org/"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    claim = ClaimFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add_comment(claim=claim, user=editor, text="@olga the weir figures are off")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olga@example.org"]
    assert message.subject == f"[Claimdesk] eddie mentioned you on claim #{claim.pk}"
    assert "the weir figures are off" in message.body
    assert f"https://desk.example.org/claims/{claim.pk}/" in message.body


def test_a_bulk_change_is_one_email_per_recipient(editor, olga, settings, django_capture_on_commit_callbacks):
    settings.CLAIMS_NOTIFY_EMAIL = True
    claims = [ClaimFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        review.bulk_assign(claim_ids=[c.pk for c in claims], user=editor, assignee_username="olga")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Claimdesk] 3 notifications: eddie assigned you claim #")
    assert all(f"/claims/{c.pk}/" in mail.outbox[0].body for c in claims)


def test_users_without_an_address_get_no_email(editor, settings, django_capture_on_commit_callbacks):
    settings.CLAIMS_NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(username="noemail", role=Role.EDITOR, email="")
    with django_capture_on_commit_callbacks(execute=True):
        review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="noemail")
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_a_failing_mail_server_does_not_fail_the_change(editor, olga, settings, django_capture_on_commit_callbacks):
    settings.CLAIMS_NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=True):
        review.assign_claim(claim=ClaimFactory(), user=editor, assignee_username="olga")
    assert Notification.objects.count() == 1


def test_notify_writes_one_bulk_insert(editor, olga, admin_user):
    claims = [ClaimFactory(assignee=olga) for _ in range(5)]
    for claim in claims:
        review.change_claim_status(claim=claim, user=admin_user, status="verified")
    with CaptureQueriesContext(connection) as ctx:
        notify(kind=Kind.STATUS, actor=editor, claim_ids=[c.pk for c in claims], detail="False")
    assert len(ctx) == 2  # the watchers (one UNION query) and one INSERT
    assert Notification.objects.filter(kind=Kind.STATUS, actor=editor).count() == 10
