"""Behaviour of `clean_article`: boilerplate removal and metadata, on made-up articles."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from claims_app.nlp.cleaning import NO_TEXT_AFTER_CLEANING, NO_TEXT_IN_HTML, clean_article, detect_format
from claims_app.nlp.records import InputRejected

# A fictional opinion page pasted as text, shaped like real outlet pages: masthead, section
# label, title, date and time lines, standfirst, template junk, footer furniture and a long
# "Read also" list of timestamped headlines.
OPINION_PAGE = """Harbour Ledger. World
OPINION

Mayor's ferry gamble leaves Eastwick stranded

14 March, 2024 Thursday
09:12

The ferry contract could have saved the town money if the mayor had read the small print

client/article.lead_title

Councillor Bram Osei said on the radio that Mayor Tilde Varn's ferry deal had left the island without winter sailings.

Osei noted that the operator's fleet had been cut from four boats to two within a month of the deal.

"It is one thing to promise cheaper tickets. It is another to leave pensioners on the quay in January."

The council's own auditors have since asked for the contract to be published in full.

Source

About the author. Petra Lindqvist, journalist, winner of the Coastal Press Award.

The editorial staff does not always share the opinions expressed by the blog authors.

Tags:
Read also:
  \u2022 News
2024, Friday
15 March
18:40
Exclusive
Harbour pilots threaten walkout over new rota \u2014 union
18:05
Lighthouse museum to reopen after storm repairs
17:30
Updated
Council approves budget for sea wall
2024, Thursday
14 March
21:10
Fishing quotas cut for third year running
More news"""

FIRST_PARAGRAPH = "The ferry contract could have saved the town money if the mayor had read the small print"
LAST_PARAGRAPH = "The council's own auditors have since asked for the contract to be published in full."
LIST_HEADLINES = (
    "Harbour pilots threaten walkout over new rota \u2014 union",
    "Lighthouse museum to reopen after storm repairs",
    "Council approves budget for sea wall",
    "Fishing quotas cut for third year running",
)

WIRE_REPORT = (
    "The mayor of Eastwick, Tilde Varn, said on Tuesday that the island's ferry service would resume next month.\n"
    '"We have found a new operator," Varn told reporters outside the town hall.\n'
    "According to the harbour authority, the new contract runs for three years.\n"
    "Opposition councillors said the deal had been rushed through without a public vote."
)


def paragraphs(text: str, **kwargs: str) -> list[str]:
    """Body paragraphs of the cleaned article."""
    return clean_article(text, **kwargs).body.split("\n\n")


# --- the opinion page ----------------------------------------------------------------


def test_opinion_page_metadata_is_extracted() -> None:
    article = clean_article(OPINION_PAGE)
    assert article.title == "Mayor's ferry gamble leaves Eastwick stranded"
    assert article.author == "Petra Lindqvist"
    assert article.outlet == "Harbour Ledger. World"
    assert article.section == "OPINION"
    assert article.published == dt.date(2024, 3, 14)


def test_opinion_page_body_runs_from_standfirst_to_last_paragraph() -> None:
    body = paragraphs(OPINION_PAGE)
    assert body[0] == FIRST_PARAGRAPH
    assert body[-1] == LAST_PARAGRAPH
    assert len(body) == 5


def test_title_line_is_not_repeated_in_body() -> None:
    assert "Mayor's ferry gamble" not in clean_article(OPINION_PAGE).body


def test_read_also_headline_list_is_removed() -> None:
    article = clean_article(OPINION_PAGE)
    for headline in LIST_HEADLINES:
        assert headline not in article.body
        assert headline in article.removed_lines
    assert "More news" in article.removed_lines


def test_template_placeholder_is_removed() -> None:
    article = clean_article(OPINION_PAGE)
    assert "client/article.lead_title" in article.removed_lines
    assert "lead_title" not in article.body


def test_source_bio_and_disclaimer_lines_are_removed() -> None:
    article = clean_article(OPINION_PAGE)
    assert "Source" in article.removed_lines
    assert "About the author. Petra Lindqvist, journalist, winner of the Coastal Press Award." in article.removed_lines
    assert "The editorial staff does not always share the opinions expressed by the blog authors." in (
        article.removed_lines
    )
    assert "Lindqvist" not in article.body
    assert "editorial staff" not in article.body


def test_every_dropped_line_is_recorded_in_removed_lines() -> None:
    article = clean_article(OPINION_PAGE)
    input_lines = [line.strip() for line in OPINION_PAGE.split("\n") if line.strip()]
    assert len(article.removed_lines) + len(article.body.split("\n\n")) == len(input_lines)


def test_quoted_paragraph_is_kept_as_content() -> None:
    quote = '"It is one thing to promise cheaper tickets. It is another to leave pensioners on the quay in January."'
    assert quote in paragraphs(OPINION_PAGE)


# --- individual boilerplate rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "16:56",
        "26 May, 2025 Monday",
        "2025, Thursday",
        "17 July",
        "May 26, 2025",
        "Updated 26.05.2025 16:56",
        "2025-05-26",
        "5 hours ago",
        "Friday 09:30 GMT",
    ],
)
def test_timestamp_only_lines_are_removed(line: str) -> None:
    article = clean_article(f"{WIRE_REPORT}\n\n{line}\n\nThe vote is expected next week.")
    assert line in article.removed_lines
    assert line not in article.body


@pytest.mark.parametrize(
    "line",
    [
        "Share on Facebook",
        "Subscribe to our newsletter",
        "Follow us on Telegram",
        "Sign up for our daily newsletter",
        "Share this article on WhatsApp",
        "Follow our live coverage for updates. Sign up for the Valley Courier morning briefing.",
        "Share",
        "Facebook Twitter Telegram",
        "{{ article.byline }}",
        "{% block footer %}",
        "Source",
        "Source: Harbour Wire",
        "Photo: Lena Ruiz/Harbour Press",
        "\u2022 News",
        "\u2022 Politics",
        "Home | News | Sport | Weather",
        "OPINION",
        "ANALYSIS",
        "Exclusive",
        "Advertisement",
        "\u00a9 2024 Harbour Ledger Media",
        "Copyright 2024 Harbour Ledger. All rights reserved.",
        "The views expressed in this column are the author's own.",
        "Comments (12)",
        "* * *",
    ],
)
def test_page_furniture_line_is_removed(line: str) -> None:
    article = clean_article(f"{WIRE_REPORT}\n\n{line}\n\nThe vote is expected next week.")
    assert line in article.removed_lines
    assert article.body.endswith("The vote is expected next week.")


@pytest.mark.parametrize(
    "sentence",
    [
        "By Tuesday evening, the council had voted to approve the deal.",
        "Join the protest on Telegram, organisers urged.",
        "Source: the ministry declined to comment.",
        "Related to this, the mayor said she would not resign.",
        "Follow the money, she said.",
        "More from the mayor is expected later.",
        "The views of residents were not sought, Osei said.",
        '"No."',
        "Photo: the mayor at the quay on Monday.",
        "About the author of the leaked memo, little is known.",
        "Join this week's vote on the app, the council urged residents.",
    ],
)
def test_news_sentences_that_resemble_furniture_are_kept(sentence: str) -> None:
    article = clean_article(f"{WIRE_REPORT}\n\n{sentence}\n\nThe vote is expected next week.")
    assert sentence in article.body.split("\n\n")


def test_short_quoted_paragraph_among_timestamps_is_kept() -> None:
    text = f"{WIRE_REPORT}\n\n10:15\n\n\u201cNever again\u201d\n\n10:40\n\nThe ferry docked safely."
    assert "\u201cNever again\u201d" in paragraphs(text)


def test_short_unpunctuated_paragraph_next_to_one_time_is_kept() -> None:
    text = f"{WIRE_REPORT}\n\n10:15\nThe mayor did not answer\n\nThe ferry docked safely."
    assert "The mayor did not answer" in paragraphs(text)


def test_timestamped_headline_run_without_a_heading_is_removed() -> None:
    run = "21:35\nPilots vote to strike\n21:20\nExclusive\nMuseum reopens after storm\n20:58\nQuota row deepens"
    article = clean_article(f"{WIRE_REPORT}\n\n{run}")
    assert article.body == "\n\n".join(WIRE_REPORT.split("\n"))
    assert "Museum reopens after storm" in article.removed_lines


def test_unpunctuated_last_paragraph_before_a_timestamp_list_is_kept() -> None:
    listing = "21:35\nPilots vote to strike\n21:20\nQuota row"
    body = paragraphs(f"{WIRE_REPORT}\n\nThe vote was adjourned until further notice\n\n{listing}")
    assert body[-1] == "The vote was adjourned until further notice"


def test_article_resuming_after_a_read_also_link_is_kept() -> None:
    text = (
        "The ferry union said its members would vote on Friday.\n\n"
        "Read also: Pilots threaten walkout over rota\n\n"
        "The ballot closes at noon, the union said."
    )
    assert paragraphs(text) == [
        "The ferry union said its members would vote on Friday.",
        "The ballot closes at noon, the union said.",
    ]


def test_tags_line_with_inline_tags_is_removed() -> None:
    article = clean_article(f"{WIRE_REPORT}\n\nTags: ferries, Eastwick, strikes")
    assert "Tags: ferries, Eastwick, strikes" in article.removed_lines
    assert "strikes" not in article.body.split("\n\n")[-1]


def test_bare_about_the_author_heading_takes_its_bio_along() -> None:
    text = f"{WIRE_REPORT}\n\nAbout the author\n\nNoor Haddad is a reporter covering the islands."
    article = clean_article(text)
    assert article.author == "Noor Haddad"
    assert "Noor Haddad" not in article.body


# --- metadata from plain text ----------------------------------------------------------------


def test_byline_sets_author_and_is_removed() -> None:
    text = f"Ferry service to resume in April\n\nBy Jonas Whitfield\n\n{WIRE_REPORT}"
    article = clean_article(text)
    assert article.author == "Jonas Whitfield"
    assert article.title == "Ferry service to resume in April"
    assert "By Jonas Whitfield" in article.removed_lines
    assert article.body.startswith("The mayor of Eastwick")


def test_byline_with_date_sets_published() -> None:
    article = clean_article(f"By Jonas Whitfield | 3 April 2024\n\n{WIRE_REPORT}")
    assert article.author == "Jonas Whitfield"
    assert article.published == dt.date(2024, 4, 3)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("26 May, 2025 Monday", dt.date(2025, 5, 26)),
        ("May 26, 2025", dt.date(2025, 5, 26)),
        ("Monday, 26th May 2025 16:56", dt.date(2025, 5, 26)),
        ("2025-05-26T16:56:00Z", dt.date(2025, 5, 26)),
        ("26.05.2025", dt.date(2025, 5, 26)),
        ("Published 3 Sept 2024", dt.date(2024, 9, 3)),
    ],
)
def test_date_line_sets_published(line: str, expected: dt.date) -> None:
    assert clean_article(f"Ferry service to resume\n\n{line}\n\n{WIRE_REPORT}").published == expected


def test_partial_dates_in_a_headline_list_do_not_set_published() -> None:
    article = clean_article(f"{WIRE_REPORT}\n\nRead also:\n2024, Friday\n15 March\n18:40\nPilots vote to strike")
    assert article.published is None


def test_outlet_line_needs_a_title_after_it() -> None:
    article = clean_article(f"Daily Harbour Gazette\n\nFerry service to resume in April\n\n{WIRE_REPORT}")
    assert article.outlet == "Daily Harbour Gazette"
    assert article.title == "Ferry service to resume in April"


@pytest.mark.parametrize(
    "header",
    [
        "Valley Courier\n3 April 2024",
        "By Jonas Whitfield\nValley Courier\n3 April 2024",
        "Valley Courier\n3 April 2024\nBy Jonas Whitfield",
    ],
)
def test_wire_masthead_under_the_title_is_the_outlet(header: str) -> None:
    article = clean_article(f"Ferry service to resume in April\n\n{header}\n\n{WIRE_REPORT}")
    assert article.outlet == "Valley Courier"
    assert article.published == dt.date(2024, 4, 3)
    assert article.body.startswith("The mayor of Eastwick")


def test_wire_reporting_credit_gives_the_author_and_is_removed() -> None:
    credit = "(Reporting by Jonas Whitfield and Mia Sorel; Editing by Karl Brandt)"
    article = clean_article(f"{WIRE_REPORT}\n\n{credit}")
    assert article.author == "Jonas Whitfield and Mia Sorel"
    assert credit in article.removed_lines


def test_wire_dateline_names_the_outlet_and_date_but_stays_in_the_body() -> None:
    lede = "EASTWICK, 2 April 2024 (Harbour Wire) - The island's ferry service will resume next month, the mayor said."
    article = clean_article(f"Ferry service to resume\n\n{lede}\n\nThe vote is expected next week.")
    assert article.outlet == "Harbour Wire"
    assert article.published == dt.date(2024, 4, 2)
    assert article.body.startswith(lede)


def test_outlet_date_and_byline_on_one_line_are_all_read() -> None:
    article = clean_article(
        f"Ferry service to resume\n\nValley Courier \u00b7 3 April 2024 \u00b7 by Jonas Whitfield\n\n{WIRE_REPORT}"
    )
    assert (article.outlet, article.author, article.published) == (
        "Valley Courier",
        "Jonas Whitfield",
        dt.date(2024, 4, 3),
    )
    assert article.body.startswith("The mayor of Eastwick")


def test_status_labels_are_removed_but_never_become_the_section() -> None:
    article = clean_article(f"Exclusive\n\nFerry service to resume\n\n{WIRE_REPORT}")
    assert article.section == ""
    assert "Exclusive" in article.removed_lines


def test_short_title_alone_is_not_mistaken_for_an_outlet() -> None:
    article = clean_article(f"Ferry Strike Ends\n\n{WIRE_REPORT}")
    assert article.title == "Ferry Strike Ends"
    assert article.outlet == ""


def test_wire_report_without_blank_lines_keeps_one_paragraph_per_line() -> None:
    article = clean_article(WIRE_REPORT)
    assert article.title == ""
    assert article.body.split("\n\n") == WIRE_REPORT.split("\n")
    assert article.removed_lines == ()


def test_title_directly_above_one_line_paragraphs_is_taken() -> None:
    article = clean_article(f"Ferry service to resume next month\n{WIRE_REPORT}")
    assert article.title == "Ferry service to resume next month"
    assert article.body.split("\n\n") == WIRE_REPORT.split("\n")


def test_hard_wrapped_paragraphs_are_rejoined_and_first_line_is_not_a_title() -> None:
    text = (
        "The harbour master, Ilse Varga, said on Friday that the new pier\n"
        "would open within weeks, according to a statement from the port\n"
        "authority.\n\n"
        "Fishermen said they had heard the same promise every spring since\n"
        "the old pier was closed."
    )
    article = clean_article(text)
    assert article.title == ""
    assert article.body.split("\n\n") == [
        "The harbour master, Ilse Varga, said on Friday that the new pier would open within weeks, "
        "according to a statement from the port authority.",
        "Fishermen said they had heard the same promise every spring since the old pier was closed.",
    ]


def test_wrapped_text_keeps_subheadings_and_unblanked_paragraphs_apart() -> None:
    text = (
        "The harbour master, Ilse Varga, said on Friday that the new pier\n"
        "would open within weeks.\n"
        "The plan\n"
        "Under the proposal, the harbour would be dredged and a breakwater\n"
        "built by 2026, the port authority said in a statement on Monday.\n"
    )
    assert paragraphs(text) == [
        "The harbour master, Ilse Varga, said on Friday that the new pier would open within weeks.",
        "The plan",
        "Under the proposal, the harbour would be dredged and a breakwater built by 2026, "
        "the port authority said in a statement on Monday.",
    ]


def test_subheading_above_a_one_line_paragraph_stays_separate() -> None:
    text = f"{WIRE_REPORT}\n\nThe plan\nUnder the proposal, the harbour would be dredged by 2026."
    assert paragraphs(text)[-2:] == ["The plan", "Under the proposal, the harbour would be dredged by 2026."]


def test_whitespace_inside_a_paragraph_is_collapsed() -> None:
    article = clean_article("The   council\tvoted  on   Monday,   officials said.")
    assert article.body == "The council voted on Monday, officials said."


def test_only_furniture_is_rejected() -> None:
    with pytest.raises(InputRejected, match=NO_TEXT_AFTER_CLEANING):
        clean_article("Share on Facebook\n16:56\nRead also:\nPilots vote to strike\nMore news")


# --- Markdown ----------------------------------------------------------------

MARKDOWN_STORY = """# Ferry strike ends after **three** days

*By Tomas Riel*

The ferry union said on Sunday that its members had voted to end the strike,
according to a [statement](https://union.example/statement) published on its website.

![A ferry at the dock](ferry.png)

## What happens next

- Services resume on Monday
- Refunds will be issued

> "We are glad to be back at work," said deckhand Ola Brandt.

Share on Facebook
"""


def test_markdown_heading_becomes_title_and_syntax_is_stripped() -> None:
    article = clean_article(MARKDOWN_STORY, filename="strike.md")
    assert article.title == "Ferry strike ends after three days"
    assert article.author == "Tomas Riel"
    assert article.body.split("\n\n") == [
        "The ferry union said on Sunday that its members had voted to end the strike, "
        "according to a statement published on its website.",
        "What happens next",
        "Services resume on Monday",
        "Refunds will be issued",
        '"We are glad to be back at work," said deckhand Ola Brandt.',
    ]


def test_markdown_images_and_link_targets_are_dropped() -> None:
    body = clean_article(MARKDOWN_STORY, filename="strike.md").body
    assert "ferry.png" not in body
    assert "union.example" not in body
    assert "A ferry at the dock" not in body


def test_markdown_front_matter_fills_metadata() -> None:
    text = "---\ntitle: Quay repairs\nauthor: Nell Osei\ndate: 2024-06-02\nsite: Valley Courier\n---\n\n" + WIRE_REPORT
    article = clean_article(text, filename="quay.md")
    assert (article.title, article.author, article.outlet) == ("Quay repairs", "Nell Osei", "Valley Courier")
    assert article.published == dt.date(2024, 6, 2)
    assert article.body.startswith("The mayor of Eastwick")


def test_markdown_between_two_rules_is_not_mistaken_for_front_matter() -> None:
    text = "---\n\nThe quay reopened on Monday, the council said.\n\n---\n\nRepairs cost less than planned."
    assert paragraphs(text, filename="quay.md") == [
        "The quay reopened on Monday, the council said.",
        "Repairs cost less than planned.",
    ]


def test_markdown_emphasis_removal_leaves_snake_case_alone() -> None:
    article = clean_article("Notes with _emphasis_ and a file_name_here and `code`.", filename="n.md")
    assert article.body == "Notes with emphasis and a file_name_here and code."


def test_markdown_setext_heading_is_the_title() -> None:
    article = clean_article("Ferry strike ends\n=================\n\nThe union said it was over.", filename="s.md")
    assert article.title == "Ferry strike ends"
    assert article.body == "The union said it was over."


# --- HTML ----------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html><html lang="en"><head>
<title>Footbridge reopens after repairs | Daily Harbour Gazette</title>
<meta property="og:site_name" content="Daily Harbour Gazette">
<meta name="author" content="Mara Quill">
<meta property="article:published_time" content="2024-03-14T09:00:00Z">
<link rel="canonical" href="https://gazette.example/news/footbridge">
<style>.lede { color: #c00 } /* STYLE CONTENT */</style>
<script>var tracking = "SCRIPT CONTENT";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Footbridge reopens after repairs</h1>
<p>The Eastwick footbridge reopened on Monday after six months of repairs, the council said.</p>
<p>"We are delighted to see people crossing again," said councillor Pim Adebayo, who chairs the works committee.</p>
<script>document.write("INLINE SCRIPT CONTENT")</script>
<p>Engineers replaced 40 timber planks and repainted the rails. According to the council, the work cost 1.2m.</p>
<p>Residents had complained about the long detour through the industrial estate.</p>
<p>Share on Facebook</p>
</article>
<footer>Copyright 2024 Daily Harbour Gazette. All rights reserved.</footer>
</body></html>"""


def test_html_article_body_and_metadata_are_extracted() -> None:
    article = clean_article(HTML_PAGE, filename="footbridge.html")
    assert article.title == "Footbridge reopens after repairs"
    assert article.author == "Mara Quill"
    assert article.outlet == "Daily Harbour Gazette"
    assert article.url == "https://gazette.example/news/footbridge"
    assert article.published == dt.date(2024, 3, 14)
    body = article.body.split("\n\n")
    assert body[0] == "The Eastwick footbridge reopened on Monday after six months of repairs, the council said."
    assert body[-1] == "Residents had complained about the long detour through the industrial estate."
    assert len(body) == 4


def test_html_outlet_falls_back_to_the_title_tag_suffix() -> None:
    page = HTML_PAGE.replace('<meta property="og:site_name" content="Daily Harbour Gazette">', "")
    page = page.replace("| Daily Harbour Gazette", "\u2014 Harbour Evening Post")
    assert clean_article(page, filename="footbridge.html").outlet == "Harbour Evening Post"


def test_html_section_comes_from_article_section_meta() -> None:
    page = HTML_PAGE.replace("<head>", '<head><meta property="article:section" content="Opinion">')
    assert clean_article(page, filename="footbridge.html").section == "Opinion"


def test_html_script_and_style_content_is_never_kept() -> None:
    body = clean_article(HTML_PAGE, filename="footbridge.html").body
    assert "SCRIPT CONTENT" not in body
    assert "STYLE CONTENT" not in body
    assert "color" not in body


def test_html_is_detected_from_content_without_an_extension() -> None:
    assert clean_article(HTML_PAGE).title == "Footbridge reopens after repairs"


def test_html_tag_soup_still_yields_text() -> None:
    soup = (
        "<div><p>The mayor said the summer fair would <b>return next year</p>"
        "<p>Organisers, who asked not to be named, said <i>tickets sold out within an hour."
        "<script>steal()</script></span></body>"
    )
    article = clean_article(soup, filename="fair.htm")
    assert "tickets sold out within an hour." in article.body
    assert "steal" not in article.body


def test_tiny_html_fragment_falls_back_to_plain_block_text() -> None:
    fragment = "<p>The quay is closed,\n   said Bob Ferris.</p><style>p{}</style><p>Ferries are diverted.</p>"
    article = clean_article(fragment, filename="t.html")
    assert article.body == "The quay is closed, said Bob Ferris.\n\nFerries are diverted."


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav>Home</nav><script>alert('hi')</script></body></html>",
        "<html></html>",
        "<<<>>>",
    ],
)
def test_html_without_article_text_is_rejected(html: str) -> None:
    with pytest.raises(InputRejected, match=NO_TEXT_IN_HTML):
        clean_article(html, filename="empty.html")


# --- format detection and speed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("plain words", "page.html", "html"),
        ("<!doctype html><p>x</p>", "", "html"),
        ("<div><p>One</p><p>Two</p></div>", "saved.txt", "html"),
        ("# Heading\n\nText", "", "markdown"),
        ("Some text", "notes.md", "markdown"),
        ("Prices rose 3% <b>sharply</b> said Ann", "", "text"),
        (WIRE_REPORT, "wire.txt", "text"),
    ],
)
def test_format_is_detected_from_extension_then_content(text: str, filename: str, expected: str) -> None:
    assert detect_format(text, filename=filename) == expected


def test_five_megabyte_page_cleans_quickly() -> None:
    page = OPINION_PAGE + "\n\n"
    text = page * (5 * 1024 * 1024 // len(page))
    started = time.perf_counter()
    article = clean_article(text)
    elapsed = time.perf_counter() - started
    assert article.body
    # The target is well under a second; the bound leaves room for a slow CI machine.
    assert elapsed < 3.0
