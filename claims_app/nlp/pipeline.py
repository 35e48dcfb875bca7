"""The pure extraction pipeline: load spaCy once, find claims in a Doc, pin them to speakers.

No Django and no database: `services` turns the returned records into rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from claims_app.nlp.attribution import claims as attribution_claims
from claims_app.nlp.attribution.attribution_kinds import attribution_kind
from claims_app.nlp.attribution.component import ATTRIBUTION_TAGGER, SPANS_KEY, AttributionTagger, TaggedSpans
from claims_app.nlp.attribution.lexicon import find_lexicon_claims
from claims_app.nlp.attribution.model import torch_threads
from claims_app.nlp.claim_candidates import ClaimCandidate, reconcile
from claims_app.nlp.doc_layout import DocLayout
from claims_app.nlp.quotes import find_quote_claims
from claims_app.nlp.records import ArticleExtraction, ClaimKind, ClaimRecord, CleanedArticle, Span
from claims_app.nlp.reported_speech import find_reported_claims
from claims_app.nlp.speakers import NameIndex, SpeakerResolver

PARAGRAPH_BREAKS = "claimdesk_paragraph_breaks"
DEFAULT_BATCH_SIZE = 32
# A body longer than this goes through spaCy in pieces of whole paragraphs (spaCy refuses texts over
# nlp.max_length, 1,000,000 characters, and its memory grows with the text); the pieces' Docs are joined again.
PIECE_CHARS = 50_000
# Where a piece may end, best first: after a paragraph, a line, a sentence, a word.
_PIECE_ENDS = ("\n\n", "\n", ". ", " ")
MAX_DATELINE_TOKENS = 12
_DATELINE_DASHES = frozenset({"\u2014", "\u2013", "-", "--"})
# Section labels and URL parts that mark the author's own view rather than reporting.
_OPINION_LABELS = frozenset(
    {"opinion", "opinions", "op-ed", "oped", "comment", "commentary", "column", "columns", "editorial", "blog", "blogs"}
)


@Language.component(PARAGRAPH_BREAKS)
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence at every paragraph and after a wire dateline ('OSKERBY — ...'), so the
    parser neither joins paragraphs nor makes the dateline the subject of the lede."""
    separator = "\n\n" if "\n\n" in doc.text else "\n"
    for token in doc[:-1]:
        if token.is_space and separator in token.text:
            doc[token.i + 1].is_sent_start = True
    first = next((token.i for token in doc if not token.is_space), None)
    if first is not None:
        _mark_dateline_end(doc, first)
    return doc


def _mark_dateline_end(doc: Doc, first: int) -> None:
    """'VILMORA — ...' / 'SALTMERE, March 4 (Nordwire) - ...' at the top of the body."""
    if not (doc[first].is_alpha and doc[first].is_upper and len(doc[first]) > 2):
        return
    for index in range(first + 1, min(len(doc) - 1, first + MAX_DATELINE_TOKENS)):
        if doc[index].is_space and "\n" in doc[index].text:
            return
        if doc[index].text in _DATELINE_DASHES:
            doc[index + 1].is_sent_start = True
            return


@functools.cache
def load_pipeline(model_name: str, attribution_model: str = "", attribution_precision: str = "auto") -> Language:
    """Load the spaCy model once per process and add Claimdesk's components; `attribution_model` is the
    directory of the trained attribution tagger (empty: rules only), run at `attribution_precision`
    (attribution.model.PRECISIONS)."""
    nlp = spacy.load(model_name)
    if PARAGRAPH_BREAKS not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_BREAKS, before="parser" if "parser" in nlp.pipe_names else None)
    if attribution_model:
        nlp.add_pipe(ATTRIBUTION_TAGGER, config={"model_dir": attribution_model, "precision": attribution_precision})
    return nlp


def body_pieces(body: str, limit: int = PIECE_CHARS) -> list[str]:
    """Consecutive pieces of at most `limit` characters that join back into `body`, cut after a paragraph
    break where one falls in the window (else a line break, a sentence end, a space; else at the limit)."""
    pieces: list[str] = []
    start = 0
    while len(body) - start > limit:
        cut = start + limit
        for end in _PIECE_ENDS:
            at = body.rfind(end, start + 1, start + limit)
            if at > start:
                cut = at + len(end)
                break
        pieces.append(body[start:cut])
        start = cut
    pieces.append(body[start:])
    return pieces


Context = TypeVar("Context")


def parse_many(
    nlp: Language,
    items: Iterable[tuple[str, Context]],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    piece_chars: int = PIECE_CHARS,
) -> Iterator[tuple[Doc, Context]]:
    """`nlp.pipe` over (text, context) pairs, in order, with long texts parsed in pieces and joined.

    When the models may take two cores or more (attribution.model.torch_threads), the attribution tagger (which
    reads only the text) runs on a thread of its own while spaCy parses, each text whole, and its spans join the
    Doc afterwards: the two models then share the cores instead of taking turns. With one core (the ingest
    worker's default) it runs as the pipeline's last component, one piece after another, so that process keeps
    to one core.
    """
    tagger = _tagger_beside(nlp)
    pending: list[Future[TaggedSpans]] = []

    def pieces() -> Iterator[tuple[str, tuple[Context, Future[TaggedSpans] | None, bool]]]:
        for text, context in items:
            tagged = None
            if tagger is not None:
                tagged = _tagger_thread().submit(tagger.tag_text, text)
                pending.append(tagged)
            parts = body_pieces(text, piece_chars)
            for index, part in enumerate(parts):
                yield part, (context, tagged, index == len(parts) - 1)

    done: list[Doc] = []
    skip = [ATTRIBUTION_TAGGER] if tagger is not None else []
    try:
        for doc, (context, tagged, last) in nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size, disable=skip):
            done.append(doc)
            if last:
                joined = done[0] if len(done) == 1 else _joined(done)
                if tagged is not None:
                    joined.user_data[SPANS_KEY] = tagged.result()
                    pending.remove(tagged)
                yield joined, context
                done = []
    finally:
        for future in pending:  # texts read ahead of a caller that stopped early
            future.cancel()


def _tagger_beside(nlp: Language) -> AttributionTagger | None:
    """The pipeline's attribution tagger when it is to run beside spaCy (two cores or more), else None."""
    if ATTRIBUTION_TAGGER not in nlp.pipe_names or torch_threads() < 2:
        return None
    tagger = nlp.get_pipe(ATTRIBUTION_TAGGER)
    return tagger if isinstance(tagger, AttributionTagger) else None


@functools.cache
def _tagger_thread() -> ThreadPoolExecutor:
    """One thread per process runs the tagger, so requests that parse at once take turns on it."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimdesk-tagger")


def parse(nlp: Language, text: str, *, piece_chars: int = PIECE_CHARS) -> Doc:
    """One text through the pipeline, in pieces when it is long (see parse_many)."""
    doc, _ = next(parse_many(nlp, [(text, None)], piece_chars=piece_chars))
    return doc


def _joined(docs: list[Doc]) -> Doc:
    """One Doc of consecutive pieces: tokens, sentences, parses and entities kept; the tagger's character
    spans shifted to the joined text."""
    # spaCy's stub for from_docs omits the exclude argument that the function itself takes (since 3.4).
    joined = Doc.from_docs(docs, ensure_whitespace=False, exclude=["user_data", "tensor"])  # type: ignore[call-arg]
    if all(SPANS_KEY in doc.user_data for doc in docs):
        spans: list[tuple[str, int, int, bool]] = []
        offset = 0
        for doc in docs:
            spans.extend((role, s + offset, e + offset, more) for role, s, e, more in doc.user_data[SPANS_KEY])
            offset += len(doc.text)
        joined.user_data[SPANS_KEY] = tuple(spans)
    return joined


def is_opinion_piece(article: CleanedArticle) -> bool:
    """True for opinion pages: an 'Opinion'-style section label, title prefix or URL path."""
    if article.section.strip().casefold() in _OPINION_LABELS:
        return True
    label, colon, _ = article.title.partition(":")
    if colon and label.strip().casefold() in _OPINION_LABELS:
        return True
    path_parts = article.url.casefold().split("/")[3:]
    return any(part in _OPINION_LABELS for part in path_parts)


def extract(doc: Doc, article: CleanedArticle, *, cue_lexicon: bool = False) -> ArticleExtraction:
    """Claims and speakers of one article; `doc.text` must be `article.body`. `cue_lexicon` adds the claims
    headed by the cue verbs mined from PolNeAR train (attribution/lexicon.py)."""
    text = doc.text  # built from the tokens on each access: read it once
    if text != article.body:
        raise ValueError("extract() needs the Doc of article.body")
    layout = DocLayout.build(doc, text)
    reported: Iterable[ClaimCandidate] = find_reported_claims(layout)
    if cue_lexicon:
        reported = [*reported, *find_lexicon_claims(layout)]
    candidates = reconcile(find_quote_claims(layout, opinion=is_opinion_piece(article)), reported)
    if (tagged := attribution_claims.tagged_spans(doc)) is not None:
        candidates = attribution_claims.combine(candidates, attribution_claims.model_candidates(doc, tagged))
    resolver = SpeakerResolver(
        NameIndex.from_doc(doc, [q < 0 for q in layout.token_quote]),
        lede_end=layout.paragraphs[0][1] if layout.paragraphs else 0,
    )
    speaker_ids = _resolve_in_mention_order(candidates, resolver)
    speakers = resolver.records()  # settles merges before names are read
    claims = tuple(
        _claim_record(article.body, candidate, resolver.name_of(sid) if sid is not None else None)
        for candidate, sid in zip(candidates, speaker_ids, strict=True)
    )
    return ArticleExtraction(article=article, claims=claims, speakers=speakers)


def _resolve_in_mention_order(candidates: list[ClaimCandidate], resolver: SpeakerResolver) -> list[int | None]:
    """Resolve each claim's mention in text order, so 'he' and 'the general' see earlier speakers."""
    order = sorted(
        range(len(candidates)),
        key=lambda i: (mention.start if (mention := candidates[i].mention) else candidates[i].start, i),
    )
    ids: list[int | None] = [None] * len(candidates)
    for index in order:
        mention = candidates[index].mention
        ids[index] = resolver.resolve(mention) if mention is not None else None
    return ids


def _claim_record(body: str, candidate: ClaimCandidate, speaker: str | None) -> ClaimRecord:
    kind: ClaimKind = "assertion" if speaker is None and candidate.kind != "according_to" else candidate.kind
    return ClaimRecord(
        text=body[candidate.start : candidate.end],
        start=candidate.start,
        end=candidate.end,
        kind=kind,
        cue=candidate.cue,
        speaker=speaker,
        speaker_mention=_speaker_mention(body, candidate),
        attribution=attribution_kind(candidate.cue),
    )


def _speaker_mention(body: str, candidate: ClaimCandidate) -> Span | None:
    """Where the claim names its speaker: the tagged source as written ('who', 'the senator'), which the
    speaker was resolved from, else the rules' mention."""
    if candidate.source is not None:
        start, end = candidate.source
        return Span(body[start:end], start, end)
    mention = candidate.mention
    return Span(mention.text, mention.start, mention.end) if mention is not None else None


def analyse_texts(
    articles: Iterable[CleanedArticle],
    nlp: Language,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    cue_lexicon: bool = False,
) -> Iterator[ArticleExtraction]:
    """Extract many articles lazily through `nlp.pipe` (long ones in pieces), in input order."""
    pairs = ((article.body, article) for article in articles)
    for doc, article in parse_many(nlp, pairs, batch_size=batch_size):
        yield extract(doc, article, cue_lexicon=cue_lexicon)


def prepare(raw: bytes, *, filename: str = "", max_bytes: int | None = None) -> CleanedArticle:
    """Decode and clean an upload; `max_bytes=None` keeps the decoder's default limit."""
    from claims_app.nlp.cleaning import clean_article
    from claims_app.nlp.decoding import decode_upload

    text = (
        decode_upload(raw, filename=filename)
        if max_bytes is None
        else decode_upload(raw, filename=filename, max_bytes=max_bytes)
    )
    return clean_article(text, filename=filename)
