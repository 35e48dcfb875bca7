"""Claimdesk's data model: articles, speakers, claims, their review history and links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Count, F, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from pgvector.django import HnswIndex, VectorField

from claims_app.models.articles import Article
from claims_app.models.speakers import Speaker

if TYPE_CHECKING:
    from claims_app.models.tags import ClaimTag, Tag

# Claim columns only PostgreSQL and the suggestion ranking read (search and link-suggestion retrieval); pages
# and services defer them, so the lexeme array and tsvector are never fetched for nothing. (The embedding lives in
# ClaimEmbedding, below.)
CLAIM_INDEX_ONLY = ("search_vector", "lexemes")


class Claim(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct quote"
        INDIRECT = "indirect", "Reported speech"
        ACCORDING_TO = "according_to", "According to"
        ASSERTION = "assertion", "Author's assertion"

    class Attribution(models.TextChoices):
        """What was attributed, read from the cue (nlp.attribution.attribution_kinds): editors check a poll's
        figure differently from a promise."""

        STATEMENT = "statement", "Statement"
        BELIEF = "belief", "Belief"
        INTENTION = "intention", "Intention"
        DATA = "data", "Data"

    class Status(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        VERIFIED = "verified", "Verified"
        UNVERIFIED = "unverified", "Unverified"
        FALSE = "false", "False"
        DISPUTED = "disputed", "Disputed"

    class FiledBy(models.TextChoices):
        """Who filed the span: the extractor or an editor (not where the statement came from)."""

        EXTRACTED = "extracted", "Extracted"
        EDITOR = "editor", "Added by an editor"

    class Corroboration(models.TextChoices):
        """Derived from links and origins (claims_app.corroboration); never set by hand."""

        NO_OTHER_SOURCE = "none", "No other source"
        SAME_ORIGIN = "same_origin", "Repeated from the same origin only"
        CORROBORATED = "corroborated", "Corroborated by independent origins"
        CONTRADICTED = "contradicted", "Contradicted"

    class OriginAssignedBy(models.TextChoices):
        """How the claim's statement origin was set ("" when it has none)."""

        EDITOR = "editor", "By an editor"
        AUTOMATIC = "automatic", "Traced automatically"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims")
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    cue = models.CharField(max_length=50, blank=True)
    attribution = models.CharField(
        max_length=12, choices=Attribution.choices, default=Attribution.STATEMENT, db_index=True
    )
    speaker_mention = models.CharField(max_length=300, blank=True)
    speaker_mention_start = models.PositiveIntegerField(null=True, blank=True)
    speaker_mention_end = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNREVIEWED, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; guards against lost updates.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Who is to review it next (review.services.assign_claim; each change is a ClaimCorrection "assignee" row).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    # Editors' feedback on extraction: rejected spans are kept (and hidden) so precision can be measured,
    # and spans editors add by hand are marked so recall can be.
    is_rejected = models.BooleanField(default=False, db_index=True, help_text="An editor said this is not a claim.")
    filed_by = models.CharField(max_length=20, choices=FiledBy.choices, default=FiledBy.EXTRACTED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The original statement this claim repeats (`filed_by` above says who filed the span, not where it came from).
    statement_origin = models.ForeignKey(
        "StatementOrigin", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    # Who put the claim in its statement origin: an editor, or the tracer run after the embedding task
    # (linking/origin_tracing.py), with the evidence it went on (similarity, shared speaker, venue words).
    origin_assigned_by = models.CharField(max_length=20, choices=OriginAssignedBy.choices, blank=True, db_index=True)
    origin_evidence = models.JSONField(default=dict, blank=True)
    corroboration = models.CharField(
        max_length=20, choices=Corroboration.choices, default=Corroboration.NO_OTHER_SOURCE, db_index=True
    )
    independent_origins = models.PositiveIntegerField(
        default=0, help_text="Origins other than this claim's own that repeat or support it."
    )
    # English lexemes of the text, kept by PostgreSQL: link suggestions match and weigh them without re-parsing.
    lexemes = models.GeneratedField(
        expression=Func(SearchVector("text", config="english"), function="tsvector_to_array"),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )
    # The claim list's full-text search reads this instead of re-parsing the text of every filtered row.
    # Speaker names live in another table (a generated column cannot read it); they are a separate indexed path.
    search_vector = models.GeneratedField(
        expression=SearchVector("text", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # Free labels editors add (review/tagging.py); ClaimTag records who added each and when.
    tags: models.ManyToManyField[Tag, ClaimTag] = models.ManyToManyField(
        "Tag", through="ClaimTag", related_name="claims", blank=True
    )

    class Meta:
        ordering = ["article", "start", "pk"]
        permissions = [
            ("review_claim", "Can review, correct and annotate claims"),
            ("link_claim", "Can link claims"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span_not_empty"),
            models.CheckConstraint(
                condition=Q(speaker_mention_start__isnull=True) | Q(speaker_mention_end__gt=F("speaker_mention_start")),
                name="claim_mention_span_valid",
            ),
            models.UniqueConstraint(fields=["article", "start", "end"], name="claim_span_unique_per_article"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="claim_status_created"),
            models.Index(fields=["speaker", "-created_at"], name="claim_speaker_created"),
            # The claim list's full-text search (`search_vector @@ websearch_to_tsquery(...)`).
            GinIndex(fields=["search_vector"], name="claim_search_vector_gin"),
            # Trigram fallback for misspelt searches.
            GinIndex(OpClass("text", name="gin_trgm_ops"), name="claim_text_trgm"),
            # Candidate retrieval for link suggestions (`lexemes && ARRAY[...]`).
            GinIndex(fields=["lexemes"], name="claim_lexemes_gin"),
            # Counts of live claims by status (home page) and by speaker (speaker list, claim and speaker pages)
            # as index-only scans of a few MB instead of reading the whole table.
            models.Index(fields=["status"], condition=Q(is_rejected=False), name="claim_live_status"),
            models.Index(fields=["speaker"], condition=Q(is_rejected=False), name="claim_live_speaker"),
            # "Assigned to me" (home page) and ?assignee=: a user's live claims newest first. Without it PostgreSQL
            # walked the newest-first index over every claim for a user with few assignments (130 ms at 200,000
            # claims for one with none).
            models.Index(
                fields=["assignee", "-created_at", "-id"], condition=Q(is_rejected=False), name="claim_live_assignee"
            ),
            # The list's capped count with an outlet filter (a join from the outlet's articles): the claims of
            # each article with their status read from the index, not the heap (6.3-7.0 -> 3.6 ms at 200,000).
            models.Index(
                fields=["article", "status"], condition=Q(is_rejected=False), name="claim_live_article_status"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("claims_app:claim_detail", args=[self.pk])

    @property
    def corroboration_label(self) -> str:
        return self.describe_corroboration(self.corroboration, self.independent_origins)

    @classmethod
    def describe_corroboration(
        cls, corroboration: str, independent_origins: int, labels: dict[str, str] | None = None
    ) -> str:
        """The badge text; `labels` (value -> label) saves a translation lookup per call in long lists."""
        if corroboration == cls.Corroboration.CORROBORATED:
            n = independent_origins
            return f"Corroborated by {n} independent origin{'s' if n != 1 else ''}"
        if labels is None:
            labels = {value: str(label) for value, label in cls.Corroboration.choices}
        return labels.get(corroboration, corroboration)


class ClaimEmbedding(models.Model):
    """A claim's sentence embedding (linking/embeddings.py, L2-normalised): link suggestions' main signal and origin
    tracing's. Written after the ingest commits by a background task; no row until then, when embeddings are off,
    or after a correction changed the text.

    A table of its own, not a column of Claim: every UPDATE of a claim (a status, an assignment, an origin) that is
    not HOT writes a new entry into each of the claim table's indexes, and with the HNSW index there an UPDATE cost
    3.37 ms against 0.58 ms without it, and left dead entries in a 407 MB index for vacuum to clear
    (docs/performance.md, "The write path"). Here the index changes only when a claim is embedded.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="embedding_row")
    embedding = VectorField(dimensions=384)

    class Meta:
        indexes = [
            # Nearest neighbours by cosine distance for link suggestions (`embedding <=> %s`).
            HnswIndex(fields=["embedding"], name="claim_embedding_hnsw", opclasses=["vector_cosine_ops"]),
        ]

    def __str__(self) -> str:
        return f"embedding of claim {self.claim_id}"


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
        ORIGIN = "origin", "Origin"
        ASSIGNEE = "assignee", "Assignee"
        # A public fact-check was published, republished or unpublished (new_value says which).
        PUBLICATION = "publication", "Publication"

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


class SearchWord(models.Model):
    """Every word that occurs in a claim's text (lowercase letters, 3+ long): the vocabulary that corrects a
    misspelt search ("councel" -> "council") with one trigram lookup instead of a trigram scan of every claim.

    Filled by PostgreSQL itself: statement-level triggers on claims_app_claim (migration 0012) add the words of
    inserted rows and of rows whose text changed, whichever path wrote them (ingest, corrections, COPY, admin).
    Words are never removed; a word whose claims are gone just corrects to a search that finds nothing.
    """

    word = models.CharField(max_length=100, primary_key=True)

    class Meta:
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="searchword_trgm")]

    def __str__(self) -> str:
        return self.word


def live_claim_count(related: str, **filters: Any) -> Coalesce:
    """The number of live (not rejected) claims whose `related` field is the outer row, as a correlated
    subquery: computed only for the rows a page shows (a JOIN + GROUP BY aggregates every claim first)."""
    counts = (
        Claim.objects.filter(**{related: OuterRef("pk")}, is_rejected=False, **filters)
        .order_by()
        .values(related)
        .annotate(n=Count("*"))  # not count(id): an index-only scan has no id to read
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


# Columns of Article a claim row never shows; the body and raw upload can be large.
ARTICLE_HEAVY = ("article__body", "article__raw", "article__boilerplate_removed")


def claim_row_columns(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    return qs.select_related("speaker", "article", "assignee").defer(*ARTICLE_HEAVY, *CLAIM_INDEX_ONLY)
