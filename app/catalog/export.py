"""Flat exports of program records: CSV (list fields joined with ';') and JSON lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from app.catalog.models import Program

LIST_SEPARATOR = ";"
COLUMNS: tuple[str, ...] = (*Program.model_fields, "created_at", "updated_at")


def csv_cell(value: Any) -> str:
    """One CSV cell: lists of strings joined with ';', nested records as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return LIST_SEPARATOR.join(value)
        return orjson.dumps(value).decode()
    return str(value)


def csv_lines(records: Iterable[dict[str, Any]], columns: Iterable[str] = COLUMNS) -> Iterator[str]:
    """The CSV text, a line at a time (header first), for streaming."""
    cols = [c for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(cols)
    yield flush()
    for record in records:
        writer.writerow([csv_cell(record.get(c)) for c in cols])
        yield flush()


def ndjson_lines(records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for record in records:
        yield orjson.dumps(record) + b"\n"
