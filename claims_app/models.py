"""Claimdesk's data model: articles, speakers, claims, their review history and links."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
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

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("claims_app:article_detail", args=[self.pk])


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
        constraints = [
            models.CheckConstraint(condition=~Q(speaker=F("candidate")), name="merge_suggestion_not_self"),
            models.UniqueConstraint(
                Least("speaker", "candidate"), Greatest("speaker", "candidate"), name="merge_suggestion_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ≈ {self.candidate} ({self.score:.2f})"


class Claim(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct quote"
        INDIRECT = "indirect", "Reported speech"
        ACCORDING_TO = "according_to", "According to"
        ASSERTION = "assertion", "Author's assertion"

    class Status(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        VERIFIED = "verified", "Verified"
        UNVERIFIED = "unverified", "Unverified"
        FALSE = "false", "False"
        DISPUTED = "disputed", "Disputed"

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", "Extracted"
        EDITOR = "editor", "Added by an editor"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims")
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    cue = models.CharField(max_length=50, blank=True)
    speaker_mention = models.CharField(max_length=300, blank=True)
    speaker_mention_start = models.PositiveIntegerField(null=True, blank=True)
    speaker_mention_end = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNREVIEWED, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; guards against lost updates.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Editors' feedback on extraction: rejected spans are kept (and hidden) so precision can be measured,
    # and spans editors add by hand are marked so recall can be.
    is_rejected = models.BooleanField(default=False, db_index=True, help_text="An editor said this is not a claim.")
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.EXTRACTED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["article", "start", "pk"]
        permissions = [
            ("review_claim", "Can review, correct and annotate claims"),
            ("link_claim", "Can link claims"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span_not_empty"),
            models.CheckConstraint(
                condition=Q(speaker_mention_start__isnull=True)
                | Q(speaker_mention_end__gt=F("speaker_mention_start")),
                name="claim_mention_span_valid",
            ),
            models.UniqueConstraint(fields=["article", "start", "end"], name="claim_span_unique_per_article"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="claim_status_created"),
            models.Index(fields=["speaker", "-created_at"], name="claim_speaker_created"),
            # The claim list's full-text search; the query must use the same expression to hit it.
            GinIndex(SearchVector("text", config="english"), name="claim_text_fts"),
            # Trigram fallback for misspelt searches.
            GinIndex(OpClass("text", name="gin_trgm_ops"), name="claim_text_trgm"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("claims_app:claim_detail", args=[self.pk])


class ClaimStatusChange(models.Model):
    """One row per review change: the claim's audit trail."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="status_changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    old_status = models.CharField(max_length=20, choices=Claim.Status.choices)
    new_status = models.CharField(max_length=20, choices=Claim.Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status}"


class ClaimCorrection(models.Model):
    """One row per editor correction of a claim's text, speaker or kind, or its rejection (rest of the audit trail)."""

    class Field(models.TextChoices):
        TEXT = "text", "Text"
        SPEAKER = "speaker", "Speaker"
        KIND = "kind", "Kind"
        REJECTED = "rejected", "Not a claim"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=20, choices=Field.choices)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value[:30]} → {self.new_value[:30]}"


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


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000, blank=True)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(note=""), name="evidence_has_url_or_note"),
        ]

    def __str__(self) -> str:
        return self.url or self.note[:60]


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
        constraints = [
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claim_link_not_self"),
            # One link per unordered pair: A→B and B→A are the same pair.
            models.UniqueConstraint(
                Least("from_claim", "to_claim"), Greatest("from_claim", "to_claim"), name="claim_link_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_claim_id} {self.relation} {self.to_claim_id}"
