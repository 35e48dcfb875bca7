"""Ingest speed against bare spaCy, measured in one run on the same texts.

Prints (1) single-article ingest (clean, extract with the attribution tagger when it is on, resolve speakers,
write) against bare `nlp(text)`, and (2) bulk ingest through `nlp.pipe` against bare `nlp.pipe`, with
articles per second, and the peak memory of this one ingest process. Writes happen inside a transaction that is
rolled back, so the database is left as it was. Run: `make bench` (or .venv/bin/python bench/ingest.py).
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CLAIMS_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from claims_app.ingest import services as ingest_services  # noqa: E402
from claims_app.ingest.files import article_paths  # noqa: E402
from claims_app.nlp import (  # noqa: E402
    pipeline,
    records,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def corpus() -> list[tuple[str, bytes]]:
    folders = [ROOT / "eval" / "extraction", ROOT / "claims_app" / "demo_articles"]
    return [(str(p), p.read_bytes()) for p in article_paths(str(f) for f in folders if f.exists())]


def paired(rounds: int, baseline, full) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of `baseline` and of `full`, and the median of their per-round ratios. The two run in
    turn, round after round, so a slow spell of this shared machine lands on both sides of a ratio instead of
    on one block of rounds."""
    pairs = []
    for _ in range(rounds):
        timed = []
        for run in (baseline, full):
            started = time.perf_counter()
            run()
            timed.append(time.perf_counter() - started)
        pairs.append((timed[0], timed[1]))
    return (
        statistics.median(b for b, _ in pairs),
        statistics.median(f for _, f in pairs),
        statistics.median(f / b for b, f in pairs),
    )


def main() -> None:
    items = corpus()
    import spacy
    from django.conf import settings

    ingest_services.load_nlp()  # the full pipeline, loaded once before timing
    # The baseline is the stock model with none of Claimdesk's components.
    nlp = spacy.load(settings.CLAIMS_SPACY_MODEL)
    cleaned = [pipeline.prepare(raw, filename=name) for name, raw in items]
    bodies = [c.body for c in cleaned]
    words = sum(len(b.split()) for b in bodies)
    print(
        f"{len(items)} articles, {words} words; model {nlp.meta['name']} {nlp.meta['version']}; "
        f"median of {ROUNDS} rounds, baseline and full in turn"
    )

    for body in bodies[:3]:  # warm up caches and the lexeme table
        nlp(body)

    def bare_single() -> None:
        for body in bodies:
            nlp(body)

    def ingest_single() -> None:
        with transaction.atomic():
            for name, raw in items:
                with contextlib.suppress(records.InputRejected):
                    ingest_services.ingest_article(raw=raw, filename=name)
            transaction.set_rollback(True)

    def bare_pipe() -> None:
        for _ in nlp.pipe(bodies, batch_size=32):
            pass

    def ingest_bulk() -> None:
        with transaction.atomic():
            for name, raw, outcome, _seconds in ingest_services.prepared_batches(items):
                if not isinstance(outcome, records.InputRejected):
                    with contextlib.suppress(records.InputRejected):
                        ingest_services.ingest_prepared(raw=raw, filename=name, extraction=outcome)
            transaction.set_rollback(True)

    rows = []
    for label, baseline, full in [
        ("one at a time: ingest_article vs nlp(text)", bare_single, ingest_single),
        ("bulk: prepared_batches+write vs nlp.pipe", bare_pipe, ingest_bulk),
    ]:
        full()  # once untimed: the first ingest of a run pays for the tagger's first batch shapes
        rows.append((label, *paired(ROUNDS, baseline, full)))
    for label, base, total, ratio in rows:
        print(
            f"{label:45s} baseline {base * 1000:8.1f} ms  full {total * 1000:8.1f} ms  "
            f"ratio {ratio:5.2f}x  ({len(items) / total:6.1f} articles/s vs {len(items) / base:6.1f})"
        )
    tagger = settings.CLAIMS_ATTRIBUTION_MODEL or "off (rules only)"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"attribution tagger: {tagger}; peak memory of this ingest process {peak:.0f} MB")


if __name__ == "__main__":
    main()
