"""Page costs at 10k and 200k claims, each against a baseline measured in the same run on the same database.

- claim list (filter + search + sort) vs the Django admin changelist for the same filter and words, and vs
  the raw SQL for the same rows: every SELECT the page runs, replayed through a bare cursor;
- claim detail page vs its SQL replayed the same way;
- status change POST vs the hand-written UPDATE + history INSERT;
- home page, article list and speaker list vs their SQL replayed the same way.

It uses its own embedded PostgreSQL in `.data/bench` (CLAIMS_DATA_DIR), grows the synthetic corpus with
`generate_corpus` to each size, and times full requests through Django's test client (middleware, session,
templates; no network), median of BENCH_ROUNDS. Run: `make bench-pages`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CLAIMS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("CLAIMS_LOG_LEVEL", "WARNING")
os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory and renders slower

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claimdesk_dev.corpus import OUTLETS  # noqa: E402
from claims_app.models import Claim  # noqa: E402
from claims_app.review import selectors as review_selectors  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,200000").split(",")]
OUTLET = OUTLETS[0]
SEARCH = os.environ.get("BENCH_SEARCH", "council")


def page_sql(client: Client, url: str, params: dict[str, str] | None = None) -> list[str]:
    """Every SELECT (and WITH … SELECT) the page runs (sessions and auth included), as sent to PostgreSQL."""
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url, params)
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


def median_ms(run: Callable[[], object], rounds: int = ROUNDS) -> float:
    run()  # warm caches
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def ensure_size(claims: int) -> None:
    have = Claim.objects.count()
    if have < claims:
        print(f"  generating {claims - have:,} claims ...", flush=True)
        call_command("generate_corpus", claims=claims - have, seed=claims)
    furnish_workflow()


def furnish_workflow() -> None:
    """A desk's workflow columns filled in as a team would: one claim in five assigned to one of five editors,
    one in six tagged with one or two of 20 tags (generate_corpus leaves both empty, so the list's assignee and
    tag columns would otherwise cost nothing). Idempotent: only claims not furnished yet are touched."""
    from claims_app.accounts import create_user
    from claims_app.roles import Role

    User = get_user_model()
    editors = [
        User.objects.filter(username=f"bench-desk-{n}").first()
        or create_user(username=f"bench-desk-{n}", password="bench-password-123", role=Role.EDITOR)
        for n in range(5)
    ]
    ids = ", ".join(str(user.pk) for user in editors)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE claims_app_claim SET assignee_id = (ARRAY[{ids}])[1 + id %% 5]"
            " WHERE assignee_id IS NULL AND id %% 5 = 0",
            [],
        )
        cursor.execute(
            "INSERT INTO claims_app_tag (name, created_at) SELECT 'bench tag ' || n, now()"
            " FROM generate_series(1, 20) AS n ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO claims_app_claimtag (claim_id, tag_id, added_at)"
            " SELECT c.id, t.id, now() FROM claims_app_claim c"
            " JOIN claims_app_tag t ON t.name IN ('bench tag ' || (1 + c.id %% 20), 'bench tag ' || (1 + c.id %% 7))"
            " WHERE c.id %% 6 = 0 ON CONFLICT DO NOTHING",
            [],
        )
    # What autovacuum does soon after: the UPDATE cleared the visibility map of most claim pages, and until VACUUM
    # sets it again the count pages' index-only scans visit the heap (home and speaker list ~300 ms instead of
    # ~50 ms at 200k), which would time the minutes after a bulk edit rather than the desk's steady state.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) claims_app_claim")
        cursor.execute("VACUUM (ANALYZE) claims_app_claimtag")


def users() -> tuple[Client, Client]:
    from claims_app.accounts import create_user
    from claims_app.roles import Role

    User = get_user_model()
    editor = User.objects.filter(username="bench-editor").first() or create_user(
        username="bench-editor", password="bench-password-123", role=Role.EDITOR
    )
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password="bench-password-123"
    )
    clients = Client(), Client()
    clients[0].force_login(editor)
    clients[1].force_login(admin)
    return clients


def fetch(client: Client, url: str, params: dict[str, str] | None = None) -> None:
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)


def raw(statements: list[str]) -> Callable[[], None]:
    """The same SQL through a bare cursor: no ORM, no templates, no middleware."""

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def measure(size: int) -> dict[str, tuple[float, float]]:
    editor, admin = users()
    filters = {"status": "unreviewed", "outlet": OUTLET, "q": SEARCH, "sort": "newest"}
    page = review_selectors.claim_page(review_selectors.ClaimFilters(**filters), 1, settings.CLAIMS_PAGE_SIZE)
    list_sql = page_sql(editor, "/claims/", filters)
    print(f"  list: {page.count:,} matches, page of {len(page.object_list)}, {len(list_sql)} SELECTs per page")

    results: dict[str, tuple[float, float]] = {}
    list_page = median_ms(lambda: fetch(editor, "/claims/", filters))
    raw_list = median_ms(raw(list_sql))
    admin_page = median_ms(
        lambda: fetch(
            admin,
            "/admin/claims_app/claim/",
            {"status__exact": "unreviewed", "article__outlet": OUTLET, "q": SEARCH},
        ),
        rounds=max(3, ROUNDS // 3),
    )
    results["claim list page vs raw SQL"] = (list_page, raw_list)
    results["claim list page vs admin changelist"] = (list_page, admin_page)
    # A full page of 50 rows with no filter: every row's assignee and tag columns (furnish_workflow) render.
    full_sql = page_sql(editor, "/claims/", {"sort": "newest"})
    results["claim list, 50 rows, vs raw SQL"] = (
        median_ms(lambda: fetch(editor, "/claims/", {"sort": "newest"})),
        median_ms(raw(full_sql)),
    )

    claim = Claim.objects.filter(links_out__isnull=False, status="verified").order_by("-pk").first()
    assert claim is not None
    detail = median_ms(lambda: fetch(editor, f"/claims/{claim.pk}/"))
    raw_detail = median_ms(raw(page_sql(editor, f"/claims/{claim.pk}/")))
    results["claim detail page vs raw SQL"] = (detail, raw_detail)

    # The other pages an editor opens every day, each against its own SQL replayed the same way.
    for label, url in (("home page", "/"), ("article list", "/articles/"), ("speaker list", "/speakers/")):
        results[f"{label} vs raw SQL"] = (
            median_ms(lambda url=url: fetch(editor, url)),
            median_ms(raw(page_sql(editor, url))),
        )

    targets = list(Claim.objects.order_by("-pk").values_list("pk", flat=True)[:500])
    # The version each claim was read at, sent as the form does (a POST without it is refused); ROUNDS + 1 posts
    # touch each target at most once, so the version read here is current when it is posted.
    versions = dict(Claim.objects.filter(pk__in=targets).values_list("pk", "version"))
    statuses = ["verified", "false", "disputed", "unverified"]
    counter = iter(range(10**9))

    def post_status() -> None:
        n = next(counter)
        pk = targets[n % len(targets)]
        response = editor.post(
            f"/claims/{pk}/status/", {"status": statuses[n % 4], "version": versions[pk]}, follow=False
        )
        assert response.status_code == 302, response.status_code

    status_post = median_ms(post_status)
    posted = Claim.objects.filter(pk__in=targets[: ROUNDS + 1]).values_list("pk", "version")
    # A claim already at the posted status keeps its version; most of them change.
    assert sum(version > versions[pk] for pk, version in posted) > ROUNDS // 2, "status POSTs were refused"

    def raw_status() -> None:
        n = next(counter)
        pk = targets[(n + 250) % len(targets)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT status FROM claims_app_claim WHERE id = %s FOR UPDATE", [pk])
            old = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE claims_app_claim SET status = %s, version = version + 1, reviewed_at = now() WHERE id = %s",
                [statuses[n % 4], pk],
            )
            cursor.execute(
                "INSERT INTO claims_app_claimstatuschange (claim_id, changed_at, old_status, new_status, note)"
                " VALUES (%s, now(), %s, %s, '')",
                [pk, old, statuses[n % 4]],
            )

    results["status change POST vs raw SQL"] = (status_post, median_ms(raw_status))
    return results


def main() -> None:
    # No setup_test_environment(): it instruments every template render (a signal and a context copy per
    # template, include and partial) for test assertions, which inflated the page times it measures here.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    print(
        f"Claimdesk page benchmark; {os.cpu_count()} CPUs; database {connection.settings_dict['HOST']}; "
        f"median of {ROUNDS}; filter status=unreviewed outlet={OUTLET!r} q={SEARCH!r} sort=newest"
    )
    by_size: dict[int, dict[str, tuple[float, float]]] = {}
    for size in SIZES:
        have = Claim.objects.count()
        if have > size * 1.1:
            # Claims are only ever added: a database that already holds many more measures the larger size again.
            print(
                f"\n{size:,} claims: skipped, the database already holds {have:,} "
                f"(an empty CLAIMS_DATA_DIR, or BENCH_SIZES, measures it)"
            )
            continue
        ensure_size(size)
        print(f"\n{Claim.objects.count():,} claims")
        by_size[size] = measure(size)
        for label, (value, baseline) in by_size[size].items():
            print(f"  {label:38s} {value:8.1f} ms  baseline {baseline:8.1f} ms  ratio {value / baseline:6.2f}x")
    if len(by_size) > 1:
        small, large = min(by_size), max(by_size)
        print(f"\ngrowth {small:,} -> {large:,} claims ({large / small:.0f}x the data)")
        for label in by_size[small]:
            before, after = by_size[small][label][0], by_size[large][label][0]
            base_before, base_after = by_size[small][label][1], by_size[large][label][1]
            print(
                f"  {label:38s} {before:7.1f} -> {after:7.1f} ms ({after / before:5.2f}x); "
                f"baseline {base_before:7.1f} -> {base_after:7.1f} ms ({base_after / base_before:5.2f}x)"
            )


if __name__ == "__main__":
    main()
