"""Claimdesk's data model: articles, speakers, claims, their review history and links."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from pgvector.django import HnswIndex, VectorField


def unordered_pair_constraints(first: str, second: str, *, prefix: str) -> list[models.BaseConstraint]:
    """No row pairing a thing with itself, and one row per unordered pair (A-B and B-A are the same pair)."""
    return [
        models.CheckConstraint(condition=~Q(**{first: F(second)}), name=f"{prefix}_not_self"),
        models.UniqueConstraint(Least(first, second), Greatest(first, second), name=f"{prefix}_pair_unique"),
    ]


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


# Claim columns only PostgreSQL and the suggestion ranking read (search and link-suggestion retrieval); pages
# and services defer them, so the 384-float embedding, lexeme array and tsvector are never fetched for nothing.
CLAIM_INDEX_ONLY = ("search_vector", "lexemes", "embedding")


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

    class Corroboration(models.TextChoices):
        """Derived from links and origins (claims_app.corroboration); never set by hand."""

        NO_OTHER_SOURCE = "none", "No other source"
        SAME_ORIGIN = "same_origin", "Repeated from the same origin only"
        CORROBORATED = "corroborated", "Corroborated by independent origins"
        CONTRADICTED = "contradicted", "Contradicted"

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
    # The original statement this claim repeats (`origin` above says who filed the span, not where it came from).
    statement_origin = models.ForeignKey(
        "StatementOrigin", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
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
    # Sentence embedding of the text (claims_app/claim_embeddings.py, L2-normalised): link suggestions' main
    # signal. Written after the ingest commits by a background task; NULL until then or when embeddings are off.
    embedding = VectorField(dimensions=384, null=True, blank=True, editable=False)

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
            # Nearest neighbours by cosine distance for link suggestions (`embedding <=> %s`).
            HnswIndex(fields=["embedding"], name="claim_embedding_hnsw", opclasses=["vector_cosine_ops"]),
            # The suggestion cache key reads the newest embedded claim; without this, a table where
            # nothing is embedded yet is scanned whole.
            models.Index(fields=["-id"], condition=Q(embedding__isnull=False), name="claim_embedded_newest"),
            # Counts of live claims by status (home page) and by speaker (speaker list, claim and speaker pages)
            # as index-only scans of a few MB instead of reading the whole table.
            models.Index(fields=["status"], condition=Q(is_rejected=False), name="claim_live_status"),
            models.Index(fields=["speaker"], condition=Q(is_rejected=False), name="claim_live_speaker"),
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


class ApiToken(models.Model):
    """A read-only API key for scripts (`Authorization: Bearer <key>`); only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_sha256 = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters of the key, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(key_sha256__regex=r"^[0-9a-f]{64}$"), name="api_token_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class IngestJob(models.Model):
    """One file queued for background ingestion: the bytes to ingest and how far it got."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Filed"
        DUPLICATE = "duplicate", "Already filed"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.DUPLICATE, Status.FAILED)

    batch = models.UUIDField(db_index=True, help_text="Files uploaded together share a batch.")
    filename = models.CharField(max_length=255)
    raw = models.BinaryField(blank=True, help_text="The upload as received; cleared once filed.")
    size = models.PositiveIntegerField(default=0)
    outlet = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.TextField(blank=True, help_text="Why it failed, or what was filed.")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
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
