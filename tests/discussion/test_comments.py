"""Comments under a claim: posting (htmx and without JavaScript), escaping, mentions, links, limits, the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims_app.discussion import mentions, services
from claims_app.models import COMMENT_MAX_LENGTH, Claim, Comment
from claims_app.roles import Role
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "comment-list"}


def comment_url(claim: Claim) -> str:
    return reverse("claims_app:claim_comment", args=[claim.pk])


@pytest.fixture
def olga(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="olga", role=Role.EDITOR)


def test_editor_comments_and_it_shows_escaped_on_the_claim_page(editor_client, editor):
    claim = ClaimFactory()
    response = editor_client.post(comment_url(claim), {"text": "Check <script>alert(1)</script> & the minutes"})
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url() + "#comments"
    comment = Comment.objects.get(claim=claim)
    assert (comment.author, comment.text) == (editor, "Check <script>alert(1)</script> & the minutes")
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert "Check &lt;script&gt;alert(1)&lt;/script&gt; &amp; the minutes" in page
    assert "<script>alert(1)" not in page


def test_mention_links_to_the_users_assigned_list_only_when_the_user_exists(editor_client, olga):
    claim = ClaimFactory()
    editor_client.post(comment_url(claim), {"text": "@olga can you check? cc @ghost and thanks @olga."})
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    assert '<a class="mention" href="/claims/?assignee=olga">@olga</a> can you check?' in page
    assert "cc @ghost and" in page and "assignee=ghost" not in page
    assert '<a class="mention" href="/claims/?assignee=olga">@olga</a>.' in page


def test_http_links_become_nofollow_links_and_other_schemes_stay_text():
    html = mentions.render('See https://example.org/a?b=1&c="x" (or javascript:alert(1)) and www.example.org.', set())
    assert '<a href="https://example.org/a?b=1&amp;c=&quot;x&quot;" rel="nofollow noopener"' not in html
    assert '<a href="https://example.org/a?b=1&amp;c=" rel="nofollow noopener" class="comment-link">' in html
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    assert "www.example.org." in html and html.count("<a ") == 1
    trailing = mentions.render("Source: https://example.org/report.", set())
    assert 'href="https://example.org/report"' in trailing and trailing.endswith("</a>.")
    bracketed = mentions.render("(https://en.wikipedia.org/wiki/Weir_(river))", set())
    assert 'href="https://en.wikipedia.org/wiki/Weir_(river)"' in bracketed and bracketed.endswith("</a>)")


def test_an_email_address_is_not_a_mention(olga):
    assert mentions.mentioned_names("write to press@olga.example") == set()
    assert "mention" not in mentions.render("write to press@olga.example", {"olga"})


def test_htmx_comment_answers_with_the_new_comment_and_a_fresh_form(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(comment_url(claim), {"text": "First look: the date is wrong."}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<li id="comment-') and "First look: the date is wrong." in body
    assert 'id="comment-form"' in body and 'hx-swap-oob="true"' in body
    assert "commentAdded" in response["HX-Trigger"]


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\x00\x00", "x" * (COMMENT_MAX_LENGTH + 1)])
def test_empty_or_too_long_comment_is_a_clear_error_and_nothing_is_saved(editor_client, text):
    claim = ClaimFactory()
    response = editor_client.post(comment_url(claim), {"text": text}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and response["HX-Retarget"] == "#comment-form"
    assert ("at most 5,000 characters" in body) == (len(text) > COMMENT_MAX_LENGTH)
    response = editor_client.post(comment_url(claim), {"text": text}, follow=True)
    assert 'class="msg-error"' in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "nul\x00inside",
        "bell\x07 and \u202egnirts\u202c",
        "emoji 🦆 and combining e\u0301",
        "\ufffd\ufeff odd",
        "a\r\nb",
    ],
)
def test_control_characters_and_odd_unicode_are_handled_without_a_500(editor_client, text):
    claim = ClaimFactory()
    response = editor_client.post(comment_url(claim), {"text": text}, **HX)
    assert response.status_code == 200
    saved = Comment.objects.get(claim=claim).text
    assert "\x00" not in saved and "\x07" not in saved and "\u202e" not in saved and "\r" not in saved
    assert editor_client.get(claim.get_absolute_url()).status_code == 200


def test_the_service_refuses_text_the_form_would_and_lone_surrogates_never_reach_postgres(editor):
    claim = ClaimFactory()
    with pytest.raises(Exception) as refused:
        services.add_comment(claim=claim, user=editor, text=" \x00 ")
    assert getattr(refused.value, "error_dict", {})["text"][0].code == "empty"
    comment = services.add_comment(claim=claim, user=editor, text="half a pair \ud800 here")
    assert comment.text == "half a pair  here"


def test_viewer_reads_the_discussion_but_cannot_comment(viewer_client, editor):
    claim = ClaimFactory()
    services.add_comment(claim=claim, user=editor, text="Needs a second source.")
    page = viewer_client.get(claim.get_absolute_url()).content.decode()
    assert "Needs a second source." in page and 'id="comment-form"' not in page
    assert viewer_client.post(comment_url(claim), {"text": "me too"}).status_code == 403
    assert viewer_client.post(comment_url(claim), {"text": "me too"}, **HX).status_code == 403
    response = Client().post(comment_url(claim), {"text": "anonymous"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Comment.objects.count() == 1


def test_comment_requires_a_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    claim = ClaimFactory()
    assert client.post(comment_url(claim), {"text": "hello"}).status_code == 403


def test_comment_on_a_missing_claim_is_404(editor_client):
    assert editor_client.post(reverse("claims_app:claim_comment", args=[999999]), {"text": "x"}).status_code == 404


def test_comments_are_in_the_history_timeline(editor_client, editor):
    claim = ClaimFactory()
    services.add_comment(claim=claim, user=editor, text="Spoke to the harbour office.")
    response = editor_client.get(claim.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="history")
    body = response.content.decode()
    assert "commented</a>: “Spoke to the harbour office.”" in body


def test_a_review_conflict_after_a_comment_still_says_what_changed(editor_client, editor):
    claim = ClaimFactory()
    editor_client.post(reverse("claims_app:claim_status", args=[claim.pk]), {"status": "verified", "version": 1})
    services.add_comment(claim=claim, user=editor, text="Newest entry is this comment.")
    response = editor_client.post(
        reverse("claims_app:claim_status", args=[claim.pk]), {"status": "false", "version": 1}, follow=True
    )
    assert "marked it “Verified”" in response.content.decode()


def test_api_claim_detail_lists_comments_oldest_first(viewer_client, editor, olga):
    claim = ClaimFactory()
    first = services.add_comment(claim=claim, user=editor, text="First.")
    second = services.add_comment(claim=claim, user=olga, text="Second, <b>as typed</b>.")
    detail = viewer_client.get(f"/api/claims/{claim.pk}/").json()
    assert [(c["id"], c["author"], c["text"]) for c in detail["comments"]] == [
        (first.pk, "eddie", "First."),
        (second.pk, "olga", "Second, <b>as typed</b>."),
    ]
    assert all(c["created_at"] for c in detail["comments"])
    assert all(h["kind"] != "comment" for h in detail["history"])


def test_claim_page_runs_the_same_number_of_queries_with_2_or_20_comments(editor_client, editor, olga):
    claim = ClaimFactory()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(claim.get_absolute_url()).status_code == 200
        return len(ctx)

    for i in range(2):
        services.add_comment(claim=claim, user=[editor, olga][i % 2], text=f"Note {i} for @olga and @eddie")
    count_queries()  # the first view fills the link-suggestion cache
    small = count_queries()
    for i in range(18):
        services.add_comment(claim=claim, user=[editor, olga][i % 2], text=f"More {i} @olga https://example.org/{i}")
    assert count_queries() == small
