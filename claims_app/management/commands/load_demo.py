"""Load the team's fictional demo articles and demo logins; safe to run again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims_app import accounts
from claims_app.ingest import services as ingest_services
from claims_app.linking import embeddings
from claims_app.models import Claim
from claims_app.nlp import records
from claims_app.review import services as review_services
from claims_app.roles import Role

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_articles"
DEMO_PASSWORD = "claimdesk-demo"
DEMO_USERS = [("editor", Role.EDITOR), ("viewer", Role.VIEWER), ("admin", Role.ADMIN)]


class Command(BaseCommand):
    help = "Create demo users (editor / viewer / admin, password claimdesk-demo) and ingest the demo articles."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CLAIMS_DEMO_DATA_ALLOWED:  # the demo logins share a published password
            raise CommandError("load_demo refuses to run under production settings (it creates public demo logins).")
        User = get_user_model()
        for username, role in DEMO_USERS:
            if not User.objects.filter(username=username).exists():
                accounts.create_user(username=username, password=DEMO_PASSWORD, role=role)
        editor = User.objects.get(username="editor")
        created = 0
        for path in sorted(DEMO_DIR.glob("*.txt")):
            try:
                article = ingest_services.ingest_article(raw=path.read_bytes(), filename=path.name, uploaded_by=editor)
            except records.InputRejected as exc:
                self.stderr.write(f"{path.name}: {exc}")
                continue
            created += not article.is_duplicate
        first = Claim.objects.order_by("pk").first()
        if created and first is not None and first.status == Claim.Status.UNREVIEWED:
            review_services.change_claim_status(
                claim=first, user=editor, status=Claim.Status.UNVERIFIED, note="Demo: no independent source yet."
            )
        # The demo works without a running task worker: embed whatever the ingests queued, here and now.
        embedded = embeddings.backfill()
        self.stdout.write(
            f"Demo data ready: {created} new article(s), logins {', '.join(u for u, _ in DEMO_USERS)}; "
            f"{embedded} claim embedding(s) computed."
        )
