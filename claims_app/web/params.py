"""Query and form values parsed in one place, so an odd value never reaches int() or PostgreSQL.

`str.isdigit()` accepts "²" (which int() refuses) and int() accepts "٣"; PostgreSQL refuses NUL in text.
Numbers here are ASCII digits only; text loses NUL, other control characters and lone surrogates.
"""

from __future__ import annotations

import re
import unicodedata

MAX_PAGE = 100_000  # a bigger page number made an OFFSET past PostgreSQL's bigint
MAX_ID = 2**63 - 1  # PostgreSQL bigint

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs"})  # controls (NUL among them) and lone surrogates


def positive_int(raw: object, *, maximum: int = MAX_ID) -> int | None:
    """The whole number 1..maximum that `raw` spells in ASCII digits (spaces around allowed), else None."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not _ASCII_DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if 0 < number <= maximum else None


def page_number(raw: object) -> int:
    """A page number from a query string; anything else is page 1."""
    return positive_int(raw, maximum=MAX_PAGE) or 1


def clean_text(raw: object, *, max_length: int = 500) -> str:
    """Search text without NUL, control characters or lone surrogates, trimmed and cut to `max_length`."""
    if not isinstance(raw, str):
        return ""
    kept = "".join(
        (" " if ch.isspace() else "") if unicodedata.category(ch) in _DROPPED_CATEGORIES else ch for ch in raw
    )
    return kept.strip()[:max_length].strip()
