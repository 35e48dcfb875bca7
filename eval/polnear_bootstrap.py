"""How far PolNeAR dev figures can be trusted: bootstrap intervals over articles from `score.py --details` files.

Dev has 84 articles, so its end-to-end F1 moves by points with which articles happen to be in it (the held-back
test split is another 84-odd). This resamples the articles with replacement (10,000 times, seeded) and prints

- for one details file: its end-to-end F1 and the 95% interval of that figure over resampled splits;
- for two (a candidate and the shipped model, scored on the same dev articles): the paired difference of their
  end-to-end F1 with its 95% interval, and how often the candidate is no better. A change whose interval
  includes 0 is not shown better by dev; seeds of one recipe also differ, so compare several seeds each.

End-to-end as score.py counts it: a gold attribution matched loosely by a claim whose speaker is right (or whose
gold has no source); P over predicted claims, R over gold attributions, pooled over the resampled articles.

    python3 ../shared/polnear/score.py --cmd "..." --details new.json     # and the same for shipped.json
    .venv/bin/python eval/polnear_bootstrap.py new.json [shipped.json]

Standard library only; reads nothing of PolNeAR itself.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

RESAMPLES = 10_000


class Counts(NamedTuple):
    matched: int  # end-to-end true positives
    predicted: int
    gold: int


def article_counts(details: list[dict[str, Any]]) -> dict[str, Counts]:
    """Per article id, from score.py's --details list."""
    out = {}
    for article in details:
        matched = sum(
            1
            for gold in article["gold"]
            if gold.get("match") is not None and (not gold.get("gold_source") or gold.get("speaker_ok"))
        )
        out[article["id"]] = Counts(matched, int(article["pred_claims"]), len(article["gold"]))
    return out


def f1(rows: Sequence[Counts]) -> float:
    matched = sum(r.matched for r in rows)
    predicted = sum(r.predicted for r in rows)
    gold = sum(r.gold for r in rows)
    return 2 * matched / (predicted + gold) if predicted + gold else 0.0


def interval(values: list[float], level: float = 0.95) -> tuple[float, float]:
    ordered = sorted(values)
    cut = int(len(ordered) * (1 - level) / 2)
    return ordered[cut], ordered[len(ordered) - 1 - cut]


def bootstrap(
    first: dict[str, Counts], second: dict[str, Counts] | None = None, *, resamples: int = RESAMPLES, seed: int = 1
) -> dict[str, float]:
    """F1 of `first` with its interval; with `second`, the paired difference first - second too."""
    ids = sorted(first)
    if second is not None:
        missing = set(ids) ^ set(second)
        if missing:
            raise ValueError(f"the two files score different articles ({len(missing)} differ)")
    rng = random.Random(seed)
    scores, differences = [], []
    for _ in range(resamples):
        sample = [rng.choice(ids) for _ in ids]
        score = f1([first[i] for i in sample])
        scores.append(score)
        if second is not None:
            differences.append(score - f1([second[i] for i in sample]))
    low, high = interval(scores)
    result = {"f1": f1([first[i] for i in ids]), "low": low, "high": high}
    if second is not None:
        result["other_f1"] = f1([second[i] for i in ids])
        result["difference"] = result["f1"] - result["other_f1"]
        result["difference_low"], result["difference_high"] = interval(differences)
        result["not_better"] = sum(d <= 0 for d in differences) / len(differences)
    return result


def report(result: dict[str, float], articles: int) -> list[str]:
    lines = [
        f"end-to-end F1 {result['f1']:.4f}; 95% interval over resampled dev splits of {articles} articles: "
        f"{result['low']:.4f} to {result['high']:.4f}"
    ]
    if "difference" in result:
        lines.append(
            f"against {result['other_f1']:.4f}: difference {result['difference']:+.4f}, 95% interval "
            f"{result['difference_low']:+.4f} to {result['difference_high']:+.4f}; no better in "
            f"{result['not_better']:.1%} of resamples"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("details", type=Path, help="score.py --details file of the model to judge")
    parser.add_argument("other", type=Path, nargs="?", help="the same for the model to compare against")
    parser.add_argument("--resamples", type=int, default=RESAMPLES)
    args = parser.parse_args(argv)
    first = article_counts(json.loads(args.details.read_text(encoding="utf-8")))
    second = article_counts(json.loads(args.other.read_text(encoding="utf-8"))) if args.other else None
    print("\n".join(report(bootstrap(first, second, resamples=args.resamples), len(first))))


if __name__ == "__main__":
    main()
