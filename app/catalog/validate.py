"""The validator: a catalog file to models, or every problem as path:line:column field: message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalog.filelimits import MAX_PROGRAMS, NODES_PER_PROGRAM, read_utf8, refuse_oversized
from app.catalog.header import CatalogFile, CatalogHeader
from app.catalog.models import Catalog, Program, Source, suggest
from app.catalog.problems import CatalogError as CatalogError
from app.catalog.problems import Loc, Pending, dotted
from app.catalog.problems import Problem as Problem
from app.catalog.renames import check_replaces
from app.catalog.rules import FieldError
from app.catalog.textcheck import name_key
from app.catalog.yamlevents import Tree
from app.catalog.yamlread import parse, position, text_of

MAX_NODES_PER_KB = 400  # a generous ceiling on YAML nodes per KiB of text; refuses node floods
PATTERN_MESSAGES = {  # what a field's pattern asks for, in words
    "id": "an id uses only lowercase letters, digits and single hyphens (e.g. 'aamc-mid-career-women')",
    "url": "not a URL: it must start with http:// or https:// and contain no spaces",
    "sponsor_url": "not an https URL: a sponsor's homepage starts with https:// and contains no spaces",
    "doi": "not a DOI: it looks like 10.1136/jim-2020-001391",
    "replaces": "an old id uses only lowercase letters, digits and single hyphens, as every id does",
}


def _describe(error: Any, data: Any) -> tuple[Loc, str, bool]:
    """Turn one pydantic error into (location, message, points-at-key)."""
    loc: Loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        model = Source if "sources" in loc else (Program if "programs" in loc else CatalogFile)
        return loc, f"unknown field '{name}'{suggest(name, model.model_fields)}", True
    if kind == "missing":
        return loc[:-1], f"missing required field '{loc[-1]}'", False
    if isinstance(raised := (error.get("ctx") or {}).get("error"), FieldError):  # an entry's rule, at its field
        return (*loc, *raised.loc), str(raised), False
    message = error["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":  # the field's name, or the list's for an item of it
        message = PATTERN_MESSAGES.get(str(loc[-2] if isinstance(loc[-1], int) else loc[-1]), message)
    elif kind == "date_type" and re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", str(error.get("input"))):
        given = str(error["input"]).strip()
        message = f"'{given}' is in quotes, so YAML reads it as text, not a date: remove the quotes ({given})"
    elif kind in {"date_type", "date_from_datetime_parsing", "date_parsing"}:
        message = f"not a date: write it as YYYY-MM-DD (got {error.get('input')!r})"
    elif kind == "model_type":
        message = "expected an entry's fields here (id: ..., name: ...), not " + _kind_of(error.get("input"))
    elif kind == "list_type":
        message = "expected a list here, not " + _kind_of(error.get("input"))
    elif kind == "too_short" and loc == ("programs",):
        message = "the catalog lists no programs (refused, so that a truncated save cannot empty the directory)"
    elif kind == "int_type":
        message = f"expected a whole number, got {error.get('input')!r}"
    return loc, message, False


def validate(
    text: str | bytes, *, path: str = "<catalog>", max_nodes: int | None = None, max_programs: int = MAX_PROGRAMS
) -> Catalog:
    """Validate catalog text (or a file's bytes, known to be UTF-8); raise CatalogError listing every problem, in
    file order."""
    budget = limits(text, path, max_nodes, max_programs)
    return _validate(text, path, budget, max_programs)


def load_catalog(path: Path, *, max_bytes: int = 32 * 2**20, max_programs: int = MAX_PROGRAMS) -> Catalog:
    """Read and validate a catalog file; raise CatalogError with every problem found (see `validate`)."""
    display = str(path)
    budget = limits(read_utf8(path, display, max_bytes), display, None, max_programs)
    # The parser reads the file a block at a time: 150 MB less held while 100,000 programs are read.
    return _validate(path, display, budget, max_programs)


def limits(text: str | bytes, path: str, max_nodes: int | None, max_programs: int) -> int:
    """The YAML values the file may hold; a file that lists too many programs is refused."""
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    refuse_oversized(text, path, max_programs)
    ceiling = NODES_PER_PROGRAM * max_programs  # YAML values in all, at the most programs a catalog may hold
    return max_nodes or min(ceiling, max(10_000, len(text) // 1024 * MAX_NODES_PER_KB))


def _validate(source: str | bytes | Path, path: str, budget: int, max_programs: int) -> Catalog:
    # Noting the position of every value cost a third of the time and most of the memory of a large load; a valid
    # file needs only its entries' lines, so the file is read again, noting every position, only to place problems.
    entries = Entries()
    data, tree = parse(source, path, budget, track=False, max_programs=max_programs, on_entry=entries)
    catalog, pending = _check(data, tree, entries)
    if catalog is not None:
        return catalog
    placed = parse(text_of(source), path, budget, track=True, max_programs=max_programs)[1] if pending else tree
    problems = list(tree.problems)
    problems += [Problem(path, *position(placed, loc, key=at_key), dotted(loc), m) for loc, m, at_key in pending]
    problems = problems or [Problem(path, 1, 1, "", "the catalog could not be read")]
    raise CatalogError(sorted(set(problems), key=lambda p: (p.line, p.column, p.field, p.message)))


def _check(data: Any, tree: Tree, entries: Entries) -> tuple[Catalog | None, Pending]:
    """The catalog, or the problems to place (the reader's own problems are in `tree.problems`)."""
    if not isinstance(data, dict):
        return None, [((), "expected a mapping with a 'programs' list at the top of the file", False)]
    programs = data["programs"] if isinstance(data.get("programs"), list) else []
    recovered = any(p.message.startswith("YAML syntax error") for p in tree.problems)
    checked = bool(programs) and not recovered and len(entries.labels) == len(programs)  # each entry as it was read
    labels = entries.labels if checked else [labels_of(entry) for entry in programs]
    pending: Pending = duplicates(labels, tree) + check_replaces([(x[0], x[3]) if x else None for x in labels], tree)
    models, errors = _checked(data, entries) if checked else _whole(data)
    for error in errors:
        loc, message, at_key = _describe(error, data)
        if recovered and (
            (error["type"] in {"model_type", "list_type"} and _input_is_none(data, loc))
            or (error["type"] == "too_short" and loc == ("programs",))
        ):
            continue  # an entry (or the list) that failed to parse: its syntax error is already reported
        pending.append((loc, message, at_key))
    if pending or tree.problems or models is None:
        return None, pending
    lines = {p.id: position(tree, ("programs", i))[0] for i, p in enumerate(models.programs)}
    catalog = Catalog(programs=models.programs, title=models.title, description=models.description, lines=lines)
    catalog.license, catalog.citation = models.license, models.citation
    return catalog, []


def _whole(data: dict[str, Any]) -> tuple[CatalogFile | None, list[Any]]:
    try:
        return CatalogFile.model_validate(data), []
    except ValidationError as exc:
        return None, exc.errors(include_url=False)


Labels = tuple[Any, Any, Any, Any]  # an entry's id, name, aliases and replaces, as written


def labels_of(entry: Any) -> Labels | None:
    if not isinstance(entry, dict):
        return None
    return entry.get("id"), entry.get("name"), entry.get("aliases"), entry.get("replaces")


class Entries:
    """The program entries, checked one at a time as the parser reads them: what `_whole` finds, the same errors
    at the same places, but each entry's parsed data let go as soon as it is a model (parsed data and models of
    100,000 programs side by side took 0.4 GB more)."""

    def __init__(self) -> None:
        self.labels: list[Labels | None] = []  # for the duplicates check, which needs the whole list
        self.errors: list[Any] = []

    def __call__(self, i: int, entry: Any) -> Any:
        self.labels.append(labels_of(entry))
        try:
            program = Program.model_validate(entry)
        except ValidationError as exc:
            self.errors += [error | {"loc": ("programs", i, *error["loc"])} for error in exc.errors(include_url=False)]
            return entry
        return program


def _checked(data: dict[str, Any], entries: Entries) -> tuple[CatalogFile | None, list[Any]]:
    """The file whose entries `entries` checked as they were read (the list now holds their models)."""
    header = {key: value for key, value in data.items() if key != "programs"}
    errors: list[Any] = []
    try:
        head: CatalogHeader | None = CatalogHeader.model_validate(header)
    except ValidationError as exc:
        head = None
        errors += exc.errors(include_url=False)
    errors += entries.errors
    if errors or head is None:
        return None, errors
    return CatalogFile.model_construct(**dict(head), programs=data["programs"]), []


def _kind_of(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {str(value)[:40]!r}"


def _input_is_none(data: Any, loc: Loc) -> bool:
    value = data
    for part in loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return value is None


def duplicates(entries: list[Labels | None], tree: Tree) -> Pending:
    """Duplicate ids, and duplicate names or aliases across entries (compared by `name_key`: case, punctuation,
    look-alike letters and invisible characters aside)."""
    pending: Pending = []
    ids: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        pid, name, aliases, _ = entry
        labels = [("name", name)]
        if isinstance(aliases, list):
            labels += [(f"aliases[{j}]", a) for j, a in enumerate(aliases)]
        if isinstance(pid, str):
            if pid in ids:
                first = position(tree, ("programs", ids[pid]))[0]
                pending.append((("programs", i, "id"), f"duplicate id '{pid}' (first used on line {first})", False))
            else:
                ids[pid] = i
        for where, label in labels:
            if not isinstance(label, str) or not label.strip():
                continue
            key = name_key(label)
            if key in names and names[key][0] != i:
                other, other_field = names[key]
                loc: Loc = ("programs", i, *(("aliases", int(where[8:-1])) if where != "name" else ("name",)))
                first = position(tree, ("programs", other))[0]
                kind = "the name" if other_field == "name" else "an alias"
                message = (
                    f"'{label}' is already {kind} of programs[{other}] (line {first}); names and aliases must be unique"
                )
                pending.append((loc, message, False))
            else:
                names.setdefault(key, (i, where))
    return pending
