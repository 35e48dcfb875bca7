"""Training the attribution tagger's head on PolNeAR-shaped JSON lines (seeded, CPU; never run in CI).

Encoder features are computed once per article (the encoder is frozen), then the head trains for a few
epochs on them; so an epoch costs seconds rather than the encoder's forward and backward passes.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import model as tagger_model
from .tagging import LABEL_ID, LABELS, gold_spans, piece_labels


def read_articles(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Articles from JSON-lines files ({"id", "text", "attributions": [...]} per line)."""
    articles = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    articles.append(json.loads(line))
    return articles


def encode(articles: Sequence[dict[str, Any]], log: Callable[[str], None]) -> list[tuple[Any, Any]]:
    """(features, labels) per article, fp16 features to keep the corpus in memory."""
    import torch

    out = []
    started = time.monotonic()
    for i in range(0, len(articles), 8):
        chunk = articles[i : i + 8]
        for article, (feats, offsets) in zip(chunk, tagger_model.features([a["text"] for a in chunk]), strict=True):
            labels = piece_labels(offsets, gold_spans(article["attributions"]))
            out.append((feats.half(), torch.tensor(labels, dtype=torch.long)))
        if (i // 8) % 10 == 0:
            log(f"encoded {i + len(chunk)}/{len(articles)} articles {time.monotonic() - started:.0f}s")
    return out


def chunks(data: Sequence[tuple[Any, Any]], length: int, rng: random.Random) -> list[tuple[Any, Any]]:
    """Pieces of articles of at most `length` word pieces, cut at a random offset, shuffled."""
    out = []
    for feats, labels in data:
        start = -rng.randrange(length) if len(labels) > length else 0
        while start < len(labels):
            lo, hi = max(0, start), start + length
            out.append((feats[lo:hi], labels[lo:hi]))
            start = hi
    rng.shuffle(out)
    return out


def char_scores(
    tagger: Any, articles: Sequence[dict[str, Any]], encoded: Sequence[tuple[Any, Any]]
) -> dict[str, float]:
    """Piece-level F1 per role on held-out articles (a quick figure between epochs)."""
    scores: dict[str, float] = {}
    predictions = [tagger.label_ids(f.float()) for f, _ in encoded]
    for role in ("SOURCE", "CUE", "CONTENT"):
        ids = {LABEL_ID[f"B-{role}"], LABEL_ID[f"I-{role}"]}
        tp = fp = fn = 0
        for (_, gold), pred in zip(encoded, predictions, strict=True):
            for g, p in zip(gold.tolist(), pred, strict=True):
                tp += g in ids and p in ids
                fp += g not in ids and p in ids
                fn += g in ids and p not in ids
        scores[role] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    return scores


def train(
    train_paths: Sequence[str | Path],
    dev_path: str | Path | None,
    out: Path,
    *,
    epochs: int = 6,
    seed: int = 13,
    learning_rate: float = 1e-3,
    batch_size: int = 16,
    length: int = tagger_model.HEAD_WINDOW,
    limit: int | None = None,
    cache: Path | None = None,
    log: Callable[[str], None] = lambda line: print(line, flush=True),
) -> dict[str, Any]:
    """Train the head and store it in `out`; returns the summary (also written there as training.json)."""
    import torch

    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(tagger_model.torch_threads())
    started = time.monotonic()
    articles = read_articles(train_paths)[: limit or None]
    dev = read_articles([dev_path])[: limit or None] if dev_path else []
    if cache is not None and cache.is_file():
        data, dev_data = torch.load(cache)
        log(f"features read from {cache}")
    else:
        data = encode(articles, log)
        dev_data = encode(dev, log) if dev else []
        if cache is not None:
            torch.save((data, dev_data), cache)
    encoded_s = round(time.monotonic() - started)
    head = tagger_model.new_head()
    optimizer = torch.optim.AdamW(head.parameters(), lr=learning_rate, weight_decay=0.01)
    rng = random.Random(seed)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    history: list[dict[str, Any]] = []
    best = -1.0
    for epoch in range(1, epochs + 1):
        head.train()
        batches = chunks(data, length, rng)
        total = 0.0
        for b in range(0, len(batches), batch_size):
            group = batches[b : b + batch_size]
            width = max(len(lab) for _, lab in group)
            x = torch.zeros(len(group), width, group[0][0].shape[1])
            y = torch.full((len(group), width), -100, dtype=torch.long)
            for row, (feats, labels) in enumerate(group):
                x[row, : len(labels)] = feats.float()
                y[row, : len(labels)] = labels
            logits = head(x, padding=y.eq(-100))
            loss = loss_fn(logits.reshape(-1, len(LABELS)), y.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
            total += float(loss.detach())
        for group_ in optimizer.param_groups:
            group_["lr"] *= 0.7
        head.eval()
        entry: dict[str, Any] = {
            "epoch": epoch,
            "loss": round(total / max(1, len(batches) / batch_size), 4),
            "seconds": round(time.monotonic() - started),
        }
        if dev_data:
            entry["dev_piece_f1"] = char_scores(tagger_model.Tagger(head=head), dev, dev_data)
            score = sum(entry["dev_piece_f1"].values())
        else:
            score = float(epoch)
        log(json.dumps(entry))
        history.append(entry)
        if score > best:
            best = score
            meta = {"epochs": epoch, "seed": seed, "learning_rate": learning_rate, "train_articles": len(articles)}
            tagger_model.save(head, out, meta)
    summary = {
        "labels": list(LABELS),
        "encode_seconds": encoded_s,
        "history": history,
        "train_files": [str(p) for p in train_paths],
    }
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
