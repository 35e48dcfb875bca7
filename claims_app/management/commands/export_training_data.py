"""`manage.py export_training_data --out FILE [--all] [--json]`: editors' feedback as training examples.

Writes one JSON line per article, shaped like PolNeAR's train.jsonl (article text, attributions with source,
cue and content spans), so `train_attribution --train ../shared/polnear/train.jsonl --train FILE` folds a
newsroom's own corrections in. Rejected claims are left out; claims editors added are in.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims_app.review import feedback


class Command(BaseCommand):
    help = "Write the articles editors gave feedback on as PolNeAR-shaped JSON lines for train_attribution."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to write (replaced whole).")
        parser.add_argument("--all", action="store_true", help="Every article, not only those with feedback.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.is_dir():
            raise CommandError(f"{out} is a folder; give a file name.")
        if not out.parent.is_dir():
            raise CommandError(f"No such folder: {out.parent}")
        articles = attributions = without_cue = 0
        # Written to a temporary file and renamed, so a failed export never leaves half a training set.
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                for record in feedback.training_examples(everything=options["all"]):
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                    articles += 1
                    attributions += len(record["attributions"])
                    without_cue += sum(1 for a in record["attributions"] if a["cue"] is None)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        summary = {"out": str(out), "articles": articles, "attributions": attributions, "without_cue": without_cue}
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        elif not articles:
            self.stdout.write(
                f"No article has editor feedback yet; wrote an empty {out} (use --all for every article)."
            )
        else:
            self.stdout.write(
                f"Wrote {articles} article(s) with {attributions} attribution(s) to {out} "
                f"({without_cue} without a cue found in the text)."
            )
