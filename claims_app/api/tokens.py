"""API tokens: keys are shown once and stored hashed."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from claims_app.models import (
    ApiToken,
)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for a user; returns the row and the key, which is shown once and never stored."""
    if not user.has_perm("claims_app.view_claim"):
        raise PermissionDenied("This user cannot read claims, so an API token would be useless.")
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip()[:100], key_sha256=hash_api_key(key), prefix=key[:8])
    token.full_clean()
    try:
        with transaction.atomic():
            token.save()
    except IntegrityError:  # a 256-bit collision; astronomically unlikely
        raise ValidationError("Could not create a token; try again.") from None
    return token, key
