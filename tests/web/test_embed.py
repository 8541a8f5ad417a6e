"""The embeddable list (issue 25): the search's own programs in the search's order, each with who it is for, who can
join, a next step and how its facts were checked, the attribution; links that open outside the frame; frameable by
any site while every other page stays unframeable; and the page that builds its code."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.support.app import Client
from tests.support.html import hit_names, page

SEARCH = "career_stage=early-career&demographic_focus=women"


def names(soup: BeautifulSoup) -> list[str]:
    return [h.get_text(" ", strip=True).removesuffix(" (opens in a new tab)") for h in soup.select("li.program h2")]


@pytest.mark.parametrize("search", [SEARCH, "q=leadership", "type=small-group&include_open=false", ""])
def test_the_embed_shows_the_search_pages_programs_in_its_order(real: Client, search: str) -> None:
    shown = page(real, f"/?{search}&per_page=50")
    embedded = page(real, f"/embed?{search}&size=50")
    assert names(embedded) == hit_names(shown)[:50]
    assert names(embedded)


def test_each_program_says_who_it_is_for_who_can_join_its_next_step_and_its_check(real: Client) -> None:
    soup = page(real, f"/embed?{SEARCH}&size=5")
    cards = soup.select("li.program")
    assert len(cards) == 5
    for card in cards:
        terms = [dt.get_text(strip=True) for dt in card.select("dt")]
        assert terms == ["For", "Who can join"]
        assert all(dd.get_text(strip=True) for dd in card.select("dd"))
        assert card.select_one("p.next") is not None and card.select_one("p.next").get_text(strip=True)
        assert card.select_one("p.provenance") is not None
    attribution = soup.select_one("p.attribution")
    assert attribution is not None and attribution.get_text(" ", strip=True).startswith("From Mentor Directory")
    see_all = attribution.select("a")[-1]
    assert dict(parse_qsl(urlsplit(see_all["href"]).query)) == {
        "career_stage": "early-career",
        "demographic_focus": "women",
    }


def test_a_size_that_is_no_number_falls_back_to_the_default(real: Client) -> None:
    default = names(page(real, f"/embed?{SEARCH}"))
    for size in ("%C2%B2", "abc", "-5", "7"):  # "²" is a digit to str.isdigit, not to int()
        assert names(page(real, f"/embed?{SEARCH}&size={size}")) == default, size


def test_every_link_opens_outside_the_frame(real: Client) -> None:
    soup = page(real, f"/embed?{SEARCH}&size=20")
    links = soup.select("a[href]")
    assert len(links) > 20
    for a in links:
        assert a.get("target") == "_blank", a
        assert "noopener" in a.get("rel", []), a
        assert urlsplit(a["href"]).scheme in ("http", "https"), a


def test_only_the_embed_may_be_framed(real: Client) -> None:
    embed = real.get(f"/embed?{SEARCH}")
    assert "x-frame-options" not in embed.headers
    assert embed.headers["content-security-policy"].endswith("frame-ancestors *")
    assert "script-src 'self';" in embed.headers["content-security-policy"]  # still no inline script
    for path in ("/", "/programs/elam", "/embed/builder", "/follow", "/print", "/embed/", "/embedx"):
        other = real.get(path)
        assert other.headers["x-frame-options"] == "DENY", path
        assert other.headers["content-security-policy"].endswith("frame-ancestors 'none'"), path


def test_the_embed_has_no_inline_script_and_says_its_search(real: Client) -> None:
    soup = page(real, f"/embed?{SEARCH}")
    assert all(s.get("src") for s in soup.select("script"))
    assert "Career stage: Early-career" in soup.select_one("h1").get_text()


def test_size_and_look_are_chosen_and_anything_else_falls_back(real: Client) -> None:
    assert len(page(real, f"/embed?{SEARCH}&size=5&theme=dark").select("li.program")) == 5
    assert page(real, f"/embed?{SEARCH}&theme=dark").select_one("html")["class"] == ["theme-dark"]
    fallback = page(real, f"/embed?{SEARCH}&size=7000&theme=%3Cscript%3E")
    assert len(fallback.select("li.program")) == 10
    assert fallback.select_one("html")["class"] == ["theme-light"]
    assert page(real, "/embed?career_stage=midcareer").select("li.program")  # a bad filter is left out, no 500


def test_every_search_page_offers_the_builder_and_it_gives_code_and_a_preview(real: Client) -> None:
    search = page(real, f"/?q=mentoring&{SEARCH}&sort=name&compare=elam")
    link = search.select_one("a.embed-builder")
    assert link is not None and link.get_text(strip=True) == "Put this list on your site"
    builder = page(real, link["href"] + "&size=20&theme=dark")
    preview = builder.select_one("iframe.embed-preview")
    assert dict(parse_qsl(urlsplit(preview["src"]).query)) == {
        "q": "mentoring",
        "career_stage": "early-career",
        "demographic_focus": "women",
        "sort": "name",
        "size": "20",
        "theme": "dark",
    }
    code = builder.select_one("textarea#code").get_text()
    snippet = BeautifulSoup(code, "html.parser")
    assert snippet.select_one("iframe")["src"] == "http://testserver" + preview["src"]
    assert snippet.select_one("iframe")["title"]
    assert snippet.select_one("script")["src"] == "http://testserver/static/embed.js"
    assert builder.select_one("select#size option[selected]")["value"] == "20"
    assert builder.select_one("input#theme-dark")["checked"] is not None
    kept = {(i["name"], i["value"]) for i in builder.select("form.builder input[type=hidden]")}
    assert kept == {
        ("q", "mentoring"),
        ("career_stage", "early-career"),
        ("demographic_focus", "women"),
        ("sort", "name"),
    }
