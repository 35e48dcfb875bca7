"""Speaker pages, merges with preview and exact undo, merge suggestions, and the dashboard."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims_app.models import Claim, Speaker, SpeakerAlias, SpeakerMerge, SpeakerMergeSuggestion
from claims_app.review import services as review_services
from claims_app.speakers import services as speakers_services
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def merge_url(speaker: Speaker) -> str:
    return reverse("claims_app:speaker_merge", args=[speaker.pk])


def test_speaker_page_shows_aliases_role_and_claims_over_time(viewer_client):
    speaker = SpeakerFactory(name="Tove Marsh", role="harbour master", aliases=["Tove Marsh", "Ms Marsh"])
    ClaimFactory(speaker=speaker, article__published_at=datetime.date(2025, 1, 3))
    ClaimFactory(speaker=speaker, article__published_at=datetime.date(2025, 1, 20))
    ClaimFactory(speaker=speaker, article__published_at=datetime.date(2025, 3, 1))
    response = viewer_client.get(speaker.get_absolute_url())
    page = response.content.decode()
    assert "Ms Marsh" in page and "harbour master" in page
    assert [(row["month"].month, row["n"]) for row in response.context["by_month"]] == [(1, 2), (3, 1)]
    assert "Merge another speaker" not in page  # viewers do not merge


def test_speaker_search_with_htmx_returns_the_results_only(viewer_client):
    SpeakerFactory(name="Ruben Quist", aliases=["Ruben Quist", "R. Quist"])
    SpeakerFactory(name="Other Person")
    response = viewer_client.get(
        reverse("claims_app:speaker_list"), {"q": "quist"}, HTTP_HX_TARGET="speaker-results", **HX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="speaker-results"')
    assert "Ruben Quist" in body and "Other Person" not in body


def test_admin_previews_a_merge_before_anything_changes(admin_client_):
    keep = SpeakerFactory(name="Ilse Varga", aliases=["Ilse Varga", "Mayor Varga"])
    remove = SpeakerFactory(name="I. Varga", role="", aliases=["I. Varga", "Mayor Varga"])
    ClaimFactory(speaker=remove, text="Docks will close")
    page = admin_client_.get(merge_url(keep), {"other": remove.pk}).content.decode()
    assert "Docks will close" in page and "I. Varga" in page and "<strong>1</strong> claim" in page
    assert Claim.objects.get().speaker == remove


def test_admin_merges_two_speakers_and_undo_restores_everything_exactly(admin_client_, admin_user):
    keep = SpeakerFactory(name="Ilse Varga", role="", aliases=["Ilse Varga", "Mayor Varga"])
    remove = SpeakerFactory(name="I. Varga", role="mayor", aliases=["I. Varga", "Mayor Varga"])
    third = SpeakerFactory(name="Ida Varga")
    moved = [ClaimFactory(speaker=remove, start=n) for n in (1, 60)]
    stays = ClaimFactory(speaker=keep)
    SpeakerMergeSuggestion.objects.create(speaker=remove, candidate=third, score=0.7)
    before = {
        "speaker": Speaker.objects.filter(pk=remove.pk)
        .values("name", "normalised_name", "kind", "role", "created_at")
        .get(),
        "aliases": sorted(SpeakerAlias.objects.filter(speaker=remove).values_list("alias", flat=True)),
    }
    response = admin_client_.post(merge_url(keep), {"other": remove.pk})
    assert response.status_code == 302 and response["Location"] == keep.get_absolute_url()
    assert not Speaker.objects.filter(pk=remove.pk).exists()
    assert set(Claim.objects.filter(speaker=keep).values_list("pk", flat=True)) == {stays.pk, *(c.pk for c in moved)}
    keep.refresh_from_db()
    assert keep.role == "mayor"
    assert sorted(keep.aliases.values_list("alias", flat=True)) == ["I. Varga", "Ilse Varga", "Mayor Varga"]

    merge = SpeakerMerge.objects.get()
    response = admin_client_.post(reverse("claims_app:speaker_merge_undo", args=[merge.pk]))
    assert response["Location"] == reverse("claims_app:speaker_detail", args=[remove.pk])
    restored = Speaker.objects.filter(pk=remove.pk).values("name", "normalised_name", "kind", "role", "created_at")
    assert restored.get() == before["speaker"]
    restored_aliases = SpeakerAlias.objects.filter(speaker_id=remove.pk).values_list("alias", flat=True)
    assert sorted(restored_aliases) == before["aliases"]
    assert set(Claim.objects.filter(speaker_id=remove.pk).values_list("pk", flat=True)) == {c.pk for c in moved}
    assert Claim.objects.get(pk=stays.pk).speaker == keep
    keep.refresh_from_db()
    assert keep.role == "" and sorted(keep.aliases.values_list("alias", flat=True)) == ["Ilse Varga", "Mayor Varga"]
    assert SpeakerMergeSuggestion.objects.filter(speaker_id=remove.pk, candidate=third).exists()
    merge.refresh_from_db()
    assert merge.undone_by == admin_user
    # Undo twice is refused with a message, not an error page.
    again = admin_client_.post(reverse("claims_app:speaker_merge_undo", args=[merge.pk]), follow=True)
    assert "already undone" in again.content.decode()


def test_accepting_a_suggestion_goes_through_the_preview_and_merges(admin_client_):
    a, b = SpeakerFactory(name="Pavel Orlov"), SpeakerFactory(name="P. Orlov")
    suggestion = SpeakerMergeSuggestion.objects.create(speaker=b, candidate=a, score=0.81)
    listing = admin_client_.get(reverse("claims_app:speaker_list")).content.decode()
    assert f"?other={b.pk}&amp;suggestion={suggestion.pk}" in listing
    admin_client_.post(merge_url(a), {"other": b.pk, "suggestion": suggestion.pk})
    assert not Speaker.objects.filter(pk=b.pk).exists()
    assert SpeakerMerge.objects.get().snapshot["accepted_suggestion"] == suggestion.pk


def test_admin_dismisses_a_suggestion_with_htmx(admin_client_):
    a, b = SpeakerFactory(), SpeakerFactory()
    suggestion = SpeakerMergeSuggestion.objects.create(speaker=b, candidate=a, score=0.6)
    response = admin_client_.post(reverse("claims_app:merge_suggestion_dismiss", args=[suggestion.pk]), **HX)
    assert response.status_code == 200 and response.content == b""
    suggestion.refresh_from_db()
    assert suggestion.status == "dismissed"
    assert "Possible duplicates" not in admin_client_.get(reverse("claims_app:speaker_list")).content.decode()


@pytest.mark.parametrize("client_fixture", ["viewer_client", "editor_client"])
def test_only_admins_merge_undo_or_dismiss(request, client_fixture, admin_user):
    client = request.getfixturevalue(client_fixture)
    keep, remove = SpeakerFactory(), SpeakerFactory()
    suggestion = SpeakerMergeSuggestion.objects.create(speaker=remove, candidate=keep, score=0.6)
    assert client.get(merge_url(keep), {"other": remove.pk}).status_code == 403
    assert client.post(merge_url(keep), {"other": remove.pk}).status_code == 403
    assert client.post(reverse("claims_app:merge_suggestion_dismiss", args=[suggestion.pk])).status_code == 403
    merge = speakers_services.merge_speakers(keep=keep, remove=remove, user=admin_user)
    assert client.post(reverse("claims_app:speaker_merge_undo", args=[merge.pk])).status_code == 403
    assert "Undo merge" not in client.get(keep.get_absolute_url()).content.decode()


def test_merging_a_speaker_into_itself_is_refused(admin_client_):
    speaker = SpeakerFactory()
    response = admin_client_.get(merge_url(speaker), {"other": speaker.pk}, follow=True)
    assert "Choose another existing speaker" in response.content.decode()


def test_dashboard_counts_statuses_and_lists_waiting_articles_and_activity(viewer_client, editor):
    claim = ClaimFactory(text="Waiting claim text")
    reviewed = ClaimFactory(article=ArticleFactory(title="Harbour budget"), start=40)
    review_services.change_claim_status(claim=reviewed, user=editor, status="verified")
    review_services.correct_claim(claim=reviewed, user=editor, kind="indirect")
    ClaimFactory(is_rejected=True, start=80, article=claim.article)
    response = viewer_client.get(reverse("claims_app:home"))
    page = response.content.decode()
    assert response.context["status_counts"]["unreviewed"] == 1  # the rejected span is not counted
    assert "Waiting claim text" in page and "Harbour budget" in page
    assert "eddie</strong> marked" in page and "eddie</strong> corrected" in page


def test_admin_can_name_the_speaker_to_merge_and_ambiguous_names_are_refused(admin_client_):
    keep = SpeakerFactory(name="Ilse Varga")
    other = SpeakerFactory(name="Varga", aliases=["Varga", "I. Varga"])
    page = admin_client_.get(merge_url(keep), {"other": "i. varga"})
    assert page.status_code == 200 and page.context["preview"].remove == other
    SpeakerFactory(name="Second", aliases=["Second", "Varga"])
    response = admin_client_.get(merge_url(keep), {"other": "Varga"}, follow=True)
    assert "Several speakers match" in response.content.decode()


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_speaker_and_article_pages_run_a_fixed_number_of_queries(admin_client_):
    speaker = SpeakerFactory()
    other = SpeakerFactory()
    pages = [
        speaker.get_absolute_url(),
        reverse("claims_app:speaker_list"),
        reverse("claims_app:article_list"),
        reverse("claims_app:home"),
    ]

    def grow(n: int) -> None:
        for _ in range(n):
            claim = ClaimFactory(speaker=speaker)
            review_services.change_claim_status(claim=claim, user=speaker_admin(), status="verified")
            SpeakerMergeSuggestion.objects.get_or_create(
                speaker=SpeakerFactory(), candidate=other, defaults={"score": 0.5}
            )

    def speaker_admin():  # type: ignore[no-untyped-def]
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username="ada")

    grow(2)
    few = [_queries(admin_client_, url) for url in pages]
    grow(12)
    assert [_queries(admin_client_, url) for url in pages] == few


def test_speaker_list_sorts_by_live_claims_and_home_counts_live_claims_by_status(viewer_client):
    busy, quiet, silent = SpeakerFactory(name="Busy Person"), SpeakerFactory(name="Quiet Person"), SpeakerFactory()
    for status in ("unreviewed", "verified", "verified"):
        ClaimFactory(speaker=busy, status=status)
    ClaimFactory(speaker=quiet)
    for _ in range(3):
        ClaimFactory(speaker=quiet, is_rejected=True)  # rejected spans are not claims: they do not count
    speakers = list(viewer_client.get(reverse("claims_app:speaker_list")).context["page"].object_list)
    assert [(s.pk, s.claim_count) for s in speakers] == [(busy.pk, 3), (quiet.pk, 1), (silent.pk, 0)]
    counts = viewer_client.get(reverse("claims_app:home")).context["status_counts"]
    assert (counts["unreviewed"], counts["verified"], counts["false"]) == (2, 2, 0)


def test_speaker_list_pagination_links_encode_the_search(viewer_client, settings):
    settings.CLAIMS_PAGE_SIZE = 1
    SpeakerFactory(name="Tom & Jerry #1", aliases=["Tom & Jerry #1"])
    SpeakerFactory(name="Tom & Jerry #2", aliases=["Tom & Jerry #2"])
    page = viewer_client.get(reverse("claims_app:speaker_list"), {"q": "Tom & Jerry #"}).content.decode()
    assert "q=Tom+%26+Jerry+%23" in page
    assert "q=Tom & Jerry #" not in page and "q=Tom &amp; Jerry #" not in page
