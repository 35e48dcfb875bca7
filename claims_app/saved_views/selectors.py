"""Saved-view reads: the views a user sees (their own and those shared by anyone) and their live counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When
from django.http import QueryDict

from claims_app.models import SavedView
from claims_app.review import selectors as review_selectors
from claims_app.review.forms import ClaimFilterForm

# The navigation shows this many; the rest are on /claims/views/.
NAV_LIMIT = 10


def visible_views(user: Any) -> QuerySet[SavedView]:
    """The user's own views first, then views others shared, each by name."""
    return (
        SavedView.objects.filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .annotate(own=Case(When(owner=user, then=Value(0)), default=Value(1)))
        .order_by("own", "name", "pk")
    )


def visible_view(pk: int, user: Any) -> SavedView | None:
    """One of the views `user` sees (their own or a shared one); another user's private view is None."""
    return visible_views(user).filter(pk=pk).first()


@dataclass(frozen=True, slots=True)
class CountedView:
    view: SavedView
    count: int  # capped at review_selectors.COUNT_CAP
    count_is_capped: bool
    own: bool


def with_counts(views: list[SavedView], user: Any) -> list[CountedView]:
    """Each view's claim count as the list would show it for `user` ("me" is them): the list's capped count,
    one query per view (two or three with a text search); one more query for the outlet choices."""
    outlets = review_selectors.outlets()
    counted = []
    for view in views:
        filters = ClaimFilterForm(QueryDict(view.query), outlets=outlets, user=user).filters()
        count = review_selectors.claim_search(filters).count
        counted.append(
            CountedView(
                view=view,
                count=min(count, review_selectors.COUNT_CAP),
                count_is_capped=count > review_selectors.COUNT_CAP,
                own=view.owner_id == user.pk,
            )
        )
    return counted


def nav_views(user: Any, limit: int = NAV_LIMIT) -> tuple[list[CountedView], bool]:
    """The navigation's views with counts, and whether there are more than `limit`."""
    views = list(visible_views(user)[: limit + 1])
    return with_counts(views[:limit], user), len(views) > limit
