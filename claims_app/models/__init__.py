"""Claimdesk's data model, split by domain; every model is importable from `claims_app.models`."""

from claims_app.models.api import ApiToken
from claims_app.models.articles import Article
from claims_app.models.claims import (
    CLAIM_INDEX_ONLY,
    Claim,
    ClaimCorrection,
    ClaimStatusChange,
    Evidence,
    SearchWord,
    live_claim_count,
)
from claims_app.models.discussion import COMMENT_MAX_LENGTH, Comment
from claims_app.models.ingest import IngestJob
from claims_app.models.linking import ClaimLink, LinkSuggestionDecision, OriginPairingUndo, StatementOrigin
from claims_app.models.notifications import Notification
from claims_app.models.publishing import WorkflowSettings
from claims_app.models.speakers import Speaker, SpeakerAlias, SpeakerMerge, SpeakerMergeSuggestion

__all__ = [
    "CLAIM_INDEX_ONLY",
    "COMMENT_MAX_LENGTH",
    "ApiToken",
    "Article",
    "Claim",
    "ClaimCorrection",
    "ClaimLink",
    "ClaimStatusChange",
    "Comment",
    "Evidence",
    "IngestJob",
    "LinkSuggestionDecision",
    "Notification",
    "OriginPairingUndo",
    "SearchWord",
    "Speaker",
    "SpeakerAlias",
    "SpeakerMerge",
    "SpeakerMergeSuggestion",
    "StatementOrigin",
    "WorkflowSettings",
    "live_claim_count",
]
