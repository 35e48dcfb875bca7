"""Training the attribution tagger on PolNeAR-shaped JSON lines (seeded, CPU; never run in CI)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import model as tagger_model
from .tagging import LABEL_ID, LABELS, gold_spans, piece_labels


@dataclass(frozen=True, slots=True)
class Example:
    """One article as word pieces and their labels."""

    ids: list[int]
    labels: list[int]


def read_articles(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Articles from JSON-lines files ({"id", "text", "attributions": [...]} per line)."""
    articles = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    articles.append(json.loads(line))
    return articles


def examples(articles: Sequence[dict[str, Any]], tokenizer: Any) -> list[Example]:
    out = []
    for article in articles:
        enc = tokenizer(article["text"], add_special_tokens=False, return_offsets_mapping=True)
        out.append(Example(enc["input_ids"], piece_labels(enc["offset_mapping"], gold_spans(article["attributions"]))))
    return out


def windows(data: Sequence[Example], rng: random.Random) -> list[tuple[list[int], list[int]]]:
    """Non-overlapping windows from a random start per article, so epochs see different cuts."""
    body = tagger_model.WINDOW - 2
    out = []
    for example in data:
        start = -rng.randrange(body) if len(example.ids) > body else 0
        while start < len(example.ids):
            lo = max(0, start)
            hi = start + body
            if hi - lo >= 16:
                out.append((example.ids[lo:hi], example.labels[lo:hi]))
            start = hi
    rng.shuffle(out)
    return out


def token_scores(tagger: Any, articles: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Character-level precision/recall/F1 per role on held-out articles (a quick figure during training)."""
    scores: dict[str, float] = {}
    predicted = tagger.spans_many([a["text"] for a in articles])
    for role in ("SOURCE", "CUE", "CONTENT"):
        tp = fp = fn = 0
        for article, spans in zip(articles, predicted, strict=True):
            gold = {i for s in gold_spans(article["attributions"]) if s.role == role for i in range(s.start, s.end)}
            pred = {i for s in spans if s.role == role for i in range(s.start, s.end)}
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        scores[role] = 2 * p * r / (p + r) if p + r else 0.0
    return scores


def train(
    train_paths: Sequence[str | Path],
    dev_path: str | Path | None,
    out: Path,
    *,
    epochs: int = 3,
    seed: int = 13,
    learning_rate: float = 1e-4,
    batch_size: int = 16,
    limit: int | None = None,
    log: Callable[[str], None] = lambda line: print(line, flush=True),
) -> dict[str, Any]:
    """Fine-tune the tagger and store it in `out`; returns the training summary (also written beside it)."""
    import torch

    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    tokenizer = tagger_model.tokenizer()
    articles = read_articles(train_paths)[: limit or None]
    dev = read_articles([dev_path])[: limit or None] if dev_path else []
    data = examples(articles, tokenizer)
    model = tagger_model.new_model()
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.01)
    rng = random.Random(seed)
    per_epoch = len(windows(data, random.Random(seed)))
    total_steps = max(1, epochs * ((per_epoch + batch_size - 1) // batch_size))
    warmup = max(1, total_steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / max(1, total_steps - warmup)))
    )
    pad = tokenizer.pad_token_id
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    ignore = -100
    started = time.monotonic()
    step = 0
    history = []
    for epoch in range(1, epochs + 1):
        batches = windows(data, rng)
        running = 0.0
        for b in range(0, len(batches), batch_size):
            chunk = batches[b : b + batch_size]
            width = max(len(ids) for ids, _ in chunk) + 2
            input_ids = torch.full((len(chunk), width), pad, dtype=torch.long)
            labels = torch.full((len(chunk), width), ignore, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, (ids, labs) in enumerate(chunk):
                input_ids[row, : len(ids) + 2] = torch.tensor([cls, *ids, sep])
                labels[row, 1 : len(ids) + 1] = torch.tensor(labs)
                mask[row, : len(ids) + 2] = 1
            loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            running += loss.item()
            if step % 50 == 0:
                elapsed = time.monotonic() - started
                log(f"epoch {epoch} step {step}/{total_steps} loss {running / 50:.4f} {elapsed:.0f}s")
                running = 0.0
        model.eval()
        meta = {"epochs": epoch, "seed": seed, "learning_rate": learning_rate, "train_articles": len(articles)}
        tagger_model.save(model, out, meta)
        entry: dict[str, Any] = {"epoch": epoch, "seconds": round(time.monotonic() - started)}
        if dev:
            tagger = tagger_model.Tagger(model=model, tokenizer=tokenizer)
            entry["dev_char_f1"] = {k: round(v, 4) for k, v in token_scores(tagger, dev).items()}
        history.append(entry)
        log(json.dumps(entry))
        model.train()
    summary = {"labels": list(LABELS), "history": history, "train_files": [str(p) for p in train_paths]}
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n")
    assert LABEL_ID["O"] == 0
    return summary
