"""The Atom feed of published fact-checks (/fact-checks/feed/), newest first."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from claims_app.models import PublishedFactCheck, WorkflowSettings
from claims_app.publishing import selectors

FEED_ITEMS = 50


class FactCheckFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> WorkflowSettings:
        return WorkflowSettings.load()

    def title(self, obj: WorkflowSettings) -> str:
        return f"{obj.organisation_name} fact-checks"

    def subtitle(self, obj: WorkflowSettings) -> str:
        return f"Claims checked and published by {obj.organisation_name}, newest first."

    def link(self) -> str:
        return reverse("claims_app:fact_check_list")

    def author_name(self, obj: WorkflowSettings) -> str:
        return obj.organisation_name

    def items(self) -> list[PublishedFactCheck]:
        return list(selectors.live_fact_checks()[:FEED_ITEMS])

    def item_title(self, item: PublishedFactCheck) -> str:
        return f"{item.rating_label}: {item.claim_text[:150]}"

    def item_description(self, item: PublishedFactCheck) -> str:
        # Atom's summary is type="html": the text is claim and upload text, so it goes in escaped.
        speaker = item.speaker_name or "An unknown speaker"
        return escape(f"{speaker}, in “{item.claim.article.title}”. {item.note}")

    def item_link(self, item: PublishedFactCheck) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: PublishedFactCheck) -> datetime.datetime:
        return item.published_at

    def item_updateddate(self, item: PublishedFactCheck) -> datetime.datetime:
        return item.updated_at
