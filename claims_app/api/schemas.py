"""The API's schemas: each answer's keys and types, and where each value is read from.

Endpoints return models and the selectors' objects; ninja validates them against these schemas, reading each
field from the attribute of its name, a dotted `alias` path, or a `resolve_<field>` method (a resolver that
takes `context` gets the request). The JSON export and `manage.py suggest --json` write through the same
schemas, so every key is declared once, here. A schema's docstring is its OpenAPI description, so notes on
where a schema reads from are comments.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin, get_type_hints

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import AfterValidator, create_model

from claims_app.linking import selectors as linking_selectors
from claims_app.linking.wording import changed_words
from claims_app.models import Claim, Comment, Speaker, StatementOrigin
from claims_app.publishing import selectors as publishing_selectors
from claims_app.review import selectors as review_selectors
from claims_app.review.filters import PARAMETERS, ClaimFilters
from claims_app.web.forms import SearchField
from claims_app.web.params import clean_text


def _request(context: dict[str, Any] | None) -> HttpRequest | None:
    """The request ninja validates an answer for (None when the export or a command serialises)."""
    return (context or {}).get("request")


# ---------------------------------------------------------------- errors


class MessageOut(Schema):
    """401, 403, 404 and 429 (too many wrong tokens) answers."""

    detail: str


class ValidationErrorOut(Schema):
    """422: a parameter did not parse (one entry per problem, with its location)."""

    detail: list[dict[str, Any]]


# ---------------------------------------------------------------- claims


class SpeakerRef(Schema):
    id: int
    name: str


class ArticleRef(Schema):
    id: int
    title: str
    outlet: str
    url: str
    published_at: datetime.date | None


class ClaimOut(Schema):
    id: int
    text: str
    kind: str
    attribution: str = "statement"  # what was attributed: statement, belief, intention or data
    status: str
    corroboration: str
    corroboration_label: str
    independent_origins: int
    statement_origin_id: int | None
    origin_assigned_by: str = ""  # "automatic" (traced at ingest), "editor", or "" without an origin
    assignee: str | None = None  # the assigned editor's username
    tags: list[str] = []  # tag names, in name order
    speaker: SpeakerRef | None
    article: ArticleRef
    created_at: datetime.datetime
    url: str

    @staticmethod
    def resolve_assignee(claim: Claim) -> str | None:
        return claim.assignee.get_username() if claim.assignee is not None else None

    @staticmethod
    def resolve_tags(claim: Claim) -> list[str]:
        return [t.name for t in claim.tags.all()]  # prefetched by the selectors (tags_prefetch)

    @staticmethod
    def resolve_url(claim: Claim, context: dict[str, Any] | None = None) -> str:
        path = claim.get_absolute_url()
        request = _request(context)
        return request.build_absolute_uri(path) if request else path


def claim_json(claim: Claim, request: HttpRequest | None = None) -> dict[str, Any]:
    """One claim as the API shows it, for the JSON export (values still Python: dates, datetimes)."""
    return ClaimOut.model_validate(claim, context={"request": request}).model_dump()


# Read from review.selectors.ClaimPage.
class ClaimPageOut(Schema):
    count: int
    count_is_capped: bool
    page: int = Field(alias="number")
    page_size: int = Field(alias="per_page")
    has_next: bool
    results: list[ClaimOut] = Field(alias="object_list")


# Read from linking.selectors.LinkedClaim (the link and the claim at its other end).
class LinkOut(Schema):
    id: int = Field(alias="link.pk")
    relation: str = Field(alias="link.relation")
    direction: str  # "out" when this claim is the link's from_claim
    other_claim_id: int = Field(alias="other.pk")
    other_text: str = Field(alias="other.text")
    other_speaker: str | None
    other_article_id: int = Field(alias="other.article_id")
    note: str = Field(alias="link.note")
    created_at: datetime.datetime = Field(alias="link.created_at")

    @staticmethod
    def resolve_direction(item: linking_selectors.LinkedClaim) -> str:
        return "out" if item.link.to_claim_id == item.other.pk else "in"

    @staticmethod
    def resolve_other_speaker(item: linking_selectors.LinkedClaim) -> str | None:
        return item.other.speaker.name if item.other.speaker else None


class OriginOut(Schema):
    id: int
    speaker: SpeakerRef | None
    medium: str
    first_article_id: int | None
    first_seen: datetime.date | None
    note: str
    claim_ids: list[int]

    @staticmethod
    def resolve_claim_ids(origin: StatementOrigin) -> list[int]:
        return linking_selectors.origin_claim_ids(origin)


# Read from review.selectors.HistoryEntry (a status change or a correction).
class HistoryOut(Schema):
    when: datetime.datetime
    who: str | None
    kind: str  # "status" or "correction"
    field: str
    old: str
    new: str
    note: str = Field(alias="change.note")

    @staticmethod
    def resolve_who(entry: review_selectors.HistoryEntry) -> str | None:
        return str(entry.who) if entry.who else None

    @staticmethod
    def resolve_field(entry: review_selectors.HistoryEntry) -> str:
        change: Any = entry.change
        return "status" if entry.kind == "status" else change.field

    @staticmethod
    def resolve_old(entry: review_selectors.HistoryEntry) -> str:
        change: Any = entry.change
        return change.old_status if entry.kind == "status" else change.old_value

    @staticmethod
    def resolve_new(entry: review_selectors.HistoryEntry) -> str:
        change: Any = entry.change
        return change.new_status if entry.kind == "status" else change.new_value


class CommentOut(Schema):
    id: int
    author: str | None  # username
    text: str  # plain text, as written
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(comment: Comment) -> str | None:
        return comment.author.get_username() if comment.author else None


# Read from review.selectors.claim_detail's claim; links, history and the public page come from selectors.
class ClaimDetailOut(ClaimOut):
    cue: str
    speaker_mention: str
    reviewed_at: datetime.datetime | None
    links: list[LinkOut]
    origin: OriginOut | None = Field(alias="statement_origin")  # no query when statement_origin_id is null
    history: list[HistoryOut]
    published_url: str | None = None  # the public fact-check page while one is published
    comments: list[CommentOut]  # prefetched, oldest first

    @staticmethod
    def resolve_links(claim: Claim) -> list[linking_selectors.LinkedClaim]:
        return linking_selectors.claim_links(claim)

    @staticmethod
    def resolve_history(claim: Claim) -> list[review_selectors.HistoryEntry]:
        # Comments have their own key: the history keeps its status and correction entries.
        return [entry for entry in review_selectors.claim_history(claim) if entry.kind != "comment"]

    @staticmethod
    def resolve_published_url(claim: Claim, context: dict[str, Any] | None = None) -> str | None:
        return publishing_selectors.published_url(claim, _request(context))


# Read from linking.suggestions.Suggestion; also `manage.py suggest --json`.
class SuggestionOut(Schema):
    claim_id: int
    score: float
    relation_guess: str
    text: str
    speaker: str | None
    article_id: int


# ---------------------------------------------------------------- statement origins


# Read from linking.selectors.OriginAppearance.
class OriginClaimOut(Schema):
    id: int = Field(alias="claim.pk")
    text: str = Field(alias="claim.text")
    article_id: int = Field(alias="claim.article_id")
    outlet: str = Field(alias="claim.article.outlet")
    published_at: str | None
    origin_assigned_by: str = Field(alias="claim.origin_assigned_by")
    changed_words: list[str]

    @staticmethod
    def resolve_published_at(appearance: linking_selectors.OriginAppearance) -> str | None:
        published = appearance.claim.article.published_at
        return published.isoformat() if published else None

    @staticmethod
    def resolve_changed_words(appearance: linking_selectors.OriginAppearance) -> list[str]:
        return changed_words(appearance.wording)


# Read from linking.selectors.RelatedOrigin.
class RelatedOriginOut(Schema):
    relation: str
    origin_id: int | None
    claim_id: int = Field(alias="claim.pk")

    @staticmethod
    def resolve_origin_id(related: linking_selectors.RelatedOrigin) -> int | None:
        return related.origin.pk if related.origin else None


# Read from linking.selectors.OriginPage.
class OriginPageOut(Schema):
    id: int = Field(alias="origin.pk")
    speaker: SpeakerRef | None
    medium: str = Field(alias="origin.medium")
    first_seen: str | None
    first_article_id: int | None = Field(alias="origin.first_article_id")
    claims: list[OriginClaimOut] = Field(alias="appearances")
    related: list[RelatedOriginOut]

    @staticmethod
    def resolve_speaker(page: linking_selectors.OriginPage) -> Speaker | None:
        return page.origin.speaker

    @staticmethod
    def resolve_first_seen(page: linking_selectors.OriginPage) -> str | None:
        return page.origin.first_seen.isoformat() if page.origin.first_seen else None


# ---------------------------------------------------------------- articles and speakers


# Read from review.selectors.article_list's rows (claim_count annotated).
class ArticleOut(ArticleRef):
    author: str
    created_at: datetime.datetime
    claim_count: int


class ArticlePageOut(Schema):
    count: int
    page: int
    page_size: int
    has_next: bool
    results: list[ArticleOut]


# Read from speakers.selectors.speaker_list's rows (claim_count annotated, aliases prefetched).
class SpeakerOut(SpeakerRef):
    kind: str
    role: str
    aliases: list[str]
    claim_count: int

    @staticmethod
    def resolve_aliases(speaker: Speaker) -> list[str]:
        return [a.alias for a in speaker.aliases.all()]


class SpeakerPageOut(Schema):
    count: int
    page: int
    page_size: int
    has_next: bool
    results: list[SpeakerOut]


# ---------------------------------------------------------------- query parameters

# Search text loses NUL (which PostgreSQL refuses), control characters and lone surrogates before a query sees it.
CleanText = Annotated[str, AfterValidator(clean_text)]


class SpeakerQuery(Schema):
    q: CleanText = ""
    page: int = 1
    page_size: int = 50


def _claim_filter_fields() -> dict[str, Any]:
    """ClaimFilters' documented parameters as query-schema fields: the same names, types and defaults (a
    repeatable parameter as a list; free text cleaned as the form's SearchField cleans it)."""
    hints = get_type_hints(ClaimFilters)
    fields: dict[str, Any] = {}
    for parameter in PARAMETERS:
        if not parameter.documented:
            continue
        annotation, default = hints[parameter.attribute], parameter.default
        if get_origin(annotation) is tuple:
            annotation, default = list[get_args(annotation)[0]], list(default)  # type: ignore[misc]
        elif isinstance(parameter.form_field, SearchField):
            annotation = CleanText
        fields[parameter.name] = (annotation, default)
    return fields


if TYPE_CHECKING:
    ClaimFilterQuery = Schema
else:
    ClaimFilterQuery = create_model("ClaimFilterQuery", __base__=Schema, **_claim_filter_fields())


# The filter fields come from review.filters.ClaimFilters; the docstring is the OpenAPI description.
class ClaimQuery(ClaimFilterQuery):
    """The /claims/ filters (parsed by the same form as the page)."""

    page: int = 1
    page_size: int = 50
