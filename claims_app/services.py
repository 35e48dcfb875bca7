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
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims_app import claim_embeddings, corroboration, roles
from claims_app.models import (
    CLAIM_INDEX_ONLY,
    Article,
    Claim,
    ClaimCorrection,
    ClaimLink,
    ClaimStatusChange,
    Evidence,
    Speaker,
    SpeakerAlias,
    SpeakerMerge,
    SpeakerMergeSuggestion,
)
from claims_app.nlp.records import ArticleExtraction, ClaimRecord, CleanedArticle, InputRejected, SpeakerRecord

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


def create_user(*, username: str, password: str, role: roles.Role, email: str = "") -> User:
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
    """The process-wide spaCy pipeline named by CLAIMS_SPACY_MODEL, with the CLAIMS_ATTRIBUTION_MODEL tagger."""
    from claims_app.nlp import pipeline

    return pipeline.load_pipeline(settings.CLAIMS_SPACY_MODEL, settings.CLAIMS_ATTRIBUTION_MODEL)


def ingest_article(
    *,
    raw: bytes,
    filename: str = "",
    uploaded_by: User | None = None,
    overrides: ArticleOverrides | None = None,
) -> Article:
    """Clean, extract and file one article in one transaction.

    Raises InputRejected (one-line message) for input we refuse. A duplicate returns the
    existing article with `is_duplicate` set.
    """
    from claims_app.nlp import pipeline

    cleaned = _apply_overrides(pipeline.prepare(raw, filename=filename, max_bytes=max_upload_bytes()), overrides)
    sha = content_hash(cleaned.body)
    existing = _existing_article(sha)
    if existing is not None:
        return existing  # checked before the (costly) NLP pass
    started = time.perf_counter()
    extraction = pipeline.extract(load_nlp()(cleaned.body), cleaned)
    return _write_article(
        raw=raw,
        filename=filename,
        extraction=extraction,
        sha=sha,
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
    uploaded_by: User | None = None,
    nlp_seconds: float | None = None,
) -> Article:
    """Write an already-extracted article, its speakers and claims in one transaction."""
    sha = content_hash(extraction.article.body)
    existing = _existing_article(sha)
    if existing is not None:
        return existing
    return _write_article(
        raw=raw, filename=filename, extraction=extraction, sha=sha, uploaded_by=uploaded_by, nlp_seconds=nlp_seconds
    )


def _existing_article(sha: str) -> Article | None:
    existing = Article.objects.defer("raw", "body").filter(content_sha256=sha).first()
    if existing is not None:
        existing.is_duplicate = True
    return existing


def _write_article(
    *,
    raw: bytes,
    filename: str,
    extraction: ArticleExtraction,
    sha: str,
    uploaded_by: User | None,
    nlp_seconds: float | None,
) -> Article:
    article = extraction.article
    if not extraction.claims:
        raise InputRejected("No attributed claims found in this article; nothing was saved.")
    started = time.perf_counter()
    nlp = load_nlp()
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
        ingest_model_version=str(nlp.meta.get("version", ""))[:50],
    )
    try:
        # Uniqueness and constraints are left to the database (one round trip fewer, and race-safe).
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InputRejected(_first_error(exc)) from None
    try:
        with transaction.atomic():
            speakers = _resolve_speakers(extraction)
            row.ingest_seconds = (nlp_seconds or 0.0) + time.perf_counter() - started
            row.save()
            claims = [
                Claim(
                    article=row,
                    speaker=speakers.get(claim_speaker_name(record, extraction) or ""),
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
            # Embeddings are computed by a background task once the article has committed, never in here.
            claim_embeddings.queue_after_commit(article_id=row.pk)
    except IntegrityError:
        # Lost a race with a concurrent upload of the same text: theirs stands.
        existing = _existing_article(sha)
        if existing is None:
            raise
        return existing
    logger.info(
        "ingested article %s (%d claims) from %s",
        row.pk,
        len(claims),
        filename or "paste",
        extra={
            "event": "ingest",
            "article": row.pk,
            "claims": len(claims),
            "source": filename or "paste",
            "user": uploaded_by.get_username() if uploaded_by else None,
            "seconds": round(row.ingest_seconds or 0.0, 3),
        },
    )
    row.is_duplicate = False
    return row


def claim_speaker_name(record: ClaimRecord, extraction: ArticleExtraction) -> str | None:
    """The in-article speaker name of a claim; an author's own assertions are the author's."""
    from claims_app.nlp.export import claim_speaker

    return claim_speaker(record, extraction)


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return f"{field}: {messages[0]}"
    return exc.messages[0]


def _apply_overrides(cleaned: CleanedArticle, overrides: ArticleOverrides | None) -> CleanedArticle:
    if overrides is None:
        return cleaned
    changes = {
        name: value.strip() for name in ("title", "url", "outlet", "author") if (value := getattr(overrides, name))
    }
    return replace(cleaned, **changes) if changes else cleaned


def author_record(author: str) -> SpeakerRecord:
    """The speaker record for an opinion author's own assertions."""
    return SpeakerRecord(name=author, kind="person", role="author", aliases=(author,))


def _resolve_speakers(extraction: ArticleExtraction) -> dict[str, Speaker]:
    """Map each in-article speaker name to a Speaker row in a fixed number of queries.

    Any alias already on file wins outright; otherwise trigram and surname candidates are
    scored, a confident match merges, a middling one becomes a merge suggestion.
    """
    from claims_app.nlp import speaker_matching

    records: dict[str, SpeakerRecord] = {}
    for record in extraction.speakers:
        records.setdefault(record.name, record)
    for claim in extraction.claims:
        name = claim_speaker_name(claim, extraction)
        if name and name not in records:
            records[name] = author_record(name)
    if not records:
        return {}

    forms = {
        name: {form: speaker_matching.normalise_name(form) for form in {name, *record.aliases} if form.strip()}
        for name, record in records.items()
    }
    # A bare surname ("Varga") is stored as an alias for search, but two people can share it:
    # only multi-word forms (or a one-word name such as "Tass" itself) count as an exact match.
    # An unnamed speaker ("deputy director", "residents") is someone different in every article.
    exact_forms = {
        name: {n for n in by_form.values() if n and (" " in n or n == speaker_matching.normalise_name(name))}
        for name, by_form in forms.items()
        if not _is_description(name)
    }
    all_normalised = {n for normalised in exact_forms.values() for n in normalised}
    known: dict[str, int] = {}
    for normalised, speaker_id in (
        SpeakerAlias.objects.filter(normalised__in=all_normalised)
        .order_by("-speaker_id")
        .values_list("normalised", "speaker_id")
    ):
        known[normalised] = speaker_id  # ordered so the oldest speaker wins a shared alias

    chosen: dict[str, int] = {}
    for name, normalised_forms in exact_forms.items():
        hits = sorted(known[n] for n in normalised_forms if n in known)
        if hits:
            chosen[name] = hits[0]

    unmatched = [records[name] for name in records if name not in chosen and not _is_description(name)]
    candidates = _fuzzy_candidates(unmatched) if unmatched else []
    suggestions: dict[str, list[tuple[float, Speaker]]] = {}
    for record in unmatched:
        scored = sorted(
            ((speaker_matching.score_match(record.name, record.role, c.name, c.role), c) for c in candidates),
            key=lambda pair: (-pair[0], pair[1].pk),
        )
        if scored and scored[0][0] >= speaker_matching.MERGE_THRESHOLD:
            chosen[record.name] = scored[0][1].pk
        else:
            suggestions[record.name] = [pair for pair in scored if pair[0] >= speaker_matching.SUGGEST_THRESHOLD]

    existing = Speaker.objects.in_bulk(set(chosen.values()))
    new = {
        name: Speaker(
            name=name[:300],
            normalised_name=speaker_matching.normalise_name(name)[:300],
            kind=records[name].kind,
            role=records[name].role[:500],
        )
        for name in records
        if name not in chosen
    }
    Speaker.objects.bulk_create(new.values())
    resolved = {name: existing[pk] for name, pk in chosen.items()} | new

    for name, speaker in resolved.items():
        role = records[name].role
        if role and not speaker.role and name not in new:
            speaker.role = role[:500]
            speaker.save(update_fields=["role"])
    SpeakerAlias.objects.bulk_create(
        [
            SpeakerAlias(speaker=resolved[name], alias=form[:300], normalised=normalised[:300])
            for name, by_form in forms.items()
            for form, normalised in sorted(by_form.items())
        ],
        ignore_conflicts=True,
    )
    SpeakerMergeSuggestion.objects.bulk_create(
        [
            SpeakerMergeSuggestion(speaker=resolved[name], candidate=candidate, score=round(score, 3))
            for name, scored in suggestions.items()
            for score, candidate in scored
        ],
        ignore_conflicts=True,
    )
    return resolved


def _is_description(name: str) -> bool:
    """'deputy director' or 'town's fire brigade': a description, not a name (names are capitalised)."""
    return not name[:1].isupper()


def _fuzzy_candidates(records: list[SpeakerRecord], limit: int = 200) -> list[Speaker]:
    """Known speakers with an alias trigram-similar to, or ending in the surname of, any record's name.

    One query for all records (the GIN trigram index serves both `%` and LIKE '%surname');
    score_match then ranks each candidate against each record.
    """
    from claims_app.nlp import speaker_matching

    condition = Q()
    for normalised in {speaker_matching.normalise_name(record.name) for record in records} - {""}:
        condition |= Q(normalised__trigram_similar=normalised)
        surname = normalised.split()[-1]
        if len(surname) >= 3:
            condition |= Q(normalised__endswith=surname)
    if not condition:
        return []
    aliases = SpeakerAlias.objects.filter(condition).select_related("speaker")[:limit]
    return list({alias.speaker_id: alias.speaker for alias in aliases}.values())


# ---------------------------------------------------------------- review


def change_claim_status(
    *,
    claim: Claim,
    user: User,
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
        # The index-only columns (search vector, lexemes, a 384-float embedding) are never needed here.
        locked = Claim.objects.select_for_update().defer(*CLAIM_INDEX_ONLY).get(pk=claim.pk)
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
    # What the UPDATE wrote (the row lock made version + 1 exact), without reading the row again.
    locked.status, locked.version, locked.reviewed_by, locked.reviewed_at = status, locked.version + 1, user, now
    logger.info(
        "claim %s status %s -> %s by %s",
        locked.pk,
        old_status,
        status,
        user.get_username(),
        extra={
            "event": "claim_status",
            "claim": locked.pk,
            "old": old_status,
            "new": status,
            "user": user.get_username(),
            "version": locked.version,
        },
    )
    return locked


def add_evidence(*, claim: Claim, user: User, url: str = "", note: str = "") -> Evidence:
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can add evidence.")
    evidence = Evidence(claim=claim, url=url.strip(), note=note.strip(), added_by=user)
    evidence.full_clean()
    with transaction.atomic():
        evidence.save()
    return evidence


def link_claims(*, from_claim: Claim, to_claim: Claim, relation: str, user: User, note: str = "") -> ClaimLink:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can link claims.")
    link = ClaimLink(from_claim=from_claim, to_claim=to_claim, relation=relation, note=note.strip(), created_by=user)
    link.full_clean()
    with transaction.atomic():
        link.save()
        corroboration.refresh([from_claim.pk, to_claim.pk])
    return link


def bulk_change_status(*, claim_ids: Iterable[int], user: User, status: str, note: str = "") -> int:
    """Set many claims' status at once (each change recorded in history); returns how many changed."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can review claims.")
    if status not in Claim.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    with transaction.atomic():
        claims = list(
            Claim.objects.select_for_update().filter(pk__in=list(claim_ids)).exclude(status=status).order_by("pk")
        )
        if not claims:
            return 0
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
            status=status, version=F("version") + 1, reviewed_by=user, reviewed_at=timezone.now()
        )
        ClaimStatusChange.objects.bulk_create(
            [
                ClaimStatusChange(claim=c, changed_by=user, old_status=c.status, new_status=status, note=note.strip())
                for c in claims
            ]
        )
    logger.info(
        "bulk status %s on %d claims by %s",
        status,
        len(claims),
        user.get_username(),
        extra={
            "event": "claim_status_bulk",
            "claims": [c.pk for c in claims],
            "new": status,
            "user": user.get_username(),
        },
    )
    return len(claims)


def speaker_for_name(name: str) -> Speaker:
    """The speaker whose name or alias matches exactly (case- and accent-insensitive), created if none does."""
    from claims_app.nlp import speaker_matching

    normalised = speaker_matching.normalise_name(name)
    if not normalised:
        raise ValidationError({"speaker": "Give the speaker's name."})
    speaker = (
        Speaker.objects.filter(aliases__alias__iexact=name.strip()).order_by("pk").first()
        or Speaker.objects.filter(aliases__normalised=normalised).order_by("pk").first()
        or Speaker.objects.filter(normalised_name=normalised).order_by("pk").first()
    )
    if speaker is None:
        speaker = Speaker(name=name.strip()[:300], normalised_name=normalised[:300])
        speaker.full_clean()
        speaker.save()
        SpeakerAlias.objects.create(speaker=speaker, alias=speaker.name, normalised=normalised[:300])
    return speaker


def _speaker_label(speaker: Speaker | None) -> str:
    return f"{speaker.name} (#{speaker.pk})" if speaker else ""


def correct_claim(
    *,
    claim: Claim,
    user: User,
    text: str | None = None,
    speaker_name: str | None = None,
    kind: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Correct a claim's text, speaker or kind; each changed field becomes a ClaimCorrection row."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can correct claims.")
    with transaction.atomic():
        locked = Claim.objects.select_for_update(of=("self",)).select_related("speaker").get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(locked)
        corrections: list[ClaimCorrection] = []
        if text is not None and text.strip() and text.strip() != locked.text:
            corrections.append(ClaimCorrection(field="text", old_value=locked.text, new_value=text.strip()))
            locked.text = text.strip()
            locked.embedding = None  # the old text's; re-embedded after commit
        if kind and kind != locked.kind:
            corrections.append(ClaimCorrection(field="kind", old_value=locked.kind, new_value=kind))
            locked.kind = kind
        if speaker_name is not None and speaker_name.strip():
            speaker = speaker_for_name(speaker_name)
            if speaker.pk != locked.speaker_id:
                corrections.append(
                    ClaimCorrection(
                        field="speaker", old_value=_speaker_label(locked.speaker), new_value=_speaker_label(speaker)
                    )
                )
                locked.speaker = speaker
        if not corrections:
            return locked
        locked.version += 1
        locked.full_clean()
        locked.save()
        for correction in corrections:
            correction.claim = locked
            correction.changed_by = user
            correction.note = note.strip()
        ClaimCorrection.objects.bulk_create(corrections)
        if any(c.field == ClaimCorrection.Field.TEXT for c in corrections):
            claim_embeddings.queue_after_commit(claim_ids=[locked.pk])
        if any(c.field == ClaimCorrection.Field.SPEAKER for c in corrections):
            corroboration.refresh([locked.pk])
    changed = ", ".join(c.field for c in corrections)
    logger.info(
        "claim %s corrected (%s) by %s",
        locked.pk,
        changed,
        user.get_username(),
        extra={"event": "claim_correction", "claim": locked.pk, "fields": changed, "user": user.get_username()},
    )
    return locked


def set_claim_rejected(*, claim: Claim, user: User, rejected: bool, note: str = "") -> Claim:
    """Mark an extracted span as not a claim (kept, hidden from the default list), or restore it."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can reject claims.")
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.is_rejected == rejected:
            return locked
        ClaimCorrection.objects.create(
            claim=locked,
            field=ClaimCorrection.Field.REJECTED,
            old_value="yes" if locked.is_rejected else "no",
            new_value="yes" if rejected else "no",
            note=note.strip(),
            changed_by=user,
        )
        locked.is_rejected = rejected
        locked.version += 1
        locked.save(update_fields=["is_rejected", "version"])
    return locked


def find_span(body: str, text: str, taken: Iterable[tuple[int, int]] = ()) -> tuple[int, int]:
    """Where `text` occurs in `body`, preferring an occurrence that is not already a claim."""
    needle = text.strip()
    if not needle:
        raise ValidationError({"text": "Give the words of the claim."})
    taken_spans = set(taken)
    first: tuple[int, int] | None = None
    start = body.find(needle)
    while start != -1:
        span = (start, start + len(needle))
        if span not in taken_spans:
            return span
        first = first or span
        start = body.find(needle, start + 1)
    if first:
        raise ValidationError({"text": "That passage is already a claim."})
    raise ValidationError({"text": "That text does not occur in the article (copy it exactly)."})


def add_claim(*, article: Article, user: User, start: int, end: int, kind: str, speaker_name: str = "") -> Claim:
    """Add a claim the extractor missed, from a span of the article body."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can add claims.")
    # Trim whitespace the selection may have caught at either end.
    while start < end and article.body[start].isspace():
        start += 1
    while end > start and article.body[end - 1].isspace():
        end -= 1
    if not (0 <= start < end <= len(article.body)):
        raise ValidationError({"text": "Select some text inside the article."})
    with transaction.atomic():
        speaker = speaker_for_name(speaker_name) if speaker_name.strip() else None
        claim = Claim(
            article=article,
            speaker=speaker,
            text=article.body[start:end],
            start=start,
            end=end,
            kind=kind,
            origin=Claim.Origin.EDITOR,
        )
        claim.full_clean()
        claim.save()
        claim_embeddings.queue_after_commit(claim_ids=[claim.pk])
    logger.info("claim %s added by hand to article %s by %s", claim.pk, article.pk, user.get_username())
    return claim


def change_link_relation(*, link: ClaimLink, user: User, relation: str) -> ClaimLink:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can link claims.")
    link.relation = relation
    link.full_clean()
    with transaction.atomic():
        link.save(update_fields=["relation"])
        corroboration.refresh([link.from_claim_id, link.to_claim_id])
    return link


def remove_link(*, link: ClaimLink, user: User) -> None:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can unlink claims.")
    ends = [link.from_claim_id, link.to_claim_id]
    with transaction.atomic():
        link.delete()
        corroboration.refresh(ends)


def merge_speakers(
    *, keep: Speaker, remove: Speaker, user: User, suggestion: SpeakerMergeSuggestion | None = None
) -> SpeakerMerge:
    """Move `remove`'s claims and aliases to `keep` and delete it, recording enough to undo exactly."""
    if not roles.can_merge_speakers(user):
        raise PermissionDenied("Only admins can merge speakers.")
    if keep.pk == remove.pk:
        raise ValidationError("Cannot merge a speaker into itself.")
    with transaction.atomic():
        keep, remove = (
            Speaker.objects.select_for_update().get(pk=keep.pk),
            Speaker.objects.select_for_update().get(pk=remove.pk),
        )
        claim_ids = list(Claim.objects.filter(speaker=remove).order_by("pk").values_list("pk", flat=True))
        kept_aliases = set(keep.aliases.values_list("alias", flat=True))
        aliases = list(remove.aliases.order_by("pk"))
        moved_aliases = [a for a in aliases if a.alias not in kept_aliases]
        dropped_aliases = [a for a in aliases if a.alias in kept_aliases]
        pair_filter = Q(speaker=remove) | Q(candidate=remove)
        suggestions = list(SpeakerMergeSuggestion.objects.filter(pair_filter).order_by("pk"))
        snapshot = {
            "speaker": {
                "name": remove.name,
                "normalised_name": remove.normalised_name,
                "kind": remove.kind,
                "role": remove.role,
                "created_at": remove.created_at.isoformat(),
            },
            "claim_ids": claim_ids,
            "moved_alias_ids": [a.pk for a in moved_aliases],
            "dropped_aliases": [{"alias": a.alias, "normalised": a.normalised} for a in dropped_aliases],
            "suggestions": [
                {
                    "speaker_id": s.speaker_id,
                    "candidate_id": s.candidate_id,
                    "score": s.score,
                    "status": s.status,
                    "created_at": s.created_at.isoformat(),
                }
                for s in suggestions
            ],
            "kept_role_before": keep.role,
            "accepted_suggestion": suggestion.pk if suggestion else None,
        }
        Claim.objects.filter(pk__in=claim_ids).update(speaker=keep)
        SpeakerAlias.objects.filter(pk__in=[a.pk for a in moved_aliases]).update(speaker=keep)
        if remove.role and not keep.role:
            keep.role = remove.role
            keep.save(update_fields=["role"])
        merge = SpeakerMerge(
            kept=keep, removed_speaker_id=remove.pk, removed_name=remove.name, snapshot=snapshot, merged_by=user
        )
        merge.full_clean()
        merge.save()
        remove.delete()  # cascades its dropped aliases and the suggestions snapshotted above
        corroboration.refresh(claim_ids)  # a claim's origin defaults to its speaker
    logger.info("speaker %s merged into %s by %s (%d claims)", remove.pk, keep.pk, user.get_username(), len(claim_ids))
    return merge


def undo_speaker_merge(*, merge: SpeakerMerge, user: User) -> Speaker:
    """Recreate the merged-away speaker under its old id and move back exactly what the merge moved."""
    if not roles.can_merge_speakers(user):
        raise PermissionDenied("Only admins can undo merges.")
    with transaction.atomic():
        merge = SpeakerMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise ValidationError("This merge was already undone.")
        if Speaker.objects.filter(pk=merge.removed_speaker_id).exists():
            raise ValidationError("A speaker with the old id exists again; cannot undo.")
        snap = merge.snapshot
        fields = snap["speaker"]
        restored = Speaker.objects.create(
            pk=merge.removed_speaker_id,
            name=fields["name"],
            normalised_name=fields["normalised_name"],
            kind=fields["kind"],
            role=fields["role"],
        )
        # auto_now_add ignores a passed value; put the original creation time back.
        Speaker.objects.filter(pk=restored.pk).update(created_at=fields["created_at"])
        Claim.objects.filter(pk__in=snap["claim_ids"], speaker_id=merge.kept_id).update(speaker=restored)
        SpeakerAlias.objects.filter(pk__in=snap["moved_alias_ids"], speaker_id=merge.kept_id).update(speaker=restored)
        SpeakerAlias.objects.bulk_create(
            [
                SpeakerAlias(speaker=restored, alias=a["alias"], normalised=a["normalised"])
                for a in snap["dropped_aliases"]
            ],
            ignore_conflicts=True,
        )
        existing = set(Speaker.objects.filter(pk__in=_suggestion_speaker_ids(snap)).values_list("pk", flat=True))
        restored_suggestions = [
            SpeakerMergeSuggestion(
                speaker_id=s["speaker_id"],
                candidate_id=s["candidate_id"],
                score=s["score"],
                status=SpeakerMergeSuggestion.Status.OPEN if s.get("status") == "accepted" else s["status"],
            )
            for s in snap["suggestions"]
            if s["speaker_id"] in existing and s["candidate_id"] in existing
        ]
        SpeakerMergeSuggestion.objects.bulk_create(restored_suggestions, ignore_conflicts=True)
        kept = merge.kept
        if kept.role != snap.get("kept_role_before", kept.role):
            kept.role = snap["kept_role_before"]
            kept.save(update_fields=["role"])
        merge.undone_at = timezone.now()
        merge.undone_by = user
        merge.save(update_fields=["undone_at", "undone_by"])
        corroboration.refresh(snap["claim_ids"])
    logger.info("speaker merge %s undone by %s", merge.pk, user.get_username())
    return restored


def _suggestion_speaker_ids(snapshot: dict) -> set[int]:  # type: ignore[type-arg]
    return {s["speaker_id"] for s in snapshot["suggestions"]} | {s["candidate_id"] for s in snapshot["suggestions"]}


def dismiss_merge_suggestion(*, suggestion: SpeakerMergeSuggestion, user: User) -> SpeakerMergeSuggestion:
    if not roles.can_merge_speakers(user):
        raise PermissionDenied("Only admins can dismiss merge suggestions.")
    suggestion.status = SpeakerMergeSuggestion.Status.DISMISSED
    with transaction.atomic():
        suggestion.save(update_fields=["status"])
    return suggestion
