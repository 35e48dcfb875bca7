"""eval/polnear_bootstrap.py on hand-made score.py --details lists (no PolNeAR needed)."""

from __future__ import annotations

import json

import pytest

from eval.polnear_bootstrap import Counts, article_counts, bootstrap, f1, main


def _article(ident: str, predicted: int, golds: list[tuple[bool, bool, str]]) -> dict[str, object]:
    """golds: (matched, speaker ok, gold source) per gold attribution."""
    return {
        "id": ident,
        "pred_claims": predicted,
        "gold": [
            {"gold": "g", "gold_source": source, "match": "m" if matched else None, "speaker_ok": ok}
            for matched, ok, source in golds
        ],
    }


def test_end_to_end_counts_a_match_only_with_the_right_speaker_or_no_gold_source():
    counts = article_counts(
        [_article("a", 4, [(True, True, "Kolb"), (True, False, "Kolb"), (True, False, ""), (False, False, "X")])]
    )
    assert counts == {"a": Counts(matched=2, predicted=4, gold=4)}
    assert f1(list(counts.values())) == 0.5


def test_every_resample_of_identical_articles_scores_the_same():
    same = {str(i): Counts(3, 4, 5) for i in range(20)}
    result = bootstrap(same, resamples=200)
    assert result["low"] == result["high"] == result["f1"] == pytest.approx(6 / 9)


def test_a_model_better_on_every_article_is_better_in_every_resample():
    shipped = {str(i): Counts(5 + i % 3, 10, 10) for i in range(30)}
    candidate = {k: Counts(v.matched + 1, v.predicted, v.gold) for k, v in shipped.items()}
    result = bootstrap(candidate, shipped, resamples=500)
    assert result["difference"] == pytest.approx(0.1)
    assert 0 < result["difference_low"] <= result["difference_high"]
    assert result["not_better"] == 0
    assert result["low"] < result["f1"] < result["high"]  # articles differ, so splits do


def test_the_two_files_must_score_the_same_articles():
    with pytest.raises(ValueError, match="different articles"):
        bootstrap({"a": Counts(1, 1, 1)}, {"b": Counts(1, 1, 1)}, resamples=10)


def test_the_command_prints_the_interval_and_the_difference(tmp_path, capsys):
    first, second = tmp_path / "new.json", tmp_path / "shipped.json"
    first.write_text(json.dumps([_article(str(i), 2, [(True, True, "A"), (i % 2 == 0, True, "B")]) for i in range(9)]))
    second.write_text(json.dumps([_article(str(i), 2, [(True, True, "A"), (False, True, "B")]) for i in range(9)]))
    main([str(first), str(second), "--resamples", "300"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("end-to-end F1 0.7778; 95% interval over resampled dev splits of 9 articles:")
    assert out[1].startswith("against 0.5000: difference +0.2778")
