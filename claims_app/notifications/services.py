"""Notification writes. `notify` is the one way in: the review, linking and discussion services call it inside
their own transaction, so a notification exists exactly when the change it reports does.

Who hears about a change on a claim (its "watchers"): the claim's assignee and everyone who ever changed its
status. Assignments and mentions name their recipients instead. Nobody is notified about their own action.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from claims_app.models import Claim, ClaimStatusChange, Comment, Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind


def _watchers(claim_ids: list[int]) -> set[tuple[int, int]]:
    """(claim id, user id) for each claim's assignee and earlier reviewers, in one query."""
    reviewers = (
        ClaimStatusChange.objects.filter(claim_id__in=claim_ids, changed_by__isnull=False)
        .order_by()
        .values_list("claim_id", "changed_by_id")
    )
    assignees = (
        Claim.objects.filter(pk__in=claim_ids, assignee__isnull=False).order_by().values_list("pk", "assignee_id")
    )
    return set(reviewers.union(assignees))


def notify(
    *,
    kind: str,
    actor: User | None,
    claim_ids: Iterable[int],
    detail: str = "",
    comment: Comment | None = None,
    recipient_ids: Iterable[int] | None = None,
    exclude_ids: Iterable[int] = (),
) -> list[Notification]:
    """Notify about `kind` on each claim: the named `recipient_ids` when given (an assignee, the mentioned),
    else each claim's watchers; never the actor nor `exclude_ids`. Call it inside the change's transaction."""
    claims = sorted(set(claim_ids))
    if not claims:
        return []
    skip = {*exclude_ids, *([actor.pk] if actor is not None else [])}
    if recipient_ids is not None:
        named = set(recipient_ids)
        pairs = {(claim_id, user_id) for claim_id in claims for user_id in named}
    else:
        pairs = _watchers(claims)
    rows = [
        Notification(
            recipient_id=user_id, actor=actor, kind=kind, claim_id=claim_id, comment=comment, detail=detail[:300]
        )
        for claim_id, user_id in sorted(pairs)
        if user_id not in skip
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if settings.CLAIMS_NOTIFY_EMAIL:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: send_emails(ids))
    return created


def mark_read(*, notification: Notification, user: User) -> bool:
    """Mark one of the user's notifications read; True when it was unread."""
    changed = Notification.objects.filter(pk=notification.pk, recipient=user, read=False).update(read=True)
    return changed == 1


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; how many changed."""
    return Notification.objects.filter(recipient=user, read=False).update(read=True)


# ---------------------------------------------------------------- email (CLAIMS_NOTIFY_EMAIL, off by default)


def describe(notification: Notification) -> str:
    """One line saying what happened, for the email subject and body."""
    who = notification.actor.get_username() if notification.actor else "Someone"
    claim = f"claim #{notification.claim_id}"
    detail = notification.detail
    return {
        Kind.ASSIGNED: f"{who} assigned you {claim}",
        Kind.MENTION: f"{who} mentioned you on {claim}",
        Kind.STATUS: f"{who} marked {claim} “{detail}”",
        Kind.CORRECTION: f"{who} corrected the {detail} of {claim}",
        Kind.LINK: f"{who} linked {claim} ({detail})",
        Kind.COMMENT: f"{who} commented on {claim}",
    }.get(Kind(notification.kind), f"{who} changed {claim}")


def _email_lines(n: Notification, site: str) -> list[str]:
    lines = [f"{describe(n)}."]
    if n.comment is not None:
        lines += ["", n.comment.text]
    return [*lines, f"{site}/claims/{n.claim_id}/"]


def send_emails(notification_ids: list[int]) -> int:
    """Email the notifications to their recipients (those with an address), one message per recipient; run
    after the change commits. A mail server that is down is logged, never an error for whoever made the change."""
    rows = (
        Notification.objects.filter(pk__in=notification_ids, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient", "actor", "comment")
        .only("kind", "detail", "claim_id", "recipient__email", "actor__username", "comment__text")
        .order_by("recipient_id", "pk")
    )
    by_recipient: dict[str, list[Notification]] = {}
    for n in rows:
        by_recipient.setdefault(n.recipient.email, []).append(n)
    site = settings.CLAIMS_SITE_URL.rstrip("/")
    messages = []
    for address, items in by_recipient.items():
        # A bulk change (30 claims assigned at once) is one email, not thirty.
        subject = describe(items[0]) if len(items) == 1 else f"{len(items)} notifications: {describe(items[0])}, …"
        body = "\n\n".join("\n".join(_email_lines(n, site)) for n in items)
        messages.append(EmailMessage(subject=f"[Claimdesk] {subject}", body=body, to=[address]))
    if not messages:
        return 0
    try:
        sent = get_connection().send_messages(messages) or 0
    except Exception:  # the change is committed; a notification email is best effort
        logger.exception("notification emails not sent", extra={"event": "notify_email_failed"})
        return 0
    logger.info("%d notification emails sent", sent, extra={"event": "notify_email", "sent": sent})
    return sent
