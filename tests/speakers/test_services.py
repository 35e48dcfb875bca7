"""Speaker merge and undo refuse with a ValidationError code that views can branch on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from claims_app.models import Speaker
from claims_app.speakers import services
from tests.factories import SpeakerFactory

pytestmark = pytest.mark.django_db


def test_merging_a_speaker_into_itself_is_refused_with_code_self_merge(admin_user):
    speaker = SpeakerFactory(name="Ilse Varga")
    with pytest.raises(ValidationError) as caught:
        services.merge_speakers(keep=speaker, remove=speaker, user=admin_user)
    assert caught.value.code == "self_merge"


def test_undoing_a_merge_twice_is_refused_with_code_already_undone(admin_user):
    keep, remove = SpeakerFactory(name="Ilse Varga"), SpeakerFactory(name="I. Varga")
    merge = services.merge_speakers(keep=keep, remove=remove, user=admin_user)
    services.undo_speaker_merge(merge=merge, user=admin_user)
    with pytest.raises(ValidationError) as caught:
        services.undo_speaker_merge(merge=merge, user=admin_user)
    assert caught.value.code == "already_undone"


def test_undo_when_the_old_id_is_taken_again_is_refused_with_code_speaker_id_taken(admin_user):
    keep, remove = SpeakerFactory(name="Ilse Varga"), SpeakerFactory(name="I. Varga")
    removed_id = remove.pk
    merge = services.merge_speakers(keep=keep, remove=remove, user=admin_user)
    Speaker.objects.create(pk=removed_id, name="Someone Else", normalised_name="someone else")
    with pytest.raises(ValidationError) as caught:
        services.undo_speaker_merge(merge=merge, user=admin_user)
    assert caught.value.code == "speaker_id_taken"
