"""Speaker reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncMonth

from claims_app.models import (
    Claim,
    Speaker,
    SpeakerMerge,
    SpeakerMergeSuggestion,
)
from claims_app.models.claims import ARTICLE_HEAVY, claim_row_columns, live_claim_count
from claims_app.web import params


def speaker_claim_count(speaker: Speaker | None) -> int:
    return speaker.claims.filter(is_rejected=False).count() if speaker else 0


def speaker_list(q: str = "") -> QuerySet[Speaker]:
    # Sorted by the count, so every speaker's is needed: one index-only probe of claim_live_speaker each.
    qs = Speaker.objects.annotate(claim_count=live_claim_count("speaker"))
    q = q.replace("\x00", "")  # PostgreSQL text cannot hold NUL; no name contains one (found by the API fuzzer)
    if q:
        matching = Speaker.objects.filter(Q(name__icontains=q) | Q(aliases__alias__icontains=q)).values("pk")
        qs = qs.filter(pk__in=matching)
    return qs.order_by("-claim_count", "name", "pk")


def speaker_detail(pk: int) -> Speaker:
    return Speaker.objects.prefetch_related("aliases").get(pk=pk)


def speaker_claims(speaker: Speaker) -> QuerySet[Claim]:
    return (
        speaker.claims.filter(is_rejected=False)
        .select_related("article")
        .defer(*ARTICLE_HEAVY)
        .order_by(Coalesce("article__published_at", "created_at__date").desc(), "-pk")
    )


def speaker_claims_by_month(speaker: Speaker) -> list[dict[str, Any]]:
    """Claim counts per month (article publication month, else filing month) for the 'over time' chart."""
    rows = list(
        speaker.claims.filter(is_rejected=False)
        .annotate(month=TruncMonth(Coalesce("article__published_at", "created_at__date")))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    peak = max((r["n"] for r in rows), default=1)
    return [{"month": r["month"], "n": r["n"], "percent": round(100 * r["n"] / peak)} for r in rows]


def merge_suggestions(speaker: Speaker | None = None) -> QuerySet[SpeakerMergeSuggestion]:
    qs = SpeakerMergeSuggestion.objects.filter(status=SpeakerMergeSuggestion.Status.OPEN).select_related(
        "speaker", "candidate"
    )
    if speaker is not None:
        qs = qs.filter(Q(speaker=speaker) | Q(candidate=speaker))
    return qs.order_by("-score", "pk")


def merge_suggestion(pk: int) -> SpeakerMergeSuggestion:
    return SpeakerMergeSuggestion.objects.get(pk=pk)


def merge_suggestion_or_none(pk: int | None) -> SpeakerMergeSuggestion | None:
    """The suggestion a merge came from, if the form named one that exists (a merge does not need one)."""
    return SpeakerMergeSuggestion.objects.filter(pk=pk).first() if pk else None


def speaker_merge(pk: int) -> SpeakerMerge:
    return SpeakerMerge.objects.get(pk=pk)


def merge_candidates(keep: Speaker, wanted: str) -> list[Speaker]:
    """The other speakers an admin may mean by `wanted`: the one with that id, or up to five whose name or an
    alias is `wanted` (case-insensitive), with their aliases."""
    candidates = Speaker.objects.prefetch_related("aliases").exclude(pk=keep.pk)
    wanted_id = params.positive_int(wanted)
    if wanted_id is not None:
        return list(candidates.filter(pk=wanted_id))
    matching = Speaker.objects.filter(Q(name__iexact=wanted) | Q(aliases__alias__iexact=wanted)).values("pk")
    return list(candidates.filter(pk__in=matching)[:5])


def speaker_merges(speaker: Speaker) -> QuerySet[SpeakerMerge]:
    return speaker.merges.select_related("merged_by", "undone_by").order_by("-merged_at", "-pk")


@dataclass(slots=True)
class MergePreview:
    keep: Speaker
    remove: Speaker
    claim_count: int
    sample_claims: list[Claim]
    moving_aliases: list[str]
    dropped_aliases: list[str]
    suggestions_removed: int
    role_moves: bool = field(default=False)


def merge_preview(keep: Speaker, remove: Speaker) -> MergePreview:
    kept_aliases = {a.alias for a in keep.aliases.all()}
    aliases = [a.alias for a in remove.aliases.all()]
    return MergePreview(
        keep=keep,
        remove=remove,
        claim_count=remove.claims.count(),
        sample_claims=list(claim_row_columns(remove.claims.all()).order_by("-created_at", "-pk")[:5]),
        moving_aliases=[a for a in aliases if a not in kept_aliases],
        dropped_aliases=[a for a in aliases if a in kept_aliases],
        suggestions_removed=SpeakerMergeSuggestion.objects.filter(Q(speaker=remove) | Q(candidate=remove)).count(),
        role_moves=bool(remove.role and not keep.role),
    )
