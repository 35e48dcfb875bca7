"""Saved views: a named claim-list query string, private to its owner or shared with the desk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

SAVED_VIEW_NAME_LENGTH = 80


class SavedView(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=SAVED_VIEW_NAME_LENGTH)
    # Normalised by ClaimFilterForm.canonical_query: only known filters, valid values, a stable order. Text, not
    # a CharField: a 500-character search in a non-Latin script is several thousand characters percent-encoded.
    query = models.TextField(blank=True)
    shared = models.BooleanField(default=False, db_index=True, help_text="Shown to everyone, not only its owner.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedview_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Opening a saved view is just the claim list with its query string."""
        url = reverse("claims_app:claim_list")
        return f"{url}?{self.query}" if self.query else url
