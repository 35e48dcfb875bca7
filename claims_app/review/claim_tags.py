"""Template tags for claim markup that several templates share."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from claims_app.models import Claim
from claims_app.review import rows

register = template.Library()


@register.simple_tag
def status_options(current: str) -> SafeString:
    """The review status <option>s with `current` selected (the same markup as the claim list's rows)."""
    options = rows.status_options()
    return options.get(current, options[Claim.Status.UNREVIEWED])
