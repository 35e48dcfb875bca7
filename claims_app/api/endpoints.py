"""Read-only JSON API (django-ninja), OpenAPI schema at /api/schema/, interactive docs at /api/docs/.

Authentication: the browser session (log in as usual), or `Authorization: Bearer <key>` with a key from
`manage.py create_api_token USERNAME`. Any role that can read claims (viewer and up) may use it; no login
gives 401, a login without read access 403. /api/claims/ takes exactly the query string of /claims/.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypedDict, get_args, get_origin, get_type_hints

from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import URLPattern
from django.utils import timezone
from django_stubs_ext import WithAnnotations
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator, create_model

from claims_app.api.tokens import hash_api_key
from claims_app.linking import selectors as linking_selectors
from claims_app.linking import suggestions
from claims_app.models import ApiToken, Article, Claim, Speaker, StatementOrigin
from claims_app.publishing import selectors as publishing_selectors
from claims_app.review import selectors as review_selectors
from claims_app.review.filters import PARAMETERS, ClaimFilters
from claims_app.review.forms import ClaimFilterForm
from claims_app.speakers import selectors as speakers_selectors
from claims_app.web import security
from claims_app.web.forms import SearchField
from claims_app.web.params import clean_text

READ_PERMISSION = "claims_app.view_claim"
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000  # as /claims/; a bigger page number made an OFFSET past PostgreSQL's bigint (a 500)
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=5)


class ClaimCount(TypedDict):
    """The `claim_count` that selectors.article_list and selectors.speaker_list annotate."""

    claim_count: int


def _reader(user: Any) -> Any:
    if not user.has_perm(READ_PERMISSION):
        raise HttpError(403, "This account cannot read claims.")
    return user


class ReaderSession(SessionAuth):
    """The logged-in browser session (GET only, so no CSRF token is needed)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return _reader(user) if user is not None and user.is_authenticated else None


class ReaderToken(HttpBearer):
    """`Authorization: Bearer <key>`; the key's SHA-256 is looked up, the key itself is never stored."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if security.api_token_locked_out(request):  # guessing keys: throttled per address, as logins are
            raise HttpError(429, "Too many wrong API tokens from this address; try again later.")
        row = ApiToken.objects.select_related("user").filter(key_sha256=hash_api_key(token.strip())).first()
        if row is None or not row.user.is_active:
            security.record_api_token_failure(request)
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return _reader(row.user)


api = NinjaAPI(
    title="Claimdesk API",
    version="1",
    description=__doc__,
    auth=[ReaderSession(), ReaderToken()],
    openapi_url="/schema/",
    docs_url="/docs/",
    urls_namespace="api",
)


# ---------------------------------------------------------------- schemas


class MessageOut(Schema):
    """401, 403, 404 and 429 (too many wrong tokens) answers."""

    detail: str


class ValidationErrorOut(Schema):
    """422: a parameter did not parse (one entry per problem, with its location)."""

    detail: list[dict[str, Any]]


def _documented(model: Any) -> dict[int, Any]:
    """The success schema plus the error answers every endpoint can give, so the OpenAPI schema lists them."""
    return {200: model, 401: MessageOut, 403: MessageOut, 404: MessageOut, 422: ValidationErrorOut, 429: MessageOut}


class SpeakerRef(Schema):
    id: int
    name: str


class ArticleRef(Schema):
    id: int
    title: str
    outlet: str
    url: str
    published_at: datetime.date | None


class ClaimOut(Schema):
    id: int
    text: str
    kind: str
    status: str
    corroboration: str
    corroboration_label: str
    independent_origins: int
    statement_origin_id: int | None
    origin_assigned_by: str = ""  # "automatic" (traced at ingest), "editor", or "" without an origin
    assignee: str | None = None  # the assigned editor's username
    tags: list[str] = []  # tag names, in name order
    speaker: SpeakerRef | None
    article: ArticleRef
    created_at: datetime.datetime
    url: str


class OriginClaimOut(Schema):
    id: int
    text: str
    article_id: int
    outlet: str
    published_at: str | None
    origin_assigned_by: str
    changed_words: list[str]


class RelatedOriginOut(Schema):
    relation: str
    origin_id: int | None
    claim_id: int


class OriginPageOut(Schema):
    id: int
    speaker: SpeakerRef | None
    medium: str
    first_seen: str | None
    first_article_id: int | None
    claims: list[OriginClaimOut]
    related: list[RelatedOriginOut]


class ClaimPageOut(Schema):
    count: int
    count_is_capped: bool
    page: int
    page_size: int
    has_next: bool
    results: list[ClaimOut]


class LinkOut(Schema):
    id: int
    relation: str
    direction: str  # "out" when this claim is the link's from_claim
    other_claim_id: int
    other_text: str
    other_speaker: str | None
    other_article_id: int
    note: str
    created_at: datetime.datetime


class OriginOut(Schema):
    id: int
    speaker: SpeakerRef | None
    medium: str
    first_article_id: int | None
    first_seen: datetime.date | None
    note: str
    claim_ids: list[int]


class HistoryOut(Schema):
    when: datetime.datetime
    who: str | None
    kind: str  # "status" or "correction"
    field: str
    old: str
    new: str
    note: str


class CommentOut(Schema):
    id: int
    author: str | None  # username
    text: str  # plain text, as written
    created_at: datetime.datetime


class ClaimDetailOut(ClaimOut):
    cue: str
    speaker_mention: str
    reviewed_at: datetime.datetime | None
    links: list[LinkOut]
    origin: OriginOut | None
    history: list[HistoryOut]
    published_url: str | None = None  # the public fact-check page while one is published
    comments: list[CommentOut]


class SuggestionOut(Schema):
    claim_id: int
    score: float
    relation_guess: str
    text: str
    speaker: str | None
    article_id: int


class ArticleOut(ArticleRef):
    author: str
    created_at: datetime.datetime
    claim_count: int


class ArticlePageOut(Schema):
    count: int
    page: int
    page_size: int
    has_next: bool
    results: list[ArticleOut]


class SpeakerOut(SpeakerRef):
    kind: str
    role: str
    aliases: list[str]
    claim_count: int


class SpeakerPageOut(Schema):
    count: int
    page: int
    page_size: int
    has_next: bool
    results: list[SpeakerOut]


# Search text loses NUL (which PostgreSQL refuses), control characters and lone surrogates before a query sees it.
CleanText = Annotated[str, AfterValidator(clean_text)]


class SpeakerQuery(Schema):
    q: CleanText = ""
    page: int = 1
    page_size: int = 50


def _claim_filter_fields() -> dict[str, Any]:
    """ClaimFilters' documented parameters as query-schema fields: the same names, types and defaults (a
    repeatable parameter as a list; free text cleaned as the form's SearchField cleans it)."""
    hints = get_type_hints(ClaimFilters)
    fields: dict[str, Any] = {}
    for parameter in PARAMETERS:
        if not parameter.documented:
            continue
        annotation, default = hints[parameter.attribute], parameter.default
        if get_origin(annotation) is tuple:
            annotation, default = list[get_args(annotation)[0]], list(default)  # type: ignore[misc]
        elif isinstance(parameter.form_field, SearchField):
            annotation = CleanText
        fields[parameter.name] = (annotation, default)
    return fields


if TYPE_CHECKING:
    ClaimFilterQuery = Schema
else:
    ClaimFilterQuery = create_model("ClaimFilterQuery", __base__=Schema, **_claim_filter_fields())


# The filter fields come from review.filters.ClaimFilters; the docstring is the OpenAPI description.
class ClaimQuery(ClaimFilterQuery):
    """The /claims/ filters (parsed by the same form as the page)."""

    page: int = 1
    page_size: int = 50


# ---------------------------------------------------------------- rendering


def _speaker_ref(speaker: Speaker | None) -> dict[str, Any] | None:
    return {"id": speaker.pk, "name": speaker.name} if speaker else None


def claim_json(claim: Claim, request: HttpRequest | None = None) -> dict[str, Any]:
    """One claim as the API (and the JSON export) shows it."""
    path = claim.get_absolute_url()
    return {
        "id": claim.pk,
        "text": claim.text,
        "kind": claim.kind,
        "status": claim.status,
        "corroboration": claim.corroboration,
        "corroboration_label": claim.corroboration_label,
        "independent_origins": claim.independent_origins,
        "statement_origin_id": claim.statement_origin_id,
        "origin_assigned_by": claim.origin_assigned_by,
        "assignee": claim.assignee.get_username() if claim.assignee is not None else None,
        "tags": [t.name for t in claim.tags.all()],  # prefetched by the selectors (tags_prefetch)
        "speaker": _speaker_ref(claim.speaker),
        "article": {
            "id": claim.article.pk,
            "title": claim.article.title,
            "outlet": claim.article.outlet,
            "url": claim.article.url,
            "published_at": claim.article.published_at,
        },
        "created_at": claim.created_at,
        "url": request.build_absolute_uri(path) if request else path,
    }


def _page_params(page: int, page_size: int) -> tuple[int, int]:
    return min(max(1, page), MAX_PAGE), min(max(1, page_size), MAX_PAGE_SIZE)


def _paged(qs, page: int, page_size: int) -> dict[str, Any]:
    page, page_size = _page_params(page, page_size)
    offset = (page - 1) * page_size
    rows = list(qs[offset : offset + page_size + 1])
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "has_next": len(rows) > page_size,
        "rows": rows[:page_size],
    }


def filters_from_query(query: QueryDict, user: Any = None) -> ClaimFilters:
    """The claim list's filters from a query string, exactly as /claims/ reads them (`user` is "me")."""
    return ClaimFilterForm(query, outlets=review_selectors.outlets(), user=user).filters()


# ---------------------------------------------------------------- endpoints


@api.get("/claims/", response=_documented(ClaimPageOut), summary="Claims, filtered like /claims/")
def claims(request: HttpRequest, params: Query[ClaimQuery]) -> dict[str, Any]:
    page, page_size = _page_params(params.page, params.page_size)
    result = review_selectors.claim_page(filters_from_query(request.GET, request.user), page, page_size)
    return {
        "count": result.count,
        "count_is_capped": result.count_is_capped,
        "page": result.number,
        "page_size": page_size,
        "has_next": result.has_next,
        "results": [claim_json(c, request) for c in result.object_list],
    }


@api.get(
    "/origins/{origin_id}/",
    response=_documented(OriginPageOut),
    summary="One statement origin: its repeats in date order and related origins",
)
def origin(request: HttpRequest, origin_id: int) -> dict[str, Any]:
    try:
        page = linking_selectors.origin_page(origin_id)
    except StatementOrigin.DoesNotExist:
        raise HttpError(404, "No origin with that id.") from None
    return linking_selectors.origin_json(page)


@api.get(
    "/claims/{claim_id}/", response=_documented(ClaimDetailOut), summary="One claim with links, origin and history"
)
def claim(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    try:
        row = review_selectors.claim_detail(claim_id)
    except Claim.DoesNotExist:
        raise HttpError(404, "No claim with that id.") from None
    links = [
        {
            "id": item.link.pk,
            "relation": item.link.relation,
            "direction": "out" if item.link.from_claim_id == row.pk else "in",
            "other_claim_id": item.other.pk,
            "other_text": item.other.text,
            "other_speaker": item.other.speaker.name if item.other.speaker else None,
            "other_article_id": item.other.article_id,
            "note": item.link.note,
            "created_at": item.link.created_at,
        }
        for item in linking_selectors.claim_links(row)
    ]
    origin = None
    if (o := row.statement_origin) is not None:  # no query when statement_origin_id is null
        origin = {
            "id": o.pk,
            "speaker": _speaker_ref(o.speaker),
            "medium": o.medium,
            "first_article_id": o.first_article_id,
            "first_seen": o.first_seen,
            "note": o.note,
            "claim_ids": list(o.claims.order_by("pk").values_list("pk", flat=True)[:500]),
        }
    history = []
    for entry in review_selectors.claim_history(row):
        change: Any = entry.change
        if entry.kind == "comment":
            continue  # under "comments": the history keeps its status and correction entries
        if entry.kind == "status":
            item = {"field": "status", "old": change.old_status, "new": change.new_status}
        else:
            item = {"field": change.field, "old": change.old_value, "new": change.new_value}
        history.append(
            {
                "when": entry.when,
                "who": str(entry.who) if entry.who else None,
                "kind": entry.kind,
                "note": change.note,
                **item,
            }
        )
    return {
        **claim_json(row, request),
        "cue": row.cue,
        "speaker_mention": row.speaker_mention,
        "reviewed_at": row.reviewed_at,
        "links": links,
        "origin": origin,
        "history": history,
        "published_url": publishing_selectors.published_url(row, request),
        "comments": [
            {
                "id": c.pk,
                "author": c.author.get_username() if c.author else None,
                "text": c.text,
                "created_at": c.created_at,
            }
            for c in row.comments.all()  # prefetched, oldest first
        ],
    }


@api.get(
    "/claims/{claim_id}/suggestions/", response=_documented(list[SuggestionOut]), summary="Suggested links, best first"
)
def claim_suggestions(request: HttpRequest, claim_id: int, top: int = 10) -> list[dict[str, Any]]:
    row = get_object_or_404(Claim.objects.select_related("article").defer("article__raw", "article__body"), pk=claim_id)
    return [s.as_json() for s in suggestions.suggestions_for(row, top=min(max(top, 1), 100))]


@api.get("/articles/", response=_documented(ArticlePageOut), summary="Articles, newest first")
def articles(request: HttpRequest, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    result = _paged(review_selectors.article_list(), page, page_size)
    rows: list[WithAnnotations[Article, ClaimCount]] = result.pop("rows")
    result["results"] = [
        {
            "id": a.pk,
            "title": a.title,
            "outlet": a.outlet,
            "url": a.url,
            "published_at": a.published_at,
            "author": a.author,
            "created_at": a.created_at,
            "claim_count": a.claim_count,
        }
        for a in rows
    ]
    return result


@api.get("/speakers/", response=_documented(SpeakerPageOut), summary="Speakers, most claims first")
def speakers(request: HttpRequest, params: Query[SpeakerQuery]) -> dict[str, Any]:
    qs = speakers_selectors.speaker_list(params.q).prefetch_related("aliases")
    result = _paged(qs, params.page, params.page_size)
    rows: list[WithAnnotations[Speaker, ClaimCount]] = result.pop("rows")
    result["results"] = [
        {
            "id": s.pk,
            "name": s.name,
            "kind": s.kind,
            "role": s.role,
            "aliases": [a.alias for a in s.aliases.all()],
            "claim_count": s.claim_count,
        }
        for s in rows
    ]
    return result


def urls() -> tuple[list[Any], str, str]:
    """The API's URL patterns, exempt from LoginRequiredMiddleware: the API answers 401 itself."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns, app_name, namespace
