"""The claim page's discussion: post a comment (htmx appends it to the list; without JavaScript, back to the claim)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from claims_app import roles
from claims_app.discussion import selectors, services
from claims_app.discussion.forms import CommentForm
from claims_app.web import events, htmx
from claims_app.web.request import AuthenticatedHttpRequest

TEMPLATE = "claims_app/discussion.html"


@require_POST
def claim_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can comment.")
    claim = htmx.get_or_404(selectors.claim_to_comment, pk)
    back = claim.get_absolute_url() + "#comments"
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.add_comment(claim=claim, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", htmx.first_error(exc))
        else:
            if request.htmx:
                context = {"claim": claim, "item": selectors.rendered([comment])[0], "comment_form": CommentForm()}
                response = htmx.render(request, TEMPLATE, context, "posted")
                return trigger_client_event(response, events.COMMENT_ADDED, {"id": claim.pk})
            messages.success(request, "Comment added.")
            return redirect(back)
    if request.htmx:
        # Nothing to append: show the form again, with the error and what was typed.
        response = htmx.render(request, TEMPLATE, {"claim": claim, "comment_form": form}, "comment-form")
        return reswap(retarget(response, "#comment-form"), "outerHTML")
    messages.error(request, str(next(iter(form.errors.get("text", [])), "Comment not added.")))
    return redirect(back)
