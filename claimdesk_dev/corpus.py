"""A synthetic corpus for scale tests: articles, speakers with aliases, claims, links and review history.

Rows go in with PostgreSQL COPY (psycopg's copy protocol), which loads 200,000 claims in well under a
minute where ORM saves would take many. Columns come from the models' own field lists, so a field added
later with a default is filled with that default. Words come from the project's labelled articles, so
full-text search meets English text with a realistic spread of common and rare words.

Claims get stand-in embeddings by default (`vectors="standin"`): the normalised sum of a fixed random vector
per word, so claims that share words are near, as with the real model, but 200,000 of them take seconds
instead of the ~10 minutes the model needs on two cores. Ranking and the HNSW index read stored vectors only,
so pages and suggestions cost the same as with real ones; their *quality* is measured on real embeddings
(bench/retrieval_eval.py). `vectors="none"` leaves them NULL (what a database whose worker never ran looks
like); `manage.py embed_claims --all` replaces stand-ins with the model's vectors.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from claims_app.models import Article, Claim, ClaimEmbedding, ClaimLink, ClaimStatusChange, Speaker, SpeakerAlias

if TYPE_CHECKING:
    import numpy as np

CLAIMS_PER_ARTICLE = 10
VECTOR_KINDS = ("standin", "none")
# Adding more claims than this in one run (and more than the table holds) rebuilds the HNSW index once
# after the COPY instead of inserting every vector into it (what CREATE INDEX on a loaded table costs).
HNSW_REBUILD_MIN_ROWS = 20_000
SPEAKERS_PER_1000_CLAIMS = 25
FIRST_NAMES = [
    "Ana",
    "Bram",
    "Celia",
    "Dorian",
    "Edda",
    "Farid",
    "Greta",
    "Hamid",
    "Ines",
    "Jonas",
    "Kira",
    "Lev",
    "Marta",
    "Nils",
    "Oona",
    "Pavel",
    "Quinn",
    "Rhea",
    "Soren",
    "Tova",
    "Umar",
    "Vera",
    "Wim",
    "Xenia",
    "Yusuf",
    "Zora",
    "Aldo",
    "Berit",
    "Cato",
    "Dagny",
    "Emil",
    "Freya",
    "Goran",
    "Hedda",
    "Ivo",
    "Jana",
    "Kaspar",
    "Lina",
]
SURNAMES = [
    "Varga",
    "Talvin",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Haddad",
    "Novak",
    "Ferrow",
    "Castell",
    "Brandt",
    "Quist",
    "Ardelean",
    "Kowal",
    "Sato",
    "Idris",
    "Halloran",
    "Petrov",
    "Osei",
    "Marsh",
    "Duval",
    "Ekström",
    "Rahimi",
    "Tanaka",
    "Baptiste",
    "Molnar",
    "Aalto",
    "Ferreira",
    "Nakamura",
    "Volkov",
]
ROLES = [
    "mayor",
    "harbour master",
    "union spokesperson",
    "council treasurer",
    "police spokesperson",
    "health minister",
    "ferry operator",
    "school governor",
    "opposition leader",
    "fire chief",
]
OUTLETS = [
    f"{place} {kind}"
    for place in ("Harbour", "Valley", "Northshore", "Eastgate", "Riverside", "Saltmere")
    for kind in ("Ledger", "Courier", "Post", "Record", "Gazette")
]
STATUS_WEIGHTS = {"unreviewed": 60, "verified": 15, "unverified": 10, "false": 8, "disputed": 7}
KIND_WEIGHTS = {"direct": 45, "indirect": 35, "according_to": 12, "assertion": 8}
CUES = {"direct": "said", "indirect": "said", "according_to": "according to", "assertion": ""}


@dataclass(frozen=True, slots=True)
class CorpusSize:
    articles: int
    claims: int
    speakers: int
    aliases: int
    links: int
    history: int


def vocabulary() -> list[str]:
    """Words of the project's own article files, most frequent first (duplicates kept as weights)."""
    words: list[str] = []
    for folder in (settings.BASE_DIR / "eval" / "extraction", settings.BASE_DIR / "claims_app" / "demo_articles"):
        for path in sorted(Path(folder).glob("*.txt")):
            words += re.findall(r"[a-z]{3,}", path.read_text(encoding="utf-8").lower())
    return words or ["harbour", "ferry", "council", "budget", "strike", "vote"]


def stand_in_vectors(texts: Sequence[str], *, seed: int = 7) -> np.ndarray:
    """One unit vector per text: the normalised sum of a fixed random vector per word (same word, same vector,
    for a given seed), so texts sharing words are near. Stand-ins for the model's embeddings at scale."""
    import numpy as np

    from claims_app.linking.embeddings import DIMENSIONS

    tokens = [re.findall(r"[a-z]+", text.lower()) or [""] for text in texts]
    words = sorted({w for row in tokens for w in row})
    index = {word: i for i, word in enumerate(words)}
    table = np.stack([_word_vector(word, seed, DIMENSIONS) for word in words])
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    for row, row_words in enumerate(tokens):
        out[row] = table[[index[w] for w in row_words]].sum(axis=0)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@functools.lru_cache(maxsize=100_000)
def _word_vector(word: str, seed: int, dimensions: int) -> np.ndarray:
    """A fixed random vector per (word, seed), whatever else is in the batch."""
    import numpy as np

    digest = hashlib.blake2b(word.encode(), digest_size=8, salt=seed.to_bytes(8, "little")).digest()
    return np.random.default_rng(int.from_bytes(digest, "little")).standard_normal(dimensions).astype(np.float32)


def vector_literals(vectors: np.ndarray) -> list[str]:
    """pgvector text literals ('[0.0123,-0.0456,...]', four decimals) for COPY: one %-format per row, about
    twice as fast as claim_embeddings.to_sql's per-float formatting (~30 s saved at 200,000 rows here)."""
    pattern = "[" + ",".join(["%.4f"] * vectors.shape[1]) + "]"
    return [pattern % tuple(row) for row in vectors.tolist()]


def generate(*, claims: int, seed: int = 7, batch_articles: int = 2000, vectors: str = "standin") -> CorpusSize:
    """Add about `claims` claims (in articles of ten) to the database; returns what was written."""
    if vectors not in VECTOR_KINDS:
        raise ValueError(f"vectors must be one of {', '.join(VECTOR_KINDS)}")
    rng = random.Random(seed)
    words = vocabulary()
    n_articles = max(1, claims // CLAIMS_PER_ARTICLE)
    n_speakers = max(10, claims * SPEAKERS_PER_1000_CLAIMS // 1000)
    now = timezone.now()
    with_vectors = vectors == "standin"
    with transaction.atomic():
        ids = _next_ids(Article, Speaker, SpeakerAlias, Claim, ClaimLink, ClaimStatusChange)
        rebuild_hnsw = with_vectors and claims >= max(HNSW_REBUILD_MIN_ROWS, ids[Claim])
        index_definition = _drop_index(EMBEDDING_INDEX) if rebuild_hnsw else None
        user_id = _bench_user_id()
        speakers, aliases = _speakers(rng, ids, n_speakers, now)
        _copy(Speaker, speakers)
        _copy(SpeakerAlias, aliases)
        speaker_ids = [row["id"] for row in speakers]
        written = CorpusSize(0, 0, len(speakers), len(aliases), 0, 0)
        for start in range(0, n_articles, batch_articles):
            count = min(batch_articles, n_articles - start)
            articles, claim_rows = _articles(rng, ids, words, speaker_ids, count, now)
            history = _history(rng, ids, claim_rows, user_id)
            links = _links(rng, ids, claim_rows, user_id)
            _copy(Article, articles)
            _copy(Claim, claim_rows)
            if with_vectors:
                # A word's vector depends only on the word and the seed, so a corpus grown in several runs keeps
                # one neighbourhood structure.
                literals = vector_literals(stand_in_vectors([row["text"] for row in claim_rows], seed=seed))
                vector_rows = zip(claim_rows, literals, strict=True)
                _copy(ClaimEmbedding, ({"claim_id": row["id"], "embedding": literal} for row, literal in vector_rows))
            _copy(ClaimStatusChange, history)
            _copy(ClaimLink, links)
            written = CorpusSize(
                written.articles + len(articles),
                written.claims + len(claim_rows),
                written.speakers,
                written.aliases,
                written.links + len(links),
                written.history + len(history),
            )
        _reset_sequences(Article, Speaker, SpeakerAlias, Claim, ClaimLink, ClaimStatusChange)
        if index_definition:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                cursor.execute(index_definition)
    # What autovacuum does soon after a bulk load: statistics, and the visibility map that lets count queries
    # use index-only scans. VACUUM cannot run inside a transaction (tests), where ANALYZE alone does.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in (Article, Speaker, SpeakerAlias, Claim, ClaimLink, ClaimStatusChange):
            cursor.execute(f"{command} {model._meta.db_table}")
    return written


EMBEDDING_INDEX = "claim_embedding_hnsw"


def _drop_index(name: str) -> str | None:
    """Drop an index (inside the caller's transaction) and return the statement that recreates it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return str(row[0])


def _next_ids(*models_: type[models.Model]) -> dict[type[models.Model], int]:
    with connection.cursor() as cursor:
        result = {}
        for model in models_:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
            result[model] = cursor.fetchone()[0]
        return result


def _take(ids: dict[type[models.Model], int], model: type[models.Model]) -> int:
    ids[model] += 1
    return ids[model]


def _bench_user_id() -> int:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="corpus-editor", defaults={"is_active": False})
    return user.pk


def _speakers(rng: random.Random, ids, count: int, now: datetime.datetime):
    from claims_app.nlp.speaker_matching import normalise_name

    speakers, aliases = [], []
    for _ in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        name = f"{first} {last}"
        pk = _take(ids, Speaker)
        speakers.append(
            {
                "id": pk,
                "name": name,
                "normalised_name": normalise_name(name),
                "kind": "person",
                "role": rng.choice(ROLES),
                "created_at": now,
            }
        )
        forms = {name, f"{first[0]}. {last}"}
        if rng.random() < 0.3:
            forms.add(f"{first} {last[:-1]}{'i' if last[-1] != 'i' else 'y'}")  # a transliteration variant
        for form in sorted(forms):
            aliases.append(
                {"id": _take(ids, SpeakerAlias), "speaker_id": pk, "alias": form, "normalised": normalise_name(form)}
            )
    return speakers, aliases


def _sentence(rng: random.Random, words: Sequence[str], low: int, high: int) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(low, high))]
    return " ".join(chosen).capitalize()


def _articles(rng, ids, words, speaker_ids, count, now):
    articles, claims = [], []
    for _ in range(count):
        pk = _take(ids, Article)
        created = now - datetime.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        paragraphs: list[str] = []
        offset = 0
        article_claims = []
        for _ in range(CLAIMS_PER_ARTICLE):
            lead = _sentence(rng, words, 8, 20) + ". "
            text = _sentence(rng, words, 6, 24)
            speaker = rng.choice(speaker_ids) if rng.random() < 0.93 else None
            kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
            quoted = f"“{text},” said the official."
            start = offset + len(lead) + 1
            paragraphs.append(lead + quoted)
            offset += len(lead) + len(quoted) + 2
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            article_claims.append(
                {
                    "id": _take(ids, Claim),
                    "article_id": pk,
                    "speaker_id": speaker,
                    "text": text,
                    "start": start,
                    "end": start + len(text),
                    "kind": kind,
                    "cue": CUES[kind],
                    "status": status,
                    "version": 1 if status == "unreviewed" else 2,
                    "reviewed_at": None if status == "unreviewed" else created + datetime.timedelta(hours=5),
                    "created_at": created,
                    "is_rejected": rng.random() < 0.02,
                }
            )
        body = "\n\n".join(paragraphs)
        title = _sentence(rng, words, 5, 10)
        articles.append(
            {
                "id": pk,
                "title": title,
                "author": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "outlet": rng.choice(OUTLETS),
                "published_at": created.date(),
                "language": "en",
                "filename": f"corpus-{pk}.txt",
                "raw": body.encode(),
                "body": body,
                "content_sha256": f"{pk:064x}",
                "created_at": created,
                "ingest_model": "synthetic",
            }
        )
        claims += article_claims
    return articles, claims


def _history(rng, ids, claims, user_id):
    rows = []
    for claim in claims:
        if claim["status"] == "unreviewed":
            continue
        claim["reviewed_by_id"] = user_id
        rows.append(
            {
                "id": _take(ids, ClaimStatusChange),
                "claim_id": claim["id"],
                "changed_by_id": user_id,
                "changed_at": claim["reviewed_at"],
                "old_status": "unreviewed",
                "new_status": claim["status"],
                "note": "checked against the council minutes" if rng.random() < 0.3 else "",
            }
        )
    return rows


def _links(rng, ids, claims, user_id):
    rows, seen = [], set()
    relations = [choice for choice, _ in ClaimLink.Relation.choices]
    for claim in claims:
        if rng.random() >= 0.1:
            continue
        other = rng.choice(claims)["id"]
        pair = (min(claim["id"], other), max(claim["id"], other))
        if other == claim["id"] or pair in seen:
            continue
        seen.add(pair)
        rows.append(
            {
                "id": _take(ids, ClaimLink),
                "from_claim_id": claim["id"],
                "to_claim_id": other,
                "relation": rng.choice(relations),
                "created_by_id": user_id,
                "created_at": claim["created_at"],
            }
        )
    return rows


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.GeneratedField)]


def _copy(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """COPY rows into the model's table; a column a row leaves out gets the field's default (or NULL)."""
    fields = _columns(model)
    defaults = {
        f.attname: (f.get_default() if f.has_default() else (None if f.null else f.get_default())) for f in fields
    }
    names = ", ".join(connection.ops.quote_name(cast(str, f.column)) for f in fields)  # concrete: never None
    with connection.cursor() as cursor:
        raw_cursor = cursor.cursor  # psycopg's own cursor, for the COPY protocol
        with raw_cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_adapt(f, row.get(f.attname, defaults[f.attname])) for f in fields])


def _adapt(field: models.Field, value: Any) -> Any:
    if isinstance(field, models.JSONField):
        import json

        return json.dumps(value)
    return value


def _reset_sequences(*models_: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}")
