"""The unread count in the navigation, counted only when a full page renders the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from claims_app.notifications import selectors
from claims_app.web.context_processors import request_user


class _UnreadBadge:
    """Called by the template engine when base.html reads it (htmx partials never do), then remembered,
    so a page costs one count query at most."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.label: str | None = None

    def __call__(self) -> str:
        if self.label is None:
            user = request_user(self.request)
            count = selectors.unread_count(user) if user.is_authenticated else 0
            self.label = selectors.badge_label(count) if count else ""
        return self.label


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    return {"unread_notifications": _UnreadBadge(request)}
