"""Create a Claimdesk login with a role: `manage.py createuser alice --role editor`."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims_app import accounts
from claims_app.roles import Role


class Command(BaseCommand):
    help = "Create a user in the viewer, editor or admin role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("Passwords did not match.")
        try:
            accounts.create_user(
                username=username, password=password, role=Role(options["role"]), email=options["email"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Created {options['role']} {username!r}.")
