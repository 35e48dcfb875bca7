"""Request security that every page shares: the read permission, error pages that say what went wrong,
and the throttle on failed API tokens.

The read check is middleware so no page, partial or export can forget it; the API (its own 401/403 in
JSON), Django admin (its own staff and model permissions) and views marked `login_not_required` (login, the
published fact-checks) are left to their own checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, multipartparser
from django.http.multipartparser import MultiPartParserError
from django.template.response import TemplateResponse

READ_PERMISSION = "claims_app.view_claim"
# URL namespaces whose views check access themselves.
SELF_CHECKED_NAMESPACES = frozenset({"api", "admin"})


class ReadPermissionMiddleware:
    """Every page needs the app's view permission; a login without a role gets the 403 page.

    Sits after LoginRequiredMiddleware: anonymous users are redirected to the login page there first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        if not getattr(view_func, "login_required", True):
            return None  # login and the published fact-checks: public by design
        match = request.resolver_match
        if match is not None and SELF_CHECKED_NAMESPACES.intersection(match.namespaces):
            return None
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # LoginRequiredMiddleware has already redirected these
        if not user.has_perm(READ_PERMISSION):
            raise PermissionDenied("This account has no role on the desk yet.")
        return None


# ---------------------------------------------------------------- error pages

# What each request-size limit is called on the page, and the setting that holds its value.
_LIMITS: dict[type[Exception], tuple[str, str, str]] = {
    RequestDataTooBig: ("The form was too large", "DATA_UPLOAD_MAX_MEMORY_SIZE", "bytes of form data"),
    TooManyFieldsSent: ("The form had too many fields", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "fields"),
    TooManyFilesSent: ("Too many files at once", "DATA_UPLOAD_MAX_NUMBER_FILES", "files"),
}


def request_limit(exception: Exception | None) -> dict[str, Any] | None:
    """The request-size limit an exception reports (title, setting, value, unit), or None for another 400."""
    for kind, (title, setting, unit) in _LIMITS.items():
        if isinstance(exception, kind):
            value = getattr(settings, setting)
            shown = f"{value / (1024 * 1024):g} MB" if unit.startswith("bytes") else f"{value:,} {unit}"
            return {"title": title, "setting": setting, "value": value, "shown": shown, "unit": unit}
    return None


def upload_problem(exception: Exception | None) -> str:
    """What went wrong reading a multipart upload, in words an editor can act on; "" for other 400s."""
    if not isinstance(exception, MultiPartParserError):
        return ""
    # Django's only signal for a part's headers over MAX_TOTAL_HEADER_SIZE (1,024 bytes) is this message;
    # in an upload form the long header is the file's name.
    if "header size" in str(exception):
        limit = getattr(multipartparser, "MAX_TOTAL_HEADER_SIZE", 1024)  # not in django-stubs
        return (
            f"A file name was too long: the name and type of each file may take at most {limit:,} "
            "bytes. Rename the file to something shorter and upload it again."
        )
    return "The upload could not be read (it was cut off or malformed). Try again."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: names the request-size limit that was hit and its value; any other 400 says so plainly."""
    # The body was refused unread: nothing below may touch request.POST (Django marks it as a parse error).
    context = {"limit": request_limit(exception), "upload_problem": upload_problem(exception)}
    response = TemplateResponse(request, "400.html", context, status=400)
    return response.render()


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the base layout with what is missing and who can grant it."""
    user = getattr(request, "user", None)
    no_role = user is not None and user.is_authenticated and not user.has_perm(READ_PERMISSION)
    message = str(exception or "") or "Your role does not allow this action."
    response = TemplateResponse(request, "403.html", {"no_role": no_role, "message": message}, status=403)
    return response.render()


# ---------------------------------------------------------------- API token throttle


def _client_ip(request: HttpRequest) -> str:
    # Behind the TLS proxy REMOTE_ADDR is the proxy; axes reads the same address (AXES_IPWARE_* settings).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _token_failure_key(request: HttpRequest) -> str:
    return f"claimdesk:api-token-failures:{_client_ip(request)}"


def api_token_locked_out(request: HttpRequest) -> bool:
    """Whether this address has sent too many wrong API tokens within the cool-off window."""
    return int(cache.get(_token_failure_key(request), 0)) >= settings.CLAIMS_API_TOKEN_FAILURE_LIMIT


def record_api_token_failure(request: HttpRequest) -> None:
    """Count one wrong API token from this address; the count expires after the cool-off window."""
    key = _token_failure_key(request)
    timeout = int(settings.CLAIMS_API_TOKEN_COOLOFF_MINUTES * 60)
    if cache.add(key, 1, timeout=timeout):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)


def reset_api_token_failures(request: HttpRequest) -> None:
    cache.delete(_token_failure_key(request))
