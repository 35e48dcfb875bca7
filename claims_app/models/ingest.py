"""Queued uploads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from claims_app.models.articles import Article


class IngestJob(models.Model):
    """One file queued for background ingestion: the bytes to ingest and how far it got."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Filed"
        DUPLICATE = "duplicate", "Already filed"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.DUPLICATE, Status.FAILED)
    # Set on running jobs by ingest.jobs.estimate_time_left for the progress page; not a column.
    seconds_left: int | None = None

    batch = models.UUIDField(db_index=True, help_text="Files uploaded together share a batch.")
    # URLs name a job by this, never by its sequential id (which would let anyone count and probe jobs).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(max_length=255)
    raw = models.BinaryField(blank=True, help_text="The upload as received; cleared once filed.")
    size = models.PositiveIntegerField(default=0)
    outlet = models.CharField(max_length=300, blank=True)
    # A single long upload goes to the worker with the title and URL its uploader typed.
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.TextField(blank=True, help_text="Why it failed, or what was filed.")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    retryable = models.BooleanField(
        default=True, help_text="False when a retry cannot help (the input itself was refused or too large)."
    )
    task_id = models.CharField(max_length=64, blank=True, help_text="The django-tasks result id of the latest run.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "duplicate", "failed"]),
                name="ingest_job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
