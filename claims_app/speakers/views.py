"""Speaker views: list, page, merge, undo, suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims_app import roles
from claims_app.models import Speaker
from claims_app.speakers import selectors, services
from claims_app.speakers.forms import MergeForm
from claims_app.web import htmx, params
from claims_app.web.request import AuthenticatedHttpRequest


@require_GET
def speaker_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = params.clean_text(request.GET.get("q"))
    context = {
        "page": htmx.paginate(request, selectors.speaker_list(q)),
        "q": q,
        "query": urlencode({"q": q}) if q else "",
        "suggestions": list(selectors.merge_suggestions()[:20]),
    }
    partial = htmx.partial_for(request, {"speaker-results": "speaker-results"})
    return htmx.render(request, "claims_app/speaker_list.html", context, partial)


@require_GET
def speaker_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    speaker = htmx.get_or_404(selectors.speaker_detail, pk)
    return htmx.render(
        request,
        "claims_app/speaker_detail.html",
        {
            "speaker": speaker,
            "page": htmx.paginate(request, selectors.speaker_claims(speaker)),
            "by_month": selectors.speaker_claims_by_month(speaker),
            "suggestions": list(selectors.merge_suggestions(speaker)),
            "merges": list(selectors.speaker_merges(speaker)[:10]),
            "merge_form": MergeForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def speaker_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET previews what would move from `other` into this speaker; POST does it."""
    htmx.require(roles.can_merge_speakers(request.user), "Only admins can merge speakers.")
    keep = htmx.get_or_404(selectors.speaker_detail, pk)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "Give the id of the speaker to merge into this one.")
        return redirect(keep)
    other, problem = _speaker_to_merge(keep, form.cleaned_data["other"])
    if other is None:
        messages.error(request, problem)
        return redirect(keep)
    suggestion = selectors.merge_suggestion_or_none(form.cleaned_data["suggestion"])
    if request.method == "POST":
        try:
            merge = services.merge_speakers(keep=keep, remove=other, user=request.user, suggestion=suggestion)
        except ValidationError as exc:
            messages.error(request, htmx.first_error(exc))
            return redirect(keep)
        moved = len(merge.snapshot["claim_ids"])
        messages.success(request, f"Merged “{merge.removed_name}” into “{keep.name}”: {moved} claim(s) moved.")
        return redirect(keep)
    return htmx.render(
        request,
        "claims_app/speaker_merge.html",
        {"preview": selectors.merge_preview(keep, other), "suggestion": suggestion},
    )


def _speaker_to_merge(keep: Speaker, wanted: str) -> tuple[Speaker | None, str]:
    """The speaker an admin means by an id or an exact name/alias, or why it is not clear."""
    wanted = params.clean_text(wanted).lstrip("#")
    matches = selectors.merge_candidates(keep, wanted)
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, f"Choose another existing speaker to merge; nothing matches “{wanted}”."
    ids = ", ".join(f"#{s.pk} {s.name}" for s in matches)
    return None, f"Several speakers match “{wanted}” ({ids}); give the id."


@require_POST
def speaker_merge_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_merge_speakers(request.user), "Only admins can undo merges.")
    merge = htmx.get_or_404(selectors.speaker_merge, pk)
    try:
        restored = services.undo_speaker_merge(merge=merge, user=request.user)
    except ValidationError as exc:
        messages.error(request, htmx.first_error(exc))
        return redirect(merge.kept)
    messages.success(request, f"Undone: “{restored.name}” is back with its claims and aliases.")
    return redirect(restored)


@require_POST
def merge_suggestion_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_merge_speakers(request.user), "Only admins can dismiss merge suggestions.")
    suggestion = htmx.get_or_404(selectors.merge_suggestion, pk)
    services.dismiss_merge_suggestion(suggestion=suggestion, user=request.user)
    if request.htmx:
        return HttpResponse("")  # the row swaps itself away
    messages.success(request, "Suggestion dismissed.")
    return redirect(htmx.safe_next(request) or reverse("claims_app:speaker_list"))
