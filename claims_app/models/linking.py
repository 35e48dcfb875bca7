"""Links between claims, statement origins and link-suggestion decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims_app.models.articles import Article
from claims_app.models.claims import Claim
from claims_app.models.constraints import unordered_pair_constraints
from claims_app.models.speakers import Speaker


class ClaimLink(models.Model):
    class Relation(models.TextChoices):
        SAME_CLAIM = "same_claim", "Same claim"
        PARAPHRASE = "paraphrase", "Paraphrase"
        CORROBORATES = "corroborates", "Corroborates"
        CONTRADICTS = "contradicts", "Contradicts"
        SAME_ORIGIN = "same_origin", "Same origin"

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_out")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=20, choices=Relation.choices, db_index=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="claimlink_newest")]  # recent activity
        constraints = unordered_pair_constraints("from_claim", "to_claim", prefix="claim_link")

    def __str__(self) -> str:
        return f"{self.from_claim_id} {self.relation} {self.to_claim_id}"


class StatementOrigin(models.Model):
    """One original statement (an interview, a briefing, a wire story) that claims in many articles repeat.

    Ten articles quoting one TV interview are one origin, not ten independent sources.
    """

    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="origins")
    medium = models.CharField(
        max_length=300, blank=True, help_text="Where it was first said, e.g. “told Rossiya-24”, “Reuters”."
    )
    first_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="First appearance."
    )
    first_seen = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        who = self.speaker.name if self.speaker_id and self.speaker else "unknown speaker"
        return f"{who}{f' — {self.medium}' if self.medium else ''} (origin #{self.pk})"


class LinkSuggestionDecision(models.Model):
    """An editor's answer to a suggested link; a dismissed pair is never suggested again."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices, db_index=True)
    score = models.FloatField(null=True, blank=True)
    relation_guess = models.CharField(max_length=20, choices=ClaimLink.Relation.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = unordered_pair_constraints("claim", "candidate", prefix="suggestion_decision")

    def __str__(self) -> str:
        return f"{self.claim_id} ~ {self.candidate_id}: {self.decision}"


class OriginPairingUndo(models.Model):
    """An editor undid an automatic origin pairing of these two claims; the tracer never pairs them again."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-undone_at", "-pk"]
        constraints = unordered_pair_constraints("claim", "other", prefix="origin_undo")

    def __str__(self) -> str:
        return f"{self.claim_id} ≁ {self.other_id}"
