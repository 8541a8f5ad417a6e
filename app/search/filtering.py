"""Filters, facet counts and orders of a search index: per-value document sets as boolean masks and packed bitsets.

OR within a facet, AND across facets; with `include_open` a demographic-focus or specialty selection also matches
the facet's wildcard (`open`, `any`). Counting every facet disjunctively costs a few vector operations.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.catalog.provenance import months_before
from app.catalog.vocab import FACETS, WIDENED
from app.search.columns import Columns
from app.search.query import FacetCount, SearchQuery
from app.search.vectors import DocSet, FacetBits

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WILDCARDS = frozenset(v.wildcard for v in WIDENED if v.wildcard)  # values that say "whoever", not a shared trait
SAME_FIELD = 0.25  # added to a similar program's likeness when it shares a specialty (not "any") with the program


class Filters:
    """The search index's part that knows the programs' columns, built once per catalog version: which documents
    each filter allows, the facet counts, and the orders to list them in. `updated` is each docnum's last change."""

    def __init__(self, columns: Columns, updated: Sequence[dt.datetime]) -> None:
        self.size = size = len(columns.linked)
        self.value_docs: dict[str, dict[str, DocSet]] = {}
        self._facet_bits: dict[str, FacetBits] = {}
        for name, vocab in FACETS.items():
            carried = columns.facets.get(name, {})
            self.value_docs[name] = {v: DocSet.of(docs, size) for v, docs in carried.items()}
            none = DocSet.union([], size)
            self._facet_bits[name] = FacetBits(vocab.values, [self.value_docs[name].get(v, none) for v in vocab.values])
        self._updated = np.array([_micros(when) for when in updated], dtype=np.int64)
        self._verified = columns.verified.astype(np.int64)
        self.checked = columns.checked
        self.linked = DocSet(columns.linked)
        self.wildcards = {v.name: v.wildcard for v in WIDENED if v.wildcard}
        self.name_rank = columns.name_rank
        self._unions: dict[tuple[str, frozenset[str]], DocSet] = {}
        self._orders: dict[str, np.ndarray] = {}  # each sort's docnums in order, made on first use

    def due(self, months: int) -> npt.NDArray[np.int8]:
        """1 for each program due for a fresh check today (checked over `months` ago, or never), else 0."""
        cutoff = months_before(dt.date.today(), months).toordinal()
        return (self.checked < cutoff).astype(np.int8)

    def verified_dates(self) -> list[dt.date]:
        """The distinct dates the programs were last checked on."""
        return [dt.date.fromordinal(int(day)) for day in np.unique(self._verified)]

    def _widened(self, q: SearchQuery, name: str, values: frozenset[str]) -> frozenset[str]:
        """The values a selection matches: with include_open, a facet's wildcard too (open, any)."""
        wildcard = self.wildcards.get(name) if q.include_open else None
        return values | {wildcard} if wildcard else values

    def allowed(self, q: SearchQuery, skip: str | None = None) -> DocSet | None:
        """Documents passing every filter but `skip`'s: OR within a facet, AND across facets; None = all."""
        result: DocSet | None = None
        for name, values in q.filters.items():
            if name == skip or not values:
                continue
            chosen = self.union(name, self._widened(q, name, frozenset(values)))
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

    def union(self, name: str, values: frozenset[str]) -> DocSet:
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

    def facets(self, q: SearchQuery, matched: DocSet) -> dict[str, list[FacetCount]]:
        """Each facet's values with their counts: the matches under the other facets' filters carrying it (and, with
        include_open, the facet's wildcard); and what ticking it gives: in a facet with values chosen, ticking one more
        widens the search (OR), so an unchosen value gives those chosen too. A facet's default (status) is no choice."""
        out = {}
        for name, vocab in FACETS.items():
            allowed = self.allowed(q, skip=name)
            base = matched if allowed is None else matched & allowed
            selected = q.filters.get(name, frozenset())
            wildcard = self.wildcards.get(name) if q.include_open else None
            also = self.value_docs[name].get(wildcard) if wildcard else None  # each value counts the wildcard's too
            counts = gives = self._facet_bits[name].counts(base, also)
            if selected and selected != frozenset(vocab.default):  # ticking one more value widens: count what it gives
                chosen = self.union(name, self._widened(q, name, frozenset(selected)))
                kept, more = len(base & chosen), self._facet_bits[name].counts(base - chosen)
                gives = {v: n if v in selected else kept + more[v] for v, n in counts.items()}
            out[name] = [
                FacetCount(t.value, t.label, counts[t.value], t.value in selected, gives[t.value]) for t in vocab.terms
            ]
        return out

    def with_link(self, q: SearchQuery, matched: DocSet) -> int:
        """What has_link=true would give: the matches under every other filter that have a followable link."""
        allowed = self.allowed(q, skip="has_link")
        return len((matched if allowed is None else matched & allowed) & self.linked)

    def ordered(self, docs: DocSet, sort: str, end: int | None) -> list[int]:
        """`docs` in the order of `sort` (name order within equal dates), the first `end` of them."""
        order = self._orders.get(sort)
        if order is None:
            rank = np.array(self.name_rank, dtype=np.int64)
            if sort == "-last_verified":
                order = np.lexsort((rank, -self._verified))
            elif sort == "-updated_at":
                order = np.lexsort((rank, -self._updated))
            else:
                order = np.argsort(rank)
            self._orders[sort] = order
        ranked = order[docs.mask[order]]
        out: list[int] = (ranked if end is None else ranked[:end]).tolist()
        return out

    def shared_values(self, n: int, candidates: list[int]) -> list[float]:
        """How alike each candidate's facet values are to docnum n's (wildcards aside): shared over all of either."""
        mine = self._carried[:, n : n + 1]
        theirs = self._carried[:, candidates]
        shared = np.count_nonzero(theirs & mine, axis=0)
        either = np.count_nonzero(theirs | mine, axis=0)
        out: list[float] = (shared / np.maximum(either, 1)).tolist()
        return out

    @functools.cached_property
    def _carried(self) -> np.ndarray:
        """Which facet values (wildcards aside) each program carries: one row per value, one column per program."""
        rows = [docs.mask for values in self.value_docs.values() for v, docs in values.items() if v not in WILDCARDS]
        return np.stack(rows) if rows else np.zeros((1, self.size), dtype=bool)

    def most_alike(self, n: int, kind: Sequence[str] | None, text_scores: dict[int, float], limit: int) -> list[int]:
        """The programs most like program n: its text's likeness (`text_scores`), plus shared facet values, plus a
        specialty in common (a faculty member's field first: the Endocrine Society's and the ADA's programs), among
        the text's matches and the programs of its type or specialty (when there are at most 2,000)."""
        top = max(text_scores.values(), default=0.0) or 1.0
        same_type = self.value_docs["type"].get(kind[0]) if kind else None
        nearby = set(same_type) if same_type is not None and len(same_type) <= 2000 else set[int]()
        fields = [docs for v, docs in self.value_docs["specialty"].items() if v not in WILDCARDS and n in docs]
        same_field = DocSet.union(fields, self.size)
        nearby |= set(same_field) if len(same_field) <= 2000 else set()
        candidates = sorted((set(text_scores) | nearby) - {n})
        facet_similarity = dict(zip(candidates, self.shared_values(n, candidates), strict=True))
        scored = {
            m: 0.6 * text_scores.get(m, 0.0) / top + 0.4 * facet_similarity[m] + SAME_FIELD * (m in same_field)
            for m in candidates
        }
        rank = self.name_rank
        return heapq.nlargest(limit, scored, key=lambda m: (scored[m], -rank[m]))


def _micros(when: dt.datetime) -> int:
    """A time as microseconds since 1970 UTC (a time without a zone taken as UTC): exact, unlike a float."""
    since = (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)) - EPOCH
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
