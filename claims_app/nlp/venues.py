"""Venue reader: where and when a statement was made, read from the attribution around a claim.

Pure (no Django, no database). `read_venue` reads one attribution text ("Dashkin told the state-run
Rossiya-24 TV channel on Tuesday"); `venue_of_claim` picks that text out of an article body around the
claim and its speaker mention, with the claim's own words blanked so a quote that mentions TV does not
make the statement a TV one. `venues_compatible` says whether two readings can be one occasion.
Word lists and patterns live in venue_words.py.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from claims_app.nlp import venue_words as words


class _HasText(Protocol):
    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Venue:
    """Where and when a statement was made, as the attribution says it; every field may be unknown."""

    medium: str | None = None  # one of venue_words.MEDIA
    outlet: str | None = None  # channel, platform or publication the speaker addressed ("Rossiya-24", "Telegram")
    relayed_by: str | None = None  # who passed it on ("according to Tass", "as reported by Reuters")
    when: str | None = None  # "tuesday", "march 3", "yesterday" (lower case)
    evidence: tuple[str, ...] = ()  # the venue words found, in text order

    @property
    def is_empty(self) -> bool:
        return self.medium is None and self.outlet is None and self.when is None and self.relayed_by is None


NO_VENUE = Venue()

# A capitalised name, case-sensitive inside otherwise case-insensitive patterns.
# Bounded (a name of at most six words of at most 40 characters) so a page of capitalised words cannot make the
# patterns backtrack for seconds.
_NAME = r"(?-i:[A-Z][\w’'.&-]{0,40}(?: (?:[A-Z0-9][\w’'.&-]{0,40}|of|de|al|el|la|du)){0,5})"
# An attribution is a sentence; longer input is cut (a run-on page line is not an attribution).
MAX_ATTRIBUTION_CHARS = 1_500
_SIDE_CHARS = 600  # attribution_text keeps at most this much on each side of the claim
_PLATFORM = "(?-i:" + "|".join(re.escape(p) for p in sorted(words.PLATFORMS, key=len, reverse=True)) + ")"
_PAPER_WORD = "(?-i:" + "|".join(words.PAPER_WORDS) + ")"


def _fill(pattern: str) -> str:
    return (
        pattern.replace("{BROADCASTER_MODIFIERS}", words.BROADCASTER_MODIFIERS)
        .replace("{PLATFORM}", _PLATFORM)
        .replace("{PAPER_WORD}", _PAPER_WORD)
        .replace("{NAME}", _NAME)
    )


_MEDIUM_PATTERNS = tuple((medium, re.compile(_fill(p), re.IGNORECASE)) for medium, p in words.MEDIUM_PATTERNS)
_TOLD_OUTLET = re.compile(_fill(words.TOLD_OUTLET_PATTERN), re.IGNORECASE)
_RELAY_PATTERNS = tuple((re.compile(_fill(p), re.IGNORECASE), check) for p, check in words.RELAY_PATTERNS)

_WEEKDAY = "|".join(words.WEEKDAYS)
_MONTH = "|".join([*words.MONTHS, *(re.escape(a) + r"\.?" for a in words.MONTH_ABBREVIATIONS)])
_WHEN_PATTERNS = (
    ("date", re.compile(rf"\b(?:on )?(?P<month>{_MONTH}) (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)),
    ("date", re.compile(rf"\b(?:on )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?P<month>{_MONTH})\b", re.IGNORECASE)),
    ("iso", re.compile(r"\b(?:on )?(?P<iso>\d{4}-\d{2}-\d{2})\b")),
    (
        "weekday",
        re.compile(
            rf"(?:\b(?:on|last|this|late|early|earlier|later|late on|early on|earlier on|later on) "
            rf"(?P<wd>{_WEEKDAY})\b|\b(?P<wd2>{_WEEKDAY})['’]s\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "relative",
        re.compile(
            r"\b(?P<rel>" + "|".join(re.escape(r) for r in sorted(words.RELATIVE_DAYS, key=len, reverse=True)) + r")\b",
            re.IGNORECASE,
        ),
    ),
)

_SPACES = re.compile(r"\s+")
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z .'-]*,?\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2}\s*)?)?\((?P<agency>[^()\n]{2,40})\)\s*[-–—]\s*",
    re.MULTILINE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)]*\s+(?=[\"“‘«(]?[A-Z0-9])|\n\s*\n")
_CLAIM_PLACEHOLDER = " … "


def _clean(text: str) -> str:
    """NFKC, one kind of space and dash, no zero-width or control characters."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(ch) in {"Zs", "Cc"} else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = re.sub(r"[‐‑‒]", "-", text)
    return _SPACES.sub(" ", text).strip()


@functools.lru_cache(maxsize=4096)
def outlet_key(name: str) -> str:
    """Comparable form of an outlet name: casefolded, no spaces, dots or hyphens, platform aliases merged."""
    name = words.PLATFORM_ALIASES.get(name, name)
    name = re.sub(r"^(?:the|a|an) ", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"[\s.\-’'_]", "", name).casefold()


_KNOWN = {outlet_key(name): (name, medium) for name, medium in words.KNOWN_OUTLETS.items()}
_PLATFORM_KEYS = {outlet_key(p) for p in words.PLATFORMS}


def _tidy_name(name: str) -> str:
    name = name.strip(" .,;:’'")
    name = re.sub(r"^(?:The|A|An) ", "", name)
    name = re.sub(r"['’]s$", "", name)
    name = re.sub(r" (?:TV|Television|Radio|News Agency|Agency)$", "", name) if " " in name else name
    return name.strip()


def _looks_like_outlet(name: str) -> bool:
    """A known outlet, an acronym ("BBC", "DTV-1"), or a name with an outlet word ("Kelvor Herald")."""
    if not name or name.casefold() in words.NOT_OUTLETS:
        return False
    key = outlet_key(name)
    if key in _KNOWN or key in _PLATFORM_KEYS:
        return True
    first = name.split(" ")[0]
    if re.fullmatch(r"[A-Z][A-Z0-9]{1,6}(?:-[A-Z0-9]{1,4})?", first) or re.fullmatch(r"[A-Z][\w]*-\d+", first):
        return True
    return any(part in words.OUTLET_WORDS for part in name.split(" "))


def _canonical_outlet(name: str) -> str:
    key = outlet_key(name)
    if key in _KNOWN:
        return _KNOWN[key][0]
    for platform in words.PLATFORMS:
        if outlet_key(platform) == key:
            return words.PLATFORM_ALIASES.get(platform, platform)
    return name


def _when(text: str) -> tuple[str | None, list[tuple[int, str]]]:
    found: list[tuple[int, str, str]] = []
    for kind, pattern in _WHEN_PATTERNS:
        for m in pattern.finditer(text):
            if kind == "date":
                month = m.group("month").lower().rstrip(".")
                month = words.MONTH_ABBREVIATIONS.get(month, month)
                if month == "may" and m.group(0)[:1].isalpha() and not m.group(0).lower().startswith("on "):
                    continue  # "they may 2" is a verb; "May 3" counts only as "on May 3" or "3 May"
                value = f"{month} {int(m.group('day'))}"
            elif kind == "iso":
                value = m.group("iso")
            elif kind == "weekday":
                value = (m.group("wd") or m.group("wd2")).lower()
            else:
                value = m.group("rel").lower()
            found.append((m.start(), value, m.group(0)))
    if not found:
        return None, []
    found.sort()
    # An absolute day beats a relative one; the first of each kind wins.
    absolute = [f for f in found if f[1] not in words.RELATIVE_DAYS]
    chosen = (absolute or found)[0][1]
    return chosen, [(start, phrase) for start, _value, phrase in found]


def read_venue(attribution: str | _HasText) -> Venue:
    """The venue an attribution text (a str, or a spaCy Doc/Span) says a statement was made in."""
    raw = attribution if isinstance(attribution, str) else attribution.text
    return _read_venue(raw[: MAX_ATTRIBUTION_CHARS * 2])  # all that is read, so all that the cache keeps


# Origin tracing reads the venues of every member of the origins a new article's claims may join, and the relays
# of their articles, again for each new article: cached by the text read (a pure function of it; a Venue is
# frozen). At most 2 x MAX_ATTRIBUTION_CHARS characters each, so 16,384 of them hold a few megabytes at most.
@functools.lru_cache(maxsize=16_384)
def _read_venue(raw: str) -> Venue:
    # a wire dateline's date is the article's, not the statement's ("VILMORA, March 10 (Ostpress) - ...")
    text = _DATELINE.sub("", _clean(raw), count=1)[:MAX_ATTRIBUTION_CHARS]
    if not text:
        return NO_VENUE
    evidence: list[tuple[int, str]] = []
    medium: str | None = None
    outlet: str | None = None
    for candidate, pattern in _MEDIUM_PATTERNS:
        for m in pattern.finditer(text):
            evidence.append((m.start(), m.group(0).strip(" .,;:")))
            name = m.groupdict().get("outlet")
            if name and outlet is None:
                tidy = _tidy_name(name)
                if tidy and tidy.casefold() not in words.NOT_OUTLETS:
                    outlet = _canonical_outlet(tidy)
            if medium is None:
                medium = candidate
    for m in _TOLD_OUTLET.finditer(text):
        tidy = _tidy_name(m.group("outlet"))
        if _looks_like_outlet(tidy):
            evidence.append((m.start(), m.group(0).strip(" .,;:")))
            if outlet is None:
                outlet = _canonical_outlet(tidy)
    if outlet is not None and medium is None:
        key = outlet_key(outlet)
        if key in _PLATFORM_KEYS:
            medium = "social"
        elif key in _KNOWN:
            medium = _KNOWN[key][1]

    relayed_by: str | None = None
    for pattern, check in _RELAY_PATTERNS:
        for m in pattern.finditer(text):
            tidy = _tidy_name(m.group("relay"))
            if not tidy or tidy.casefold() in words.NOT_OUTLETS or (check and not _looks_like_outlet(tidy)):
                continue
            evidence.append((m.start(), m.group(0).strip(" .,;:")))
            if relayed_by is None:
                relayed_by = _canonical_outlet(tidy)
    if relayed_by is not None and outlet is not None and outlet_key(relayed_by) == outlet_key(outlet):
        # "told Tass, which reported ..." names the outlet it was said to, not a relay
        relayed_by = None

    when, when_evidence = _when(text)
    evidence.extend(when_evidence)
    ordered = tuple(dict.fromkeys(phrase for _start, phrase in sorted(evidence)))
    return Venue(medium=medium, outlet=outlet, relayed_by=relayed_by, when=when, evidence=ordered)


def attribution_text(
    body: str, start: int, end: int, mention_start: int | None = None, mention_end: int | None = None
) -> str:
    """The sentence(s) holding the claim [start, end) and its speaker mention, with the claim blanked."""
    start, end = max(0, min(start, len(body))), max(0, min(end, len(body)))
    if end < start:
        start, end = end, start
    lo, hi = start, end
    if mention_start is not None and mention_end is not None:
        lo, hi = min(lo, max(0, mention_start)), max(hi, min(len(body), mention_end))
    sentence_start = 0
    window_start = max(0, lo - _SIDE_CHARS)
    for boundary in _SENTENCE_END.finditer(body, window_start, min(len(body), lo + 2)):  # +2: lookahead sees claim
        if boundary.end() <= lo:
            sentence_start = boundary.end()
    after = _SENTENCE_END.search(body, hi, min(len(body), hi + _SIDE_CHARS + 2))
    sentence_end = after.start() + 1 if after else len(body)
    sentence_end = max(sentence_end, end)
    sentence_start = max(sentence_start, lo - _SIDE_CHARS)
    sentence_end = min(sentence_end, hi + _SIDE_CHARS)
    text = body[sentence_start:start] + _CLAIM_PLACEHOLDER + body[end:sentence_end]
    return text.strip()


def venue_of_claim(
    body: str, start: int, end: int, mention_start: int | None = None, mention_end: int | None = None
) -> Venue:
    """The venue of the claim at body[start:end], read from its attribution sentence(s)."""
    return read_venue(attribution_text(body, start, end, mention_start, mention_end))


def wire_dateline(text: str) -> str | None:
    """The agency of a wire dateline at the start of a paragraph ("KELVOR, May 3 (Reuters) -"), or None."""
    m = _DATELINE.search(text)
    return _canonical_outlet(_tidy_name(m.group("agency"))) if m else None


def media_compatible(a: str, b: str) -> bool:
    """Same medium, or a generic one ("interview") that may stand for the other ("tv")."""
    return a == b or b in words.MEDIUM_FAMILIES.get(a, frozenset()) or a in words.MEDIUM_FAMILIES.get(b, frozenset())


def _when_kind(value: str) -> str:
    if value in words.WEEKDAYS:
        return "weekday"
    if value in words.RELATIVE_DAYS:
        return "relative"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "iso"
    return "date"


def venues_compatible(a: Venue, b: Venue) -> bool | None:
    """Can the two venues be one occasion? False on any conflict (medium, named outlet, day); True when
    at least one thing both sides say agrees; None when they have nothing in common to compare."""
    agreed = False
    if a.medium and b.medium:
        if not media_compatible(a.medium, b.medium):
            return False
        agreed = True
    if a.outlet and b.outlet:
        if outlet_key(a.outlet) != outlet_key(b.outlet):
            return False
        agreed = True
    if a.when and b.when:
        kind_a, kind_b = _when_kind(a.when), _when_kind(b.when)
        if kind_a == kind_b and kind_a != "relative":
            if a.when != b.when:
                return False
            agreed = True
    # A relay is not where it was said: two relays may differ. One side naming as its relay the outlet
    # the other says the speaker addressed is agreement ("according to Tass" / "told Tass").
    for x, y in ((a, b), (b, a)):
        if x.relayed_by and (y.outlet or y.relayed_by):
            other = y.outlet or y.relayed_by or ""
            if outlet_key(x.relayed_by) == outlet_key(other):
                agreed = True
    return True if agreed else None


def merge_venues(venues: Iterable[Venue]) -> Venue:
    """One speaker's venue across the attributions of one article ("Tesk said in a TV interview ... Tesk said
    ..."): each field from the attributions that give it, left unknown where they disagree."""
    items = [v for v in venues if not v.is_empty]

    def agreed(values: list[str | None], key: Callable[[str], str] = str) -> str | None:
        known = [v for v in values if v]
        return known[0] if known and len({key(v) for v in known}) == 1 else None

    media = [v.medium for v in items]
    known_media = [m for m in media if m]
    medium = None
    if known_media and all(media_compatible(a, b) for a in known_media for b in known_media):
        # the most specific medium: one not generic for any of the others
        medium = next((m for m in known_media if m not in words.MEDIUM_FAMILIES), known_media[0])
    return Venue(
        medium=medium,
        outlet=agreed([v.outlet for v in items], outlet_key),
        relayed_by=agreed([v.relayed_by for v in items], outlet_key),
        when=agreed([v.when for v in items]),
        evidence=tuple(dict.fromkeys(e for v in items for e in v.evidence)),
    )
