"""The search page's parts beyond the results: the ways out of an empty answer, the filters the words name, the
switch between "open to me" and "aimed at me", and the results in their parts (aimed at the search first)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from app.catalog.vocab import FACETS, WIDENED
from app.live.snapshot import Snapshot
from app.search.query import SearchQuery, SearchResult
from app.web.common import count
from app.web.urlstate import State


def escapes(snap: Snapshot, query: SearchQuery, result: SearchResult, state: State) -> list[dict[str, Any]]:
    """When nothing matched: each word and each filter whose removal would find something, with how many."""
    out = [  # a facet's default (status: still offered) is not the reader's filter: the ended hint offers that
        {"label": e.label, "href": state.without(e.name), "total": e.total}
        if e.kind == "filter"
        else {"label": f"“{e.label}”", "href": state.href(q=e.q), "total": e.total}
        for e in result.escapes
        if e.kind == "word" or e.name in state.filters
    ]
    if state.has_link and (total := count(snap, replace(query, has_link=False)).total):
        out.append({"label": "Has a website", "href": state.href(has_link=False), "total": total})
    everything = replace(
        query, filters={k: v for k, v in query.filters.items() if k not in state.filters}, has_link=False
    )
    if query.text and len(state.filters) + state.has_link > 1 and (total := count(snap, everything).total):
        out.append({"label": "every filter", "href": state.href(filters={}, has_link=False), "total": total})
    return out


def offers(result: SearchResult, state: State) -> list[dict[str, Any]]:
    """The filters the words name, as links: the other words, with the filter ticked."""
    out = []
    for o in result.suggested_filters:
        chosen = {*state.filters.get(o.facet, ()), o.value}
        filters = {**state.filters, o.facet: tuple(v for v in FACETS[o.facet].values if v in chosen)}
        out.append(
            {"facet": o.facet_label, "label": o.label, "total": o.total, "href": state.href(q=o.q, filters=filters)}
        )
    return out


PART_TITLES = {"open": "Also open to you", "other": "Other programs matching your words"}


def parted(result: SearchResult, hits: list[tuple[Any, Any]], first: int) -> list[dict[str, Any]]:
    """The page's hits in their parts (aimed at the search first, then "Also open to you"), each part's list numbered
    on from the last; one group without a title when the results are not in parts."""
    if len(result.parts) < 2:
        return [{"part": None, "title": None, "hits": hits, "start": first + 1}]
    aimed = [
        FACETS[name].label_of(v) for name, values in result.aimed_at.items() for v in FACETS[name].values if v in values
    ]
    counts = {p.name: p.count for p in result.parts}
    groups, start = [], first + 1
    for part, members in itertools.groupby(hits, key=lambda h: h[0].part):
        shown = list(members)
        title = PART_TITLES.get(part or "") or "Aimed at " + " or ".join(aimed)
        groups.append({"part": part, "title": title, "count": counts.get(part or "", 0), "hits": shown, "start": start})
        start += len(shown)
    return groups


def eligibility(snap: Snapshot, query: SearchQuery, result: SearchResult, state: State) -> dict[str, Any] | None:
    """With a demographic-focus or specialty filter: how many results are programs open to all, and the link that
    switches between "open to me" (include them) and "aimed at me" (only the values chosen)."""
    chosen = [(v, value) for v in WIDENED for value in state.filters.get(v.name, ()) if value != v.wildcard]
    if not chosen:
        return None
    other = count(snap, replace(query, include_open=not query.include_open)).total
    if other == result.total:  # no program open to everyone would be added or taken away: nothing to choose
        return None
    return {
        "on": query.include_open,
        "open": abs(result.total - other),
        "labels": ", ".join(v.label_of(value) for v, value in chosen),
        "href": state.href(include_open=not state.include_open),
    }
