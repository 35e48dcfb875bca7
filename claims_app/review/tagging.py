"""Tag writes: add or remove a free tag on one claim or many.

(The template tag library is `claim_tags`; this module is the tags editors put on claims.) Keyword-only
arguments, a permission check, one transaction each; names go through models.normalise_tag_name, and
"Climate" finds the tag "climate" (one tag per name whatever its case, a unique index on lower(name)).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

from claims_app import roles
from claims_app.models import Claim, ClaimTag, Tag, normalise_tag_name

logger = logging.getLogger(__name__)

ADD, REMOVE = "add", "remove"


def tags_named(name: str) -> QuerySet[Tag]:
    """The tag called `name` in any case (lower() on both sides in PostgreSQL: the unique index's own rule)."""
    return Tag.objects.alias(key=Lower("name")).filter(key=Lower(Value(name)))


def clean_tag_name(raw: object) -> str:
    """The normalised name, or a ValidationError on the `tag` field with the reason's code."""
    try:
        return normalise_tag_name(raw)
    except ValidationError as exc:
        raise ValidationError({"tag": exc.error_list}) from exc


def tag_for_name(*, name: str, user: User) -> Tag:
    """The tag called `name` (any case), created with that spelling when there is none yet."""
    name = clean_tag_name(name)
    tag = tags_named(name).first()
    if tag is not None:
        return tag
    tag = Tag(name=name, created_by=user)
    tag.full_clean(validate_constraints=False)
    # Two editors creating the same new tag at once: the second insert is skipped, and both read the one row.
    Tag.objects.bulk_create([tag], ignore_conflicts=True)
    return tags_named(name).get()


@dataclass(frozen=True, slots=True)
class TagResult:
    """What one add or remove did, claim by claim."""

    tag: str  # the tag's stored name
    action: str  # ADD or REMOVE
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already tagged (add) or not tagged (remove)
    missing: list[int] = field(default_factory=list)  # ids with no claim


def bulk_tag(*, claim_ids: Iterable[int], user: User, name: str, action: str) -> TagResult:
    """Add the tag `name` to each claim (creating the tag if new), or remove it; returns what changed where."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can tag claims.")
    if action not in (ADD, REMOVE):
        raise ValidationError({"action": ValidationError("Choose add or remove.", code="unknown_action")})
    wanted = sorted(set(claim_ids))
    with transaction.atomic():
        existing = set(Claim.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if action == ADD:
            tag: Tag | None = tag_for_name(name=name, user=user)
        else:
            tag = tags_named(clean_tag_name(name)).first()
        tagged = set(ClaimTag.objects.filter(tag=tag, claim_id__in=existing).values_list("claim_id", flat=True))
        if tag is not None and action == ADD:
            new = sorted(existing - tagged)
            ClaimTag.objects.bulk_create(
                [ClaimTag(claim_id=pk, tag=tag, added_by=user) for pk in new], ignore_conflicts=True
            )
            changed, unchanged = new, sorted(tagged)
        elif tag is not None:
            ClaimTag.objects.filter(tag=tag, claim_id__in=tagged).delete()
            changed, unchanged = sorted(tagged), sorted(existing - tagged)
        else:  # removing a tag nobody has: nothing to do
            changed, unchanged = [], sorted(existing)
    result = TagResult(
        tag=tag.name if tag is not None else clean_tag_name(name),
        action=action,
        changed=changed,
        unchanged=unchanged,
        missing=[pk for pk in wanted if pk not in existing],
    )
    logger.info(
        "tag %r %s on %d claims by %s",
        result.tag,
        action,
        len(changed),
        user.get_username(),
        extra={"event": "claim_tag", "action": action, "tag": result.tag, "claims": changed},
    )
    return result


def add_tag(*, claim: Claim, user: User, name: str) -> TagResult:
    """Tag one claim; adding a tag it already has changes nothing."""
    return bulk_tag(claim_ids=[claim.pk], user=user, name=name, action=ADD)


def remove_tag(*, claim: Claim, user: User, name: str) -> TagResult:
    """Take a tag off one claim; removing a tag it does not have changes nothing."""
    return bulk_tag(claim_ids=[claim.pk], user=user, name=name, action=REMOVE)


def describe(result: TagResult) -> str:
    """The editor's one-line summary: how many claims changed, and which did not and why."""
    n = len(result.changed)
    plural = "s" if n != 1 else ""
    if result.action == ADD:
        message = f"Tagged {n} claim{plural} “{result.tag}”."
        why = "already tagged"
    else:
        message = f"Removed “{result.tag}” from {n} claim{plural}."
        why = "not tagged"
    if result.unchanged:
        message += f" Unchanged ({why}): {_ids(result.unchanged)}."
    if result.missing:
        message += f" Not found: {_ids(result.missing)}."
    return message


def _ids(pks: list[int], limit: int = 20) -> str:
    shown = ", ".join(f"#{pk}" for pk in pks[:limit])
    return shown + (f" and {len(pks) - limit} more" if len(pks) > limit else "")
