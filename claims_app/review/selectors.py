"""Reads: querysets for the pages, with the joins they need and nothing more."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Lower

from claims_app.models import (
    CLAIM_INDEX_ONLY,
    Article,
    Claim,
    ClaimCorrection,
    ClaimLink,
    ClaimStatusChange,
    ClaimTag,
    Comment,
    SearchWord,
    Speaker,
    StatementOrigin,
    Tag,
)
from claims_app.models.claims import claim_row_columns, live_claim_count
from claims_app.review.filters import ASSIGNEE_NONE, PARAMETERS, SORTS, ClaimFilters
from claims_app.web import params

# Counting every match of an unfiltered list at 200,000+ claims costs more than the page itself;
# the list counts at most this many and shows "10,000+" beyond (navigation never needs the total).
COUNT_CAP = 10_000

# Above this many search matches a page is found fastest by walking the sort order's index.
DENSE_MATCHES = 2_000

# A claim's tags in one query for a whole page (the list, the API, the exports), in name order.
MAX_TAG_NAMES = 500


def tags_prefetch() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.only("name").order_by(Lower("name"), "pk"))


def tag_names(limit: int = MAX_TAG_NAMES) -> list[str]:
    """Existing tag names for the add form's suggestions, in name order."""
    return list(Tag.objects.order_by(Lower("name"), "pk").values_list("name", flat=True)[:limit])


def _has_tag(name: str) -> Exists:
    # lower() on both sides as the unique index, so "Climate" filters the tag "climate".
    tag_ids = Tag.objects.alias(key=Lower("name")).filter(key=Lower(Value(name))).values("pk")
    return Exists(ClaimTag.objects.filter(claim=OuterRef("pk"), tag__in=tag_ids))


@dataclass(slots=True)
class ClaimPage:
    """One page of claims with a capped total; next/previous come from fetching one row more than shown."""

    object_list: list[Claim]
    number: int
    per_page: int
    has_next: bool
    count: int
    count_is_capped: bool
    fuzzy: bool = False
    corrected: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        if self.count_is_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1 if self.object_list else 0


def _linked() -> Exists:
    return Exists(ClaimLink.objects.filter(Q(from_claim=OuterRef("pk")) | Q(to_claim=OuterRef("pk"))))


# The filters that keep the claims matching one lookup (review/filters.py); the others have their rule below.
PLAIN_PARAMETERS = tuple(p for p in PARAMETERS if p.lookup)


def _filtered(filters: ClaimFilters) -> QuerySet[Claim]:
    qs = Claim.objects.all()
    if filters.rejected == "only":
        qs = qs.filter(is_rejected=True)
    elif filters.rejected != "include":
        qs = qs.filter(is_rejected=False)
    for parameter in PLAIN_PARAMETERS:  # status, kind, speaker, article, origin, outlet, dates, corroboration
        if value := getattr(filters, parameter.attribute):
            qs = qs.filter(**{parameter.lookup: value})
    if filters.assignee == ASSIGNEE_NONE:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        # The user's id as a one-row subquery, not a join on username: with the join, PostgreSQL walked the
        # newest-first index over every claim looking for the user's few (0.4-0.7 s at 200,000 claims).
        user_id = User.objects.filter(username=filters.assignee).values("pk")[:1]
        qs = qs.filter(assignee_id=Subquery(user_id))
    if filters.has_links == "yes":
        qs = qs.filter(_linked())
    elif filters.has_links == "no":
        qs = qs.exclude(_linked())
    for name in filters.tags:
        qs = qs.filter(_has_tag(name))
    return qs


# Speaker-name matches become a short id list first: an OR across the join would stop PostgreSQL from
# using the claim text indexes, while `text @@ q OR speaker_id IN (...)` is a BitmapOr of two indexes.
SPEAKER_MATCH_LIMIT = 500


def _full_text(qs: QuerySet[Claim], q: str) -> QuerySet[Claim]:
    query = SearchQuery(q, search_type="websearch", config="english")
    speaker_ids = list(
        Speaker.objects.alias(vector=SearchVector("name", config="english"))
        .filter(vector=query)
        .values_list("pk", flat=True)[:SPEAKER_MATCH_LIMIT]
    )
    # search_vector is stored (GIN index claim_search_vector_gin): matching reads it, never re-parses the text.
    return qs.filter(Q(search_vector=query) | Q(speaker_id__in=speaker_ids))


_WORD = re.compile(r"[^\W\d_]{3,}")
MAX_CORRECTED_WORDS = 5


def corrected_query(q: str) -> str:
    """`q` with each word that no claim contains replaced by the most similar word that one does (trigram
    similarity over the SearchWord vocabulary, its GIN index), or "" when no word needed or found a
    correction. Quotes, `-` and `or` of websearch syntax are kept."""
    words = {w.casefold() for w in _WORD.findall(q)} - {"or"}
    unknown = words - set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
    if len(unknown) > MAX_CORRECTED_WORDS:  # not a typo; and a lookup per word must stay bounded
        return ""
    corrections = {}
    for word in sorted(unknown):
        best = (
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
        if best:
            corrections[word] = best
    if not corrections:
        return ""
    return _WORD.sub(lambda m: corrections.get(m.group(0).casefold(), m.group(0)), q)


def _similar_speakers(qs: QuerySet[Claim], q: str) -> QuerySet[Claim]:
    # word_similarity (%>) finds a misspelt name inside a longer one; the trigram GIN index serves it.
    speaker_ids = list(
        Speaker.objects.filter(normalised_name__trigram_word_similar=q.casefold()).values_list("pk", flat=True)[
            :SPEAKER_MATCH_LIMIT
        ]
    )
    return qs.filter(speaker_id__in=speaker_ids)


def _capped_count(qs: QuerySet[Claim]) -> int:
    return qs.order_by()[: COUNT_CAP + 1].count()


def _search_order(sort: str) -> list[Any]:
    """The sort for a text search: the same order, but with created_at wrapped in an expression.

    PostgreSQL cannot estimate how many rows a tsquery or trigram match returns, so for "newest first" it
    likes to walk the created_at index and filter every row, which takes seconds when the words are rare.
    An expression the index does not cover makes it use the text indexes and sort only the matches.
    """
    created = F("created_at") + datetime.timedelta(0)
    fields = SORTS.get(sort, SORTS["newest"])[1]
    order: list[Any] = []
    for name in fields:
        descending = name.startswith("-")
        expression = created if name.lstrip("-") == "created_at" else F(name.lstrip("-"))
        order.append(expression.desc() if descending else expression.asc())
    return order


@dataclass(frozen=True, slots=True)
class SearchResult:
    claims: QuerySet[Claim]  # filtered and sorted
    count: int  # capped at COUNT_CAP + 1
    corrected: str = ""  # the query actually searched, when the typed one found nothing and was corrected
    fuzzy: bool = False  # nothing matched the words: these are claims by speakers with similar names


def claim_search(filters: ClaimFilters) -> SearchResult:
    """The filtered, sorted claims and their capped count. A search that finds nothing is retried with its
    misspelt words corrected ("councel" -> "council"), then as a speaker name spelt differently.

    The count doubles as the "did full text find anything" test, which also avoids a LIMIT 1 probe that
    PostgreSQL would answer with a sequential scan.
    """
    qs = _filtered(filters)
    if not filters.q:
        order: Sequence[Any] = SORTS.get(filters.sort, SORTS["newest"])[1]
        return SearchResult(claim_row_columns(qs).order_by(*order), _capped_count(qs))
    fuzzy, corrected = False, ""
    matches = _full_text(qs, filters.q)
    count = _capped_count(matches)
    if count == 0 and (corrected := corrected_query(filters.q)):
        matches = _full_text(qs, corrected)
        count = _capped_count(matches)
        corrected = corrected if count else ""
    if count == 0:
        matches, fuzzy = _similar_speakers(qs, filters.q), True
        count = _capped_count(matches)
    # Many matches: walking the sort index finds a page's worth quickly. Few: fetch them all and sort.
    dense = count > DENSE_MATCHES
    order = SORTS.get(filters.sort, SORTS["newest"])[1] if dense else _search_order(filters.sort)
    return SearchResult(claim_row_columns(matches).order_by(*order), count, corrected, fuzzy)


def claim_list(filters: ClaimFilters) -> QuerySet[Claim]:
    return claim_search(filters).claims


def claim_page(filters: ClaimFilters, number: int, per_page: int, *, only: Sequence[str] | None = None) -> ClaimPage:
    """A page of the claim list: a capped COUNT and a LIMIT/OFFSET query (plus speaker-name lookups when searching).
    `only` limits the columns fetched (the list page's rows read a dozen)."""
    result = claim_search(filters)
    qs, count = result.claims, result.count
    if only is not None:
        qs = qs.only(*only)
    qs = qs.prefetch_related(tags_prefetch())
    number = max(1, number)
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    return ClaimPage(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
        count=min(count, COUNT_CAP),
        count_is_capped=count > COUNT_CAP,
        fuzzy=result.fuzzy,
        corrected=result.corrected,
    )


def claim_row(pk: int) -> Claim:
    return claim_row_columns(Claim.objects.all()).prefetch_related(tags_prefetch()).get(pk=pk)


# The distinct outlets by walking the outlet index one value at a time ("loose index scan"): one index probe
# per outlet, so it costs the same at 1,000 or 1,000,000 articles and always includes the latest ingest (a
# plain DISTINCT reads every article's index entry; a process-local cache would go stale in the web workers
# when the ingest worker adds an outlet, and an outlet missing from the form's choices drops the filter).
_OUTLETS_SQL = """
WITH RECURSIVE walk(outlet) AS (
    (SELECT outlet FROM {table} WHERE outlet > '' ORDER BY outlet LIMIT 1)
    UNION ALL
    SELECT (SELECT a.outlet FROM {table} a WHERE a.outlet > walk.outlet ORDER BY a.outlet LIMIT 1)
    FROM walk WHERE walk.outlet IS NOT NULL
)
SELECT outlet FROM walk WHERE outlet IS NOT NULL
"""


def outlets() -> list[str]:
    """Every non-empty Article.outlet, sorted (the index's order), in one query of about one probe per outlet."""
    with connection.cursor() as cursor:
        cursor.execute(_OUTLETS_SQL.format(table=connection.ops.quote_name(Article._meta.db_table)))
        return [outlet for (outlet,) in cursor.fetchall()]


def claim_ref(pk: int) -> Claim:
    """Just the claim's id (for a 404 and a redirect): a POST whose service reads the row itself."""
    return Claim.objects.only("pk").get(pk=pk)


# The claim page's groups of related rows, each fetched in one query per relation when asked for.
CLAIM_RELATIONS = ("history", "evidence", "aliases", "tags")


def _claim_prefetches(relation: str) -> tuple[str | Prefetch, ...]:
    if relation == "history":  # status changes, corrections and comments, with who made them
        return ("status_changes__changed_by", "corrections__changed_by", "comments__author")
    if relation == "evidence":
        return ("evidence__added_by",)
    if relation == "aliases":
        return (Prefetch("speaker__aliases"),)
    if relation == "tags":
        return (tags_prefetch(),)
    raise ValueError(f"unknown claim relation {relation!r}")


def claim_detail(pk: int, relations: Iterable[str] = CLAIM_RELATIONS) -> Claim:
    """The claim with what its page shows; `relations` (of CLAIM_RELATIONS) picks the related rows to prefetch.
    One panel asks only for its own: the rest would be read and thrown away (a status change's answer read
    seven queries it never showed)."""
    return (
        Claim.objects.select_related(
            "speaker", "article", "reviewed_by", "assignee", "statement_origin__speaker", "published_fact_check"
        )
        # The lexemes (and the embedding, in its own table) are read only when suggestions are re-ranked,
        # which loads them then (link_suggestions.query_for); most views hit the ranking cache.
        .defer("article__raw", *CLAIM_INDEX_ONLY)
        .prefetch_related(*(lookup for relation in relations for lookup in _claim_prefetches(relation)))
        .get(pk=pk)
    )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    when: datetime.datetime
    who: Any
    kind: str  # "status", "correction" or "comment"
    change: ClaimStatusChange | ClaimCorrection | Comment


def claim_history(claim: Claim) -> list[HistoryEntry]:
    """Status changes, corrections and comments in one timeline, newest first (uses the prefetched rows)."""
    entries = chain(
        (HistoryEntry(c.changed_at, c.changed_by, "status", c) for c in claim.status_changes.all()),
        (HistoryEntry(c.changed_at, c.changed_by, "correction", c) for c in claim.corrections.all()),
        (HistoryEntry(c.created_at, c.author, "comment", c) for c in claim.comments.all()),
    )
    return sorted(entries, key=lambda e: e.when, reverse=True)


def article_list() -> QuerySet[Article]:
    return (
        Article.objects.defer("raw", "body", "boilerplate_removed")
        .annotate(
            claim_count=live_claim_count("article"),
            unreviewed_count=live_claim_count("article", status=Claim.Status.UNREVIEWED),
        )
        .order_by("-created_at", "-pk")
    )


def filter_speaker(pk: int | None) -> Speaker | None:
    """The speaker the claim list is filtered by, for its chip (None when there is none)."""
    return Speaker.objects.filter(pk=pk).first() if pk else None


def filter_article(pk: int | None) -> Article | None:
    """The article the claim list is filtered by, for its chip (None when there is none)."""
    return Article.objects.defer("raw", "body").filter(pk=pk).first() if pk else None


def filter_origin(pk: int | None) -> StatementOrigin | None:
    """The statement origin the claim list is filtered by, for its chip (None when there is none)."""
    return StatementOrigin.objects.select_related("speaker").filter(pk=pk).first() if pk else None


def article_detail(pk: int) -> Article:
    return Article.objects.defer("raw").select_related("uploaded_by").get(pk=pk)


def article_claims(article: Article) -> QuerySet[Claim]:
    return article.claims.select_related("speaker").order_by("start", "pk")


def claim_spans(article: Article) -> QuerySet[Claim, tuple[int, int]]:
    """The (start, end) of every claim in the article, read only when iterated."""
    return article.claims.values_list("start", "end")


def status_counts() -> dict[str, int]:
    counts = dict(  # order_by(): Meta.ordering would join the article table for nothing
        Claim.objects.filter(is_rejected=False)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))  # count(*): an index-only scan of claim_live_status
        .values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in Claim.Status.values}


def assigned_to(user: Any, limit: int = 10) -> list[Claim]:
    """Live claims assigned to `user`, newest first (the home page's "Assigned to me")."""
    if not user.is_authenticated:
        return []
    qs = claim_row_columns(_filtered(ClaimFilters(assignee=user.get_username())))
    return list(qs.order_by("-created_at", "-pk")[:limit])


def assignable_users() -> list[str]:
    """Usernames of the active editors and admins, for the assignee suggestions."""
    perm = Q(groups__permissions__codename="review_claim") | Q(user_permissions__codename="review_claim")
    return list(
        User.objects.filter(is_active=True)
        .filter(perm | Q(is_superuser=True))
        .order_by("username")
        .values_list("username", flat=True)
        .distinct()[:500]
    )


def waiting_for_review(limit: int = 10) -> list[Claim]:
    qs = claim_row_columns(_filtered(ClaimFilters(status=Claim.Status.UNREVIEWED)))
    return list(qs.order_by("-created_at", "-pk")[:limit])


@dataclass(frozen=True, slots=True)
class Activity:
    when: datetime.datetime
    who: Any
    claim: Claim
    verb: str
    detail: str


def recent_activity(limit: int = 10) -> list[Activity]:
    """Reviews, corrections and links, newest first, in three queries."""
    heavy = [f"claim__{column}" for column in CLAIM_INDEX_ONLY]
    status = (
        ClaimStatusChange.objects.select_related("claim", "changed_by").defer(*heavy).order_by("-changed_at", "-pk")
    )[:limit]
    corrections = (
        ClaimCorrection.objects.select_related("claim", "changed_by").defer(*heavy).order_by("-changed_at", "-pk")
    )[:limit]
    links = (
        ClaimLink.objects.select_related("from_claim", "created_by")
        .defer(*(f"from_claim__{column}" for column in CLAIM_INDEX_ONLY))
        .order_by("-created_at", "-pk")
    )[:limit]
    items = [
        *(Activity(c.changed_at, c.changed_by, c.claim, "marked", c.get_new_status_display()) for c in status),
        *(Activity(c.changed_at, c.changed_by, c.claim, "corrected", c.get_field_display()) for c in corrections),
        *(Activity(c.created_at, c.created_by, c.from_claim, "linked", c.get_relation_display()) for c in links),
    ]
    return sorted(items, key=lambda a: a.when, reverse=True)[:limit]


def link_candidates(claim: Claim, q: str, exclude_ids: set[int], limit: int = 8) -> list[Claim]:
    """Claims an editor might link to: by id when the query is a number, else by search."""
    q = params.clean_text(q).lstrip("#")
    if not q:
        return []
    wanted_id = params.positive_int(q)
    qs = claim_row_columns(Claim.objects.filter(pk=wanted_id)) if wanted_id else claim_list(ClaimFilters(q=q))
    return list(qs.exclude(pk__in=exclude_ids | {claim.pk})[:limit])
