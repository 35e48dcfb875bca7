"""Two editors hand a claim over: an assignment and a mention reach the other editor's notifications."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from claims_app.roles import Role
from tests.browser.conftest import login, screenshot
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.browser


def test_editor_assigns_and_mentions_a_colleague_who_sees_both_in_notifications(page: Page, roles_ready):  # type: ignore[no-untyped-def]
    UserFactory(username="eddie", role=Role.EDITOR)
    UserFactory(username="olga", role=Role.EDITOR)
    claim = ClaimFactory(text="The ferries will run again on Monday,")

    login(page, "eddie")
    page.goto(claim.get_absolute_url())
    page.evaluate("window.__stillHere = true")
    panel = page.locator("#assign-panel")
    panel.locator("input[name=assignee]").fill("olga")
    panel.get_by_role("button", name="Assign").click()
    expect(page.locator("#assign-panel")).to_contain_text("Assigned to olga.")
    form = page.locator("#comment-form")
    form.locator("textarea[name=text]").fill("@olga can you check the Monday date? <b>not bold</b>")
    form.get_by_role("button", name="Comment").click()
    comment = page.locator("#comment-list li.comment")
    expect(comment).to_have_count(1)
    expect(comment.locator("a.mention")).to_have_attribute("href", "/claims/?assignee=olga")
    expect(comment).to_contain_text("<b>not bold</b>")
    expect(page.locator("#comment-form textarea[name=text]")).to_have_value("")  # a fresh form came back
    expect(page.locator("#history")).to_contain_text("commented")  # the history refreshed itself
    assert page.evaluate("window.__stillHere") is True  # htmx, not a reload
    screenshot(page, "team-claim-discussion")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")

    login(page, "olga")
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    expect(page.get_by_test_id("assigned-to-me")).to_contain_text("The ferries will run again on Monday")
    page.get_by_test_id("notification-badge").click()
    page.wait_for_url("**/notifications/")
    items = page.locator("#notification-list li.notification")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("eddie mentioned you on claim")
    expect(items.nth(0)).to_contain_text("can you check the Monday date?")
    expect(items.nth(1)).to_contain_text("eddie assigned you claim")
    screenshot(page, "team-notifications")
    items.nth(1).get_by_role("button", name="Mark read").click()
    expect(page.locator("#notification-list li.notification").nth(1)).not_to_have_class(re.compile("unread"))
    expect(page.get_by_test_id("unread-count")).to_have_text("1")  # the badge heard notificationsChanged
