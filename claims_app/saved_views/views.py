"""Saved-view pages: save the current list (POST /claims/views/), list them, the navigation menu, delete.

The navigation's counts load lazily (`hx-get` of saved_view_nav on `load` in base.html): an ordinary page
pays no query for them, and only the menu request counts each of its (at most NAV_LIMIT) views.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from claims_app.saved_views import selectors, services
from claims_app.saved_views.forms import SavedViewForm
from claims_app.web import events, htmx
from claims_app.web.request import AuthenticatedHttpRequest

TEMPLATE = "claims_app/saved_views.html"
LIST_TEMPLATE = "claims_app/claim_list.html"


@require_http_methods(["GET", "POST"])
def saved_view_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request)
    views = selectors.with_counts(list(selectors.visible_views(request.user)[:200]), request.user)
    return htmx.render(request, TEMPLATE, {"views": views})


def _save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    message, error, view = "", "", None
    if not form.is_valid():
        error = str(next(iter(form.errors.get("name", [])), "Give the view a name."))
    else:
        try:
            view, created = services.save_view(
                owner=request.user,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                shared=form.cleaned_data["shared"],
            )
        except ValidationError as exc:
            error = htmx.first_error(exc)
        else:
            message = f"Saved “{view.name}”." if created else f"Updated “{view.name}”."
    if request.htmx:
        context = {"query": query, "save_message": message, "save_error": error, "saved_view": view}
        response = htmx.render(request, LIST_TEMPLATE, context, "save-view")
        return trigger_client_event(response, events.SAVED_VIEWS_CHANGED) if message else response
    if error:
        messages.error(request, error)
        canonical = services.canonical_query(query)  # back to the list, with only what it understands
        list_url = reverse("claims_app:claim_list")
        return redirect(f"{list_url}?{canonical}" if canonical else list_url)
    messages.success(request, message)
    assert view is not None
    return redirect(view.get_absolute_url())


@require_GET
def saved_view_nav(request: AuthenticatedHttpRequest) -> HttpResponse:
    views, more = selectors.nav_views(request.user)
    return htmx.render(request, TEMPLATE, {"views": views, "more": more}, "nav")


@require_POST
def saved_view_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = selectors.visible_view(pk, request.user)
    if view is None:
        raise Http404("Not found.")  # another user's private view does not exist as far as you can tell
    services.delete_view(view=view, user=request.user)  # a shared view of someone else's: 403
    messages.success(request, f"Deleted “{view.name}”.")
    response = redirect("claims_app:saved_view_list")
    return trigger_client_event(response, events.SAVED_VIEWS_CHANGED) if request.htmx else response
