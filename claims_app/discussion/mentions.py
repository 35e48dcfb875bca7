"""`@username` mentions and http(s) links in comment text: finding them, and rendering the text as safe HTML.

Comments are plain text. Rendering escapes every piece of it and builds the few tags it adds (mention and
link anchors) with format_html, so nothing the author typed is ever marked safe unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

# Django usernames are letters, digits and @ . + - _; a mention ends at anything else, and a trailing
# "." or "-" is read as punctuation ("thanks @olga.").
_MENTION = r"(?<![\w@.+-])@(?P<name>[\w.+-]{1,150})"
_URL = r"(?P<url>\bhttps?://[^\s<>\"'`]+)"
_TOKENS = re.compile(f"{_MENTION}|{_URL}", re.IGNORECASE)
_TRAILING = ".,;:!?-+"
# A URL's closing punctuation belongs to the sentence, and an unmatched ")" to the text around it.
_URL_TRAILING = ".,;:!?"


def _candidates(name: str) -> list[str]:
    trimmed = name.rstrip(_TRAILING)
    return [name, trimmed] if trimmed and trimmed != name else [name]


def mentioned_names(text: str) -> set[str]:
    """Every username a text might mention (with and without trailing punctuation); look them up to know."""
    names: set[str] = set()
    for match in _TOKENS.finditer(text):
        if match.group("name"):
            names.update(_candidates(match.group("name")))
    return names


def mentioned_in(texts: Iterable[str]) -> set[str]:
    return set().union(*(mentioned_names(t) for t in texts))


def _trim_url(url: str) -> tuple[str, str]:
    """The URL without closing punctuation, and the punctuation (kept as text)."""
    end = len(url)
    while end and (
        url[end - 1] in _URL_TRAILING or (url[end - 1] == ")" and url.count("(", 0, end) < url.count(")", 0, end))
    ):
        end -= 1
    return url[:end], url[end:]


def render(text: str, users: Collection[str]) -> SafeString:
    """The comment as HTML: escaped text, `@name` linked to that user's claims when `name` is in `users`,
    http(s) URLs linked with rel="nofollow noopener"."""
    parts: list[str] = []
    position = 0
    for match in _TOKENS.finditer(text):
        parts.append(format_html("{}", text[position : match.start()]))
        position = match.end()
        if name := match.group("name"):
            known = next((n for n in _candidates(name) if n in users), None)
            if known is None:
                parts.append(format_html("{}", match.group(0)))
                continue
            href = reverse("claims_app:claim_list") + "?" + urlencode({"assignee": known})
            parts.append(format_html('<a class="mention" href="{}">@{}</a>', href, known))
            parts.append(format_html("{}", name[len(known) :]))
        else:
            url, rest = _trim_url(match.group("url"))
            if len(url) <= len("https://"):
                parts.append(format_html("{}", match.group(0)))
                continue
            parts.append(format_html('<a href="{}" rel="nofollow noopener" class="comment-link">{}</a>', url, url))
            parts.append(format_html("{}", rest))
    parts.append(format_html("{}", text[position:]))
    # Each piece above is format_html output: escaped text, or tags around escaped values.
    return mark_safe("".join(parts))
