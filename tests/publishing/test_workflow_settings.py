import pytest

from claims_app.models import WorkflowSettings

pytestmark = pytest.mark.django_db


def test_migration_creates_the_one_settings_row_with_the_export_scale() -> None:
    row = WorkflowSettings.objects.get()
    assert (row.pk, row.organisation_name, row.verified_label, row.best_rating, row.worst_rating) == (
        1,
        "Claimdesk",
        "True",
        5,
        1,
    )


def test_admin_can_change_settings_but_not_add_or_delete_them(admin_client_) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("root", password="x")
    admin_client_.force_login(staff)
    assert admin_client_.get("/admin/claims_app/workflowsettings/1/change/").status_code == 200
    assert admin_client_.get("/admin/claims_app/workflowsettings/add/").status_code == 403
    assert admin_client_.get("/admin/claims_app/workflowsettings/1/delete/").status_code == 403
