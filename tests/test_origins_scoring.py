"""Pure tests for eval/origins_scoring.py on tiny hand-made groupings (no database)."""

from __future__ import annotations

import json
from collections.abc import Hashable
from pathlib import Path

import pytest

from eval.origins_scoring import (
    DEFAULT_GOLD,
    ClaimKey,
    Gold,
    GoldClaim,
    GoldGroup,
    GroupRelation,
    anchor,
    baseline,
    check,
    expected_reads,
    hidden_corroboration,
    load_gold,
    main,
    pairwise,
    score,
    wrongly_corroborated,
)


def group(gid: str, speaker: str, reads: str, kind: str = "origin", occasion: str = "") -> GoldGroup:
    return GoldGroup(id=gid, kind=kind, speaker=speaker, venue="", reads=reads, occasion=occasion)


# Tesk's TV statement retold in three articles; Marren contradicts it; Tesk's later Telegram post corroborates it.
# Lunn's statement is retold twice and nothing else supports it.
TINY = Gold(
    claims=(
        GoldClaim("a.txt", "helicopter at the centre", "Tesk", "tv"),
        GoldClaim("b.txt", "helicopter right at the centre", "Tesk", "tv"),
        GoldClaim("c.txt", "helicopter at the centre", "Tesk", "tv"),
        GoldClaim("c.txt", "moved to a hangar", "Marren", "denial"),
        GoldClaim("d.txt", "sent to hit the helicopter", "Tesk", "telegram"),
        GoldClaim("e.txt", "fire contained", "Lunn", "fire"),
        GoldClaim("f.txt", "fire under control", "Lunn", "fire"),
    ),
    groups={
        "tv": group("tv", "Tesk", "contradicted"),
        "denial": group("denial", "Marren", "contradicted", "independent"),
        "telegram": group("telegram", "Tesk", "corroborated", "second_occasion"),
        "fire": group("fire", "Lunn", "same_origin_only"),
    },
    relations=(GroupRelation("tv", "denial", "contradicts"), GroupRelation("tv", "telegram", "corroborates")),
)
A, B, C, C_DENIAL, D, E, F = (claim.key for claim in TINY.claims)


def test_perfect_grouping_scores_one_and_nothing_wrongly_corroborated() -> None:
    result = score(TINY, TINY.assignment())
    assert (result.pairs.precision, result.pairs.recall, result.pairs.f1) == (1.0, 1.0, 1.0)
    assert result.pairs.true_positives == 4  # three tv pairs and one fire pair
    assert result.wrongly_corroborated == ()
    assert result.hidden_corroboration == ()


def test_pairwise_counts_split_and_merged_pairs() -> None:
    gold = {1: "x", 2: "x", 3: "x", 4: "y"}
    predicted: dict[int, Hashable] = {1: "p", 2: "p", 3: "q", 4: "q"}
    scores = pairwise(gold, predicted)
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (1, 1, 2)
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(0.4)


def test_unpredicted_claims_are_origins_of_their_own_and_nothing_predicted_scores_zero_recall() -> None:
    scores = pairwise({1: "x", 2: "x"}, {})
    assert (scores.true_positives, scores.false_negatives, scores.precision, scores.recall) == (0, 1, 1.0, 0.0)
    assert scores.f1 == 0.0


def test_pairs_of_two_statements_from_one_occasion_count_neither_way() -> None:
    gold = {1: "claim", 2: "quote", 3: "other"}
    occasions = {1: "interview", 2: "interview", 3: "other"}
    merged: dict[int, Hashable] = {1: "p", 2: "p", 3: "q"}
    assert pairwise(gold, merged, occasions).false_positives == 0
    assert pairwise(gold, merged).false_positives == 1


def test_unlinked_repeats_read_wrongly_corroborated() -> None:
    # every claim its own origin: the retellings look like independent sources
    predicted = baseline(TINY, "claim")
    wrong = set(wrongly_corroborated(TINY, predicted))
    # the fire claims have only each other; the tv claims also have the Telegram post, a real second occasion
    assert wrong == {E, F}
    assert hidden_corroboration(TINY, predicted) == []


def test_wire_copy_left_out_of_its_origin_makes_the_copy_and_the_original_wrongly_corroborated() -> None:
    predicted: dict[ClaimKey, Hashable] = {**TINY.assignment(), F: "wire-copy"}
    assert set(wrongly_corroborated(TINY, predicted)) == {E, F}


def test_merging_the_second_occasion_hides_its_corroboration() -> None:
    predicted: dict[ClaimKey, Hashable] = {**TINY.assignment(), D: "tv"}
    assert set(hidden_corroboration(TINY, predicted)) == {A, B, C, D}
    assert wrongly_corroborated(TINY, predicted) == []
    assert score(TINY, predicted).pairs.false_positives == 3


def test_speaker_baseline_merges_occasions_and_another_speaker_is_never_a_repeat() -> None:
    predicted = baseline(TINY, "speaker")
    assert C_DENIAL not in hidden_corroboration(TINY, predicted)
    assert set(hidden_corroboration(TINY, predicted)) == {A, B, C, D}
    assert pairwise(TINY.assignment(), predicted).false_negatives == 0


def test_anchor_maps_predicted_claims_onto_gold_quotes_by_article() -> None:
    predicted = anchor(
        TINY,
        [
            ("eval/origins/a.txt", "the governor's helicopter at the centre of the attack", 7),
            ("b.txt", "helicopter right at the centre", 7),
            ("e.txt", "an unrelated claim", 1),
            ("z.txt", "fire contained", 2),
        ],
    )
    assert predicted == {A: 7, B: 7}


def test_expected_reads_follow_claimdesk_precedence() -> None:
    assert expected_reads(TINY) == {tg.id: tg.reads for tg in TINY.groups.values()}


def test_check_finds_quotes_missing_from_articles(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The helicopter at the centre, he said.", encoding="utf-8")
    problems = check(TINY, tmp_path)
    assert any("b.txt: quote found 0 times" in p for p in problems)
    assert not any(p.startswith("a.txt") for p in problems)


def test_load_gold_reads_the_json_format(tmp_path: Path) -> None:
    path = tmp_path / "gold.json"
    path.write_text(
        json.dumps(
            {
                "groups": {"g": {"kind": "origin", "speaker": "Tesk", "reads": "same_origin_only", "occasion": "o"}},
                "claims": [{"article": "a.txt", "quote": "q", "speaker": "Tesk", "group": "g"}],
                "relations": [],
            }
        ),
        encoding="utf-8",
    )
    gold = load_gold(path)
    assert gold.claims == (GoldClaim("a.txt", "q", "Tesk", "g"),)
    assert gold.groups["g"].occasion == "o"
    assert gold.occasions() == {("a.txt", "q"): "o"}


def test_the_team_gold_set_checks_clean_and_its_baselines_show_both_errors(capsys: pytest.CaptureFixture[str]) -> None:
    gold = load_gold(DEFAULT_GOLD)
    assert check(gold, DEFAULT_GOLD.parent) == []
    assert len(gold.groups) >= 12
    assert score(gold, baseline(gold, "claim")).wrongly_corroborated
    assert score(gold, baseline(gold, "speaker")).hidden_corroboration
    assert main(["--check"]) == 0
    assert capsys.readouterr().out.startswith("OK:")
