"""Template context: what the current user may do, so templates hide buttons they cannot use."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from claims_app import roles


def request_user(request: HttpRequest) -> Any:
    """The request's user; anonymous when a middleware before AuthenticationMiddleware refused the request (a
    foreign Host header) and an error page renders without one."""
    return getattr(request, "user", None) or AnonymousUser()


def user_permissions(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    return {
        "user_role": roles.role_of(user),
        "can_upload": roles.can_upload(user),
        "can_review": roles.can_review(user),
        "can_link": roles.can_link(user),
        "can_merge_speakers": roles.can_merge_speakers(user),
    }
