"""Speaker merges, their undo, and merge suggestions."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims_app import roles
from claims_app.linking import corroboration
from claims_app.models import (
    Claim,
    Speaker,
    SpeakerAlias,
    SpeakerMerge,
    SpeakerMergeSuggestion,
)

if TYPE_CHECKING:
    pass


logger = logging.getLogger(__name__)


def merge_speakers(
    *, keep: Speaker, remove: Speaker, user: User, suggestion: SpeakerMergeSuggestion | None = None
) -> SpeakerMerge:
    """Move `remove`'s claims and aliases to `keep` and delete it, recording enough to undo exactly."""
    if not roles.can_merge_speakers(user):
        raise PermissionDenied("Only admins can merge speakers.")
    if keep.pk == remove.pk:
        raise ValidationError("Cannot merge a speaker into itself.", code="self_merge")
    with transaction.atomic():
        keep, remove = (
            Speaker.objects.select_for_update().get(pk=keep.pk),
            Speaker.objects.select_for_update().get(pk=remove.pk),
        )
        claim_ids = list(Claim.objects.filter(speaker=remove).order_by("pk").values_list("pk", flat=True))
        kept_aliases = set(keep.aliases.values_list("alias", flat=True))
        aliases = list(remove.aliases.order_by("pk"))
        moved_aliases = [a for a in aliases if a.alias not in kept_aliases]
        dropped_aliases = [a for a in aliases if a.alias in kept_aliases]
        pair_filter = Q(speaker=remove) | Q(candidate=remove)
        suggestions = list(SpeakerMergeSuggestion.objects.filter(pair_filter).order_by("pk"))
        snapshot = {
            "speaker": {
                "name": remove.name,
                "normalised_name": remove.normalised_name,
                "kind": remove.kind,
                "role": remove.role,
                "created_at": remove.created_at.isoformat(),
            },
            "claim_ids": claim_ids,
            "moved_alias_ids": [a.pk for a in moved_aliases],
            "dropped_aliases": [{"alias": a.alias, "normalised": a.normalised} for a in dropped_aliases],
            "suggestions": [
                {
                    "speaker_id": s.speaker_id,
                    "candidate_id": s.candidate_id,
                    "score": s.score,
                    "status": s.status,
                    "created_at": s.created_at.isoformat(),
                }
                for s in suggestions
            ],
            "kept_role_before": keep.role,
            "accepted_suggestion": suggestion.pk if suggestion else None,
        }
        Claim.objects.filter(pk__in=claim_ids).update(speaker=keep)
        SpeakerAlias.objects.filter(pk__in=[a.pk for a in moved_aliases]).update(speaker=keep)
        if remove.role and not keep.role:
            keep.role = remove.role
            keep.save(update_fields=["role"])
        merge = SpeakerMerge(
            kept=keep, removed_speaker_id=remove.pk, removed_name=remove.name, snapshot=snapshot, merged_by=user
        )
        merge.full_clean()
        merge.save()
        remove.delete()  # cascades its dropped aliases and the suggestions snapshotted above
        corroboration.refresh(claim_ids)  # a claim's origin defaults to its speaker
    logger.info("speaker %s merged into %s by %s (%d claims)", remove.pk, keep.pk, user.get_username(), len(claim_ids))
    return merge


def undo_speaker_merge(*, merge: SpeakerMerge, user: User) -> Speaker:
    """Recreate the merged-away speaker under its old id and move back exactly what the merge moved."""
    if not roles.can_merge_speakers(user):
        raise PermissionDenied("Only admins can undo merges.")
    with transaction.atomic():
        merge = SpeakerMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise ValidationError("This merge was already undone.", code="already_undone")
        if Speaker.objects.filter(pk=merge.removed_speaker_id).exists():
            raise ValidationError("A speaker with the old id exists again; cannot undo.", code="speaker_id_taken")
        snap = merge.snapshot
        fields = snap["speaker"]
        restored = Speaker.objects.create(
            pk=merge.removed_speaker_id,
            name=fields["name"],
            normalised_name=fields["normalised_name"],
            kind=fields["kind"],
            role=fields["role"],
        )
        # auto_now_add ignores a passed value; put the original creation time back.
        Speaker.objects.filter(pk=restored.pk).update(created_at=fields["created_at"])
        Claim.objects.filter(pk__in=snap["claim_ids"], speaker_id=merge.kept_id).update(speaker=restored)
        SpeakerAlias.objects.filter(pk__in=snap["moved_alias_ids"], speaker_id=merge.kept_id).update(speaker=restored)
        SpeakerAlias.objects.bulk_create(
            [
                SpeakerAlias(speaker=restored, alias=a["alias"], normalised=a["normalised"])
                for a in snap["dropped_aliases"]
            ],
            ignore_conflicts=True,
        )
        existing = set(Speaker.objects.filter(pk__in=_suggestion_speaker_ids(snap)).values_list("pk", flat=True))
        restored_suggestions = [
            SpeakerMergeSuggestion(
                speaker_id=s["speaker_id"],
                candidate_id=s["candidate_id"],
                score=s["score"],
                status=SpeakerMergeSuggestion.Status.OPEN if s.get("status") == "accepted" else s["status"],
            )
            for s in snap["suggestions"]
            if s["speaker_id"] in existing and s["candidate_id"] in existing
        ]
        SpeakerMergeSuggestion.objects.bulk_create(restored_suggestions, ignore_conflicts=True)
        kept = merge.kept
        if kept.role != snap.get("kept_role_before", kept.role):
            kept.role = snap["kept_role_before"]
            kept.save(update_fields=["role"])
        merge.undone_at = timezone.now()
        merge.undone_by = user
        merge.save(update_fields=["undone_at", "undone_by"])
        corroboration.refresh(snap["claim_ids"])
    logger.info("speaker merge %s undone by %s", merge.pk, user.get_username())
    return restored


def _suggestion_speaker_ids(snapshot: dict) -> set[int]:
    return {s["speaker_id"] for s in snapshot["suggestions"]} | {s["candidate_id"] for s in snapshot["suggestions"]}


def dismiss_merge_suggestion(*, suggestion: SpeakerMergeSuggestion, user: User) -> SpeakerMergeSuggestion:
    if not roles.can_merge_speakers(user):
        raise PermissionDenied("Only admins can dismiss merge suggestions.")
    suggestion.status = SpeakerMergeSuggestion.Status.DISMISSED
    with transaction.atomic():
        suggestion.save(update_fields=["status"])
    return suggestion
