"""How the venue reader separates occasions on the origins gold set (pure; reads `manage.py extract --json` output).

    .venv/bin/python manage.py extract --json eval/origins/*.txt > /tmp/origins.json
    .venv/bin/python -m eval.origins_venues /tmp/origins.json

For every pair of gold claims by the same speaker in different articles it prints what `venues_compatible`
says (True / False / None) against whether gold puts them on the same occasion, once reading only the
claim's attribution sentence and once merged with the speaker's other attributions in the article
(`merge_venues`). A same-occasion pair read False would block a true join; a different-occasion pair read
True would let a second occasion join the first.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

from claims_app.extraction_scoring import names_match

from claims_app.nlp.venues import Venue, merge_venues, venue_of_claim, venues_compatible
from eval.origins_scoring import DEFAULT_GOLD, GoldClaim, load_gold


def _venue(item: dict[str, Any], claim: dict[str, Any]) -> Venue:
    mention = claim.get("speaker_mention") or {}
    return venue_of_claim(item["body"], claim["start"], claim["end"], mention.get("start"), mention.get("end"))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: origins_venues.py EXTRACTED.json", file=sys.stderr)
        return 2
    gold = load_gold(DEFAULT_GOLD)
    items = {Path(x["source"]).name: x for x in json.loads(Path(argv[0]).read_text(encoding="utf-8"))}
    rows: list[tuple[GoldClaim, Venue, Venue]] = []
    for claim in gold.claims:
        item = items.get(claim.article)
        found = [
            c
            for c in (item or {}).get("claims", [])
            if claim.quote in c["text"] or (len(c["text"]) >= 12 and c["text"] in claim.quote)
        ]
        if item is None or not found:
            print(f"not extracted: {claim.article}: {claim.quote}")
            continue
        own = _venue(item, found[0])
        others = [_venue(item, c) for c in item["claims"] if c["speaker"] and names_match(c["speaker"], claim.speaker)]
        rows.append((claim, own, merge_venues([own, *others])))
    for label, merged in (("attribution sentence only", False), ("merged per speaker and article", True)):
        tally: Counter[tuple[str, bool | None]] = Counter()
        for a, b in combinations(rows, 2):
            if a[0].article == b[0].article or a[0].speaker != b[0].speaker:
                continue
            same = (gold.groups[a[0].group].occasion or a[0].group) == (gold.groups[b[0].group].occasion or b[0].group)
            result = venues_compatible(a[2], b[2]) if merged else venues_compatible(a[1], b[1])
            tally[("same occasion" if same else "different occasion", result)] += 1
        print(label)
        for kind in ("same occasion", "different occasion"):
            counts = "  ".join(f"{result}: {tally[(kind, result)]}" for result in (True, False, None))
            print(f"  {kind:18}  {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
