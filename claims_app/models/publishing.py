"""The desk's workflow settings: who publishes ClaimReviews and the rating scale they use."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


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
