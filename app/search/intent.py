"""What a query's words mean beyond their text: the facet values they name (by the names in app/catalog/names.py
and their synonym and word-form groups), filler words, and the questions a page of the site answers (both read
from data/intents.yaml, kept by the curators)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.catalog.names import NAMES
from app.catalog.vocab import FACETS
from app.config import INTENTS
from app.search.query import Escape, SuggestedFilter
from app.search.scoring import Synonyms, stems

Phrase = tuple[str, ...]  # stems
Value = tuple[str, str]  # (facet name, value)
Filters = Mapping[str, frozenset[str]]
Total = Callable[[str, Filters], int]  # how many programs the query's text and filters find
MAX_OFFERS = 3  # filters offered for the words of one query


@dataclass(frozen=True)
class Guide:
    """A page that answers a kind of question, and the programs that page is about."""

    title: str
    href: str
    programs: tuple[str, ...]
    when: tuple[Phrase, ...]
    about: tuple[Phrase, ...]

    def asked(self, stemmed: Sequence[str]) -> bool:
        """True when the query holds a phrase of `when` and one of `about`."""
        return _holds(stemmed, self.when) and _holds(stemmed, self.about)


def _holds(stemmed: Sequence[str], phrases: Sequence[Phrase]) -> bool:
    return any(tuple(stemmed[i : i + len(p)]) == p for p in phrases for i in range(len(stemmed)))


def _everyday_names() -> dict[Value, tuple[str, ...]]:
    return {(facet, value): names for facet, values in NAMES.items() for value, names in values.items()}


@dataclass(frozen=True)
class Intents:
    names: Mapping[Value, tuple[str, ...]] = field(default_factory=_everyday_names)  # further names of facet values
    ignore: frozenset[str] = frozenset()  # lowercased filler words
    guides: tuple[Guide, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Intents:
        """The file's filler words and guides; the names of facet values are app/catalog/names.py's."""
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "filters" in data:
            raise ValueError(f"{path.name}: filters: the names of facet values are kept in app/catalog/names.py")
        guides = tuple(
            Guide(
                str(g["title"]),
                str(g["href"]),
                tuple(g.get("programs", ())),
                tuple(s for p in g["when"] if (s := stems(str(p)))),
                tuple(s for p in g["about"] if (s := stems(str(p)))),
            )
            for g in data.get("guides") or ()
        )
        return cls(ignore=frozenset(str(w).lower() for w in data.get("ignore") or ()), guides=guides)


@dataclass(frozen=True, slots=True)
class Named:
    """A facet value named by the words `start`..`end` (exclusive) of a query."""

    facet: str
    value: str
    start: int
    end: int


class FacetNames:
    """Every phrase that names a facet value: its label, its names in intents, and their synonyms and word forms."""

    def __init__(self, intents: Intents, synonyms: Synonyms) -> None:
        exact: dict[Phrase, set[Value]] = {}
        for facet, vocab in FACETS.items():
            for term in vocab.terms:
                for name in (term.label, *intents.names.get((facet, term.value), ())):
                    if phrase := stems(name):
                        exact.setdefault(phrase, set()).add((facet, term.value))
        phrases: dict[Phrase, set[Value]] = {p: set(v) for p, v in exact.items()}
        self.written: dict[Value, list[str]] = {}  # each value's names as written, its label first
        for facet, vocab in FACETS.items():
            for term in vocab.terms:
                self.written[(facet, term.value)] = [term.label, *intents.names.get((facet, term.value), ())]
        for group, written in zip(synonyms.groups, synonyms.written, strict=True):
            values = {v for alternative in group for v in exact.get(alternative, ())}
            for v in sorted(values):
                self.written[v] += [
                    w
                    for w in written
                    if w not in self.written[v]
                    and not any(f == v[0] for f, _ in exact.get(stems(w), ()) if (f, _) != v)
                ]
            for alternative in group:
                # an exact name of one value is not taken for another value of the same facet that is only a synonym
                facets = {f for f, _ in exact.get(alternative, ())}
                phrases.setdefault(alternative, set()).update(v for v in values if v[0] not in facets)
        self.phrases = phrases
        self.longest = max(map(len, phrases), default=0)

    def named(self, stemmed: Sequence[str]) -> list[Named]:
        """The facet values a query's stemmed words name, left to right, the longest phrase first at each word."""
        out: list[Named] = []
        i = 0
        while i < len(stemmed):
            for n in range(min(self.longest, len(stemmed) - i), 0, -1):
                values = self.phrases.get(tuple(stemmed[i : i + n]))
                if values:
                    out += [Named(f, v, i, i + n) for f, v in sorted(values)]
                    i += n
                    break
            else:
                i += 1
        return out


@functools.cache
def bundled_intents() -> Intents:
    """data/intents.yaml, read once per process."""
    return Intents.load(INTENTS)


def filter_offers(
    named: Sequence[Named], words: Sequence[str], filters: Filters, total: Total
) -> list[SuggestedFilter]:
    """The filters the words name and that are not selected yet, each with the search it leads to (the other words,
    with the filter selected); only those that find something."""
    out: list[SuggestedFilter] = []
    for x in named:
        if x.value in filters.get(x.facet, ()) or any((o.facet, o.value) == (x.facet, x.value) for o in out):
            continue
        rest = " ".join([*words[: x.start], *words[x.end :]])
        found = total(rest, {**filters, x.facet: filters.get(x.facet, frozenset()) | {x.value}})
        if found:
            vocab = FACETS[x.facet]
            out.append(SuggestedFilter(x.facet, vocab.label, x.value, vocab.label_of(x.value), rest, found))
    return out[:MAX_OFFERS]


def ways_out(words: Sequence[str], filters: Filters, total: Total) -> list[Escape]:
    """For a query that found nothing: each word (a phrase's words as one: "first generation" is never offered as
    "generation") and each facet's filter whose removal would find something."""
    out: list[Escape] = []
    if len(words) > 1 or filters:
        for i, word in enumerate(words):
            rest = " ".join([*words[:i], *words[i + 1 :]])
            if found := total(rest, filters):
                out.append(Escape("word", word, word, rest, found))
    text = " ".join(words)
    for name, values in filters.items():
        if found := total(text, {n: v for n, v in filters.items() if n != name}):
            vocab = FACETS[name]
            label = f"{vocab.label}: " + ", ".join(vocab.label_of(v) for v in vocab.values if v in values)
            out.append(Escape("filter", name, label, text, found))
    return out
