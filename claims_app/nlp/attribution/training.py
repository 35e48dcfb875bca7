"""Fine-tuning the attribution tagger on PolNeAR-shaped JSON lines (seeded, CPU; never run in CI).

Each article becomes word pieces with BIO labels (tagging.piece_labels); every epoch cuts the articles into
windows at a fresh random offset, so a piece is seen with different context each time. The word embeddings stay
the package's (frozen); the rest of MiniLM, the shape embedding and the label layer train, the last two at ten
times the encoder's learning rate, with warm-up and linear decay. The epoch with the best dev piece F1 is kept.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import model as tagger_model
from .tagging import LABEL_ID, LABELS, gold_spans, piece_labels
from .transitions import transition_table, word_firsts


def read_articles(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Articles from JSON-lines files ({"id", "text", "attributions": [...]} per line)."""
    articles = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    articles.append(json.loads(line))
    return articles


def labelled(articles: Sequence[dict[str, Any]]) -> list[tuple[tagger_model.Encoded, list[int]]]:
    """Each article's word pieces and their gold labels."""
    out = []
    for article in articles:
        encoded = tagger_model.encode(article["text"])
        out.append((encoded, piece_labels(encoded.offsets, gold_spans(article["attributions"]))))
    return out


def epoch_windows(
    data: Sequence[tuple[tagger_model.Encoded, list[int]]], rng: random.Random, length: int = tagger_model.WINDOW
) -> list[tuple[tagger_model.Encoded, list[int], int, int]]:
    """Windows of at most `length` pieces, cut at a random offset per article, shuffled."""
    out = []
    for encoded, labels in data:
        n = len(labels)
        start = -rng.randrange(length) if n > length else 0
        while start < n:
            lo, hi = max(0, start), min(n, start + length)
            if hi > lo:
                out.append((encoded, labels, lo, hi))
            start += length
    rng.shuffle(out)
    return out


def piece_f1(tagger: tagger_model.Tagger, data: Sequence[tuple[tagger_model.Encoded, list[int]]]) -> dict[str, float]:
    """Word-piece F1 per role on held-out articles (the figure printed after each epoch)."""
    predictions = tagger.label_ids_many([encoded for encoded, _ in data])
    scores: dict[str, float] = {}
    for role in ("SOURCE", "CUE", "CONTENT"):
        ids = {LABEL_ID[f"B-{role}"], LABEL_ID[f"I-{role}"]}
        tp = fp = fn = 0
        for (_, gold), predicted in zip(data, predictions, strict=True):
            for g, p in zip(gold, predicted, strict=True):
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
    epochs: int = 4,
    seed: int = 13,
    learning_rate: float = 1e-4,
    batch_size: int = 16,
    limit: int | None = None,
    init: Path | None = None,
    bf16: bool = False,
    window: int = tagger_model.WINDOW,
    log: Callable[[str], None] = lambda line: print(line, flush=True),
) -> dict[str, Any]:
    """Fine-tune and store the tagger in `out`; returns the summary (also written there as training.json)."""
    import torch

    if not 16 <= window <= tagger_model.MAX_WINDOW:
        raise ValueError(f"window must be 16 to {tagger_model.MAX_WINDOW} word pieces, not {window}")
    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(tagger_model.torch_threads())
    started = time.monotonic()
    articles = read_articles(train_paths)[: limit or None]
    dev = read_articles([dev_path])[: limit or None] if dev_path else []
    if not articles:
        raise ValueError("the training files hold no articles")
    data, dev_data = labelled(articles), labelled(dev)
    log(f"{len(data)} training articles, {sum(len(lab) for _, lab in data)} word pieces")
    transitions = transition_table([labels[i] for i in word_firsts(encoded.words)] for encoded, labels in data)
    network = tagger_model.load_network(init)[0] if init else tagger_model.new_network()
    network.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    own = [*network.shape.parameters(), *network.out.parameters()]
    encoder = [p for p in network.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": learning_rate}, {"params": own, "lr": learning_rate * 10}], weight_decay=0.01
    )
    rng = random.Random(seed)
    # An upper bound on an epoch's windows (a random cut adds at most one per article): the schedule's length.
    windows_bound = sum(math.ceil(len(labels) / window) + 1 for _, labels in data)
    steps = math.ceil(windows_bound / batch_size) * epochs
    warm_up = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warm_up) * max(0.0, (steps - step) / max(1, steps - warm_up))
    )
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    history: list[dict[str, Any]] = []
    best = -1.0
    for epoch in range(1, epochs + 1):
        network.train()
        rows = epoch_windows(data, rng, window)
        total = 0.0
        for b in range(0, len(rows), batch_size):
            chunk = rows[b : b + batch_size]
            ids, shapes, mask, gold = tagger_model.batch_tensors(
                [(encoded, lo, hi) for encoded, _, lo, hi in chunk], [labels[lo:hi] for _, labels, lo, hi in chunk]
            )
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = network(ids, shapes, mask)
            loss = loss_fn(logits.float().reshape(-1, len(LABELS)), gold.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach())
        network.eval()
        entry: dict[str, Any] = {
            "epoch": epoch,
            "loss": round(total / max(1, math.ceil(len(rows) / batch_size)), 4),
            "seconds": round(time.monotonic() - started),
        }
        if dev_data:
            tagger = tagger_model.Tagger(network=network, bf16=bf16, window=window)
            entry["dev_piece_f1"] = piece_f1(tagger, dev_data)
            score = sum(entry["dev_piece_f1"].values())
        else:
            score = float(epoch)
        log(json.dumps(entry))
        history.append(entry)
        if score > best:
            best = score
            meta = {
                "epochs": epoch,
                "seed": seed,
                "learning_rate": learning_rate,
                "train_articles": len(articles),
                "transitions": transitions,
                "window": window,
                "batch_size": batch_size,
            }
            if init:
                meta["init"] = str(init)
            if bf16:
                meta["bf16"] = True
            tagger_model.save(network, out, meta)
    summary = {"design": tagger_model.DESIGN, "history": history, "train_files": [str(p) for p in train_paths]}
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
