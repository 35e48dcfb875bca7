"""Ingestion through the service, the upload page and the commands, on real PostgreSQL and spaCy."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims_app.ingest import services as ingest_services
from claims_app.models import Article, Claim, Speaker, SpeakerAlias, SpeakerMergeSuggestion
from claims_app.nlp import records

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
pytestmark = pytest.mark.django_db


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_ingest_files_article_claims_and_speakers(editor):
    article = ingest_services.ingest_article(
        raw=sample("harbour_report.txt"), filename="harbour_report.txt", uploaded_by=editor
    )
    assert not article.is_duplicate
    assert article.title == "Port Selden ferry strike ends after night talks"
    assert article.published_at.isoformat() == "2026-03-12"
    claims = list(article.claims.select_related("speaker"))
    texts = [c.text for c in claims]
    # A quote split by its attribution is one claim, as PolNeAR marks it (docs/attribution-model.md).
    assert any(t.lstrip('"').startswith("We have a deal that keeps every crossing running") for t in texts)
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.text
    varga = Speaker.objects.get(name="Ilse Varga")
    assert {c.kind for c in claims if c.speaker == varga} >= {Claim.Kind.DIRECT, Claim.Kind.INDIRECT}
    assert article.ingest_model and article.ingest_seconds is not None


def test_ingest_stores_what_kind_of_attribution_each_claim_is(editor):
    body = (
        "Ferry plans in Port Selden\n\n"
        "Governor Piet Ostrava wants the state to take over the failing ferry line before the winter.\n\n"
        "A survey by the harbour board shows that ticket sales fell by a third last year.\n\n"
        '"We will keep every crossing running," said Ilse Varga, the harbour master.\n'
    )
    article = ingest_services.ingest_article(raw=body.encode(), filename="plans.txt", uploaded_by=editor)
    kinds = {c.text: c.attribution for c in article.claims.all()}
    assert any("take over the failing ferry line" in t and k == "intention" for t, k in kinds.items()), kinds
    assert any("ticket sales fell" in t and k == "data" for t, k in kinds.items()), kinds
    assert any("every crossing running" in t and k == "statement" for t, k in kinds.items()), kinds


def test_transliteration_variant_in_a_second_article_resolves_to_the_same_speaker(editor):
    first = ingest_services.ingest_article(raw=sample("harbour_report.txt"), filename="a.txt", uploaded_by=editor)
    second = ingest_services.ingest_article(raw=sample("harbour_followup.txt"), filename="b.txt", uploaded_by=editor)
    talvin = Speaker.objects.get(name="Yury Talvin")
    assert {c.speaker for c in second.claims.all() if c.text.startswith("members would vote")} == {talvin}
    assert {c.speaker for c in first.claims.all() if "two weeks of pay" in c.text} == {talvin}
    assert SpeakerAlias.objects.filter(speaker=talvin, alias="Yuri Talvin").exists()


def test_uncertain_name_match_becomes_a_merge_suggestion_not_a_merge(editor):
    ingest_services.ingest_article(raw=sample("harbour_report.txt"), filename="a.txt", uploaded_by=editor)
    ingest_services.ingest_article(raw=sample("harbour_followup.txt"), filename="b.txt", uploaded_by=editor)
    ilse, ilsa = Speaker.objects.get(name="Ilse Varga"), Speaker.objects.get(name="Ilsa Varga")
    suggestion = SpeakerMergeSuggestion.objects.get()
    assert {suggestion.speaker, suggestion.candidate} == {ilse, ilsa}
    assert suggestion.status == SpeakerMergeSuggestion.Status.OPEN


def test_duplicate_upload_returns_the_existing_article(editor):
    first = ingest_services.ingest_article(raw=sample("harbour_report.txt"), filename="a.txt", uploaded_by=editor)
    again = ingest_services.ingest_article(raw=sample("harbour_report.txt").replace(b"\n", b"\r\n"), filename="b.txt")
    assert again.is_duplicate and again.pk == first.pk
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty"),
        (b"   \n\t  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "image"),
        (b"some text\x00\x00\x00 with nul bytes" * 10, "binary"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(raw, message):
    with pytest.raises(records.InputRejected) as excinfo:
        ingest_services.ingest_article(raw=raw, filename="upload.txt")
    assert message in str(excinfo.value).lower()
    assert not Article.objects.exists() and not Speaker.objects.exists()


def test_article_without_claims_is_filed_with_no_claims():
    article = ingest_services.ingest_article(raw=sample("no_claims.txt"), filename="tides.txt")
    assert Article.objects.get() == article and not article.claims.exists()


def test_ingest_command_files_an_article_without_claims_and_exits_zero():
    out = StringIO()
    call_command("ingest", str(SAMPLES / "no_claims.txt"), stdout=out)
    assert "created" in out.getvalue() and "(0 claims)" in out.getvalue()
    assert Article.objects.count() == 1


def test_upload_of_an_article_without_claims_opens_its_page_with_a_notice(editor_client):
    upload = {"file": SimpleUploadedFile("tides.txt", sample("no_claims.txt"), "text/plain")}
    page = editor_client.post(reverse("claims_app:article_upload"), upload, follow=True).content.decode()
    assert Article.objects.count() == 1
    assert "No claims were found in this article. Select text above to add one." in page


def test_a_failure_while_writing_claims_leaves_nothing_behind():
    with (
        mock.patch.object(Claim.objects, "bulk_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        ingest_services.ingest_article(raw=sample("harbour_report.txt"), filename="a.txt")
    assert not Article.objects.exists()
    assert not Speaker.objects.exists()


def test_upload_page_files_a_pasted_article(editor_client):
    response = editor_client.post(
        reverse("claims_app:article_upload"),
        {"text": sample("harbour_report.txt").decode(), "outlet": "Harbour Ledger", "url": "https://example.org/a"},
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert (article.outlet, article.url) == ("Harbour Ledger", "https://example.org/a")
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert 'class="hl status-unreviewed"' in page


def test_upload_page_reports_a_duplicate(editor_client):
    upload = {"file": SimpleUploadedFile("report.txt", sample("harbour_report.txt"), "text/plain")}
    editor_client.post(reverse("claims_app:article_upload"), upload)
    upload = {"file": SimpleUploadedFile("report.txt", sample("harbour_report.txt"), "text/plain")}
    page = editor_client.post(reverse("claims_app:article_upload"), upload, follow=True).content.decode()
    assert "Already filed" in page
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"text": "   "}, "Choose a file or paste the article text."),
        ({"file": SimpleUploadedFile("photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64)}, "image"),
    ],
)
def test_upload_page_shows_bad_input_in_the_page(editor_client, payload, message):
    response = editor_client.post(reverse("claims_app:article_upload"), payload)
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert not Article.objects.exists()


def test_oversize_upload_is_refused(editor_client, settings):
    settings.CLAIMS_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.txt", b"word " * (300 * 1024))
    response = editor_client.post(reverse("claims_app:article_upload"), {"file": big})
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
    assert not Article.objects.exists()


def test_uploaded_html_is_cleaned_and_never_rendered_raw(editor_client):
    upload = {"file": SimpleUploadedFile("quay.html", sample("page_with_script.html"), "text/html")}
    editor_client.post(reverse("claims_app:article_upload"), upload)
    article = Article.objects.get()
    assert "stolen cookies" not in article.body and "injected" not in article.body
    assert article.author == "Nadia Ferrow"
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert "stolen cookies" not in page and "onerror" not in page


def test_extract_command_prints_the_json_contract_without_writing():
    out = StringIO()
    call_command(
        "extract", str(SAMPLES / "harbour_report.txt"), str(SAMPLES / "harbour_followup.txt"), "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert [Path(r["source"]).name for r in result] == ["harbour_report.txt", "harbour_followup.txt"]
    first = result[0]
    assert set(first) == {"source", "title", "author", "published", "outlet", "body", "claims"}
    assert first["published"] == "2026-03-12"
    for item in result:
        for claim in item["claims"]:
            # The contract's fields, plus the added kind of attribution (fields may be added, never renamed).
            assert set(claim) == {"text", "start", "end", "kind", "cue", "speaker", "speaker_mention", "attribution"}
            assert claim["attribution"] in {"statement", "belief", "intention", "data"}
            assert item["body"][claim["start"] : claim["end"]] == claim["text"]
            assert claim["kind"] in {"direct", "indirect", "according_to", "assertion"}
            mention = claim["speaker_mention"]
            if mention:
                assert item["body"][mention["start"] : mention["end"]] == mention["text"]
    talvin = {c["speaker"] for r in result for c in r["claims"] if c["speaker"] and "Talvin" in c["speaker"]}
    assert talvin == {"Yury Talvin"}  # Yury in one file, Yuri in the other: one person, one name
    varga = {c["speaker"] for r in result for c in r["claims"] if c["speaker"] and "Varga" in c["speaker"]}
    assert varga == {"Ilse Varga", "Ilsa Varga"}  # a different given name is only a suggestion, not a merge
    assert not Article.objects.exists()


def test_ingest_command_ingests_a_folder_and_fails_on_a_bad_file(tmp_path):
    (tmp_path / "good.txt").write_bytes(sample("harbour_report.txt"))
    (tmp_path / "empty.txt").write_bytes(b"")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("ingest", str(tmp_path), "--json", stdout=out, stderr=err)
    results = {Path(r["source"]).name: r for r in json.loads(out.getvalue())}
    assert results["empty.txt"]["status"] == "error"
    good = results["good.txt"]
    assert good["status"] == "created"
    assert good["article_id"] == Article.objects.get().pk
    assert [c["id"] for c in good["claims"]] == list(Claim.objects.order_by("start").values_list("pk", flat=True))
    # The batch's NLP time is shared out, so an article filed from the command line records its ingest time too.
    assert Article.objects.get().ingest_seconds > 0.01


def test_ingest_command_reports_duplicates(tmp_path):
    (tmp_path / "a.txt").write_bytes(sample("harbour_report.txt"))
    call_command("ingest", str(tmp_path), stdout=StringIO())
    out = StringIO()
    call_command("ingest", str(tmp_path / "a.txt"), stdout=out)
    assert "duplicate" in out.getvalue()
    assert Article.objects.count() == 1


def test_two_people_sharing_a_surname_are_not_merged(editor):
    first = (
        b'Port Selden council met on Monday.\n\n"The budget is balanced," said Anna Brekke, the council treasurer.\n'
    )
    second = b'Fishermen gathered on the quay.\n\n"The catch has halved," said Lars Brekke, a trawler skipper.\n'
    ingest_services.ingest_article(raw=first, filename="a.txt", uploaded_by=editor)
    ingest_services.ingest_article(raw=second, filename="b.txt", uploaded_by=editor)
    assert set(Speaker.objects.filter(name__endswith="Brekke").values_list("name", flat=True)) == {
        "Anna Brekke",
        "Lars Brekke",
    }


def test_unnamed_speakers_are_not_merged_across_articles(editor):
    first = b"Night shift at the port.\n\nA deputy director of the port told reporters that the cranes were safe.\n"
    second = b"Rail depot reopens.\n\nA deputy director of the depot told reporters that the trains were late.\n"
    ingest_services.ingest_article(raw=first, filename="a.txt", uploaded_by=editor)
    ingest_services.ingest_article(raw=second, filename="b.txt", uploaded_by=editor)
    speakers = {claim.speaker_id for claim in Claim.objects.all()}
    assert len(speakers) == 2 and None not in speakers


def test_prepared_batches_hand_out_extractions_in_order_each_with_its_own_time():
    from claims_app.nlp import pipeline

    names = ["harbour_report.txt", "empty.txt", "harbour_report.txt"]
    items = [(name, sample(name) if name != "empty.txt" else b"  \n") for name in names]
    items[2] = ("copy.txt", items[0][1] + b"\n\nThe ferry company said it would add a night crossing in June.\n")
    prepared = list(ingest_services.prepared_batches(items, batch_size=2))
    # A refused file comes out at once; the extractions follow in input order.
    assert [p.source for p in prepared] == ["empty.txt", "harbour_report.txt", "copy.txt"]
    assert isinstance(prepared[0].outcome, records.InputRejected)
    for item in prepared[1:]:
        assert isinstance(item.outcome, records.ArticleExtraction) and item.nlp_seconds > 0
        # The same claims as one article parsed on its own.
        alone = pipeline.extract(
            pipeline.parse(ingest_services.load_nlp(), item.outcome.article.body), item.outcome.article
        )
        assert [(c.start, c.end, c.speaker) for c in item.outcome.claims] == [
            (c.start, c.end, c.speaker) for c in alone.claims
        ]
    assert len(prepared[2].outcome.claims) > len(prepared[1].outcome.claims)
