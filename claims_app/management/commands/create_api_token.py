"""`manage.py create_api_token USERNAME [--name NAME]`: a read-only API key, printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims_app.api import tokens


class Command(BaseCommand):
    help = "Create an API token for a user; use it as `Authorization: Bearer <key>` on /api/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user called {options['username']!r}.")
        try:
            token, key = tokens.create_api_token(user=user, name=options["name"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
        self.stderr.write(f"Token {token.prefix}… for {user.get_username()}; the key is shown only this once.")
