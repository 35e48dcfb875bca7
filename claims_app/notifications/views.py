"""The notification inbox: the list (polled by htmx while open), the navigation badge, mark one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from claims_app.models import Notification
from claims_app.notifications import selectors, services
from claims_app.web import events, htmx
from claims_app.web.request import AuthenticatedHttpRequest

TEMPLATE = "claims_app/notifications.html"
PAGE_SIZE = 25


def _list_context(request: AuthenticatedHttpRequest, **extra: object) -> dict[str, object]:
    page = htmx.paginate(request, selectors.inbox(request.user), PAGE_SIZE)
    here = reverse("claims_app:notification_list") + (f"?page={page.number}" if page.number > 1 else "")
    return {"page": page, "here": here, "next": here, "hx_target": "#notification-list", **extra}


@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    partial = htmx.partial_for(request, {"notification-list": "list"})
    return htmx.render(request, TEMPLATE, _list_context(request), partial)


@require_GET
def notification_count(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The navigation badge, polled by htmx."""
    count = selectors.unread_count(request.user)
    context = {"unread_notifications": selectors.badge_label(count) if count else ""}
    return htmx.render(request, TEMPLATE, context, "badge")


def _back(request: AuthenticatedHttpRequest) -> str:
    return htmx.safe_next(request) or reverse("claims_app:notification_list")


@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        notification = selectors.notification_for(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    services.mark_read(notification=notification, user=request.user)
    if request.htmx:
        notification.read = True
        response = htmx.render(request, TEMPLATE, {"n": notification, "next": _back(request)}, "item")
        return trigger_client_event(response, events.NOTIFICATIONS_CHANGED)
    return redirect(_back(request))


@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    changed = services.mark_all_read(user=request.user)
    message = f"Marked {changed} notification{'s' if changed != 1 else ''} read."
    if request.htmx:
        response = htmx.render(request, TEMPLATE, _list_context(request, read_message=message), "list")
        return trigger_client_event(response, events.NOTIFICATIONS_CHANGED)
    messages.success(request, message)
    return redirect(_back(request))
