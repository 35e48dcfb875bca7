"""Comment writes: add a comment under a claim, notifying the people it mentions and the claim's watchers."""

from __future__ import annotations

import logging
import re
import unicodedata

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from claims_app import roles
from claims_app.discussion import mentions
from claims_app.models import COMMENT_MAX_LENGTH, Claim, Comment, Notification
from claims_app.notifications import services as notifications

logger = logging.getLogger(__name__)

# Bidirectional overrides and isolates can make a comment display as something other than what it says.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_comment_text(raw: str) -> str:
    """The text without NUL and other control characters (newlines and tabs kept), lone surrogates or bidi
    overrides; line endings as \\n, runs of blank lines cut to one, trimmed."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) not in {"Cc", "Cs"} and ch not in _BIDI_CONTROLS)
    )
    return _BLANK_LINES.sub("\n\n", kept).strip()


def add_comment(*, claim: Claim, user: User, text: str) -> Comment:
    """Add a comment under a claim; the users it mentions get a "mention" notification, the claim's assignee and
    reviewers a "comment" one (never the author)."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can comment.")
    text = clean_comment_text(text)
    if not text:
        raise ValidationError({"text": ValidationError("Write something to comment.", code="empty")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    f"A comment can be at most {COMMENT_MAX_LENGTH:,} characters (this one is {len(text):,}).",
                    code="too_long",
                )
            }
        )
    comment = Comment(claim=claim, author=user, text=text)
    comment.full_clean()
    with transaction.atomic():
        comment.save()
        names = mentions.mentioned_names(text)
        mentioned = (
            set(User.objects.filter(username__in=names, is_active=True).values_list("pk", flat=True))
            if names
            else set()
        )
        notifications.notify(
            kind=Notification.Kind.MENTION, actor=user, claim_ids=[claim.pk], comment=comment, recipient_ids=mentioned
        )
        notifications.notify(
            kind=Notification.Kind.COMMENT, actor=user, claim_ids=[claim.pk], comment=comment, exclude_ids=mentioned
        )
    logger.info(
        "comment %s on claim %s by %s",
        comment.pk,
        claim.pk,
        user.get_username(),
        extra={"event": "claim_comment", "claim": claim.pk, "comment": comment.pk, "user": user.get_username()},
    )
    return comment
