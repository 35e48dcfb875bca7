"""Editors teach the extractor: live precision per kind and their feedback exported as training examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims_app.ingest import services as ingest_services
from claims_app.models import Claim
from claims_app.nlp.attribution import tagging, training
from claims_app.review import feedback
from claims_app.review import services as review_services

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed_article(editor):  # type: ignore[no-untyped-def]
    """The harbour report with one claim rejected, one verified and one added by an editor."""
    article = ingest_services.ingest_article(raw=(SAMPLES / "harbour_report.txt").read_bytes(), filename="r.txt")
    claims = list(article.claims.order_by("start"))
    assert len(claims) >= 3
    review_services.set_claim_rejected(claim=claims[0], user=editor, rejected=True)
    review_services.change_claim_status(
        claim=claims[1], user=editor, status="verified", expected_version=claims[1].version
    )
    sentence = article.body.split("\n\n")[-1].strip()
    start = article.body.index(sentence)
    review_services.add_claim(article=article, user=editor, start=start, end=start + len(sentence), kind="assertion")
    return article


def test_live_precision_counts_reviewed_rejected_and_added_claims_per_kind(reviewed_article):
    rows = {row.kind: row for row in feedback.live_precision()}
    assert [row.kind for row in feedback.live_precision()] == [kind for kind, _ in Claim.Kind.choices]
    rejected, verified = reviewed_article.claims.filter(filed_by="extracted").order_by("start")[:2]
    assert sum(row.reviewed for row in rows.values()) == 2
    assert rows[rejected.kind].rejected == 1 and rows["assertion"].added == 1
    if rejected.kind == verified.kind:
        assert rows[rejected.kind].precision == 0.5
    else:
        assert rows[rejected.kind].precision == 0.0 and rows[verified.kind].precision == 1.0
    untouched = [row for row in rows.values() if row.reviewed == 0]
    assert all(row.precision is None for row in untouched)


def test_unreviewed_claims_are_not_counted_as_feedback(editor):
    ingest_services.ingest_article(raw=(SAMPLES / "harbour_report.txt").read_bytes(), filename="r.txt")
    assert all(row.reviewed == row.rejected == row.added == 0 for row in feedback.live_precision())


def test_the_claim_list_loads_the_precision_panel_for_any_reader(viewer_client, reviewed_article, client):
    page = viewer_client.get(reverse("claims_app:claim_list")).content.decode()
    assert 'hx-get="/claims/precision/"' in page and 'hx-trigger="load"' in page
    panel = viewer_client.get(reverse("claims_app:extraction_precision"), headers={"HX-Request": "true"})
    html = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in html and "Extraction precision from editor feedback" in html
    assert "50%" in html or ("0%" in html and "100%" in html)
    full = viewer_client.get(reverse("claims_app:extraction_precision")).content.decode()
    assert "<html" in full and "Reviewed" in full
    assert client.get(reverse("claims_app:extraction_precision")).status_code == 302  # anonymous: to the login


def test_export_writes_polnear_shaped_examples_the_trainer_reads(reviewed_article, tmp_path):
    out = tmp_path / "feedback.jsonl"
    call_command("export_training_data", "--out", str(out), stdout=(buffer := _Buffer()))
    assert "Wrote 1 article(s)" in buffer.text
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    body = reviewed_article.body
    assert record["id"] == f"claimdesk-{reviewed_article.pk}" and record["text"] == body
    assert record["meta"]["feedback"] == {"reviewed": 2, "rejected": 1, "added": 1}
    standing = reviewed_article.claims.filter(is_rejected=False)
    assert len(record["attributions"]) == standing.count()
    rejected = reviewed_article.claims.get(is_rejected=True)
    contents = {(a["content"]["start"], a["content"]["end"]) for a in record["attributions"]}
    assert (rejected.start, rejected.end) not in contents
    for attribution in record["attributions"]:
        for part in ("source", "cue", "content"):
            if attribution[part]:
                assert body[attribution[part]["start"] : attribution[part]["end"]] == attribution[part]["text"]
    said = [a for a in record["attributions"] if a["cue"] and a["cue"]["text"].lower().startswith(("said", "says"))]
    assert said, "a 'say' cue is found again as the word written in the article"
    labels = {a["label"] == ("Attribution" if a["source"] else "Attribution-no-source") for a in record["attributions"]}
    assert labels == {True}
    # What train_attribution reads: the articles and their role spans.
    [article] = training.read_articles([out])
    roles = {span.role for span in tagging.gold_spans(article["attributions"])}
    assert roles == {"SOURCE", "CUE", "CONTENT"}


def test_export_with_no_feedback_writes_an_empty_file_and_says_so(editor, tmp_path):
    ingest_services.ingest_article(raw=(SAMPLES / "harbour_report.txt").read_bytes(), filename="r.txt")
    out = tmp_path / "none.jsonl"
    call_command("export_training_data", "--out", str(out), stdout=(buffer := _Buffer()))
    assert out.read_text() == "" and "No article has editor feedback yet" in buffer.text
    call_command("export_training_data", "--out", str(out), "--all", "--json", stdout=(buffer := _Buffer()))
    assert json.loads(buffer.text)["articles"] == 1 and len(out.read_text().splitlines()) == 1


def test_export_refuses_a_folder_or_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        call_command("export_training_data", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="No such folder"):
        call_command("export_training_data", "--out", str(tmp_path / "nope" / "x.jsonl"))
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_train_attribution_refuses_what_it_cannot_train_before_it_starts(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("")
    out = tmp_path / "model"
    with pytest.raises(CommandError, match="No such file"):
        call_command("train_attribution", "--train", str(tmp_path / "missing.jsonl"), "--out", str(out))
    for option, value, message in (
        ("--epochs", "0", "--epochs must be at least 1"),
        ("--batch-size", "0", "--batch-size must be at least 1"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("train_attribution", "--train", str(data), "--out", str(out), option, value)
    with pytest.raises(CommandError, match="hold no articles"):
        call_command("train_attribution", "--train", str(data), "--out", str(out))
    assert not out.exists()


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
