"""`manage.py suggest CLAIM_ID [--top N] [--json]`: the link suggestions for one claim, best first."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims_app.api.schemas import SuggestionOut
from claims_app.linking import selectors as link_selectors
from claims_app.linking import suggestions as link_suggestions
from claims_app.models import Claim


class Command(BaseCommand):
    help = "Rank claims from other articles that may repeat, paraphrase, support or contradict a claim."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("claim_id", type=int, metavar="CLAIM_ID")
        parser.add_argument("--top", type=int, default=10, help="How many suggestions (default 10).")
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print [{"claim_id", "score", "relation_guess", "text", "speaker", "article_id"}], best first.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        try:
            claim = link_selectors.claim_for_suggestions(options["claim_id"])
        except Claim.DoesNotExist:
            raise CommandError(f"No claim with id {options['claim_id']}.") from None
        suggestions = link_suggestions.suggestions_for(claim, top=options["top"], embed_missing=True)
        if options["json"]:
            rows = [SuggestionOut.model_validate(s).model_dump() for s in suggestions]  # the API's suggestion JSON
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        self.stdout.write(f"Claim {claim.pk}: {claim.text[:100]}")
        if not suggestions:
            self.stdout.write("  no suggestions")
        for s in suggestions:
            self.stdout.write(
                f"  {s.score:.3f}  {s.relation_guess:12s} #{s.claim_id} {s.speaker or '?'}: {s.text[:90]}"
            )
