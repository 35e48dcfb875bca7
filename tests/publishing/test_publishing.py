"""Publishing a verdict as a public fact-check: who may, what the public page and feed show, and the snapshot."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from claims_app.models import Claim, ClaimCorrection, Evidence, PublishedFactCheck, StatementOrigin, WorkflowSettings
from claims_app.review import services as review_services
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory

pytestmark = pytest.mark.django_db
NOTE = "The harbour minutes of 3 March show the ferries stayed in dock."
HOSTILE = '</script><script>alert(1)</script> =HYPERLINK("http://evil.example","x")'
ATOM = "{http://www.w3.org/2005/Atom}"


def publish_url(claim: Claim) -> str:
    return reverse("claims_app:claim_publish", args=[claim.pk])


def version_of(claim: Claim) -> int:
    """The version the claim page would show now (the form sends it)."""
    return Claim.objects.values_list("version", flat=True).get(pk=claim.pk)


def unpublish_url(claim: Claim) -> str:
    return reverse("claims_app:claim_unpublish", args=[claim.pk])


def public_url(claim: Claim) -> str:
    return reverse("claims_app:fact_check_detail", args=[claim.pk])


def reviewed(editor: Any, status: str = "false", note: str = NOTE, **fields: Any) -> Claim:
    claim = ClaimFactory(**fields)
    review_services.change_claim_status(claim=claim, user=editor, status=status, note=note)
    return claim


def ld_json(html: str) -> dict[str, Any]:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


# ---------------------------------------------------------------- who may publish what


def test_publish_is_refused_without_a_verdict(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(publish_url(claim), {"version": version_of(claim)}, follow=True)
    assert "Give the claim a verdict before publishing it." in response.content.decode()
    assert not PublishedFactCheck.objects.exists()


def test_publishing_a_verdict_the_editor_never_saw_is_refused(editor_client, editor):
    claim = reviewed(editor, status="false")
    seen = version_of(claim)  # the editor's page was loaded here
    review_services.change_claim_status(
        claim=Claim.objects.get(pk=claim.pk), user=editor, status="verified", note="A colleague's new finding."
    )
    response = editor_client.post(publish_url(claim), {"version": seen}, follow=True)
    assert "Someone changed this claim since you loaded it" in response.content.decode()
    response = editor_client.post(publish_url(claim), follow=True)  # no version at all
    assert "the form did not say which version it saw" in response.content.decode()
    assert not PublishedFactCheck.objects.exists()
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    assert PublishedFactCheck.objects.get().status == "verified"


def test_the_publish_form_sends_the_version_the_page_shows(editor_client, editor):
    claim = reviewed(editor)
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    form = page[page.index(f'action="{publish_url(claim)}"') :]
    assert f'name="version" value="{version_of(claim)}"' in form[: form.index("</form>")]


def test_publish_is_refused_without_a_review_note(editor_client, editor):
    claim = reviewed(editor, note="")
    response = editor_client.post(
        publish_url(claim), {"version": version_of(claim)}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="publish-panel"
    )
    assert response.status_code == 200
    assert "The verdict has no review note" in response.content.decode()
    assert 'id="publish-panel"' in response.content.decode()
    assert not PublishedFactCheck.objects.exists()


def test_viewer_cannot_publish_or_unpublish(viewer_client, editor):
    claim = reviewed(editor)
    response = viewer_client.post(publish_url(claim), {"version": version_of(claim)})
    assert response.status_code == 403 and "Only editors can publish" in response.content.decode()
    assert not PublishedFactCheck.objects.exists()
    editor_client = Client()
    editor_client.force_login(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    assert viewer_client.post(unpublish_url(claim)).status_code == 403
    assert PublishedFactCheck.objects.get().is_live


def test_viewer_sees_the_publication_state_but_no_buttons(viewer_client, editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    page = viewer_client.get(claim.get_absolute_url()).content.decode()
    assert "view public page" in page and public_url(claim) in page
    assert publish_url(claim) not in page and unpublish_url(claim) not in page


def test_editor_publishes_with_htmx_and_history_records_it(editor_client, editor):
    claim = reviewed(editor)
    response = editor_client.post(
        publish_url(claim), {"version": version_of(claim)}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="publish-panel"
    )
    html = response.content.decode()
    assert "Published the public fact-check." in html and "view public page" in html
    assert "claimPublished" in response["HX-Trigger"]
    row = ClaimCorrection.objects.get(claim=claim, field="publication")
    assert (row.new_value, row.old_value, row.changed_by) == ("published", "False", editor)
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert "published the public fact-check" in page and unpublish_url(claim) in page


# ---------------------------------------------------------------- the public page


def test_anonymous_reader_sees_the_published_fact_check_with_its_fields(editor_client, editor):
    speaker = SpeakerFactory(name="Ilse Varga")
    article = ArticleFactory(
        title="Ferry strike enters its second week",
        outlet="Selden Courier",
        url="https://courier.example/ferries",
        published_at=datetime.date(2026, 3, 4),
    )
    first = ArticleFactory(title="Mayor promises ferries", outlet="Harbour Ledger")
    origin = StatementOrigin.objects.create(speaker=speaker, first_article=first, first_seen=datetime.date(2026, 3, 1))
    claim = reviewed(editor, speaker=speaker, article=article, statement_origin=origin)
    Evidence.objects.create(claim=claim, url="https://minutes.example/3-march", note="Council minutes")
    editor_client.post(publish_url(claim), {"version": version_of(claim)})

    response = Client().get(public_url(claim))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        claim.text,
        "Ilse Varga",
        "Ferry strike enters its second week",
        "Selden Courier",
        "https://courier.example/ferries",
        "4 Mar 2026",
        "False",
        NOTE,
        "https://minutes.example/3-march",
        "Council minutes",
        "Mayor promises ferries",
        "No other source",
    ):
        assert shown in html, shown
    assert "Updated" not in html


def test_public_pages_send_the_strict_content_security_policy(editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    policy = Client().get(public_url(claim))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_unpublished_claims_are_404_to_anonymous_and_logged_in_readers(editor_client, viewer_client, editor):
    claim = reviewed(editor)
    assert Client().get(public_url(claim)).status_code == 404
    assert viewer_client.get(public_url(claim)).status_code == 404
    assert editor_client.get(public_url(claim)).status_code == 404
    assert Client().get(reverse("claims_app:fact_check_detail", args=[999_999])).status_code == 404


def test_unpublishing_takes_the_page_down_and_history_records_it(editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    response = editor_client.post(unpublish_url(claim))
    assert response.status_code == 302
    assert Client().get(public_url(claim)).status_code == 404
    assert editor_client.get(public_url(claim)).status_code == 404
    assert claim.pk not in [f.claim_id for f in PublishedFactCheck.objects.filter(is_live=True)]
    assert list(
        ClaimCorrection.objects.filter(claim=claim, field="publication")
        .order_by("pk")
        .values_list("new_value", flat=True)
    ) == ["published", "unpublished"]
    assert "Not published" not in editor_client.get(claim.get_absolute_url()).content.decode()
    assert "Unpublished (it was first published" in editor_client.get(claim.get_absolute_url()).content.decode()


def test_unpublishing_what_is_not_published_says_so(editor_client, editor):
    claim = reviewed(editor)
    response = editor_client.post(unpublish_url(claim), follow=True)
    assert "This claim is not published." in response.content.decode()


def test_only_the_public_fact_check_urls_skip_the_login(db):
    """Every other page of the desk still needs a login: exactly these views are login_not_required."""
    public: set[str] = set()

    def walk(patterns: list[Any], prefix: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if prefix + str(p.pattern) in {"admin/", "api/"}:
                    continue  # their own checks (staff login, API tokens)
                namespace = f"{p.namespace}:" if p.namespace else ""
                walk(p.url_patterns, prefix + namespace)
            elif isinstance(p, URLPattern) and not getattr(p.callback, "login_required", True):
                public.add(prefix + (p.name or ""))

    walk(get_resolver().url_patterns)
    assert public == {
        "login",
        "claims_app:fact_check_list",
        "claims_app:fact_check_feed",
        "claims_app:fact_check_detail",
    }
    claim = ClaimFactory()
    for url in (claim.get_absolute_url(), reverse("claims_app:claim_list"), publish_url(claim)):
        assert Client().get(url).status_code == 302, url


# ---------------------------------------------------------------- the snapshot


def test_the_public_page_keeps_the_published_verdict_until_the_editor_publishes_again(editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    review_services.change_claim_status(claim=claim, user=editor, status="verified", note="New minutes found.")

    html = Client().get(public_url(claim)).content.decode()
    assert NOTE in html and "New minutes found." not in html
    assert ld_json(html)["reviewRating"]["alternateName"] == "False"
    claim_page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert "Verdict changed since publishing" in claim_page and "publish again" in claim_page

    PublishedFactCheck.objects.update(published_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))
    response = editor_client.post(publish_url(claim), {"version": version_of(claim)}, follow=True)
    assert "Updated the public fact-check." in response.content.decode()
    html = Client().get(public_url(claim)).content.decode()
    assert "New minutes found." in html and NOTE not in html
    assert "Updated" in html and "5 Jan 2026" in html
    review = ld_json(html)
    assert review["reviewRating"]["alternateName"] == "True"
    assert review["datePublished"].startswith("2026-01-05") and review["dateModified"] > review["datePublished"]
    assert "Verdict changed since publishing" not in editor_client.get(claim.get_absolute_url()).content.decode()
    fact_check = PublishedFactCheck.objects.get()
    assert (fact_check.status, fact_check.published_by) == ("verified", editor)


def test_the_snapshot_keeps_the_evidence_and_speaker_as_published(editor_client, editor):
    claim = reviewed(editor, speaker=SpeakerFactory(name="Ilse Varga"))
    Evidence.objects.create(claim=claim, url="https://minutes.example/a", note="")
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    Evidence.objects.create(claim=claim, url="https://minutes.example/later", note="")
    review_services.correct_claim(claim=claim, user=editor, speaker_name="Piet Brask")
    html = Client().get(public_url(claim)).content.decode()
    assert "https://minutes.example/a" in html and "https://minutes.example/later" not in html
    assert "Ilse Varga" in html and "Piet Brask" not in html
    assert "since publishing: publish again" in editor_client.get(claim.get_absolute_url()).content.decode()


def test_evidence_added_after_publishing_is_flagged_on_the_claim_page(editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    assert "since publishing" not in editor_client.get(claim.get_absolute_url()).content.decode()
    review_services.add_evidence(claim=claim, user=editor, url="https://minutes.example/later")
    panel = editor_client.get(claim.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="publish-panel")
    assert "given evidence since publishing" in panel.content.decode()


# ---------------------------------------------------------------- ClaimReview JSON-LD


def test_ld_json_is_a_schema_org_claim_review_with_the_required_and_recommended_fields(editor_client, editor):
    WorkflowSettings.objects.filter(pk=1).update(
        organisation_name="Harbour Check",
        organisation_url="https://check.example/",
        organisation_logo_url="https://check.example/logo.png",
        false_label="Pants on fire",
        false_rating=0,
        worst_rating=0,
        best_rating=10,
    )
    article = ArticleFactory(url="https://courier.example/ferries", published_at=datetime.date(2026, 3, 4))
    claim = reviewed(editor, article=article, speaker=SpeakerFactory(name="Ilse Varga"))
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    review = ld_json(Client().get(public_url(claim)).content.decode())

    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.text
    assert review["url"] == "http://testserver" + public_url(claim)
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 0,
        "bestRating": 10,
        "worstRating": 0,
        "alternateName": "Pants on fire",
    }
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Ilse Varga"}
    appearance = item["appearance"]
    assert appearance["url"] == "https://courier.example/ferries"
    assert appearance["headline"] == article.title and appearance["datePublished"] == "2026-03-04"
    assert item["firstAppearance"]["url"]
    assert review["author"] == {
        "@type": "Organization",
        "name": "Harbour Check",
        "url": "https://check.example/",
        "logo": "https://check.example/logo.png",
    }
    datetime.datetime.fromisoformat(review["datePublished"])
    datetime.datetime.fromisoformat(review["dateModified"])


def test_an_organisation_speaker_is_an_organization_author(editor_client, editor):
    claim = reviewed(editor, speaker=SpeakerFactory(name="Union officials", kind="group"))
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    review = ld_json(Client().get(public_url(claim)).content.decode())
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Union officials"}


def test_the_public_json_ld_never_points_at_the_desks_own_pages(editor_client, editor):
    claim = reviewed(editor, article=ArticleFactory(url=""))
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    html = Client().get(public_url(claim)).content.decode()
    assert claim.article.get_absolute_url() not in html and claim.get_absolute_url() not in html
    assert "url" not in ld_json(html)["itemReviewed"]["appearance"]


def test_hostile_claim_text_stays_escaped_in_the_page_the_json_and_the_feed(editor_client, editor):
    text = HOSTILE
    article = ArticleFactory(body=f"She said {text} loudly.", title=f"Title {HOSTILE}")
    claim = reviewed(editor, article=article, text=text, start=9, end=9 + len(text), note=f"Note {HOSTILE}")
    editor_client.post(publish_url(claim), {"version": version_of(claim)})

    html = Client().get(public_url(claim)).content.decode()
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == html.count("<script")  # no script block closed or opened by the text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in html
    review = ld_json(html)
    assert review["claimReviewed"] == text
    assert review["itemReviewed"]["appearance"]["headline"] == f"Title {HOSTILE}"
    listing = Client().get(reverse("claims_app:fact_check_list")).content.decode()
    assert "<script>alert(1)" not in listing
    feed = Client().get(reverse("claims_app:fact_check_feed")).content.decode()
    assert "<script>alert(1)" not in feed
    [entry] = ET.fromstring(feed).iter(f"{ATOM}entry")
    assert HOSTILE in entry.findtext(f"{ATOM}title", "")
    assert "<script>alert(1)" not in entry.findtext(f"{ATOM}summary", "")  # HTML content, escaped once more


def test_the_jsonld_export_still_uses_the_same_builder(editor, viewer_client):
    claim = reviewed(editor)
    response = viewer_client.get(reverse("claims_app:claim_export_jsonld"))
    [review] = json.loads(b"".join(response.streaming_content))["@graph"]
    assert review["claimReviewed"] == claim.text and review["url"].endswith(claim.get_absolute_url())
    assert "dateModified" not in review


# ---------------------------------------------------------------- list, feed, API


def test_list_shows_published_fact_checks_newest_first_and_not_unpublished_ones(editor_client, editor):
    older, newer, gone = reviewed(editor), reviewed(editor), reviewed(editor)
    for claim in (older, newer, gone):
        editor_client.post(publish_url(claim), {"version": version_of(claim)})
    PublishedFactCheck.objects.filter(claim=older).update(
        published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    editor_client.post(unpublish_url(gone))
    html = Client().get(reverse("claims_app:fact_check_list")).content.decode()
    assert html.index(public_url(newer)) < html.index(public_url(older))
    assert public_url(gone) not in html
    assert reverse("claims_app:fact_check_feed") in html


def _publish_many(editor: Any, n: int) -> None:
    workflow = WorkflowSettings.load()
    for _ in range(n):
        claim = reviewed(editor)
        PublishedFactCheck.objects.create(
            claim=claim,
            claim_text=claim.text,
            status="false",
            note=NOTE,
            rating_value=workflow.false_rating,
            rating_label=workflow.false_label,
            best_rating=workflow.best_rating,
            worst_rating=workflow.worst_rating,
            claim_version=claim.version,
            published_at=datetime.datetime.now(datetime.UTC),
            updated_at=datetime.datetime.now(datetime.UTC),
        )


def test_the_list_takes_the_same_number_of_queries_for_5_and_20_fact_checks(editor):
    client = Client()
    url = reverse("claims_app:fact_check_list")
    counts = []
    for n in (5, 15):
        _publish_many(editor, n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert PublishedFactCheck.objects.count() == 20


def test_the_list_is_paginated(editor):
    _publish_many(editor, 21)
    client = Client()
    first = client.get(reverse("claims_app:fact_check_list")).content.decode()
    assert first.count('class="card"') == 20 and "page=2" in first
    second = client.get(reverse("claims_app:fact_check_list"), {"page": 2}).content.decode()
    assert second.count('class="card"') == 1


def test_the_atom_feed_lists_published_fact_checks(editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    hidden = reviewed(editor)
    response = Client().get(reverse("claims_app:fact_check_feed"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}"), required
    [entry] = root.findall(f"{ATOM}entry")
    for required in ("id", "title", "updated"):
        assert entry.findtext(f"{ATOM}{required}"), required
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").endswith(public_url(claim))
    assert entry.findtext(f"{ATOM}title", "").startswith("False: ")
    datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published", ""))
    assert public_url(hidden) not in response.content.decode()


def test_api_claim_detail_gives_the_published_url_or_null(editor_client, editor, viewer_client):
    claim = reviewed(editor)
    api = f"/api/claims/{claim.pk}/"
    assert viewer_client.get(api).json()["published_url"] is None
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    body = viewer_client.get(api).json()
    assert body["published_url"] == "http://testserver" + public_url(claim)
    assert {"id", "text", "history", "links", "origin"} <= set(body)
    assert any(h["field"] == "publication" and h["new"] == "published" for h in body["history"])
    editor_client.post(unpublish_url(claim))
    assert viewer_client.get(api).json()["published_url"] is None


def test_republishing_after_unpublishing_keeps_the_first_publication_date(editor_client, editor):
    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    first = PublishedFactCheck.objects.get().published_at
    editor_client.post(unpublish_url(claim))
    response = editor_client.post(publish_url(claim), {"version": version_of(claim)}, follow=True)
    assert "Published the public fact-check." in response.content.decode()
    assert Client().get(public_url(claim)).status_code == 200
    fact_check = PublishedFactCheck.objects.get()
    assert fact_check.is_live and fact_check.published_at == first
    assert list(
        ClaimCorrection.objects.filter(claim=claim, field="publication")
        .order_by("pk")
        .values_list("new_value", flat=True)
    ) == ["published", "unpublished", "published"]


def test_admin_lists_fact_checks_read_only(editor_client, editor):
    from django.contrib.auth import get_user_model

    claim = reviewed(editor)
    editor_client.post(publish_url(claim), {"version": version_of(claim)})
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("root", password="x"))
    fact_check = PublishedFactCheck.objects.get()
    assert staff.get("/admin/claims_app/publishedfactcheck/").status_code == 200
    assert staff.get(f"/admin/claims_app/publishedfactcheck/{fact_check.pk}/change/").status_code == 200
    assert staff.get("/admin/claims_app/publishedfactcheck/add/").status_code == 403
    assert staff.post(f"/admin/claims_app/publishedfactcheck/{fact_check.pk}/change/", {}).status_code == 403
