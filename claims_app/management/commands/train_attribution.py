"""`manage.py train_attribution --train FILE [--train FILE ...] --dev FILE --out DIR`: retrain the tagger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Fine-tune the attribution tagger on PolNeAR-shaped JSON lines (seeded; CPU; never in CI) and print dev "
        "figures per role. Point CLAIMS_ATTRIBUTION_MODEL at --out to use it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", type=Path, action="append", required=True, help="JSON-lines file (repeatable).")
        parser.add_argument("--dev", type=Path, help="JSON-lines file for the dev figures after each epoch.")
        parser.add_argument("--out", type=Path, required=True, help="Directory for tagger.safetensors and tagger.json.")
        parser.add_argument("--epochs", type=int, default=4)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--learning-rate", type=float, default=1e-4, help="The encoder's (the label layer: 10x).")
        parser.add_argument(
            "--init", type=Path, help="Start from this trained tagger (a model directory) instead of the plain encoder."
        )
        parser.add_argument(
            "--bf16", action="store_true", help="Mixed precision (bfloat16 autocast): faster on CPUs with bf16 units."
        )
        parser.add_argument(
            "--window", type=int, default=256, help="Word pieces per training window (at most 510); inference uses it."
        )
        parser.add_argument("--batch-size", type=int, default=16, help="Windows per optimiser step.")
        parser.add_argument("--limit", type=int, default=None, help="Use only the first N articles of each set.")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims_app.nlp.attribution.training import train

        for path in [*options["train"], *([options["dev"]] if options["dev"] else [])]:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        if options["epochs"] < 1:
            raise CommandError("--epochs must be at least 1.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            summary = train(
                options["train"],
                options["dev"],
                options["out"],
                epochs=options["epochs"],
                seed=options["seed"],
                learning_rate=options["learning_rate"],
                limit=options["limit"],
                init=options["init"],
                bf16=options["bf16"],
                window=options["window"],
                batch_size=options["batch_size"],
                log=lambda line: self.stdout.write(line),
            )
        except (ValueError, KeyError, json.JSONDecodeError, FileNotFoundError) as exc:
            raise CommandError(f"Cannot train on these files: {exc}") from None
        last = summary["history"][-1]
        self.stdout.write(f"model in {options['out']} after {last['seconds']} s")
        scored = [entry for entry in summary["history"] if "dev_piece_f1" in entry]
        if scored:
            best = max(scored, key=lambda entry: sum(entry["dev_piece_f1"].values()))
            figures = " ".join(f"{role.lower()}={f1:.3f}" for role, f1 in best["dev_piece_f1"].items())
            self.stdout.write(f"kept epoch {best['epoch']}; dev word-piece F1 per role: {figures}")
