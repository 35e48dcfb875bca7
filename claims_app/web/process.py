"""Long-running processes (gunicorn workers, the ingest worker): keep Python's cyclic garbage collector off the
objects that live as long as the process.

A web worker that has loaded spaCy and the tagger holds about 490,000 objects the collector tracks, and a full
(oldest generation) collection walks all of them: 170-280 ms on a 2-core machine, during which the worker answers
nothing. Under the desk's request mix a worker ran one every 700-800 requests (every 25 s or so at a busy desk's
rate), a pause far longer than any request, and the queue it left behind is the latency tail. `gc.freeze()` moves
every object alive at that moment into a permanent generation the collector never walks, so later full
collections see only what requests left behind: at most 15 ms measured (docs/performance.md, "Garbage
collection"). Objects frozen are still freed when nothing refers to them; only cycles among them that were
already garbage when frozen stay, once.
"""

from __future__ import annotations

import gc
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def freeze_long_lived(what: str) -> int:
    """Freeze every object the collector tracks now (call it once `what` has loaded); returns how many are
    frozen in all (0 with CLAIMS_GC_FREEZE off)."""
    if not settings.CLAIMS_GC_FREEZE:
        return 0
    gc.collect()  # what is garbage already goes now, rather than being kept for the process's life
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.debug("%s loaded: %d long-lived objects kept out of garbage collection", what, frozen)
    return frozen
