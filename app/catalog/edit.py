"""Setting one field of one entry in the catalog file, editing only that entry's lines (as `add` appends one)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import yaml
from ruamel.yaml import YAML

from app.catalog.filelimits import MAX_PROGRAMS
from app.catalog.models import Catalog, Program
from app.catalog.problems import CatalogError, Problem
from app.catalog.scaffold import programs_node
from app.catalog.validate import validate


def _scalar(field: str, value: str | dt.date) -> str:
    """`value` as YAML would write it after `field: ` (quoted only when it must be)."""
    dumper = YAML()
    dumper.width = 4096
    buffer = io.StringIO()
    dumper.dump({field: value}, buffer)
    return buffer.getvalue().rstrip("\n").removeprefix(f"{field}: ")


def _entry(text: str, program_id: str, display: str) -> yaml.MappingNode:
    programs = programs_node(text)
    for item in programs.value if isinstance(programs, yaml.SequenceNode) else []:
        if isinstance(item, yaml.MappingNode) and any(k.value == "id" and v.value == program_id for k, v in item.value):
            if item.flow_style:
                line = item.start_mark.line + 1
                raise CatalogError(
                    [Problem(display, line, 1, program_id, "this entry is written inline; edit it by hand")]
                )
            return item
    raise CatalogError([Problem(display, 1, 1, "programs", f"there is no program with id '{program_id}'")])


def set_field(
    text: str, program_id: str, field: str, value: str | dt.date, *, display: str, max_programs: int = MAX_PROGRAMS
) -> tuple[str, Catalog]:
    """The catalog text with one entry's `field` set to `value`, validated whole; every byte outside the lines of
    that field is unchanged (a missing field gets a line of its own, where the schema's order puts it)."""
    before = validate(text, path=display, max_programs=max_programs)
    entry = _entry(text, program_id, display)
    rendered = _scalar(field, value)
    pairs = entry.value
    present = next((v for k, v in pairs if k.value == field), None)
    if present is not None:
        if not isinstance(present, yaml.ScalarNode):
            line = present.start_mark.line + 1
            raise CatalogError([Problem(display, line, 1, field, "is not a single value; edit it by hand")])
        new_text = text[: present.start_mark.index] + rendered + text[present.end_mark.index :]
    else:
        order = list(Program.model_fields)
        later = [k for k, _ in pairs[1:] if k.value in order and order.index(k.value) > order.index(field)]
        newline = "\r\n" if "\r\n" in text else "\n"
        if later:  # just before the first key the schema puts after this one, on a line of its own
            at = text.rfind("\n", 0, later[0].start_mark.index) + 1
            indent = " " * later[0].start_mark.column
        else:  # after the entry's last line
            end = pairs[-1][1].end_mark
            at = text.find("\n", end.index - 1 if end.column == 0 else end.index)
            at = len(text) if at < 0 else at + 1
            indent = " " * pairs[0][0].start_mark.column
        new_text = text[:at] + f"{indent}{field}: {rendered}{newline}" + text[at:]
    catalog = validate(new_text, path=display, max_programs=max_programs)
    _check_read_back(before, catalog, program_id, field, value, display, entry.start_mark.line + 1)
    return new_text, catalog


def _check_read_back(
    before: Catalog, after: Catalog, program_id: str, field: str, value: Any, display: str, line: int
) -> None:
    """Every other program reads back as it was, and this one with only `field` changed."""
    wanted = {p.id: p.record for p in before.programs}
    wanted[program_id] = {**wanted[program_id], field: value.isoformat() if isinstance(value, dt.date) else value}
    if {p.id: p.record for p in after.programs} != wanted:
        raise CatalogError(
            [Problem(display, line, 1, field, "the change did not read back as written; edit it by hand")]
        )
