"""Cells that a spreadsheet would run as a formula, made inert (OWASP's CSV injection rule)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

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


class _RowWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class FormulaSafeWriter:
    """Wraps a csv.writer so every row it writes goes through neutralise_row."""

    def __init__(self, writer: _RowWriter) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(neutralise_row(list(row)))
