"""Strip page furniture from decoded article text and pull out its metadata.

HTML goes through trafilatura, Markdown is lightly de-marked, and plain text (often a
whole web page pasted as text) goes through conservative line rules. No Django here.
"""

from __future__ import annotations

import datetime as dt
import enum
import html as html_lib
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal, cast

from claims_app.nlp.records import CleanedArticle, InputRejected

if TYPE_CHECKING:
    from trafilatura.settings import Document

__all__ = ["NO_TEXT_AFTER_CLEANING", "NO_TEXT_IN_HTML", "clean_article", "detect_format"]

NO_TEXT_AFTER_CLEANING = "No article text found after removing page furniture."
NO_TEXT_IN_HTML = "No article text found in this HTML page."

Format = Literal["html", "markdown", "text"]
JoinMode = Literal["auto", "block", "line"]


def clean_article(text: str, *, filename: str = "") -> CleanedArticle:
    """Detect the format, remove boilerplate and return body plus metadata; raise if nothing is left."""
    text = _NEWLINES.sub("\n", text)
    fmt = detect_format(text, filename=filename)
    if fmt == "html":
        return _clean_html(text)
    if fmt == "markdown":
        return _clean_markdown(text)
    return _clean_plain(text)


# ---------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?")
_HTML_EXTENSIONS = frozenset({".htm", ".html", ".xhtml", ".shtml"})
_MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})
_SNIFF_CHARS = 20_000
_HTML_START = re.compile(r"(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,500}?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_HTML_TAG = re.compile(
    r"<(?:p|div|br|span|a|h[1-6]|article|section|body|html|head|title|meta|script|style|ul|ol|li|table|img"
    r"|strong|em|b|i|nav|header|footer)\b[^<>]{0,500}>",
    re.I,
)
_HTML_CLOSE = re.compile(r"</(?:p|div|span|a|h[1-6]|article|section|body|html|li|td|strong|em|b|i)\s*>", re.I)
_MARKDOWN_HEADING_START = re.compile(r"\A\s*#{1,6}[ \t]+\S")
_MARKDOWN_LINK = re.compile(r"\]\(https?://")


def detect_format(text: str, *, filename: str = "") -> Format:
    """Guess "html", "markdown" or "text" from the file extension, then from the content."""
    ext = PurePath(filename).suffix.lower() if filename else ""
    if ext in _HTML_EXTENSIONS:
        return "html"
    head = text[:_SNIFF_CHARS]
    if _HTML_START.match(head.lstrip()):
        return "html"
    if ext in _MARKDOWN_EXTENSIONS:
        return "markdown"
    # Several real tags plus a closing tag: page source saved as .txt or pasted.
    if len(_HTML_TAG.findall(head)) >= 3 and _HTML_CLOSE.search(head):
        return "html"
    if _MARKDOWN_HEADING_START.match(head) or len(_MARKDOWN_LINK.findall(head)) >= 2:
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


# Lines longer than this are always content: furniture is short, and it keeps the regexes cheap.
_MAX_FURNITURE_CHARS = 400
_WHITESPACE = re.compile(r"\s+")

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues",
        "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    }
)  # fmt: skip
_RELATIVE_DATE_WORDS = frozenset({"ago", "today", "yesterday"})
# Words allowed on a date-only line besides months/weekdays: time zones, "Updated", units...
_DATE_FILLER = frozenset(
    {
        "am", "pm", "a", "m", "p", "gmt", "utc", "bst", "cet", "cest", "eet", "eest", "est", "edt", "cst",
        "cdt", "pst", "pdt", "msk", "ist", "kyiv", "local", "time", "published", "updated", "posted",
        "modified", "last", "date", "on", "at", "of", "the", "th", "st", "nd", "rd", "t", "z", "hours",
        "hour", "hrs", "hr", "h", "minutes", "minute", "mins", "min", "seconds", "second", "secs", "sec",
        "just", "now", "day", "days", "week", "weeks",
    }
)  # fmt: skip
_DATE_LINE_CHARS = re.compile(r"[\w\s,.:/\-–—|()+'’]+")
_DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_MAX_DATE_LINE_CHARS = 60

_LABELS = frozenset(
    {
        "opinion", "analysis", "editorial", "commentary", "comment", "column", "columns", "blog", "blogs",
        "exclusive", "updated", "update", "breaking", "breaking news", "live", "live updates", "interview",
        "feature", "features", "explainer", "fact check", "news", "latest", "top news",
        "world", "politics", "economy", "business", "sport", "sports", "culture", "video",
        "videos", "photo", "photos", "gallery", "podcast", "advertisement", "advert", "ad", "sponsored",
        "sponsored content", "promoted", "partner content", "home", "menu", "search", "main", "review",
        "press release", "special report", "in depth", "investigation", "long read", "photo gallery",
        "watch", "listen", "correction", "clarification", "key points", "key facts", "at a glance", "in brief",
    }
)  # fmt: skip
# Labels that describe a story's status or the page, never the section it belongs to.
_NON_SECTION_LABELS = frozenset(
    {
        "exclusive", "updated", "update", "breaking", "breaking news", "live", "live updates", "latest",
        "top news", "advertisement", "advert", "ad", "sponsored", "sponsored content", "promoted",
        "partner content", "home", "menu", "search", "main", "watch", "listen", "correction", "clarification",
        "key points", "key facts", "at a glance", "in brief",
    }
)  # fmt: skip
_LABEL_STRIP = " \t:|•·-–—*#[]()"

_TRIGGER = re.compile(
    r"(?:read also|also read|read more|see also|more news|more stories|more on this|more from [\w'-]+(?: [\w'-]+){0,3}"
    r"|related(?: articles?| stories| news| content| coverage| posts| topics)?|tags?|topics|keywords"
    r"|most read|most popular|popular(?: now)?|trending(?: now)?|latest news|recommended(?: for you)?"
    r"|you (?:may|might) also like|editor'?s picks?|top stories|other news|news feed|all news)"
    r"\s*(?:[:|»›>–—-]\s*(?P<rest>.*))?",
    re.I,
)
_MAX_INLINE_TRIGGER_WORDS = 25

_NAME_PART = r"[A-Z][\w'’.-]*"
_NAME = rf"{_NAME_PART}(?:[ \t]+(?:{_NAME_PART}|de|da|di|del|der|van|von|bin|al|le|la|ten|ter))*"
_NAMES = rf"{_NAME}(?:[ \t]*(?:,|and|&)[ \t]*{_NAME})*"
_BYLINE = re.compile(
    rf"(?i:by|written by|words by|reporting by|author:?|authors:?)[ \t]+(?P<names>{_NAMES})"
    r"[ \t]*(?P<tail>(?:[,|•·–—-].*|[ \t](?:in|for|at)[ \t].*)?)"
)
# Wire credit at the foot of a story: "(Reporting by NAME and NAME; Editing by NAME)".
_REPORTING_CREDIT = re.compile(
    rf"\((?i:(?:additional )?reporting|writing|text|compiled) by[ \t]+(?P<names>{_NAMES})[ \t]*(?:[;,][^)]*)?\)"
)
# "Campus Chronicle · 12 March 2025 · by NAME": outlet, date and byline on one line.
_CREDIT_SEPARATOR = re.compile(r"[ \t]+[·|•—–][ \t]+")
_BY_SEGMENT = re.compile(rf"(?i:by)[ \t]+(?P<names>{_NAMES})")
_MAX_CREDIT_LINE_WORDS = 20
_MAX_BYLINE_WORDS = 15
# Capitalised words after "By" that start sentences rather than name people.
_NOT_NAMES = frozenset({*(m.title() for m in _MONTHS), *(d.title() for d in _WEEKDAYS)}) | {
    "Christmas", "Easter", "Then", "Now", "Contrast", "Comparison", "Law", "Order", "Decree", "Far", "Midnight",
    "Noon", "Mid", "Early", "Late", "The", "This", "That", "These", "Those", "Some", "Most", "All",
}  # fmt: skip
_BIO = re.compile(r"about the authors?\b[ \t]*[.:—–-]?[ \t]*(?P<rest>.*)", re.I)
_NAME_AT_START = re.compile(rf"(?P<name>{_NAME})[ \t]*(?:,|—|–|-|\(|\bis\b|\bwas\b|$)")

_SHARE_START = re.compile(
    r"(?:share|tweet|e-?mail|print|copy link|subscribe|sign up|follow|join|like us|download|get (?:the|our))\b", re.I
)
_SHARE_EXACT = frozenset(
    {
        "share", "share this", "share this article", "share article", "share story", "share this story",
        "tweet", "email", "e-mail", "print", "copy link", "subscribe", "subscribe now", "sign up",
        "follow us", "follow", "share via",
    }
)  # fmt: skip
_SOCIAL = re.compile(
    r"\b(?:facebook|twitter|telegram|whatsapp|viber|linkedin|instagram|youtube|tiktok|reddit|pinterest|threads"
    r"|bluesky|mastodon|newsletters?|channel|app|rss|google news|push notifications|updates|x)\b",
    re.I,
)
_MAX_BARE_SHARE_WORDS = 4
# "Follow our live coverage for updates. Sign up for our morning briefing." runs long.
_MAX_SHARE_WORDS = 20
_SHARE_SELF_WORDS = frozenset({"us", "our", "free", "here", "newsletter", "newsletters", "briefing"})
_SOCIAL_ONLY_WORDS = frozenset(
    {
        "facebook", "twitter", "telegram", "whatsapp", "viber", "linkedin", "instagram", "youtube", "tiktok",
        "reddit", "pinterest", "threads", "bluesky", "mastodon", "x", "email", "e-mail", "print", "share",
        "copy", "link", "on", "via", "messenger", "rss",
    }
)  # fmt: skip
_PLACEHOLDERS = (
    re.compile(r"\{\{.*\}\}|\{%.*%\}|\$\{[^}]*\}|%%?[A-Za-z_]+%%?|\[\[[^\]]*\]\]"),
    # Un-rendered template paths such as "client/title.list_title".
    re.compile(r"[a-z_][a-z0-9_]*(?:[./][a-z_][a-z0-9_]*)+"),
)
_JS_JUNK = frozenset({"undefined", "null", "nan", "[object object]", "loading", "loading...", "loading…", "true"})
_SOURCE_ALONE = re.compile(r"(?:sources?|via|source link|original source)[ \t]*:?", re.I)
_SOURCE_CREDIT = re.compile(r"sources?[ \t]*:[ \t]*\S.{0,60}", re.I)
_PHOTO_CREDIT = re.compile(
    r"(?:photo|photos|image|images|illustration|illustrative (?:photo|image)|credit|credits|collage|graphic|video"
    r"|photo credit|main photo|cover photo)(?:[ \t]*[:|/©][ \t]*.{0,80})?",
    re.I,
)
_MAX_CREDIT_WORDS = 10
_BULLET_MENU = re.compile(r"[•·▪►◦‣●■▶➤][ \t]*(?P<item>.*)")
_MAX_MENU_WORDS = 3
_NO_ALNUM = re.compile(r"[\W_]+")
_NAV_SEPARATOR = re.compile(r"[ \t]+[|•·/»›][ \t]+")
_NAV_HINTS = (" | ", " • ", " · ", " / ", " » ", " › ")
_DISCLAIMERS = (
    re.compile(
        r"editorial (?:staff|board|team|office|policy|position)\b.{0,60}\b(?:not|n[o’']t)\b.{0,40}\bshare", re.I
    ),
    re.compile(
        r"(?:views|opinions?|positions?) expressed\b.{0,120}\b(?:are (?:solely )?(?:those|the authors?)"
        r"|(?:do|does) not (?:necessarily )?(?:reflect|represent|coincide)|not necessarily|the author'?s? own)",
        re.I,
    ),
    re.compile(
        r"(?:do|does) not necessarily (?:reflect|represent|coincide with) the (?:views?|opinions?|position)", re.I
    ),
    re.compile(
        r"^this (?:article|story|piece|column|post) (?:was|is|has been) (?:originally |first )?"
        r"(?:published|produced|translated|written|compiled|updated|based) (?:by|in|on|for|with|from|to)\b",
        re.I,
    ),
    re.compile(
        r"\b(?:reproduction|republication|copying)\b.{0,80}\b(?:prohibited|forbidden|permitted only|without)", re.I
    ),
    re.compile(r"\bhyperlink to\b.{0,60}\bis (?:required|mandatory)", re.I),
)
_MAX_DISCLAIMER_WORDS = 60
# Cheap substring pre-check so the disclaimer patterns only run on lines that could match.
_DISCLAIMER_HINTS = ("editorial", "expressed", "necessarily", "reproduc", "republic", "copying", "hyperlink")
_MAX_SHORT_FURNITURE_WORDS = 12
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)|.*\ball rights reserved\b", re.I)
_MAX_COPYRIGHT_WORDS = 30
_COMMENTS = re.compile(
    r"(?:\d+[ \t]+)?comments?(?:[ \t]*\(\d+\))?|leave a (?:comment|reply)|log in to comment"
    r"|show comments|add (?:a )?comment",
    re.I,
)


def _classify(line: str) -> _Kind:
    """Classify one stripped line; anything not positively recognised is TEXT."""
    if not line:
        return _Kind.BLANK
    if len(line) > _MAX_FURNITURE_CHARS:
        return _Kind.TEXT
    if _is_date_line(line):
        return _Kind.DATE
    if line.strip(_LABEL_STRIP).casefold() in _LABELS:
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
    if len(line) > _MAX_DATE_LINE_CHARS or not _DATE_LINE_CHARS.fullmatch(line):
        return False
    anchored = bool(_CLOCK_TIME.search(line))
    for token in _DATE_TOKEN.findall(line):
        if token.isdigit():
            if len(token) > 4:
                return False
            anchored = anchored or (len(token) == 4 and bool(_YEAR.fullmatch(token)))
            continue
        word = token.casefold()
        if word in _MONTHS or word in _WEEKDAYS or word in _RELATIVE_DATE_WORDS:
            anchored = True
        elif word not in _DATE_FILLER:
            return False
    return anchored


def _is_trigger(line: str) -> bool:
    """True for "Read also:", "More news", "Tags: a, b" and similar list headers."""
    match = _TRIGGER.fullmatch(line)
    if not match:
        return False
    return _word_count(match.group("rest") or "") <= _MAX_INLINE_TRIGGER_WORDS


def _byline_names(line: str) -> str:
    """The names in a "By NAME" byline, or "" when the line is not a byline."""
    if _word_count(line) > _MAX_BYLINE_WORDS:
        return ""
    match = _BYLINE.fullmatch(line)
    if not match:
        return ""
    names = match.group("names").strip(" \t,")
    first = names.split()[0].strip(".,")
    if first in _NOT_NAMES:
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
    if _word_count(line) > _MAX_CREDIT_LINE_WORDS:
        return None
    names = _byline_names(line)
    if names:
        return _Credit(author=names)
    match = _REPORTING_CREDIT.fullmatch(line)
    if match:
        return _Credit(author=match.group("names").strip())
    return _combined_credit(line)


def _combined_credit(line: str) -> _Credit | None:
    """Separator-joined outlet/section/date/byline segments, at least one of them a date or byline."""
    parts = [part.strip() for part in _CREDIT_SEPARATOR.split(line)]
    if len(parts) < 2:
        return None
    author = outlet = section = ""
    dated = False
    for part in parts:
        by = _BY_SEGMENT.fullmatch(part)
        if _is_date_line(part):
            dated = True
        elif by and not author and by.group("names").split()[0] not in _NOT_NAMES:
            author = by.group("names")
        elif part.strip(_LABEL_STRIP).casefold() in _LABELS and not section:
            section = _section_label(part)
        elif _is_outlet_like(part) and not outlet:
            outlet = part
        else:
            return None
    return _Credit(author, outlet, section) if dated or author else None


def _is_bio(line: str) -> bool:
    """A bare "About the author" heading, or one followed by a name ("About the author. NAME, ...")."""
    match = _BIO.fullmatch(line)
    if not match:
        return False
    rest = match.group("rest").strip()
    # "About the author of the report, little is known." is a sentence, not a bio.
    return not rest or bool(_name_at_start(rest))


def _is_furniture(line: str) -> bool:
    """Share buttons, placeholders, credits, menus, disclaimers, copyright and similar page furniture."""
    words = _word_count(line)
    # The short-line rules are the bulk of the work; skipping them for prose keeps a 5 MB page fast.
    if words <= _MAX_SHORT_FURNITURE_WORDS and _is_short_furniture(line, words):
        return True
    if words <= _MAX_SHARE_WORDS and _is_share_line(line, line.casefold()):
        return True
    if words > _MAX_SHORT_FURNITURE_WORDS and any(sep in line for sep in _NAV_HINTS) and _is_menu_line(line):
        return True
    return _is_disclaimer(line, words) or (words <= _MAX_COPYRIGHT_WORDS and bool(_COPYRIGHT.match(line)))


def _is_short_furniture(line: str, words: int) -> bool:
    """Rules that only ever apply to lines of a dozen words or fewer."""
    folded = line.casefold()
    return (
        _is_share_line(line, folded)
        or _is_placeholder(line, folded)
        or bool(_SOURCE_ALONE.fullmatch(line))
        or _is_credit_line(line, words)
        or _is_menu_line(line)
        or bool(_COMMENTS.fullmatch(line))
    )


def _is_credit_line(line: str, words: int) -> bool:
    """Credit lines ("Source: Agency", "Photo: NAME/Agency"); a sentence ending in a period is prose."""
    if words > _MAX_CREDIT_WORDS or _ends_clause(line):
        return False
    return bool(_SOURCE_CREDIT.fullmatch(line) or _PHOTO_CREDIT.fullmatch(line))


def _is_disclaimer(line: str, words: int) -> bool:
    """Editorial disclaimers such as "The editorial staff does not always share the opinions..."."""
    if words > _MAX_DISCLAIMER_WORDS:
        return False
    folded = line.casefold()
    if not folded.startswith("this ") and not any(hint in folded for hint in _DISCLAIMER_HINTS):
        return False
    return any(rx.search(line) for rx in _DISCLAIMERS)


def _is_share_line(line: str, folded: str) -> bool:
    """Share/subscribe/follow lines ("Share on Facebook", "Follow us on Telegram") and bare social links."""
    if folded.strip(" :.!") in _SHARE_EXACT:
        return True
    tokens = folded.replace(",", " ").replace("|", " ").split()
    if tokens and all(token in _SOCIAL_ONLY_WORDS for token in tokens):
        return True
    if not (_SHARE_START.match(line) and _SOCIAL.search(line)):
        return False
    # "Join the protest on Telegram, organisers urged." is news; furniture talks about us/our, or says "Share".
    return (
        len(tokens) <= _MAX_BARE_SHARE_WORDS
        or folded.startswith("share")
        or any(token.strip(".,!:") in _SHARE_SELF_WORDS for token in tokens)
    )


def _is_placeholder(line: str, folded: str) -> bool:
    """Un-rendered template text such as `{{ title }}` or `client/title.list_title`."""
    if folded in _JS_JUNK:
        return True
    return any(rx.fullmatch(line) for rx in _PLACEHOLDERS)


def _is_menu_line(line: str) -> bool:
    """Bullet-only menu items ("• News"), separator-only lines and "Home | News | Sport" nav bars."""
    if _NO_ALNUM.fullmatch(line):
        return True
    bullet = _BULLET_MENU.fullmatch(line)
    if bullet and _word_count(bullet.group("item")) <= _MAX_MENU_WORDS and not line.endswith("."):
        return True
    parts = _NAV_SEPARATOR.split(line)
    return len(parts) >= 3 and all(0 < _word_count(part) <= _MAX_MENU_WORDS for part in parts)


# ---------------------------------------------------------------------------
# Shape tests for titles, outlets and headline lists
# ---------------------------------------------------------------------------

_OPENING_QUOTES = "\"'“‘«„"
_CLOSING_QUOTES = "\"'”’»“"
_TRAILING_CLOSERS = "\"'”’»)]"
_MAX_TITLE_WORDS = 20
_MAX_TITLE_CHARS = 200
_MAX_OUTLET_WORDS = 5
_MAX_OUTLET_CHARS = 40
_MAX_HEADLINE_WORDS = 25
_MAX_HEADLINE_CHARS = 220
_OUTLET_SMALL_WORDS = frozenset({"of", "the", "and", "&", "de", "la", "for", "on", "in", "-", "–", "|"})


def _is_quoted_paragraph(line: str) -> bool:
    """A line wrapped in quotes is a quotation: content, however short."""
    return len(line) >= 2 and line[0] in _OPENING_QUOTES and line[-1] in _CLOSING_QUOTES


def _ends_clause(line: str) -> bool:
    """True when the line ends like prose (period, comma, colon, semicolon), ignoring closing quotes."""
    core = line.rstrip(_TRAILING_CLOSERS)
    return bool(core) and core[-1] in ".,;:"


def _is_headline_like(line: str) -> bool:
    """Short, unpunctuated line such as a headline in a list of links."""
    return (
        len(line) <= _MAX_HEADLINE_CHARS
        and _word_count(line) <= _MAX_HEADLINE_WORDS
        and not _ends_clause(line)
        and not _is_quoted_paragraph(line)
    )


def _is_title_like(line: str) -> bool:
    """Short line without a final period that doesn't start mid-sentence."""
    return (
        len(line) <= _MAX_TITLE_CHARS
        and _word_count(line) <= _MAX_TITLE_WORDS
        and not _ends_clause(line)
        and not _is_quoted_paragraph(line)
        and not line[0].islower()
        and any(ch.isalpha() for ch in line)
    )


def _is_outlet_like(line: str) -> bool:
    """A masthead such as "Daily Harbour Gazette" or "Espreso. Global": a few capitalised words."""
    words = line.split()
    if not 0 < len(words) <= _MAX_OUTLET_WORDS or len(line) > _MAX_OUTLET_CHARS or line[-1] in ".,;:!?":
        return False
    return all(word[0].isupper() or word[0].isdigit() or word.casefold() in _OUTLET_SMALL_WORDS for word in words)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTH_NAME = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTH_NAME},?[ \t]+(?P<year>(?:19|20)\d\d)\b", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH_NAME}[ \t]+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<year>(?:19|20)\d\d)\b", re.I
)
_NUMERIC_DATE = re.compile(r"\b(?P<first>\d{1,2})[./-](?P<second>\d{1,2})[./-](?P<year>(?:19|20)\d\d)\b")
_MAX_DATE_ATTEMPTS = 5


def _parse_date(line: str) -> dt.date | None:
    """A full calendar date (day, month and year) in `line`, or None."""
    for pattern in (_ISO_DATE, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(line)
        if match:
            month = match.group("month")
            month_number = int(month) if month.isdigit() else _MONTHS[month.casefold()]
            return _safe_date(int(match.group("year")), month_number, int(match.group("day")))
    match = _NUMERIC_DATE.search(line)
    if match:
        first, second = int(match.group("first")), int(match.group("second"))
        # Day-first is the norm outside the US; only flip when day-first is impossible.
        day, month = (second, first) if first <= 12 < second else (first, second)
        return _safe_date(int(match.group("year")), month, day)
    return _dateparser_date(line) if _YEAR.search(line) else None


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
    _read_dateline(paragraphs[:_DATELINE_PARAGRAPHS], meta)
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
    label = line.strip(_LABEL_STRIP)
    if _BULLET_MENU.fullmatch(line) or label.casefold() in _NON_SECTION_LABELS:
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


_MAX_BIO_WORDS = 80


def _remove_bio_paragraphs(lines: _Lines) -> None:
    """A bare "About the author" heading takes the short bio paragraph after it along."""
    for i, kind in enumerate(lines.kinds):
        if kind is not _Kind.BIO or _bio_rest(lines.text[i]):
            continue
        j = lines.next_significant(i)
        if j is not None and lines.kinds[j] is _Kind.TEXT and _word_count(lines.text[j]) <= _MAX_BIO_WORDS:
            lines.removed[j] = True
            lines.kinds[j] = _Kind.BIO


def _bio_rest(line: str) -> str:
    """Text after "About the author" on the same line."""
    match = _BIO.match(line)
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


_MIN_DATES_IN_RUN = 2
_RUN_ANCHORS = (_Kind.DATE, _Kind.LABEL)
# A kicker plus a headline ("Russian hacker" / "Hackers hit grid") may follow one timestamp.
_MAX_TEXT_AFTER_ANCHOR = 2


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
    if sum(1 for i in run if lines.kinds[i] is _Kind.DATE) < _MIN_DATES_IN_RUN:
        return
    # Lists put the time (and maybe a label) first, then the headline; a line *before* the
    # first timestamp is more likely the article's last paragraph, so it is never touched.
    since_anchor: int | None = None
    for i in run:
        kind = lines.kinds[i]
        if kind in _RUN_ANCHORS:
            since_anchor = 0
        elif kind is _Kind.TEXT and since_anchor is not None:
            if since_anchor < _MAX_TEXT_AFTER_ANCHOR:
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
    match = _NAME_AT_START.match(text)
    if not match:
        return ""
    name = match.group("name").rstrip(".")
    return name if name.split()[0] not in _NOT_NAMES else ""


# "SALTMERE, March 4 (Nordwire) - ..." opening a wire story: the agency is the outlet.
_DATELINE = re.compile(
    r"(?P<place>[A-Z][\w'’. -]{1,40}),[ \t]+(?P<when>[^()\n]{1,40}?)[ \t]+\((?P<outlet>[A-Z][^()\n]{1,40})\)[ \t]*[-—–]"
)
_DATELINE_PARAGRAPHS = 2


def _read_dateline(paragraphs: list[str], meta: _Meta) -> None:
    """Fill outlet and date from a wire dateline; the paragraph itself is left untouched."""
    for paragraph in paragraphs:
        match = _DATELINE.match(paragraph)
        if match and any(ch.isdigit() for ch in match.group("when")):
            meta.outlet = meta.outlet or match.group("outlet").strip()
            meta.published = meta.published or _parse_date(match.group("when"))
            return


def _find_published(lines: _Lines) -> dt.date | None:
    """First full date on a date or byline line before any "Read also"-style list."""
    attempts = 0
    for line, kind in zip(lines.text, lines.kinds, strict=True):
        if kind is _Kind.TRIGGER or attempts >= _MAX_DATE_ATTEMPTS:
            break
        if kind in (_Kind.DATE, _Kind.BYLINE):
            attempts += 1
            parsed = _parse_date(line)
            if parsed:
                return parsed
    return None


_MIN_WRAP_WIDTH = 40
_MAX_WRAP_WIDTH = 100
_MAX_WRAPPED_SENTENCE_END_RATIO = 0.5
# In wrapped text only a paragraph's last line (or a subheading) falls well short of the width.
_SHORT_LINE_FRACTION = 0.6


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
    sentence_ends = sum(1 for line in inner if line.rstrip(_TRAILING_CLOSERS)[-1:] in (".", "!", "?", "…"))
    median = sorted(len(line) for line in inner)[len(inner) // 2]
    if not _MIN_WRAP_WIDTH <= median <= _MAX_WRAP_WIDTH:
        return None
    return median if sentence_ends / len(inner) < _MAX_WRAPPED_SENTENCE_END_RATIO else None


def _unwrap(block: list[str], width: int) -> list[str]:
    """Re-join wrapped lines, ending a paragraph after any clearly short line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in block:
        current.append(line)
        if len(line) < width * _SHORT_LINE_FRACTION:
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
        title=_WHITESPACE.sub(" ", meta.title).strip(),
        author=_WHITESPACE.sub(" ", meta.author).strip(),
        outlet=_WHITESPACE.sub(" ", meta.outlet).strip(),
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

_FRONT_MATTER_FENCE = re.compile(r"-{3}\s*")
_FRONT_MATTER_END = re.compile(r"(?:-{3}|\.{3})\s*")
_FRONT_MATTER_FIELD = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)")
_FRONT_MATTER_LINE = re.compile(r"\s*|[A-Za-z_][\w-]*\s*:.*|\s+\S.*|-\s.*|#.*")
_MAX_FRONT_MATTER_LINES = 60
_CODE_FENCE = re.compile(r"\s*(?:`{3,}|~{3,}).*")
_HORIZONTAL_RULE = re.compile(r"\s*(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})")
_SETEXT_H1 = re.compile(r"\s*=+\s*")
_SETEXT_H2 = re.compile(r"\s*-+\s*")
_ATX_HEADING = re.compile(r"\s{0,3}(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*")
_REFERENCE_DEFINITION = re.compile(r"\s{0,3}\[[^\]]{1,200}\]:\s+\S.*")
_BLOCKQUOTE = re.compile(r"^(?:\s{0,3}>[ \t]?)+")
_LIST_ITEM = re.compile(r"\s{0,8}(?:[-*+]|\d{1,3}[.)])[ \t]+(?P<text>.*)")
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)"), ""),  # images go entirely
    (re.compile(r"!\[[^\]\n]{0,500}\]\[[^\]\n]{0,200}\]"), ""),
    (re.compile(r"\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"\[([^\]\n]{1,500})\]\[[^\]\n]{0,200}\]"), r"\1"),  # [text][ref] -> text
    (re.compile(r"<(https?://[^>\s]{1,2000})>"), r"\1"),
    (re.compile(r"`{1,3}([^`\n]{1,500})`{1,3}"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.{1,500}?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.{1,500}?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)(.{1,500}?)(?<=\S)~~"), r"\1"),
    (re.compile(r"</?[A-Za-z][^<>\n]{0,500}>"), ""),  # stray inline HTML tags
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),  # backslash escapes
)
_FRONT_MATTER_KEYS = {
    "title": "title", "author": "author", "authors": "author", "byline": "author", "date": "published",
    "published": "published", "publish_date": "published", "site": "outlet", "outlet": "outlet",
    "publication": "outlet", "source": "outlet", "section": "section", "category": "section",
}  # fmt: skip


def _clean_markdown(text: str) -> CleanedArticle:
    """Markdown: de-mark lightly, take the first '# ' heading as title, then apply the text rules."""
    lines = text.split("\n")
    meta, lines = _front_matter(lines)
    converted, title_at = _demark(lines)
    find_title = title_at is None and not meta.title
    mode = _Mode(find_outlet=title_at is not None, find_title=find_title, title_at=title_at, join="block")
    return _article(_clean_lines(converted, mode, meta))


def _front_matter(lines: list[str]) -> tuple[_Meta, list[str]]:
    """Read and strip a YAML-style front-matter block (title/author/date/site) if present."""
    meta = _Meta()
    if not lines or not _FRONT_MATTER_FENCE.fullmatch(lines[0]):
        return meta, lines
    for end in range(1, min(len(lines), _MAX_FRONT_MATTER_LINES)):
        if _FRONT_MATTER_END.fullmatch(lines[end]):
            break
    else:
        return meta, lines
    # A leading horizontal rule followed later by another is not front matter: demand key: value lines.
    if not all(_FRONT_MATTER_LINE.fullmatch(line) for line in lines[1:end]):
        return meta, lines
    for line in lines[1:end]:
        match = _FRONT_MATTER_FIELD.fullmatch(line.strip())
        if match:
            _apply_front_matter(meta, match.group("key").casefold(), match.group("value").strip().strip("\"'"))
    return meta, lines[end + 1 :]


def _apply_front_matter(meta: _Meta, key: str, value: str) -> None:
    """Copy one recognised front-matter field onto `meta`."""
    target = _FRONT_MATTER_KEYS.get(key)
    if not target or not value:
        return
    if target == "published":
        meta.published = meta.published or _parse_date(value)
    elif not getattr(meta, target):
        setattr(meta, target, value)


def _demark(lines: list[str]) -> tuple[list[str], int | None]:
    """Strip Markdown syntax line by line; return the new lines and the index of the title heading."""
    out: list[str] = []
    title_at: int | None = None
    in_fence = False
    for line in lines:
        if _CODE_FENCE.fullmatch(line):
            in_fence = not in_fence
            out.append("")
            continue
        if in_fence:
            out.append(line)
            continue
        previous_is_text = bool(out and out[-1].strip())
        if previous_is_text and (_SETEXT_H1.fullmatch(line) or _SETEXT_H2.fullmatch(line)):
            # The previous line was a setext heading: give it a paragraph of its own.
            out.insert(len(out) - 1, "")
            if _SETEXT_H1.fullmatch(line) and title_at is None:
                title_at = len(out) - 1
            out.append("")
            continue
        if _HORIZONTAL_RULE.fullmatch(line) or _REFERENCE_DEFINITION.fullmatch(line):
            out.append("")
            continue
        heading = _ATX_HEADING.fullmatch(line)
        if heading:
            if len(heading.group("hashes")) == 1 and title_at is None:
                title_at = len(out) + 1
            out.extend(["", _inline(heading.group("text")), ""])
            continue
        line = _BLOCKQUOTE.sub("", line)
        item = _LIST_ITEM.fullmatch(line)
        if item:
            out.extend(["", _inline(item.group("text"))])
            continue
        out.append(_inline(line))
    return out, title_at


def _inline(text: str) -> str:
    """Remove inline Markdown: images, links, code, emphasis, stray tags, escapes."""
    for pattern, replacement in _INLINE_RULES:
        text = pattern.sub(replacement, text)
    return text


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

# Never trust an extractor with script/style bodies: remove them before anything else sees the page.
_SCRIPT_STYLE = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_FALLBACK_DROP_TAGS = (
    "script", "style", "noscript", "template", "head", "nav", "footer", "aside", "form", "iframe", "svg",
    "button", "select", "object", "embed",
)  # fmt: skip
_TITLE_TAG = re.compile(r"<title\b[^>]*>(.{0,1000}?)</title\s*>", re.I | re.S)
_TITLE_TAG_SEARCH_CHARS = 200_000
# trafilatura falls back to the canonical URL's host ("gazette.example") when a page names no site.
_HOSTNAME = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}", re.I)
_TITLE_SEPARATORS = (" | ", " — ", " – ", " - ", " :: ", " · ")
_BLOCK_BREAK = "\u2029"
_FALLBACK_BLOCK_TAGS = (
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article",
    "pre", "dd", "dt", "figcaption", "header", "main", "table", "ul", "ol", "td", "th",
)  # fmt: skip


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
    html = _SCRIPT_STYLE.sub(" ", html)
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
    if sitename and not _HOSTNAME.fullmatch(sitename):
        return sitename
    return _outlet_from_title_tag(html, extraction.title) or sitename


def _outlet_from_title_tag(html: str, title: str) -> str:
    """The site name in "<title>Headline | Outlet</title>" when the headline part matches `title`."""
    match = _TITLE_TAG.search(html, 0, _TITLE_TAG_SEARCH_CHARS)
    if not match or not title:
        return ""
    full = " ".join(html_lib.unescape(match.group(1)).split())
    wanted = " ".join(title.split()).casefold()
    for separator in _TITLE_SEPARATORS:
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
    if root.tag in _FALLBACK_DROP_TAGS:
        return []
    for element in list(root.iter(*_FALLBACK_DROP_TAGS)):
        element.drop_tree()
    # Mark block boundaries with a separator the source can't contain as layout: source
    # newlines inside a <p> are just wrapping and must not split the paragraph.
    for element in root.iter(*_FALLBACK_BLOCK_TAGS):
        element.text = _BLOCK_BREAK + (element.text or "")
        element.tail = _BLOCK_BREAK + (element.tail or "")
    return [" ".join(block.split()) for block in root.text_content().split(_BLOCK_BREAK)]


def _repeated_title_index(lines: list[str], title: str) -> int | None:
    """Index of the first body line when it merely repeats the title."""
    if not title:
        return None
    wanted = _WHITESPACE.sub(" ", title).strip().casefold()
    for i, line in enumerate(lines):
        if line.strip():
            return i if _WHITESPACE.sub(" ", line).strip().casefold() == wanted else None
    return None
