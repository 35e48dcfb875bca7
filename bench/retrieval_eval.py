"""Claim-retrieval quality: top-1 accuracy and MRR of the link-suggestion ranking against plain TF-IDF cosine.

Loads eval/retrieval/vclaims.jsonl as claims inside a transaction that is rolled back, ranks them for each
query in queries.jsonl with the same code as `manage.py suggest-eval`, scores both against qrels.jsonl.
Run: .venv/bin/python bench/retrieval_eval.py [--top N] [--dir eval/retrieval]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CLAIMS_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from claimdesk_dev import retrieval_eval  # noqa: E402
from claims_app.linking import retrieval  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=str(ROOT / "eval" / "retrieval"))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    folder = Path(args.dir)
    vclaims = retrieval.read_items(folder / "vclaims.jsonl")
    queries = retrieval.read_items(folder / "queries.jsonl")
    gold = retrieval_eval.read_qrels(folder / "qrels.jsonl")
    with transaction.atomic():
        ours = retrieval.rank_items(vclaims, queries, top=args.top)
        transaction.set_rollback(True)
    baseline = retrieval_eval.tfidf_rank(vclaims, queries, top=args.top)
    print(f"{len(queries)} queries, {len(vclaims)} vclaims, top {args.top}")
    for label, ranked in [("TF-IDF cosine (baseline)", baseline), ("Claimdesk link suggestions", ours)]:
        s = retrieval_eval.score(ranked, gold)
        print(f"{label:28s} top-1 {s.top1:6.3f}   MRR {s.mrr:6.3f}   recall@{args.top} {s.recall:6.3f}")
    if args.show_misses:
        texts = {v.id: v.text for v in vclaims}
        for query in queries:
            got = ours.get(query.id, [])[:1]
            if got != [gold[query.id]]:
                print(f"\n{query.id}: {query.text}\n  want {texts[gold[query.id]]}")
                print(f"  got  {texts[got[0]] if got else '-'}")


if __name__ == "__main__":
    main()
