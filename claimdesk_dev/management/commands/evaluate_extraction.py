"""`manage.py evaluate_extraction [--json]`: precision / recall / F1 on the labelled set."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimdesk_dev import extraction_scoring
from claims_app.ingest import services as ingest_services
from claims_app.nlp import records
from claims_app.review import feedback

DEFAULT_GOLD = Path(settings.BASE_DIR) / "eval" / "extraction"
KINDS = ["direct", "indirect", "according_to", "assertion"]


class Command(BaseCommand):
    help = "Score claim extraction (spans, and spans plus speaker) against eval/extraction/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="Folder of articles and *.gold.json.")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--verbose", "-V", action="store_true", help="List misses and false alarms per article.")

    def handle(self, *args: Any, **options: Any) -> None:
        from claimdesk_dev import extraction_scoring
        from claims_app.nlp import pipeline
        from claims_app.nlp.export import claim_speaker

        try:
            golds = extraction_scoring.load_gold(options["gold"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the labelled set: {exc}") from None
        if not golds:
            raise CommandError(f"No labelled articles in {options['gold']}.")
        nlp = ingest_services.load_nlp()
        total = extraction_scoring.Counts()
        boilerplate_claims = 0
        metadata_hits = {"title": 0, "author": 0, "published": 0, "outlet": 0}
        per_article: list[dict[str, Any]] = []
        started = time.perf_counter()
        for gold in golds:
            raw = gold.source_path.read_bytes()
            try:
                cleaned = pipeline.prepare(raw, filename=gold.source)
            except records.InputRejected as exc:
                if gold.claims:
                    raise CommandError(f"{gold.source}: {exc}") from None
                continue  # an article with nothing in it is allowed to be refused
            extraction = pipeline.extract(nlp(cleaned.body), cleaned, cue_lexicon=settings.CLAIMS_CUE_LEXICON)
            predicted = [
                extraction_scoring.PredictedClaim(c.start, c.end, claim_speaker(c, extraction), c.kind, c.text)
                for c in extraction.claims
            ]
            located, missing = extraction_scoring.anchor_claims(gold, cleaned.body)
            counts = extraction_scoring.score(located, predicted)
            counts.fn += len(missing)
            counts.speaker_fn += len(missing)
            total += counts
            boilerplate_claims += sum(
                1 for claim in extraction.claims for line in gold.boilerplate if line.strip() and claim.text in line
            )
            for field_name in metadata_hits:
                expected = getattr(gold, field_name)
                found = getattr(cleaned, field_name) or None
                metadata_hits[field_name] += _same(expected, found)
            per_article.append({"source": gold.source, **counts.as_dict()})
            if options["verbose"]:
                self._explain(gold.source, located + missing, predicted)
        seconds = time.perf_counter() - started

        summary: dict[str, Any] = {
            "articles": len(golds),
            "gold_claims": total.tp + total.fn,
            "predicted_claims": total.tp + total.fp,
            "span": _prf(total),
            "span_speaker": _prf(total.speaker_counts),
            "kind_accuracy_on_matches": round(total.kind_correct / total.tp, 3) if total.tp else 0.0,
            "by_kind": {kind: _prf(total.kind(kind)) for kind in KINDS},
            "boilerplate_claims": boilerplate_claims,
            "metadata_correct": metadata_hits,
            "seconds": round(seconds, 2),
            "live_precision": {
                row.kind: {
                    "reviewed": row.reviewed,
                    "rejected": row.rejected,
                    "added": row.added,
                    "precision": round(row.precision, 3) if row.precision is not None else None,
                }
                for row in feedback.live_precision()
            },
        }
        if options["json"]:
            self.stdout.write(json.dumps({"summary": summary, "articles": per_article}, indent=2, default=str))
            return
        self.stdout.write(
            f"{summary['articles']} articles, {summary['gold_claims']} gold claims, "
            f"{summary['predicted_claims']} predicted, {seconds:.1f}s"
        )
        self.stdout.write(f"{'':16s}{'precision':>10s}{'recall':>10s}{'F1':>10s}")
        for label, prf in [("span", summary["span"]), ("span+speaker", summary["span_speaker"])] + [
            (f"  {kind}", summary["by_kind"][kind]) for kind in KINDS
        ]:
            self.stdout.write(f"{label:16s}{prf['precision']:10.3f}{prf['recall']:10.3f}{prf['f1']:10.3f}")
        self.stdout.write(f"kind accuracy on matched spans: {summary['kind_accuracy_on_matches']:.3f}")
        self.stdout.write(f"claims taken from boilerplate lines: {boilerplate_claims}")
        self.stdout.write("metadata correct: " + ", ".join(f"{k} {v}/{len(golds)}" for k, v in metadata_hits.items()))
        self.stdout.write("live precision from editor feedback (this database): " + _live(summary["live_precision"]))

    def _explain(
        self, source: str, gold: list[extraction_scoring.GoldClaim], predicted: list[extraction_scoring.PredictedClaim]
    ) -> None:
        self.stdout.write(f"\n== {source}")
        for claim in gold:
            hit = any(_matches(claim, p) for p in predicted)
            if not hit:
                self.stdout.write(f"  MISS [{claim.kind}] {claim.speaker}: {claim.text[:110]}")
        for p in predicted:
            if not any(_matches(g, p) for g in gold):
                self.stdout.write(f"  FALSE [{p.kind}] {p.speaker}: {p.text[:110]}")
            else:
                gold_speaker = next(g.speaker for g in gold if _matches(g, p))
                if not extraction_scoring.names_match(p.speaker, gold_speaker):
                    self.stdout.write(f"  SPEAKER {p.speaker!r} should be {gold_speaker!r}: {p.text[:80]}")


def _matches(gold: extraction_scoring.GoldClaim, predicted: extraction_scoring.PredictedClaim) -> bool:
    """Whether an anchored gold claim overlaps a prediction enough to match; an unanchored one matches nothing."""
    if gold.start is None or gold.end is None:
        return False
    return (
        extraction_scoring.overlap_ratio(gold.start, gold.end, predicted.start, predicted.end)
        >= extraction_scoring.MATCH_THRESHOLD
    )


def _live(rows: dict[str, dict[str, Any]]) -> str:
    parts = [
        f"{kind} {row['precision']:.3f} of {row['reviewed']} reviewed, {row['added']} added"
        for kind, row in rows.items()
        if row["precision"] is not None
    ]
    return "; ".join(parts) or "no feedback yet"


def _prf(counts: extraction_scoring.Counts) -> dict[str, float]:
    return {"precision": round(counts.precision, 3), "recall": round(counts.recall, 3), "f1": round(counts.f1, 3)}


def _same(expected: Any, found: Any) -> bool:
    if expected is None or found is None:
        return expected is None and found is None
    return str(expected).strip().casefold() == str(found).strip().casefold()
