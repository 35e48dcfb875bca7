"""Pure tests for claims_app.extraction_scoring (no database, no Django settings needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimdesk_dev.extraction_scoring import (
    Counts,
    GoldArticle,
    GoldClaim,
    PredictedClaim,
    anchor_claims,
    load_gold,
    locate,
    names_match,
    overlap_ratio,
    score,
)

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval" / "extraction"


def gold(start: int, end: int, speaker: str = "Mara Ostrova", kind: str = "direct") -> GoldClaim:
    return GoldClaim(text="x" * (end - start), kind=kind, speaker=speaker, start=start, end=end)


def pred(start: int, end: int, speaker: str | None = "Mara Ostrova", kind: str | None = "direct") -> PredictedClaim:
    return PredictedClaim(start=start, end=end, speaker=speaker, kind=kind)


# ---------------------------------------------------------------- span matching


def test_exact_span_is_a_match() -> None:
    counts = score([gold(10, 50)], [pred(10, 50)])
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)
    assert counts.precision == counts.recall == counts.f1 == 1.0


def test_overlapping_span_counts_as_match() -> None:
    # gold 0-100, prediction 40-120: overlap 60 of the shorter 80 -> 0.75
    counts = score([gold(0, 100)], [pred(40, 120)])
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)


def test_prediction_inside_long_gold_span_counts_as_match() -> None:
    # a short prediction fully inside a long gold span overlaps 100% of the shorter span
    counts = score([gold(0, 300)], [pred(100, 130)])
    assert counts.tp == 1


def test_exactly_half_overlap_is_a_match() -> None:
    assert overlap_ratio(0, 100, 50, 150) == 0.5
    assert score([gold(0, 100)], [pred(50, 150)]).tp == 1


def test_below_half_overlap_is_not_a_match() -> None:
    counts = score([gold(0, 100)], [pred(51, 151)])
    assert (counts.tp, counts.fp, counts.fn) == (0, 1, 1)


def test_disjoint_spans_do_not_match() -> None:
    counts = score([gold(0, 10)], [pred(20, 30)])
    assert (counts.tp, counts.fp, counts.fn) == (0, 1, 1)


def test_zero_length_prediction_never_matches() -> None:
    counts = score([gold(0, 10)], [pred(5, 5)])
    assert (counts.tp, counts.fp, counts.fn) == (0, 1, 1)


def test_matching_is_one_to_one() -> None:
    # two predictions both overlapping the same gold span: one tp, one fp
    counts = score([gold(0, 100)], [pred(0, 90), pred(10, 100)])
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)


def test_one_prediction_cannot_cover_two_gold_spans() -> None:
    # a prediction spanning two short gold quotes matches only one of them
    counts = score([gold(0, 20), gold(30, 50)], [pred(0, 50)])
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 1)


def test_greedy_matching_prefers_best_overlap() -> None:
    # p0 overlaps g0 fully and g1 partly; p1 overlaps only g1. Best-first gives 2 matches.
    golds = [gold(0, 100), gold(100, 200)]
    preds = [pred(0, 100), pred(120, 200)]
    counts = score(golds, preds)
    assert (counts.tp, counts.fp, counts.fn) == (2, 0, 0)


def test_empty_inputs() -> None:
    assert (score([], []).tp, score([], []).fp, score([], []).fn) == (0, 0, 0)
    assert score([], [pred(0, 10)]).fp == 1
    assert score([gold(0, 10)], []).fn == 1


def test_unanchored_gold_is_rejected() -> None:
    with pytest.raises(ValueError):
        score([GoldClaim("text", "direct", "A B")], [])


# ---------------------------------------------------------------- speakers


def test_wrong_speaker_counts_for_span_but_not_span_plus_speaker() -> None:
    counts = score([gold(0, 100, speaker="Mara Ostrova")], [pred(0, 100, speaker="Piet Anholt")])
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)
    assert (counts.speaker_tp, counts.speaker_fp, counts.speaker_fn) == (0, 1, 1)
    assert counts.f1 == 1.0 and counts.speaker_f1 == 0.0


def test_missing_speaker_counts_for_span_only() -> None:
    counts = score([gold(0, 100)], [pred(0, 100, speaker=None)])
    assert counts.tp == 1 and counts.speaker_tp == 0


def test_speaker_variant_counts_for_span_plus_speaker() -> None:
    counts = score([gold(0, 100, speaker="Yevgeny Karpenko")], [pred(5, 95, speaker="Evgeniy Karpenko")])
    assert counts.speaker_tp == 1 and counts.speaker_counts.f1 == 1.0


def test_span_plus_speaker_matching_can_pick_the_right_speaker() -> None:
    # two overlapping predictions; only the second has the right speaker
    counts = score(
        [gold(0, 100, speaker="Lena Varga")], [pred(0, 100, speaker="Karol Weiss"), pred(0, 95, speaker="Varga")]
    )
    assert (counts.tp, counts.fp) == (1, 1)
    assert (counts.speaker_tp, counts.speaker_fp, counts.speaker_fn) == (1, 1, 0)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Colonel Mara Ostrova", "Mara Ostrova"),
        ("mara ostrova", "Mara Ostrova"),
        ("Ostrova", "Mara Ostrova"),
        ("M. Ostrova", "Mara Ostrova"),
        ("Yury Tolmachev", "Yuri Tolmachev"),
        ("Yevgeny Karpenko", "Evgeniy Karpenko"),
        ("Yevhen Karpenko", "Yevgeny Karpenko"),
        ("Taras Vorenskyy", "Taras Vorensky"),
        ("Conrad Pelham", "Conrad Pellham"),
        ("Edvard Lindkvist", "Edvard Lindqvist"),
        ("Dr. Lena Varga", "Lena Varga"),
        ("Zoë Ångström", "Zoe Angstrom"),
        ("Health Minister Conrad Pellham", "Conrad Pellham"),
        ("Harbour Authority", "Saltmere Harbour Authority"),
        ("Kelvor Nurses' Union", "Kelvor Nurses’ Union"),
        ("Prof. Adrian Holt", "Adrian Holt"),
    ],
)
def test_names_match_variants(a: str, b: str) -> None:
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mara Ostrova", "Piet Anholt"),
        ("Lena Varga", "Karol Varga"),
        ("Anja Morrow", "Ida Solberg"),
        ("Ministry of Environment", "Ministry of Defence"),
        ("State Audit Office", "Kelvor Post Office"),
        (None, "Mara Ostrova"),
        ("", "Mara Ostrova"),
    ],
)
def test_names_do_not_match(a: str | None, b: str) -> None:
    assert not names_match(a, b)


# ---------------------------------------------------------------- counts


def test_counts_precision_recall_f1() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert counts.precision == pytest.approx(0.75)
    assert counts.recall == pytest.approx(0.6)
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_counts_zero_division_is_zero() -> None:
    counts = Counts()
    assert counts.precision == counts.recall == counts.f1 == 0.0
    assert counts.speaker_precision == counts.speaker_recall == counts.speaker_f1 == 0.0


def test_counts_are_addable_including_per_kind() -> None:
    a = score([gold(0, 10, kind="direct")], [pred(0, 10, kind="direct")])
    b = score([gold(0, 10, kind="indirect")], [pred(50, 60, kind="according_to")])
    total = a + b
    assert (total.tp, total.fp, total.fn) == (1, 1, 1)
    assert total.kind("direct").tp == 1
    assert total.kind("indirect").fn == 1
    assert total.kind("according_to").fp == 1
    assert sum([a, b]).as_dict() == total.as_dict()
    assert (a + Counts()).as_dict() == a.as_dict()


def test_per_kind_breakdown_and_kind_agreement() -> None:
    golds = [gold(0, 10, kind="direct"), gold(20, 30, kind="indirect"), gold(40, 50, kind="assertion")]
    preds = [pred(0, 10, kind="direct"), pred(20, 30, kind="direct"), pred(60, 70, kind=None)]
    counts = score(golds, preds)
    assert counts.kind_correct == 1
    assert counts.kind("direct").tp == 1 and counts.kind("direct").kind_correct == 1
    assert counts.kind("indirect").tp == 1 and counts.kind("indirect").kind_correct == 0
    assert counts.kind("assertion").fn == 1
    assert counts.kind("unknown").fp == 1
    assert sum(c.tp for c in counts.by_kind.values()) == counts.tp
    assert sum(c.fp for c in counts.by_kind.values()) == counts.fp
    assert sum(c.fn for c in counts.by_kind.values()) == counts.fn


# ---------------------------------------------------------------- locate


def test_locate_exact() -> None:
    body = 'Ostrova said: "We were tracking thirty targets." Then she left.'
    start, end = locate("We were tracking thirty targets.", body)
    assert body[start:end] == "We were tracking thirty targets."


def test_locate_tolerates_curly_vs_straight_quotes() -> None:
    body = "She said the governor\u2019s helicopter was \u201cin the middle\u201d of it."
    span = locate('the governor\'s helicopter was "in the middle" of it', body)
    assert span is not None
    assert body[span[0] : span[1]] == "the governor\u2019s helicopter was \u201cin the middle\u201d of it"


def test_locate_tolerates_whitespace_differences() -> None:
    body = "The reserve is not\n   a piggy  bank, she said."
    span = locate("The reserve is not a piggy bank", body)
    assert span is not None
    assert body[span[0] : span[1]] == "The reserve is not\n   a piggy  bank"


def test_locate_tolerates_missing_whitespace_and_case() -> None:
    body = "Intro.</p><p>NOBODY came."
    assert locate("Nobody came.", body.replace("</p><p>", "")) is not None
    assert locate("intro. nobody", "Intro.NOBODY came.") == (0, 12)


def test_locate_respects_start_offset() -> None:
    body = "Nobody came. Later: Nobody came."
    assert locate("Nobody came.", body) == (0, 12)
    assert locate("Nobody came.", body, start=1) == (20, 32)


def test_locate_returns_none_when_absent() -> None:
    assert locate("the dam held", "The levee broke.") is None
    assert locate("   ", "anything") is None


def test_anchor_claims_in_document_order(tmp_path: Path) -> None:
    article = GoldArticle(
        source="a.txt",
        source_path=tmp_path / "a.txt",
        title="t",
        author=None,
        outlet=None,
        published=None,
        claims=(
            GoldClaim("Nobody came.", "direct", "Bettina Krall"),
            GoldClaim("Nobody came.", "direct", "Edvard Lindqvist"),
            GoldClaim("not in the body", "indirect", "X Y"),
        ),
    )
    located, missing = anchor_claims(article, "\u201cNobody came.\u201d Later: \u201cNobody came.\u201d")
    assert [(c.start, c.end) for c in located] == [(1, 13), (23, 35)]
    assert [c.text for c in missing] == ["not in the body"]


# ---------------------------------------------------------------- gold files


def test_load_gold_reads_fields(tmp_path: Path) -> None:
    (tmp_path / "01_a.txt").write_text("Body. Nobody came.", encoding="utf-8")
    (tmp_path / "01_a.gold.json").write_text(
        json.dumps(
            {
                "source": "01_a.txt",
                "title": "A",
                "author": None,
                "outlet": "Nordwire",
                "published": "2025-03-04",
                "claims": [{"text": "Nobody came.", "kind": "direct", "speaker": "Bettina Krall"}],
                "boilerplate": ["Tags: x"],
                "extra": "ignored",
            }
        ),
        encoding="utf-8",
    )
    [article] = load_gold(tmp_path)
    assert article.source_path == tmp_path / "01_a.txt"
    assert article.published is not None and article.published.isoformat() == "2025-03-04"
    assert article.claims == (GoldClaim("Nobody came.", "direct", "Bettina Krall"),)
    assert article.boilerplate == ("Tags: x",)
    assert article.format == "txt"


@pytest.mark.skipif(not EVAL_DIR.is_dir(), reason="eval set not present")
def test_real_eval_set_anchors_in_plain_text_sources() -> None:
    articles = load_gold(EVAL_DIR)
    assert len(articles) >= 18
    for article in articles:
        assert all(c.kind in {"direct", "indirect", "according_to", "assertion"} for c in article.claims)
        if article.format == "html":
            continue  # HTML is checked against its visible text by eval/check_gold.py
        _, missing = anchor_claims(article, article.read_source())
        assert not missing, (article.source, [c.text[:50] for c in missing])


def test_names_match_without_shared_normaliser(monkeypatch: pytest.MonkeyPatch) -> None:
    import claimdesk_dev.extraction_scoring as scoring

    monkeypatch.setattr(scoring, "normalise_name", lambda name: name)  # only the token rules decide
    assert scoring.names_match("Yury Tolmachev", "Yuri Tolmachov")
    assert scoring.names_match("Evgeniy Karpenko", "Yevgeny Karpenko")
    assert scoring.names_match("Taras Vorenskyy", "President Taras Vorensky")
    assert not scoring.names_match("Lena Varga", "Karol Varga")
