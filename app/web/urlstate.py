"""The search page's state, which the URL holds whole: reading it from a request and writing links that change it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request

from app.api.params import DEFAULT_PER_PAGE, Params, ParsedSearch, default_sort, multi_items, search_pairs
from app.catalog.models import ID_PATTERN, MAX_ID
from app.catalog.vocab import FACETS

MAX_COMPARE = 4  # programs in the compare list (app.js keeps its own copy)
MAX_IDS = 20  # ids read from a compare URL; more is a mistake, not a wish
ID_RE = re.compile(ID_PATTERN)
INCLUDE_ENDED = "include_ended"  # the website's parameter for "Include programs no longer offered"


@dataclass(frozen=True)
class State:
    """What a search page shows, as the query string that reproduces it."""

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = ""  # "" = the default order (relevance when searching, else name)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    extra: tuple[tuple[str, str], ...] = ()  # updated_since / verified_since, kept when given
    compare: tuple[str, ...] = ()
    include_open: bool = True  # the website's default: filters mean "open to me", not only "aimed at me"
    has_link: bool = False
    include_ended: bool = False  # "Include programs no longer offered": every status, not only the default ones

    def href(self, **changes: Any) -> str:
        """This state's URL with some parts changed; any change but `page` goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        s = replace(self, **changes)
        pairs = search_pairs(s.q, s.filters)
        pairs += [("has_link", "true")] if s.has_link else []
        pairs += [(INCLUDE_ENDED, "true")] if s.include_ended else []
        pairs += [("include_open", "false")] if not s.include_open else []
        pairs += [("sort", s.sort)] if s.sort else []
        pairs += list(s.extra)
        pairs += [("per_page", str(s.per_page))] if s.per_page != DEFAULT_PER_PAGE else []
        pairs += [("page", str(s.page))] if s.page > 1 else []
        pairs += [("compare", ",".join(s.compare))] if s.compare else []
        return "/?" + urlencode(pairs) if pairs else "/"

    @property
    def selected(self) -> int:
        """How many filter values are ticked: the one number the badge, the heading and the button all show."""
        return sum(len(values) for values in self.filters.values())

    @property
    def searching(self) -> bool:
        """True once the reader has asked for something; the bare home page is not a search."""
        return bool(self.q or self.filters or self.extra or self.page > 1)

    def beside(self) -> list[tuple[str, str]]:
        """This search for the views beside the page (its feed, its CSV, its completions), in the API's terms: the
        same words, filters and mode, so that each holds the page's programs."""
        pairs = search_pairs(self.q, self.filters)
        if self.include_ended and "status" not in self.filters:
            pairs += [("status", value) for value in FACETS["status"].values]
        pairs += [("include_open", "true")] if self.include_open else []
        pairs += [("has_link", "true")] if self.has_link else []
        return pairs + list(self.extra)

    def feed_href(self) -> str:
        """The Atom feed of this search: the same programs, newest changes first."""
        return _with("/feed.xml", self.beside())

    def csv_href(self) -> str:
        """This search's programs as a spreadsheet (the API's CSV export)."""
        return _with("/api/v1/programs.csv", self.beside())

    def at(self, path: str, *more: tuple[str, str]) -> str:
        """This search (its words, filters, mode and order) on another of the website's pages: the follow page, the
        embed and its builder, the printable list; with `more` parameters of that page."""
        return _with(path, parse_qsl(urlsplit(self.href(compare=(), per_page=DEFAULT_PER_PAGE)).query) + list(more))

    def completions_href(self) -> str:
        """The completions of the search box on this page: their counts are what choosing one gives here."""
        pairs = [(k, v) for k, v in self.beside() if k != "q"]
        return "/api/v1/suggest?" + urlencode(pairs) if pairs else "/api/v1/suggest"

    def without(self, facet: str, value: str | None = None) -> str:
        """The URL without one value of a facet (or the whole facet)."""
        kept = {n: vs for n, vs in self.filters.items() if n != facet}
        if value is not None:
            rest = tuple(v for v in self.filters.get(facet, ()) if v != value)
            if rest:
                kept[facet] = rest
        return self.href(filters=kept)

    @property
    def full(self) -> bool:
        """True when the compare list holds all it can: adding another is refused, never done by dropping one."""
        return len(self.compare) >= MAX_COMPARE

    def toggled(self, program_id: str) -> str:
        """The URL with a program added to (or removed from) the compare list; when the list is full, adding leaves
        it as it is (the page says so)."""
        ids = tuple(i for i in self.compare if i != program_id)
        if program_id not in self.compare and not self.full:
            ids = (*ids, program_id)
        return self.href(compare=ids, page=self.page)


def _with(path: str, pairs: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(pairs) if pairs else "")


def read_ids(values: Iterable[str], known: Mapping[str, Any] | None = None) -> tuple[list[str], list[str]]:
    """Program ids from repeated and/or comma-separated values: (the usable ones, in order, deduplicated; the rest)."""
    good: list[str] = []
    bad: list[str] = []
    for raw in values:
        for part in raw.split(",")[:MAX_IDS]:
            pid = part.strip().lower()
            if not pid or pid in good:
                continue
            ok = len(pid) <= MAX_ID and ID_RE.match(pid) and (known is None or pid in known)
            (good if ok else bad).append(pid if ok else part.strip()[:MAX_ID])
    return good[:MAX_IDS], bad


def compare_list(params: Params, known: Mapping[str, Any]) -> tuple[str, ...]:
    """The compare list a page's URL carries (`compare=`): the last MAX_COMPARE of its known ids."""
    return tuple(read_ids(multi_items(params).get("compare", []), known)[0][-MAX_COMPARE:])


def compared(params: Params, known: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The ids the compare page and its CSV show (`ids=`, else the compare list): (known ones, the rest)."""
    given = multi_items(params)
    return read_ids(given.get("ids", []) + given.get("compare", []), known)


def include_ended(parsed: ParsedSearch, request: Request) -> ParsedSearch:
    """The search with "Include programs no longer offered" applied: every status, unless the address chose some."""
    given = multi_items(request.query_params)
    if not _ticked(given) or any(v.strip() for v in given.get("status", [])):
        return parsed
    filters = {name: values for name, values in parsed.query.filters.items() if name != "status"}
    return replace(parsed, query=replace(parsed.query, filters=filters))


def _ticked(given: Mapping[str, list[str]]) -> bool:
    return any(v.strip().lower() == "true" for v in given.get(INCLUDE_ENDED, []))


def state_of(parsed: ParsedSearch, request: Request, known: Mapping[str, Any]) -> State:
    q = parsed.query
    given = multi_items(request.query_params)
    explicit = q.sort if any(v.strip() for v in given.get("sort", [])) and q.sort != default_sort(q.text) else ""
    # A facet's default (status: not ended) is the page's own choice, not a filter the reader ticked.
    chosen = [n for n in FACETS if any(v.strip() for v in given.get(n, []))]
    filters = {n: tuple(v for v in FACETS[n].values if v in q.filters.get(n, ())) for n in chosen}
    extra = tuple(
        (name, given[name][0].strip())
        for name, value in (("updated_since", q.updated_since), ("verified_since", q.verified_since))
        if value is not None
    )
    return State(
        q.text,
        {n: v for n, v in filters.items() if v},
        explicit,
        parsed.page,
        parsed.per_page,
        extra,
        compare_list(given, known),
        q.include_open,
        q.has_link,
        _ticked(given),
    )


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links to show: the first, the last, and two either side of the current; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out
