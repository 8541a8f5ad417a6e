"""The catalog: its schema (pydantic models, defined once) and a validator whose errors a curator can act on."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.vocab import CAREER_STAGE, DEMOGRAPHIC_FOCUS, FORMAT, PROGRAM_TYPE, SCOPE, SPECIALTY, SPONSOR_TYPE, Vocabulary
from app.yamlread import CatalogError as CatalogError
from app.yamlread import Loc, Tree, dotted, parse, position, read_text
from app.yamlread import Problem as Problem

ARTICLE_DOI = "10.1136/jim-2020-001391"
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
    data, tree = parse(text, path, max_nodes, track=track)
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
            line, col = position(tree, loc, key=at_key)
            problems.append(Problem(path, line, col, dotted(loc), message))
    programs = data["programs"] if isinstance(data.get("programs"), list) else []
    problems.extend(_duplicates(programs, tree, path))
    if problems or model is None:
        problems = problems or [Problem(path, 1, 1, "", "the catalog could not be read")]
        raise CatalogError(sorted(set(problems), key=lambda p: (p.line, p.column, p.field, p.message)))
    lines = {p.id: position(tree, ("programs", i))[0] for i, p in enumerate(model.programs)}
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


def _duplicates(programs: list[Any], tree: Tree, path: str) -> list[Problem]:
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
                line, col = position(tree, ("programs", i, "id"))
                first = position(tree, ("programs", ids[pid]))[0]
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
                line, col = position(tree, loc)
                first = position(tree, ("programs", other))[0]
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
    return validate(read_text(path, display, max_bytes), path=display)
