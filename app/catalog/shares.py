"""Reading a large catalog file in shares, each by its own process.

Parsing and validating 100,000 programs takes one core 12 s. The entries of the `programs` list are cut into
consecutive runs of lines, one per process (`app.search.build` runs them), each parsed and validated alone; the
parent reads the header and puts the shares' results together. It is a short cut for valid files only: whatever
the shares cannot settle alone — a problem in any entry, a duplicate across shares, a key after the list, a value
budget or a program limit passed in all — sends the caller back to reading the whole file, which finds and places
every problem as usual. A cut can only fall where a line starts with the list's item marker at the list's
indentation: inside a quoted or flow value, the share before it would end unterminated and decline.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.catalog.filelimits import ITEM_LINE, PROGRAMS_LINE
from app.catalog.models import CatalogHeader, CheckedCatalog, StoredForm
from app.catalog.validate import Entries, duplicates
from app.catalog.yamlread import parse_clean

_BLANK_OR_COMMENT = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")
SHARE_HEAD = b"programs:\n"  # each share is read as a file holding only this list


@dataclass(frozen=True)
class Layout:
    header: bytes  # the file up to its `programs:` line
    cuts: list[tuple[int, int]]  # each share's start and end in the file


def layout(data: bytes, parts: int) -> Layout | None:
    """The file cut into `parts` shares of about as many entries each, or None when it is not laid out as one
    top-level block list of entries, one marker a line, in one document without markers (each part is read as a
    stream of its own, where `...` could end it cleanly and a directive would not reach)."""
    start = PROGRAMS_LINE.search(data)
    if start is None or _document_marker(data):
        return None
    between = _BLANK_OR_COMMENT.match(data, start.end() + 1)
    first = ITEM_LINE.match(data, between.end()) if between else None
    if first is None:
        return None
    marker = b"\n" + first.group(1) + b"- "
    starts = [first.start()]
    at = data.find(marker, first.end())
    while at != -1:
        starts.append(at + 1)
        at = data.find(marker, at + len(marker))
    if len(starts) < parts:
        return None
    bounds = [starts[len(starts) * k // parts] for k in range(parts)] + [len(data)]
    return Layout(data[: start.start()], list(itertools.pairwise(bounds)))


def _document_marker(data: bytes) -> bool:
    """Whether a line starts with `---` or `...` as a marker (followed by a blank or the line's end)."""
    if _MARKER.match(data):
        return True
    for marker in (b"\n---", b"\n..."):
        at = data.find(marker)
        while at != -1:
            if _MARKER.match(data, at + 1):
                return True
            at = data.find(marker, at + 1)
    return False


_MARKER = re.compile(rb"(?:---|\.\.\.)(?:[ \t\r\n]|$)")


@dataclass(frozen=True)
class ShareRead:
    programs: list[StoredForm]
    labels: list[Any]  # each entry's id, name and aliases, for the duplicates check across shares
    values: int  # YAML values read, against the file's budget


def read_share(share: bytes, display: str, max_values: int, max_programs: int) -> ShareRead | None:
    """A share's programs when every entry is valid and nothing but entries is in it; None otherwise."""
    entries = Entries(None)
    read = parse_clean(SHARE_HEAD + share, display, max_values, max_programs, entries)
    if read is None:
        return None
    data, tree = read
    if entries.errors or not isinstance(data, dict) or list(data) != ["programs"]:
        return None
    programs = data["programs"]
    if not isinstance(programs, list) or not programs or len(entries.labels) != len(programs):
        return None
    return ShareRead(
        [StoredForm(p.id, p.name, p.raw, p.content_hash) for p in programs],
        entries.labels,
        max_values - tree.budget,
    )


def join(
    header: bytes, reads: list[ShareRead], display: str, max_values: int, max_programs: int
) -> CheckedCatalog | None:
    """The catalog of this header and these shares, or None when it is not valid as a whole (or may not be)."""
    read = parse_clean(header, display, max_values)
    if read is None:
        return None
    data, tree = read
    data = {} if data is None else data  # no header, or only comments
    if not isinstance(data, dict) or "programs" in data:
        return None
    try:
        head = CatalogHeader.model_validate(data)
    except ValidationError:
        return None
    labels = [label for read in reads for label in read.labels]
    values = max_values - tree.budget + sum(read.values for read in reads)
    if len(labels) > max_programs or values > max_values or duplicates(labels, tree):
        return None
    programs = [program for read in reads for program in read.programs]
    return CheckedCatalog(programs, head.title, head.description)
