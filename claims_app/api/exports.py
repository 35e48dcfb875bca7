"""Exports of a filtered claim list (the /claims/ query string): CSV, JSON and schema.org ClaimReview JSON-LD.

All three stream: rows come from a server-side cursor in chunks and are written as they arrive, so an export
of the whole desk does not build the file in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims_app.api.endpoints import filters_from_query
from claims_app.api.schemas import claim_json
from claims_app.models import Claim, WorkflowSettings
from claims_app.publishing.claim_review import RATED, claim_review
from claims_app.review import selectors as review_selectors
from claims_app.review.filters import ClaimFilters
from claims_app.web.script_safe import script_safe_chunks
from claims_app.web.spreadsheet import FormulaSafeWriter

CHUNK = 1_000


def _speaker(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda claim: claim["speaker"][key] if claim["speaker"] else ""


def _article(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda claim: claim["article"][key]


# The CSV's columns, each a cell from the claim's API JSON (schemas.claim_json), flattened for a spreadsheet.
CSV_COLUMNS: dict[str, Callable[[dict[str, Any]], object]] = {
    "id": itemgetter("id"),
    "text": itemgetter("text"),
    "speaker": _speaker("name"),
    "speaker_id": _speaker("id"),
    "kind": itemgetter("kind"),
    "status": itemgetter("status"),
    "corroboration": itemgetter("corroboration"),
    "independent_origins": itemgetter("independent_origins"),
    "statement_origin_id": lambda claim: claim["statement_origin_id"] or "",
    "article_id": _article("id"),
    "article_title": _article("title"),
    "outlet": _article("outlet"),
    "article_url": _article("url"),
    "published_at": lambda claim: (
        claim["article"]["published_at"].isoformat() if claim["article"]["published_at"] else ""
    ),
    "claim_url": itemgetter("url"),
    # One cell; FormulaSafeWriter neutralises it when the first tag starts like a formula.
    "tags": lambda claim: "; ".join(claim["tags"]),
}


def export_claims(filters: ClaimFilters) -> QuerySet[Claim]:
    """The claims of a filtered list, in the list's order, with what the exports print."""
    return (
        review_selectors.claim_list(filters)
        .select_related("statement_origin__first_article")
        .defer("statement_origin__first_article__body", "statement_origin__first_article__raw")
        .prefetch_related(review_selectors.tags_prefetch())  # one query per CHUNK rows
    )


def _stream(rows: QuerySet[Claim]) -> Iterator[Claim]:
    return rows.iterator(chunk_size=CHUNK)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Claim], request: HttpRequest | None = None) -> Iterator[str]:
    # Titles, claim text and names come from uploads: no cell may start a spreadsheet formula.
    writer = FormulaSafeWriter(csv.writer(_Echo()))
    yield writer.writerow(list(CSV_COLUMNS))
    for claim in rows:
        data = claim_json(claim, request)
        yield writer.writerow([cell(data) for cell in CSV_COLUMNS.values()])


def _json_array(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for i, item in enumerate(items):
        yield ("," if i else "") + "\n" + json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "\n]\n"


def json_chunks(rows: Iterable[Claim], request: HttpRequest | None = None) -> Iterator[str]:
    return _json_array(claim_json(c, request) for c in rows)


def jsonld_chunks(rows: Iterable[Claim], request: HttpRequest | None = None) -> Iterator[str]:
    # Publishers paste this into <script type="application/ld+json">: claim text must not be able to close it.
    yield '{"@context": "https://schema.org", "@graph": '
    workflow = WorkflowSettings.load()
    reviews = (claim_review(c, request, workflow) for c in rows if c.status in RATED)
    yield from script_safe_chunks(_json_array(reviews))
    yield "}\n"


def _response(chunks: Iterator[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.{filename}"'
    return response


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    rows = _stream(export_claims(filters_from_query(request.GET, request.user)))
    return _response(csv_lines(rows, request), "text/csv; charset=utf-8", "csv")


@require_GET
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    rows = _stream(export_claims(filters_from_query(request.GET, request.user)))
    return _response(json_chunks(rows, request), "application/json", "json")


@require_GET
def export_jsonld(request: HttpRequest) -> StreamingHttpResponse:
    qs = export_claims(filters_from_query(request.GET, request.user)).exclude(status=Claim.Status.UNREVIEWED)
    return _response(jsonld_chunks(_stream(qs), request), "application/ld+json", "jsonld")
