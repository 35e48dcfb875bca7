"""Comments: the editors' discussion under a claim."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from claims_app.models.claims import Claim

# Long enough for a paragraph of notes and a few links; longer belongs in evidence.
COMMENT_MAX_LENGTH = 5000


class Comment(models.Model):
    """One comment under a claim (plain text; `@username` mentions and http(s) links are rendered on display)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["claim", "created_at"], name="comment_claim_created")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="comment_text_not_empty")]

    def __str__(self) -> str:
        return self.text[:80]
