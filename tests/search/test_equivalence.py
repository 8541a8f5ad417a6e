"""The vector search answers as the set-and-dict search did: the same totals, pages, scores and facet counts.

The expected answers (tests/fixtures/search_expected.json) were recorded by `main`'s set-and-dict search at
bb8076f (issues 12 and 14 merged), before postings were combined as vectors; see tests/support/search_expected.py.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.models import Catalog
from app.catalog.vocab import FACETS
from app.search import highlight
from app.search.analysis import WORD_RE, term_of
from app.search.index import SearchIndex
from app.search.query import SearchQuery
from tests.support import search_expected as recorded


@cache
def expected() -> dict[str, Any]:
    return dict(orjson.loads(recorded.EXPECTED.read_bytes()))


@cache
def catalogs() -> dict[str, Catalog]:
    return recorded.catalogs()


def query_of(d: dict[str, Any]) -> SearchQuery:
    return SearchQuery(
        text=d["text"],
        filters={k: frozenset(v) for k, v in d["filters"].items()},
        sort=d["sort"],
        offset=d["offset"],
        limit=d["limit"],
        updated_since=dt.datetime.fromisoformat(d["updated_since"]) if d["updated_since"] else None,
        verified_since=dt.date.fromisoformat(d["verified_since"]) if d["verified_since"] else None,
        highlight=d["highlight"],
        include_open=d["include_open"],
        has_link=d["has_link"],
    )


def differences(index: SearchIndex, name: str) -> list[str]:
    """Every way this index's answers differ from the recorded ones (empty when they agree)."""
    out = []
    for case in expected()[name]["searches"]:
        want, got = case["answer"], recorded.answer(index, query_of(case["query"]))
        where = f"{name} {case['query']}"
        keys = ("total", "ids", "facets", "selected", "suggestion", "relaxed", "highlights", "with_link", "offers")
        for key in (*keys, "escapes", "guides"):
            if got[key] != want[key]:
                out.append(f"{where}: {key} {got[key]!r} != {want[key]!r}")
        for hit, a, b in zip(want["ids"], got["scores"], want["scores"], strict=False):
            if (a is None) != (b is None) or (a is not None and not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)):
                out.append(f"{where}: score of {hit} {a!r} != {b!r}")
    if (completed := recorded.completions(index)) != expected()[name]["completions"]:
        out.append(f"{name} completions: {completed} != {expected()[name]['completions']}")
    for program_id, similar in expected()[name]["similar"].items():
        if index.similar(program_id) != similar:
            out.append(f"{name} similar({program_id}): {index.similar(program_id)} != {similar}")
    return out


@pytest.mark.parametrize("name", ["fixture", "generated"])
def test_the_recorded_answers_are_of_these_catalogs(name: str) -> None:
    assert expected()[name]["version"] == catalogs()[name].version, "the catalog changed: re-record the answers"
    assert expected()[name]["facets"] == list(FACETS)
    searches = expected()[name]["searches"]
    assert len(searches) > 100
    assert sum(bool(s["answer"]["total"]) for s in searches) > 100  # most searches find something
    assert any(s["answer"]["suggestion"] for s in searches) and any(s["answer"]["relaxed"] for s in searches)
    answers = [s["answer"] for s in searches]
    assert any(s["query"]["include_open"] and s["answer"]["total"] for s in searches)
    assert any(s["query"]["has_link"] and s["answer"]["total"] for s in searches)
    assert any(a["offers"] for a in answers) and any(a["escapes"] for a in answers)


@pytest.mark.parametrize("name", ["fixture", pytest.param("generated", marks=pytest.mark.slow)])
def test_answers_equal_the_set_and_dict_search(name: str, tmp_path: Path) -> None:
    index = recorded.open_index(catalogs()[name], tmp_path)
    try:
        assert differences(index, name) == []
        assert differences(index, name) == []  # again, answered from the caches
    finally:
        index.close()


@pytest.mark.slow
def test_answers_do_not_depend_on_the_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.search.index.LEAF_CACHE_POSTINGS", 50)  # evicts terms and words all the time
    monkeypatch.setattr("app.search.index.LEAF_CACHE_PER_PROGRAM", 0)
    monkeypatch.setattr("app.search.index.CLAUSE_CACHE_BYTES", 4 * 400 * 9)
    monkeypatch.setattr("app.search.index.CLAUSE_CACHE_WORDS", 0)
    index = recorded.open_index(catalogs()["generated"], tmp_path)
    try:
        assert differences(index, "generated") == []
    finally:
        index.close()


def test_a_difference_is_reported(tmp_path: Path) -> None:
    # The comparison itself can fail: a search that answers differently is caught, score by score.
    index = recorded.open_index(catalogs()["fixture"], tmp_path)
    original = index.search

    def skewed(q: SearchQuery) -> Any:
        r = original(q)
        r.hits = [type(h)(h.id, None if h.score is None else h.score * (1 + 1e-9), h.highlights) for h in r.hits]
        return r

    index.search = skewed  # type: ignore[method-assign]
    try:
        found = differences(index, "fixture")
    finally:
        index.close()
    assert found and all("score of" in line for line in found)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["peer", "mentoring", "women", "e.g", "x", "group's", "faculty", "-", "  "]), max_size=120
    ),
    window=st.integers(min_value=10, max_value=240),
)
def test_a_snippet_reads_only_as_far_as_its_window_and_marks_the_same(words: list[str], window: int) -> None:
    text = " ".join(words)
    terms = frozenset({"mentor", "women"})
    whole = [m.span() for m in WORD_RE.finditer(text) if term_of(m.group()) in terms]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(highlight, "_spans", lambda text, terms, window: whole)
        expected = highlight.mark(text, terms, window=window)
    assert highlight.mark(text, terms, window=window) == expected
