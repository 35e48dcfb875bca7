"""`manage.py extract FILE... [--json]`: run the pipeline on files without touching the database."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims_app.ingest import services as ingest_services
from claims_app.ingest import speaker_resolution
from claims_app.ingest.files import article_paths
from claims_app.nlp.records import InputRejected


class Command(BaseCommand):
    help = "Extract claims and speakers from article files and print them; nothing is written."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="FILE")
        parser.add_argument("--json", action="store_true", help="Print a JSON list, one object per file.")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims_app.nlp import speaker_matching  # loaded when the command runs, not at Django start-up
        from claims_app.nlp.export import claim_speaker, extraction_to_dict  # (as above)

        items = []
        for path in article_paths(options["paths"]):
            try:
                items.append((str(path), path.read_bytes()))
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}") from None
        if not items:
            raise CommandError("No article files found.")

        directory = speaker_matching.SpeakerDirectory()
        results: list[dict[str, Any]] = []
        failures: list[str] = []
        for source, _raw, outcome, _seconds in ingest_services.prepared_batches(items):
            if isinstance(outcome, InputRejected):
                failures.append(f"{source}: {outcome}")
                continue
            # Resolve every speaker (and assertion author) through one directory so names agree across files.
            names: dict[str, str] = {}
            for record in outcome.speakers:
                names[record.name] = directory.resolve(record)[0]
            for claim in outcome.claims:
                name = claim_speaker(claim, outcome)
                if name and name not in names:
                    names[name] = directory.resolve(speaker_resolution.author_record(name))[0]
            results.append(extraction_to_dict(outcome, source=source, canonical=names.__getitem__))

        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            for result in results:
                self.stdout.write(
                    f"{result['source']}: {result['title'] or '(no title)'} — {len(result['claims'])} claims"
                )
                for claim in result["claims"]:
                    self.stdout.write(f"  [{claim['kind']}] {claim['speaker'] or '?'}: {claim['text'][:100]}")
        for failure in failures:
            self.stderr.write(failure)
        if failures:
            raise CommandError(f"{len(failures)} of {len(items)} file(s) could not be read.")
