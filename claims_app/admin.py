from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from claims_app.models import (
    Article,
    Claim,
    ClaimCorrection,
    ClaimLink,
    ClaimStatusChange,
    Evidence,
    PublishedFactCheck,
    SavedView,
    Speaker,
    SpeakerAlias,
    SpeakerMerge,
    SpeakerMergeSuggestion,
    Tag,
    WorkflowSettings,
)

# A URL typed without a scheme is read as https (Django 6's default; Django 5.2 warns that http is going away).
HTTPS_URLS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "outlet", "author", "published_at", "created_at", "uploaded_by"]
    list_filter = ["outlet", "language", "published_at", "created_at"]
    search_fields = ["title", "author", "outlet", "url", "content_sha256"]
    exclude = ["raw"]  # raw bytes are not editable text; they stay as received
    readonly_fields = ["content_sha256", "ingest_model", "ingest_model_version", "ingest_seconds", "created_at"]
    date_hierarchy = "created_at"


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    extra = 0


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "role", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "normalised_name", "aliases__alias", "role"]
    inlines = [SpeakerAliasInline]


@admin.register(SpeakerAlias)
class SpeakerAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "normalised", "speaker"]
    search_fields = ["alias", "normalised", "speaker__name"]
    list_select_related = ["speaker"]
    raw_id_fields = ["speaker"]


@admin.register(SpeakerMergeSuggestion)
class SpeakerMergeSuggestionAdmin(admin.ModelAdmin):
    list_display = ["speaker", "candidate", "score", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["speaker", "candidate"]
    raw_id_fields = ["speaker", "candidate"]


class ClaimStatusChangeInline(admin.TabularInline):
    model = ClaimStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_by", "changed_at", "old_status", "new_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False  # history is written by services only


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["short_text", "speaker", "kind", "status", "is_rejected", "filed_by", "article", "created_at"]
    list_filter = ["status", "kind", "is_rejected", "filed_by", "article__outlet", "created_at"]
    search_fields = ["text", "speaker__name", "article__title"]
    list_select_related = ["speaker", "article"]
    raw_id_fields = ["article", "speaker"]
    # The review verdict changes only through the review service (history row, version bump, reviewed_by/at);
    # an admin form save would do none of that, so these are shown, not edited, here.
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "version", "created_at"]
    inlines = [ClaimStatusChangeInline]

    @admin.display(description="text")
    def short_text(self, obj: Claim) -> str:
        return obj.text[:100]


@admin.register(ClaimStatusChange)
class ClaimStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["claim", "old_status", "new_status", "changed_by", "changed_at"]
    list_filter = ["new_status", "changed_at"]
    search_fields = ["note", "claim__text"]
    list_select_related = ["claim", "changed_by"]

    # The audit trail is read-only everywhere in the UI.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["claim", "url", "added_by", "added_at"]
    search_fields = ["url", "note"]
    raw_id_fields = ["claim"]


@admin.register(ClaimLink)
class ClaimLinkAdmin(admin.ModelAdmin):
    list_display = ["from_claim", "relation", "to_claim", "created_by", "created_at"]
    list_filter = ["relation"]
    raw_id_fields = ["from_claim", "to_claim"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records are written by services only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClaimCorrection)
class ClaimCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["claim", "field", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["field", "changed_at"]
    search_fields = ["old_value", "new_value", "note"]
    list_select_related = ["claim", "changed_by"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SpeakerMerge)
class SpeakerMergeAdmin(ReadOnlyAdmin):
    list_display = ["removed_name", "removed_speaker_id", "kept", "merged_by", "merged_at", "undone_at"]
    list_filter = ["merged_at"]
    search_fields = ["removed_name", "kept__name"]
    list_select_related = ["kept", "merged_by"]


@admin.register(WorkflowSettings)
class WorkflowSettingsAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    """A singleton: change only; the migration creates the row."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not WorkflowSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: WorkflowSettings | None = None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Renaming a tag here fixes it on every claim; the name rules and case-insensitive uniqueness still apply."""

    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "shared", "query", "created_at"]
    list_filter = ["shared"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]


@admin.register(PublishedFactCheck)
class PublishedFactCheckAdmin(admin.ModelAdmin):
    """Read-only: a fact-check is published, republished and unpublished from its claim page, with history."""

    list_display = ["claim_id", "rating_label", "is_live", "published_at", "updated_at", "published_by"]
    list_filter = ["is_live", "status"]
    list_select_related = ["published_by"]
    raw_id_fields = ["claim"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PublishedFactCheck | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PublishedFactCheck | None = None) -> bool:
        return False
