"""The search interface's values: what is indexed (Document), what is asked (SearchQuery), what comes back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from app.catalog.provenance import checked
from app.catalog.vocab import FACETS
from app.search.analysis import Synonyms as Synonyms
from app.search.analysis import stems as stems

MAX_QUERY_CHARS = 500

_LABELS = {(vocab.name, t.value): t.label for vocab in FACETS.values() for t in vocab.terms}

Sort = Literal["relevance", "name", "-last_verified", "-updated_at"]
SORTS: tuple[str, ...] = ("relevance", "name", "-last_verified", "-updated_at")


@dataclass(frozen=True, slots=True)
class Document:
    """What the index needs to know of one program."""

    id: str
    name: str
    summary: str
    description: str
    sponsor: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    extra: str = ""
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    last_verified: dt.date = dt.date(1970, 1, 1)
    updated_at: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    has_link: bool = False  # a followable link: the program's own page or its sponsor's website
    checked_on: dt.date | None = None  # the date its provenance states (app.catalog.provenance); None: never

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, updated_at: dt.datetime) -> Document:
        facets = {}
        for vocab in FACETS.values():
            value = record.get(vocab.field)
            facets[vocab.name] = tuple(value) if isinstance(value, list) else ((value,) if value else ())
        labels = [_LABELS.get((v.name, x), x) for v in FACETS.values() if v.worded for x in facets[v.name]]
        extra = " ".join(
            [record.get("eligibility") or "", record.get("duration") or "", *record.get("outcomes", []), *labels]
        )
        return cls(
            id=record["id"],
            name=record["name"],
            summary=record["summary"],
            description=record["description"],
            sponsor=record["sponsor"],
            aliases=tuple(record.get("aliases", ())),
            tags=tuple(record.get("tags", ())),
            extra=extra,
            facets=facets,
            last_verified=dt.date.fromisoformat(record["last_verified"]),
            updated_at=updated_at,
            has_link=bool(record.get("url") or record.get("sponsor_url")),
            checked_on=checked(record)[1],
        )

    def texts(self) -> tuple[str, ...]:
        """Every indexed text, each alias and tag on its own: where a phrase's words are looked for side by side."""
        return (self.name, *self.aliases, self.summary, self.description, self.sponsor, *self.tags, self.extra)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sort: Sort = "relevance"
    offset: int = 0
    limit: int | None = 20  # None: every match
    updated_since: dt.datetime | None = None
    verified_since: dt.date | None = None
    highlight: bool = True
    # Eligibility rather than targeting: a selection in a facet with a wildcard (demographic focus: open,
    # specialty: any) also matches the programs carrying the wildcard, and so do that facet's counts.
    include_open: bool = False
    has_link: bool = False  # only programs with a followable link (their own page or their sponsor's website)


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float | None
    highlights: dict[str, str] | None = None
    part: str | None = None  # with a group or specialty chosen or named: "aimed", "open" or "other" (parts.py)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a search's results, in the order they are listed: its name (see parts.py) and its size."""

    name: str
    count: int


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    label: str
    count: int  # the matches carrying it under the other facets' filters (as if chosen alone in its facet)
    selected: bool
    gives: int  # what ticking it here gives: in a facet with values chosen, it is added to them (OR)


@dataclass(frozen=True, slots=True)
class SuggestedFilter:
    """A facet value the query's words name: searching the other words (`q`) with it selected finds `total`."""

    facet: str
    facet_label: str
    value: str
    label: str
    q: str
    total: int


@dataclass(frozen=True, slots=True)
class Escape:
    """When nothing matched: a word of the query (`kind` "word") or a facet's filter ("filter") whose removal
    finds `total` programs; `q` is the query's text without it."""

    kind: Literal["word", "filter"]
    name: str  # the word, or the facet
    label: str  # what the user sees: the word, or "Format: Virtual, Online"
    q: str
    total: int


@dataclass(frozen=True, slots=True)
class GuideLink:
    """A page of the site that answers what the query asks ("how do I start a group")."""

    title: str
    href: str


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None  # a respelled query, offered when nothing matched
    relaxed: bool = False  # no program matched every word; these match some of them
    with_link: int = 0  # matches, under every filter but has_link, that have a followable link
    suggested_filters: list[SuggestedFilter] = field(default_factory=list)
    escapes: list[Escape] = field(default_factory=list)  # only when nothing matched
    guides: list[GuideLink] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)  # with a group or specialty chosen or named: aimed at it first
    aimed_at: Mapping[str, frozenset[str]] = field(default_factory=dict)  # those values, by facet


# --- the index -------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """A user's text made safe to analyse: normalized, without control characters, bounded."""
    text = unicodedata.normalize("NFKC", text)[: MAX_QUERY_CHARS * 2]
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]
