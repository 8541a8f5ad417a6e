"""Filters and facet counts of a search index: per-value document sets as boolean masks and packed bitsets.

OR within a facet, AND across facets; with `include_open` a demographic-focus or specialty selection also matches
the facet's wildcard (`open`, `any`). Counting every facet disjunctively costs a few vector operations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from app.catalog.vocab import FACETS, WIDENED
from app.search.columns import Columns
from app.search.query import FacetCount, SearchQuery
from app.search.vectors import DocSet, FacetBits

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Filtering:
    """The filter side of `SearchIndex` (a mixin): built once per catalog version by `_index_filters`."""

    size: int
    value_docs: dict[str, dict[str, DocSet]]
    linked: DocSet
    wildcards: dict[str, str]

    def _index_filters(self, columns: Columns, updated: Sequence[dt.datetime]) -> None:
        self.size = size = len(columns.linked)
        self.value_docs = {}
        self._facet_bits: dict[str, FacetBits] = {}
        for name, vocab in FACETS.items():
            carried = columns.facets.get(name, {})
            self.value_docs[name] = {v: DocSet.of(docs, size) for v, docs in carried.items()}
            none = DocSet.union([], size)
            self._facet_bits[name] = FacetBits(vocab.values, [self.value_docs[name].get(v, none) for v in vocab.values])
        self._updated = np.array([_micros(when) for when in updated], dtype=np.int64)
        self._verified = columns.verified.astype(np.int64)
        self.linked = DocSet(columns.linked)
        self.wildcards = {v.name: v.wildcard for v in WIDENED if v.wildcard}
        self._unions: dict[tuple[str, frozenset[str]], DocSet] = {}

    def verified_dates(self) -> list[dt.date]:
        """The distinct dates the programs were last checked on."""
        return [dt.date.fromordinal(int(day)) for day in np.unique(self._verified)]

    def _widened(self, q: SearchQuery, name: str, values: frozenset[str]) -> frozenset[str]:
        """The values a selection matches: with include_open, a facet's wildcard too (open, any)."""
        wildcard = self.wildcards.get(name) if q.include_open else None
        return values | {wildcard} if wildcard else values

    def _allowed(self, q: SearchQuery, skip: str | None = None) -> DocSet | None:
        """Documents passing every filter but `skip`'s: OR within a facet, AND across facets; None = all."""
        result: DocSet | None = None
        for name, values in q.filters.items():
            if name == skip or not values:
                continue
            chosen = self._union(name, self._widened(q, name, frozenset(values)))
            result = chosen if result is None else result & chosen
        if q.has_link and skip != "has_link":
            result = self.linked if result is None else result & self.linked
        if q.updated_since is not None:
            newer = DocSet(self._updated > _micros(q.updated_since))
            result = newer if result is None else result & newer
        if q.verified_since is not None:
            fresh = DocSet(self._verified >= q.verified_since.toordinal())
            result = fresh if result is None else result & fresh
        return result

    def _union(self, name: str, values: frozenset[str]) -> DocSet:
        """Documents with any of these values of one facet; kept, as the same selections recur."""
        sets = self.value_docs.get(name, {})
        none = DocSet.union([], self.size)
        if len(values) == 1:
            return sets.get(next(iter(values)), none)
        key = (name, values)
        found = self._unions.get(key)
        if found is None:
            found = DocSet.union([sets.get(v, none) for v in sorted(values)], self.size)
            if len(self._unions) >= 256:
                self._unions.clear()  # bounded: start over rather than keep every combination ever asked for
            self._unions[key] = found
        return found

    def _facets(self, q: SearchQuery, matched: DocSet) -> dict[str, list[FacetCount]]:
        out = {}
        for name, vocab in FACETS.items():
            allowed = self._allowed(q, skip=name)
            base = matched if allowed is None else matched & allowed
            selected = q.filters.get(name, frozenset())
            wildcard = self.wildcards.get(name) if q.include_open else None
            also = self.value_docs[name].get(wildcard) if wildcard else None  # each value counts the wildcard's too
            counts = self._facet_bits[name].counts(base, also)
            out[name] = [FacetCount(t.value, t.label, counts[t.value], t.value in selected) for t in vocab.terms]
        return out

    def _with_link(self, q: SearchQuery, matched: DocSet) -> int:
        """What has_link=true would give: the matches under every other filter that have a followable link."""
        allowed = self._allowed(q, skip="has_link")
        return len((matched if allowed is None else matched & allowed) & self.linked)


def _micros(when: dt.datetime) -> int:
    """A time as microseconds since 1970 UTC (a time without a zone taken as UTC): exact, unlike a float."""
    since = (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)) - EPOCH
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
