"""What editors' feedback says about extraction: live precision per kind, and training examples.

"Not a claim" (rejected), a verdict, a correction or an added claim are all feedback. An extracted claim an
editor acted on counts as reviewed; precision is the share of reviewed claims not rejected. Claims editors
added are what the extractor missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from claims_app.models import Article, Claim, ClaimCorrection


@dataclass(frozen=True, slots=True)
class KindPrecision:
    kind: str
    label: str
    reviewed: int
    rejected: int
    added: int  # filed by editors: missed by the extractor

    @property
    def precision(self) -> float | None:
        return (self.reviewed - self.rejected) / self.reviewed if self.reviewed else None


def _has_feedback() -> Q:
    # Origin and assignee changes say nothing about extraction; un-rejecting a claim does ("it is a claim").
    extraction_fields = [ClaimCorrection.Field.TEXT, ClaimCorrection.Field.SPEAKER, ClaimCorrection.Field.KIND]
    fields = [*extraction_fields, ClaimCorrection.Field.REJECTED]
    corrected = Exists(ClaimCorrection.objects.filter(claim=OuterRef("pk"), field__in=fields))
    return Q(is_rejected=True) | ~Q(status=Claim.Status.UNREVIEWED) | Q(corrected) | Q(filed_by=Claim.FiledBy.EDITOR)


def live_precision() -> list[KindPrecision]:
    """Per claim kind, in the model's order: reviewed, rejected and added counts (one query)."""
    extracted = Q(filed_by=Claim.FiledBy.EXTRACTED)
    rows: dict[str, Any] = {
        row["kind"]: row
        for row in Claim.objects.filter(_has_feedback())
        .values("kind")
        .annotate(
            reviewed=Count("pk", filter=extracted),
            rejected=Count("pk", filter=extracted & Q(is_rejected=True)),
            added=Count("pk", filter=Q(filed_by=Claim.FiledBy.EDITOR)),
        )
        .order_by()
    }
    empty = {"reviewed": 0, "rejected": 0, "added": 0}
    return [
        KindPrecision(
            kind=kind,
            label=str(label),
            reviewed=rows.get(kind, empty)["reviewed"],
            rejected=rows.get(kind, empty)["rejected"],
            added=rows.get(kind, empty)["added"],
        )
        for kind, label in Claim.Kind.choices
    ]


def articles_with_feedback(*, everything: bool = False) -> Iterator[Article]:
    """Articles in which an editor gave feedback on some claim (or all articles), oldest first, in chunks."""
    articles = Article.objects.only("pk", "title", "outlet", "url", "published_at", "body").order_by("pk")
    if not everything:
        articles = articles.filter(Exists(Claim.objects.filter(_has_feedback(), article=OuterRef("pk"))))
    return articles.iterator(chunk_size=100)


def training_examples(*, everything: bool = False) -> Iterator[dict[str, Any]]:
    """PolNeAR-shaped JSON records of the claims standing in each article (rejected ones left out)."""
    from claims_app.ingest import services as ingest_services
    from claims_app.nlp.attribution import training_examples as examples

    nlp = ingest_services.load_nlp()
    # Only lemmas are needed to find the cue again; the parser and tagger stay out of this pass.
    keep = {"tok2vec", "tagger", "attribute_ruler", "lemmatizer"}
    disabled = [name for name in nlp.pipe_names if name not in keep]
    # Streamed: articles come from the database in chunks and go through spaCy as they arrive.
    pairs = ((article.body, article) for article in articles_with_feedback(everything=everything))
    for doc, article in nlp.pipe(pairs, as_tuples=True, disable=disabled):
        standing = article.claims.filter(is_rejected=False).values_list(
            "start", "end", "cue", "speaker_mention_start", "speaker_mention_end"
        )
        feedback = article.claims.filter(_has_feedback()).aggregate(
            reviewed=Count("pk", filter=Q(filed_by=Claim.FiledBy.EXTRACTED)),
            rejected=Count("pk", filter=Q(is_rejected=True)),
            added=Count("pk", filter=Q(filed_by=Claim.FiledBy.EDITOR)),
        )
        yield examples.example(
            doc,
            example_id=f"claimdesk-{article.pk}",
            claims=[examples.FiledClaim(*row) for row in standing],
            meta={
                "source": "claimdesk",
                "article": article.pk,
                "title": article.title,
                "publisher": article.outlet,
                "url": article.url,
                "published": article.published_at.isoformat() if article.published_at else None,
                "feedback": feedback,
            },
        )
