"""Finding article files on disk for the `extract` and `ingest` commands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

ARTICLE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".md", ".markdown"}


def article_paths(paths: Iterable[str]) -> Iterator[Path]:
    """Files as given, and article files found under given folders (sorted, recursive)."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.upper().startswith("README")
            )
        else:
            yield path
