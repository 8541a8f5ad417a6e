"""What the search answers on the fixture catalog and on 400 generated programs, recorded as the oracle of
tests/search/test_equivalence.py.

    PYTHONPATH=. .venv/bin/python -m tests.support.search_expected   # rewrites tests/fixtures/search_expected.json

The file was written by the set-and-dict search of `main` at commit bb8076f (issues 12 and 14 merged: include_open,
has_link, prefixes, word forms, typo tolerance, named facet values, guides, offers, escapes, completions), by this
script run in a checkout of that commit, so the equivalence test holds the vector search to that search's scores,
order, totals and facet counts. Rewrite it only for a deliberate change of what the search answers, the same way
(the search to match checked out, this script run there), and say so in the commit.

Re-recorded once since, for issue 24's deliberate changes (every other answer unchanged): a synonym group's phrase
matches only with its words side by side ("peer mentoring group", "urm", "underrepresented in medicine",
"how to start a peer mentoring group"; "online thursday pulmonary" generated), a four-letter word forgives a
dropped letter ("grup", "peer grup", "mentoring grup" now find "group"), "K award" names Program type: Training-grant
program (its offer), the identity words complete "a" to Underrepresented in medicine (African American), and a
way out of an empty answer removes a phrase whole, as typed ("K award", "peer mentoring", "junior faculty",
"underrepresented in medicine"), never one of its words.

Re-recorded for issue 24 part A's deliberate changes: with a group or specialty chosen or named, the programs aimed
at it come first ("" and "online" with Women; "ridge circle", "online thursday pulmonary", "gastroenterology creek",
"particular cohort" generated), a sponsor completion counts what searching its name finds, and similar programs
weigh a shared specialty (seven generated programs' lists).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from app.catalog.models import Catalog
from app.catalog.validate import load_catalog, validate
from app.catalog.vocab import FACETS
from app.config import SYNONYMS, WORDFORMS
from app.search.analysis import Synonyms
from app.search.index import SearchIndex
from app.search.query import Document, SearchQuery
from bench import generate
from bench.queries import common_mix, frequent_words, mix

FIXTURES = Path(__file__).parents[1] / "fixtures"
EXPECTED = FIXTURES / "search_expected.json"
GENERATED = 400
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def catalogs() -> dict[str, Catalog]:
    return {
        "fixture": load_catalog(FIXTURES / "catalog.yaml"),
        "generated": validate(generate.generate(GENERATED)),
    }


def documents(catalog: Catalog) -> list[Document]:
    """The catalog's programs, updated at distinct, shuffled times (so that sorting by them is tested)."""
    return [
        Document.from_record(p.record, updated_at=EPOCH + dt.timedelta(hours=(i * 37) % 997))
        for i, p in enumerate(catalog.programs)
    ]


def open_index(catalog: Catalog, directory: Path) -> SearchIndex:
    return SearchIndex.open_or_build(directory, catalog.version, documents(catalog), Synonyms.load(SYNONYMS, WORDFORMS))


FIXTURE_TEXTS = [
    "", "leadership", "women faculty", "mentorhsip", "peer mentoring group", "junior faculty", "online", "urm",
    "women", "mentoring", "faculty", "physician moms group", "elam", "ELAM leadership", "female", "K award",
    "underrepresented in medicine", "leadershp elam", "xyzzy", "xyzzy leadership", "rheumatolgy", "seminars",
    "grup", "peer grup", "wmen leadership",
    # issue 14: prefixes of the last word, word forms, typos by length, named facet values, a guide's question
    "lead", "mentoring gro", "wom", "endocrinology", "endocrinologist", "leadersihp", "virtual", "virtual mentoring",
    "online women", "junior faculty leadership", "how to start a peer mentoring group", "qqqq women",
]  # fmt: skip
FIXTURE_FILTERS: list[dict[str, frozenset[str]]] = [
    {},
    {"format": frozenset({"in-person", "online"})},
    {"demographic_focus": frozenset({"women"})},
    {"career_stage": frozenset({"early-career", "mid-career"}), "type": frozenset({"leadership-program"})},
    {"specialty": frozenset({"any"}), "scope": frozenset({"national", "international"})},
]


WIDENED_FILTERS: list[dict[str, frozenset[str]]] = [
    {},
    {"demographic_focus": frozenset({"women"})},
    {"specialty": frozenset({"internal-medicine"}), "format": frozenset({"online"})},
    {"demographic_focus": frozenset({"underrepresented-in-medicine", "women"}), "specialty": frozenset({"any"})},
]
SINCE = EPOCH + dt.timedelta(hours=500)
VERIFIED = dt.date(2025, 6, 1)
COMPLETED = ["a", "wom", "women in", "lead", "vir", "fac", "endo", "peer gr", "nat", "zzz"]


def queries(name: str, catalog: Catalog) -> Iterator[SearchQuery]:
    """The searches recorded for one catalog: relevance pages, every match, other sorts, second pages, dates."""
    if name == "fixture":
        yield from _fixture_queries()
    else:
        yield from _generated_queries(catalog)


def _fixture_queries() -> Iterator[SearchQuery]:
    for text, filters in itertools.product(FIXTURE_TEXTS, FIXTURE_FILTERS):
        yield SearchQuery(text=text, filters=filters, limit=None)
    for text, filters in itertools.product(FIXTURE_TEXTS[::3], WIDENED_FILTERS):  # issue 12's modes
        yield SearchQuery(text=text, filters=filters, limit=None, include_open=True)
        yield SearchQuery(text=text, filters=filters, limit=5, has_link=True)
        yield SearchQuery(text=text, filters=filters, limit=5, include_open=True, has_link=True)
    for text in FIXTURE_TEXTS[:8]:
        for sort in ("name", "-last_verified", "-updated_at"):
            yield SearchQuery(text=text, sort=sort, limit=3, offset=1)  # type: ignore[arg-type]
        yield SearchQuery(text=text, limit=2, offset=2, updated_since=SINCE, verified_since=VERIFIED)


def _generated_queries(catalog: Catalog) -> Iterator[SearchQuery]:
    for text in ("grup", "mentoring grup", "carer", "wmen faculty"):  # respellings offered, or not
        yield SearchQuery(text=text)
    searches = mix(60) + common_mix(frequent_words(documents(catalog)), 60)
    for i, m in enumerate(searches):
        q = m.query()
        yield q
        if i % 6 == 0:
            yield SearchQuery(text=q.text, filters=q.filters, limit=None, highlight=False)
        if i % 5 == 0:
            yield SearchQuery(text=q.text, filters=q.filters, offset=20, limit=20)
        if i % 7 == 0:
            sort = ("name", "-last_verified", "-updated_at")[i % 3]
            yield SearchQuery(text=q.text, filters=q.filters, sort=sort, limit=10)  # type: ignore[arg-type]
        if i % 11 == 0:
            yield SearchQuery(text=q.text, filters=q.filters, updated_since=SINCE, verified_since=VERIFIED)
        if i % 4 == 0:
            yield SearchQuery(text=q.text, filters=q.filters, include_open=True, has_link=i % 8 == 0)
    yield SearchQuery(limit=None, highlight=False)


def _describe(q: SearchQuery) -> dict[str, Any]:
    return {
        "text": q.text,
        "filters": {k: sorted(v) for k, v in sorted(q.filters.items())},
        "sort": q.sort,
        "offset": q.offset,
        "limit": q.limit,
        "updated_since": q.updated_since.isoformat() if q.updated_since else None,
        "verified_since": q.verified_since.isoformat() if q.verified_since else None,
        "highlight": q.highlight,
        "include_open": q.include_open,
        "has_link": q.has_link,
    }


def answer(index: SearchIndex, q: SearchQuery) -> dict[str, Any]:
    """One search's answer as recorded: totals, the page's ids and scores, every facet count, the rest digested."""
    r = index.search(q)
    marks = orjson.dumps([h.highlights for h in r.hits], option=orjson.OPT_SORT_KEYS)
    return {
        "total": r.total,
        "ids": [h.id for h in r.hits],
        "scores": [h.score for h in r.hits],
        "facets": {name: [c.count for c in counts] for name, counts in r.facets.items()},
        "selected": {name: [c.value for c in counts if c.selected] for name, counts in r.facets.items()},
        "suggestion": r.suggestion,
        "relaxed": r.relaxed,
        "highlights": hashlib.sha256(marks).hexdigest()[:16],
        "with_link": r.with_link,
        "offers": orjson.loads(orjson.dumps(r.suggested_filters)),
        "escapes": orjson.loads(orjson.dumps(r.escapes)),
        "guides": orjson.loads(orjson.dumps(r.guides)),
    }


def here(include_open: bool) -> SearchQuery:
    """A search page without filters, in one mode: where the completions are counted."""
    return SearchQuery(
        filters={n: frozenset(v.default) for n, v in FACETS.items() if v.default}, include_open=include_open
    )


def completions(index: SearchIndex) -> dict[str, Any]:
    """What completing a few inputs offers, in both modes (a filter value's count widens with include_open)."""
    return {
        f"{text}|{mode}": orjson.loads(orjson.dumps(index.complete(text, here=here(mode))))
        for text in COMPLETED
        for mode in (False, True)
    }


def record(name: str, catalog: Catalog, directory: Path) -> dict[str, Any]:
    index = open_index(catalog, directory)
    try:
        found = [{"query": _describe(q), "answer": answer(index, q)} for q in queries(name, catalog)]
        ids = [p.id for p in catalog.programs]
        similar = {i: index.similar(i) for i in ids[:: max(1, len(ids) // 40)]}
        completed = completions(index)
    finally:
        index.close()
    return {
        "version": catalog.version,
        "facets": list(FACETS),
        "searches": found,
        "similar": similar,
        "completions": completed,
    }


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        out = {name: record(name, c, Path(scratch) / name) for name, c in catalogs().items()}
    lines = [b"{"]  # one search a line: a readable diff when a deliberate change rewrites some answers
    for n, (name, part) in enumerate(out.items()):
        lines.append(
            b'"%s": {"version": %s, "facets": %s, "similar": %s, "completions": %s, "searches": ['
            % (
                name.encode(),
                orjson.dumps(part["version"]),
                orjson.dumps(part["facets"]),
                orjson.dumps(part["similar"]),
                orjson.dumps(part["completions"]),
            )
        )
        lines.append(b",\n".join(orjson.dumps(s) for s in part["searches"]))
        lines.append(b"]}" + (b"," if n < len(out) - 1 else b""))
    lines.append(b"}\n")
    EXPECTED.write_bytes(b"\n".join(lines))
    print(f"{EXPECTED}: {sum(len(v['searches']) for v in out.values())} searches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
