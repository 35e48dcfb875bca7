"""The flows an editor clicks through, in a real browser with JavaScript on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from claims_app.models import Claim, ClaimLink, Speaker
from claims_app.roles import Role
from tests.browser.conftest import login, screenshot
from tests.factories import ArticleFactory, ClaimFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.browser

FIRST_BODY = (
    "Port Selden, Tuesday.\n\n"
    '"The ferries will run again on Monday," said Mayor Ilse Varga at the quay.\n\n'
    "Union officials said the strike fund could last three more weeks.\n\n"
    "The council has not published the repair budget."
)
SECOND_BODY = (
    "Harbour Ledger, Thursday.\n\n"
    '"Ferries return on Monday at the earliest," Varga told reporters.\n\n'
    "Dock workers said nobody had told them about a deal."
)


def claim_in(article, text: str, speaker=None, **fields) -> Claim:  # type: ignore[no-untyped-def]
    start = article.body.index(text)
    return ClaimFactory(article=article, text=text, start=start, end=start + len(text), speaker=speaker, **fields)


@pytest.fixture
def desk(roles_ready):  # type: ignore[no-untyped-def]
    """Two articles from different outlets, a shared speaker, and one user per role."""
    for username, role in (("vera", Role.VIEWER), ("eddie", Role.EDITOR), ("ada", Role.ADMIN)):
        UserFactory(username=username, role=role, is_staff=role == Role.ADMIN)
    varga = SpeakerFactory(name="Ilse Varga", role="mayor of Port Selden", aliases=["Ilse Varga", "Mayor Ilse Varga"])
    union = SpeakerFactory(name="Union officials", role="", kind="group", aliases=["Union officials"])
    first = ArticleFactory(title="Ferry strike enters its second week", body=FIRST_BODY, outlet="Selden Courier")
    second = ArticleFactory(title="Mayor hints at ferry deal", body=SECOND_BODY, outlet="Harbour Ledger")
    return {
        "varga": varga,
        "union": union,
        "first": first,
        "second": second,
        "ferries": claim_in(first, "The ferries will run again on Monday,", varga, kind="direct"),
        "fund": claim_in(first, "the strike fund could last three more weeks", union, kind="indirect"),
        "return": claim_in(second, "Ferries return on Monday at the earliest,", varga, kind="direct"),
    }


def test_editor_sees_highlights_opens_the_panel_and_marks_a_claim_verified(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    screenshot(page, "01-dashboard")
    page.goto(desk["first"].get_absolute_url())
    highlights = page.locator("#article-body a.hl")
    expect(highlights).to_have_count(2)
    expect(highlights.first).to_have_class(re.compile("status-unreviewed"))
    highlights.first.click()
    card = page.locator("#claim-card")
    expect(card).to_contain_text("The ferries will run again on Monday")
    card.locator("select[name=status]").select_option("verified")
    card.get_by_role("button", name="Save review").click()
    expect(card).to_contain_text("Marked “Verified”")
    # The body refreshed itself through the HX-Trigger event: the highlight is now green.
    expect(page.locator(f"#hl-{desk['ferries'].pk}")).to_have_class(re.compile("status-verified"))
    screenshot(page, "02-article-with-panel")


def test_inline_status_change_swaps_the_row_and_the_history_records_it(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto("/claims/")
    page.evaluate("window.__stillHere = true")
    row = page.locator(f"#claim-{desk['fund'].pk}")
    row.locator("select[name=status]").select_option("false")
    row.get_by_role("button", name="Set").click()
    expect(page.locator(f"#claim-{desk['fund'].pk}")).to_contain_text("Marked “False”")
    assert page.evaluate("window.__stillHere") is True  # no page reload
    screenshot(page, "03-claim-list")
    page.locator(f"#claim-{desk['fund'].pk} a.row-link").click()
    history = page.locator("#history")
    expect(history).to_contain_text("eddie")
    expect(history).to_contain_text("Unreviewed → False")
    screenshot(page, "04-claim-detail")


def test_keyboard_moves_and_marks_claims(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto("/claims/?sort=oldest")
    page.keyboard.press("j")
    first_row = page.locator("tr.claim-row").first
    expect(first_row).to_have_class(re.compile("selected"))
    page.keyboard.press("v")
    expect(page.locator(f"#claim-{desk['ferries'].pk}")).to_contain_text("Marked “Verified”")
    expect(page.locator(f"#claim-{desk['ferries'].pk}")).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    page.keyboard.press("u")
    expect(page.locator(f"#claim-{desk['fund'].pk}")).to_contain_text("Marked “Unverified”")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{desk['fund'].get_absolute_url()}")


def test_editor_links_two_claims_from_different_articles(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto(desk["ferries"].get_absolute_url())
    links = page.locator("#links")
    expect(links).to_contain_text("Not linked to any other claim")
    # The placeholder suggestion (same speaker, other article) is there; use the search instead.
    page.fill("#link-q", "earliest")
    result = page.locator("#link-results li")
    expect(result).to_have_count(1)
    result.locator("select[name=relation]").select_option("paraphrase")
    result.get_by_role("button", name="Link").click()
    expect(page.locator("#links")).to_contain_text("Linked to claim")
    expect(page.locator("#links ul.links")).to_contain_text("Ferries return on Monday at the earliest")
    expect(page.locator("#links ul.links")).to_contain_text("Paraphrase")
    link = ClaimLink.objects.get()
    assert {link.from_claim_id, link.to_claim_id} == {desk["ferries"].pk, desk["return"].pk}
    screenshot(page, "05-claim-linked")


def test_editor_accepts_a_suggested_link_with_the_relation_chosen(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto(desk["ferries"].get_absolute_url())
    suggestion = page.locator(f"#suggested-{desk['return'].pk}")
    expect(suggestion).to_contain_text("Ferries return on Monday at the earliest")
    suggestion.locator("select[name=relation]").select_option("corroborates")
    suggestion.get_by_role("button", name="Link").click()
    expect(page.locator("#links ul.links")).to_contain_text("Ferries return on Monday at the earliest")
    expect(page.locator(f"#suggested-{desk['return'].pk}")).to_have_count(0)  # linked: no longer suggested
    link = ClaimLink.objects.get()
    assert {link.from_claim_id, link.to_claim_id} == {desk["ferries"].pk, desk["return"].pk}
    assert link.relation == "corroborates"
    screenshot(page, "16-suggestion-accepted")


def test_editor_dismisses_a_suggestion_and_it_stays_gone(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto(desk["ferries"].get_absolute_url())
    suggestion = page.locator(f"#suggested-{desk['return'].pk}")
    expect(suggestion).to_be_visible()
    suggestion.get_by_role("button", name="Dismiss").click()
    expect(page.locator(f"#suggested-{desk['return'].pk}")).to_have_count(0)
    page.reload()
    expect(page.locator("#links")).to_be_visible()
    expect(page.locator(f"#suggested-{desk['return'].pk}")).to_have_count(0)
    page.goto(desk["return"].get_absolute_url())  # nor from the other side
    expect(page.locator("#links")).to_be_visible()
    expect(page.locator(f"#suggested-{desk['ferries'].pk}")).to_have_count(0)
    assert not ClaimLink.objects.exists()


def test_filter_and_search_update_the_list_and_the_url(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "vera")
    page.goto("/claims/")
    expect(page.locator("tr.claim-row")).to_have_count(3)
    expect(page.locator("form.inline-status")).to_have_count(0)  # viewers get no review controls
    page.fill("#id_q", "strike fund")
    expect(page.locator("tr.claim-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/claims/\?q=strike(\+|%20)fund&sort=newest$"))
    page.fill("#id_q", "")
    page.select_option("select[name=outlet]", "Harbour Ledger")
    expect(page.locator("tr.claim-row")).to_have_count(1)
    expect(page.locator("#results .count")).to_contain_text("1")
    page.select_option("select[name=outlet]", "")
    page.fill("#id_q", "feries")  # misspelt
    expect(page.locator("#results")).to_contain_text("showing results for “ferries”")
    expect(page.locator("tr.claim-row")).to_have_count(2)
    screenshot(page, "06-claim-search-fuzzy")


def test_bulk_status_change_refreshes_the_list(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto("/claims/?status=unreviewed")
    expect(page.locator("tr.claim-row")).to_have_count(3)
    page.locator(f"#claim-{desk['ferries'].pk} input[name=ids]").check()
    page.locator(f"#claim-{desk['return'].pk} input[name=ids]").check()
    page.select_option("#bulk-form select[name=status]", "disputed")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#bulk-form")).to_contain_text("Marked 2 claims “Disputed”")
    expect(page.locator("tr.claim-row")).to_have_count(1)  # the list re-fetched itself with its filters


def test_editor_adds_a_missed_claim_by_selecting_text(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto(desk["first"].get_absolute_url())
    phrase = "The council has not published the repair budget."
    page.evaluate(
        """(phrase) => {
            const p = [...document.querySelectorAll('#article-body p')].find(el => el.textContent.includes(phrase));
            const node = p.firstChild; const start = node.textContent.indexOf(phrase);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + phrase.length);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        }""",
        phrase,
    )
    expect(page.locator("#add-claim-form textarea[name=text]")).to_have_value(phrase)
    page.fill("#add-claim-form input[name=speaker]", "Harbour Ledger")
    page.select_option("#add-claim-form select[name=kind]", "assertion")
    page.get_by_role("button", name="Add claim").click()
    expect(page.locator("#add-claim")).to_contain_text("Added claim")
    expect(page.locator("#article-body a.hl")).to_have_count(3)
    claim = Claim.objects.get(filed_by="editor")
    assert desk["first"].body[claim.start : claim.end] == phrase


def test_admin_merges_two_speakers_and_undoes_it(page: Page, desk):  # type: ignore[no-untyped-def]
    duplicate = SpeakerFactory(name="I. Varga", role="", aliases=["I. Varga"])
    extra = claim_in(desk["second"], "Dock workers said nobody had told them", duplicate)
    login(page, "ada")
    page.goto(desk["varga"].get_absolute_url())
    page.fill("#merge input[name=other]", str(duplicate.pk))
    page.get_by_role("button", name="Preview merge").click()
    expect(page.locator("main")).to_contain_text("1 claim change speaker")
    expect(page.locator("main")).to_contain_text("Dock workers said nobody had told them")
    screenshot(page, "07-merge-preview")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Merged “I. Varga” into “Ilse Varga”")
    extra.refresh_from_db()
    assert extra.speaker_id == desk["varga"].pk and not Speaker.objects.filter(pk=duplicate.pk).exists()
    screenshot(page, "08-speaker-after-merge")
    page.get_by_role("button", name="Undo merge").click()
    expect(page.locator(".messages")).to_contain_text("is back with its claims and aliases")
    expect(page.locator("h1")).to_have_text("I. Varga")
    extra.refresh_from_db()
    assert extra.speaker_id == duplicate.pk


def test_pages_read_on_a_phone(browser, live_server, desk):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        login(page, "eddie")
        for name, url in [
            ("09-phone-claims", "/claims/"),
            ("10-phone-claim", desk["ferries"].get_absolute_url()),
            ("11-phone-article", desk["first"].get_absolute_url()),
        ]:
            page.goto(url)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            screenshot(page, name)
            assert overflow <= 1, f"{url} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()


def test_screenshots_of_the_remaining_pages(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "ada")
    for name, url in [
        ("12-articles", "/articles/"),
        ("13-speakers", "/speakers/"),
        ("14-speaker", desk["varga"].get_absolute_url()),
    ]:
        page.goto(url)
        screenshot(page, name)


UPLOAD_TEXT = """Lantern festival moved to the old quay

By Mira Ostrand

The lantern festival will move to the old quay this year, organisers said on Friday.

"We expect twice as many visitors as last summer," said Tomas Lind, the festival director.

Harbour police said they would close the coastal road for the evening.
"""


def test_editor_uploads_an_article_and_sees_its_claims_highlighted(page: Page, desk):  # type: ignore[no-untyped-def]
    login(page, "eddie")
    page.goto("/articles/new/")
    page.fill("textarea[name=text]", UPLOAD_TEXT)
    page.fill("input[name=outlet]", "Selden Courier")
    page.get_by_role("button", name="Ingest article").click()
    page.wait_for_url(re.compile(r"/articles/\d+/$"), timeout=60_000)
    expect(page.locator(".messages")).to_contain_text("Filed")
    expect(page.locator("#article-body a.hl").first).to_be_visible()
    expect(page.locator("#article-body")).to_contain_text("We expect twice as many visitors as last summer")
    screenshot(page, "15-uploaded-article")
