"""The search page's offers: the filters a query's words name, the words or filters to drop, the guide."""

from __future__ import annotations

from tests.support.app import Client
from tests.support.html import hit_names, page, query


def test_a_word_naming_a_filter_gets_a_one_click_chip(client: Client) -> None:
    soup = page(client, "/?q=women+virtual&career_stage=mid-career")
    [chip] = [a for a in soup.select("a.offer") if "Format" in a.get_text()]
    assert chip.get_text(" ", strip=True) == "Filter by Format: Virtual — 1 program"
    assert query(str(chip["href"])) == {"q": ["women"], "career_stage": ["mid-career"], "format": ["virtual"]}
    after = page(client, str(chip["href"]))
    assert hit_names(after) == ["Supporting Women In the Medical Sciences"]
    assert not [a for a in after.select("a.offer") if "Format" in a.get_text()]  # chosen: not offered again


def test_an_empty_answer_offers_each_word_and_filter_to_drop(client: Client) -> None:
    soup = page(client, "/?q=women+leadership&format=online")
    assert hit_names(soup) == []
    tips = {a.get_text(" ", strip=True): a for a in soup.select(".empty li a")}
    assert set(tips) == {"Remove “leadership”", "Remove Format: Online"}  # without "women", still nothing
    word, facet = tips["Remove “leadership”"], tips["Remove Format: Online"]
    assert query(str(word["href"])) == {"q": ["women"], "format": ["online"]}
    assert query(str(facet["href"])) == {"q": ["women leadership"]}
    for link in (word, facet):
        shown = int(link.parent.get_text(" ", strip=True).split("→ ")[1].split()[0])
        assert shown == len(hit_names(page(client, str(link["href"])))) > 0


def test_a_question_about_starting_a_group_links_the_guide(client: Client) -> None:
    soup = page(client, "/?q=how+do+I+start+a+peer+mentoring+group")
    link = soup.select_one(".guide-link a")
    assert link is not None and link["href"] == "/models#start-your-own"
    assert page(client, "/models").select_one("#start-your-own") is not None
