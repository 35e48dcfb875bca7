"""Cross-article speaker matching: pure string functions and the in-memory directory."""

from __future__ import annotations

import pytest

from claims_app.nlp.records import SpeakerRecord
from claims_app.nlp.speaker_matching import (
    MERGE_THRESHOLD,
    SUGGEST_THRESHOLD,
    SpeakerDirectory,
    normalise_name,
    score_match,
)


def test_normalise_name_casefolds_strips_accents_and_titles() -> None:
    assert normalise_name("Général Iuliana Mărescu") == normalise_name("iuliana marescu")
    assert normalise_name("Dr. Lina Moravec") == normalise_name("Lina Moravec")
    assert normalise_name("President Donald Trumble") == normalise_name("Donald Trumble")


@pytest.mark.parametrize(
    "variants",
    [
        ("Yury Dashko", "Yuri Dashko", "Iurii Dashko", "Yuriy Dashko"),
        ("Bohdan Orlivsky", "Bohdan Orlivskyy", "Bohdan Orlivskiy", "Bohdan Orlivskyi"),
        ("Aleksandr Petrov", "Alexandr Petrov"),
        ("Evgeniy Karpenko", "Evgeny Karpenko"),
        ("Jurij Novak", "Yuriy Novak"),
        ("Mikhail Orlov", "Mihail Orlov"),
    ],
)
def test_transliteration_variants_share_one_key(variants: tuple[str, ...]) -> None:
    assert len({normalise_name(v) for v in variants}) == 1


def test_title_words_stay_when_they_name_an_organisation() -> None:
    assert normalise_name("General Staff") == "general staff"
    assert normalise_name("the Veskia's General Staff") == "veskia general staff"


def test_normalise_name_of_nothing_is_empty() -> None:
    assert normalise_name("") == ""
    assert normalise_name("  ,. ") == ""


def test_spelling_variants_of_one_person_score_as_a_merge() -> None:
    assert score_match("Edvard Lindqvist", "", "Edvard Lindkvist", "") >= MERGE_THRESHOLD
    assert score_match("Taras Vorensky", "", "Taras Vorenskyy", "president") >= MERGE_THRESHOLD
    assert score_match("Yevgeny Karpenko", "", "Evgeniy Karpenko", "") >= MERGE_THRESHOLD


def test_first_initial_is_compatible_with_the_full_first_name() -> None:
    assert score_match("V. Zelenko", "", "Volodymyr Zelenko", "") >= MERGE_THRESHOLD


def test_surname_only_is_a_suggestion_not_a_merge() -> None:
    score = score_match("Dashko", "", "Yury Dashko", "")
    assert SUGGEST_THRESHOLD <= score < MERGE_THRESHOLD


def test_matching_role_breaks_the_tie_for_a_surname_only_name() -> None:
    plain = score_match("Dashko", "", "Yury Dashko", "")
    with_role = score_match("Dashko", "air defence commander", "Yury Dashko", "commander of the air defence division")
    assert with_role > plain
    assert with_role >= MERGE_THRESHOLD


def test_close_first_names_with_one_surname_are_suggested_not_merged() -> None:
    score = score_match("Ilsa Varga", "Mayor", "Ilse Varga", "mayor of Port Selby")
    assert SUGGEST_THRESHOLD <= score < MERGE_THRESHOLD


def test_same_surname_with_a_different_first_name_is_not_suggested() -> None:
    assert score_match("Eric Trumble", "", "Donald Trumble", "") < SUGGEST_THRESHOLD


def test_unrelated_names_score_low_and_scores_stay_in_range() -> None:
    score = score_match("Marta Kovel", "mayor", "Oskar Brandt", "ferry operator")
    assert 0.0 <= score < SUGGEST_THRESHOLD
    assert score_match("", "", "Oskar Brandt", "") == 0.0
    assert 0.0 <= score_match("Marta Kovel", "mayor", "Marta Kovel", "mayor") <= 1.0


def test_organisation_contained_in_a_longer_name_is_only_suggested() -> None:
    score = score_match("General Staff", "", "Veskia's General Staff", "")
    assert SUGGEST_THRESHOLD <= score < MERGE_THRESHOLD
    assert score_match("Veskia's General Staff", "", "Osland's General Staff", "") < MERGE_THRESHOLD


def person(name: str, role: str = "", *aliases: str) -> SpeakerRecord:
    return SpeakerRecord(name=name, kind="person", role=role, aliases=(name, *aliases))


def test_same_person_in_several_articles_gets_one_canonical_name() -> None:
    directory = SpeakerDirectory()
    first, _ = directory.resolve(person("Yevgeny Karpenko", "head of the water agency", "Karpenko"))
    second, _ = directory.resolve(person("Evgeniy Karpenko", "the head of the Dravna Water Agency", "Karpenko"))
    third, _ = directory.resolve(person("Yevhen Karpenko", "water agency chief"))
    assert first == second == third == "Yevgeny Karpenko"
    assert len(directory) == 1


def test_middling_match_is_suggested_but_not_merged() -> None:
    directory = SpeakerDirectory()
    directory.resolve(person("Yury Dashko"))
    canonical, candidates = directory.resolve(SpeakerRecord(name="Dashko", kind="person"))
    assert canonical == "Dashko"
    assert candidates == ["Yury Dashko"]
    assert len(directory) == 2


def test_person_and_organisation_with_similar_names_are_not_merged() -> None:
    directory = SpeakerDirectory()
    directory.resolve(SpeakerRecord(name="Kovel", kind="organisation", aliases=("Kovel",)))
    canonical, _ = directory.resolve(SpeakerRecord(name="Kovel", kind="person", aliases=("Kovel",)))
    assert len(directory) == 2
    assert canonical == "Kovel"


def test_a_shared_surname_alias_does_not_merge_different_first_names() -> None:
    directory = SpeakerDirectory()
    directory.resolve(person("Ilse Varga", "mayor of Port Selby", "Varga"))
    canonical, candidates = directory.resolve(person("Ilsa Varga", "Mayor"))
    assert (canonical, candidates) == ("Ilsa Varga", ["Ilse Varga"])


def test_canonical_name_never_changes_once_given() -> None:
    directory = SpeakerDirectory()
    directory.resolve(person("Ilse Varn", "mayor"))
    canonical, _ = directory.resolve(person("Ilse Marie Varn", "mayor of Oskby"))
    assert canonical == "Ilse Varn"
    assert directory.resolve(person("Ilse Varn"))[0] == "Ilse Varn"


def test_unrelated_people_stay_apart() -> None:
    directory = SpeakerDirectory()
    directory.resolve(person("Marta Kovel"))
    canonical, candidates = directory.resolve(person("Oskar Brandt"))
    assert (canonical, candidates) == ("Oskar Brandt", [])
    assert directory.canonical_names() == ["Marta Kovel", "Oskar Brandt"]


def test_fuzzy_spelling_without_a_shared_word_is_still_found() -> None:
    directory = SpeakerDirectory()
    directory.resolve(person("Halyna Bortnyk"))
    canonical, _ = directory.resolve(person("Galyna Bortnik"))
    assert canonical in {"Halyna Bortnyk", "Galyna Bortnik"}
