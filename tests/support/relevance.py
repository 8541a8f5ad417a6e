"""Scoring the search against tests/search/relevance.yaml: the hit rate in the top 3 and the mean reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.search.index import SearchIndex
from app.search.query import SearchQuery

CASES = Path(__file__).resolve().parents[1] / "search" / "relevance.yaml"
TOP = 3
DEPTH = 10  # ranks past this count as not found for the MRR


@dataclass(frozen=True)
class Case:
    q: str
    expect: frozenset[str]
    filters: dict[str, frozenset[str]]


@dataclass(frozen=True)
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the first expected program, None if not in the first DEPTH
    top: list[str]

    @property
    def hit(self) -> bool:
        return self.rank is not None and self.rank <= TOP


def load_cases(path: Path = CASES) -> list[Case]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Case(
            str(c["q"]),
            frozenset(c["expect"]),
            {name: frozenset(values) for name, values in (c.get("filters") or {}).items()},
        )
        for c in data["cases"]
    ]


def run(index: SearchIndex, cases: list[Case]) -> list[Outcome]:
    out = []
    for case in cases:
        found = index.search(SearchQuery(text=case.q, filters=case.filters, limit=DEPTH, highlight=False))
        top = [h.id for h in found.hits]
        rank = next((i + 1 for i, pid in enumerate(top) if pid in case.expect), None)
        if not case.expect:  # no program is for it: the right answer is none at all
            rank = None if found.total else 1
        out.append(Outcome(case, rank, top))
    return out


def hit_rate(outcomes: list[Outcome]) -> float:
    return sum(o.hit for o in outcomes) / len(outcomes)


def mrr(outcomes: list[Outcome]) -> float:
    return sum(1 / o.rank for o in outcomes if o.rank) / len(outcomes)
