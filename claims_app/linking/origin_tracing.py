"""Statement origins traced at ingest: repeats of one statement join one origin without an editor's click.

Run by the embedding task once a new article's claims have vectors (`trace_article`). For each claim of the
article, the same speaker's (alias-resolved at ingest) nearest claims in other articles are fetched in one
query; a pair joins when the wording says the same thing (embedding cosine and pg_trgm similarity, the
suggestion ranking's two text signals) and the venues read from the attributions can be one occasion
(`venues_compatible` is not False: "a TV interview" joins "told Rossiya-24 TV", "wrote on Telegram" does
not). Relays ("as reported by X", wire copy) keep the original speaker at extraction, so they join like any
retelling. Pairs an editor undid (OriginPairingUndo) never join again.

A fixed number of queries per article, whatever its number of claims: candidates (1), their rows and
articles (2: the candidates, then the other members of their origins), undone pairs (1), same-article
companions of the paired claims (1), then the writes in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Q

from claims_app.linking import corroboration
from claims_app.models import Claim, ClaimCorrection, OriginPairingUndo, StatementOrigin
from claims_app.nlp.venues import (
    Venue,
    merge_venues,
    outlet_key,
    read_venue,
    venue_of_claim,
    venues_compatible,
    wire_dateline,
)

logger = logging.getLogger(__name__)

# Chosen on eval/origins (manage.py evaluate_origins): same-speaker retellings of one statement score
# cosine >= ~0.7 there, while a speaker's other statements on the same story stay below ~0.6.
# With venues agreeing (compatible is True) a looser bar; with nothing to compare (None) a stricter one.
COSINE_WITH_VENUE = 0.58
COSINE_WITHOUT_VENUE = 0.72
# Without embeddings (model off or vector missing) the pg_trgm similarity alone decides.
TRIGRAM_ONLY = 0.5
NEIGHBOURS = 8  # same-speaker nearest claims looked at per claim
# In one article, the speaker's quote that a paraphrase comes from ("X said the helicopter was at the epicenter
# ... 'The helicopter was effectively at the epicenter', he said"): it joins the origin its paraphrase joined.
# Higher than COSINE_WITH_VENUE because a speaker's other statements in the same article share the venue.
COSINE_SAME_ARTICLE = 0.62

# Exact, not HNSW: "+ 0" keeps the planner off the approximate index, whose scan filtered to one speaker would
# return too few rows; the speaker's own claims (speaker_id index) are few enough to sort.
CANDIDATE_SQL = """
SELECT q.id, n.id, n.cosine, similarity(q.text, n.text)
FROM claims_app_claim q
JOIN claims_app_claimembedding qe ON qe.claim_id = q.id
CROSS JOIN LATERAL (
    SELECT c.id, c.text, 1 - (ce.embedding <=> qe.embedding) AS cosine
    FROM claims_app_claim c
    JOIN claims_app_claimembedding ce ON ce.claim_id = c.id
    WHERE c.speaker_id = q.speaker_id AND c.article_id <> q.article_id
      AND NOT c.is_rejected
    ORDER BY (ce.embedding <=> qe.embedding) + 0
    LIMIT %(neighbours)s
) n
WHERE q.article_id = %(article)s AND NOT q.is_rejected AND q.speaker_id IS NOT NULL
"""

# The same speaker's other claims in the same article as a paired claim (the anchors), close in wording.
COMPANION_SQL = """
SELECT b.id, a.id, 1 - (ae.embedding <=> be.embedding), similarity(a.text, b.text)
FROM claims_app_claim a
JOIN claims_app_claimembedding ae ON ae.claim_id = a.id
JOIN claims_app_claim b ON b.article_id = a.article_id AND b.speaker_id = a.speaker_id AND b.id <> a.id
JOIN claims_app_claimembedding be ON be.claim_id = b.id
WHERE a.id = ANY(%(anchors)s) AND NOT b.is_rejected AND b.statement_origin_id IS NULL
  AND 1 - (ae.embedding <=> be.embedding) >= %(bar)s
"""

# Claims without vectors (embeddings off): the speaker's claims with similar characters.
TRIGRAM_SQL = """
SELECT q.id, n.id, NULL::float8, n.trigram
FROM claims_app_claim q
CROSS JOIN LATERAL (
    SELECT c.id, similarity(q.text, c.text) AS trigram
    FROM claims_app_claim c
    WHERE c.speaker_id = q.speaker_id AND c.article_id <> q.article_id AND NOT c.is_rejected
    ORDER BY similarity(q.text, c.text) DESC
    LIMIT %(neighbours)s
) n
WHERE q.article_id = %(article)s AND NOT q.is_rejected AND q.speaker_id IS NOT NULL
"""


@dataclass(frozen=True, slots=True)
class Pairing:
    """One automatic decision: `claim` (of the new article) repeats `other`'s statement."""

    claim_id: int
    other_id: int
    cosine: float | None
    trigram: float
    venue: bool | None
    venue_words: tuple[str, ...]
    same_article: bool = False  # a companion: `other` is the same speaker's paired claim in the same article

    def evidence(self, speaker: str) -> dict[str, object]:
        return {
            "with_claim": self.other_id,
            "similarity": round(self.cosine, 3) if self.cosine is not None else None,
            "trigram": round(self.trigram, 3),
            "speaker": speaker,
            "venue_words": list(self.venue_words),
            "venues_agree": self.venue,
            "same_article": self.same_article,
        }


def same_statement(cosine: float | None, trigram: float, venue: bool | None) -> bool:
    """Do the wording and venues say one statement on one occasion? (pure; the thresholds above)"""
    if venue is False:
        return False
    if cosine is None:
        return trigram >= TRIGRAM_ONLY
    return cosine >= (COSINE_WITH_VENUE if venue else COSINE_WITHOUT_VENUE)


def _venues(claims: list[Claim]) -> dict[int, Venue]:
    """Each claim's venue, merged with its speaker's other attributions in the same article."""
    own = {
        c.pk: venue_of_claim(c.article.body, c.start, c.end, c.speaker_mention_start, c.speaker_mention_end)
        for c in claims
    }
    by_speaker: dict[tuple[int, int | None], list[Venue]] = {}
    for c in claims:
        by_speaker.setdefault((c.article_id, c.speaker_id), []).append(own[c.pk])
    return {c.pk: merge_venues([own[c.pk], *by_speaker[(c.article_id, c.speaker_id)]]) for c in claims}


def article_relays(body: str) -> frozenset[str]:
    """Outlets an article says it relays ("as reported by DTV-1" anywhere, a wire dateline), as outlet keys."""
    found = {read_venue(paragraph).relayed_by for paragraph in body.split("\n\n")}
    found.add(wire_dateline(body))
    return frozenset(outlet_key(name) for name in found if name)


def compatible(a: Venue, b: Venue, relays_a: frozenset[str], relays_b: frozenset[str]) -> bool | None:
    """venues_compatible, plus: an article relaying the very outlet the other claim's speaker addressed agrees."""
    result = venues_compatible(a, b)
    relayed = (b.outlet and outlet_key(b.outlet) in relays_a) or (a.outlet and outlet_key(a.outlet) in relays_b)
    return True if result is None and relayed else result


def _first_seen(claims: list[Claim]) -> Claim:
    dated = [c for c in claims if c.article.published_at]
    if dated:
        return min(dated, key=lambda c: (c.article.published_at or date.min, c.pk))
    return min(claims, key=lambda c: c.pk)


def trace_article(article_id: int) -> list[Pairing]:
    """Put the claims of one article into the statement origins they repeat; returns the pairings made."""
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATE_SQL, {"article": article_id, "neighbours": NEIGHBOURS})
        rows = cursor.fetchall()
        if not rows:
            cursor.execute(TRIGRAM_SQL, {"article": article_id, "neighbours": NEIGHBOURS})
            rows = cursor.fetchall()
    if not rows:
        return []
    ids = {pk for row in rows for pk in row[:2]}
    # Every claim of the involved articles by the involved speakers, so venues can be merged per article.
    seed = Claim.objects.filter(pk__in=ids)
    claims = list(
        Claim.objects.filter(
            article_id__in=seed.values("article_id"), speaker_id__in=seed.values("speaker_id"), is_rejected=False
        )
        .select_related("article", "speaker", "statement_origin")
        .defer("article__raw", "search_vector", "lexemes")
    )
    # The origins the candidates are in, with every member: a claim joins an origin only if its venue clashes
    # with none of them (a relay naming no venue must not bridge a Telegram post into a TV interview).
    origin_ids = {c.statement_origin_id for c in claims if c.statement_origin_id}
    claims += list(
        Claim.objects.filter(statement_origin_id__in=origin_ids, is_rejected=False)
        .exclude(pk__in=[c.pk for c in claims])
        .select_related("article", "speaker", "statement_origin")
        .defer("article__raw", "search_vector", "lexemes")
    )
    by_id = {c.pk: c for c in claims}
    venues = _venues(claims)
    # Once per article, not per claim: reading a long article's relays for each of its claims took minutes.
    articles = {c.article_id: c.article for c in claims}
    relays = {pk: article_relays(article.body) for pk, article in articles.items()}
    members: dict[int, list[int]] = {}
    for c in claims:
        if c.statement_origin_id:
            members.setdefault(c.statement_origin_id, []).append(c.pk)
    undone = {
        frozenset(pair)
        for pair in OriginPairingUndo.objects.filter(Q(claim_id__in=ids) | Q(other_id__in=ids)).values_list(
            "claim_id", "other_id"
        )
    }
    best: dict[int, list[Pairing]] = {}
    for claim_id, other_id, cosine, trigram in rows:
        claim, other = by_id.get(claim_id), by_id.get(other_id)
        if claim is None or other is None or frozenset((claim_id, other_id)) in undone:
            continue
        venue = compatible(venues[claim_id], venues[other_id], relays[claim.article_id], relays[other.article_id])
        cos = float(cosine) if cosine is not None else None
        if not same_statement(cos, float(trigram), venue):
            continue
        fellow = members.get(other.statement_origin_id or 0, [])
        if any(
            compatible(venues[claim_id], venues[m], relays[claim.article_id], relays[by_id[m].article_id]) is False
            for m in fellow
        ):
            continue
        words = tuple(dict.fromkeys((*venues[claim_id].evidence, *venues[other_id].evidence)))
        best.setdefault(claim_id, []).append(Pairing(claim_id, other_id, cos, float(trigram), venue, words))
    if not best:
        return []
    _add_companions(best, by_id, venues, undone)
    return _assign(best, by_id)


def _add_companions(
    best: dict[int, list[Pairing]], by_id: dict[int, Claim], venues: dict[int, Venue], undone: set[frozenset[int]]
) -> None:
    """Pair each paired claim's close same-article, same-speaker companions with it (after every cross-article
    pairing, so `_assign` gives the anchor its origin first). One query."""
    anchors = {pk for pairings in best.values() for p in pairings for pk in (p.claim_id, p.other_id)}
    with connection.cursor() as cursor:
        cursor.execute(COMPANION_SQL, {"anchors": sorted(anchors), "bar": COSINE_SAME_ARTICLE})
        rows = cursor.fetchall()
    for companion_id, anchor_id, cosine, trigram in sorted(rows, key=lambda row: -row[2]):
        if companion_id in anchors or companion_id in best or frozenset((companion_id, anchor_id)) in undone:
            continue
        if companion_id not in by_id:
            continue  # another speaker's origin member, outside what was loaded
        venue = venues_compatible(venues[companion_id], venues[anchor_id])
        if venue is False:
            continue
        words = tuple(dict.fromkeys((*venues[companion_id].evidence, *venues[anchor_id].evidence)))
        best[companion_id] = [
            Pairing(companion_id, anchor_id, float(cosine), float(trigram), venue, words, same_article=True)
        ]


def _assign(best: dict[int, list[Pairing]], by_id: dict[int, Claim]) -> list[Pairing]:
    made: list[Pairing] = []
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Claim.objects.select_for_update(of=("self",))
            .filter(pk__in={pk for ps in best.values() for p in ps for pk in (p.claim_id, p.other_id)})
            .only("pk", "statement_origin_id", "origin_assigned_by", "version")
            .order_by("pk")
        }
        known = StatementOrigin.objects.in_bulk(
            {c.statement_origin_id for c in locked.values() if c.statement_origin_id}
        )
        changes: dict[int, tuple[StatementOrigin, Pairing]] = {}
        for claim_id, pairings in best.items():
            pairings.sort(key=lambda p: -(p.cosine if p.cosine is not None else p.trigram))
            claim = locked.get(claim_id)
            if claim is None or claim.statement_origin_id is not None:
                continue  # an editor's (or an earlier) origin stands
            top = pairings[0]
            origin_id = next(
                (locked[p.other_id].statement_origin_id for p in pairings if locked[p.other_id].statement_origin_id),
                None,
            )
            if origin_id is not None:
                origin = known[origin_id]
            elif top.same_article:
                continue  # a companion joins its anchor's origin, never starts one with it
            else:
                members = [by_id[claim_id], *(by_id[p.other_id] for p in pairings)]
                first = _first_seen(members)
                origin = StatementOrigin(
                    speaker=by_id[claim_id].speaker,
                    medium=", ".join(top.venue_words)[:300],
                    first_article=first.article,
                    first_seen=first.article.published_at,
                    note="Traced automatically.",
                )
                origin.full_clean()
                origin.save()
                known[origin.pk] = origin
            changes[claim_id] = (origin, top)
            locked[claim_id].statement_origin_id = origin.pk
            for p in pairings:
                if locked[p.other_id].statement_origin_id is None:
                    locked[p.other_id].statement_origin_id = origin.pk
                    changes[p.other_id] = (
                        origin,
                        Pairing(p.other_id, claim_id, p.cosine, p.trigram, p.venue, p.venue_words),
                    )
        corrections = []
        for pk, (origin, pairing) in changes.items():
            claim = by_id[pk]
            speaker = claim.speaker.name if claim.speaker else ""
            evidence = pairing.evidence(speaker)
            Claim.objects.filter(pk=pk).update(
                statement_origin=origin,
                origin_assigned_by=Claim.OriginAssignedBy.AUTOMATIC,
                origin_evidence=evidence,
                version=locked[pk].version + 1,
            )
            corrections.append(
                ClaimCorrection(
                    claim_id=pk,
                    field=ClaimCorrection.Field.ORIGIN,
                    old_value="",
                    new_value=str(origin),
                    note=describe(evidence),
                    changed_by=None,
                )
            )
            made.append(pairing)
        ClaimCorrection.objects.bulk_create(corrections)
        corroboration.refresh(changes)
    logger.info("traced %d claims to statement origins", len(made))
    return made


def describe(evidence: dict[str, object]) -> str:
    """The evidence of an automatic pairing, as the claim history and badge say it."""
    parts = [f"Traced automatically: same speaker ({evidence.get('speaker') or 'unknown'})"]
    if evidence.get("similarity") is not None:
        parts.append(f"similarity {evidence['similarity']}")
    else:
        parts.append(f"text similarity {evidence.get('trigram')}")
    words = evidence.get("venue_words")
    if isinstance(words, list) and words:
        parts.append("venue: " + ", ".join(str(w) for w in words))
    if evidence.get("same_article"):
        parts.append(f"says what claim #{evidence.get('with_claim')} says, in the same article")
    else:
        parts.append(f"repeats claim #{evidence.get('with_claim')}")
    return "; ".join(parts) + "."
