"""Word lists, patterns and limits the cleaner reads; the rules that use them are in article.py.

Kept apart from the logic (as trafilatura keeps its xpaths apart from its extractor): a new share-button
wording, outlet label or date filler is a change to a table here, not to the rules.
"""

from __future__ import annotations

import re

NEWLINES = re.compile(r"\r\n?")

HTML_EXTENSIONS = frozenset({".htm", ".html", ".xhtml", ".shtml"})

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})

SNIFF_CHARS = 20_000

HTML_START = re.compile(r"(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,500}?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)

HTML_TAG = re.compile(
    r"<(?:p|div|br|span|a|h[1-6]|article|section|body|html|head|title|meta|script|style|ul|ol|li|table|img"
    r"|strong|em|b|i|nav|header|footer)\b[^<>]{0,500}>",
    re.I,
)

HTML_CLOSE = re.compile(r"</(?:p|div|span|a|h[1-6]|article|section|body|html|li|td|strong|em|b|i)\s*>", re.I)

MARKDOWN_HEADING_START = re.compile(r"\A\s*#{1,6}[ \t]+\S")

MARKDOWN_LINK = re.compile(r"\]\(https?://")

# Lines longer than this are always content: furniture is short, and it keeps the regexes cheap.
MAX_FURNITURE_CHARS = 400

WHITESPACE = re.compile(r"\s+")

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

WEEKDAYS = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues",
        "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    }
)  # fmt: skip

RELATIVE_DATE_WORDS = frozenset({"ago", "today", "yesterday"})

# Words allowed on a date-only line besides months/weekdays: time zones, "Updated", units...
DATE_FILLER = frozenset(
    {
        "am", "pm", "a", "m", "p", "gmt", "utc", "bst", "cet", "cest", "eet", "eest", "est", "edt", "cst",
        "cdt", "pst", "pdt", "msk", "ist", "kyiv", "local", "time", "published", "updated", "posted",
        "modified", "last", "date", "on", "at", "of", "the", "th", "st", "nd", "rd", "t", "z", "hours",
        "hour", "hrs", "hr", "h", "minutes", "minute", "mins", "min", "seconds", "second", "secs", "sec",
        "just", "now", "day", "days", "week", "weeks",
    }
)  # fmt: skip

DATE_LINE_CHARS = re.compile(r"[\w\s,.:/\-–—|()+'’]+")

DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")

CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")

YEAR = re.compile(r"(?:19|20)\d\d")

MAX_DATE_LINE_CHARS = 60

LABELS = frozenset(
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
NON_SECTION_LABELS = frozenset(
    {
        "exclusive", "updated", "update", "breaking", "breaking news", "live", "live updates", "latest",
        "top news", "advertisement", "advert", "ad", "sponsored", "sponsored content", "promoted",
        "partner content", "home", "menu", "search", "main", "watch", "listen", "correction", "clarification",
        "key points", "key facts", "at a glance", "in brief",
    }
)  # fmt: skip

LABEL_STRIP = " \t:|•·-–—*#[]()"

TRIGGER = re.compile(
    r"(?:read also|also read|read more|see also|more news|more stories|more on this|more from [\w'-]+(?: [\w'-]+){0,3}"
    r"|related(?: articles?| stories| news| content| coverage| posts| topics)?|tags?|topics|keywords"
    r"|most read|most popular|popular(?: now)?|trending(?: now)?|latest news|recommended(?: for you)?"
    r"|you (?:may|might) also like|editor'?s picks?|top stories|other news|news feed|all news)"
    r"\s*(?:[:|»›>–—-]\s*(?P<rest>.*))?",
    re.I,
)

MAX_INLINE_TRIGGER_WORDS = 25

NAME_PART = r"[A-Z][\w'’.-]*"

NAME = rf"{NAME_PART}(?:[ \t]+(?:{NAME_PART}|de|da|di|del|der|van|von|bin|al|le|la|ten|ter))*"

NAMES = rf"{NAME}(?:[ \t]*(?:,|and|&)[ \t]*{NAME})*"

BYLINE = re.compile(
    rf"(?i:by|written by|words by|reporting by|author:?|authors:?)[ \t]+(?P<names>{NAMES})"
    r"[ \t]*(?P<tail>(?:[,|•·–—-].*|[ \t](?:in|for|at)[ \t].*)?)"
)

# Wire credit at the foot of a story: "(Reporting by NAME and NAME; Editing by NAME)".
REPORTING_CREDIT = re.compile(
    rf"\((?i:(?:additional )?reporting|writing|text|compiled) by[ \t]+(?P<names>{NAMES})[ \t]*(?:[;,][^)]*)?\)"
)

# "Campus Chronicle · 12 March 2025 · by NAME": outlet, date and byline on one line.
CREDIT_SEPARATOR = re.compile(r"[ \t]+[·|•—–][ \t]+")

BY_SEGMENT = re.compile(rf"(?i:by)[ \t]+(?P<names>{NAMES})")

MAX_CREDIT_LINE_WORDS = 20

MAX_BYLINE_WORDS = 15

# Capitalised words after "By" that start sentences rather than name people.
NOT_NAMES = frozenset({*(m.title() for m in MONTHS), *(d.title() for d in WEEKDAYS)}) | {
    "Christmas", "Easter", "Then", "Now", "Contrast", "Comparison", "Law", "Order", "Decree", "Far", "Midnight",
    "Noon", "Mid", "Early", "Late", "The", "This", "That", "These", "Those", "Some", "Most", "All",
}  # fmt: skip

BIO = re.compile(r"about the authors?\b[ \t]*[.:—–-]?[ \t]*(?P<rest>.*)", re.I)

NAME_AT_START = re.compile(rf"(?P<name>{NAME})[ \t]*(?:,|—|–|-|\(|\bis\b|\bwas\b|$)")

SHARE_START = re.compile(
    r"(?:share|tweet|e-?mail|print|copy link|subscribe|sign up|follow|join|like us|download|get (?:the|our))\b", re.I
)

SHARE_EXACT = frozenset(
    {
        "share", "share this", "share this article", "share article", "share story", "share this story",
        "tweet", "email", "e-mail", "print", "copy link", "subscribe", "subscribe now", "sign up",
        "follow us", "follow", "share via",
    }
)  # fmt: skip

SOCIAL = re.compile(
    r"\b(?:facebook|twitter|telegram|whatsapp|viber|linkedin|instagram|youtube|tiktok|reddit|pinterest|threads"
    r"|bluesky|mastodon|newsletters?|channel|app|rss|google news|push notifications|updates|x)\b",
    re.I,
)

MAX_BARE_SHARE_WORDS = 4

# "Follow our live coverage for updates. Sign up for our morning briefing." runs long.
MAX_SHARE_WORDS = 20

SHARE_SELF_WORDS = frozenset({"us", "our", "free", "here", "newsletter", "newsletters", "briefing"})

SOCIAL_ONLY_WORDS = frozenset(
    {
        "facebook", "twitter", "telegram", "whatsapp", "viber", "linkedin", "instagram", "youtube", "tiktok",
        "reddit", "pinterest", "threads", "bluesky", "mastodon", "x", "email", "e-mail", "print", "share",
        "copy", "link", "on", "via", "messenger", "rss",
    }
)  # fmt: skip

PLACEHOLDERS = (
    re.compile(r"\{\{.*\}\}|\{%.*%\}|\$\{[^}]*\}|%%?[A-Za-z_]+%%?|\[\[[^\]]*\]\]"),
    # Un-rendered template paths such as "client/title.list_title".
    re.compile(r"[a-z_][a-z0-9_]*(?:[./][a-z_][a-z0-9_]*)+"),
)

JS_JUNK = frozenset({"undefined", "null", "nan", "[object object]", "loading", "loading...", "loading…", "true"})

SOURCE_ALONE = re.compile(r"(?:sources?|via|source link|original source)[ \t]*:?", re.I)

SOURCE_CREDIT = re.compile(r"sources?[ \t]*:[ \t]*\S.{0,60}", re.I)

PHOTO_CREDIT = re.compile(
    r"(?:photo|photos|image|images|illustration|illustrative (?:photo|image)|credit|credits|collage|graphic|video"
    r"|photo credit|main photo|cover photo)(?:[ \t]*[:|/©][ \t]*.{0,80})?",
    re.I,
)

MAX_CREDIT_WORDS = 10

BULLET_MENU = re.compile(r"[•·▪►◦‣●■▶➤][ \t]*(?P<item>.*)")

MAX_MENU_WORDS = 3

NO_ALNUM = re.compile(r"[\W_]+")

NAV_SEPARATOR = re.compile(r"[ \t]+[|•·/»›][ \t]+")

NAV_HINTS = (" | ", " • ", " · ", " / ", " » ", " › ")

DISCLAIMERS = (
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

MAX_DISCLAIMER_WORDS = 60

# Cheap substring pre-check so the disclaimer patterns only run on lines that could match.
DISCLAIMER_HINTS = ("editorial", "expressed", "necessarily", "reproduc", "republic", "copying", "hyperlink")

MAX_SHORT_FURNITURE_WORDS = 12

COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)|.*\ball rights reserved\b", re.I)

MAX_COPYRIGHT_WORDS = 30

COMMENTS = re.compile(
    r"(?:\d+[ \t]+)?comments?(?:[ \t]*\(\d+\))?|leave a (?:comment|reply)|log in to comment"
    r"|show comments|add (?:a )?comment",
    re.I,
)

OPENING_QUOTES = "\"'“‘«„"

CLOSING_QUOTES = "\"'”’»“"

TRAILING_CLOSERS = "\"'”’»)]"

MAX_TITLE_WORDS = 20

MAX_TITLE_CHARS = 200

MAX_OUTLET_WORDS = 5

MAX_OUTLET_CHARS = 40

MAX_HEADLINE_WORDS = 25

MAX_HEADLINE_CHARS = 220

OUTLET_SMALL_WORDS = frozenset({"of", "the", "and", "&", "de", "la", "for", "on", "in", "-", "–", "|"})

MONTH_NAME = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")

DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{MONTH_NAME},?[ \t]+(?P<year>(?:19|20)\d\d)\b", re.I
)

MONTH_DAY_YEAR = re.compile(
    rf"\b{MONTH_NAME}[ \t]+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<year>(?:19|20)\d\d)\b", re.I
)

NUMERIC_DATE = re.compile(r"\b(?P<first>\d{1,2})[./-](?P<second>\d{1,2})[./-](?P<year>(?:19|20)\d\d)\b")

MAX_DATE_ATTEMPTS = 5

MAX_BIO_WORDS = 80

MIN_DATES_IN_RUN = 2

# A kicker plus a headline ("Russian hacker" / "Hackers hit grid") may follow one timestamp.
MAX_TEXT_AFTER_ANCHOR = 2

# "SALTMERE, March 4 (Nordwire) - ..." opening a wire story: the agency is the outlet.
DATELINE = re.compile(
    r"(?P<place>[A-Z][\w'’. -]{1,40}),[ \t]+(?P<when>[^()\n]{1,40}?)[ \t]+\((?P<outlet>[A-Z][^()\n]{1,40})\)[ \t]*[-—–]"
)

DATELINE_PARAGRAPHS = 2

MIN_WRAP_WIDTH = 40

MAX_WRAP_WIDTH = 100

MAX_WRAPPED_SENTENCE_END_RATIO = 0.5

# In wrapped text only a paragraph's last line (or a subheading) falls well short of the width.
SHORT_LINE_FRACTION = 0.6

FRONT_MATTER_FENCE = re.compile(r"-{3}\s*")

FRONT_MATTER_END = re.compile(r"(?:-{3}|\.{3})\s*")

FRONT_MATTER_FIELD = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)")

FRONT_MATTER_LINE = re.compile(r"\s*|[A-Za-z_][\w-]*\s*:.*|\s+\S.*|-\s.*|#.*")

MAX_FRONT_MATTER_LINES = 60

# Backslash escapes that lose their backslash; any other "\\x" stays as written, as it always has.
MARKDOWN_ESCAPABLE = frozenset("\\`*_{}[]()#+-.!>~|")

# Markup of the emphasis tokens (em, strong, s) whose delimiters are dropped.
EMPHASIS_MARKUP = frozenset({"*", "_", "**", "__", "~~"})

FRONT_MATTER_KEYS = {
    "title": "title", "author": "author", "authors": "author", "byline": "author", "date": "published",
    "published": "published", "publish_date": "published", "site": "outlet", "outlet": "outlet",
    "publication": "outlet", "source": "outlet", "section": "section", "category": "section",
}  # fmt: skip

# Never trust an extractor with script/style bodies: remove them before anything else sees the page.
SCRIPT_STYLE = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)

FALLBACK_DROP_TAGS = (
    "script", "style", "noscript", "template", "head", "nav", "footer", "aside", "form", "iframe", "svg",
    "button", "select", "object", "embed",
)  # fmt: skip

TITLE_TAG = re.compile(r"<title\b[^>]*>(.{0,1000}?)</title\s*>", re.I | re.S)

TITLE_TAG_SEARCH_CHARS = 200_000

# trafilatura falls back to the canonical URL's host ("gazette.example") when a page names no site.
HOSTNAME = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}", re.I)

TITLE_SEPARATORS = (" | ", " — ", " – ", " - ", " :: ", " · ")

BLOCK_BREAK = "\u2029"

FALLBACK_BLOCK_TAGS = (
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article",
    "pre", "dd", "dt", "figcaption", "header", "main", "table", "ul", "ol", "td", "th",
)  # fmt: skip
