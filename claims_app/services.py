"""Every write Claimdesk makes goes through here: keyword-only, validated, one transaction each.

The NLP modules are imported inside the ingest functions: importing spaCy costs about a
second, which every other manage.py command and web worker start-up should not pay.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from claims_app import roles
from claims_app.models import (
    Article,
    Claim,
    ClaimLink,
    ClaimStatusChange,
    Evidence,
    Speaker,
    SpeakerAlias,
    SpeakerMergeSuggestion,
)
from claims_app.nlp.records import ArticleExtraction, CleanedArticle, InputRejected, SpeakerRecord

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

__all__ = [
    "ArticleOverrides",
    "ConflictError",
    "InputRejected",
    "change_claim_status",
    "create_user",
    "ingest_article",
    "ingest_prepared",
]


class ConflictError(Exception):
    """Someone else changed the claim since the form was loaded."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(f"Claim {claim.pk} was changed by someone else (now version {claim.version}).")
        self.claim = claim


@dataclass(frozen=True, slots=True)
class ArticleOverrides:
    """Metadata typed by the uploader; wins over what cleaning found."""

    title: str = ""
    url: str = ""
    outlet: str = ""
    author: str = ""


# ---------------------------------------------------------------- users


def create_user(*, username: str, password: str, role: roles.Role, email: str = "") -> AbstractUser:
    """Create a login in one of the three roles (admin also gets Django admin access)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    with transaction.atomic():
        user = User(username=username, email=email, is_staff=role == roles.Role.ADMIN)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        validate_password(password, user)
        user.save()
        user.groups.add(Group.objects.get(name=roles.GROUP_NAMES[role]))
    return user


# ---------------------------------------------------------------- ingestion


def content_hash(body: str) -> str:
    """SHA-256 of the body with whitespace and case folded, so re-pastes of one article match."""
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", body)).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def max_upload_bytes() -> int:
    return int(settings.CLAIMS_MAX_UPLOAD_MB) * 1024 * 1024


def load_nlp() -> Language:
    """The process-wide spaCy pipeline named by CLAIMS_SPACY_MODEL."""
    from claims_app.nlp import pipeline

    return pipeline.load_pipeline(settings.CLAIMS_SPACY_MODEL)


def ingest_article(
    *,
    raw: bytes,
    filename: str = "",
    uploaded_by: AbstractUser | None = None,
    overrides: ArticleOverrides | None = None,
) -> Article:
    """Clean, extract and file one article in one transaction.

    Raises InputRejected (one-line message) for input we refuse. A duplicate returns the
    existing article with `is_duplicate` set.
    """
    from claims_app.nlp import pipeline

    cleaned = pipeline.prepare(raw, filename=filename, max_bytes=max_upload_bytes())
    cleaned = _apply_overrides(cleaned, overrides)
    existing = Article.objects.filter(content_sha256=content_hash(cleaned.body)).first()
    if existing is not None:
        existing.is_duplicate = True
        return existing
    started = time.perf_counter()
    nlp = load_nlp()
    extraction = pipeline.extract(nlp(cleaned.body), cleaned)
    return ingest_prepared(
        raw=raw,
        filename=filename,
        extraction=extraction,
        uploaded_by=uploaded_by,
        nlp_seconds=time.perf_counter() - started,
    )


def prepared_batches(
    items: Iterable[tuple[str, bytes]], *, batch_size: int = 32
) -> Iterator[tuple[str, bytes, ArticleExtraction | InputRejected]]:
    """Decode, clean and extract many (filename, raw) items with nlp.pipe; no writes."""
    from claims_app.nlp import pipeline

    nlp = load_nlp()
    pending: list[tuple[str, bytes, CleanedArticle]] = []

    def flush() -> Iterator[tuple[str, bytes, ArticleExtraction | InputRejected]]:
        extractions = pipeline.analyse_texts([c for _, _, c in pending], nlp, batch_size=batch_size)
        for (name, raw, _), extraction in zip(pending, extractions, strict=True):
            yield name, raw, extraction
        pending.clear()

    for name, raw in items:
        try:
            pending.append((name, raw, pipeline.prepare(raw, filename=name, max_bytes=max_upload_bytes())))
        except InputRejected as exc:
            yield name, raw, exc
            continue
        if len(pending) >= batch_size:
            yield from flush()
    if pending:
        yield from flush()


def ingest_prepared(
    *,
    raw: bytes,
    filename: str,
    extraction: ArticleExtraction,
    uploaded_by: AbstractUser | None = None,
    nlp_seconds: float | None = None,
) -> Article:
    """Write an already-extracted article, its speakers and claims in one transaction."""
    from claims_app.nlp import pipeline

    article = extraction.article
    if not extraction.claims:
        raise InputRejected("No attributed claims found in this article; nothing was saved.")
    sha = content_hash(article.body)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            row = Article(
                title=(article.title or Path(filename).stem or "Untitled article")[:500],
                author=article.author[:300],
                outlet=article.outlet[:300],
                url=article.url[:2000],
                published_at=article.published,
                language=article.language or "en",
                filename=Path(filename).name[:255],
                raw=raw,
                body=article.body,
                content_sha256=sha,
                boilerplate_removed=list(article.removed_lines),
                uploaded_by=uploaded_by,
                ingest_model=settings.CLAIMS_SPACY_MODEL,
                ingest_model_version=str(load_nlp().meta.get("version", ""))[:50],
            )
            row.full_clean()
            row.save()
            speakers = _resolve_speakers(extraction)
            claims = [
                Claim(
                    article=row,
                    speaker=speakers.get(record.speaker or (article.author if record.kind == "assertion" else "")),
                    text=record.text,
                    start=record.start,
                    end=record.end,
                    kind=record.kind,
                    cue=record.cue[:50],
                    speaker_mention=record.speaker_mention.text[:300] if record.speaker_mention else "",
                    speaker_mention_start=record.speaker_mention.start if record.speaker_mention else None,
                    speaker_mention_end=record.speaker_mention.end if record.speaker_mention else None,
                )
                for record in extraction.claims
            ]
            Claim.objects.bulk_create(claims)
            row.ingest_seconds = (nlp_seconds or 0.0) + time.perf_counter() - started
            row.save(update_fields=["ingest_seconds"])
    except IntegrityError:
        # Lost a race with a concurrent upload of the same text: theirs stands.
        existing = Article.objects.filter(content_sha256=sha).first()
        if existing is None:
            raise
        existing.is_duplicate = True
        return existing
    except ValidationError as exc:
        raise InputRejected(_first_error(exc)) from None
    logger.info("ingested article %s (%d claims) from %s", row.pk, len(claims), filename or "paste")
    row.is_duplicate = False
    return row


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return f"{field}: {messages[0]}"
    return exc.messages[0]


def _apply_overrides(cleaned: CleanedArticle, overrides: ArticleOverrides | None) -> CleanedArticle:
    if overrides is None:
        return cleaned
    changes = {name: value.strip() for name in ("title", "url", "outlet", "author") if (value := getattr(overrides, name))}
    return replace(cleaned, **changes) if changes else cleaned


def _resolve_speakers(extraction: ArticleExtraction) -> dict[str, Speaker]:
    """Map each in-article speaker name to a Speaker row, merging with known speakers when sure."""
    records = list(extraction.speakers)
    author = extraction.article.author
    if author and any(c.kind == "assertion" and c.speaker is None for c in extraction.claims):
        records.append(SpeakerRecord(name=author, kind="person", role="author", aliases=(author,)))
    resolved: dict[str, Speaker] = {}
    for record in records:
        if record.name in resolved:
            continue
        resolved[record.name] = _resolve_speaker(record)
    return resolved


def _resolve_speaker(record: SpeakerRecord) -> Speaker:
    from claims_app.nlp import speaker_matching

    forms = {record.name, *record.aliases}
    normalised_forms = {speaker_matching.normalise_name(form) for form in forms} - {""}
    exact = (
        Speaker.objects.filter(aliases__normalised__in=normalised_forms).order_by("pk").first()
        if normalised_forms
        else None
    )
    speaker = exact
    candidates: list[tuple[float, Speaker]] = []
    if speaker is None:
        for candidate in _fuzzy_candidates(record):
            score = speaker_matching.score_match(record.name, record.role, candidate.name, candidate.role)
            candidates.append((score, candidate))
        candidates.sort(key=lambda pair: -pair[0])
        if candidates and candidates[0][0] >= speaker_matching.MERGE_THRESHOLD:
            speaker = candidates[0][1]
    if speaker is None:
        speaker = Speaker.objects.create(
            name=record.name[:300],
            normalised_name=speaker_matching.normalise_name(record.name)[:300],
            kind=record.kind,
            role=record.role[:500],
        )
        for score, candidate in candidates:
            if score >= speaker_matching.SUGGEST_THRESHOLD:
                SpeakerMergeSuggestion.objects.get_or_create(
                    speaker=speaker, candidate=candidate, defaults={"score": round(score, 3)}
                )
    elif record.role and not speaker.role:
        speaker.role = record.role[:500]
        speaker.save(update_fields=["role"])
    SpeakerAlias.objects.bulk_create(
        [
            SpeakerAlias(speaker=speaker, alias=form[:300], normalised=speaker_matching.normalise_name(form)[:300])
            for form in sorted(forms)
            if form.strip()
        ],
        ignore_conflicts=True,
    )
    return speaker


def _fuzzy_candidates(record: SpeakerRecord, limit: int = 10) -> list[Speaker]:
    """Speakers whose aliases are trigram-similar to this name or share its surname."""
    from django.contrib.postgres.search import TrigramSimilarity

    from claims_app.nlp import speaker_matching

    normalised = speaker_matching.normalise_name(record.name)
    if not normalised:
        return []
    surname = normalised.split()[-1]
    alias_hits = (
        SpeakerAlias.objects.annotate(similarity=TrigramSimilarity("normalised", normalised))
        .filter(similarity__gte=0.3)
        .order_by("-similarity")
        .values_list("speaker_id", flat=True)[:limit]
    )
    surname_hits = SpeakerAlias.objects.filter(normalised__endswith=surname).values_list("speaker_id", flat=True)[:limit]
    ids = set(alias_hits) | set(surname_hits)
    return list(Speaker.objects.filter(pk__in=ids)) if ids else []


# ---------------------------------------------------------------- review


def change_claim_status(
    *,
    claim: Claim,
    user: AbstractUser,
    status: str,
    note: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Set a claim's review status, record the change in history, and bump its version."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can review claims.")
    if status not in Claim.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(locked)
        old_status = locked.status
        now = timezone.now()
        Claim.objects.filter(pk=locked.pk).update(
            status=status, version=F("version") + 1, reviewed_by=user, reviewed_at=now
        )
        ClaimStatusChange.objects.create(
            claim=locked, changed_by=user, old_status=old_status, new_status=status, note=note.strip()
        )
    locked.refresh_from_db()
    logger.info("claim %s status %s -> %s by %s", locked.pk, old_status, status, user.get_username())
    return locked


def add_evidence(*, claim: Claim, user: AbstractUser, url: str = "", note: str = "") -> Evidence:
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can add evidence.")
    evidence = Evidence(claim=claim, url=url.strip(), note=note.strip(), added_by=user)
    evidence.full_clean()
    with transaction.atomic():
        evidence.save()
    return evidence


def link_claims(*, from_claim: Claim, to_claim: Claim, relation: str, user: AbstractUser, note: str = "") -> ClaimLink:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can link claims.")
    link = ClaimLink(from_claim=from_claim, to_claim=to_claim, relation=relation, note=note.strip(), created_by=user)
    link.full_clean()
    with transaction.atomic():
        link.save()
    return link
