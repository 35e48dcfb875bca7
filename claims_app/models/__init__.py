"""Claimdesk's data model, split by domain; every model is importable from `claims_app.models`."""

from claims_app.models.api import ApiToken
from claims_app.models.articles import Article
from claims_app.models.claims import (
    CLAIM_INDEX_ONLY,
    Claim,
    ClaimCorrection,
    ClaimEmbedding,
    ClaimStatusChange,
    Evidence,
    SearchWord,
    live_claim_count,
)
from claims_app.models.discussion import COMMENT_MAX_LENGTH, Comment
from claims_app.models.ingest import IngestJob
from claims_app.models.linking import ClaimLink, LinkSuggestionDecision, OriginPairingUndo, StatementOrigin
from claims_app.models.notifications import Notification
from claims_app.models.publishing import PublishedFactCheck, WorkflowSettings
from claims_app.models.saved_views import SavedView
from claims_app.models.speakers import Speaker, SpeakerAlias, SpeakerMerge, SpeakerMergeSuggestion
from claims_app.models.tags import ClaimTag, Tag, normalise_tag_name

__all__ = [
    "CLAIM_INDEX_ONLY",
    "COMMENT_MAX_LENGTH",
    "ApiToken",
    "Article",
    "Claim",
    "ClaimCorrection",
    "ClaimEmbedding",
    "ClaimLink",
    "ClaimStatusChange",
    "ClaimTag",
    "Comment",
    "Evidence",
    "IngestJob",
    "LinkSuggestionDecision",
    "Notification",
    "OriginPairingUndo",
    "PublishedFactCheck",
    "SavedView",
    "SearchWord",
    "Speaker",
    "SpeakerAlias",
    "SpeakerMerge",
    "SpeakerMergeSuggestion",
    "StatementOrigin",
    "Tag",
    "WorkflowSettings",
    "live_claim_count",
    "normalise_tag_name",
]
