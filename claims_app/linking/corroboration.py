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
from typing import Generic, TypeVar

from django.db.models import Q

from claims_app.models import Claim, ClaimLink

Relation = ClaimLink.Relation
IDENTITY = {Relation.SAME_CLAIM, Relation.PARAPHRASE, Relation.SAME_ORIGIN}
SUPPORT = {Relation.CORROBORATES}

T = TypeVar("T")

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
    return derive_all(edges, keys, [claim_id])[claim_id]


def derive_all(
    edges: list[Edge], keys: dict[int, tuple[str, int]], claim_ids: Iterable[int] | None = None
) -> dict[int, Status]:
    """The status of each claim in `claim_ids` (default: every claim in `keys`), in one pass over the links:
    statements, their supporters and their origins are found once per statement, not once per claim (a statement
    repeated by a thousand articles would otherwise cost a million steps). Pure; no database."""
    statement = _UnionFind[int]()
    origin = _UnionFind[tuple[str, int]]()
    for edge in edges:
        if edge.relation in IDENTITY:
            statement.join(edge.a, edge.b)
        # same_origin links say two claims share an origin whatever their keys.
        if edge.relation == Relation.SAME_ORIGIN and edge.a in keys and edge.b in keys:
            origin.join(keys[edge.a], keys[edge.b])
    ids = list(keys if claim_ids is None else claim_ids)
    members: dict[int, set[int]] = {}
    for claim_id in {*keys, *ids, *(c for e in edges for c in (e.a, e.b))}:
        members.setdefault(statement.find(claim_id), set()).add(claim_id)
    contradicted: set[int] = set()
    supporters = {root: set(group) for root, group in members.items()}
    for edge in edges:
        if edge.relation == Relation.CONTRADICTS:
            contradicted.update((statement.find(edge.a), statement.find(edge.b)))
        elif edge.relation in SUPPORT:
            supporters[statement.find(edge.a)].add(edge.b)
            supporters[statement.find(edge.b)].add(edge.a)
    statuses: dict[int, Status] = {}
    origins: dict[int, set[tuple[str, int]]] = {}
    for claim_id in ids:
        root = statement.find(claim_id)
        if root not in origins:
            origins[root] = {origin.find(keys[c]) for c in supporters[root] if c in keys}
        others = len(origins[root] - {origin.find(keys[claim_id])})
        if root in contradicted:
            statuses[claim_id] = Status(Claim.Corroboration.CONTRADICTED, others)
        elif others:
            statuses[claim_id] = Status(Claim.Corroboration.CORROBORATED, others)
        elif len(supporters[root]) > 1:
            statuses[claim_id] = Status(Claim.Corroboration.SAME_ORIGIN, 0)
        else:
            statuses[claim_id] = Status(Claim.Corroboration.NO_OTHER_SOURCE, 0)
    return statuses


class _UnionFind(Generic[T]):
    """Disjoint sets with path halving; an element never joined is its own set."""

    def __init__(self) -> None:
        self.parent: dict[T, T] = {}

    def find(self, item: T) -> T:
        parent = self.parent
        root = parent.setdefault(item, item)
        while parent[root] != root:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    def join(self, a: T, b: T) -> None:
        self.parent[self.find(a)] = self.find(b)


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
    for pk, status in derive_all(edges, keys).items():
        if status != current[pk]:
            by_status.setdefault(status, []).append(pk)
    for status, pks in by_status.items():
        Claim.objects.filter(pk__in=pks).update(
            corroboration=status.corroboration, independent_origins=status.independent_origins
        )
    return sum(len(pks) for pks in by_status.values())
