"""The catalog: its schema (pydantic models, defined once) and a validator whose errors a curator can act on."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import orjson
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.vocab import CAREER_STAGE, DEMOGRAPHIC_FOCUS, FORMAT, PROGRAM_TYPE, SCOPE, SPECIALTY, SPONSOR_TYPE, Vocabulary

ARTICLE_DOI = "10.1136/jim-2020-001391"
MAX_DEPTH = 16
MAX_NODES_PER_KB = 400  # a generous ceiling on YAML nodes per KiB of text; refuses node floods


def suggest(word: str, choices: Any) -> str:
    """'; did you mean 'x'?' for a near miss, else ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _in(vocab: Vocabulary) -> Any:
    """A string restricted to one vocabulary, with 'did you mean' errors and an enum in the JSON Schema."""

    allowed = frozenset(vocab.values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"'{value}' is not a {vocab.label.lower()}{suggest(value, vocab.values)}")
        return value

    return Annotated[
        str,
        AfterValidator(check),
        Field(json_schema_extra={"enum": list(vocab.values), "description": vocab.definition}),
    ]


def _unique(values: list[str]) -> list[str]:
    seen = set()
    for v in values:
        if v in seen:
            raise ValueError(f"'{v}' is listed twice")
        seen.add(v)
    return values


def _no_separator(value: str) -> str:
    if ";" in value:
        raise ValueError("';' separates list items in CSV exports: split this into separate items")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Item = Annotated[Text, AfterValidator(_no_separator)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=500)]
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$", max_length=200)]


@functools.lru_cache(maxsize=1)
def _today_at(minute: int) -> dt.date:
    return dt.date.today()


def _today() -> dt.date:
    """Today's date, asked of the OS once a minute rather than once per program (it showed in the profile)."""
    return _today_at(int(time.time() // 60))


def _year(value: int) -> int:
    if not 1800 <= value <= _today().year:
        raise ValueError(f"{value} is not a plausible founding year (1800 to {_today().year})")
    return value


def _not_future(value: dt.date) -> dt.date:
    if value > _today():
        raise ValueError(f"{value.isoformat()} is in the future")
    return value


if TYPE_CHECKING:  # to a type checker these are strings; at run time, strings checked against a vocabulary
    CareerStage: TypeAlias = str
    DemographicFocus: TypeAlias = str
    Format: TypeAlias = str
    ProgramType: TypeAlias = str
    Scope: TypeAlias = str
    Specialty: TypeAlias = str
    SponsorType: TypeAlias = str
else:
    CareerStage, DemographicFocus, Format = _in(CAREER_STAGE), _in(DEMOGRAPHIC_FOCUS), _in(FORMAT)
    ProgramType, Scope, Specialty, SponsorType = _in(PROGRAM_TYPE), _in(SCOPE), _in(SPECIALTY), _in(SPONSOR_TYPE)


class Source(BaseModel):
    """A citation: the seed article, or a reference it names."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[Text, StringConstraints(max_length=500)]
    doi: Doi | None = None
    url: Url | None = None
    reference: Annotated[int, Field(ge=1, le=999)] | None = Field(None, description="Its number in the article.")
    note: Text | None = None


class Program(BaseModel):
    """One entry of the catalog."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: Slug = Field(description="Stable slug: lowercase letters, digits and hyphens.")
    name: Annotated[Text, StringConstraints(max_length=200)]
    aliases: Annotated[list[Annotated[Item, StringConstraints(max_length=100)]], AfterValidator(_unique)] = []
    summary: Annotated[Text, StringConstraints(max_length=300)] = Field(description="One sentence.")
    description: Annotated[Text, StringConstraints(max_length=4000)]
    sponsor: Annotated[Text, StringConstraints(max_length=200)]
    sponsor_type: SponsorType
    type: ProgramType
    career_stages: Annotated[list[CareerStage], Field(min_length=1), AfterValidator(_unique)]
    demographic_focus: Annotated[list[DemographicFocus], Field(min_length=1), AfterValidator(_unique)]
    formats: Annotated[list[Format], Field(min_length=1), AfterValidator(_unique)]
    scope: Scope
    specialties: Annotated[list[Specialty], Field(min_length=1), AfterValidator(_unique)]
    eligibility: Annotated[Text, StringConstraints(max_length=1000)] | None = None
    cost: Annotated[Text, StringConstraints(max_length=300)] | None = None
    duration: Annotated[Text, StringConstraints(max_length=300)] | None = None
    founded: Annotated[int, AfterValidator(_year)] | None = None
    outcomes: list[Annotated[Item, StringConstraints(max_length=1000)]] = []
    url: Url | None = None
    sources: Annotated[list[Source], Field(min_length=1)]
    last_verified: Annotated[dt.date, AfterValidator(_not_future)]
    tags: Annotated[list[Annotated[Item, StringConstraints(max_length=60)]], AfterValidator(_unique)] = []

    def facet_values(self, vocab: Vocabulary) -> tuple[str, ...]:
        value = getattr(self, vocab.field)
        return tuple(value) if isinstance(value, list) else (value,)

    @cached_property
    def record(self) -> dict[str, Any]:
        """The program as plain JSON-ready data, in field order."""
        return self.model_dump(mode="json")

    @cached_property
    def content_hash(self) -> str:
        return hashlib.sha256(orjson.dumps(self.record, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


class CatalogFile(BaseModel):
    """The whole file: a small header beside the list of programs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Text | None = None
    description: Text | None = None
    # An empty list is refused: a truncated save must not empty the live directory and every synced copy.
    programs: Annotated[list[Program], Field(min_length=1)]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalog file, where it is, and what to do about it."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "field": self.field, "message": self.message}


class CatalogError(Exception):
    """The catalog file is invalid; `errors` lists every problem found."""

    def __init__(self, errors: list[Problem]) -> None:
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


def version_of(hashes: Iterable[tuple[str, str]]) -> str:
    """The catalog version from its programs' (id, content hash) pairs, in any order."""
    digest = hashlib.sha256()
    for program_id, content_hash in sorted(hashes):
        digest.update(f"{program_id}:{content_hash}\n".encode())
    return digest.hexdigest()[:16]


@dataclass
class Catalog:
    programs: list[Program]
    title: str | None = None
    description: str | None = None
    lines: dict[str, int] = field(default_factory=dict)  # program id -> line of its entry

    @cached_property
    def version(self) -> str:
        """A content hash of the whole catalog: the same programs give the same version."""
        return version_of((p.id, p.content_hash) for p in self.programs)


# --- reading YAML with positions -----------------------------------------------------------------

Loc = tuple[str | int, ...]


class _Tree:
    """Turns one YAML document into plain data, noting each value's position, refusing aliases.

    It reads libyaml's event stream directly: building PyYAML's node tree first took three quarters of the time.
    """

    def __init__(self, path: str, line_offset: int, max_nodes: int, *, track: bool = True) -> None:
        self.path = path
        self.track = track  # note every value's position; without it, only the entries' (enough for a valid file)
        self.offset = line_offset
        self.budget = max_nodes
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.key_positions: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._anchors: dict[str, tuple[int, int, Any]] = {}
        self._loader: Any = None

    def pos(self, mark: Any) -> tuple[int, int]:
        return mark.line + 1 + self.offset, mark.column + 1

    def problem(self, at: tuple[int, int], loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.path, at[0], at[1], dotted(loc), message))

    def load(self, text: str, loc: Loc = ()) -> Any:
        """The single document in `text` as data (_EMPTY if there is none); raises yaml.YAMLError on bad syntax."""
        loader: Any = yaml.CSafeLoader(text)  # libyaml's C parser, with PyYAML's safe resolver and constructor
        self._loader = loader
        try:
            loader.get_event()  # stream start
            if loader.check_event(yaml.StreamEndEvent):
                return _EMPTY
            document = loader.get_event()
            value = self._node(loc)
            loader.get_event()  # document end
            if not loader.check_event(yaml.StreamEndEvent):
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    document.start_mark,
                    "but found another document",
                    loader.get_event().start_mark,
                )
            return value
        finally:
            loader.dispose()
            self._loader = None

    def _anchor(self, event: Any) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            return
        if anchor in self._anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self._anchors[anchor][2],
                "second occurrence",
                event.start_mark,
            )
        self._anchors[anchor] = (*self.pos(event.start_mark), event.start_mark)

    def _skip(self, event: Any) -> None:
        """Consume the rest of a node whose first event was `event` (its anchors still count)."""
        self._anchor(event)
        depth = int(isinstance(event, yaml.CollectionStartEvent))
        while depth:
            event = self._loader.get_event()
            self._anchor(event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1

    def _node(self, loc: Loc) -> Any:
        loader = self._loader
        event: Any = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            anchored = self._anchors.get(str(event.anchor))
            if anchored is None:
                mark: Any = event.start_mark
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", mark)
            self.problem(anchored[:2], loc, "YAML anchors and aliases are not allowed in the catalog")
            return None
        at = self.pos(event.start_mark)
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig()
        if len(loc) > MAX_DEPTH:
            self.problem(at, loc, f"nested deeper than {MAX_DEPTH} levels")
            self._skip(event)
            return None
        self._anchor(event)
        if self.track or len(loc) <= 2:
            self.positions[loc] = at
        if isinstance(event, yaml.ScalarEvent):
            return self._scalar(event, loc, at)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not loader.check_event(yaml.SequenceEndEvent):
                items.append(self._node((*loc, len(items))))
            loader.get_event()
            return items
        out: dict[str, Any] = {}
        while not loader.check_event(yaml.MappingEndEvent):
            key_event = loader.get_event()
            key_at = self.pos(key_event.start_mark)
            if not isinstance(key_event, yaml.ScalarEvent):
                self.problem(key_at, loc, "keys must be plain names")
                self._skip(key_event)
                self._skip(loader.get_event())
                continue
            self._anchor(key_event)
            key = key_event.value
            if key in out:
                self.problem(key_at, (*loc, key), f"key '{key}' appears twice in this entry")
                self._skip(loader.get_event())
                continue
            if self.track:
                self.key_positions[(*loc, key)] = key_at
            out[key] = self._node((*loc, key))
        loader.get_event()
        return out

    def _scalar(self, event: Any, loc: Loc, at: tuple[int, int]) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self._loader.construct_object(node)
        except yaml.YAMLError as exc:  # e.g. an impossible date such as 2024-02-30
            self.problem(at, loc, f"cannot read this value: {getattr(exc, 'problem', None) or exc}")
            return None
        except ValueError as exc:
            self.problem(at, loc, f"cannot read this value: {exc}")
            return None


_STR = "tag:yaml.org,2002:str"
_EMPTY = object()  # a stream without any document


class _TooBig(Exception):
    pass


def dotted(loc: Loc) -> str:
    """('programs', 5, 'career_stages', 1) -> 'programs[5].career_stages[1]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _syntax_problem(path: str, exc: yaml.YAMLError, line_offset: int) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if any(hint in problem for hint in ("mapping values", "block end", "could not find expected ':'")):
        message += "; check the indentation of this line and the lines above it"
    return Problem(path, line, col, "", message)


_ITEM = re.compile(r"^(\s*)- ", re.MULTILINE)


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Split a file whose YAML does not parse into its header and one chunk per program entry.

    Lets one pass report the syntax errors of several entries and still check the entries that parse.
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"^programs\s*:\s*(#.*)?$", ln)), None)
    if start is None:
        yield 0, text
        return
    yield 0, "".join(lines[:start])
    body = lines[start + 1 :]
    indent = next((m.group(1) for ln in body if (m := _ITEM.match(ln))), None)
    if indent is None:
        yield start + 1, "".join(body)
        return
    item_start = re.compile(rf"^{indent}- ")
    begin = 0
    for i, ln in enumerate(body):
        if item_start.match(ln) and i > begin:
            yield start + 1 + begin, "".join(body[begin:i])
            begin = i
    yield start + 1 + begin, "".join(body[begin:])


def _read_text(path: Path, display: str, limit: int) -> str:
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
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise CatalogError(
            [Problem(display, line, col, "", f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded")]
        ) from None


def _parse(text: str, display: str, max_nodes: int, *, track: bool = True) -> tuple[Any, _Tree]:
    """Parse the text into data with positions; on a syntax error, recover per entry to report all of them."""
    tree = _Tree(display, 0, max_nodes, track=track)
    try:
        value = tree.load(text)
    except yaml.YAMLError as exc:
        syntax: yaml.YAMLError | None = exc
        # Forget what was read before the error: the recovery starts afresh.
        tree = _Tree(display, 0, max_nodes, track=track)
    except RecursionError:
        raise CatalogError([Problem(display, 1, 1, "", f"nested deeper than {MAX_DEPTH} levels")]) from None
    except _TooBig:
        raise CatalogError([Problem(display, 1, 1, "", "the file holds too many YAML nodes")]) from None
    else:
        if value is _EMPTY:
            raise CatalogError([Problem(display, 1, 1, "", "the file is empty; expected a mapping with 'programs'")])
        return value, tree

    # Recovery: parse the header and each entry on its own, shifting line numbers back into place.
    data: dict[str, Any] = {}
    programs: list[Any] = []
    problems: list[Problem] = []
    for offset, chunk in _chunks(text):
        part = _Tree(display, offset, max_nodes, track=track)
        is_header = not programs and offset == 0
        index = len(programs)
        try:
            value = part.load(chunk, () if is_header else ("programs",))
        except (yaml.YAMLError, RecursionError) as exc:
            if isinstance(exc, yaml.YAMLError):
                problems.append(_syntax_problem(display, exc, offset))
            if not is_header:
                programs.append(None)
            continue
        except _TooBig:
            raise CatalogError([Problem(display, 1, 1, "", "the file holds too many YAML nodes")]) from None
        if value is _EMPTY:
            continue
        if is_header:
            if isinstance(value, dict):
                data.update(value)
        elif isinstance(value, list):
            # The chunk parsed as a one-item sequence: renumber its positions as entry `index`.
            for mapping in (part.positions, part.key_positions):
                for key, position in list(mapping.items()):
                    if len(key) >= 2 and key[1] == 0:
                        tree_loc = ("programs", index, *key[2:])
                        (tree.positions if mapping is part.positions else tree.key_positions)[tree_loc] = position
            programs.extend(value[:1])
        if is_header:
            tree.positions.update(part.positions)
            tree.key_positions.update(part.key_positions)
        tree.problems.extend(part.problems)
    if not problems:  # the recovery found nothing wrong per entry: report the whole-file error as is
        assert syntax is not None
        problems.append(_syntax_problem(display, syntax, 0))
    tree.problems.extend(problems)
    data["programs"] = programs
    return data, tree


def _position(tree: _Tree, loc: Loc, *, key: bool = False) -> tuple[int, int]:
    if key and loc in tree.key_positions:
        return tree.key_positions[loc]
    while loc:
        if loc in tree.positions:
            return tree.positions[loc]
        loc = loc[:-1]
    return tree.positions.get((), (1, 1))


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
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "string_pattern_mismatch":
        field_name = str(loc[-1])
        if field_name == "id":
            message = "an id uses only lowercase letters, digits and single hyphens (e.g. 'aamc-mid-career-women')"
        elif field_name == "url":
            message = "not a URL: it must start with http:// or https:// and contain no spaces"
        elif field_name == "doi":
            message = "not a DOI: it looks like 10.1136/jim-2020-001391"
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


def validate(text: str, *, path: str = "<catalog>", max_nodes: int | None = None) -> Catalog:
    """Validate catalog text; raise CatalogError listing every problem, in file order."""
    budget = max_nodes or max(10_000, len(text) // 1024 * MAX_NODES_PER_KB)
    try:
        # Noting the position of every value cost a third of the time and most of the memory of a large load;
        # a valid file needs only its entries' lines, so positions are gathered only to report problems.
        return _validate(text, path, budget, track=False)
    except CatalogError:
        return _validate(text, path, budget, track=True)


def _validate(text: str, path: str, max_nodes: int, *, track: bool) -> Catalog:
    data, tree = _parse(text, path, max_nodes, track=track)
    problems = list(tree.problems)
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, 1, "", "expected a mapping with a 'programs' list at the top of the file"))
        raise CatalogError(problems)
    model: CatalogFile | None = None
    recovered = any(p.message.startswith("YAML syntax error") for p in problems)
    try:
        model = CatalogFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc, message, at_key = _describe(error, data)
            if recovered and (
                (error["type"] in {"model_type", "list_type"} and _input_is_none(data, loc))
                or (error["type"] == "too_short" and loc == ("programs",))
            ):
                continue  # an entry (or the list) that failed to parse: its syntax error is already reported
            line, col = _position(tree, loc, key=at_key)
            problems.append(Problem(path, line, col, dotted(loc), message))
    programs = data["programs"] if isinstance(data.get("programs"), list) else []
    problems.extend(_duplicates(programs, tree, path))
    if problems or model is None:
        problems = problems or [Problem(path, 1, 1, "", "the catalog could not be read")]
        raise CatalogError(sorted(set(problems), key=lambda p: (p.line, p.column, p.field, p.message)))
    lines = {p.id: _position(tree, ("programs", i))[0] for i, p in enumerate(model.programs)}
    return Catalog(programs=model.programs, title=model.title, description=model.description, lines=lines)


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


def _duplicates(programs: list[Any], tree: _Tree, path: str) -> list[Problem]:
    """Duplicate ids, and duplicate names or aliases (case-insensitive) across entries."""
    problems = []
    ids: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}
    for i, entry in enumerate(programs):
        if not isinstance(entry, dict):
            continue
        pid = entry.get("id")
        if isinstance(pid, str):
            if pid in ids:
                line, col = _position(tree, ("programs", i, "id"))
                first = _position(tree, ("programs", ids[pid]))[0]
                problems.append(
                    Problem(path, line, col, f"programs[{i}].id", f"duplicate id '{pid}' (first used on line {first})")
                )
            else:
                ids[pid] = i
        labels = [("name", entry.get("name"))]
        aliases = entry.get("aliases")
        if isinstance(aliases, list):
            labels += [(f"aliases[{j}]", a) for j, a in enumerate(aliases)]
        for where, label in labels:
            if not isinstance(label, str) or not label.strip():
                continue
            key = normalize(label)
            if key in names and names[key][0] != i:
                other, other_field = names[key]
                loc: Loc = ("programs", i, *(("aliases", int(where[8:-1])) if where != "name" else ("name",)))
                line, col = _position(tree, loc)
                first = _position(tree, ("programs", other))[0]
                problems.append(
                    Problem(
                        path,
                        line,
                        col,
                        f"programs[{i}].{where}",
                        f"'{label}' is already {'the name' if other_field == 'name' else 'an alias'} "
                        f"of programs[{other}] (line {first}); names and aliases must be unique",
                    )
                )
            else:
                names.setdefault(key, (i, where))
    return problems


def normalize(text: str) -> str:
    """Case- and punctuation-insensitive form of a name, for comparing names and aliases."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def load_catalog(path: Path, *, max_bytes: int = 32 * 2**20) -> Catalog:
    """Read and validate a catalog file; raise CatalogError with every problem found."""
    display = str(path)
    return validate(_read_text(path, display, max_bytes), path=display)
