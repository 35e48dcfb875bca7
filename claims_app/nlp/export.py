"""The JSON shape of an extraction, shared by the `extract` and `ingest` commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from claims_app.nlp.records import ArticleExtraction, ClaimRecord


def claim_speaker(claim: ClaimRecord, extraction: ArticleExtraction) -> str | None:
    """The speaker's in-article name; an opinion author's unattributed assertions are the author's."""
    if claim.speaker:
        return claim.speaker
    if claim.kind == "assertion" and extraction.article.author:
        return extraction.article.author
    return None


def extraction_to_dict(
    extraction: ArticleExtraction, *, source: str, canonical: Callable[[str], str] = lambda name: name
) -> dict[str, Any]:
    """`extract --json` object for one file; `canonical` maps in-article names to cross-file ones."""
    article = extraction.article
    claims = []
    for claim in extraction.claims:
        speaker = claim_speaker(claim, extraction)
        mention = claim.speaker_mention
        claims.append(
            {
                "text": claim.text,
                "start": claim.start,
                "end": claim.end,
                "kind": claim.kind,
                "cue": claim.cue,
                "speaker": canonical(speaker) if speaker else None,
                "speaker_mention": {"text": mention.text, "start": mention.start, "end": mention.end}
                if mention
                else None,
                "attribution": claim.attribution,
            }
        )
    return {
        "source": source,
        "title": article.title,
        "author": article.author or None,
        "published": article.published.isoformat() if article.published else None,
        "outlet": article.outlet or None,
        "body": article.body,
        "claims": claims,
    }
