"""Venue reader: where and when an attribution says a statement was made (pure; team-written sentences)."""

from __future__ import annotations

import pytest

from claims_app.nlp import venues
from claims_app.nlp.venues import (
    NO_VENUE,
    Venue,
    attribution_text,
    merge_venues,
    read_venue,
    venue_of_claim,
    venues_compatible,
    wire_dateline,
)


@pytest.mark.parametrize(
    ("sentence", "medium", "outlet"),
    [
        ("Colonel Arvid Tesk told the state-run Brenmark-24 TV channel that the depot was empty.", "tv", "Brenmark-24"),
        ("General Arvid Tesk said in a TV interview that the depot was empty.", "tv", None),
        ("The mayor appeared on national television on Sunday night.", "tv", None),
        ("Tesk made the remarks on Kelvor Radio on Monday.", "radio", "Kelvor"),
        ("Speaking on Radio Oskerby, the harbour master said the quay would close.", "radio", "Radio Oskerby"),
        ("She said on her weekly podcast that the vote was rigged.", "podcast", None),
        ("Mira Holt wrote on her Telegram channel that the bridge had been mined.", "social", "Telegram"),
        ("In a post on X, the minister said the talks had failed.", "social", "X"),
        ("The governor said on Twitter that schools would reopen.", "social", "X"),
        ("He said in a video address that the army would hold the line.", "video", None),
        ("The ministry said in a statement on Tuesday that no one was hurt.", "statement", None),
        ("Piet Anholt told reporters at a press conference that the port would reopen.", "press_conference", None),
        ("Speaking at a news briefing, the spokeswoman denied the report.", "press_conference", None),
        ("Tesk told reporters the depot was empty.", "reporters", None),
        ("In a speech to farmers, the minister promised new wells.", "speech", None),
        ("The president told a rally in Vilmora that the war would end soon.", "speech", None),
        ("Lena Varga said in parliament that the budget was balanced.", "parliament", None),
        ("The finance minister told lawmakers that the fund was empty.", "parliament", None),
        ("The engineer testified that the crane had not been inspected.", "court", None),
        ("The contractor told the court that the cables were sound.", "court", None),
        ("In its annual report, the authority said leaks had halved.", "report", None),
        ("In an interview with the newspaper, Holt said she would run again.", "print_interview", None),
        ("Holt told the Saltmere Gazette that she would run again.", "print_interview", "Saltmere Gazette"),
        ("Tesk told Reuters that the depot was empty.", "wire", "Reuters"),
        ("Tesk told the BBC that the depot was empty.", "broadcast", "BBC"),
        ("Karpenko told the regional broadcaster DTV-1 that the reservoir was low.", "broadcast", "DTV-1"),
        ("In an interview, Holt said she would run again.", "interview", None),
    ],
)
def test_reads_medium_and_outlet_for_each_venue_family(sentence: str, medium: str, outlet: str | None) -> None:
    venue = read_venue(sentence)
    assert venue.medium == medium
    assert venue.outlet == outlet
    assert venue.evidence


@pytest.mark.parametrize(
    ("sentence", "relay"),
    [
        ("The depot was empty, Tesk said, according to Tass.", "Tass"),
        ("The depot was empty, Tesk said, as reported by Reuters.", "Reuters"),
        ("According to the state news agency Ostpress, Tesk said the depot was empty.", "Ostpress"),
        ("Ostpress quoted him as saying the depot was empty.", "Ostpress"),
        ("The depot was empty, Tesk said in remarks carried by the Kelvor Herald.", "Kelvor Herald"),
    ],
)
def test_reads_who_relayed_the_statement(sentence: str, relay: str) -> None:
    assert read_venue(sentence).relayed_by == relay


def test_according_to_a_person_is_the_speaker_not_a_relay() -> None:
    assert read_venue("According to Karpenko, the reservoir is at a record low.") == NO_VENUE


def test_told_a_person_is_not_an_outlet() -> None:
    assert read_venue("Tesk told Holt that the depot was empty.").outlet is None


def test_told_an_outlet_that_also_reported_it_is_the_outlet_not_a_relay() -> None:
    venue = read_venue("Tesk told Tass, which reported that the depot was empty.")
    assert venue.outlet == "Tass"
    assert venue.relayed_by is None


@pytest.mark.parametrize(
    ("sentence", "when"),
    [
        ("The ministry said in a statement on Tuesday.", "tuesday"),
        ("Tesk said late on Thursday that the depot was empty.", "thursday"),
        ("At Monday's press conference, Tesk denied it.", "monday"),
        ("Tesk said on March 3 that the depot was empty.", "march 3"),
        ("Tesk told lawmakers on 3 March that the fund was empty.", "march 3"),
        ("Tesk said on Sept. 14 that the depot was empty.", "september 14"),
        ("Tesk said yesterday that the depot was empty.", "yesterday"),
        ("Tesk said yesterday, speaking on Friday, that it was empty.", "friday"),
    ],
)
def test_reads_the_day(sentence: str, when: str) -> None:
    assert read_venue(sentence).when == when


def test_modal_may_is_not_a_date() -> None:
    assert read_venue("The reservoir may 2 times exceed its level.").when is None


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "\n\n\t"])
def test_empty_or_blank_input_is_no_venue(text: str) -> None:
    assert read_venue(text) == NO_VENUE
    assert read_venue(text).is_empty


def test_odd_unicode_spaces_dashes_and_fullwidth_letters_are_read() -> None:
    # no-break spaces, a non-breaking hyphen, a zero-width space and fullwidth "TV"
    venue = read_venue("Tesk\u00a0told the state\u2011run Brenmark\u201124 \uff34\uff36 channel\u200b on\u2009Tuesday.")
    assert venue.medium == "tv"
    assert venue.outlet == "Brenmark-24"
    assert venue.when == "tuesday"


def test_curly_apostrophes_and_non_latin_text_do_not_break_the_reader() -> None:
    assert read_venue("At Monday’s press conference, Тэск said «всё»").when == "monday"
    assert read_venue("Тэск сказал в интервью телеканалу") == NO_VENUE


def test_reads_from_a_spacy_span() -> None:
    import spacy

    doc = spacy.blank("en")("Holt wrote on her Telegram channel that the bridge had been mined.")
    assert read_venue(doc[0:7]).outlet == "Telegram"
    assert read_venue(doc).medium == "social"


def test_claim_words_are_blanked_so_a_quote_about_tv_is_not_the_venue() -> None:
    body = 'Intro line.\n\n"I never said that on television," Holt wrote on Telegram on Friday. Next sentence on radio.'
    start = body.index("I never")
    end = body.index('," Holt')
    text = attribution_text(body, start, end)
    assert "television" not in text
    assert "radio" not in text
    venue = venue_of_claim(body, start, end)
    assert (venue.medium, venue.outlet, venue.when) == ("social", "Telegram", "friday")


def test_attribution_in_the_previous_sentence_is_reached_through_the_speaker_mention() -> None:
    body = 'Tesk told the Saltmere Gazette on Monday: "We held." "The line is secure."'
    start = body.index("The line")
    end = body.index("secure.") + len("secure.")
    assert venue_of_claim(body, start, end).is_empty
    mention = body.index("Tesk")
    venue = venue_of_claim(body, start, end, mention, mention + 4)
    assert venue.outlet == "Saltmere Gazette"
    assert venue.when == "monday"


def test_wire_dateline() -> None:
    assert wire_dateline("VILMORA, May 3 (Reuters) - The depot was empty.") == "Reuters"
    assert wire_dateline("Intro\nSALTMERE (Ostpress) — Cranes stopped.") == "Ostpress"
    assert wire_dateline("The depot (a former barracks) - was empty.") is None


def tv(outlet: str | None = None, when: str | None = None) -> Venue:
    return Venue(medium="tv", outlet=outlet, when=when)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # same medium, outlet unknown on one side: the Rossiya-24 / "a TV interview" case
        ("told the state-run Brenmark-24 TV channel", "said in a TV interview", True),
        ("in an interview", "told the state-run Brenmark-24 TV channel", True),
        ("told the BBC", "said in a TV interview", True),
        ("told reporters", "told reporters at a press conference", True),
        ("told reporters at a news conference on Tuesday", "at a press briefing on Tuesday", True),
        ("wrote on Telegram", "in a post on his Telegram channel", True),
        ("in a post on X", "wrote on Twitter", True),
        ("according to Tass", "told Tass", True),
        ("on Brenmark 24 television", "told the Brenmark-24 TV channel", True),
        # different media, named outlets or days
        ("wrote on Telegram", "told the state-run Brenmark-24 TV channel", False),
        ("told the Brenmark-24 TV channel", "told the Ostvid TV channel", False),
        ("in a statement on Tuesday", "in a statement on Thursday", False),
        ("in a speech", "said in parliament", False),
        ("told reporters", "in a statement", False),
        ("in a TV interview on March 3", "in a TV interview on March 9", False),
        ("told Reuters", "told the BBC", False),
        # nothing to compare
        ("said", "said", None),
        ("", "", None),
        ("in a TV interview", "said", None),
        ("on Tuesday", "in a TV interview", None),
        ("according to Tass", "as reported by Reuters", None),
        ("said yesterday", "said on Tuesday", None),
    ],
)
def test_venues_compatible(a: str, b: str, expected: bool | None) -> None:
    assert venues_compatible(read_venue(a), read_venue(b)) is expected
    assert venues_compatible(read_venue(b), read_venue(a)) is expected


def test_compatibility_on_hand_built_venues() -> None:
    assert venues_compatible(NO_VENUE, NO_VENUE) is None
    assert venues_compatible(tv("Brenmark-24"), tv()) is True
    assert venues_compatible(tv("Brenmark-24"), tv("brenmark 24")) is True
    assert venues_compatible(tv(when="monday"), tv(when="tuesday")) is False
    assert venues_compatible(tv(when="monday"), tv(when="march 3")) is True  # the medium agrees; days not comparable
    assert venues_compatible(Venue(relayed_by="Tass"), Venue(relayed_by="Reuters")) is None


def test_a_wire_datelines_date_is_not_the_statements_day() -> None:
    venue = read_venue("VILMORA, March 10 (Ostpress) - General Tesk told the Brenmark-24 TV channel on Monday that …")
    assert venue.when == "monday"
    assert venue.outlet == "Brenmark-24"


def test_merge_venues_fills_a_bare_attribution_from_the_speakers_other_ones() -> None:
    merged = merge_venues([read_venue("Tesk said in a TV interview on Monday"), read_venue("Tesk said"), NO_VENUE])
    assert (merged.medium, merged.when) == ("tv", "monday")
    specific = merge_venues([read_venue("in an interview"), read_venue("told the Brenmark-24 TV channel")])
    assert (specific.medium, specific.outlet) == ("tv", "Brenmark-24")


def test_merge_venues_leaves_disagreeing_fields_unknown() -> None:
    merged = merge_venues([read_venue("wrote on Telegram on Monday"), read_venue("told reporters on Monday")])
    assert merged.medium is None
    assert merged.when == "monday"
    assert merge_venues([]) == NO_VENUE


def test_every_medium_in_the_tables_is_in_the_closed_set() -> None:
    from claims_app.nlp import venue_words

    used = {medium for medium, _pattern in venue_words.MEDIUM_PATTERNS}
    used |= {m for m in venue_words.KNOWN_OUTLETS.values() if m}
    used |= set(venue_words.MEDIUM_FAMILIES) | {m for ms in venue_words.MEDIUM_FAMILIES.values() for m in ms}
    assert used <= venue_words.MEDIA


@pytest.mark.parametrize(
    "text", ["Aa Bb " * 50_000, "told " + "Xx-" * 50_000, "according to the " + "state-run " * 20_000, "A" * 300_000]
)
def test_long_hostile_input_is_read_quickly(text: str) -> None:
    import time

    started = time.perf_counter()
    read_venue(text)
    venue_of_claim(text, len(text) // 2, len(text) // 2 + 10)
    assert time.perf_counter() - started < 1.0


def test_a_venue_read_again_comes_from_the_cache_and_cannot_be_changed() -> None:
    text = 'Mira Vale told the Weekly Lantern in an interview on Tuesday, "The bridge opens in May."'
    before = venues._read_venue.cache_info().hits
    first = read_venue(text)
    assert read_venue(text) is first and venues._read_venue.cache_info().hits > before
    assert first.medium == "print_interview" and first.when == "tuesday"
    with pytest.raises(AttributeError):
        first.when = "monday"  # type: ignore[misc]
    # Only what is read is kept: a long text is cached by its first 2 x MAX_ATTRIBUTION_CHARS characters.
    long = text + " x" * 100_000
    read_venue(long)
    hits = venues._read_venue.cache_info().hits
    venues._read_venue(long[: 2 * venues.MAX_ATTRIBUTION_CHARS])
    assert venues._read_venue.cache_info().hits == hits + 1
