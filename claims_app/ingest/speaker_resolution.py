"""Speaker resolution against the database.

A record's name joins a known speaker or one of its aliases, or becomes a new speaker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q

from claims_app.models import (
    Speaker,
    SpeakerAlias,
    SpeakerMergeSuggestion,
)
from claims_app.nlp import speaker_matching
from claims_app.nlp.export import claim_speaker
from claims_app.nlp.records import ArticleExtraction, ClaimRecord, SpeakerRecord

if TYPE_CHECKING:
    pass


def author_record(author: str) -> SpeakerRecord:
    """The speaker record for an opinion author's own assertions."""
    return SpeakerRecord(name=author, kind="person", role="author", aliases=(author,))


def resolve_speakers(extraction: ArticleExtraction) -> dict[str, Speaker]:
    """Map each in-article speaker name to a Speaker row in a fixed number of queries.

    Any alias already on file wins outright; otherwise trigram and surname candidates are
    scored, a confident match merges, a middling one becomes a merge suggestion.
    """
    records: dict[str, SpeakerRecord] = {}
    for record in extraction.speakers:
        records.setdefault(record.name, record)
    for claim in extraction.claims:
        name = claim_speaker_name(claim, extraction)
        if name and name not in records:
            records[name] = author_record(name)
    if not records:
        return {}

    forms = {
        name: {form: speaker_matching.normalise_name(form) for form in {name, *record.aliases} if form.strip()}
        for name, record in records.items()
    }
    # A bare surname ("Varga") is stored as an alias for search, but two people can share it:
    # only multi-word forms (or a one-word name such as "Tass" itself) count as an exact match.
    # An unnamed speaker ("deputy director", "residents") is someone different in every article.
    exact_forms = {
        name: {n for n in by_form.values() if n and (" " in n or n == speaker_matching.normalise_name(name))}
        for name, by_form in forms.items()
        if not _is_description(name)
    }
    all_normalised = {n for normalised in exact_forms.values() for n in normalised}
    known: dict[str, int] = {}
    for normalised, speaker_id in (
        SpeakerAlias.objects.filter(normalised__in=all_normalised)
        .order_by("-speaker_id")
        .values_list("normalised", "speaker_id")
    ):
        known[normalised] = speaker_id  # ordered so the oldest speaker wins a shared alias

    chosen: dict[str, int] = {}
    for name, normalised_forms in exact_forms.items():
        hits = sorted(known[n] for n in normalised_forms if n in known)
        if hits:
            chosen[name] = hits[0]

    unmatched = [records[name] for name in records if name not in chosen and not _is_description(name)]
    candidates = _fuzzy_candidates(unmatched) if unmatched else []
    suggestions: dict[str, list[tuple[float, Speaker]]] = {}
    for record in unmatched:
        scored = sorted(
            ((speaker_matching.score_match(record.name, record.role, c.name, c.role), c) for c in candidates),
            key=lambda pair: (-pair[0], pair[1].pk),
        )
        if scored and scored[0][0] >= speaker_matching.MERGE_THRESHOLD:
            chosen[record.name] = scored[0][1].pk
        else:
            suggestions[record.name] = [pair for pair in scored if pair[0] >= speaker_matching.SUGGEST_THRESHOLD]

    existing = Speaker.objects.in_bulk(set(chosen.values()))
    new = {
        name: Speaker(
            name=name[:300],
            normalised_name=speaker_matching.normalise_name(name)[:300],
            kind=records[name].kind,
            role=records[name].role[:500],
        )
        for name in records
        if name not in chosen
    }
    Speaker.objects.bulk_create(new.values())
    resolved = {name: existing[pk] for name, pk in chosen.items()} | new

    for name, speaker in resolved.items():
        role = records[name].role
        if role and not speaker.role and name not in new:
            speaker.role = role[:500]
            speaker.save(update_fields=["role"])
    SpeakerAlias.objects.bulk_create(
        [
            SpeakerAlias(speaker=resolved[name], alias=form[:300], normalised=normalised[:300])
            for name, by_form in forms.items()
            for form, normalised in sorted(by_form.items())
        ],
        ignore_conflicts=True,
    )
    SpeakerMergeSuggestion.objects.bulk_create(
        [
            SpeakerMergeSuggestion(speaker=resolved[name], candidate=candidate, score=round(score, 3))
            for name, scored in suggestions.items()
            for score, candidate in scored
        ],
        ignore_conflicts=True,
    )
    return resolved


def _is_description(name: str) -> bool:
    """'deputy director' or 'town's fire brigade': a description, not a name (names are capitalised)."""
    return not name[:1].isupper()


def _fuzzy_candidates(records: list[SpeakerRecord], limit: int = 200) -> list[Speaker]:
    """Known speakers with an alias trigram-similar to, or ending in the surname of, any record's name.

    One query for all records (the GIN trigram index serves both `%` and LIKE '%surname');
    score_match then ranks each candidate against each record.
    """
    condition = Q()
    for normalised in {speaker_matching.normalise_name(record.name) for record in records} - {""}:
        condition |= Q(normalised__trigram_similar=normalised)
        surname = normalised.split()[-1]
        if len(surname) >= 3:
            condition |= Q(normalised__endswith=surname)
    if not condition:
        return []
    aliases = SpeakerAlias.objects.filter(condition).select_related("speaker")[:limit]
    return list({alias.speaker_id: alias.speaker for alias in aliases}.values())


def speaker_for_name(name: str) -> Speaker:
    """The speaker whose name or alias matches exactly (case- and accent-insensitive), created if none does."""
    normalised = speaker_matching.normalise_name(name)
    if not normalised:
        raise ValidationError({"speaker": ValidationError("Give the speaker's name.", code="no_speaker_name")})
    speaker = (
        Speaker.objects.filter(aliases__alias__iexact=name.strip()).order_by("pk").first()
        or Speaker.objects.filter(aliases__normalised=normalised).order_by("pk").first()
        or Speaker.objects.filter(normalised_name=normalised).order_by("pk").first()
    )
    if speaker is None:
        speaker = Speaker(name=name.strip()[:300], normalised_name=normalised[:300])
        speaker.full_clean()
        speaker.save()
        SpeakerAlias.objects.create(speaker=speaker, alias=speaker.name, normalised=normalised[:300])
    return speaker


def claim_speaker_name(record: ClaimRecord, extraction: ArticleExtraction) -> str | None:
    """The in-article speaker name of a claim; an author's own assertions are the author's."""
    return claim_speaker(record, extraction)
