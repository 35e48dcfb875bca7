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


def test_claimreview_export_uses_the_organisation_and_rating_scale_set_in_admin(editor, viewer_client) -> None:  # type: ignore[no-untyped-def]
    import json

    from django.urls import reverse

    from claims_app.review import services
    from tests.factories import ClaimFactory

    WorkflowSettings.objects.filter(pk=1).update(
        organisation_name="Harbour Check",
        organisation_url="https://check.example/",
        false_label="Pants on fire",
        false_rating=0,
        worst_rating=0,
        best_rating=10,
    )
    claim = ClaimFactory(text="The bridge cost twice its budget.")
    services.change_claim_status(claim=claim, user=editor, status="false")
    response = viewer_client.get(reverse("claims_app:claim_export_jsonld"))
    [review] = json.loads(b"".join(response.streaming_content))["@graph"]
    assert review["author"] == {"@type": "Organization", "name": "Harbour Check", "url": "https://check.example/"}
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 0,
        "bestRating": 10,
        "worstRating": 0,
        "alternateName": "Pants on fire",
    }


def test_admin_reads_a_url_typed_without_a_scheme_as_https(rf) -> None:  # type: ignore[no-untyped-def]
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from claims_app.models import Article, Evidence

    request = rf.get("/")
    request.user = get_user_model().objects.create_superuser("root", password="x")
    for model, field in [(WorkflowSettings, "organisation_url"), (Article, "url"), (Evidence, "url")]:
        form = admin.site._registry[model].get_form(request)()
        assert form.fields[field].to_python("check.example/about") == "https://check.example/about"
