"""CSV for organizers that is safe to open in a spreadsheet. Every CSV export uses this writer.

A cell a participant controls (a name, a company) that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is read by Excel/LibreOffice as a formula (``=HYPERLINK(...)`` leaks
data or lures a click). OWASP's rule: prefix such a cell with a single quote so it stays text.

An export reads its rows on the event loop as plain values (no ORM instances) and turns them into
text in a worker thread (``await asyncio.to_thread(...)``, ending in ``text(rows)``): an export of a
big event is thousands of rows, and the loop keeps serving taps meanwhile.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula, neutralised; numbers and other values as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeCSVWriter:
    """``csv.writer`` whose every row goes through ``safe_cell``."""

    def __init__(self, stream, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **fmtparams) -> SafeCSVWriter:
    return SafeCSVWriter(stream, **fmtparams)


def text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as formula-safe CSV text."""
    buffer = io.StringIO()
    writer(buffer).writerows(rows)
    return buffer.getvalue()
