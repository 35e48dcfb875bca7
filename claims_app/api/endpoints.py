"""Read-only JSON API (django-ninja), OpenAPI schema at /api/schema/, interactive docs at /api/docs/.

Authentication: the browser session (log in as usual), or `Authorization: Bearer <key>` with a key from
`manage.py create_api_token USERNAME`. Any role that can read claims (viewer and up) may use it; no login
gives 401, a login without read access 403. These docs and the schema are for logged-in readers too.
/api/claims/ takes exactly the query string of /claims/.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.urls import URLPattern
from ninja import NinjaAPI, Query
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from claims_app.api import tokens
from claims_app.api.schemas import (
    ArticlePageOut,
    ClaimDetailOut,
    ClaimPageOut,
    ClaimQuery,
    MessageOut,
    OriginPageOut,
    SpeakerPageOut,
    SpeakerQuery,
    SuggestionOut,
    ValidationErrorOut,
)
from claims_app.linking import selectors as linking_selectors
from claims_app.linking import suggestions
from claims_app.models import Claim, StatementOrigin
from claims_app.review import selectors as review_selectors
from claims_app.review.filters import ClaimFilters
from claims_app.review.forms import ClaimFilterForm
from claims_app.speakers import selectors as speakers_selectors
from claims_app.web import security

READ_PERMISSION = "claims_app.view_claim"
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000  # as /claims/; a bigger page number made an OFFSET past PostgreSQL's bigint (a 500)


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
        row = tokens.token_for_key(token)
        if row is None or not row.user.is_active:
            security.record_api_token_failure(request)
            return None
        tokens.touch_token(row)
        request.user = row.user
        return _reader(row.user)


def _for_readers(view: Any) -> Any:
    """The docs page and the schema need what every other page needs (they are exempt from the login check with
    the rest of the API): no login goes to the login page, a login without a role gets the 403 page."""

    @wraps(view)
    def readers_only(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if not user.is_authenticated and request.headers.get("Authorization", "").startswith("Bearer "):
            # API clients read the schema with their key, as they read everything else.
            try:
                if ReaderToken()(request) is not None:
                    return view(request, *args, **kwargs)
            except HttpError as exc:
                return JsonResponse({"detail": str(exc)}, status=exc.status_code)
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.has_perm(READ_PERMISSION):
            raise PermissionDenied("This account has no role on the desk yet.")
        return view(request, *args, **kwargs)

    return readers_only


api = NinjaAPI(
    title="Claimdesk API",
    version="1",
    description=__doc__,
    auth=[ReaderSession(), ReaderToken()],
    openapi_url="/schema/",
    docs_url="/docs/",
    docs_decorator=_for_readers,
    urls_namespace="api",
)


def _documented(model: Any) -> dict[int, Any]:
    """The success schema plus the error answers every endpoint can give, so the OpenAPI schema lists them."""
    return {200: model, 401: MessageOut, 403: MessageOut, 404: MessageOut, 422: ValidationErrorOut, 429: MessageOut}


def _page_params(page: int, page_size: int) -> tuple[int, int]:
    return min(max(1, page), MAX_PAGE), min(max(1, page_size), MAX_PAGE_SIZE)


def _paged(qs: QuerySet[Any], page: int, page_size: int) -> dict[str, Any]:
    """A page of `qs` as the page schemas read it: an exact count, and one row more fetched for has_next."""
    page, page_size = _page_params(page, page_size)
    offset = (page - 1) * page_size
    rows = list(qs[offset : offset + page_size + 1])
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "has_next": len(rows) > page_size,
        "results": rows[:page_size],
    }


def filters_from_query(query: QueryDict, user: Any = None) -> ClaimFilters:
    """The claim list's filters from a query string, exactly as /claims/ reads them (`user` is "me")."""
    return ClaimFilterForm(query, outlets=review_selectors.outlets(), user=user).filters()


# ---------------------------------------------------------------- endpoints


@api.get("/claims/", response=_documented(ClaimPageOut), summary="Claims, filtered like /claims/")
def claims(request: HttpRequest, params: Query[ClaimQuery]) -> review_selectors.ClaimPage:
    page, page_size = _page_params(params.page, params.page_size)
    return review_selectors.claim_page(filters_from_query(request.GET, request.user), page, page_size)


@api.get(
    "/origins/{origin_id}/",
    response=_documented(OriginPageOut),
    summary="One statement origin: its repeats in date order and related origins",
)
def origin(request: HttpRequest, origin_id: int) -> linking_selectors.OriginPage:
    try:
        return linking_selectors.origin_page(origin_id)
    except StatementOrigin.DoesNotExist:
        raise HttpError(404, "No origin with that id.") from None


@api.get(
    "/claims/{claim_id}/", response=_documented(ClaimDetailOut), summary="One claim with links, origin and history"
)
def claim(request: HttpRequest, claim_id: int) -> Claim:
    try:
        return review_selectors.claim_detail(claim_id)
    except Claim.DoesNotExist:
        raise HttpError(404, "No claim with that id.") from None


@api.get(
    "/claims/{claim_id}/suggestions/", response=_documented(list[SuggestionOut]), summary="Suggested links, best first"
)
def claim_suggestions(request: HttpRequest, claim_id: int, top: int = 10) -> list[suggestions.Suggestion]:
    try:
        row = linking_selectors.claim_for_suggestions(claim_id)
    except Claim.DoesNotExist:
        raise Http404 from None  # ninja's own 404 answer, {"detail": "Not Found"}
    return suggestions.suggestions_for(row, top=min(max(top, 1), 100))


@api.get("/articles/", response=_documented(ArticlePageOut), summary="Articles, newest first")
def articles(request: HttpRequest, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    return _paged(review_selectors.article_list(), page, page_size)


@api.get("/speakers/", response=_documented(SpeakerPageOut), summary="Speakers, most claims first")
def speakers(request: HttpRequest, params: Query[SpeakerQuery]) -> dict[str, Any]:
    return _paged(speakers_selectors.speaker_list(params.q).prefetch_related("aliases"), params.page, params.page_size)


def urls() -> tuple[list[Any], str, str]:
    """The API's URL patterns, exempt from LoginRequiredMiddleware: the API answers 401 itself."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns, app_name, namespace
