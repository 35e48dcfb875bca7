"""Under the Content-Security-Policy the pages, htmx and the API docs still work, with no violation reported."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.browser

# Runs before any page script; the browser reports each blocked resource or inline code as this event.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


def test_pages_and_api_docs_load_with_no_csp_violation_and_htmx_still_swaps(page: Page, roles_ready):  # type: ignore[no-untyped-def]
    from claims_app.roles import Role

    UserFactory(username="eddie", role=Role.EDITOR)
    speaker = SpeakerFactory(name="Ilse Varga")
    article = ArticleFactory(body='"The ferries will run again on Monday," said Mayor Ilse Varga.')
    claim = ClaimFactory(article=article, speaker=speaker, text="The ferries will run again on Monday,", start=1)
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH_VIOLATIONS)

    login(page, "eddie")
    for path in ("/", "/claims/", claim.get_absolute_url(), f"/speakers/{speaker.pk}/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__cspViolations") == [], path
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Claimdesk API")
    assert page.evaluate("window.__cspViolations") == [], "/api/docs/"

    # An htmx action: the inline status form swaps its row without a reload.
    page.goto("/claims/")
    page.evaluate("window.__stillHere = true")
    row = page.locator(f"#claim-{claim.pk}")
    row.locator("select[name=status]").select_option("false")
    row.get_by_role("button", name="Set").click()
    expect(page.locator(f"#claim-{claim.pk}")).to_contain_text("Marked “False”")
    assert page.evaluate("window.__stillHere") is True
    assert page.evaluate("window.__cspViolations") == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
