"""Tags and saved views in a real browser: tag a claim, filter by its chip, save the view, find it in the nav."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from claims_app.roles import Role
from tests.browser.conftest import login, screenshot
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.browser


def test_editor_tags_a_claim_filters_by_the_chip_and_saves_the_view(page: Page, roles_ready):  # type: ignore[no-untyped-def]
    UserFactory(username="eddie", role=Role.EDITOR)
    tagged = ClaimFactory(text="The harbour deal is signed.")
    ClaimFactory(text="The ferries run on Monday.")
    login(page, "eddie")
    page.goto(tagged.get_absolute_url())
    panel = page.locator("#tags-panel")
    panel.get_by_label("Tag to add").fill("Harbour deal")
    panel.get_by_role("button", name="Add tag").click()
    expect(page.locator("#tags-panel")).to_contain_text("Tagged “Harbour deal”.")
    expect(page.locator("#tags-panel h2")).to_have_count(1)  # swapped into the panel, not into its form
    page.locator("#tags-panel ul.tags a", has_text="Harbour deal").click()
    expect(page).to_have_url(re.compile(r"/claims/\?tag=Harbour(\+|%20)deal$"))
    expect(page.locator("tr.claim-row")).to_have_count(1)
    expect(page.locator("tr.claim-row a.chip.tag")).to_have_text("Harbour deal")
    save = page.locator("#save-view")
    save.get_by_label("Name for this saved view").fill("Harbour deal claims")
    save.get_by_role("button", name="Save view").click()
    expect(page.locator("#save-view")).to_contain_text("Saved “Harbour deal claims”.")
    nav = page.locator("#saved-views-nav")
    expect(nav.locator("summary")).to_have_text("Saved views (1)")  # refreshed by savedViewsChanged
    nav.locator("summary").click()
    link = nav.get_by_test_id("saved-view-link")
    expect(link).to_contain_text("Harbour deal claims")
    expect(nav.get_by_test_id("saved-view-count")).to_have_text("1")
    screenshot(page, "tags-saved-view-nav", full_page=False)
    link.click()
    expect(page.locator("tr.claim-row")).to_have_count(1)
