"""Web workers load the NLP pipeline as they start (config/gunicorn.py's post_worker_init), not in the first upload,
and keep the garbage collector off what they loaded (claims_app/web/process.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A fresh process, as a gunicorn worker is: nothing loaded until the hook runs.
SCRIPT = """
import django, gc, threading
django.setup()
from claims_app.nlp import pipeline
import config.gunicorn as hooks
before = pipeline.load_pipeline.cache_info().currsize
hooks.post_worker_init(None)
for thread in threading.enumerate():
    if thread.name == "claimdesk-warm-nlp":
        thread.join(timeout=300)
from claims_app.ingest import services
loaded = pipeline.load_pipeline.cache_info().currsize
same = loaded and services.load_nlp() is services.load_nlp()
print(before, loaded, bool(same), gc.get_freeze_count(), len(gc.get_objects()))
"""


def _run(**env: str) -> tuple[list[str], int, int]:
    """(pipeline caches before and after the hook, one pipeline?), objects frozen, objects the collector walks."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    *loading, frozen, walked = done.stdout.split()[-5:]
    return loading, int(frozen), int(walked)


def test_a_starting_web_worker_loads_the_pipeline_in_the_background_once():
    loading, frozen, walked = _run(CLAIMS_WARM_NLP="true", CLAIMS_BACKGROUND_INGEST_CHARS="100000")
    assert loading == ["0", "1", "True"]
    # spaCy and the tagger are hundreds of thousands of objects; a full collection walks only what came after.
    assert frozen > 300_000
    assert walked < frozen / 20


def test_garbage_collection_can_walk_everything_again():
    loading, frozen, walked = _run(
        CLAIMS_WARM_NLP="true", CLAIMS_BACKGROUND_INGEST_CHARS="100000", CLAIMS_GC_FREEZE="false"
    )
    assert loading == ["0", "1", "True"]
    assert frozen == 0
    assert walked > 300_000


@pytest.mark.parametrize(
    "env",
    [
        {"CLAIMS_WARM_NLP": "false", "CLAIMS_BACKGROUND_INGEST_CHARS": "100000"},
        # Every upload goes to the ingest worker: the web never parses, so it keeps its memory.
        {"CLAIMS_WARM_NLP": "true", "CLAIMS_BACKGROUND_INGEST_CHARS": "0"},
    ],
)
def test_nothing_is_loaded_when_warming_is_off_or_uploads_all_go_to_the_worker(env):
    loading, frozen, walked = _run(**env)
    assert loading == ["0", "0", "False"]
    assert frozen > 10_000  # what Django loaded is still kept out of the collector's walks
    assert walked < frozen
