"""Publishing writes: publish (or republish) a claim's verdict as a public fact-check, and unpublish it.

Keyword-only arguments, a permission check, full_clean and one transaction each; refusals are
ValidationErrors with a code ("no_verdict", "no_note", "not_published").
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claims_app import roles
from claims_app.models import CLAIM_INDEX_ONLY, Claim, ClaimCorrection, PublishedFactCheck, WorkflowSettings
from claims_app.publishing.claim_review import rating

logger = logging.getLogger(__name__)

PUBLISHED, REPUBLISHED, UNPUBLISHED = "published", "republished", "unpublished"


def review_note(claim: Claim) -> str:
    """The note of the review that set the claim's current verdict ("" when it had none)."""
    change = claim.status_changes.filter(new_status=claim.status).order_by("-changed_at", "-pk").first()
    return change.note.strip() if change else ""


def _record_in_history(*, claim_id: int, verdict: str, action: str, user: User) -> None:
    """A publication entry in the claim's history: the verdict it had, and what was done with it."""
    ClaimCorrection.objects.create(
        claim_id=claim_id, field=ClaimCorrection.Field.PUBLICATION, old_value=verdict, new_value=action, changed_by=user
    )


def publish_claim(*, claim: Claim, user: User, expected_version: int) -> PublishedFactCheck:
    """Publish the claim's verdict and review note as its public fact-check, or update the published one; only if
    the claim is still at the version the editor saw (`expected_version`)."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can publish fact-checks.")
    with transaction.atomic():
        # The row lock orders a publish against a concurrent review: the snapshot is one version of the claim.
        locked = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("speaker")
            .defer(*CLAIM_INDEX_ONLY)
            .get(pk=claim.pk)
        )
        if locked.version != expected_version:
            raise ValidationError(
                "Someone changed this claim since you loaded it: check the verdict and note above, then publish.",
                code="stale",
            )
        if locked.status == Claim.Status.UNREVIEWED:
            raise ValidationError("Give the claim a verdict before publishing it.", code="no_verdict")
        note = review_note(locked)
        if not note:
            raise ValidationError(
                "The verdict has no review note: save the review again with a note saying what you checked, "
                "then publish.",
                code="no_note",
            )
        workflow = WorkflowSettings.load()
        value, label = rating(workflow, locked.status)
        now = timezone.now()
        existing = PublishedFactCheck.objects.select_for_update().filter(claim=locked).first()
        action = PUBLISHED if existing is None or not existing.is_live else REPUBLISHED
        snapshot = existing or PublishedFactCheck(claim=locked, published_at=now)
        snapshot.claim_text = locked.text
        snapshot.status = locked.status
        snapshot.note = note
        snapshot.speaker_name = locked.speaker.name if locked.speaker else ""
        snapshot.speaker_kind = locked.speaker.kind if locked.speaker else ""
        snapshot.evidence = [
            {"url": e.url, "note": e.note} for e in locked.evidence.order_by("added_at", "pk").only("url", "note")
        ]
        snapshot.rating_value, snapshot.rating_label = value, label
        snapshot.best_rating, snapshot.worst_rating = workflow.best_rating, workflow.worst_rating
        snapshot.claim_version = locked.version
        snapshot.updated_at = now
        snapshot.published_by = user
        snapshot.is_live = True
        snapshot.full_clean()
        snapshot.save()
        _record_in_history(claim_id=locked.pk, verdict=locked.get_status_display(), action=action, user=user)
    logger.info(
        "claim %s %s as a fact-check by %s",
        locked.pk,
        action,
        user.get_username(),
        extra={"event": "claim_publish", "claim": locked.pk, "action": action, "user": user.get_username()},
    )
    return snapshot


def unpublish_claim(*, claim: Claim, user: User) -> PublishedFactCheck:
    """Take the claim's public fact-check down (its URL becomes a 404); the snapshot is kept for republishing."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can unpublish fact-checks.")
    with transaction.atomic():
        snapshot = PublishedFactCheck.objects.select_for_update().filter(claim_id=claim.pk, is_live=True).first()
        if snapshot is None:
            raise ValidationError("This claim is not published.", code="not_published")
        snapshot.is_live = False
        snapshot.save(update_fields=["is_live"])
        _record_in_history(claim_id=claim.pk, verdict=snapshot.get_status_display(), action=UNPUBLISHED, user=user)
    logger.info(
        "claim %s unpublished by %s",
        claim.pk,
        user.get_username(),
        extra={"event": "claim_publish", "claim": claim.pk, "action": UNPUBLISHED, "user": user.get_username()},
    )
    return snapshot
