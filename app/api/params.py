"""Reading search parameters from a query string: shared by the API (strict) and the website (lenient).

Strict, the first problem raises a `ParamError` naming the parameter, its value, what is wrong and what is valid;
lenient, whatever cannot be used is dropped and listed in `ParsedSearch.dropped`, so a page can tell the user. An
empty value is an error when strict (except for `q`) and means "not given" otherwise. `allowed` names parameters
the caller reads itself: they are neither parsed nor rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from starlette.datastructures import QueryParams

from app.catalog.models import suggest
from app.catalog.vocab import FACETS
from app.search.query import SORTS, SearchQuery, Sort

MAX_Q = 200
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 1_000_000
# Sync parameters (read by app.api.sync, API only): a sync_token, and the catalog version page links carry.
SYNC_PARAMS = ("since", "version")
TOKEN_PATTERN = r"^[0-9a-f]{0,32}-[0-9]{1,12}$"  # for validation and the OpenAPI document; clients treat it as opaque
VERSION_PATTERN = r"^[0-9a-f]{1,64}$"
SEARCH_PARAMS: tuple[str, ...] = (
    "q",
    *FACETS,
    "sort",
    "page",
    "per_page",
    "updated_since",
    "verified_since",
    "include_open",
    "has_link",
)
BOOLEANS = {"true": True, "false": False}

Params = Mapping[str, Sequence[str]] | Mapping[str, str] | QueryParams
T = TypeVar("T")


class ParamError(Exception):
    """One query parameter that cannot be used: which, its value, what is wrong, and what would be accepted."""

    def __init__(self, param: str, value: str | None, message: str, valid: list[str] | None = None) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.value = value
        self.message = message
        self.valid = valid


def default_sort(text: str) -> Sort:
    """The order when none is asked for: by relevance when searching words, else by name."""
    return "relevance" if text else "name"


def search_pairs(text: str, filters: Mapping[str, Collection[str]]) -> list[tuple[str, str]]:
    """The words and filters of a search as query parameters, in one order (facets and values as the vocabularies
    list them), so that equal searches give equal URLs."""
    pairs = [("q", text)] if text else []
    return pairs + [(name, v) for name, vocab in FACETS.items() for v in vocab.values if v in filters.get(name, ())]


@dataclass(frozen=True)
class ParsedSearch:
    query: SearchQuery
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    dropped: list[ParamError] = field(default_factory=list)


def multi_items(params: Params) -> dict[str, list[str]]:
    """Every parameter with all its values, in the order given."""
    items: Iterable[tuple[str, str]]
    if isinstance(params, QueryParams):
        items = params.multi_items()
    else:
        items = (
            (key, value)
            for key, values in params.items()
            for value in ([values] if isinstance(values, str) else values)
        )
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def _shown(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def whole_number(name: str, value: str, low: int, high: int) -> int:
    text = value.strip()
    if not re.fullmatch(r"\d{1,9}", text) or not low <= int(text) <= high:
        raise ParamError(name, value, f"'{_shown(value)}' is not a whole number from {low} to {high}")
    return int(text)


def _datetime(name: str, value: str) -> dt.datetime:
    """An ISO 8601 date-time or date; naive times are UTC, a leap second counts as :59."""
    text = value.strip().upper()
    text = re.sub(r"(T\d\d:\d\d):60", r"\1:59", text)
    try:
        if len(text) > 40 or not re.match(r"\d{4}-\d\d-\d\d", text):
            raise ValueError(text)
        when = dt.datetime.fromisoformat(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    except ValueError:
        raise ParamError(
            name,
            value,
            f"'{_shown(value)}' is not an ISO 8601 date-time such as 2026-01-31T09:00:00Z or a date such as 2026-01-31",
        ) from None
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:  # an instant before year 1 or after 9999 in UTC (0001-01-01T00:00+02:00): the nearest one
        return (dt.datetime.min if when.year == 1 else dt.datetime.max).replace(tzinfo=dt.UTC)


def _date(name: str, value: str) -> dt.date:
    text = value.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParamError(name, value, f"'{_shown(value)}' is not a date such as 2026-01-31 (YYYY-MM-DD)") from None


def boolean(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text not in BOOLEANS:
        raise ParamError(name, value, f"'{_shown(value)}' is not true or false", list(BOOLEANS))
    return BOOLEANS[text]


class _Reader:
    """The values of one query string, read one parameter at a time; a problem raises when strict, else is kept."""

    def __init__(self, given: dict[str, list[str]], *, strict: bool) -> None:
        self.given = given
        self.strict = strict
        self.problems: list[ParamError] = []

    def problem(self, error: ParamError) -> None:
        if self.strict:
            raise error
        self.problems.append(error)

    def unknown(self, known: set[str]) -> None:
        for name, values in self.given.items():
            if name not in known:
                valid = sorted(known)
                self.problem(ParamError(name, values[0], f"unknown parameter{suggest(name.lower(), valid)}", valid))

    def single(self, name: str) -> str | None:
        values = self.given.get(name, [])
        if not self.strict:  # an empty form field means "not given"
            values = [v for v in values if v.strip()]
        elif name != "q" and any(not v.strip() for v in values):
            self.problem(ParamError(name, "", "is empty; give a value or leave the parameter out"))
        if len(values) > 1:
            self.problem(ParamError(name, values[1], f"give {name} once, not {len(values)} times"))
        return values[0] if values else None

    def text(self) -> str:
        text = self.single("q") or ""
        if len(text) > MAX_Q:
            self.problem(ParamError("q", _shown(text), f"is {len(text)} characters long; at most {MAX_Q} are allowed"))
            text = text[:MAX_Q]
        return text.strip()

    def facet(self, name: str) -> frozenset[str]:
        """The known values given for one facet; each unknown (or, when strict, empty) one is a problem."""
        vocab = FACETS[name]
        by_lower = {v.lower(): v for v in vocab.values}
        chosen: set[str] = set()
        for raw in self.given.get(name, []):
            for part in raw.split(","):
                item = part.strip()
                if not item:
                    if self.strict:
                        message = f"an empty value; give one of the {vocab.label.lower()} values or leave it out"
                        self.problem(ParamError(name, raw, message, list(vocab.values)))
                    continue
                if item.lower() in by_lower:
                    chosen.add(by_lower[item.lower()])
                else:
                    message = f"'{_shown(item)}' is not a {vocab.label.lower()}{suggest(item.lower(), vocab.values)}"
                    self.problem(ParamError(name, item, message, list(vocab.values)))
        return frozenset(chosen)

    def filters(self) -> dict[str, frozenset[str]]:
        filters: dict[str, frozenset[str]] = {}
        for name in FACETS:
            chosen = self.facet(name)
            if chosen:
                filters[name] = chosen
            elif FACETS[name].default and not self.given.get(name) and "since" not in self.given:
                # Not asked: the facet's default (status: not ended). A sync (`since`) covers every program instead,
                # so a client learns that a program ended as a changed record.
                filters[name] = frozenset(FACETS[name].default)
        return filters

    def sort(self, text: str) -> Sort:
        sort = default_sort(text)
        if (raw_sort := self.single("sort")) is not None:
            if raw_sort.strip() in SORTS:
                sort = cast(Sort, raw_sort.strip())
            else:
                message = f"'{_shown(raw_sort)}' is not a sort order{suggest(raw_sort.strip().lower(), SORTS)}"
                self.problem(ParamError("sort", raw_sort, message, list(SORTS)))
        return sort

    def value(self, name: str, read: Callable[[str], T], default: T) -> T:
        """One parameter read by `read`; its default when absent or unusable."""
        raw = self.single(name)
        if raw is None:
            return default
        try:
            return read(raw)
        except ParamError as error:
            self.problem(error)
            return default


def read_search(
    params: Params, *, strict: bool, allowed: Collection[str] = (), include_open_default: bool = False
) -> ParsedSearch:
    """The search a query string asks for, with what was dropped; strict: raise ParamError at the first problem."""
    reader = _Reader(multi_items(params), strict=strict)
    reader.unknown(set(SEARCH_PARAMS) | set(allowed))
    text = reader.text()
    filters = reader.filters()
    sort = reader.sort(text)
    page = reader.value("page", lambda raw: whole_number("page", raw, 1, MAX_PAGE), 1)
    per_page = reader.value("per_page", lambda raw: whole_number("per_page", raw, 1, MAX_PER_PAGE), DEFAULT_PER_PAGE)
    query = SearchQuery(
        text=text,
        filters=filters,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
        updated_since=reader.value("updated_since", lambda raw: _datetime("updated_since", raw) if raw else None, None),
        verified_since=reader.value("verified_since", lambda raw: _date("verified_since", raw) if raw else None, None),
        include_open=reader.value("include_open", lambda raw: boolean("include_open", raw), include_open_default),
        has_link=reader.value("has_link", lambda raw: boolean("has_link", raw), False),
    )
    return ParsedSearch(query, page, per_page, reader.problems)
