"""Reading the catalog file within its limits (README, "Limits"): its size, its encoding, its number of programs.

Validation is bounded in time and memory: a file beyond a limit is refused before it is parsed in full.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.catalog.problems import CatalogError, Problem

MAX_PROGRAMS = 10_000  # by default (MENTORDIR_MAX_PROGRAMS); the parser also refuses the entry one too many
NODES_PER_PROGRAM = 100  # YAML values a catalog may hold in all, per program it may list


def too_many(limit: int) -> str:
    return f"the catalog lists more than {limit:,} programs, the most one catalog may hold"


class TooBig(CatalogError):
    """The file is beyond the limits: refused at once, with no second pass to place other problems."""


def entry_starts(text: str) -> tuple[int, list[int]] | None:
    """The file's shape, found without parsing it (in milliseconds; the parser takes seconds): where its top-level
    `programs:` line starts, and where each entry of that list starts, taken as its items one a line at the first
    item's indentation. None when there is no `programs:` line (`programs:#x` is none: a comment needs a space
    before its `#`)."""
    start = PROGRAMS_LINE.search(text)
    if start is None:
        return None
    first = ITEM_LINE.search(text, start.end())
    if first is None:
        return start.start(), []
    marker = "\n" + first.group(1) + "- "
    starts = [first.start()]
    at = text.find(marker, first.end())
    while at != -1:
        starts.append(at + 1)
        at = text.find(marker, at + len(marker))
    return start.start(), starts


def count_entries(text: str) -> int:
    """How many entries the file's `programs` list seems to hold (`entry_starts`)."""
    shape = entry_starts(text)
    return len(shape[1]) if shape else 0


PROGRAMS_LINE = re.compile(r"^programs[ \t]*:(?:[ \t]+#[^\n]*)?[ \t]*\r?$", re.MULTILINE)
ITEM_LINE = re.compile(r"^([ \t]*)- ", re.MULTILINE)  # a list item, one a line (group 1: its indentation)


def refuse_oversized(text: str, display: str, max_programs: int = MAX_PROGRAMS) -> None:
    """Refuse a file listing too many programs before parsing it (the parser would take seconds to reach the
    entry too many)."""
    if count_entries(text) > max_programs:
        raise TooBig([Problem(display, 1, 1, "", too_many(max_programs))])


def read_utf8(path: Path, display: str, limit: int) -> bytes:
    """The file's bytes, once they are known to be UTF-8 within the size limit (the parser reads bytes: a text
    copy beside them would be one more copy of the whole file while it parses)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CatalogError([Problem(display, 1, 1, "", f"cannot read the file: {exc.strerror}")]) from None
    if size > limit:
        raise CatalogError(
            [Problem(display, 1, 1, "", f"file is {size / 2**20:.1f} MiB; the limit is {limit / 2**20:.1f} MiB")]
        )
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise CatalogError(
            [Problem(display, line, col, "", f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded")]
        ) from None
