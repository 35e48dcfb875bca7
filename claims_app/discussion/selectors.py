"""Comment reads: a claim's discussion, rendered, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.safestring import SafeString

from claims_app.discussion import mentions
from claims_app.models import Claim, Comment


@dataclass(frozen=True, slots=True)
class RenderedComment:
    comment: Comment
    html: SafeString  # escaped text with mention and link anchors (mentions.render)


def claim_to_comment(pk: int) -> Claim:
    """Just the claim's id: the comment service and the answer need no more."""
    return Claim.objects.only("pk").get(pk=pk)


def existing_usernames(names: Iterable[str]) -> set[str]:
    """Which of `names` are active users (one query, none when there are no names)."""
    wanted = set(names)
    if not wanted:
        return set()
    return set(User.objects.filter(username__in=wanted, is_active=True).values_list("username", flat=True))


def rendered(comments: Iterable[Comment]) -> list[RenderedComment]:
    """Comments with their HTML; one query finds which mentioned users exist."""
    items = list(comments)
    users = existing_usernames(mentions.mentioned_in(c.text for c in items))
    return [RenderedComment(c, mentions.render(c.text, users)) for c in items]


def claim_comments(claim: Claim) -> list[RenderedComment]:
    """The claim's comments, oldest first; pass a claim with comments__author prefetched (review's claim_detail)."""
    return rendered(claim.comments.all())
