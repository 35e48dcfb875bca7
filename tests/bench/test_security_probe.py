"""What the security probe (bench/security_probe.py) counts as a finding, on answers written by hand."""

from __future__ import annotations

import html
from types import SimpleNamespace

import pytest

from bench.security_probe import (
    encode,
    formula_cells,
    jsonld_blocks,
    jsonld_unescaped,
    odd_values,
    payloads,
    refused,
    script_renders,
)

MARKER = "prbtest01"


@pytest.mark.parametrize("name", list(payloads(MARKER)))
def test_every_payload_rendered_raw_is_found(name):
    payload = payloads(MARKER)[name]
    if name == "url":
        page = f'<p><a href="{payload}">source</a></p>'
    elif name == "attribute":
        page = f"<p><input value='{payload}'></p>"
    elif name == "unquoted":
        page = f"<p><input value={payload}></p>"
    else:
        page = f"<main><p>{payload}</p></main>"
    assert script_renders(page, MARKER), (name, page)


@pytest.mark.parametrize("name", list(payloads(MARKER)))
def test_every_payload_escaped_is_not_a_finding(name):
    escaped = html.escape(payloads(MARKER)[name])
    page = (
        f'<main><p>{escaped}</p><input value="{escaped}"><textarea>{escaped}</textarea>'
        f'<a href="/claims/?q={encode(payloads(MARKER)[name])}" title="{escaped}">x</a></main>'
    )
    assert script_renders(page, MARKER) == []


def test_json_ld_block_holding_the_marker_is_data_but_a_breakout_is_not():
    escaped = '{"claimReviewed": "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(\'prbtest01\')"}'
    assert script_renders(f'<script type="application/ld+json">{escaped}</script>', MARKER) == []
    broken = f'<script type="application/ld+json">{{"x": "{payloads(MARKER)["breakout"]}"}}</script>'
    assert script_renders(broken, MARKER)


def test_javascript_urls_are_found_however_they_are_spelt():
    for href in ("JaVaScRiPt:alert(1)", " javascript:alert(1)", "java&#x09;script:alert(1)", "data:text/html,<b>"):
        assert script_renders(f'<a href="{href}">x</a>', MARKER), href
    assert script_renders('<a href="https://example.org/javascript:">x</a>', MARKER) == []


def test_formula_cells_are_the_cells_a_spreadsheet_runs():
    text = 'id,title,score\n1,"=HYPERLINK(""x"")",-1.5\n2,\'=1+1,+3\n3,@SUM(1),"\tx"\n4,-2+3,plain\n'
    assert formula_cells(text) == ['=HYPERLINK("x")', "@SUM(1)", "\tx", "-2+3"]  # +3 and -1.5 are numbers


def test_json_ld_counts_raw_angle_brackets_and_ampersands():
    assert jsonld_unescaped('{"a": "\\u003Cb\\u003E \\u0026"}') == 0
    assert jsonld_unescaped('{"a": "</script>&"}') == 3
    page = '<script type="application/ld+json">{"a": "x"}</script><script src="/s.js"></script>'
    assert jsonld_blocks(page) == ['{"a": "x"}']


def _answer(status: int, location: str = "") -> SimpleNamespace:
    return SimpleNamespace(status_code=status, headers={"Location": location} if location else {})


def test_refused_is_a_denial_or_a_trip_to_the_login_page():
    assert refused(_answer(403)) and refused(_answer(404)) and refused(_answer(401)) and refused(_answer(405))
    assert refused(_answer(302, "/login/?next=/claims/"))
    assert not refused(_answer(200))
    assert not refused(_answer(302, "/claims/1/"))  # the write went through and came back


def test_odd_values_are_the_same_for_a_seed_and_cover_the_categories_that_broke_things():
    values = odd_values(MARKER, seed=13)
    assert values == odd_values(MARKER, seed=13)
    assert {"²", "٣", "\x00", "\ud800", "A" * 10_000} <= set(values)
    assert any("</script>" in v for v in values) and any(v.startswith("=") for v in values)
    assert encode("\ud800") == "%ED%A0%80"  # a lone surrogate goes out as its raw bytes
