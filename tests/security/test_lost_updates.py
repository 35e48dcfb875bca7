"""Lost updates (issue #13, defect 4): every status write says which version it saw; stale ones are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims_app.models import Claim, ClaimStatusChange
from claims_app.review import services as review_services
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
BULK = reverse("claims_app:claim_bulk_status")
LIST = reverse("claims_app:claim_list")


def test_status_post_without_a_version_changes_nothing_and_says_why(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(reverse("claims_app:claim_status", args=[claim.pk]), {"status": "false"}, follow=True)
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("unreviewed", 1)
    assert not ClaimStatusChange.objects.exists()
    assert "did not say which version it saw" in response.content.decode()


def test_claim_list_rows_carry_their_version_for_the_bulk_form(editor_client):
    claim = ClaimFactory(version=4)
    body = editor_client.get(LIST).content.decode()
    assert f'name="version-{claim.pk}" value="4" form="bulk-form"' in body


def test_bulk_status_leaves_claims_changed_meanwhile_alone_and_lists_them(editor_client, admin_user):
    fresh, stale = ClaimFactory(), ClaimFactory()
    review_services.change_claim_status(claim=stale, user=admin_user, status="false", note="port log")  # now v2
    response = editor_client.post(
        BULK,
        {"ids": [fresh.pk, stale.pk], f"version-{fresh.pk}": 1, f"version-{stale.pk}": 1, "status": "verified"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="bulk-form",
    )
    body = response.content.decode()
    assert "Marked 1 claim “Verified”" in body
    assert f"#{stale.pk}" in body and "someone else changed them" in body
    assert Claim.objects.get(pk=stale.pk).status == "false"  # the admin's newer verdict stands
    assert Claim.objects.get(pk=fresh.pk).status == "verified"


def test_bulk_status_without_versions_overwrites_nothing(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(BULK, {"ids": [claim.pk], "status": "false", "next": LIST}, follow=True)
    assert Claim.objects.get(pk=claim.pk).status == "unreviewed"
    assert f"#{claim.pk}" in response.content.decode()


def test_bulk_service_reports_conflicts(editor):
    claim = ClaimFactory(version=3)
    result = review_services.bulk_change_status(claim_versions={claim.pk: 2}, user=editor, status="false")
    assert (result.changed, result.conflicts) == (0, [claim.pk])


def test_admin_cannot_edit_a_claims_review_fields_directly(admin_client_, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    claim = ClaimFactory()
    page = admin_client_.get(reverse("admin:claims_app_claim_change", args=[claim.pk])).content.decode()
    assert 'name="status"' not in page and 'name="reviewed_by"' not in page and 'name="reviewed_at_0"' not in page


def test_correction_without_a_version_changes_nothing_and_says_why(editor_client):
    # Found by bench/security_probe.py: the correction form's version was optional, so a correction that did
    # not say which version it saw overwrote a newer one (the status form's defect 4, in another form).
    claim = ClaimFactory(text="The ferries will run again on Monday,")
    response = editor_client.post(
        reverse("claims_app:claim_correct", args=[claim.pk]),
        {"text": "Written blind", "kind": claim.kind},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="correct-panel",
    )
    claim.refresh_from_db()
    assert (claim.text, claim.version) == ("The ferries will run again on Monday,", 1)
    assert "did not say which version it saw" in response.content.decode()
