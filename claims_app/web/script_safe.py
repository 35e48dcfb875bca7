"""JSON text that stays inert inside an HTML <script> block, escaped as Django's json_script escapes it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# <, > and & only occur inside JSON strings, where \u escapes mean the same characters to a JSON parser,
# so `</script>` or `<!--` in claim text cannot end or confuse the publisher's script block.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_safe_json(text: str) -> str:
    """Serialised JSON with <, > and & written as \\u003C, \\u003E and \\u0026."""
    return text.translate(_SCRIPT_ESCAPES)


def script_safe_chunks(chunks: Iterable[str]) -> Iterator[str]:
    """A stream of JSON text chunks, each through script_safe_json."""
    for chunk in chunks:
        yield script_safe_json(chunk)


def ld_json_script(data: Any) -> SafeString:
    """`<script type="application/ld+json">` holding `data`: Django's json_script with the JSON-LD type
    (json_script always writes type="application/json", which search engines do not read as structured data)."""
    # Escaped before it is marked safe, as json_script does.
    text = script_safe_json(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
