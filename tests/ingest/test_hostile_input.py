"""Hostile input, property-based: random bytes, huge fields, odd unicode, SQL and HTML injection strings.

Whatever arrives, the upload, the ingest service and the claim list answer without a server error, never
render stored markup live, and either file a whole article or nothing at all.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from claims_app.ingest import services as ingest_services
from claims_app.models import Article, Claim, Speaker, SpeakerAlias
from claims_app.nlp import records
from claims_app.review.filters import URL_PARAMETERS

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE claims_app_claim; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(5)",
    "%' AND 1=1 --",
    "\\x00\\u0000",
    "{{ 7*7 }}{% debug %}",
    "\u202eevil\u202c",
    "Z\u0351\u0352\u0353algo",
    "\ufeff\u200b\u200d",
    "𝕳𝖊𝖑𝖑𝖔 🏳️‍🌈 ﷽",
    "a" * 5000,
    "nul\x00byte",
]
hostile_text = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.builds(lambda a, b: a + b, st.sampled_from(INJECTIONS), st.text(max_size=40)),
)
SCRIPT_MARKERS = ("<script>alert", "<img src=x onerror", "<svg/onload")


def _counts() -> tuple[int, int, int, int]:
    return Article.objects.count(), Claim.objects.count(), Speaker.objects.count(), SpeakerAlias.objects.count()


def _article_with(speaker: str, quote: str, title: str) -> bytes:
    return (
        f"{title}\n\nThe council met on Tuesday to discuss the harbour budget and the new ferry timetable.\n\n"
        f"“{quote} and we will keep the crossings open,” said {speaker}, the council's transport lead.\n\n"
        f"{speaker} said the vote would take place next week.\n"
    ).encode("utf-8", "surrogatepass")


@given(raw=st.one_of(st.binary(max_size=3000), st.text(max_size=2000).map(lambda t: t.encode("utf-8"))))
def test_ingest_of_random_bytes_files_a_whole_article_or_nothing(raw):
    before = _counts()
    try:
        article = ingest_services.ingest_article(raw=raw, filename="random.txt")
    except records.InputRejected as exc:
        assert str(exc) and "\n" not in str(exc)
        assert _counts() == before
        return
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text


@given(speaker=hostile_text, quote=hostile_text, title=hostile_text)
def test_hostile_strings_inside_an_article_are_stored_as_text_and_rendered_escaped(
    admin_client_, speaker, quote, title
):
    before = _counts()
    raw = _article_with(speaker.replace("\x00", ""), quote.replace("\x00", ""), title.replace("\x00", ""))
    try:
        article = ingest_services.ingest_article(raw=raw, filename="hostile.txt")
    except records.InputRejected:
        assert _counts() == before
        return
    pages = [
        admin_client_.get(article.get_absolute_url()),
        admin_client_.get(reverse("claims_app:claim_list"), {"article": article.pk}),
        *(admin_client_.get(c.get_absolute_url()) for c in article.claims.all()[:2]),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        for marker in SCRIPT_MARKERS:
            assert marker not in html


@given(
    text=st.one_of(hostile_text, st.just("")),
    title=st.one_of(hostile_text, st.text(min_size=501, max_size=600)),
    url=hostile_text,
    outlet=st.one_of(hostile_text, st.text(min_size=301, max_size=400)),
    file_bytes=st.one_of(st.none(), st.binary(max_size=2000)),
    filename=st.one_of(st.just("a.txt"), hostile_text.filter(lambda s: 0 < len(s) < 200 and "\x00" not in s)),
)
def test_upload_page_never_fails_with_a_server_error(editor_client, text, title, url, outlet, file_bytes, filename):
    before = _counts()
    data: dict[str, object] = {"text": text, "title": title, "url": url, "outlet": outlet}
    if file_bytes is not None:
        data["file"] = SimpleUploadedFile(filename.replace("/", "_").replace("\\", "_") or "f", file_bytes)
    response = editor_client.post(reverse("claims_app:article_upload"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _counts() == before  # refused: nothing half-written
        html = response.content.decode()
        for marker in SCRIPT_MARKERS:
            assert marker not in html


FILTER_KEYS = [*URL_PARAMETERS, "page"]


@given(
    params=st.dictionaries(st.sampled_from(FILTER_KEYS), st.one_of(hostile_text, st.integers().map(str)), max_size=6)
)
def test_claim_list_filters_never_fail_and_never_echo_markup(viewer_client, params):
    for partial in (False, True):
        headers = {"HX-Request": "true", "HX-Target": "results"} if partial else {}
        response = viewer_client.get(reverse("claims_app:claim_list"), params, headers=headers)
        assert response.status_code == 200
        html = response.content.decode()
        for marker in SCRIPT_MARKERS:
            assert marker not in html
