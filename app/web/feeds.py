"""Atom feeds: the programs most recently added or changed, of the whole directory or of one search."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from app.api.deps import ExportSearchDep, canonical, for_the_website
from app.catalog.provenance import provenance
from app.catalog.vocab import FACETS
from app.live.snapshot import Snapshot
from app.plumbing import BaseUrlDep, LiveDep, SnapshotDep, from_catalog, stored
from app.search.query import SearchQuery, clean
from app.web.common import TEMPLATES
from app.web.present import catalog_dates

FEED_ENTRIES = 50


def feed(request: Request, asked: ExportSearchDep, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """An Atom feed of the programs most recently added or checked; with search parameters, of those that match."""
    items = canonical(asked, None, paged=False)
    items = [(k, v) for k, v in items if k != "sort"]  # a feed is always newest first
    items = [(k, v) for k, v in items if not (k in FACETS and FACETS[k].default and k not in request.query_params)]

    def render() -> Response:
        query = replace(asked.query, offset=0, limit=None, highlight=False)
        # Dated by the catalog itself (when added, the day its provenance states), so every server's feed agrees.
        hits = snap.index.search(query).hits
        dated = [(catalog_dates(snap.programs[h.id].record), h.id) for h in hits if h.id in snap.programs]
        latest = sorted(dated, key=lambda e: (e[0][1], e[1]), reverse=True)[:FEED_ENTRIES]
        found = {p.id: p for p in stored(live, snap, [pid for _, pid in latest])}
        months = live.settings.recheck_months
        entries = [
            (found[pid], dates, provenance(found[pid].record, months=months)) for dates, pid in latest if pid in found
        ]
        updated = entries[0][1][1] if entries else newest(snap)  # an empty feed: as new as the catalog
        query_string = urlencode(items)
        website = urlencode(for_the_website(items, include_open=asked.query.include_open))
        body = TEMPLATES.get_template("feed.xml").render(
            entries=entries,
            base=base,
            updated=updated,
            about=describe(asked.query),
            self_url=f"{base}/feed.xml" + (f"?{query_string}" if query_string else ""),
            html_url=f"{base}/" + (f"?{website}" if website else ""),
        )
        return Response(body, media_type=feed_type(request), headers={"Vary": "Accept"})

    shape = [("as", feed_type(request))]  # the two media types are two representations: two ETags
    return from_catalog(request, snap, base, render, items + shape)


def feed_type(request: Request) -> str:
    """Atom for feed readers; for a browser (it asks for HTML), the same document as XML, which Chromium styles with
    the feed's XSL stylesheet (it shows application/atom+xml as bare text)."""
    browser = "text/html" in request.headers.get("accept", "")
    return ("application/xml" if browser else "application/atom+xml") + "; charset=utf-8"


def newest(snap: Snapshot) -> dt.datetime:
    """The latest date the catalog gives any program (added, checked, confirmed); 2020-01-01 for an empty one."""
    days = [catalog_dates(p.record)[1] for p in snap.programs.values()]
    return max(days, default=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


def describe(query: SearchQuery) -> str:
    """A search in words, for a feed's title: 'matching “women”; Career stage: Early-career faculty'; the words as the
    search read them (no control characters, which XML cannot hold)."""
    parts = [f"matching “{clean(query.text)}”"] if clean(query.text) else []
    for name, vocab in FACETS.items():
        chosen = [t.label for t in vocab.terms if t.value in query.filters.get(name, ())]
        if chosen and set(query.filters.get(name, ())) != set(vocab.default):  # a default is no choice of the reader's
            parts.append(f"{vocab.label}: {' or '.join(chosen)}")
    if query.updated_since is not None:
        parts.append(f"changed since {query.updated_since.date().isoformat()}")
    if query.verified_since is not None:
        parts.append(f"verified since {query.verified_since.isoformat()}")
    return "; ".join(parts)
