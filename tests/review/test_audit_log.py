"""The audit trail (status changes and corrections) cannot be edited or deleted from any UI, admin included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims_app.models import ClaimCorrection, ClaimStatusChange
from claims_app.review import services as review_services
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [ClaimStatusChange, ClaimCorrection])
def test_admin_shows_audit_rows_read_only_and_refuses_add_change_delete(admin_client_, admin_user, model):
    admin_user.is_superuser = True  # even a superuser cannot
    admin_user.save()
    claim = ClaimFactory()
    review_services.change_claim_status(claim=claim, user=admin_user, status="verified", note="original note")
    review_services.correct_claim(claim=claim, user=admin_user, text=claim.text + " (corrected)", note="typo")
    row = model.objects.get()
    name = model._meta.model_name
    change_url = reverse(f"admin:claims_app_{name}_change", args=[row.pk])

    page = admin_client_.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view-only page, no save button
    tampered = admin_client_.post(change_url, {"note": "rewritten", "new_status": "false", "new_value": "x"})
    assert tampered.status_code == 403
    assert (
        admin_client_.post(reverse(f"admin:claims_app_{name}_delete", args=[row.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert admin_client_.get(reverse(f"admin:claims_app_{name}_add")).status_code == 403
    changelist = reverse(f"admin:claims_app_{name}_changelist")
    bulk = admin_client_.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert bulk.status_code in (200, 302, 403)
    row.refresh_from_db()
    assert model.objects.filter(pk=row.pk).exists() and row.note in ("original note", "typo")


def test_claim_admin_inline_history_cannot_be_edited(admin_client_, admin_user):
    claim = ClaimFactory()
    review_services.change_claim_status(claim=claim, user=admin_user, status="false", note="kept")
    page = admin_client_.get(reverse("admin:claims_app_claim_change", args=[claim.pk])).content.decode()
    assert 'name="status_changes-0-note"' not in page  # shown as text, not a form field
