"""Review services and highlighting, below the views: permissions, history rows, exact merge undo."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims_app.models import Claim, ClaimCorrection, ClaimStatusChange, Speaker
from claims_app.review import services as review_services
from claims_app.review.highlighting import claim_context, highlighted_paragraphs
from claims_app.speakers import services as speakers_services
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def test_bulk_change_records_who_and_the_old_status_for_each_claim(editor):
    a, b = ClaimFactory(status="false"), ClaimFactory()
    result = review_services.bulk_change_status(
        claim_versions={a.pk: 1, b.pk: 1}, user=editor, status="verified", note="desk check"
    )
    assert (result.changed, result.conflicts) == (2, [])
    changes = {c.claim_id: c for c in ClaimStatusChange.objects.all()}
    assert (changes[a.pk].old_status, changes[b.pk].old_status) == ("false", "unreviewed")
    assert all(c.changed_by == editor and c.note == "desk check" for c in changes.values())
    assert set(Claim.objects.values_list("version", flat=True)) == {2}


def test_viewers_cannot_use_review_services(viewer):
    claim = ClaimFactory()
    with pytest.raises(PermissionDenied):
        review_services.bulk_change_status(claim_versions={claim.pk: 1}, user=viewer, status="false")
    with pytest.raises(PermissionDenied):
        review_services.correct_claim(claim=claim, user=viewer, text="x")
    with pytest.raises(PermissionDenied):
        review_services.set_claim_rejected(claim=claim, user=viewer, rejected=True)


def test_editors_cannot_merge_speakers(editor):
    with pytest.raises(PermissionDenied):
        speakers_services.merge_speakers(keep=SpeakerFactory(), remove=SpeakerFactory(), user=editor)


def test_correction_that_changes_nothing_writes_no_history(editor):
    claim = ClaimFactory()
    review_services.correct_claim(claim=claim, user=editor, text=claim.text, kind=claim.kind)
    assert not ClaimCorrection.objects.exists()
    claim.refresh_from_db()
    assert claim.version == 1


def test_correcting_to_a_new_name_creates_that_speaker_with_an_alias(editor):
    claim = ClaimFactory()
    review_services.correct_claim(claim=claim, user=editor, speaker_name="Jonna Strand")
    speaker = Speaker.objects.get(name="Jonna Strand")
    assert list(speaker.aliases.values_list("alias", flat=True)) == ["Jonna Strand"]
    correction = ClaimCorrection.objects.get()
    assert correction.new_value == f"Jonna Strand (#{speaker.pk})"


def test_find_span_prefers_an_occurrence_that_is_not_already_a_claim():
    body = "Rates rise. Later: Rates rise."
    assert review_services.find_span(body, "Rates rise", taken=[(0, 10)]) == (19, 29)
    with pytest.raises(ValidationError):
        review_services.find_span(body, "Rates fall")


def test_add_claim_trims_whitespace_the_selection_caught(editor):
    article = ArticleFactory(body="One.  Two words here.  Three.")
    claim = review_services.add_claim(article=article, user=editor, start=4, end=22, kind="assertion")
    assert claim.text == "Two words here." and claim.filed_by == "editor"


def test_undo_leaves_claims_that_moved_again_since_the_merge_alone(admin_user):
    keep, remove, elsewhere = SpeakerFactory(), SpeakerFactory(), SpeakerFactory()
    first, second = ClaimFactory(speaker=remove), ClaimFactory(speaker=remove)
    merge = speakers_services.merge_speakers(keep=keep, remove=remove, user=admin_user)
    Claim.objects.filter(pk=second.pk).update(speaker=elsewhere)  # a later correction
    speakers_services.undo_speaker_merge(merge=merge, user=admin_user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.speaker_id == remove.pk and second.speaker_id == elsewhere.pk


def test_claim_context_marks_the_claim_and_an_overlapping_mention():
    body = "Before.\n\nAccording to Dr Ana Ruiz the dam leaks.\n\nAfter."
    start = body.index("Dr Ana Ruiz")
    claim = ClaimFactory.build(
        start=start - 13, end=body.index(".", start) + 1, speaker_mention_start=start, speaker_mention_end=start + 11
    )
    segments = claim_context(body, claim)
    assert "".join(s.text for s in segments) == "According to Dr Ana Ruiz the dam leaks."
    assert [(s.text, s.in_claim, s.in_mention) for s in segments if s.in_mention] == [("Dr Ana Ruiz", True, True)]


def test_highlighted_paragraphs_keep_offsets_for_every_paragraph():
    body = "First para.\n\nSecond has a claim here.\n\nThird."
    start = body.index("a claim")
    claim = ClaimFactory.build(start=start, end=start + 7)
    paragraphs = highlighted_paragraphs(body, [claim])
    assert [p.start for p in paragraphs] == [0, 13, 39]
    assert [(s.text, s.claim is claim) for s in paragraphs[1].segments] == [
        ("Second has ", False),
        ("a claim", True),
        (" here.", False),
    ]
    assert "\n\n".join("".join(s.text for s in p.segments) for p in paragraphs) == body
