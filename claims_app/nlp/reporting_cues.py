"""Word lists that mark speech: reporting verbs, statement nouns and quote characters.

Lemmas are spaCy lemmas (lower case); matching is done on `Token.lemma_.lower()`.
"""

from __future__ import annotations

from spacy.tokens import Token

# Verbs that introduce a content clause ("X claimed that ...", "X told Y the plan failed").
# Cognition verbs (think, believe, hope) and denials are left out on purpose: the
# clause after them is not something the subject asserted.
INDIRECT_CUES: frozenset[str] = frozenset(
    {
        "say", "tell", "claim", "note", "state", "add", "argue", "assert", "insist",
        "maintain", "warn", "explain", "report", "announce", "confirm", "acknowledge",
        "admit", "suggest", "stress", "emphasise", "emphasize", "write", "allege",
        "contend", "predict", "promise", "pledge", "vow", "reveal", "estimate", "concede",
        "declare", "observe", "recall", "remark", "reply", "respond", "comment", "testify",
        "indicate", "hint", "mention", "complain", "boast", "caution", "conclude",
        "agree", "reiterate", "underline", "underscore", "point", "assure", "inform",
        "signal", "forecast", "specify", "clarify", "recount", "find",
    }
)  # fmt: skip

# Verbs that may frame a direct quote even without a content clause ("Trump continued, ...").
DIRECT_CUES: frozenset[str] = INDIRECT_CUES | frozenset(
    {
        "continue", "post", "tweet", "ask", "shout", "joke", "quip", "exclaim", "answer",
        "retort", "counter", "scoff", "sigh", "whisper", "recall", "summarise",
        "summarize", "put", "begin", "describe", "call",
    }
)  # fmt: skip

# Frame verbs that only count when a long quote sits right next to them; short
# quotes after them are characterisations ("called it a 'disaster'").
WEAK_DIRECT_CUES: frozenset[str] = frozenset({"describe", "call", "put", "begin"})

# Nouns naming an utterance; "Those were the words of X", "X's remarks".
STATEMENT_NOUNS: frozenset[str] = frozenset(
    {
        "word", "remark", "comment", "statement", "message", "assessment", "address",
        "speech", "post", "interview", "testimony", "announcement", "explanation", "warning",
    }
)  # fmt: skip

# Nouns after "according to" that stand for a source owned by somebody else
# ("according to a statement from the ministry" -> the ministry speaks).
SOURCE_DOCUMENT_NOUNS: frozenset[str] = frozenset(
    {
        "statement", "report", "data", "figure", "estimate", "post", "interview",
        "document", "record", "account", "transcript", "letter", "release", "filing",
        "message", "comment", "remark", "assessment", "analysis", "survey", "study",
    }
)  # fmt: skip

OPENING_QUOTES: frozenset[str] = frozenset({"\u201c", "\u201e", "\u00ab"})
CLOSING_QUOTES: frozenset[str] = frozenset({"\u201d", "\u00bb"})
AMBIGUOUS_QUOTES: frozenset[str] = frozenset({'"'})
QUOTE_CHARS: frozenset[str] = OPENING_QUOTES | CLOSING_QUOTES | AMBIGUOUS_QUOTES
# Single curly quotes (British style). Not in QUOTE_CHARS: the closing one is also the
# apostrophe ("don’t", "the 1990s’"), so doc_layout decides which ones mark a quote.
SINGLE_OPENING_QUOTE = "\u2018"
SINGLE_CLOSING_QUOTE = "\u2019"

SENTENCE_END_PUNCT: frozenset[str] = frozenset({".", "!", "?"})

_MODIFIER_DEPS = frozenset({"acl", "amod", "relcl", "advcl", "npadvmod"})
_WH_WORDS = frozenset({"what", "whether", "how", "why", "when", "where", "who", "which", "if"})


def reporting_cue(token: Token, cues: frozenset[str]) -> str | None:
    """The cue lemma ('say', 'point out') if `token` is a reporting verb in `cues`, else None.

    Participles used as modifiers or passives ('a book written by X', 'it was said') and
    verbs before an infinitive ('said to be the oldest') are hearsay or orders, not reports.
    """
    if token.pos_ != "VERB" or _is_capitalised_mid_sentence(token) or _before_infinitive(token):
        return None
    lemma = token.lemma_.lower()
    if lemma not in cues:
        return None
    if token.tag_ == "VBN" and _is_participle_use(token):
        return None
    particle = next((c.lower_ for c in token.children if c.dep_ == "prt"), "")
    return f"{lemma} {particle}" if particle else lemma


def _is_participle_use(token: Token) -> bool:
    """'a book written by X', 'it was said': a modifier or a passive, not a past-tense report."""
    if token.dep_ in _MODIFIER_DEPS:
        return True
    return any(child.dep_ in {"auxpass", "nsubjpass"} for child in token.children)


def _is_capitalised_mid_sentence(token: Token) -> bool:
    """'an action group, Hollow Ridge Says No': a capitalised verb is part of a name."""
    return token.text[:1].isupper() and not token.is_sent_start


def _before_infinitive(token: Token) -> bool:
    """'said to be the oldest', 'were told to diversify': hearsay and orders, not reports."""
    doc = token.doc
    return token.i + 1 < len(doc) and doc[token.i + 1].tag_ == "TO"


def is_indirect_question(clause: Token) -> bool:
    """'explained what was happening': a wh-clause reports a question, not a claim."""
    first = clause.left_edge
    return first.lower_ in _WH_WORDS and first.i < clause.i
