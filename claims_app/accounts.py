"""Users: creating a login with a role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from claims_app import roles

if TYPE_CHECKING:
    pass


def create_user(*, username: str, password: str, role: roles.Role, email: str = "") -> User:
    """Create a login in one of the three roles (admin also gets Django admin access)."""
    User = get_user_model()
    with transaction.atomic():
        user = User(username=username, email=email, is_staff=role == roles.Role.ADMIN)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        validate_password(password, user)
        user.save()
        user.groups.add(Group.objects.get(name=roles.GROUP_NAMES[role]))
    return user
