"""API tokens: keys are shown once and stored hashed."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims_app.models import (
    ApiToken,
)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# last_used_at is written at most this often, so a busy script does not write on every request.
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=5)


def token_for_key(key: str) -> ApiToken | None:
    """The token whose key this is (looked up by its SHA-256), with its user; None for a wrong key."""
    return ApiToken.objects.select_related("user").filter(key_sha256=hash_api_key(key.strip())).first()


def touch_token(token: ApiToken) -> None:
    """Record that the token was used (last_used_at), unless that was recorded in the last few minutes."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


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
