"""Strip page furniture from decoded article text and pull out its metadata.

HTML goes through trafilatura, Markdown through markdown-it-py's token stream, and plain text (often a
whole web page pasted as text) goes through conservative line rules. No Django here.
"""

from __future__ import annotations

import datetime as dt
import enum
import html as html_lib
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal, cast

from markdown_it import MarkdownIt

from claims_app.nlp.cleaning.tables import (
    BIO,
    BLOCK_BREAK,
    BULLET_MENU,
    BY_SEGMENT,
    BYLINE,
    CLOCK_TIME,
    CLOSING_QUOTES,
    COMMENTS,
    COPYRIGHT,
    CREDIT_SEPARATOR,
    DATE_FILLER,
    DATE_LINE_CHARS,
    DATE_TOKEN,
    DATELINE,
    DATELINE_PARAGRAPHS,
    DAY_MONTH_YEAR,
    DISCLAIMER_HINTS,
    DISCLAIMERS,
    EMPHASIS_MARKUP,
    FALLBACK_BLOCK_TAGS,
    FALLBACK_DROP_TAGS,
    FRONT_MATTER_END,
    FRONT_MATTER_FENCE,
    FRONT_MATTER_FIELD,
    FRONT_MATTER_KEYS,
    FRONT_MATTER_LINE,
    HOSTNAME,
    HTML_CLOSE,
    HTML_EXTENSIONS,
    HTML_START,
    HTML_TAG,
    ISO_DATE,
    JS_JUNK,
    LABEL_STRIP,
    LABELS,
    MARKDOWN_ESCAPABLE,
    MARKDOWN_EXTENSIONS,
    MARKDOWN_HEADING_START,
    MARKDOWN_LINK,
    MAX_BARE_SHARE_WORDS,
    MAX_BIO_WORDS,
    MAX_BYLINE_WORDS,
    MAX_COPYRIGHT_WORDS,
    MAX_CREDIT_LINE_WORDS,
    MAX_CREDIT_WORDS,
    MAX_DATE_ATTEMPTS,
    MAX_DATE_LINE_CHARS,
    MAX_DISCLAIMER_WORDS,
    MAX_FRONT_MATTER_LINES,
    MAX_FURNITURE_CHARS,
    MAX_HEADLINE_CHARS,
    MAX_HEADLINE_WORDS,
    MAX_INLINE_TRIGGER_WORDS,
    MAX_MENU_WORDS,
    MAX_OUTLET_CHARS,
    MAX_OUTLET_WORDS,
    MAX_SHARE_WORDS,
    MAX_SHORT_FURNITURE_WORDS,
    MAX_TEXT_AFTER_ANCHOR,
    MAX_TITLE_CHARS,
    MAX_TITLE_WORDS,
    MAX_WRAP_WIDTH,
    MAX_WRAPPED_SENTENCE_END_RATIO,
    MIN_DATES_IN_RUN,
    MIN_WRAP_WIDTH,
    MONTH_DAY_YEAR,
    MONTHS,
    NAME_AT_START,
    NAV_HINTS,
    NAV_SEPARATOR,
    NEWLINES,
    NO_ALNUM,
    NON_SECTION_LABELS,
    NOT_NAMES,
    NUMERIC_DATE,
    OPENING_QUOTES,
    OUTLET_SMALL_WORDS,
    PHOTO_CREDIT,
    PLACEHOLDERS,
    RELATIVE_DATE_WORDS,
    REPORTING_CREDIT,
    SCRIPT_STYLE,
    SHARE_EXACT,
    SHARE_SELF_WORDS,
    SHARE_START,
    SHORT_LINE_FRACTION,
    SNIFF_CHARS,
    SOCIAL,
    SOCIAL_ONLY_WORDS,
    SOURCE_ALONE,
    SOURCE_CREDIT,
    TITLE_SEPARATORS,
    TITLE_TAG,
    TITLE_TAG_SEARCH_CHARS,
    TRAILING_CLOSERS,
    TRIGGER,
    WEEKDAYS,
    WHITESPACE,
    YEAR,
)
from claims_app.nlp.records import CleanedArticle, InputRejected

if TYPE_CHECKING:
    from markdown_it.token import Token
    from trafilatura.settings import Document


NO_TEXT_AFTER_CLEANING = "No article text found after removing page furniture."
NO_TEXT_IN_HTML = "No article text found in this HTML page."

Format = Literal["html", "markdown", "text"]
JoinMode = Literal["auto", "block", "line"]

# CommonMark plus ~~strikethrough~~. Indented code and HTML blocks are off so indented or tag-led lines
# stay prose whose inline markup is stripped; text_join is off so escapes and entities stay
# distinguishable (see _inline).
MARKDOWN = MarkdownIt("commonmark").enable("strikethrough").disable(["code", "html_block", "text_join"])


def clean_article(text: str, *, filename: str = "") -> CleanedArticle:
    """Detect the format, remove boilerplate and return body plus metadata; raise if nothing is left."""
    text = NEWLINES.sub("\n", text)
    fmt = detect_format(text, filename=filename)
    if fmt == "html":
        return _clean_html(text)
    if fmt == "markdown":
        return _clean_markdown(text)
    return _clean_plain(text)


# ---------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------


def detect_format(text: str, *, filename: str = "") -> Format:
    """Guess "html", "markdown" or "text" from the file extension, then from the content."""
    ext = PurePath(filename).suffix.lower() if filename else ""
    if ext in HTML_EXTENSIONS:
        return "html"
    head = text[:SNIFF_CHARS]
    if HTML_START.match(head.lstrip()):
        return "html"
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    # Several real tags plus a closing tag: page source saved as .txt or pasted.
    if len(HTML_TAG.findall(head)) >= 3 and HTML_CLOSE.search(head):
        return "html"
    if MARKDOWN_HEADING_START.match(head) or len(MARKDOWN_LINK.findall(head)) >= 2:
        return "markdown"
    return "text"


# ---------------------------------------------------------------------------
# Line classification (plain text, and the text trafilatura hands back)
# ---------------------------------------------------------------------------


class _Kind(enum.Enum):
    BLANK = enum.auto()
    TEXT = enum.auto()
    DATE = enum.auto()  # timestamp or date and nothing else
    LABEL = enum.auto()  # section/status label such as "OPINION" or "Exclusive"
    TRIGGER = enum.auto()  # "Read also:", "Tags:" ... introduces a list of links
    FURNITURE = enum.auto()  # share buttons, placeholders, disclaimers, copyright ...
    BIO = enum.auto()  # "About the author. NAME, ..."
    BYLINE = enum.auto()  # "By NAME"


def _classify(line: str) -> _Kind:
    """Classify one stripped line; anything not positively recognised is TEXT."""
    if not line:
        return _Kind.BLANK
    if len(line) > MAX_FURNITURE_CHARS:
        return _Kind.TEXT
    if _is_date_line(line):
        return _Kind.DATE
    if line.strip(LABEL_STRIP).casefold() in LABELS:
        return _Kind.LABEL
    if _is_trigger(line):
        return _Kind.TRIGGER
    if _is_bio(line):
        return _Kind.BIO
    if _credit(line):
        return _Kind.BYLINE
    if _is_furniture(line):
        return _Kind.FURNITURE
    return _Kind.TEXT


def _word_count(line: str) -> int:
    """Number of whitespace-separated words."""
    return len(line.split())


def _is_date_line(line: str) -> bool:
    """True for lines holding only a date and/or time: "16:56", "26 May, 2025 Monday", "2025, Thursday"."""
    if len(line) > MAX_DATE_LINE_CHARS or not DATE_LINE_CHARS.fullmatch(line):
        return False
    anchored = bool(CLOCK_TIME.search(line))
    for token in DATE_TOKEN.findall(line):
        if token.isdigit():
            if len(token) > 4:
                return False
            anchored = anchored or (len(token) == 4 and bool(YEAR.fullmatch(token)))
            continue
        word = token.casefold()
        if word in MONTHS or word in WEEKDAYS or word in RELATIVE_DATE_WORDS:
            anchored = True
        elif word not in DATE_FILLER:
            return False
    return anchored


def _is_trigger(line: str) -> bool:
    """True for "Read also:", "More news", "Tags: a, b" and similar list headers."""
    match = TRIGGER.fullmatch(line)
    if not match:
        return False
    return _word_count(match.group("rest") or "") <= MAX_INLINE_TRIGGER_WORDS


def _byline_names(line: str) -> str:
    """The names in a "By NAME" byline, or "" when the line is not a byline."""
    if _word_count(line) > MAX_BYLINE_WORDS:
        return ""
    match = BYLINE.fullmatch(line)
    if not match:
        return ""
    names = match.group("names").strip(" \t,")
    first = names.split()[0].strip(".,")
    if first in NOT_NAMES:
        return ""
    # "By Tuesday, the council had voted." is a sentence, not a byline.
    tail = match.group("tail")
    if tail.rstrip().endswith(".") and _word_count(tail) > 3:
        return ""
    return names


@dataclass(frozen=True)
class _Credit:
    """What a byline-style line tells us; any field may be empty."""

    author: str = ""
    outlet: str = ""
    section: str = ""


def _credit(line: str) -> _Credit | None:
    """Read a byline, a wire reporting credit or an "Outlet · date · by NAME" line; None for anything else."""
    if _word_count(line) > MAX_CREDIT_LINE_WORDS:
        return None
    names = _byline_names(line)
    if names:
        return _Credit(author=names)
    match = REPORTING_CREDIT.fullmatch(line)
    if match:
        return _Credit(author=match.group("names").strip())
    return _combined_credit(line)


def _combined_credit(line: str) -> _Credit | None:
    """Separator-joined outlet/section/date/byline segments, at least one of them a date or byline."""
    parts = [part.strip() for part in CREDIT_SEPARATOR.split(line)]
    if len(parts) < 2:
        return None
    author = outlet = section = ""
    dated = False
    for part in parts:
        by = BY_SEGMENT.fullmatch(part)
        if _is_date_line(part):
            dated = True
        elif by and not author and by.group("names").split()[0] not in NOT_NAMES:
            author = by.group("names")
        elif part.strip(LABEL_STRIP).casefold() in LABELS and not section:
            section = _section_label(part)
        elif _is_outlet_like(part) and not outlet:
            outlet = part
        else:
            return None
    return _Credit(author, outlet, section) if dated or author else None


def _is_bio(line: str) -> bool:
    """A bare "About the author" heading, or one followed by a name ("About the author. NAME, ...")."""
    match = BIO.fullmatch(line)
    if not match:
        return False
    rest = match.group("rest").strip()
    # "About the author of the report, little is known." is a sentence, not a bio.
    return not rest or bool(_name_at_start(rest))


def _is_furniture(line: str) -> bool:
    """Share buttons, placeholders, credits, menus, disclaimers, copyright and similar page furniture."""
    words = _word_count(line)
    # The short-line rules are the bulk of the work; skipping them for prose keeps a 5 MB page fast.
    if words <= MAX_SHORT_FURNITURE_WORDS and _is_short_furniture(line, words):
        return True
    if words <= MAX_SHARE_WORDS and _is_share_line(line, line.casefold()):
        return True
    if words > MAX_SHORT_FURNITURE_WORDS and any(sep in line for sep in NAV_HINTS) and _is_menu_line(line):
        return True
    return _is_disclaimer(line, words) or (words <= MAX_COPYRIGHT_WORDS and bool(COPYRIGHT.match(line)))


def _is_short_furniture(line: str, words: int) -> bool:
    """Rules that only ever apply to lines of a dozen words or fewer."""
    folded = line.casefold()
    return (
        _is_share_line(line, folded)
        or _is_placeholder(line, folded)
        or bool(SOURCE_ALONE.fullmatch(line))
        or _is_credit_line(line, words)
        or _is_menu_line(line)
        or bool(COMMENTS.fullmatch(line))
    )


def _is_credit_line(line: str, words: int) -> bool:
    """Credit lines ("Source: Agency", "Photo: NAME/Agency"); a sentence ending in a period is prose."""
    if words > MAX_CREDIT_WORDS or _ends_clause(line):
        return False
    return bool(SOURCE_CREDIT.fullmatch(line) or PHOTO_CREDIT.fullmatch(line))


def _is_disclaimer(line: str, words: int) -> bool:
    """Editorial disclaimers such as "The editorial staff does not always share the opinions..."."""
    if words > MAX_DISCLAIMER_WORDS:
        return False
    folded = line.casefold()
    if not folded.startswith("this ") and not any(hint in folded for hint in DISCLAIMER_HINTS):
        return False
    return any(rx.search(line) for rx in DISCLAIMERS)


def _is_share_line(line: str, folded: str) -> bool:
    """Share/subscribe/follow lines ("Share on Facebook", "Follow us on Telegram") and bare social links."""
    if folded.strip(" :.!") in SHARE_EXACT:
        return True
    tokens = folded.replace(",", " ").replace("|", " ").split()
    if tokens and all(token in SOCIAL_ONLY_WORDS for token in tokens):
        return True
    if not (SHARE_START.match(line) and SOCIAL.search(line)):
        return False
    # "Join the protest on Telegram, organisers urged." is news; furniture talks about us/our, or says "Share".
    return (
        len(tokens) <= MAX_BARE_SHARE_WORDS
        or folded.startswith("share")
        or any(token.strip(".,!:") in SHARE_SELF_WORDS for token in tokens)
    )


def _is_placeholder(line: str, folded: str) -> bool:
    """Un-rendered template text such as `{{ title }}` or `client/title.list_title`."""
    if folded in JS_JUNK:
        return True
    return any(rx.fullmatch(line) for rx in PLACEHOLDERS)


def _is_menu_line(line: str) -> bool:
    """Bullet-only menu items ("• News"), separator-only lines and "Home | News | Sport" nav bars."""
    if NO_ALNUM.fullmatch(line):
        return True
    bullet = BULLET_MENU.fullmatch(line)
    if bullet and _word_count(bullet.group("item")) <= MAX_MENU_WORDS and not line.endswith("."):
        return True
    parts = NAV_SEPARATOR.split(line)
    return len(parts) >= 3 and all(0 < _word_count(part) <= MAX_MENU_WORDS for part in parts)


# ---------------------------------------------------------------------------
# Shape tests for titles, outlets and headline lists
# ---------------------------------------------------------------------------


def _is_quoted_paragraph(line: str) -> bool:
    """A line wrapped in quotes is a quotation: content, however short."""
    return len(line) >= 2 and line[0] in OPENING_QUOTES and line[-1] in CLOSING_QUOTES


def _ends_clause(line: str) -> bool:
    """True when the line ends like prose (period, comma, colon, semicolon), ignoring closing quotes."""
    core = line.rstrip(TRAILING_CLOSERS)
    return bool(core) and core[-1] in ".,;:"


def _is_headline_like(line: str) -> bool:
    """Short, unpunctuated line such as a headline in a list of links."""
    return (
        len(line) <= MAX_HEADLINE_CHARS
        and _word_count(line) <= MAX_HEADLINE_WORDS
        and not _ends_clause(line)
        and not _is_quoted_paragraph(line)
    )


def _is_title_like(line: str) -> bool:
    """Short line without a final period that doesn't start mid-sentence."""
    return (
        len(line) <= MAX_TITLE_CHARS
        and _word_count(line) <= MAX_TITLE_WORDS
        and not _ends_clause(line)
        and not _is_quoted_paragraph(line)
        and not line[0].islower()
        and any(ch.isalpha() for ch in line)
    )


def _is_outlet_like(line: str) -> bool:
    """A masthead such as "Daily Harbour Gazette" or "Espreso. Global": a few capitalised words."""
    words = line.split()
    if not 0 < len(words) <= MAX_OUTLET_WORDS or len(line) > MAX_OUTLET_CHARS or line[-1] in ".,;:!?":
        return False
    return all(word[0].isupper() or word[0].isdigit() or word.casefold() in OUTLET_SMALL_WORDS for word in words)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def _parse_date(line: str) -> dt.date | None:
    """A full calendar date (day, month and year) in `line`, or None."""
    for pattern in (ISO_DATE, DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        match = pattern.search(line)
        if match:
            month = match.group("month")
            month_number = int(month) if month.isdigit() else MONTHS[month.casefold()]
            return _safe_date(int(match.group("year")), month_number, int(match.group("day")))
    match = NUMERIC_DATE.search(line)
    if match:
        first, second = int(match.group("first")), int(match.group("second"))
        # Day-first is the norm outside the US; only flip when day-first is impossible.
        day, month = (second, first) if first <= 12 < second else (first, second)
        return _safe_date(int(match.group("year")), month, day)
    return _dateparser_date(line) if YEAR.search(line) else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    """`dt.date` or None for impossible dates such as 31 February."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dateparser_date(line: str) -> dt.date | None:
    """Last resort for unusual date spellings; imported lazily because it is slow to load."""
    import dateparser

    parsed = dateparser.parse(
        line,
        languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"},
    )
    return parsed.date() if parsed else None


# ---------------------------------------------------------------------------
# The line pipeline shared by every format
# ---------------------------------------------------------------------------


@dataclass
class _Meta:
    title: str = ""
    author: str = ""
    outlet: str = ""
    section: str = ""
    published: dt.date | None = None


@dataclass(frozen=True)
class _Mode:
    """What to look for in the lines: plain text wants everything, trafilatura output less."""

    find_outlet: bool = True
    find_title: bool = True
    title_at: int | None = None  # index of a line already known to be the title
    join: JoinMode = "auto"


@dataclass
class _Lines:
    text: list[str]
    kinds: list[_Kind]
    removed: list[bool]

    @classmethod
    def build(cls, raw_lines: list[str]) -> _Lines:
        """Strip and classify; every non-TEXT, non-blank line starts out removed."""
        text = [line.strip() for line in raw_lines]
        # Pages repeat lines ("16:56", "Exclusive", menus); classify each distinct line once.
        cache: dict[str, _Kind] = {}
        kinds = [cache[line] if line in cache else cache.setdefault(line, _classify(line)) for line in text]
        removed = [kind not in (_Kind.BLANK, _Kind.TEXT) for kind in kinds]
        return cls(text, kinds, removed)

    def next_significant(self, index: int) -> int | None:
        """Index of the next non-blank line after `index`."""
        for j in range(index + 1, len(self.text)):
            if self.kinds[j] is not _Kind.BLANK:
                return j
        return None

    def previous_significant(self, index: int) -> int | None:
        """Index of the previous non-blank line before `index`."""
        for j in range(index - 1, -1, -1):
            if self.kinds[j] is not _Kind.BLANK:
                return j
        return None

    def blocks(self, *, kept_only: bool) -> list[list[str]]:
        """Runs of consecutive TEXT lines; blank, non-TEXT and (optionally) removed lines split them."""
        blocks: list[list[str]] = []
        current: list[str] = []
        for line, kind, gone in zip(self.text, self.kinds, self.removed, strict=True):
            if kind is _Kind.TEXT and not (kept_only and gone):
                current.append(line)
            elif current:
                blocks.append(current)
                current = []
        if current:
            blocks.append(current)
        return blocks


@dataclass
class _Cleaned:
    paragraphs: list[str]
    meta: _Meta
    removed_lines: tuple[str, ...]


def _clean_lines(raw_lines: list[str], mode: _Mode, meta: _Meta | None = None) -> _Cleaned:
    """Run all boilerplate rules over `raw_lines` and assemble the body paragraphs."""
    lines = _Lines.build(raw_lines)
    meta = meta or _Meta()
    body_start = _Header(lines, mode, meta).parse()
    if mode.title_at is not None and not lines.removed[mode.title_at]:
        lines.removed[mode.title_at] = True
        meta.title = meta.title or lines.text[mode.title_at]
    _remove_bio_paragraphs(lines)
    _remove_trigger_lists(lines, body_start)
    _remove_timestamp_runs(lines, body_start)
    meta.author = meta.author or _find_author(lines)
    meta.published = meta.published or _find_published(lines)
    paragraphs = _assemble(lines, mode.join)
    _read_dateline(paragraphs[:DATELINE_PARAGRAPHS], meta)
    removed = tuple(line for line, gone in zip(lines.text, lines.removed, strict=True) if gone and line)
    return _Cleaned(paragraphs, meta, removed)


class _Header:
    """Reads outlet, section label and title off the top of the lines; author and date are read later."""

    def __init__(self, lines: _Lines, mode: _Mode, meta: _Meta) -> None:
        self.lines, self.mode, self.meta = lines, mode, meta
        self.has_text_after = _text_after(lines.kinds)
        # In wrapped text the first line of a paragraph looks like a title; demand a line of its own.
        self.wrapped = mode.join == "block" or (
            mode.join == "auto" and _wrap_width(lines.blocks(kept_only=False)) is not None
        )

    def parse(self) -> int:
        """Consume header lines; return the index where the body starts."""
        lines, mode, meta = self.lines, self.mode, self.meta
        title_seen = False
        first_significant = True
        for i, (line, kind) in enumerate(zip(lines.text, lines.kinds, strict=True)):
            if kind is _Kind.BLANK:
                continue
            was_first, first_significant = first_significant, False
            if i == mode.title_at:
                meta.title, lines.removed[i], title_seen = line, True, True
            elif kind is _Kind.LABEL:
                meta.section = meta.section or _section_label(line)
            elif kind is _Kind.TRIGGER:
                return i
            elif kind is _Kind.BYLINE:
                self._take_credit(line)
            elif kind is not _Kind.TEXT:
                continue  # dates and furniture are already marked removed
            elif title_seen and mode.find_outlet and not meta.outlet and self._is_outlet_by_dateline(i):
                meta.outlet, lines.removed[i] = line, True
            elif title_seen or (mode.title_at is not None and i > mode.title_at):
                return i
            elif mode.find_outlet and was_first and _is_outlet_like(line) and self._precedes_title(i):
                meta.outlet, lines.removed[i] = line, True
            elif mode.find_title and mode.title_at is None and self._could_be_title(i):
                meta.title, lines.removed[i], title_seen = line, True, True
            else:
                return i
        return len(lines.text)

    def _take_credit(self, line: str) -> None:
        """Outlet and section from an "Outlet · date · by NAME" line in the header."""
        credit = _credit(line)
        if credit is None:
            return
        self.meta.outlet = self.meta.outlet or credit.outlet
        self.meta.section = self.meta.section or credit.section

    def _is_outlet_by_dateline(self, index: int) -> bool:
        """Wire layout: a masthead line under the title, right next to the date or byline line."""
        if not (_is_outlet_like(self.lines.text[index]) and self.has_text_after[index]):
            return False
        neighbours = (self.lines.previous_significant(index), self.lines.next_significant(index))
        return any(j is not None and self.lines.kinds[j] in (_Kind.DATE, _Kind.BYLINE) for j in neighbours)

    def _could_be_title(self, index: int) -> bool:
        """Title-shaped, followed by more text, and not merely the first line of a wrapped paragraph."""
        lines = self.lines
        if not (_is_title_like(lines.text[index]) and self.has_text_after[index]):
            return False
        following = index + 1
        if following >= len(lines.text) or lines.kinds[following] is not _Kind.TEXT:
            return True
        # Directly followed by text: fine for one-paragraph-per-line pages, unless that text continues a sentence.
        return not self.wrapped and not lines.text[following][:1].islower()

    def _precedes_title(self, index: int) -> bool:
        """An outlet line is followed by a section label or by a plausible title."""
        j = self.lines.next_significant(index)
        if j is None:
            return False
        if self.lines.kinds[j] is _Kind.LABEL:
            return True
        return self.lines.kinds[j] is _Kind.TEXT and self._could_be_title(j)


def _section_label(line: str) -> str:
    """The section a label line names, or "" for status labels and bulleted menu entries ("• News")."""
    label = line.strip(LABEL_STRIP)
    if BULLET_MENU.fullmatch(line) or label.casefold() in NON_SECTION_LABELS:
        return ""
    return label


def _text_after(kinds: list[_Kind]) -> list[bool]:
    """`result[i]` is True when some TEXT line follows line i."""
    result = [False] * len(kinds)
    seen = False
    for i in range(len(kinds) - 1, -1, -1):
        result[i] = seen
        seen = seen or kinds[i] is _Kind.TEXT
    return result


def _remove_bio_paragraphs(lines: _Lines) -> None:
    """A bare "About the author" heading takes the short bio paragraph after it along."""
    for i, kind in enumerate(lines.kinds):
        if kind is not _Kind.BIO or _bio_rest(lines.text[i]):
            continue
        j = lines.next_significant(i)
        if j is not None and lines.kinds[j] is _Kind.TEXT and _word_count(lines.text[j]) <= MAX_BIO_WORDS:
            lines.removed[j] = True
            lines.kinds[j] = _Kind.BIO


def _bio_rest(line: str) -> str:
    """Text after "About the author" on the same line."""
    match = BIO.match(line)
    return match.group("rest").strip() if match else ""


def _is_list_item(line: str, kind: _Kind) -> bool:
    """Lines that may appear in a "Read also" list: furniture, dates, labels and headlines."""
    if kind is _Kind.TEXT:
        return _is_headline_like(line)
    return True


def _remove_trigger_lists(lines: _Lines, start: int) -> None:
    """After "Read also:", "Tags:", "More news" etc., drop the run of headline lines that follows."""
    i = start
    while i < len(lines.text):
        if lines.kinds[i] is not _Kind.TRIGGER:
            i += 1
            continue
        j = i + 1
        # The list ends at the first line shaped like prose, e.g. the article resuming.
        while j < len(lines.text) and _is_list_item(lines.text[j], lines.kinds[j]):
            lines.removed[j] = lines.removed[j] or lines.kinds[j] is not _Kind.BLANK
            j += 1
        i = j


_RUN_ANCHORS = (_Kind.DATE, _Kind.LABEL)


def _remove_timestamp_runs(lines: _Lines, start: int) -> None:
    """Drop headline lines that follow timestamps/labels in a run holding at least two timestamps."""
    run: list[int] = []
    for i in range(start, len(lines.text)):
        kind = lines.kinds[i]
        if kind is _Kind.BLANK:
            continue
        if _is_list_item(lines.text[i], kind):
            run.append(i)
            continue
        _flush_run(lines, run)
        run = []
    _flush_run(lines, run)


def _flush_run(lines: _Lines, run: list[int]) -> None:
    """Within one candidate run, remove headline lines that follow a date or label."""
    if sum(1 for i in run if lines.kinds[i] is _Kind.DATE) < MIN_DATES_IN_RUN:
        return
    # Lists put the time (and maybe a label) first, then the headline; a line *before* the
    # first timestamp is more likely the article's last paragraph, so it is never touched.
    since_anchor: int | None = None
    for i in run:
        kind = lines.kinds[i]
        if kind in _RUN_ANCHORS:
            since_anchor = 0
        elif kind is _Kind.TEXT and since_anchor is not None:
            if since_anchor < MAX_TEXT_AFTER_ANCHOR:
                lines.removed[i] = True
            since_anchor += 1


def _find_author(lines: _Lines) -> str:
    """First byline name, else the name opening an "About the author" bio."""
    for line, kind in zip(lines.text, lines.kinds, strict=True):
        credit = _credit(line) if kind is _Kind.BYLINE else None
        if credit and credit.author:
            return credit.author
    for line, kind in zip(lines.text, lines.kinds, strict=True):
        if kind is _Kind.BIO:
            name = _name_at_start(_bio_rest(line) or line)
            if name:
                return name
    return ""


def _name_at_start(text: str) -> str:
    """A capitalised name opening `text` ("Vitaly Example, journalist" -> "Vitaly Example")."""
    match = NAME_AT_START.match(text)
    if not match:
        return ""
    name = match.group("name").rstrip(".")
    return name if name.split()[0] not in NOT_NAMES else ""


def _read_dateline(paragraphs: list[str], meta: _Meta) -> None:
    """Fill outlet and date from a wire dateline; the paragraph itself is left untouched."""
    for paragraph in paragraphs:
        match = DATELINE.match(paragraph)
        if match and any(ch.isdigit() for ch in match.group("when")):
            meta.outlet = meta.outlet or match.group("outlet").strip()
            meta.published = meta.published or _parse_date(match.group("when"))
            return


def _find_published(lines: _Lines) -> dt.date | None:
    """First full date on a date or byline line before any "Read also"-style list."""
    attempts = 0
    for line, kind in zip(lines.text, lines.kinds, strict=True):
        if kind is _Kind.TRIGGER or attempts >= MAX_DATE_ATTEMPTS:
            break
        if kind in (_Kind.DATE, _Kind.BYLINE):
            attempts += 1
            parsed = _parse_date(line)
            if parsed:
                return parsed
    return None


def _assemble(lines: _Lines, join: JoinMode) -> list[str]:
    """Group kept lines into paragraphs; blank and removed lines both end a paragraph."""
    blocks = lines.blocks(kept_only=True)
    if join == "block":
        paragraphs = [" ".join(block) for block in blocks]
    else:
        width = _wrap_width(blocks) if join == "auto" else None
        if width is None:
            paragraphs = [line for block in blocks for line in block]
        else:
            paragraphs = [paragraph for block in blocks for paragraph in _unwrap(block, width)]
    return [" ".join(paragraph.split()) for paragraph in paragraphs]


def _wrap_width(blocks: list[list[str]]) -> int | None:
    """The typical line width when lines are fixed-width wraps, None for one-paragraph-per-line text."""
    inner = [line for block in blocks if len(block) > 1 for line in block[:-1]]
    if not inner:
        return None
    sentence_ends = sum(1 for line in inner if line.rstrip(TRAILING_CLOSERS)[-1:] in (".", "!", "?", "…"))
    median = sorted(len(line) for line in inner)[len(inner) // 2]
    if not MIN_WRAP_WIDTH <= median <= MAX_WRAP_WIDTH:
        return None
    return median if sentence_ends / len(inner) < MAX_WRAPPED_SENTENCE_END_RATIO else None


def _unwrap(block: list[str], width: int) -> list[str]:
    """Re-join wrapped lines, ending a paragraph after any clearly short line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in block:
        current.append(line)
        if len(line) < width * SHORT_LINE_FRACTION:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _article(cleaned: _Cleaned, *, url: str = "", empty_message: str = NO_TEXT_AFTER_CLEANING) -> CleanedArticle:
    """Build the record, refusing an empty body."""
    body = "\n\n".join(p for p in cleaned.paragraphs if p)
    if not body:
        raise InputRejected(empty_message)
    meta = cleaned.meta
    return CleanedArticle(
        body=body,
        title=WHITESPACE.sub(" ", meta.title).strip(),
        author=WHITESPACE.sub(" ", meta.author).strip(),
        outlet=WHITESPACE.sub(" ", meta.outlet).strip(),
        url=url,
        published=meta.published,
        removed_lines=cleaned.removed_lines,
        section=meta.section,
    )


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------


def _clean_plain(text: str) -> CleanedArticle:
    """Plain text: every rule, including outlet and title detection."""
    return _article(_clean_lines(text.split("\n"), _Mode()))


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------


def _clean_markdown(text: str) -> CleanedArticle:
    """Markdown: reduce the tokens to text lines, take the first level-one heading as title, then the text rules."""
    lines = text.split("\n")
    meta, lines = _front_matter(lines)
    converted, title_at = _demark(lines)
    find_title = title_at is None and not meta.title
    mode = _Mode(find_outlet=title_at is not None, find_title=find_title, title_at=title_at, join="block")
    return _article(_clean_lines(converted, mode, meta))


def _front_matter(lines: list[str]) -> tuple[_Meta, list[str]]:
    """Read and strip a YAML-style front-matter block (title/author/date/site) if present."""
    meta = _Meta()
    if not lines or not FRONT_MATTER_FENCE.fullmatch(lines[0]):
        return meta, lines
    for end in range(1, min(len(lines), MAX_FRONT_MATTER_LINES)):
        if FRONT_MATTER_END.fullmatch(lines[end]):
            break
    else:
        return meta, lines
    # A leading horizontal rule followed later by another is not front matter: demand key: value lines.
    if not all(FRONT_MATTER_LINE.fullmatch(line) for line in lines[1:end]):
        return meta, lines
    for line in lines[1:end]:
        match = FRONT_MATTER_FIELD.fullmatch(line.strip())
        if match:
            _apply_front_matter(meta, match.group("key").casefold(), match.group("value").strip().strip("\"'"))
    return meta, lines[end + 1 :]


def _apply_front_matter(meta: _Meta, key: str, value: str) -> None:
    """Copy one recognised front-matter field onto `meta`."""
    target = FRONT_MATTER_KEYS.get(key)
    if not target or not value:
        return
    if target == "published":
        meta.published = meta.published or _parse_date(value)
    elif not getattr(meta, target):
        setattr(meta, target, value)


def _demark(lines: list[str]) -> tuple[list[str], int | None]:
    """Plain lines from Markdown's token stream; return them and the index of the title heading.

    Every block starts a paragraph of its own, soft and hard breaks keep their lines (the line rules
    that follow look at lines), and the first level-one heading is the title.
    """
    out: list[str] = []
    title_at: int | None = None
    tokens = MARKDOWN.parse("\n".join(lines))
    for index, token in enumerate(tokens):
        if token.type == "fence":
            out.extend(["", *token.content.split("\n"), ""])
        elif token.type == "inline":
            text = _inline(token.children or []).split("\n")
            opener = tokens[index - 1]
            if opener.type != "heading_open":
                out.extend(["", *text])
                continue
            # A setext heading may run over several lines; only its last line is the heading.
            *before, heading = text
            if before:
                out.extend(["", *before])
            if opener.tag == "h1" and title_at is None and heading.strip():
                title_at = len(out) + 1
            out.extend(["", heading, ""])
    return out, title_at


def _inline(children: list[Token]) -> str:
    """The text of an inline token's children: markup, link targets, images and tags dropped."""
    parts: list[str] = []
    open_at: list[int] = []  # where each open emphasis sits in `parts`, to restore it if it stays literal
    for index, child in enumerate(children):
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind == "text_special":
            # Entities stay as written; only the escapes plain Markdown knows lose their backslash.
            escaped = child.info == "escape" and child.content in MARKDOWN_ESCAPABLE
            parts.append(child.content if escaped else child.markup)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "html_inline":
            parts.append("" if _is_tag(child.content) else child.content)
        elif kind.endswith("_open") and child.markup in EMPHASIS_MARKUP:
            open_at.append(len(parts))
            parts.append("")
        elif kind.endswith("_close") and child.markup in EMPHASIS_MARKUP and open_at:
            opened = open_at.pop()
            parts.append("")
            # "2*3*4" is arithmetic, not emphasis: a single star inside a word stays.
            if child.markup == "*" and (_word_before(parts, opened) or _word_after(children, index)):
                parts[opened] = parts[-1] = "*"
        # link_open/link_close and image tokens contribute nothing: the link text is its own children.
    return "".join(parts)


def _is_tag(html: str) -> bool:
    """An opening or closing tag such as `<b>` or `</span>`, not a comment or declaration."""
    name = html[2:3] if html.startswith("</") else html[1:2]
    return name.isalpha()


def _word_before(parts: list[str], index: int) -> bool:
    """True when the text before parts[index] ends in a word character or a star."""
    for j in range(index - 1, -1, -1):
        if parts[j]:
            return parts[j][-1].isalnum() or parts[j][-1] in "_*"
    return False


def _word_after(children: list[Token], index: int) -> bool:
    """True when the inline token after children[index] starts with a word character or a star."""
    following = children[index + 1] if index + 1 < len(children) else None
    text = following.content if following is not None and following.type == "text" else ""
    return bool(text) and (text[0].isalnum() or text[0] in "_*")


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------


@dataclass
class _HtmlExtraction:
    text: str = ""
    title: str = ""
    author: str = ""
    outlet: str = ""
    url: str = ""
    section: str = ""
    published: dt.date | None = None


def _clean_html(html: str) -> CleanedArticle:
    """HTML: trafilatura for body and metadata, a plain lxml walk as fallback, then the line rules."""
    html = SCRIPT_STYLE.sub(" ", html)
    extraction = _trafilatura_extract(html)
    lines = extraction.text.split("\n")
    if not any(line.strip() for line in lines):
        lines = _fallback_html_lines(html)
    meta = _Meta(
        title=extraction.title,
        author=extraction.author,
        outlet=_html_outlet(html, extraction),
        section=extraction.section,
        published=extraction.published,
    )
    title_at = _repeated_title_index(lines, extraction.title)
    # HTML has real structure: never promote a body paragraph to title by shape alone.
    mode = _Mode(find_outlet=False, find_title=False, title_at=title_at, join="line")
    return _article(_clean_lines(lines, mode, meta), url=extraction.url, empty_message=NO_TEXT_IN_HTML)


def _trafilatura_extract(html: str) -> _HtmlExtraction:
    """Body text (one paragraph per line) and metadata; precision first, recall as a retry."""
    import trafilatura  # heavy import; only HTML needs it

    document = None
    for favor_precision in (True, False):  # precision first, then recall
        try:
            extracted = trafilatura.bare_extraction(
                html,
                with_metadata=True,
                include_comments=False,
                include_tables=False,
                favor_precision=favor_precision,
                favor_recall=not favor_precision,
            )
            document = cast("Document | None", extracted)  # a dict only with as_dict=True
        except Exception:  # trafilatura surfaces assorted lxml errors on tag soup
            document = None
        if document is not None and (document.text or "").strip():
            break
    if document is None:
        return _HtmlExtraction()
    return _HtmlExtraction(
        text=document.text or "",
        title=document.title or "",
        author=document.author or "",
        outlet=document.sitename or "",
        url=document.url or "",
        # trafilatura fills categories from `article:section` and category links.
        section=(document.categories or [""])[0],
        published=_iso_date(document.date),
    )


def _html_outlet(html: str, extraction: _HtmlExtraction) -> str:
    """trafilatura's site name, unless it is only a hostname and the <title> names the outlet."""
    sitename = extraction.outlet
    if sitename and not HOSTNAME.fullmatch(sitename):
        return sitename
    return _outlet_from_title_tag(html, extraction.title) or sitename


def _outlet_from_title_tag(html: str, title: str) -> str:
    """The site name in "<title>Headline | Outlet</title>" when the headline part matches `title`."""
    match = TITLE_TAG.search(html, 0, TITLE_TAG_SEARCH_CHARS)
    if not match or not title:
        return ""
    full = " ".join(html_lib.unescape(match.group(1)).split())
    wanted = " ".join(title.split()).casefold()
    for separator in TITLE_SEPARATORS:
        headline, found, suffix = full.rpartition(separator)
        if found and headline.casefold() == wanted and _is_outlet_like(suffix):
            return suffix
    return ""


def _iso_date(value: str | None) -> dt.date | None:
    """Parse trafilatura's YYYY-MM-DD date string."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _fallback_html_lines(html: str) -> list[str]:
    """Text of block elements for pages trafilatura rejects (tiny pages, heavy soup)."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    if root.tag in FALLBACK_DROP_TAGS:
        return []
    for element in list(root.iter(*FALLBACK_DROP_TAGS)):
        element.drop_tree()
    # Mark block boundaries with a separator the source can't contain as layout: source
    # newlines inside a <p> are just wrapping and must not split the paragraph.
    for element in root.iter(*FALLBACK_BLOCK_TAGS):
        element.text = BLOCK_BREAK + (element.text or "")
        element.tail = BLOCK_BREAK + (element.tail or "")
    return [" ".join(block.split()) for block in root.text_content().split(BLOCK_BREAK)]


def _repeated_title_index(lines: list[str], title: str) -> int | None:
    """Index of the first body line when it merely repeats the title."""
    if not title:
        return None
    wanted = WHITESPACE.sub(" ", title).strip().casefold()
    for i, line in enumerate(lines):
        if line.strip():
            return i if WHITESPACE.sub(" ", line).strip().casefold() == wanted else None
    return None
