"""Free tags editors put on claims, and who put each one there."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from claims_app.models.claims import Claim

TAG_MAX_LENGTH = 50
_SPACES = re.compile(r"\s+")


def normalise_tag_name(raw: object) -> str:
    """A tag's display name: NFKC (so full-width "ｃｌｉｍａｔｅ" is "climate"), runs of whitespace collapsed to
    one space, trimmed. Refused with a coded ValidationError: empty, control characters (NUL among them),
    invisible format characters (zero-width spaces, direction overrides: a tag that looks like another one,
    or reorders the text around it), and more than TAG_MAX_LENGTH characters."""
    text = unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "")
    # Tabs and newlines are whitespace (collapsed); every other control character is refused.
    if any(unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace() for ch in text):
        raise ValidationError("A tag cannot contain control characters.", code="control_characters")
    if any(unicodedata.category(ch) == "Cf" for ch in text):
        raise ValidationError(
            "A tag cannot contain invisible characters (zero-width or text-direction marks).", code="invisible"
        )
    name = _SPACES.sub(" ", text).strip()
    if not name:
        raise ValidationError("Give the tag a name.", code="empty")
    if len(name) > TAG_MAX_LENGTH:
        raise ValidationError(
            f"A tag is at most {TAG_MAX_LENGTH} characters (this one has {len(name)}).", code="too_long"
        )
    return name


def _validate_tag_name(value: str) -> None:
    if normalise_tag_name(value) != value:
        raise ValidationError("Tag names are stored with their whitespace collapsed.", code="not_normalised")


class Tag(models.Model):
    """A label such as "election 2026"; one per name whatever its case ("Climate" and "climate" are one tag)."""

    name = models.CharField(max_length=TAG_MAX_LENGTH, validators=[_validate_tag_name])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class ClaimTag(models.Model):
    """One tag on one claim: who added it and when."""

    # db_index off: the unique (claim, tag) index serves lookups by claim, claimtag_tag_claim those by tag.
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="claim_tags", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="claim_tags", db_index=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim", "tag"], name="claimtag_unique_pair")]
        # The list's ?tag= filter: EXISTS (... WHERE tag_id = ? AND claim_id = claim.id).
        indexes = [models.Index(fields=["tag", "claim"], name="claimtag_tag_claim")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.claim_id}"
