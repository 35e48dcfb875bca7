"""Score statement-origin grouping against eval/origins/gold.json (pure Python; no Django, no database).

A claim is keyed by (article file, distinctive quote). Given a predicted origin for each gold claim:

- `pairwise(gold, predicted)`: precision / recall / F1 over claim pairs (a pair is positive when both claims
  share an origin); a claim with no prediction is an origin of its own.
- `wrongly_corroborated(gold, predicted)`: claims that would read *corroborated* only because repeats of their
  own statement were left in other origins (every "independent" supporter is in the claim's own gold group).
- `hidden_corroboration(gold, predicted)`: the opposite error: a claim with a real corroborator (another speaker,
  or the same speaker on another occasion) that reads uncorroborated because the two were merged.

Supporters of a claim are what a desk links to it: the other claims of its gold group (repeats) and the claims
of gold groups related to it by `corroborates`. That set does not depend on the prediction; only whether a
supporter sits in another *predicted* origin does.

    .venv/bin/python eval/origins_scoring.py --check             # gold sanity: quotes found once, reads agree
    .venv/bin/python eval/origins_scoring.py --baseline speaker  # score a baseline (speaker | claim | gold)
    .venv/bin/python eval/origins_scoring.py --predicted pred.json

pred.json: {"claims": [{"article": "01a_....txt", "text": "<claim text or quote>", "origin": "<any id>"}]};
each gold claim takes the origin of the predicted claim in its article whose text contains its quote
(or is contained in it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
ClaimKey = tuple[str, str]  # (article file name, quote)

DEFAULT_GOLD = Path(__file__).resolve().parent / "origins" / "gold.json"
GROUP_KINDS = frozenset({"origin", "independent", "second_occasion"})
RELATIONS = frozenset({"corroborates", "contradicts"})
READS = frozenset({"contradicted", "corroborated", "same_origin_only", "no_other_source"})


@dataclass(frozen=True, slots=True)
class GoldClaim:
    article: str
    quote: str
    speaker: str
    group: str

    @property
    def key(self) -> ClaimKey:
        return (self.article, self.quote)


@dataclass(frozen=True, slots=True)
class GoldGroup:
    id: str
    kind: str  # origin | independent | second_occasion
    speaker: str
    venue: str
    reads: str  # contradicted | corroborated | same_origin_only | no_other_source
    occasion: str = ""  # groups of one occasion (two statements in one interview); "" = the group's own


@dataclass(frozen=True, slots=True)
class GroupRelation:
    a: str
    b: str
    relation: str  # corroborates | contradicts


@dataclass(frozen=True, slots=True)
class Gold:
    claims: tuple[GoldClaim, ...]
    groups: Mapping[str, GoldGroup]
    relations: tuple[GroupRelation, ...] = ()

    def assignment(self) -> dict[ClaimKey, str]:
        return {c.key: c.group for c in self.claims}

    def occasions(self) -> dict[ClaimKey, str]:
        return {c.key: (self.groups[c.group].occasion or c.group) for c in self.claims if c.group in self.groups}


@dataclass(frozen=True, slots=True)
class PairScores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class OriginScores:
    pairs: PairScores
    wrongly_corroborated: tuple[ClaimKey, ...]
    hidden_corroboration: tuple[ClaimKey, ...]
    claims: int

    def summary(self) -> str:
        return (
            f"claims {self.claims}  pairs tp {self.pairs.true_positives} fp {self.pairs.false_positives} "
            f"fn {self.pairs.false_negatives}\n"
            f"precision {self.pairs.precision:.3f}  recall {self.pairs.recall:.3f}  f1 {self.pairs.f1:.3f}\n"
            f"wrongly corroborated {len(self.wrongly_corroborated)}  "
            f"corroboration hidden by merging {len(self.hidden_corroboration)}"
        )


def load_gold(path: Path | str = DEFAULT_GOLD) -> Gold:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    groups = {
        gid: GoldGroup(
            id=gid,
            kind=g["kind"],
            speaker=g["speaker"],
            venue=g.get("venue", ""),
            reads=g["reads"],
            occasion=g.get("occasion", ""),
        )
        for gid, g in data["groups"].items()
    }
    claims = tuple(GoldClaim(c["article"], c["quote"], c["speaker"], c["group"]) for c in data["claims"])
    relations = tuple(GroupRelation(r["a"], r["b"], r["relation"]) for r in data.get("relations", []))
    return Gold(claims=claims, groups=groups, relations=relations)


def _own_origin(predicted: Mapping[K, Hashable], key: K) -> Hashable:
    # An unpredicted claim is an origin of its own; the tuple cannot collide with a caller's id.
    return predicted.get(key, ("unassigned", key))


def pairwise(
    gold: Mapping[K, Hashable], predicted: Mapping[K, Hashable], occasions: Mapping[K, Hashable] | None = None
) -> PairScores:
    """Pairwise agreement over the gold keys (predicted keys outside gold are ignored). Pairs of different
    statements made on one occasion (`occasions`) are not counted either way: joining them is harmless."""
    tp = fp = fn = 0
    for x, y in combinations(sorted(gold, key=repr), 2):
        same_gold = gold[x] == gold[y]
        same_pred = _own_origin(predicted, x) == _own_origin(predicted, y)
        if not same_gold and occasions is not None and x in occasions and occasions.get(x) == occasions.get(y):
            continue
        if same_gold and same_pred:
            tp += 1
        elif same_pred:
            fp += 1
        elif same_gold:
            fn += 1
    return PairScores(tp, fp, fn)


def supporters(gold: Gold) -> dict[ClaimKey, set[ClaimKey]]:
    """For each claim, the claims a desk would link to it: its repeats and the claims of corroborating groups."""
    members: dict[str, set[ClaimKey]] = defaultdict(set)
    for claim in gold.claims:
        members[claim.group].add(claim.key)
    related: dict[str, set[str]] = defaultdict(set)
    for rel in gold.relations:
        if rel.relation == "corroborates":
            related[rel.a].add(rel.b)
            related[rel.b].add(rel.a)
    result: dict[ClaimKey, set[ClaimKey]] = {}
    for claim in gold.claims:
        found = set(members[claim.group])
        for other in related[claim.group]:
            found |= members[other]
        found.discard(claim.key)
        result[claim.key] = found
    return result


def _independent(
    gold: Gold, predicted: Mapping[ClaimKey, Hashable], support: dict[ClaimKey, set[ClaimKey]], key: ClaimKey
) -> set[ClaimKey]:
    own = _own_origin(predicted, key)
    return {s for s in support[key] if _own_origin(predicted, s) != own}


def wrongly_corroborated(gold: Gold, predicted: Mapping[ClaimKey, Hashable]) -> list[ClaimKey]:
    """Claims whose only 'independent' supporters under the prediction are repeats from their own gold group."""
    support = supporters(gold)
    group = gold.assignment()
    wrong = []
    for claim in gold.claims:
        independent = _independent(gold, predicted, support, claim.key)
        if independent and all(group[s] == claim.group for s in independent):
            wrong.append(claim.key)
    return wrong


def hidden_corroboration(gold: Gold, predicted: Mapping[ClaimKey, Hashable]) -> list[ClaimKey]:
    """Claims with a real corroborator in gold that read uncorroborated because it was merged into their origin."""
    support = supporters(gold)
    group = gold.assignment()
    hidden = []
    for claim in gold.claims:
        real = {s for s in support[claim.key] if group[s] != claim.group}
        if real and not any(group[s] != claim.group for s in _independent(gold, predicted, support, claim.key)):
            hidden.append(claim.key)
    return hidden


def score(gold: Gold, predicted: Mapping[ClaimKey, Hashable]) -> OriginScores:
    return OriginScores(
        pairs=pairwise(gold.assignment(), predicted, gold.occasions()),
        wrongly_corroborated=tuple(wrongly_corroborated(gold, predicted)),
        hidden_corroboration=tuple(hidden_corroboration(gold, predicted)),
        claims=len(gold.claims),
    )


def anchor(gold: Gold, predicted_claims: Iterable[tuple[str, str, Hashable]]) -> dict[ClaimKey, Hashable]:
    """Map (article, claim text, origin) predictions onto gold keys: same article, quote inside the text or
    the text inside the quote; the first prediction that fits wins."""
    by_article: dict[str, list[tuple[str, Hashable]]] = defaultdict(list)
    for article, text, origin in predicted_claims:
        by_article[Path(article).name].append((text, origin))
    result: dict[ClaimKey, Hashable] = {}
    for claim in gold.claims:
        for text, origin in by_article.get(claim.article, []):
            if claim.quote in text or (len(text) >= 12 and text in claim.quote):
                result[claim.key] = origin
                break
    return result


def baseline(gold: Gold, kind: str) -> dict[ClaimKey, Hashable]:
    """'claim': every claim its own origin; 'speaker': Claimdesk's fallback with no origins set (one origin per
    speaker); 'gold': the gold groups themselves (must score 1.0 and zero wrong)."""
    if kind == "claim":
        return {c.key: c.key for c in gold.claims}
    if kind == "speaker":
        return {c.key: c.speaker for c in gold.claims}
    if kind == "gold":
        return dict(gold.assignment())
    raise ValueError(f"unknown baseline {kind!r}")


def expected_reads(gold: Gold) -> dict[str, str]:
    """Each group's corroboration reading from the relations, in Claimdesk's order of precedence."""
    sizes: dict[str, int] = defaultdict(int)
    for claim in gold.claims:
        sizes[claim.group] += 1
    reads = {}
    for gid in gold.groups:
        rels = {r.relation for r in gold.relations if gid in (r.a, r.b)}
        if "contradicts" in rels:
            reads[gid] = "contradicted"
        elif "corroborates" in rels:
            reads[gid] = "corroborated"
        else:
            reads[gid] = "same_origin_only" if sizes[gid] > 1 else "no_other_source"
    return reads


def check(gold: Gold, articles: Path) -> list[str]:
    """Problems with the gold file: unknown groups, quotes not found exactly once, reads that disagree."""
    problems = []
    texts: dict[str, str] = {}
    seen: set[ClaimKey] = set()
    per_article_group: set[tuple[str, str]] = set()
    for claim in gold.claims:
        if claim.group not in gold.groups:
            problems.append(f"{claim.article}: unknown group {claim.group}")
            continue
        if claim.speaker != gold.groups[claim.group].speaker:
            problems.append(f"{claim.article}: speaker {claim.speaker!r} is not the group's")
        if claim.key in seen:
            problems.append(f"{claim.article}: quote listed twice: {claim.quote!r}")
        seen.add(claim.key)
        if (claim.article, claim.group) in per_article_group:
            problems.append(f"{claim.article}: two claims of group {claim.group} in one article")
        per_article_group.add((claim.article, claim.group))
        path = articles / claim.article
        if claim.article not in texts:
            texts[claim.article] = path.read_text(encoding="utf-8") if path.exists() else ""
        found = texts[claim.article].count(claim.quote)
        if found != 1:
            problems.append(f"{claim.article}: quote found {found} times: {claim.quote!r}")
    for gid, group in gold.groups.items():
        if group.kind not in GROUP_KINDS:
            problems.append(f"{gid}: unknown kind {group.kind}")
        if group.reads not in READS:
            problems.append(f"{gid}: unknown reading {group.reads}")
        if not any(c.group == gid for c in gold.claims):
            problems.append(f"{gid}: no claims")
    for rel in gold.relations:
        if rel.relation not in RELATIONS or rel.a not in gold.groups or rel.b not in gold.groups:
            problems.append(f"bad relation {rel}")
    for gid, reads in expected_reads(gold).items():
        if gid in gold.groups and gold.groups[gid].reads != reads:
            problems.append(f"{gid}: reads {gold.groups[gid].reads} but its relations say {reads}")
    perfect = score(gold, baseline(gold, "gold"))
    if perfect.wrongly_corroborated or perfect.hidden_corroboration or perfect.pairs.f1 != 1.0:
        problems.append("the gold grouping does not score perfectly against itself")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", default=str(DEFAULT_GOLD))
    parser.add_argument("--check", action="store_true", help="check the gold file and its articles")
    parser.add_argument("--baseline", choices=["claim", "speaker", "gold"])
    parser.add_argument("--predicted", help="JSON file of predicted origins (see the module docstring)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    gold_path = Path(args.gold)
    gold = load_gold(gold_path)
    if args.check:
        problems = check(gold, gold_path.parent)
        for problem in problems:
            print(problem)
        if problems:
            return 1
        kinds: dict[str, int] = defaultdict(int)
        for group in gold.groups.values():
            kinds[group.kind] += 1
        articles = len({c.article for c in gold.claims})
        print(f"OK: {articles} articles, {len(gold.claims)} claims, {len(gold.groups)} groups {dict(kinds)}")
        return 0
    if args.predicted:
        data = json.loads(Path(args.predicted).read_text(encoding="utf-8"))
        predicted = anchor(gold, ((c["article"], c["text"], c["origin"]) for c in data["claims"]))
    else:
        predicted = baseline(gold, args.baseline or "claim")
    result = score(gold, predicted)
    if args.json:
        out = {
            "claims": result.claims,
            "precision": result.pairs.precision,
            "recall": result.pairs.recall,
            "f1": result.pairs.f1,
            "wrongly_corroborated": [list(k) for k in result.wrongly_corroborated],
            "hidden_corroboration": [list(k) for k in result.hidden_corroboration],
        }
        print(json.dumps(out, indent=1))
    else:
        print(result.summary())
        for article, quote in result.wrongly_corroborated:
            print(f"  wrongly corroborated: {article}: {quote}")
        for article, quote in result.hidden_corroboration:
            print(f"  corroboration hidden: {article}: {quote}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
