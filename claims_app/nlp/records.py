"""Small typed records that flow out of the pure NLP pipeline.

Nothing here touches Django or the database: `services.ingest_article()` turns
these records into rows inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ClaimKind = Literal["direct", "indirect", "according_to", "assertion"]
SpeakerKind = Literal["person", "organisation", "group", "unknown"]


class InputRejected(ValueError):
    """Raised for input we refuse to ingest; `str(exc)` is a one-line message for users."""


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CleanedArticle:
    """An article after decoding and boilerplate removal; `body` is what offsets index into."""

    body: str
    title: str = ""
    author: str = ""
    outlet: str = ""
    url: str = ""
    published: dt.date | None = None
    language: str = "en"
    removed_lines: tuple[str, ...] = ()
    section: str = ""  # section label such as "Opinion", when the page shows one


@dataclass(frozen=True, slots=True)
class SpeakerRecord:
    """A speaker as resolved inside one article (`name` is the fullest form seen)."""

    name: str
    kind: SpeakerKind = "unknown"
    role: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    text: str
    start: int
    end: int
    kind: ClaimKind
    cue: str = ""
    speaker: str | None = None  # SpeakerRecord.name, or None when nobody is named
    speaker_mention: Span | None = None
    attribution: str = "statement"  # statement / belief / intention / data (nlp.attribution.attribution_kinds)


@dataclass(frozen=True, slots=True)
class ArticleExtraction:
    article: CleanedArticle
    claims: tuple[ClaimRecord, ...] = ()
    speakers: tuple[SpeakerRecord, ...] = field(default_factory=tuple)
