"""The claim list's rows, precomputed in Python so the row partial is plain lookups.

The list renders 50 rows per request, and the template engine charges for every variable lookup, filter,
`{% url %}` and `{% include %}`: the row partial written against `Claim` directly cost about 0.6 ms a row,
five times the page's SQL (docs/performance.md). Here each row's URLs, labels and truncated texts are built
once, the status `<option>` lists are rendered once per request (one per status), and URLs come from one
`reverse()` per route per request rather than four per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from claims_app.models import Claim

TEXT_CHARS = 180
TITLE_CHARS = 48
_SENTINEL = 8_675_309_123  # an id no table reaches; marks where the id goes in a reversed URL


# The columns a row reads: the list fetches only these (fewer columns to decode and model fields to set).
COLUMNS = (
    "text",
    "is_rejected",
    "kind",
    "attribution",
    "corroboration",
    "independent_origins",
    "status",
    "version",
    "created_at",
    "speaker__name",
    "article__title",
    "article__outlet",
    "article__published_at",
    "assignee__username",
)


class TemplateLookups:
    """Answers the template engine's first try, `row[name]`, with the attribute.

    For `{{ claim.text }}` Django first tries `claim["text"]` and only after that fails `getattr`: on a plain
    dataclass each lookup raised and caught a TypeError, about 1,750 per list page (50 rows, 35 lookups each).
    Answering the item lookup made the list page 18.5 -> 16.5 ms (docs/performance.md)."""

    __slots__ = ()

    def __getitem__(self, name: str) -> object:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(frozen=True, slots=True)
class TagChip(TemplateLookups):
    name: str
    url: str  # the claim list filtered by this tag


def tag_chips(names: Iterable[str], list_url: str | None = None) -> list[TagChip]:
    """Chips linking to `/claims/?tag=<name>`."""
    base = list_url or reverse("claims_app:claim_list")
    return [TagChip(name, f"{base}?{urlencode({'tag': name})}") for name in names]


@dataclass(frozen=True, slots=True)
class ClaimRow(TemplateLookups):
    pk: int
    url: str
    status_url: str
    text: str  # truncated
    is_rejected: bool
    speaker_name: str  # "" when unknown
    speaker_url: str
    article_title: str  # truncated
    article_url: str
    outlet: str
    published: str  # "2 Dec 2026", or ""
    kind_label: str
    attribution_label: str  # "" for a plain statement; "belief", "intention", "data" otherwise
    assignee: str  # username, "" when unassigned
    assignee_url: str  # the list filtered to the assignee's claims
    corroboration: str
    corroboration_label: str
    status: str
    status_label: str
    version: int
    status_options: SafeString  # the <option>s of the inline status select, this row's status selected
    tags: list[TagChip]  # from the page's one prefetch query (selectors.tags_prefetch)


def url_maker(route: str) -> Callable[[int], str]:
    """A function pk -> URL for a route taking one integer id, reversing the route once (script prefix and
    all) instead of once per call."""
    prefix, _, suffix = reverse(route, args=[_SENTINEL]).partition(str(_SENTINEL))
    return lambda pk: f"{prefix}{pk}{suffix}"


def truncate(text: str, chars: int) -> str:
    """`truncatechars`. Truncator walks every character to skip combining marks; ASCII text has none, so a
    slice gives the same result."""
    if len(text) <= chars:
        return text
    return text[: chars - 1] + "…" if text.isascii() else Truncator(text).chars(chars)


def short_date(day: datetime.date, months: dict[int, str]) -> str:
    """The `date:"j M Y"` filter ("2 Dec 2026") without its per-call format parsing."""
    return f"{day.day} {months[day.month]} {day.year}"


def status_options() -> dict[str, SafeString]:
    """The status <option> list once per status (each with that status selected)."""
    choices = [(value, str(label)) for value, label in Claim.Status.choices]
    return {
        current: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if v == current else "", label) for v, label in choices),
        )
        for current, _ in choices
    }


def claim_rows(claims: Iterable[Claim]) -> list[ClaimRow]:
    """Rows for claims fetched with their speaker and article (selectors.claim_page / claim_row)."""
    claim_url = url_maker("claims_app:claim_detail")
    status_url = url_maker("claims_app:claim_status")
    speaker_url = url_maker("claims_app:speaker_detail")
    article_url = url_maker("claims_app:article_detail")
    kinds = {value: str(label) for value, label in Claim.Kind.choices}
    attributions = {value: str(label).lower() for value, label in Claim.Attribution.choices}
    attributions[Claim.Attribution.STATEMENT] = ""
    statuses = {value: str(label) for value, label in Claim.Status.choices}
    corroborations = {value: str(label) for value, label in Claim.Corroboration.choices}
    options = status_options()
    list_url = reverse("claims_app:claim_list")
    months = {number: str(name).title() for number, name in MONTHS_3.items()}  # as date's "M"
    rows = []
    for claim in claims:
        article, speaker = claim.article, claim.speaker
        assignee = claim.assignee.get_username() if claim.assignee is not None else ""
        day = article.published_at
        rows.append(
            ClaimRow(
                pk=claim.pk,
                url=claim_url(claim.pk),
                status_url=status_url(claim.pk),
                text=truncate(claim.text, TEXT_CHARS),
                is_rejected=claim.is_rejected,
                speaker_name=str(speaker) if speaker is not None else "",
                speaker_url=speaker_url(speaker.pk) if speaker is not None else "",
                article_title=truncate(article.title, TITLE_CHARS),
                article_url=article_url(article.pk),
                outlet=article.outlet,
                published=short_date(day, months) if day is not None else "",
                kind_label=kinds.get(claim.kind, claim.kind),
                attribution_label=attributions.get(claim.attribution, ""),
                assignee=assignee,
                assignee_url=f"{list_url}?{urlencode({'assignee': assignee})}" if assignee else "",
                corroboration=claim.corroboration,
                corroboration_label=Claim.describe_corroboration(
                    claim.corroboration, claim.independent_origins, corroborations
                ),
                status=claim.status,
                status_label=statuses.get(claim.status, claim.status),
                version=claim.version,
                status_options=options.get(claim.status, options[Claim.Status.UNREVIEWED]),
                tags=tag_chips((t.name for t in claim.tags.all()), list_url),
            )
        )
    return rows
