"""`manage.py suggest-eval --vclaims FILE --queries FILE [--top N] [--json]`: rank verified claims for queries.

Both files are JSON lines of {"id", "text"}. The vclaims are loaded as claims inside a transaction that is
rolled back, and ranked for each query by the same code as the claim page's link suggestions. Prints
{"<query id>": ["<vclaim id>", ...]} with --json, so ranking quality can be measured on any claim-retrieval set.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from claims_app.linking import retrieval


class Command(BaseCommand):
    help = "Rank verified claims (JSON lines) for each query (JSON lines) with the link-suggestion ranking."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vclaims", required=True, metavar="FILE", help='JSON lines of {"id", "text"}.')
        parser.add_argument("--queries", required=True, metavar="FILE", help='JSON lines of {"id", "text"}.')
        parser.add_argument("--top", type=int, default=10, help="How many vclaims per query (default 10).")
        parser.add_argument("--json", action="store_true", help='Print {"<query id>": ["<vclaim id>", ...]}.')

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        try:
            vclaims = retrieval.read_items(options["vclaims"])
            queries = retrieval.read_items(options["queries"])
        except retrieval.RetrievalInputError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            ranked = retrieval.rank_items(vclaims, queries, top=options["top"])
            transaction.set_rollback(True)
        if options["json"]:
            self.stdout.write(json.dumps(ranked, ensure_ascii=False))
            return
        texts = {v.id: v.text for v in vclaims}
        for query in queries:
            self.stdout.write(f"{query.id}: {query.text[:100]}")
            for rank, vclaim_id in enumerate(ranked.get(query.id, []), start=1):
                self.stdout.write(f"  {rank:2d}. {vclaim_id}: {texts[vclaim_id][:90]}")
