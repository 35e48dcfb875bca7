"""`manage.py embed_claims [--all]`: compute the claims' sentence embeddings for link suggestions.

Without --all, only claims that have none yet (a backfill after migrating, or claims whose background task never
ran); with --all, every claim again (after changing CLAIMS_EMBEDDING_MODEL).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims_app.linking import embeddings


class Command(BaseCommand):
    help = "Compute missing claim embeddings (or all of them with --all) for link suggestions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-embed every claim, not only those without one.")
        parser.add_argument("--batch-size", type=int, default=256, help="Claims per encode and write (default 256).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not embeddings.enabled():
            raise CommandError("Claim embeddings are off (CLAIMS_EMBEDDING_MODEL is empty).")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done}/{total}")

        count = embeddings.backfill(everything=options["all"], batch_size=options["batch_size"], progress=progress)
        self.stdout.write(f"Embedded {count} claim(s) in {time.perf_counter() - started:.1f} s.")
