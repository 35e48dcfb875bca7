#!/usr/bin/env python
"""Django's command-line utility; turns database start-up failures into one line."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    from config.database import DatabaseUnavailable

    try:
        execute_from_command_line(sys.argv)
    except DatabaseUnavailable as exc:
        sys.exit(f"error: {exc}")
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        sys.exit(f"error: cannot reach the database: {first_line}")


if __name__ == "__main__":
    main()
