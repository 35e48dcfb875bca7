"""`manage.py ingest_worker`: django-tasks' db_worker, plus requeueing of ingest jobs whose worker died."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.backends.signals import connection_created
from django_tasks.signals import task_started

from claims_app.ingest import jobs, priority

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run background ingestion: recover jobs left RUNNING by a dead worker (at start and every "
        "--recover-every seconds), then run django-tasks' db_worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--recover-every", type=float, default=30.0, help="Seconds between recovery sweeps.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(limit_cpu())
        recovered = jobs.recover_stalled_jobs()
        if recovered:
            self.stdout.write(f"Requeued {len(recovered)} ingest job(s) left running by a stopped worker.")
        if not options["batch"]:
            threading.Thread(target=_recover_forever, args=(options["recover_every"],), daemon=True).start()
        wait = priority.QuietWait(
            above=settings.CLAIMS_INGEST_YIELD_ABOVE,
            longest=settings.CLAIMS_INGEST_YIELD_LONGEST,
            window=settings.CLAIMS_INGEST_YIELD_WINDOW,
        )
        if settings.CLAIMS_INGEST_YIELD_ABOVE < 1:
            wait.start_sampling()  # so the window is full by the first task
            task_started.connect(wait, weak=False, dispatch_uid="claimdesk-ingest-quiet-wait")
            self.stdout.write(
                f"Before each task it waits while other processes keep over {settings.CLAIMS_INGEST_YIELD_ABOVE:.0%} "
                f"of the cores busy over {settings.CLAIMS_INGEST_YIELD_WINDOW:g} s (at most "
                f"{settings.CLAIMS_INGEST_YIELD_LONGEST:g} s)."
            )
        worker_args = ["--no-reload", "--no-startup-delay", f"--interval={options['interval']}"]
        if options["batch"]:
            worker_args.append("--batch")
        try:
            call_command("db_worker", *worker_args, verbosity=options["verbosity"])
        finally:
            if wait.waited:
                self.stdout.write(f"Waited {wait.waited:.0f} s in all for a quieter machine.")


def limit_cpu() -> str:
    """Keep ingest from taking the cores the web needs, before any model loads or thread starts: lower this
    process's priority (CLAIMS_INGEST_NICE, and the idle scheduling class with CLAIMS_INGEST_IDLE), the same for
    its PostgreSQL backend when the server is on this machine (CLAIMS_INGEST_DB_IDLE, ingest.priority), and give
    its models CLAIMS_INGEST_CORES cores (attribution.model.torch_threads: with 1, spaCy and the tagger take
    turns on one core; with 2 or more, the tagger runs beside spaCy on the rest). Returns what was applied."""
    os.environ["CLAIMS_TORCH_THREADS"] = str(settings.CLAIMS_INGEST_CORES)
    applied = priority.lower_own_priority(niceness=settings.CLAIMS_INGEST_NICE, idle=settings.CLAIMS_INGEST_IDLE)
    if settings.CLAIMS_INGEST_DB_IDLE:
        niceness = os.nice(0)
        connection.ensure_connection()  # lowered here; connections opened later (reconnects, threads) on opening
        applied += "; " + priority.lower_backend_priority(connection, niceness=niceness)
        receiver = priority.backend_priority_on_connect(niceness)
        connection_created.connect(receiver, weak=False, dispatch_uid="claimdesk-ingest-backend-priority")
    return f"Ingest worker: {applied}, models on at most {settings.CLAIMS_INGEST_CORES} core(s)."


def _recover_forever(every: float) -> None:
    stop = threading.Event()
    while not stop.wait(every):
        try:
            jobs.recover_stalled_jobs()
        except Exception:
            logger.exception("recovery sweep failed")  # the database may be restarting; try again next time
        finally:
            connection.close()
