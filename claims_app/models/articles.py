"""Articles as filed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse


class Article(models.Model):
    title = models.CharField(max_length=500)
    author = models.CharField(max_length=300, blank=True)
    outlet = models.CharField(max_length=300, blank=True, db_index=True)
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, default="en")
    filename = models.CharField(max_length=255, blank=True)
    raw = models.BinaryField(help_text="The upload exactly as received.")
    body = models.TextField(help_text="Cleaned text; claim offsets index into this.")
    content_sha256 = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the normalised body; detects duplicate uploads."
    )
    boilerplate_removed = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ingest_model = models.CharField(max_length=100, blank=True)
    ingest_model_version = models.CharField(max_length=50, blank=True)
    ingest_seconds = models.FloatField(null=True, blank=True)

    # Not a column: services.ingest_article sets it on the article it returns.
    is_duplicate: bool = False

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(content_sha256__regex=r"^[0-9a-f]{64}$"), name="article_sha256_hex"),
        ]
        # linking.origins.suggest_origin: the claims of the outlets an article cites ("according to Tass").
        indexes = [models.Index(Lower("outlet"), name="article_outlet_lower")]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("claims_app:article_detail", args=[self.pk])
