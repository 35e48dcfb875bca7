"""`manage.py ingest PATH... [--json]`: file articles from files or folders, one transaction each."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from claims_app.ingest import jobs as ingest_jobs
from claims_app.ingest import selectors as ingest_selectors
from claims_app.ingest import services as ingest_services
from claims_app.ingest.files import article_paths
from claims_app.models import Article
from claims_app.nlp.records import InputRejected


class Command(BaseCommand):
    help = "Ingest article files (.txt, .html, .md) or folders of them. Exits 1 if any file failed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--json", action="store_true", help="Print a JSON list, one object per file.")
        parser.add_argument("--batch-size", type=int, default=32, help="Articles per nlp.pipe batch.")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue one job per file for `manage.py ingest_worker` instead of ingesting here.",
        )
        parser.add_argument("--outlet", default="", help="With --background: the outlet of every file.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = list(article_paths(options["paths"]))
        if not paths:
            raise CommandError("No article files found.")
        if options["background"]:
            self._queue(paths, options)
            return
        results: list[dict[str, Any]] = []
        counts = {"created": 0, "duplicate": 0, "error": 0}
        started = time.perf_counter()
        progress = tqdm(total=len(paths), unit="file", disable=not sys.stderr.isatty(), file=sys.stderr)

        def readable() -> Any:
            for path in paths:
                try:
                    yield str(path), path.read_bytes()
                except OSError as exc:
                    report(str(path), "error", error=exc.strerror or str(exc))

        def report(source: str, outcome: str, *, article: Article | None = None, error: str = "") -> None:
            counts[outcome] += 1
            progress.update(1)
            if options["json"]:
                entry = {"source": source, "status": outcome}
                entry |= _article_json(article) if article else {"error": error}
                results.append(entry)
            elif article:
                verb = "created  " if outcome == "created" else "duplicate"
                progress.write(
                    f"{verb} {source} → article {article.pk} ({article.claims.count()} claims)", file=self.stdout
                )
            else:
                progress.write(f"error     {source}: {error}", file=self.stderr)

        for source, raw, outcome, nlp_seconds in ingest_services.prepared_batches(
            readable(), batch_size=options["batch_size"]
        ):
            if isinstance(outcome, InputRejected):
                report(source, "error", error=str(outcome))
                continue
            try:
                article = ingest_services.ingest_prepared(
                    raw=raw, filename=source, extraction=outcome, nlp_seconds=nlp_seconds
                )
            except InputRejected as exc:
                report(source, "error", error=str(exc))
                continue
            report(source, "duplicate" if article.is_duplicate else "created", article=article)
        progress.close()
        elapsed = time.perf_counter() - started

        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            rate = len(paths) / elapsed if elapsed else 0.0
            self.stdout.write(
                f"{counts['created']} created, {counts['duplicate']} duplicate, {counts['error']} failed "
                f"in {elapsed:.1f}s ({rate:.1f} articles/s)."
            )
        if counts["error"]:
            raise CommandError(f"{counts['error']} of {len(paths)} file(s) failed.")

    def _queue(self, paths: list[Path], options: dict[str, Any]) -> None:
        files, unreadable = [], []
        for path in paths:
            try:
                files.append((str(path), path.read_bytes()))
            except OSError as exc:
                unreadable.append((str(path), exc.strerror or str(exc)))
        batch = ingest_jobs.queue_files(files=files, outlet=options["outlet"]) if files else None
        jobs = list(ingest_selectors.batch_jobs(batch)) if batch else []
        if options["json"]:
            entries = [
                {"source": job.filename, "job_id": job.pk, "status": job.status, "error": job.message or None}
                for job in jobs
            ] + [{"source": source, "job_id": None, "status": "error", "error": why} for source, why in unreadable]
            self.stdout.write(json.dumps({"batch": str(batch) if batch else None, "jobs": entries}, indent=2))
        else:
            for job in jobs:
                why = f": {job.message}" if job.message else ""
                self.stdout.write(f"{job.status:9s} {job.filename} → job {job.pk}{why}")
            for source, why in unreadable:
                self.stderr.write(f"error     {source}: {why}")
            self.stdout.write(
                f"Queued {sum(j.status == 'queued' for j in jobs)} file(s) as batch {batch}; "
                "`manage.py ingest_worker` files them."
            )
        if unreadable or any(job.status == "failed" for job in jobs):
            raise CommandError("Some files could not be queued.")


def _article_json(article: Article) -> dict[str, Any]:
    claims = article.claims.select_related("speaker").order_by("start")
    return {
        "article_id": article.pk,
        "title": article.title,
        "author": article.author or None,
        "published": article.published_at.isoformat() if article.published_at else None,
        "outlet": article.outlet or None,
        "body": article.body,
        "claims": [
            {
                "id": claim.pk,
                "text": claim.text,
                "start": claim.start,
                "end": claim.end,
                "kind": claim.kind,
                "cue": claim.cue,
                "speaker": claim.speaker.name if claim.speaker else None,
                "speaker_mention": {
                    "text": claim.speaker_mention,
                    "start": claim.speaker_mention_start,
                    "end": claim.speaker_mention_end,
                }
                if claim.speaker_mention_start is not None
                else None,
            }
            for claim in claims
        ],
    }
