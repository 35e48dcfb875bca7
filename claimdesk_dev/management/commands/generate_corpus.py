"""`manage.py generate_corpus --claims N`: add a synthetic corpus for scale tests and benchmarks."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimdesk_dev import corpus


class Command(BaseCommand):
    help = "Add about N synthetic claims (articles of ten, speakers with aliases, links, review history)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, required=True, help="How many claims to add.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--vectors",
            choices=corpus.VECTOR_KINDS,
            default="standin",
            help="Claim embeddings: 'standin' (default; word-sum stand-ins, seconds for 200k claims) or 'none' "
            "(left NULL; `embed_claims` computes the model's).",
        )
        parser.add_argument("--json", action="store_true", help="Print what was written as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 10 <= options["claims"] <= 20_000_000:
            raise CommandError("--claims must be between 10 and 20,000,000.")
        started = time.perf_counter()
        size = corpus.generate(claims=options["claims"], seed=options["seed"], vectors=options["vectors"])
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps({**asdict(size), "seconds": round(elapsed, 1)}))
        else:
            self.stdout.write(
                f"Added {size.claims:,} claims in {size.articles:,} articles, {size.speakers:,} speakers "
                f"({size.aliases:,} aliases), {size.links:,} links, {size.history:,} history rows in {elapsed:.1f}s."
            )
