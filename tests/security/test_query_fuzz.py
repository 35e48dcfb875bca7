"""Every GET parameter of every page and API endpoint with arbitrary unicode: never a 500 (issue #13, defect 3).

Values come from the categories that broke things (Nd and No digits, which int() and str.isdigit() judge
differently, Cc controls such as NUL, Cs lone surrogates, Zs spaces), from any unicode, and from a few known
troublemakers. Each example sets a random subset of the endpoint's parameters at once.
The query string is percent-encoded by hand (surrogates as UTF-8 bytes) so nothing is lost before Django.
HYPOTHESIS_PROFILE=thorough runs 500 examples per endpoint instead of 25.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims_app.models import ClaimLink
from claims_app.review.claim_page import PANEL_TARGETS
from claims_app.review.filters import URL_PARAMETERS
from tests.factories import ClaimFactory, ClaimLinkFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

CLAIM_FILTERS = [*URL_PARAMETERS, "page"]

# (method, path with {claim}/{article}/{speaker}/{link}, parameters) from claims_app/urls.py, the forms and
# the API's query schemas. The POST one is the link form's `claim`, which is read like a query value.
ENDPOINTS = [
    ("get", "/", ["page"]),
    ("get", "/claims/", CLAIM_FILTERS),
    ("get", "/claims/{claim}/", ["link_q", "page"]),
    ("get", "/articles/", ["page"]),
    ("get", "/articles/{article}/", ["page"]),
    ("get", "/articles/new/", ["batch"]),
    ("get", "/articles/new/progress/", ["batch"]),
    ("get", "/speakers/", ["q", "page"]),
    ("get", "/speakers/{speaker}/", ["page"]),
    ("get", "/speakers/{speaker}/merge/", ["other", "suggestion"]),
    ("post", "/links/{link}/", ["claim", "relation"]),
    ("get", "/claims/export.csv", CLAIM_FILTERS),
    ("get", "/claims/export.json", CLAIM_FILTERS),
    ("get", "/claims/export.jsonld", CLAIM_FILTERS),
    ("get", "/api/claims/", [*CLAIM_FILTERS, "page_size"]),
    ("get", "/api/claims/{claim}/", []),
    ("get", "/api/claims/{claim}/suggestions/", ["top"]),
    ("get", "/api/articles/", ["page", "page_size"]),
    ("get", "/api/speakers/", ["q", "page", "page_size"]),
]

TROUBLE = ["²", "٣", "\x00", "", " ", "0", "-1", "1e3", "99999999999999999999999", "#1", "%", "\ud800", "2025-02-30"]
odd = st.one_of(
    st.text(st.characters(categories=["Nd", "No", "Cc", "Cs", "Zs"]), min_size=1, max_size=12),
    st.text(max_size=20),
    st.lists(st.sampled_from(TROUBLE), min_size=1, max_size=3).map("".join),
)
HTMX_TARGETS = ["", "results", "speaker-results", "article-body", "notification-list", *PANEL_TARGETS]


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def desk(admin_user):  # type: ignore[no-untyped-def]
    """One of everything the paths name, and an admin (who may use every page) logged in."""
    speaker = SpeakerFactory(name="Ilse Varga", aliases=["Ilse Varga", "Mayor Varga"])
    claims = [ClaimFactory(speaker=speaker), ClaimFactory(), ClaimFactory(speaker=speaker)]
    link = ClaimLinkFactory(
        from_claim=claims[0], to_claim=claims[1], relation=ClaimLink.Relation.CORROBORATES, created_by=admin_user
    )
    SpeakerFactory(name="Tove Marsh")
    ids = {"claim": claims[0].pk, "article": claims[0].article_id, "speaker": speaker.pk, "link": link.pk}
    return ids


@pytest.mark.parametrize(("method", "path", "names"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
@given(data=st.data())
def test_no_query_value_makes_a_server_error(client, admin_user, desk, method, path, names, data):  # type: ignore[no-untyped-def]
    client.force_login(admin_user)
    url = path.format(**desk)
    values = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, odd)))
    query = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in values.items())
    target = data.draw(st.sampled_from(HTMX_TARGETS))
    headers = {"HX-Request": "true", "HX-Target": target} if target else {}
    if method == "get":
        response = client.get(f"{url}?{query}" if query else url, headers=headers)
    else:
        body = query or "relation=corroborates"
        response = client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)
    assert response.status_code < 500, (url, values, response.content[:500])
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), (url, values)
