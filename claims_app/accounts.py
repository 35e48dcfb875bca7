"""Users: creating a login with a role, and the login form."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.validators import MaxLengthValidator
from django.db import transaction

from claims_app import roles


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


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before anything is looked up.

    AuthenticationForm sets only the widget's maxlength, so a longer name reached authenticate() and django-axes'
    record of the failure (a varchar(255)): a 500 instead of "wrong username or password".
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.CharField, self.fields["username"])
        field.validators.append(MaxLengthValidator(field.max_length or 150))
