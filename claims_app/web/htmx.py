"""Helpers every view uses: render a page or one of its partials, permission checks, 404s, paging."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from claims_app.web import params
from claims_app.web.request import AuthenticatedHttpRequest


def render(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict[str, Any],
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    response = TemplateResponse(request, f"{template}#{partial}" if partial else template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))  # partial_for reads both
    return response


def answer(
    request: AuthenticatedHttpRequest,
    partial: Callable[[], HttpResponse],
    back: Any,
    *,
    message: str = "",
    error: str = "",
    event: str = "",
    detail: dict[str, Any] | None = None,
) -> HttpResponse:
    """How a view answers an action. With htmx: `partial()`, the refreshed panel, announcing `event` (with
    `detail`) through HX-Trigger when the action did something (a `message`). Without JavaScript: `message` and
    `error` as flash messages and a redirect to `back` (POST/redirect/GET)."""
    if request.htmx:
        response = partial()
        return trigger_client_event(response, event, detail) if message and event else response
    if message:
        messages.success(request, message)
    if error:
        messages.error(request, error)
    return redirect(back)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def partial_for(
    request: AuthenticatedHttpRequest, targets: Mapping[str, str], default: str | None = None
) -> str | None:
    """The partial an htmx request is answered with, chosen by the element it swaps: `HX-Target` (that element's
    id) looked up in `targets` (id -> partial name), else `default`. None without htmx: the whole page.

    The one way views choose a partial; the URL stays the page's own, so what htmx pushes into the history or an
    editor shares is never a fragment's."""
    if not request.htmx:
        return None
    return targets.get(request.htmx.target or "", default)


def paginate(request: AuthenticatedHttpRequest, object_list, per_page: int | None = None):
    return Paginator(object_list, per_page or settings.CLAIMS_PAGE_SIZE).get_page(page_number(request))


def page_number(request: AuthenticatedHttpRequest) -> int:
    return params.page_number(request.GET.get("page"))


def get_or_404(selector, pk):
    """What `selector(pk)` finds, or a 404 when it raises a model's DoesNotExist."""
    try:
        return selector(pk)
    except ObjectDoesNotExist:
        raise Http404("Not found.") from None


def safe_next(request: AuthenticatedHttpRequest) -> str | None:
    """The form's `next` when it is a path on this site, else None (the view picks its own page)."""
    target = request.POST.get("next", "")
    # A path, not just "no other host": redirect() reads a value without "/" or "." ("²", "-1") as a URL
    # pattern name, and an unknown name is a NoReverseMatch (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def first_error(exc: ValidationError) -> str:
    return next(iter(exc.messages), "Not saved.")
