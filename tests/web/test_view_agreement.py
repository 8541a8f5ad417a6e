"""One answer, many views: for generated searches in both modes, the page, its feed, its CSV, the API, the
completions typed on it, its offers, its sidebar counts and its eligibility link state the same set and counts;
and the coverage chart's every count is what its link opens."""

from __future__ import annotations

import random

import pytest
from bs4 import Tag

from app.web.urlstate import State
from tests.support.app import Client
from tests.support.html import page
from tests.support.views import disagreements, searches, total_of

SEARCHES = 60  # each in both modes: 120 searches (about 75 s; 240 took 150 s of CI's 15 minutes)


@pytest.mark.slow
def test_every_view_of_a_search_states_the_pages_set_and_counts(real: Client) -> None:
    rng = random.Random(24)
    generated = list(searches(24, SEARCHES))
    assert len(generated) >= 100 and {("include_open", "false") in s for s in generated} == {True, False}
    problems = [p for pairs in generated for p in disagreements(real, pairs, rng)]
    assert problems == [], f"{len(problems)} disagreements, e.g.:\n" + "\n".join(problems[:15])


def test_a_feed_without_the_pages_mode_is_caught(real: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is not vacuous: a feed link that drops the page's mode (the defect of issue 24) is found."""
    wrong = State.feed_href
    monkeypatch.setattr(State, "feed_href", lambda self: wrong(self).replace("&include_open=true", ""))
    pairs = [("career_stage", "early-career"), ("demographic_focus", "women")]
    problems = disagreements(real, pairs, random.Random(1))
    assert any("its feed" in p for p in problems), problems


def test_the_coverage_charts_counts_are_what_their_links_open(real: Client) -> None:
    soup = page(real, "/coverage")
    links = [a for a in soup.select("main a[href^='/?']") if any(ch.isdigit() for ch in a.get_text())]
    assert len(links) > 40
    for a in links:
        said = a.get_text(" ", strip=True) or str(a.get("aria-label"))
        n = int(next(w for w in said.replace(":", " ").split() if w.isdigit()))
        assert isinstance(a, Tag)
        assert total_of(real, str(a["href"])) == n, (a["href"], said)
