"""Review writes: status, corrections, rejections, evidence, claims an editor adds.

Keyword-only arguments, a permission check, full_clean and one transaction each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims_app import roles
from claims_app.ingest.speaker_resolution import speaker_for_name
from claims_app.linking import corroboration, embeddings
from claims_app.models import (
    CLAIM_INDEX_ONLY,
    Article,
    Claim,
    ClaimCorrection,
    ClaimEmbedding,
    ClaimStatusChange,
    Evidence,
    Notification,
    Speaker,
)
from claims_app.notifications import services as notifications

logger = logging.getLogger(__name__)


class ConflictError(Exception):
    """Someone else changed the claim since the form was loaded."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(f"Claim {claim.pk} was changed by someone else (now version {claim.version}).")
        self.claim = claim


def change_claim_status(
    *,
    claim: Claim,
    user: User,
    status: str,
    note: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Set a claim's review status, record the change in history, and bump its version."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can review claims.")
    if status not in Claim.Status.values:
        raise ValidationError({"status": ValidationError(f"Unknown status {status!r}.", code="unknown_status")})
    with transaction.atomic():
        # The index-only columns (search vector, lexemes, a 384-float embedding) are never needed here.
        locked = Claim.objects.select_for_update().defer(*CLAIM_INDEX_ONLY).get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(locked)
        old_status = locked.status
        now = timezone.now()
        Claim.objects.filter(pk=locked.pk).update(
            status=status, version=F("version") + 1, reviewed_by=user, reviewed_at=now
        )
        ClaimStatusChange.objects.create(
            claim=locked, changed_by=user, old_status=old_status, new_status=status, note=note.strip()
        )
        notifications.notify(
            kind=Notification.Kind.STATUS, actor=user, claim_ids=[locked.pk], detail=Claim.Status(status).label
        )
    # What the UPDATE wrote (the row lock made version + 1 exact), without reading the row again.
    locked.status, locked.version, locked.reviewed_by, locked.reviewed_at = status, locked.version + 1, user, now
    logger.info(
        "claim %s status %s -> %s by %s",
        locked.pk,
        old_status,
        status,
        user.get_username(),
        extra={
            "event": "claim_status",
            "claim": locked.pk,
            "old": old_status,
            "new": status,
            "user": user.get_username(),
            "version": locked.version,
        },
    )
    return locked


def add_evidence(*, claim: Claim, user: User, url: str = "", note: str = "") -> Evidence:
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can add evidence.")
    evidence = Evidence(claim=claim, url=url.strip(), note=note.strip(), added_by=user)
    evidence.full_clean()
    with transaction.atomic():
        evidence.save()
    return evidence


@dataclass(frozen=True)
class BulkStatusResult:
    """How many claims changed, and the ids left alone because someone else changed them meanwhile."""

    changed: int
    conflicts: list[int] = field(default_factory=list)


def bulk_change_status(
    *, claim_versions: Mapping[int, int | None], user: User, status: str, note: str = ""
) -> BulkStatusResult:
    """Set many claims' status at once, each only if it is still at the version the editor saw (a missing
    version counts as stale); every change is recorded in history."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can review claims.")
    if status not in Claim.Status.values:
        raise ValidationError({"status": ValidationError(f"Unknown status {status!r}.", code="unknown_status")})
    with transaction.atomic():
        locked = list(
            Claim.objects.select_for_update()
            .only("pk", "status", "version")
            .filter(pk__in=list(claim_versions))
            .exclude(status=status)
            .order_by("pk")
        )
        conflicts = [c.pk for c in locked if claim_versions[c.pk] != c.version]
        claims = [c for c in locked if c.pk not in conflicts]
        if not claims:
            return BulkStatusResult(changed=0, conflicts=conflicts)
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
            status=status, version=F("version") + 1, reviewed_by=user, reviewed_at=timezone.now()
        )
        ClaimStatusChange.objects.bulk_create(
            [
                ClaimStatusChange(claim=c, changed_by=user, old_status=c.status, new_status=status, note=note.strip())
                for c in claims
            ]
        )
        notifications.notify(
            kind=Notification.Kind.STATUS,
            actor=user,
            claim_ids=[c.pk for c in claims],
            detail=Claim.Status(status).label,
        )
    logger.info(
        "bulk status %s on %d claims by %s",
        status,
        len(claims),
        user.get_username(),
        extra={
            "event": "claim_status_bulk",
            "claims": [c.pk for c in claims],
            "new": status,
            "user": user.get_username(),
            "conflicts": conflicts,
        },
    )
    return BulkStatusResult(changed=len(claims), conflicts=conflicts)


def _speaker_label(speaker: Speaker | None) -> str:
    return f"{speaker.name} (#{speaker.pk})" if speaker else ""


def correct_claim(
    *,
    claim: Claim,
    user: User,
    text: str | None = None,
    speaker_name: str | None = None,
    kind: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Correct a claim's text, speaker or kind; each changed field becomes a ClaimCorrection row."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can correct claims.")
    with transaction.atomic():
        locked = Claim.objects.select_for_update(of=("self",)).select_related("speaker").get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(locked)
        corrections: list[ClaimCorrection] = []
        if text is not None and text.strip() and text.strip() != locked.text:
            corrections.append(ClaimCorrection(field="text", old_value=locked.text, new_value=text.strip()))
            locked.text = text.strip()
            ClaimEmbedding.objects.filter(claim=locked).delete()  # the old text's; re-embedded after commit
        if kind and kind != locked.kind:
            corrections.append(ClaimCorrection(field="kind", old_value=locked.kind, new_value=kind))
            locked.kind = kind
        if speaker_name is not None and speaker_name.strip():
            speaker = speaker_for_name(speaker_name)
            if speaker.pk != locked.speaker_id:
                corrections.append(
                    ClaimCorrection(
                        field="speaker", old_value=_speaker_label(locked.speaker), new_value=_speaker_label(speaker)
                    )
                )
                locked.speaker = speaker
        if not corrections:
            return locked
        locked.version += 1
        locked.full_clean()
        locked.save()
        for correction in corrections:
            correction.claim = locked
            correction.changed_by = user
            correction.note = note.strip()
        ClaimCorrection.objects.bulk_create(corrections)
        notifications.notify(
            kind=Notification.Kind.CORRECTION,
            actor=user,
            claim_ids=[locked.pk],
            detail=", ".join(str(ClaimCorrection.Field(c.field).label).lower() for c in corrections),
        )
        if any(c.field == ClaimCorrection.Field.TEXT for c in corrections):
            embeddings.queue_after_commit(claim_ids=[locked.pk])
        if any(c.field == ClaimCorrection.Field.SPEAKER for c in corrections):
            corroboration.refresh([locked.pk])
    changed = ", ".join(c.field for c in corrections)
    logger.info(
        "claim %s corrected (%s) by %s",
        locked.pk,
        changed,
        user.get_username(),
        extra={"event": "claim_correction", "claim": locked.pk, "fields": changed, "user": user.get_username()},
    )
    return locked


def set_claim_rejected(*, claim: Claim, user: User, rejected: bool, note: str = "") -> Claim:
    """Mark an extracted span as not a claim (kept, hidden from the default list), or restore it."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can reject claims.")
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.is_rejected == rejected:
            return locked
        ClaimCorrection.objects.create(
            claim=locked,
            field=ClaimCorrection.Field.REJECTED,
            old_value="yes" if locked.is_rejected else "no",
            new_value="yes" if rejected else "no",
            note=note.strip(),
            changed_by=user,
        )
        notifications.notify(
            kind=Notification.Kind.CORRECTION,
            actor=user,
            claim_ids=[locked.pk],
            detail="“not a claim” mark",
        )
        locked.is_rejected = rejected
        locked.version += 1
        locked.save(update_fields=["is_rejected", "version"])
    return locked


def find_span(body: str, text: str, taken: Iterable[tuple[int, int]] = ()) -> tuple[int, int]:
    """Where `text` occurs in `body`, preferring an occurrence that is not already a claim."""
    needle = text.strip()
    if not needle:
        raise ValidationError({"text": ValidationError("Give the words of the claim.", code="empty_text")})
    taken_spans = set(taken)
    first: tuple[int, int] | None = None
    start = body.find(needle)
    while start != -1:
        span = (start, start + len(needle))
        if span not in taken_spans:
            return span
        first = first or span
        start = body.find(needle, start + 1)
    if first:
        raise ValidationError({"text": ValidationError("That passage is already a claim.", code="duplicate_span")})
    raise ValidationError(
        {"text": ValidationError("That text does not occur in the article (copy it exactly).", code="not_found")}
    )


def add_claim(*, article: Article, user: User, start: int, end: int, kind: str, speaker_name: str = "") -> Claim:
    """Add a claim the extractor missed, from a span of the article body."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can add claims.")
    # Trim whitespace the selection may have caught at either end.
    while start < end and article.body[start].isspace():
        start += 1
    while end > start and article.body[end - 1].isspace():
        end -= 1
    if not (0 <= start < end <= len(article.body)):
        raise ValidationError({"text": ValidationError("Select some text inside the article.", code="outside_body")})
    with transaction.atomic():
        speaker = speaker_for_name(speaker_name) if speaker_name.strip() else None
        claim = Claim(
            article=article,
            speaker=speaker,
            text=article.body[start:end],
            start=start,
            end=end,
            kind=kind,
            filed_by=Claim.FiledBy.EDITOR,
        )
        try:
            claim.full_clean()
        except ValidationError as exc:
            if any(e.code == "unique_together" for e in exc.error_dict.get("__all__", [])):
                # The span is taken: the same words as find_span's refusal, with its code.
                raise ValidationError(
                    {"text": ValidationError("That passage is already a claim.", code="duplicate_span")}
                ) from exc
            raise
        claim.save()
        embeddings.queue_after_commit(claim_ids=[claim.pk])
    logger.info("claim %s added by hand to article %s by %s", claim.pk, article.pk, user.get_username())
    return claim


def assignee_for_username(username: str) -> User | None:
    """The active editor or admin called `username`, or None for "" (unassign); a clear error otherwise."""
    username = username.strip()
    if not username:
        return None
    assignee = User.objects.filter(username=username, is_active=True).first()
    if assignee is None:
        raise ValidationError(
            {"assignee": ValidationError(f"There is no user called “{username[:150]}”.", code="unknown_user")}
        )
    if not roles.can_review(assignee):
        raise ValidationError(
            {"assignee": ValidationError(f"{assignee.get_username()} cannot review claims.", code="not_an_editor")}
        )
    return assignee


def _username(user: User | None) -> str:
    return user.get_username() if user is not None else ""


def bulk_assign(*, claim_ids: Iterable[int], user: User, assignee_username: str, note: str = "") -> int:
    """Assign claims to an editor (or unassign them with ""); each claim that changes gets an "assignee"
    row in its history. Returns how many changed."""
    if not roles.can_review(user):
        raise PermissionDenied("Only editors can assign claims.")
    assignee = assignee_for_username(assignee_username)
    with transaction.atomic():
        locked = list(
            Claim.objects.select_for_update(of=("self",))
            .select_related("assignee")
            .only("pk", "assignee__username")
            .filter(pk__in=list(claim_ids))
            .order_by("pk")
        )
        changed = [c for c in locked if c.assignee_id != (assignee.pk if assignee else None)]
        if not changed:
            return 0
        # Not a version bump: an assignment does not change what a stale review form would overwrite.
        Claim.objects.filter(pk__in=[c.pk for c in changed]).update(assignee=assignee)
        ClaimCorrection.objects.bulk_create(
            [
                ClaimCorrection(
                    claim=c,
                    field=ClaimCorrection.Field.ASSIGNEE,
                    old_value=_username(c.assignee),
                    new_value=_username(assignee),
                    note=note.strip(),
                    changed_by=user,
                )
                for c in changed
            ]
        )
        if assignee is not None:
            notifications.notify(
                kind=Notification.Kind.ASSIGNED,
                actor=user,
                claim_ids=[c.pk for c in changed],
                recipient_ids=[assignee.pk],
            )
    logger.info(
        "%d claims assigned to %s by %s",
        len(changed),
        _username(assignee) or "nobody",
        user.get_username(),
        extra={
            "event": "claim_assign",
            "claims": [c.pk for c in changed],
            "assignee": _username(assignee),
            "user": user.get_username(),
        },
    )
    return len(changed)


def assign_claim(*, claim: Claim, user: User, assignee_username: str, note: str = "") -> bool:
    """Assign one claim to an editor, or unassign it with ""; True when it changed."""
    return bulk_assign(claim_ids=[claim.pk], user=user, assignee_username=assignee_username, note=note) == 1
