"""The relevance file (tests/search/relevance.yaml) against the real catalog: a floor on the top-3 hit rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.search.index import SearchIndex
from tests.support.relevance import hit_rate, load_cases, mrr, run

FLOOR = 0.95  # the acceptance: at least 95% of the cases with an expected program in the top 3
MRR_FLOOR = 0.9  # the mean reciprocal rank, so that a right answer stays near the top, not just in the top 3
MIN_CASES = 60


def test_the_relevance_file_is_large_and_names_real_programs(real_index: SearchIndex) -> None:
    cases = load_cases()
    assert len(cases) >= MIN_CASES
    assert len({c.q.lower() for c in cases}) == len(cases), "a query is listed twice"
    unknown = {pid for c in cases for pid in c.expect} - set(real_index.docnum)
    assert unknown == set(), f"relevance.yaml expects programs not in the catalog: {sorted(unknown)}"


def test_the_expected_program_is_in_the_top_3_often_enough(
    real_index: SearchIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = run(real_index, load_cases())
    misses = [f"{o.case.q!r}: rank {o.rank}, top 3 {o.top[:3]}" for o in outcomes if not o.hit]
    with capsys.disabled():
        print(f"\nrelevance: top-3 hit rate {hit_rate(outcomes):.1%}, MRR {mrr(outcomes):.3f}, {len(outcomes)} cases")
    assert hit_rate(outcomes) >= FLOOR, "\n".join(misses)
    assert mrr(outcomes) >= MRR_FLOOR, "\n".join(misses)


def test_a_query_no_program_is_for_hits_only_when_it_finds_none(real_index: SearchIndex, tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text("cases:\n  - {q: first generation, expect: []}\n  - {q: women, expect: []}\n", encoding="utf-8")
    assert [o.hit for o in run(real_index, load_cases(cases))] == [True, False]


def test_the_scorer_counts_a_miss(real_index: SearchIndex, tmp_path: Path) -> None:
    """The measure itself: a case whose expected program cannot rank in the top 3 lowers the hit rate and MRR."""
    cases = tmp_path / "cases.yaml"
    cases.write_text("cases:\n  - {q: ELAM, expect: [elam]}\n  - {q: ELAM, expect: [swims]}\n", encoding="utf-8")
    outcomes = run(real_index, load_cases(cases))
    assert [o.hit for o in outcomes] == [True, False]
    assert hit_rate(outcomes) == 0.5 and mrr(outcomes) == 0.5
