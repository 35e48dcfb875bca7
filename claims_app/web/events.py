"""htmx events: what changed, so the panels that show it can refresh (sent in HX-Trigger)."""

from __future__ import annotations

# htmx events: what changed, so the panels that show it can refresh.
CLAIM_REVIEWED = "claimReviewed"


CLAIM_CORRECTED = "claimCorrected"


CLAIMS_CHANGED = "claimsChanged"


LINKS_CHANGED = "linksChanged"


EVIDENCE_ADDED = "evidenceAdded"


ARTICLE_CHANGED = "articleChanged"


ORIGIN_CHANGED = "originChanged"


CLAIM_ASSIGNED = "claimAssigned"


CLAIM_TAGGED = "claimTagged"


SAVED_VIEWS_CHANGED = "savedViewsChanged"


CLAIM_PUBLISHED = "claimPublished"


COMMENT_ADDED = "commentAdded"


NOTIFICATIONS_CHANGED = "notificationsChanged"
