"""The corroboration rules computed for a whole component at once agree with the rules read claim by claim."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from claims_app.linking.corroboration import IDENTITY, SUPPORT, Edge, Status, derive, derive_all, origin_key
from claims_app.models import Claim, ClaimLink

Relation = ClaimLink.Relation


def one_claim(claim_id: int, edges: list[Edge], keys: dict[int, tuple[str, int]]) -> Status:
    """The rules as written in corroboration's docstring, for one claim: walk its statement, collect supporters,
    merge origins along same_origin links, count the others."""
    statement, frontier = {claim_id}, [claim_id]
    while frontier:
        node = frontier.pop()
        for e in edges:
            if e.relation in IDENTITY and node in (e.a, e.b):
                other = e.b if node == e.a else e.a
                if other not in statement:
                    statement.add(other)
                    frontier.append(other)
    contradicted = any(e.relation == Relation.CONTRADICTS and (e.a in statement or e.b in statement) for e in edges)
    supporters = set(statement)
    for e in edges:
        if e.relation in SUPPORT:
            if e.a in statement:
                supporters.add(e.b)
            if e.b in statement:
                supporters.add(e.a)
    groups = [{key} for key in set(keys.values())]
    for e in edges:
        if e.relation == Relation.SAME_ORIGIN and e.a in keys and e.b in keys:
            merged = [g for g in groups if keys[e.a] in g or keys[e.b] in g]
            groups = [g for g in groups if g not in merged] + [set().union(*merged)]
    group_of = {key: index for index, g in enumerate(groups) for key in g}
    own = group_of[keys[claim_id]]
    others = len({group_of[keys[c]] for c in supporters if c in keys} - {own})
    if contradicted:
        return Status(Claim.Corroboration.CONTRADICTED, others)
    if others:
        return Status(Claim.Corroboration.CORROBORATED, others)
    if len(supporters) > 1:
        return Status(Claim.Corroboration.SAME_ORIGIN, 0)
    return Status(Claim.Corroboration.NO_OTHER_SOURCE, 0)


claims = st.integers(min_value=1, max_value=12)
relations = st.sampled_from([r.value for r in Relation])
components = st.tuples(
    st.dictionaries(
        claims,
        st.tuples(st.none() | st.integers(1, 3), st.none() | st.integers(1, 4)),  # statement origin, speaker
        min_size=1,
    ),
    st.lists(st.tuples(claims, claims, relations), max_size=16),
)


@settings(max_examples=300, deadline=None)
@given(components)
def test_a_whole_component_at_once_agrees_with_each_claim_alone(component):  # type: ignore[no-untyped-def]
    rows, links = component
    keys = {pk: origin_key(pk, origin, speaker) for pk, (origin, speaker) in rows.items()}
    # Links may reach claims outside the fetched rows (a component cut at MAX_COMPONENT).
    edges = [Edge(a, b, relation) for a, b, relation in links if a != b]
    expected = {pk: one_claim(pk, edges, keys) for pk in keys}
    assert derive_all(edges, keys) == expected
    assert {pk: derive(pk, edges, keys) for pk in keys} == expected


def test_a_statement_a_thousand_articles_repeat_is_one_origin_for_all_of_them():
    keys = {pk: origin_key(pk, 7, pk % 50) for pk in range(1, 1001)}  # one traced origin, fifty speakers
    edges = [Edge(1, pk, Relation.SAME_ORIGIN) for pk in range(2, 1001)]
    edges.append(Edge(1001, 3, Relation.CORROBORATES))
    keys[1001] = origin_key(1001, None, 99)
    statuses = derive_all(edges, keys)
    assert statuses[500] == Status(Claim.Corroboration.CORROBORATED, 1)  # the other speaker, not 999 repeats
    assert statuses[1001] == Status(Claim.Corroboration.CORROBORATED, 1)
