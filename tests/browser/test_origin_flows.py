"""An automatically traced origin on the claim page: the badge, one-click undo, and it stays undone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from claims_app.roles import Role
from tests.browser.conftest import login, screenshot
from tests.factories import UserFactory
from tests.linking.test_origin_tracing import TV_FIRST, TV_RETOLD, ingest

pytestmark = pytest.mark.browser


def test_editor_sees_the_traced_badge_undoes_it_and_after_a_reload_it_stays_undone(
    page: Page, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    UserFactory(username="eddie", role=Role.EDITOR)
    ingest(TV_FIRST, "a.txt", django_capture_on_commit_callbacks)
    retold = ingest(TV_RETOLD, "b.txt", django_capture_on_commit_callbacks)
    login(page, "eddie")
    page.goto(f"/claims/{retold.pk}/")
    panel = page.locator("#origin-panel")
    expect(panel.get_by_test_id("origin-auto-badge")).to_have_text("traced automatically")
    expect(panel).to_contain_text("similarity")
    screenshot(page, "origin-traced-badge")
    panel.get_by_role("button", name="Undo").click()
    expect(page.locator("#origin-panel")).to_contain_text("Automatic origin undone")
    expect(page.locator("#origin-panel")).to_contain_text("Not traced to an original statement")
    page.reload()
    expect(page.locator("#origin-panel")).to_contain_text("Not traced to an original statement")
    expect(page.get_by_test_id("origin-auto-badge")).to_have_count(0)
