"""Constraints several models share."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least


def unordered_pair_constraints(first: str, second: str, *, prefix: str) -> list[models.BaseConstraint]:
    """No row pairing a thing with itself, and one row per unordered pair (A-B and B-A are the same pair)."""
    return [
        models.CheckConstraint(condition=~Q(**{first: F(second)}), name=f"{prefix}_not_self"),
        models.UniqueConstraint(Least(first, second), Greatest(first, second), name=f"{prefix}_pair_unique"),
    ]
