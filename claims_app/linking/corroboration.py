"""Corroboration status: how many independent origins repeat or support a claim, derived from links and origins.

Rules (one place, so the claim list, claim page, exports and API agree):

- Links of relation same_claim, paraphrase or same_origin join claims into one *statement*; corroborates links
  add supporting claims; contradicts links mark the statement contradicted.
- Claims sharing a StatementOrigin (set by an editor or traced automatically) are one statement, as if linked
  same_origin, so repeats of one interview read "same origin only" without any link.
- Each claim's origin is its StatementOrigin when one is set, otherwise its speaker (the same person
  repeating the same thing is not a second source), otherwise the claim itself. same_origin links merge origins.
- Status: contradicted if any claim of the statement is contradicted; else "corroborated by N" where N counts
  origins other than the claim's own; else "repeated from the same origin only" if anything repeats it; else
  "no other source".

The status is stored on Claim (so /claims/ can filter and sort on it) and recomputed by `refresh` whenever a
service changes links, origins or speakers; services call it inside their transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from claims_app.models import Claim, ClaimLink

Relation = ClaimLink.Relation
IDENTITY = {Relation.SAME_CLAIM, Relation.PARAPHRASE, Relation.SAME_ORIGIN}
SUPPORT = {Relation.CORROBORATES}

# A runaway component (a bulk mis-link) should not make one click recompute thousands of claims.
MAX_COMPONENT = 5_000


@dataclass(frozen=True, slots=True)
class Edge:
    a: int
    b: int
    relation: str


@dataclass(frozen=True, slots=True)
class Status:
    corroboration: str
    independent_origins: int


def origin_key(claim_id: int, statement_origin_id: int | None, speaker_id: int | None) -> tuple[str, int]:
    if statement_origin_id is not None:
        return ("origin", statement_origin_id)
    if speaker_id is not None:
        return ("speaker", speaker_id)
    return ("claim", claim_id)


def derive(claim_id: int, edges: list[Edge], keys: dict[int, tuple[str, int]]) -> Status:
    """The status of one claim given the links around it and every claim's origin key (pure; no database)."""
    identity: dict[int, set[int]] = {}
    for edge in edges:
        if edge.relation in IDENTITY:
            identity.setdefault(edge.a, set()).add(edge.b)
            identity.setdefault(edge.b, set()).add(edge.a)
    statement = {claim_id}
    frontier = [claim_id]
    while frontier:
        node = frontier.pop()
        for other in identity.get(node, ()):
            if other not in statement:
                statement.add(other)
                frontier.append(other)
    contradicted = any(e.relation == Relation.CONTRADICTS and (e.a in statement or e.b in statement) for e in edges)
    supporters = set(statement)
    for edge in edges:
        if edge.relation in SUPPORT:
            if edge.a in statement:
                supporters.add(edge.b)
            if edge.b in statement:
                supporters.add(edge.a)

    # same_origin links say two claims share an origin whatever their keys; merge keys with union-find.
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(key: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for edge in edges:
        if edge.relation == Relation.SAME_ORIGIN and edge.a in keys and edge.b in keys:
            parent[find(keys[edge.a])] = find(keys[edge.b])
    own = find(keys[claim_id])
    others = {find(keys[c]) for c in supporters if c in keys} - {own}
    if contradicted:
        return Status(Claim.Corroboration.CONTRADICTED, len(others))
    if others:
        return Status(Claim.Corroboration.CORROBORATED, len(others))
    if len(supporters) > 1:
        return Status(Claim.Corroboration.SAME_ORIGIN, 0)
    return Status(Claim.Corroboration.NO_OTHER_SOURCE, 0)


def _component(claim_ids: set[int]) -> tuple[set[int], list[Edge]]:
    """Every claim linked (by any relation, transitively) to the given ones or sharing a statement origin with
    one of them, and the links among them; origin co-members are joined by implied same_origin edges."""
    seen = set(claim_ids)
    frontier = set(claim_ids)
    edges: dict[object, Edge] = {}
    seen_origins: set[int] = set()
    while frontier and len(seen) < MAX_COMPONENT:
        rows = ClaimLink.objects.filter(Q(from_claim__in=frontier) | Q(to_claim__in=frontier)).values_list(
            "pk", "from_claim_id", "to_claim_id", "relation"
        )
        found: set[int] = set()
        for pk, a, b, relation in rows:
            edges[pk] = Edge(a, b, relation)
            found.update((a, b))
        # A statement origin is an identity too: its members repeat one statement, linked or not.
        origins = (
            set(
                Claim.objects.filter(pk__in=frontier, statement_origin__isnull=False).values_list(
                    "statement_origin_id", flat=True
                )
            )
            - seen_origins
        )
        if origins:
            seen_origins |= origins
            hub: dict[int, int] = {}
            for pk, origin_id in Claim.objects.filter(statement_origin_id__in=origins).values_list(
                "pk", "statement_origin_id"
            ):
                first = hub.setdefault(origin_id, pk)
                if first != pk:
                    edges[("origin", origin_id, pk)] = Edge(first, pk, Relation.SAME_ORIGIN)
                found.add(pk)
        frontier = found - seen
        seen |= frontier
    return seen, list(edges.values())


def refresh(claim_ids: Iterable[int]) -> int:
    """Recompute and store the status of these claims and every claim linked to them; returns how many changed."""
    ids = {int(pk) for pk in claim_ids if pk is not None}
    if not ids:
        return 0
    members, edges = _component(ids)
    rows = Claim.objects.filter(pk__in=members).values_list(
        "pk", "statement_origin_id", "speaker_id", "corroboration", "independent_origins"
    )
    keys: dict[int, tuple[str, int]] = {}
    current: dict[int, Status] = {}
    for pk, origin_id, speaker_id, corroboration, independent in rows:
        keys[pk] = origin_key(pk, origin_id, speaker_id)
        current[pk] = Status(corroboration, independent)
    by_status: dict[Status, list[int]] = {}
    for pk in keys:
        status = derive(pk, edges, keys)
        if status != current[pk]:
            by_status.setdefault(status, []).append(pk)
    for status, pks in by_status.items():
        Claim.objects.filter(pk__in=pks).update(
            corroboration=status.corroboration, independent_origins=status.independent_origins
        )
    return sum(len(pks) for pks in by_status.values())
