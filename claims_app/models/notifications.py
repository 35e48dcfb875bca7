"""Notifications: what happened to claims a user is assigned to, reviewed or was mentioned about."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims_app.models.claims import Claim
from claims_app.models.discussion import Comment


class Notification(models.Model):
    """One thing for one user to see on /notifications/; written by claims_app.notifications.services.notify."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        MENTION = "mention", "Mentioned you"
        STATUS = "status", "Status changed"
        CORRECTION = "correction", "Corrected"
        LINK = "link", "New link"
        COMMENT = "comment", "New comment"

    # Not db_index: the inbox indexes below start with the recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What changed, in words ("Verified", "text", "Same claim with #12"), so the list needs no other table.
    detail = models.CharField(max_length=300, blank=True)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The unread count in the navigation (recipient, read = false) and "mark all read".
            models.Index(fields=["recipient", "read", "created_at"], name="notification_unread"),
            # The list, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on claim {self.claim_id} for user {self.recipient_id}"
