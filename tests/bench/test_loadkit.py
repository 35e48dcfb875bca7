"""The pieces `make load` RUNS/FRESH/INGEST and `make load-desk` share (bench/loadkit.py), without a server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.loadkit import TimingLogRuns, article_copies, parse_wrk, run_details, source_articles
from claims_app.ingest.services import content_hash, prepare_article
from tests.bench.timing_entries import timing_entry

WRK_OUTPUT = """Running 1m test @ http://127.0.0.1:8799
  2 threads and 8 connections
  2518 requests in 60.09s, 93.01MB read
  Non-2xx or 3xx responses: 3
Requests/sec:     41.90
RESULT requests=2518 duration_s=60.1 rps=41.9
RESULT p50_ms=167.0 p95_ms=1328.4 p99_ms=3808.2 max_ms=4500.0
RESULT errors_connect=0 errors_read=1 errors_write=0 errors_status=3 errors_timeout=2
"""


def test_wrk_output_gives_the_run_figures_and_counts_every_kind_of_error():
    result = parse_wrk(WRK_OUTPUT)
    assert (result.requests, result.seconds, result.rps) == (2518, 60.1, 41.9)
    assert (result.p50, result.p95, result.p99, result.max) == (167.0, 1328.4, 3808.2, 4500.0)
    assert result.errors == 1 + 3 + 2 + 3  # socket errors, status errors, timeouts, and wrk's non-2xx/3xx count


def test_wrk_output_without_results_counts_as_an_error():
    assert parse_wrk("unable to connect to 127.0.0.1:8799 Connection refused\n").errors == 1


def _line(route: str, total: float, method: str = "GET") -> str:
    return json.dumps(timing_entry(route, total, method)) + "\n"


def test_timing_log_is_split_into_runs_by_what_was_written_between_marks(tmp_path: Path):
    log = tmp_path / "timing.jsonl"
    runs = TimingLogRuns(log)
    runs.mark()  # no file yet: gunicorn has not written a line
    log.write_text(_line("claim_list", 10.0) * 99 + _line("claim_list", 900.0))
    runs.mark()
    with log.open("a") as handle:
        handle.write(_line("claim_detail", 20.0) + _line("claim_status", 5.0, method="POST"))
    runs.mark()
    first, second = runs.entries(0), runs.entries(1)
    assert len(first) == 100 and {e["route"] for e in first} == {"claim_list"}
    assert [e["route"] for e in second] == ["claim_detail", "claim_status"]


def test_run_details_lists_routes_by_p99_then_the_three_slowest_requests():
    entries = [json.loads(_line("claim_list", 10.0))] * 98 + [json.loads(_line("claim_list", 900.0))] * 2
    entries += [json.loads(_line("claim_detail", 300.0))] * 10
    entries.append(json.loads(_line("claim_status", 1200.0, method="POST")))
    lines = run_details(entries)
    routes = [line.split()[1] for line in lines[1:4]]
    assert routes == ["claim_status", "claim_list", "claim_detail"]  # p99 1200, 900, 300
    assert lines[2].split()[6] == "900.0"  # claim_list's p99 (nearest rank: the 99th of 100)
    slowest = lines[5:]
    assert [float(line.split()[0]) for line in slowest] == [1200.0, 900.0, 900.0]


def test_article_copies_are_never_refused_as_duplicates_of_each_other():
    sources = source_articles()
    assert len(sources) >= 20  # eval/extraction and eval/heldout
    copies = article_copies(3 * len(sources), sources, tag="t1")
    bodies = {content_hash(prepare_article(raw=copy.raw, filename=copy.filename).body) for copy in copies}
    assert len(bodies) == len(copies)  # the ingest compares body hashes, not titles
    assert len({copy.title for copy in copies}) == len({copy.url for copy in copies}) == len(copies)
    again = article_copies(len(sources), sources, tag="t2")
    assert not bodies & {content_hash(prepare_article(raw=c.raw, filename=c.filename).body) for c in again}


def test_a_copy_keeps_its_article_text_and_adds_one_sentence():
    source = source_articles(smallest=1)[0]
    (copy,) = article_copies(1, [source], tag="t", start=5)
    original = source.read_text(encoding="utf-8")
    text = copy.raw.decode("utf-8")
    assert text.count("This is load-test copy t-5.") == 1
    assert text.replace(" This is load-test copy t-5.", "").rstrip() == original.rstrip()
    assert copy.title.endswith("(copy t-5)") and copy.url.endswith(f"/t/5/{source.stem}")


def test_no_sources_is_an_error():
    with pytest.raises(ValueError):
        article_copies(1, [], tag="t")


def test_ingest_line_gives_rate_per_minute_and_whether_the_queue_ran_dry():
    from bench.loadkit import IngestWindow, format_ingest

    busy = IngestWindow(seconds=60.0, done=30, duplicate=0, failed=1, pending=54, last_finished_s=59.0)
    assert (
        format_ingest(busy) == "ingest: 30 filed in 60.0 s (0.50/s, 30.0/min), 0 duplicate, 1 failed; 54 still queued"
    )
    dry = IngestWindow(seconds=60.0, done=84, duplicate=0, failed=0, pending=0, last_finished_s=47.14)
    assert format_ingest(dry).endswith("(1.40/s, 84.0/min); queue empty after 47.1 s")
    idle = IngestWindow(seconds=60.0, done=0, duplicate=0, failed=0, pending=0, last_finished_s=None)
    assert format_ingest(idle).endswith("; queue already empty")


@pytest.mark.django_db
def test_stale_embedding_tasks_are_cleared_before_an_ingest_level_and_other_work_is_left() -> None:
    from django_tasks_db.models import DBTaskResult

    from bench.loadkit import clear_stale_tasks
    from claims_app.ingest.tasks import ingest_job_task
    from claims_app.linking.tasks import embed_article_task, embed_claims_task

    embed_article_task.enqueue(1)
    embed_claims_task.enqueue([1, 2])
    ingest_job_task.enqueue(1)
    assert clear_stale_tasks() == 2
    (left,) = DBTaskResult.objects.ready()
    assert left.task_path.endswith("ingest_job_task")
    assert clear_stale_tasks() == 0
