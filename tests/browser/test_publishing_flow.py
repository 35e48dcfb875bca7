"""An editor publishes a verdict from the claim page, a reader sees it without logging in, and it comes down."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from claims_app.review import services as review_services
from claims_app.roles import Role
from tests.browser.conftest import login, screenshot
from tests.browser.test_content_security_policy import WATCH_VIOLATIONS
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.browser

NOTE = "The harbour minutes of 3 March show the ferries stayed in dock."


def test_editor_publishes_a_fact_check_a_reader_sees_it_and_unpublishing_takes_it_down(page: Page, roles_ready):  # type: ignore[no-untyped-def]
    editor = UserFactory(username="eddie", role=Role.EDITOR)
    speaker = SpeakerFactory(name="Ilse Varga")
    article = ArticleFactory(
        title="Ferry strike enters its second week",
        body='"The ferries will run again on Monday," said Mayor Ilse Varga.',
        outlet="Selden Courier",
    )
    claim = ClaimFactory(article=article, speaker=speaker, text="The ferries will run again on Monday,", start=1)
    review_services.change_claim_status(claim=claim, user=editor, status="false", note=NOTE)
    page.add_init_script(WATCH_VIOLATIONS)

    login(page, "eddie")
    page.goto(claim.get_absolute_url())
    panel = page.locator("#publish-panel")
    expect(panel).to_contain_text("Not published.")
    panel.get_by_role("button", name="Publish fact-check").click()
    expect(panel).to_contain_text("Published the public fact-check.")
    expect(panel.locator("h2")).to_have_count(1)  # the panel's contents were swapped in once, not into its form
    expect(page.locator("#history")).to_contain_text("published the public fact-check")  # refreshed by the event
    public = panel.get_by_role("link", name="view public page").get_attribute("href")
    assert public == f"/fact-checks/{claim.pk}/"
    screenshot(page, "30-claim-published")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")
    page.goto(public)
    expect(page.locator("[data-testid=verdict]")).to_contain_text("False")
    expect(page.locator("[data-testid=note]")).to_contain_text(NOTE)
    expect(page.locator("[data-testid=speaker]")).to_contain_text("Ilse Varga")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert page.evaluate("window.__cspViolations") == []  # the JSON-LD block is data, not a blocked script
    screenshot(page, "31-public-fact-check")

    login(page, "eddie")
    page.goto(claim.get_absolute_url())
    page.locator("#publish-panel").get_by_role("button", name="Unpublish").click()
    expect(page.locator("#publish-panel")).to_contain_text("Unpublished")
    response = page.goto(public)
    assert response is not None and response.status == 404
