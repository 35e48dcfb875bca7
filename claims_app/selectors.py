"""Reads: querysets for the pages, with the joins they need and nothing more."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from claims_app.models import Article, Claim, ClaimStatusChange, Speaker


@dataclass(frozen=True, slots=True)
class ClaimFilters:
    """Filters for the claim list, parsed from (and written back to) the query string."""

    q: str = ""
    status: str = ""
    kind: str = ""
    speaker: int | None = None
    article: int | None = None
    outlet: str = ""


def claim_list(filters: ClaimFilters) -> QuerySet[Claim]:
    qs = Claim.objects.select_related("speaker", "article")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.speaker:
        qs = qs.filter(speaker_id=filters.speaker)
    if filters.article:
        qs = qs.filter(article_id=filters.article)
    if filters.outlet:
        qs = qs.filter(article__outlet=filters.outlet)
    if filters.q:
        qs = qs.filter(Q(text__icontains=filters.q) | Q(speaker__name__icontains=filters.q))
    return qs.order_by("-created_at", "-pk")


def claim_detail(pk: int) -> Claim:
    return (
        Claim.objects.select_related("speaker", "article", "reviewed_by")
        .prefetch_related("status_changes__changed_by", "evidence__added_by")
        .get(pk=pk)
    )


def article_list() -> QuerySet[Article]:
    return Article.objects.defer("raw", "body").annotate(claim_count=Count("claims")).order_by("-created_at", "-pk")


def article_detail(pk: int) -> Article:
    return Article.objects.defer("raw").select_related("uploaded_by").get(pk=pk)


def article_claims(article: Article) -> QuerySet[Claim]:
    return article.claims.select_related("speaker").order_by("start")


def speaker_list(q: str = "") -> QuerySet[Speaker]:
    qs = Speaker.objects.annotate(claim_count=Count("claims"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(aliases__alias__icontains=q)).distinct()
    return qs.order_by("-claim_count", "name")


def speaker_detail(pk: int) -> Speaker:
    return Speaker.objects.prefetch_related("aliases").get(pk=pk)


def speaker_claims(speaker: Speaker) -> QuerySet[Claim]:
    return speaker.claims.select_related("article").order_by("-article__published_at", "-created_at")


def status_counts() -> dict[str, int]:
    counts = dict(Claim.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {value: counts.get(value, 0) for value in Claim.Status.values}


def recent_activity(limit: int = 10) -> QuerySet[ClaimStatusChange]:
    return ClaimStatusChange.objects.select_related("claim", "changed_by").order_by("-changed_at")[:limit]
