"""The desk's workflow settings (who publishes ClaimReviews, the rating scale) and the published fact-checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from claims_app.models.claims import Claim


class WorkflowSettings(models.Model):
    """One row (pk 1, made by migration 0018), edited in Django admin; ClaimReview output reads it."""

    organisation_name = models.CharField(max_length=200, default="Claimdesk")
    organisation_url = models.URLField(max_length=500, blank=True)
    organisation_logo_url = models.URLField(max_length=500, blank=True)
    verified_label = models.CharField(max_length=50, default="True")
    verified_rating = models.PositiveSmallIntegerField(default=5)
    unverified_label = models.CharField(max_length=50, default="Unverified")
    unverified_rating = models.PositiveSmallIntegerField(default=3)
    false_label = models.CharField(max_length=50, default="False")
    false_rating = models.PositiveSmallIntegerField(default=1)
    disputed_label = models.CharField(max_length=50, default="Disputed")
    disputed_rating = models.PositiveSmallIntegerField(default=2)
    best_rating = models.PositiveSmallIntegerField(default=5)
    worst_rating = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = "workflow settings"
        verbose_name_plural = "workflow settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="workflowsettings_singleton"),
            models.CheckConstraint(condition=Q(best_rating__gt=F("worst_rating")), name="workflowsettings_scale_order"),
        ]

    def __str__(self) -> str:
        return "Workflow settings"

    @classmethod
    def load(cls) -> WorkflowSettings:
        """The one row (recreated with defaults if someone deleted it in the database)."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class PublishedFactCheck(models.Model):
    """A claim's public fact-check as the editor published it: a snapshot, so a later review does not change
    the public page until someone publishes again (claims_app/publishing/services.py)."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="published_fact_check")
    # What the page shows, copied from the claim when it was (re)published.
    claim_text = models.TextField()
    status = models.CharField(max_length=20, choices=Claim.Status.choices)
    note = models.TextField()
    speaker_name = models.CharField(max_length=300, blank=True)
    speaker_kind = models.CharField(max_length=20, blank=True)
    evidence = models.JSONField(default=list, blank=True, help_text='[{"url": ..., "note": ...}] when published.')
    rating_value = models.SmallIntegerField()
    rating_label = models.CharField(max_length=50)
    best_rating = models.SmallIntegerField()
    worst_rating = models.SmallIntegerField()
    # The claim's version when published: a different version now means the page is behind the claim.
    claim_version = models.PositiveIntegerField()
    published_at = models.DateTimeField(help_text="First publication.")
    updated_at = models.DateTimeField(help_text="Latest (re)publication.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_live = models.BooleanField(default=True, help_text="False once unpublished (the public URL is then a 404).")

    class Meta:
        verbose_name = "published fact-check"
        constraints = [
            models.CheckConstraint(condition=~Q(status="unreviewed"), name="publishedfactcheck_has_verdict"),
            models.CheckConstraint(condition=~Q(note=""), name="publishedfactcheck_has_note"),
        ]
        indexes = [
            # /fact-checks/ and its feed: the live ones, newest first.
            models.Index(fields=["-published_at", "-id"], condition=Q(is_live=True), name="factcheck_live_newest"),
        ]

    def __str__(self) -> str:
        return f"Fact-check of claim {self.claim_id}"

    def get_absolute_url(self) -> str:
        return reverse("claims_app:fact_check_detail", args=[self.claim_id])

    @property
    def was_updated(self) -> bool:
        """Republished after its first publication (the page then says "Updated <date>")."""
        return self.updated_at > self.published_at
