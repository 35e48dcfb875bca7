"""Notification reads: the inbox page and the unread count, each a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from claims_app.models import CLAIM_INDEX_ONLY, Notification

# The badge says "99+" beyond this: counting a backlog of thousands on every page is not worth it.
UNREAD_CAP = 99


def inbox(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first, with who did it, the claim's text and the comment."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "claim", "comment")
        .defer(*(f"claim__{column}" for column in CLAIM_INDEX_ONLY))
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (one index range scan)."""
    return Notification.objects.filter(recipient=user, read=False).order_by()[: UNREAD_CAP + 1].count()


def badge_label(count: int) -> str:
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


def notification_for(user: User, pk: int) -> Notification:
    """One of the user's notifications (someone else's is DoesNotExist, so a 404)."""
    return inbox(user).get(pk=pk)
