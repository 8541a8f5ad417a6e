"""Flat exports of program records: CSV (list fields joined with ';') and JSON lines."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from app.catalog.models import Program

LIST_SEPARATOR = ";"
COLUMNS: tuple[str, ...] = (*Program.model_fields, "created_at", "updated_at")


# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection"): OWASP's advice is to
# prefix such a cell with a single quote, which spreadsheets show as text and do not display.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell: lists of strings joined with ';', nested records as JSON, null as empty; never a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        text = LIST_SEPARATOR.join(value) if all(isinstance(v, str) for v in value) else orjson.dumps(value).decode()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    """A file whose `write` gives the text back, so that csv.writer's `writerow` returns the row's line."""

    def write(self, text: str) -> str:
        return text


def csv_lines(records: Iterable[dict[str, Any]], columns: Iterable[str] = COLUMNS) -> Iterator[str]:
    """The CSV text, a line at a time (header first), for streaming."""
    cols = list(columns)
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(cols)
    for record in records:
        yield writer.writerow([csv_cell(record.get(c)) for c in cols])


def ndjson_lines(records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for record in records:
        yield orjson.dumps(record) + b"\n"
