"""Aimed-at first: with a group or specialty chosen (or named by the words), no program open to everyone ranks
above a program aimed at it, in every sort; each part keeps the order asked for."""

from __future__ import annotations

import pytest

from app.catalog.models import Catalog
from app.catalog.vocab import WIDENED
from app.search.index import SearchIndex
from app.search.query import SORTS, SearchQuery

OFFERED = {"status": frozenset({"active", "unverified"})}
VALUES = [(v.name, t.value) for v in WIDENED for t in v.terms if t.value != v.wildcard]


def carrying(catalog: Catalog, facet: str, value: str) -> set[str]:
    field = next(v.field for v in WIDENED if v.name == facet)
    return {p.id for p in catalog.programs if value in (p.record.get(field) or ())}


@pytest.mark.parametrize(("facet", "value"), VALUES)
@pytest.mark.parametrize("text", ["", "mentoring"])
def test_no_program_open_to_everyone_ranks_above_one_aimed_at_the_choice(
    real_index: SearchIndex, real_catalog: Catalog, facet: str, value: str, text: str
) -> None:
    aimed = carrying(real_catalog, facet, value)
    wildcard = next(v.wildcard for v in WIDENED if v.name == facet) or ""
    opened = carrying(real_catalog, facet, wildcard)
    for sort in SORTS:
        q = SearchQuery(text, {**OFFERED, facet: frozenset({value})}, sort, limit=None, include_open=True)  # type: ignore[arg-type]
        result = real_index.search(q)
        ids = [h.id for h in result.hits]
        last_aimed = max((i for i, x in enumerate(ids) if x in aimed), default=-1)
        first_open = min((i for i, x in enumerate(ids) if x in opened - aimed), default=len(ids))
        assert last_aimed < first_open, (facet, value, text, sort, ids)
        assert [h.part for h in result.hits] == ["aimed"] * (last_aimed + 1) + ["open"] * (len(ids) - last_aimed - 1)
        assert [(p.name, p.count) for p in result.parts] == [
            (name, n) for name, n in (("aimed", last_aimed + 1), ("open", len(ids) - last_aimed - 1)) if n
        ]
        # each part in the order asked for: the same as searching that part alone
        if sort != "relevance":
            alone = real_index.search(SearchQuery(text, {**OFFERED, facet: frozenset({value})}, sort, limit=None))
            assert ids[: last_aimed + 1] == [h.id for h in alone.hits]


def test_a_page_of_the_results_is_a_slice_of_them_all(real_index: SearchIndex) -> None:
    women = {**OFFERED, "demographic_focus": frozenset({"women"})}
    every = [h.id for h in real_index.search(SearchQuery("", women, "name", limit=None, include_open=True)).hits]
    pages = [
        h.id
        for offset in range(0, len(every), 7)
        for h in real_index.search(SearchQuery("", women, "name", offset=offset, limit=7, include_open=True)).hits
    ]
    assert pages == every and len(every) > 14


def test_a_group_named_by_the_words_comes_first_then_programs_open_to_everyone(real_index: SearchIndex) -> None:
    result = real_index.search(SearchQuery("women leadership", OFFERED, "name", limit=None))
    parts = [h.part for h in result.hits]
    assert parts[0] == "aimed" and parts == sorted(parts, key=["aimed", "open", "other"].index)
    assert {p.name for p in result.parts} >= {"aimed"}


def test_without_a_group_or_specialty_there_are_no_parts(real_index: SearchIndex) -> None:
    result = real_index.search(SearchQuery("leadership", {**OFFERED, "format": frozenset({"virtual"})}))
    assert result.parts == [] and all(h.part is None for h in result.hits)
    everyone = real_index.search(SearchQuery("", {**OFFERED, "demographic_focus": frozenset({"open"})}))
    assert everyone.parts == []  # "None of these": the programs open to everyone, in one list
