"""Saved-view writes: save (or re-save) a named filter, delete one's own."""

from __future__ import annotations

import logging
import re

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict

from claims_app import roles
from claims_app.models import SavedView
from claims_app.models.saved_views import SAVED_VIEW_NAME_LENGTH
from claims_app.review import selectors as review_selectors
from claims_app.review.forms import ClaimFilterForm
from claims_app.web import params

logger = logging.getLogger(__name__)

MAX_RAW_QUERY = 4_000
_SPACES = re.compile(r"\s+")


def canonical_query(query: str) -> str:
    """A claim-list query string reduced to its valid filters (ClaimFilterForm.canonical_query); a leading
    "?" and unknown or bad parameters are dropped."""
    data = QueryDict(query.lstrip("?")[:MAX_RAW_QUERY])
    return ClaimFilterForm(data, outlets=review_selectors.outlets()).canonical_query()


def clean_view_name(raw: str) -> str:
    name = _SPACES.sub(" ", params.clean_text(raw, max_length=1_000))
    if not name:
        raise ValidationError({"name": ValidationError("Give the view a name.", code="empty")})
    if len(name) > SAVED_VIEW_NAME_LENGTH:
        raise ValidationError(
            {"name": ValidationError(f"A view's name is at most {SAVED_VIEW_NAME_LENGTH} characters.", code="too_long")}
        )
    return name


def save_view(*, owner: User, name: str, query: str, shared: bool = False) -> tuple[SavedView, bool]:
    """Save the filters of `query` under `name` (re-saving a name of one's own replaces its filters);
    (view, created). Sharing with the desk is for editors."""
    if not owner.has_perm("claims_app.view_claim"):
        raise PermissionDenied("This account cannot read claims.")
    if shared and not roles.can_review(owner):
        raise ValidationError({"shared": ValidationError("Only editors can share views.", code="share_not_allowed")})
    name = clean_view_name(name)
    canonical = canonical_query(query)
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(owner=owner, name=name).first()
        created = view is None
        if view is None:
            view = SavedView(owner=owner, name=name)
        view.query, view.shared = canonical, shared
        view.full_clean(validate_constraints=False)  # the row lock above: the (owner, name) pair is ours
        view.save()
    logger.info("saved view %s %r by %s", view.pk, name, owner.get_username(), extra={"event": "saved_view"})
    return view, created


def delete_view(*, view: SavedView, user: User) -> None:
    """Delete a saved view; only its owner may."""
    if view.owner_id != user.pk:
        raise PermissionDenied("Only the owner can delete a saved view.")
    view.delete()
