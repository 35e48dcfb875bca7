#!/usr/bin/env python3
"""Validate the labelled claim-extraction set in eval/extraction/.

Usage (from the repo root):

    .venv/bin/python eval/check_gold.py            # check eval/extraction/
    .venv/bin/python eval/check_gold.py some/dir   # check another folder

For every article `NN_slug.(txt|md|html)` there must be `NN_slug.gold.json`, and:

* every claim text is an exact substring of the article text (for .html: of the
  visible text, i.e. tags stripped, <script>/<style>/<head> contents dropped,
  entities decoded and whitespace collapsed; the claim is whitespace-collapsed too);
* claims are listed in document order;
* kinds are one of direct / indirect / according_to / assertion and every claim
  has a non-empty speaker; assertion claims are spoken by the article's author;
* direct claims do not include their own quote marks or a trailing comma;
* every boilerplate line occurs in the article text and contains no gold claim;
* published is YYYY-MM-DD or null, title is non-empty.

Exit status is 0 when clean, 1 otherwise. Warnings never fail the run.
Standard library only; no Django.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

KINDS = {"direct", "indirect", "according_to", "assertion"}
GENRES = {"news", "opinion", "wire_repeat"}
ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}
REQUIRED_KEYS = ("source", "title", "author", "outlet", "published", "claims", "boilerplate")
QUOTE_CHARS = "\"'“”‘’«»„"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ABBREV_END_RE = re.compile(r"(\b[a-zA-Z]\.[a-zA-Z]\.|\b(?:St|Dr|Mr|Mrs|Ms|Prof|etc|Inc|Ltd|No)\.)$")


class _VisibleText(HTMLParser):
    """Collect text outside <script>, <style>, <head>, <template>, <noscript>."""

    SKIP = {"script", "style", "head", "template", "noscript"}
    BLOCK = frozenset(
        {
            "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section",
            "article", "header", "footer", "nav", "aside", "ul", "ol", "main", "form", "title",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def collapse_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def html_visible_text(markup: str) -> str:
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return collapse_ws(html.unescape("".join(parser.parts)))


def article_text(path: Path) -> str:
    """The text gold spans must be substrings of (visible text for HTML)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix.lower() in {".html", ".htm"}:
        return html_visible_text(raw)
    return raw


def check_pair(gold_path: Path, errors: list[str], warnings: list[str]) -> dict | None:
    where = gold_path.name
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        errors.append(f"{where}: invalid JSON: {exc}")
        return None
    for key in REQUIRED_KEYS:
        if key not in gold:
            errors.append(f"{where}: missing key {key!r}")
    if any(key not in gold for key in REQUIRED_KEYS):
        return None

    source = gold_path.parent / gold["source"]
    expected_stem = gold_path.name[: -len(".gold.json")]
    if Path(gold["source"]).stem != expected_stem:
        errors.append(f"{where}: source {gold['source']!r} does not match the gold file name")
    if not source.is_file():
        errors.append(f"{where}: source file {gold['source']!r} not found")
        return None
    is_html = source.suffix.lower() in {".html", ".htm"}
    text = article_text(source)

    if not isinstance(gold["title"], str) or not gold["title"].strip():
        errors.append(f"{where}: empty title")
    for key in ("author", "outlet"):
        if gold[key] is not None and (not isinstance(gold[key], str) or not gold[key].strip()):
            errors.append(f"{where}: {key} must be a non-empty string or null")
    if gold["published"] is not None and not DATE_RE.match(str(gold["published"])):
        errors.append(f"{where}: published {gold['published']!r} is not YYYY-MM-DD or null")
    if "genre" in gold and gold["genre"] not in GENRES:
        errors.append(f"{where}: genre {gold['genre']!r} not in {sorted(GENRES)}")

    claims = gold["claims"]
    if not isinstance(claims, list):
        errors.append(f"{where}: claims must be a list")
        return None
    cursor = 0
    seen: Counter[tuple[str, str]] = Counter()
    for n, claim in enumerate(claims):
        label = f"{where}: claim #{n}"
        if not isinstance(claim, dict):
            errors.append(f"{label}: not an object")
            continue
        ctext, kind, speaker = claim.get("text"), claim.get("kind"), claim.get("speaker")
        if kind not in KINDS:
            errors.append(f"{label}: invalid kind {kind!r}")
        if not isinstance(speaker, str) or not speaker.strip():
            errors.append(f"{label}: missing speaker")
        if not isinstance(ctext, str) or not ctext.strip():
            errors.append(f"{label}: empty text")
            continue
        if ctext != ctext.strip():
            errors.append(f"{label}: leading/trailing whitespace in {ctext[:40]!r}")
        needle = collapse_ws(ctext) if is_html else ctext
        pos = text.find(needle, cursor)
        if pos < 0:
            if text.find(needle) >= 0:
                errors.append(
                    f"{label}: found, but before the previous claim (list claims in document order): {ctext[:60]!r}"
                )
            else:
                errors.append(f"{label}: not a substring of {gold['source']}: {ctext[:80]!r}")
        else:
            cursor = pos
        if kind == "direct":
            if ctext[0] in QUOTE_CHARS or ctext[-1] in QUOTE_CHARS:
                errors.append(f"{label}: direct claim must not include its quote marks: {ctext[:60]!r}")
            if ctext.endswith(","):
                errors.append(f"{label}: drop the trailing comma of a direct quote: {ctext[-40:]!r}")
        if kind == "assertion" and speaker != gold["author"]:
            errors.append(f"{label}: assertion speaker {speaker!r} must be the author {gold['author']!r}")
        if kind in {"indirect", "according_to"} and ctext.endswith(".") and not ABBREV_END_RE.search(ctext):
            warnings.append(f"{label}: {kind} claim ends with '.', convention is to drop the final period")
        if kind != "direct" and len(ctext.split()) < 3:
            warnings.append(f"{label}: very short claim {ctext!r}")
        seen[(ctext, str(speaker))] += 1
    for (ctext, speaker), count in seen.items():
        if count > 1:
            warnings.append(f"{where}: claim {ctext[:40]!r} by {speaker} listed {count} times")

    boiler = gold["boilerplate"]
    if not isinstance(boiler, list) or not all(isinstance(b, str) for b in boiler):
        errors.append(f"{where}: boilerplate must be a list of strings")
        boiler = []
    lines = {line.strip() for line in text.splitlines()}
    for line in boiler:
        if is_html:
            if collapse_ws(line) not in text:
                errors.append(f"{where}: boilerplate not in visible text: {line[:60]!r}")
        elif line.strip() not in lines:
            errors.append(f"{where}: boilerplate is not a whole line of the article: {line[:60]!r}")
        for claim in claims:
            if (
                isinstance(claim, dict)
                and isinstance(claim.get("text"), str)
                and claim["text"]
                and claim["text"] in line
            ):
                errors.append(f"{where}: claim {claim['text'][:40]!r} lies inside boilerplate line {line[:40]!r}")
    return gold


def check_folder(folder: Path) -> tuple[list[str], list[str], list[dict]]:
    errors: list[str] = []
    warnings: list[str] = []
    golds: list[dict] = []
    gold_files = sorted(folder.glob("*.gold.json"))
    articles = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )
    gold_stems = {p.name[: -len(".gold.json")] for p in gold_files}
    for art in articles:
        if art.stem not in gold_stems:
            errors.append(f"{art.name}: no {art.stem}.gold.json beside it")
        if not re.match(r"^\d{2}_[a-z0-9_]+$", art.stem):
            warnings.append(f"{art.name}: name does not follow NN_slug")
    stems = Counter(a.stem for a in articles)
    for stem, count in stems.items():
        if count > 1:
            errors.append(f"{stem}: {count} article files share this stem")
    for gold_path in gold_files:
        gold = check_pair(gold_path, errors, warnings)
        if gold is not None:
            golds.append(gold)
    return errors, warnings, golds


def summarise(golds: list[dict]) -> str:
    formats = Counter(Path(g["source"]).suffix.lstrip(".") for g in golds)
    genres = Counter(g.get("genre", "?") for g in golds)
    kinds = Counter(c["kind"] for g in golds for c in g["claims"])
    total = sum(kinds.values())
    return (
        f"{len(golds)} articles; formats {dict(sorted(formats.items()))}; genres {dict(sorted(genres.items()))}\n"
        f"{total} claims; by kind {dict(sorted(kinds.items()))}; "
        f"{sum(len(g['boilerplate']) for g in golds)} boilerplate lines"
    )


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "extraction"
    if not folder.is_dir():
        print(f"no such folder: {folder}", file=sys.stderr)
        return 2
    errors, warnings, golds = check_folder(folder)
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print(summarise(golds))
    if errors:
        print(f"{len(errors)} error(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
