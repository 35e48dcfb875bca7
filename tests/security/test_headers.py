"""Every page carries the Content-Security-Policy; templates keep to it (no inline script, handler or style)."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.factories import ClaimFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EXPECTED = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
]


def _directives(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.strip() for d in response["Content-Security-Policy"].split(";")]


def test_every_page_carries_the_content_security_policy(viewer_client):
    claim = ClaimFactory()
    urls = [
        reverse("claims_app:home"),
        reverse("claims_app:claim_list"),
        reverse("claims_app:claim_detail", args=[claim.pk]),
        reverse("claims_app:article_list"),
        reverse("claims_app:article_detail", args=[claim.article_id]),
        reverse("claims_app:speaker_list"),
        reverse("claims_app:speaker_detail", args=[claim.speaker_id]),
        "/api/docs/",
        "/no-such-page/",
    ]
    for url in urls:
        directives = _directives(viewer_client.get(url))
        for wanted in EXPECTED:
            assert wanted in directives, (url, wanted)
    assert "frame-ancestors 'none'" in _directives(Client().get(reverse("login")))


def test_api_docs_load_swagger_ui_from_our_static_files_not_a_cdn(viewer_client):
    page = viewer_client.get("/api/docs/").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui-init.js" in page
    assert "cdn" not in page.lower()


def test_templates_have_no_inline_script_event_handler_or_style_attribute():
    executable_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>")
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not executable_script.search(text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert not re.search(r"\sstyle\s*=", text), path
        assert "hx-on" not in text and "javascript:" not in text, path


def test_htmx_indicator_style_is_not_injected_inline(viewer_client):
    page = viewer_client.get(reverse("claims_app:home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page
