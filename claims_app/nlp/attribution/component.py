"""The tagger as a spaCy component: role spans for each Doc, batched over `nlp.pipe`.

The spans go to `doc.user_data[SPANS_KEY]` as (role, start, end, continues) tuples; `claims.model_candidates`
reads them. The tagger reads only the text, so `pipeline.parse_many` may also run it beside spaCy (`tag_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .tagging import RoleSpan

ATTRIBUTION_TAGGER = "claimdesk_attribution"
SPANS_KEY = "claimdesk_attribution_spans"
_BATCH_DOCS = 8
TaggedSpans = tuple[tuple[str, int, int, bool], ...]  # (role, start, end, continues), character offsets


class AttributionTagger:
    """Runs the tagger loaded from `model_dir` at `precision` (cached per process by `model.load`)."""

    def __init__(self, model_dir: str, precision: str = "auto") -> None:
        from .model import load

        self.tagger = load(model_dir, precision=precision)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = _BATCH_DOCS) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._tag(batch)
                batch = []
        if batch:
            yield from self._tag(batch)

    def tag_text(self, text: str) -> TaggedSpans:
        """The spans of one text, as the component stores them."""
        return _stored(self.tagger.spans_many([text])[0])

    def _tag(self, docs: list[Doc]) -> Iterator[Doc]:
        for doc, spans in zip(docs, self.tagger.spans_many([d.text for d in docs]), strict=True):
            doc.user_data[SPANS_KEY] = _stored(spans)
            yield doc


def _stored(spans: Iterable[RoleSpan]) -> TaggedSpans:
    return tuple((s.role, s.start, s.end, s.continues) for s in spans)


@Language.factory(ATTRIBUTION_TAGGER, default_config={"model_dir": "", "precision": "auto"})
def make_attribution_tagger(nlp: Language, name: str, model_dir: str, precision: str) -> AttributionTagger:
    return AttributionTagger(model_dir, precision)
