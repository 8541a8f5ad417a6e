"""A completion's count is what choosing it gives here: on a page with filters, ticking a value keeps them (the words
typed leave the box), and taking a sponsor searches its name under them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from app.catalog.vocab import FACETS
from app.search.query import SearchQuery
from app.search.suggest import Completion

Total = Callable[[SearchQuery], int]  # how many programs a search finds


def chosen(here: SearchQuery, facet: str, value: str) -> SearchQuery:
    """The search `here` with `value` ticked and no words; a facet's default (status: not ended) is no choice, so the
    value replaces it."""
    kept = here.filters.get(facet, frozenset())
    if kept == frozenset(FACETS[facet].default):
        kept = frozenset()
    return replace(here, text="", filters={**here.filters, facet: kept | {value}})


def recount(found: Sequence[Completion], here: SearchQuery, total: Total) -> list[Completion]:
    """The completions with each filter value's and sponsor's count as choosing it here gives."""
    out = []
    for c in found:
        if c.kind == "filter" and c.facet and c.value:
            c = replace(c, count=total(chosen(here, c.facet, c.value)))
        elif c.kind == "sponsor":
            c = replace(c, count=total(replace(here, text=c.label)))
        out.append(c)
    return out
