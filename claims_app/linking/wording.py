"""How a repeat of a statement is worded against its first appearance: a word-level diff for the origin page.

difflib.SequenceMatcher runs over word tokens compared without case and surrounding punctuation (a retelling
that only drops a comma reads unchanged), and the words are shown as each text writes them. The result is
plain data: the template renders every segment auto-escaped, so nothing a claim says is ever marked safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

SAME = "same"
INSERTED = "inserted"  # words the repeat adds
REPLACED = "replaced"  # words the repeat puts in place of the first's (shown after those, struck through)
DELETED = "deleted"  # words of the first appearance the repeat leaves out

# Punctuation around a word that does not make it another word ("said," and "said", “Yes” and "Yes").
_EDGE_PUNCTUATION = ".,;:!?\"'“”‘’«»()[]…"


@dataclass(frozen=True, slots=True)
class WordingSegment:
    kind: str  # SAME | INSERTED | REPLACED | DELETED
    text: str  # the words as written: the repeat's own, or (DELETED) the first appearance's


def _key(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION).casefold() or word


def wording_diff(first: str, text: str) -> list[WordingSegment]:
    """`text` against `first`, word by word, in reading order: unchanged runs, words it adds, words it puts in
    place of others (after the ones they replace), and the first's words it leaves out."""
    old, new = first.split(), text.split()
    matcher = SequenceMatcher(None, [_key(w) for w in old], [_key(w) for w in new], autojunk=False)
    segments: list[WordingSegment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(WordingSegment(SAME, " ".join(new[j1:j2])))
            continue
        if i2 > i1:
            segments.append(WordingSegment(DELETED, " ".join(old[i1:i2])))
        if j2 > j1:
            segments.append(WordingSegment(REPLACED if tag == "replace" else INSERTED, " ".join(new[j1:j2])))
    return segments


def unchanged(text: str) -> list[WordingSegment]:
    """The first appearance itself: one unchanged run."""
    return [WordingSegment(SAME, " ".join(text.split()))] if text.split() else []


def changed_words(segments: Iterable[WordingSegment]) -> list[str]:
    """The words a repeat adds or rewords (what the API lists as `changed_words`)."""
    return [word for s in segments if s.kind in (INSERTED, REPLACED) for word in s.text.split()]
