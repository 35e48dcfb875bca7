"""Speakers, their aliases, merge suggestions and the merges an admin did."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.urls import reverse

from claims_app.models.constraints import unordered_pair_constraints


class Speaker(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        GROUP = "group", "Group"
        UNKNOWN = "unknown", "Unknown"

    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNKNOWN, db_index=True)
    role = models.CharField(max_length=500, blank=True, help_text="e.g. commander of the river flotilla")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(OpClass("normalised_name", name="gin_trgm_ops"), name="speaker_name_trgm"),
            # The claim list's search matches speaker names too (selectors._full_text uses this expression).
            GinIndex(SearchVector("name", config="english"), name="speaker_name_fts"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("claims_app:speaker_detail", args=[self.pk])


class SpeakerAlias(models.Model):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300, db_index=True)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "speaker aliases"
        constraints = [models.UniqueConstraint(fields=["speaker", "alias"], name="speaker_alias_unique")]
        indexes = [GinIndex(OpClass("normalised", name="gin_trgm_ops"), name="speaker_alias_trgm")]

    def __str__(self) -> str:
        return self.alias


class SpeakerMergeSuggestion(models.Model):
    """An uncertain cross-article match that ingestion did not merge on its own."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = unordered_pair_constraints("speaker", "candidate", prefix="merge_suggestion")

    def __str__(self) -> str:
        return f"{self.speaker} ≈ {self.candidate} ({self.score:.2f})"


class SpeakerMerge(models.Model):
    """A merge of one speaker into another, with a snapshot of what moved so it can be undone exactly."""

    kept = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="merges")
    removed_speaker_id = models.BigIntegerField(help_text="Primary key of the merged-away speaker; reused on undo.")
    removed_name = models.CharField(max_length=300)
    snapshot = models.JSONField(help_text="The removed speaker's fields, moved claim and alias ids, suggestions.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True, db_index=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.kept_id}"
