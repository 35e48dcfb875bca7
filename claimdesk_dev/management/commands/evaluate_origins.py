"""`manage.py evaluate_origins [--json]`: statement-origin tracing against eval/origins (pairwise P/R/F1)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

DEFAULT_ARTICLES = Path(settings.BASE_DIR) / "eval" / "origins"


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Ingest eval/origins/*.txt in a transaction that is rolled back, trace statement origins as the "
        "embedding task does after each article, and score the grouping against eval/origins/gold.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES, help="Folder of *.txt and gold.json.")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--save-predicted", type=Path, help="Also write the prediction (origins_scoring format).")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims_app.ingest import services as ingest_services
        from claims_app.linking import embeddings
        from claims_app.models import Claim
        from claims_app.nlp import records
        from eval import origins_scoring

        folder: Path = options["articles"]
        try:
            gold = origins_scoring.load_gold(folder / "gold.json")
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the labelled set: {exc}") from None
        paths = sorted(folder.glob("*.txt"))
        if not paths:
            raise CommandError(f"No articles in {folder}.")
        if not embeddings.enabled():
            raise CommandError("Claim embeddings are off (CLAIMS_EMBEDDING_MODEL is empty); tracing needs them.")
        predicted: list[dict[str, Any]] = []
        started = time.perf_counter()
        traced = 0
        try:
            with transaction.atomic():
                for path in paths:
                    try:
                        article = ingest_services.ingest_article(raw=path.read_bytes(), filename=path.name)
                    except records.InputRejected as exc:
                        raise CommandError(f"{path.name}: {exc}") from None
                    # The embedding task's work, inline: nothing commits, so on_commit tasks never run.
                    embeddings.embed_article(article.pk)
                rows = Claim.objects.filter(article__filename__in=[p.name for p in paths]).values_list(
                    "article__filename", "text", "statement_origin_id", "pk", "origin_assigned_by"
                )
                for filename, text, origin_id, pk, assigned_by in rows.order_by("article_id", "start"):
                    traced += assigned_by == Claim.OriginAssignedBy.AUTOMATIC
                    origin = f"origin-{origin_id}" if origin_id else f"claim-{pk}"
                    predicted.append({"article": filename, "text": text, "origin": origin})
                raise _Rollback
        except _Rollback:
            pass
        seconds = time.perf_counter() - started
        anchored = origins_scoring.anchor(gold, [(c["article"], c["text"], c["origin"]) for c in predicted])
        scores = origins_scoring.score(gold, anchored)
        if options["save_predicted"]:
            options["save_predicted"].write_text(json.dumps({"claims": predicted}, indent=1), encoding="utf-8")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "articles": len(paths),
                        "gold_claims": scores.claims,
                        "traced_automatically": traced,
                        "precision": round(scores.pairs.precision, 4),
                        "recall": round(scores.pairs.recall, 4),
                        "f1": round(scores.pairs.f1, 4),
                        "true_positives": scores.pairs.true_positives,
                        "false_positives": scores.pairs.false_positives,
                        "false_negatives": scores.pairs.false_negatives,
                        "wrongly_corroborated": len(scores.wrongly_corroborated),
                        "hidden_corroboration": len(scores.hidden_corroboration),
                        "seconds": round(seconds, 2),
                    }
                )
            )
            return
        self.stdout.write(f"{len(paths)} articles, {traced} claims traced automatically ({seconds:.1f} s)")
        self.stdout.write(scores.summary())
        for key in scores.wrongly_corroborated:
            self.stdout.write(f"  wrongly corroborated: {key}")
