"""Cells that a spreadsheet would run as a formula, made inert (OWASP's CSV injection rule)."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is a formula (or becomes one after a spreadsheet trims a tab or CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """The value with a leading single quote when its text starts like a formula; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values: list[Any]) -> list[Any]:
    """Every cell of one CSV row through neutralise_cell."""
    return [neutralise_cell(v) for v in values]
