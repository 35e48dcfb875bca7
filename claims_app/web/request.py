"""The request type the app's views receive, for the type checker (django-htmx's "Type checking" pattern)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request past LoginRequiredMiddleware (so `user` is a real User) and HtmxMiddleware (`htmx`).

    Only for annotations: Django still passes a plain HttpRequest. Views marked `login_not_required`
    must keep `HttpRequest`, since their user may be anonymous.
    """

    user: User
    htmx: HtmxDetails
