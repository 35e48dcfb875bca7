"""Every write Claimdesk makes goes through here: keyword-only, validated, one transaction each.

The NLP modules are imported inside the ingest functions: importing spaCy costs about a
second, which every other manage.py command and web worker start-up should not pay.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims_app.ingest.speaker_resolution import claim_speaker_name, resolve_speakers
from claims_app.linking import embeddings
from claims_app.models import (
    Article,
    Claim,
)
from claims_app.nlp.records import ArticleExtraction, CleanedArticle, InputRejected
from claims_app.web import process

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArticleOverrides:
    """Metadata typed by the uploader; wins over what cleaning found."""

    title: str = ""
    url: str = ""
    outlet: str = ""
    author: str = ""


# ---------------------------------------------------------------- users


# ---------------------------------------------------------------- ingestion


def content_hash(body: str) -> str:
    """SHA-256 of the body with whitespace and case folded, so re-pastes of one article match."""
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", body)).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def max_upload_bytes() -> int:
    return int(settings.CLAIMS_MAX_UPLOAD_MB) * 1024 * 1024


# One load per process even when the warm-up thread and a request ask at the same time.
_NLP_LOCK = threading.Lock()
_nlp_frozen = False


def load_nlp() -> Language:
    """The process-wide spaCy pipeline named by CLAIMS_SPACY_MODEL, with the CLAIMS_ATTRIBUTION_MODEL tagger."""
    from claims_app.nlp import pipeline  # spaCy loads only in processes that ingest, not in web readers

    global _nlp_frozen
    with _NLP_LOCK:
        nlp = pipeline.load_pipeline(
            settings.CLAIMS_SPACY_MODEL, settings.CLAIMS_ATTRIBUTION_MODEL, settings.CLAIMS_ATTRIBUTION_PRECISION
        )
        if not _nlp_frozen:
            # spaCy and the tagger add ~400,000 objects that live as long as the process: keep the garbage
            # collector's full passes off them (web/process.py: 170-280 ms pauses otherwise).
            process.freeze_long_lived("NLP pipeline")
            _nlp_frozen = True
        return nlp


def warm_nlp_in_background() -> threading.Thread | None:
    """Load the pipeline in a daemon thread, for a web worker that files uploads in the request (config/gunicorn.py
    calls it as each worker starts): otherwise the first upload after a start or a max_requests recycle loads
    spaCy and the tagger inside the request (6.6–7.7 s in the load tests) while the requests queued behind it wait.
    Nothing when CLAIMS_WARM_NLP is off or every upload goes to the worker (CLAIMS_BACKGROUND_INGEST_CHARS=0)."""
    if not settings.CLAIMS_WARM_NLP or int(settings.CLAIMS_BACKGROUND_INGEST_CHARS) <= 0:
        return None
    thread = threading.Thread(target=_warm_nlp, name="claimdesk-warm-nlp", daemon=True)
    thread.start()
    return thread


def _warm_nlp() -> None:
    started = time.perf_counter()
    try:
        load_nlp()
    except Exception:  # a broken model must not kill the web worker; the first upload reports it
        logger.exception("loading the NLP pipeline ahead of the first upload failed")
        return
    logger.info("NLP pipeline loaded ahead of the first upload in %.1f s", time.perf_counter() - started)


def prepare_article(*, raw: bytes, filename: str = "", overrides: ArticleOverrides | None = None) -> CleanedArticle:
    """Decode and clean an upload, the uploader's metadata applied; raises InputRejected. No NLP, no writes."""
    from claims_app.nlp import pipeline  # spaCy loads only in processes that ingest, not in web readers

    return _apply_overrides(pipeline.prepare(raw, filename=filename, max_bytes=max_upload_bytes()), overrides)


def belongs_in_background(cleaned: CleanedArticle) -> bool:
    """True for a body long enough that filing it would hold a web request for many seconds (about 10 s per
    100,000 characters here): the upload view queues it for the worker instead."""
    return len(cleaned.body) > int(settings.CLAIMS_BACKGROUND_INGEST_CHARS)


def existing_article(cleaned: CleanedArticle) -> Article | None:
    """The article already filed with this body, if any (marked `is_duplicate`)."""
    return _existing_article(content_hash(cleaned.body))


def ingest_article(
    *,
    raw: bytes,
    filename: str = "",
    uploaded_by: User | None = None,
    overrides: ArticleOverrides | None = None,
    cleaned: CleanedArticle | None = None,
) -> Article:
    """Clean, extract and file one article in one transaction.

    Raises InputRejected (one-line message) for input we refuse. A duplicate returns the
    existing article with `is_duplicate` set. `cleaned` is `prepare_article`'s result when the caller has it.
    """
    from claims_app.nlp import pipeline  # spaCy loads only in processes that ingest, not in web readers

    if cleaned is None:
        cleaned = prepare_article(raw=raw, filename=filename, overrides=overrides)
    sha = content_hash(cleaned.body)
    existing = _existing_article(sha)
    if existing is not None:
        return existing  # checked before the (costly) NLP pass
    started = time.perf_counter()
    doc = pipeline.parse(load_nlp(), cleaned.body)
    extraction = pipeline.extract(doc, cleaned, cue_lexicon=settings.CLAIMS_CUE_LEXICON)
    return _write_article(
        raw=raw,
        filename=filename,
        extraction=extraction,
        sha=sha,
        uploaded_by=uploaded_by,
        nlp_seconds=time.perf_counter() - started,
    )


class Prepared(NamedTuple):
    """One item of `prepared_batches`: its extraction (or why it was refused) and its share of the NLP time."""

    source: str
    raw: bytes
    outcome: ArticleExtraction | InputRejected
    nlp_seconds: float = 0.0


def prepared_batches(items: Iterable[tuple[str, bytes]], *, batch_size: int = 32) -> Iterator[Prepared]:
    """Decode, clean and extract many (filename, raw) items with nlp.pipe; no writes.

    Each extraction is handed out as soon as it is ready, so the caller's writes overlap the attribution tagger
    where it runs on its own thread (pipeline.parse_many). Each filed article records its ingest time: its
    share, by length, of the batch's parse up to the first extraction, plus the time its own extraction took.
    """
    from claims_app.nlp import pipeline  # spaCy loads only in processes that ingest, not in web readers

    nlp = load_nlp()
    pending: list[tuple[str, bytes, CleanedArticle]] = []

    def flush() -> Iterator[Prepared]:
        total = sum(len(c.body) for _, _, c in pending) or 1
        extractions = pipeline.analyse_texts(
            [c for _, _, c in pending], nlp, batch_size=batch_size, cue_lexicon=settings.CLAIMS_CUE_LEXICON
        )
        shared: float | None = None  # the batch's parse, paid before the first extraction comes out
        for name, raw, cleaned in pending:
            resumed = time.perf_counter()
            extraction = next(extractions)
            own = time.perf_counter() - resumed
            if shared is None:
                shared, own = own, 0.0
            yield Prepared(name, raw, extraction, shared * len(cleaned.body) / total + own)
        pending.clear()

    for name, raw in items:
        try:
            pending.append((name, raw, pipeline.prepare(raw, filename=name, max_bytes=max_upload_bytes())))
        except InputRejected as exc:
            yield Prepared(name, raw, exc)
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
    article = extraction.article  # filed even with no claims: its page says so and an editor can add them
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
            speakers = resolve_speakers(extraction)
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
                    attribution=record.attribution,
                    speaker_mention=record.speaker_mention.text[:300] if record.speaker_mention else "",
                    speaker_mention_start=record.speaker_mention.start if record.speaker_mention else None,
                    speaker_mention_end=record.speaker_mention.end if record.speaker_mention else None,
                )
                for record in extraction.claims
            ]
            Claim.objects.bulk_create(claims)
            # Embeddings are computed by a background task once the article has committed, never in here.
            embeddings.queue_after_commit(article_id=row.pk)
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


# ---------------------------------------------------------------- review
