"""Origins: which claims trace back to one original statement (reads only; writes are in corroboration_services).

A claim is suggested to share an origin with another when the same speaker says nearly the same thing and
the articles name the same medium ("told Rossiya-24", "in a TV interview") or one names none, or when the
claim's article cites the other's outlet ("as reported by", wire copy) and the text is similar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q
from django.db.models.functions import Lower

from claims_app.models import CLAIM_INDEX_ONLY, Claim, OriginPairingUndo, StatementOrigin

NEAR_DUPLICATE = 0.45  # pg_trgm similarity of the same statement reworded by another outlet
CITED_SIMILAR = 0.25  # lower bar when the article names the other outlet as its source
CONTEXT_CHARS = 250
MAX_PEERS = 20

_NAME = r"[A-Z][\w’'.-]*(?:[ -](?:[A-Z0-9][\w’'.-]*|of|the|de|al))*"
MEDIUM_PATTERNS = [
    re.compile(rf"\btold (?:the )?(?:(?:state|news|channel|radio|TV|television|newspaper) )?(?P<m>{_NAME})"),
    re.compile(
        rf"\b(?:in|during) an? (?P<m>(?:{_NAME} )?(?:TV|television|radio|video|podcast|newspaper|press) "
        r"(?:interview|address|briefing|appearance|broadcast))"
    ),
    re.compile(rf"\b(?:on|to) (?P<m>{_NAME}) (?:television|TV|radio)\b"),
    re.compile(r"\bat an? (?P<m>(?:press|news) conference|briefing|rally|summit|hearing)\b"),
    re.compile(rf"\bin an interview with (?P<m>{_NAME})"),
]
CITATION_PATTERNS = [
    re.compile(rf"\b(?:as |first )?reported by (?P<m>{_NAME})"),
    re.compile(rf"\baccording to (?:the )?(?P<m>{_NAME}) (?:news agency|agency|report|newspaper)"),
    re.compile(rf"\b(?P<m>{_NAME}) (?:news agency )?(?:first )?reported\b"),
    re.compile(rf"^\s*\(?(?P<m>{_NAME})\)?\s+[—–-]", re.MULTILINE),  # wire dateline "(Reuters) -"
]


def _window(body: str, start: int, end: int) -> str:
    return body[max(0, start - CONTEXT_CHARS) : min(len(body), end + CONTEXT_CHARS)]


def medium_cue(body: str, start: int, end: int) -> str:
    """The medium an article says a statement was made in, from the text around the claim ('' if none)."""
    window = _window(body, start, end)
    for pattern in MEDIUM_PATTERNS:
        match = pattern.search(window)
        if match:
            return match.group("m").strip(" .,;")
    return ""


def cited_sources(body: str) -> set[str]:
    """Outlets or agencies an article names as its source, lower-cased as PostgreSQL's lower() does (the
    lookup of their claims compares lower(outlet) in SQL)."""
    found = set()
    for pattern in CITATION_PATTERNS:
        found |= {m.group("m").strip(" .,;").lower() for m in pattern.finditer(body)}
    return found


def same_medium(a: str, b: str) -> bool:
    """Two medium cues agree, or at least one article does not say (then the text decides)."""
    a, b = a.casefold(), b.casefold()
    return not a or not b or a in b or b in a


@dataclass(slots=True)
class OriginSuggestion:
    """Claims that look like one original statement, and the origin they should share."""

    claim: Claim
    peers: list[Claim]
    origin: StatementOrigin | None  # an existing origin to join, or None to create one
    medium: str
    reasons: list[str] = field(default_factory=list)

    @property
    def first_claim(self) -> Claim:
        dated = [c for c in (self.claim, *self.peers) if c.article.published_at]
        if dated:
            return min(dated, key=lambda c: (c.article.published_at, c.pk))
        return min((self.claim, *self.peers), key=lambda c: c.pk)


def suggest_origin(claim: Claim) -> OriginSuggestion | None:
    """Other articles' claims that repeat this claim's original statement, or None."""
    body = claim.article.body
    medium = medium_cue(body, claim.start, claim.end)
    cited = cited_sources(body)
    # An editor undid an automatic pairing of these: it is not suggested again either.
    undone = {
        pk
        for pair in OriginPairingUndo.objects.filter(Q(claim_id=claim.pk) | Q(other_id=claim.pk)).values_list(
            "claim_id", "other_id"
        )
        for pk in pair
    } - {claim.pk}
    qs = (
        Claim.objects.filter(is_rejected=False)
        .exclude(article_id=claim.article_id)
        .exclude(pk__in=undone)
        .select_related("article", "speaker", "statement_origin")
        .defer("article__raw", *CLAIM_INDEX_ONLY)
        .annotate(similarity=TrigramSimilarity("text", claim.text))
    )
    if claim.speaker_id is not None:
        qs = qs.filter(speaker_id=claim.speaker_id)
    elif cited:
        # Without a speaker only an outlet this article cites can make a peer (below), so only those outlets'
        # claims are compared (article_outlet_lower): scoring every claim took 2-3 s at 200,000 claims.
        qs = qs.alias(outlet_key=Lower("article__outlet")).filter(outlet_key__in=sorted(cited))
    else:
        return None
    candidates = list(qs.filter(similarity__gte=CITED_SIMILAR).order_by("-similarity", "pk")[:MAX_PEERS])
    peers: list[Claim] = []
    reasons: list[str] = []
    for other in candidates:
        other_medium = medium_cue(other.article.body, other.start, other.end)
        outlet = other.article.outlet.lower()
        if outlet and outlet in cited:
            peers.append(other)
            reasons.append(f"this article cites {other.article.outlet}")
        elif claim.speaker_id is not None and other.similarity >= NEAR_DUPLICATE and same_medium(medium, other_medium):
            peers.append(other)
            medium = medium or other_medium
            if other_medium:
                reasons.append(f"same speaker, same medium ({other_medium}), nearly the same words")
            else:
                reasons.append("same speaker, nearly the same words")
    if claim.statement_origin_id is not None:
        peers = [p for p in peers if p.statement_origin_id != claim.statement_origin_id]
    if not peers:
        return None
    existing = claim.statement_origin or next((p.statement_origin for p in peers if p.statement_origin), None)
    return OriginSuggestion(
        claim=claim, peers=peers, origin=existing, medium=medium, reasons=list(dict.fromkeys(reasons))
    )


def origin_claims(origin: StatementOrigin | None, limit: int = 20) -> list[Claim]:
    if origin is None:
        return []
    return list(
        origin.claims.select_related("article", "speaker").defer("article__raw", "article__body").order_by("pk")[:limit]
    )
