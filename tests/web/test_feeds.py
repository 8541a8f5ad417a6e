"""Follow a search: /feed.xml takes the search's own filters, so a reader hears of new and changed matches."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    feed = ET.fromstring(response.content)
    return [(e.find(f"{ATOM}link").get("href") or "").rsplit("/", 1)[1] for e in feed.findall(f"{ATOM}entry")]


def api_ids(client: Client, query: str) -> set[str]:
    return {r["id"] for r in client.get(f"/api/v1/programs?{query}&per_page=100").json()["results"]}


@pytest.mark.parametrize(
    "query",
    [
        "demographic_focus=women",
        "q=leadership",
        "career_stage=early-career&format=virtual&format=online",
        "type=small-group",
    ],
)
def test_a_search_feed_holds_exactly_the_search_results(client: Client, query: str) -> None:
    got = entries(client, f"/feed.xml?{query}")
    assert set(got) == api_ids(client, query)
    assert len(got) < len(entries(client, "/feed.xml"))


def test_the_feed_names_its_search_and_links_back_to_it(client: Client) -> None:
    feed = ET.fromstring(client.get("/feed.xml?demographic_focus=women&q=leadership").content)
    assert feed.findtext(f"{ATOM}title") == (
        "Mentor Directory: programs added or checked (matching “leadership”; Demographic focus: Women)"
    )
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/feed.xml?q=leadership&demographic_focus=women"
    # the website's default is the other way (programs open to everyone included): the page says aimed-only too
    assert links["alternate"] == "http://testserver/?q=leadership&demographic_focus=women&include_open=false"
    assert feed.findtext(f"{ATOM}id") == links["self"]


def test_the_search_page_offers_its_own_feed(client: Client) -> None:
    page = BeautifulSoup(
        client.get("/?q=leadership&demographic_focus=women&sort=name&compare=elam").text, "html.parser"
    )
    head = page.select_one('head link[rel=alternate][type="application/atom+xml"][href^="/feed.xml?"]')
    follow_page = client.get(str(page.select_one("a.follow-page")["href"]))  # "Follow this search": the page
    visible = BeautifulSoup(follow_page.text, "html.parser").select_one("a.follow")
    assert head is not None and visible is not None
    assert head["href"] == visible["href"]
    params = dict(parse_qsl(urlsplit(visible["href"]).query))
    # no sort, page or compare list; the page's mode (programs open to everyone included), which the feed's own
    # default is not
    assert params == {"q": "leadership", "demographic_focus": "women", "include_open": "true"}
    assert set(entries(client, visible["href"])) == api_ids(
        client, "q=leadership&demographic_focus=women&include_open=true"
    )


def test_bad_feed_parameters_are_a_clear_400(client: Client) -> None:
    for url, param in [("/feed.xml?career_stage=midcareer", "career_stage"), ("/feed.xml?page=2", "page")]:
        response = client.get(url)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["param"] == param


def test_a_changed_program_tops_the_feeds_that_match_it(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        before = c.get("/feed.xml?type=small-group")
        tag = before.headers["etag"]
        assert c.get("/feed.xml?type=small-group", headers={"If-None-Match": tag}).status_code == 304
        # Re-dating last_verified alone (the entry cites only the review) reads nothing new: no feed moves.
        before_ids = entries(c, "/feed.xml")
        catalog.write_text(
            FIXTURE_CATALOG.read_text().replace("last_verified: 2026-04-01", "last_verified: 2026-11-30")
        )
        assert c.app.state.live.reload()
        assert entries(c, "/feed.xml") == before_ids
        # A curator edits the entry with the program's confirmation: the catalog's own date moves, so the feed of
        # every server agrees that it changed.
        edited = FIXTURE_CATALOG.read_text().replace(
            "A small confidential group of women researchers", "A small confidential group of women scientists"
        )
        edited = edited.replace("last_verified: 2026-04-01", "last_verified: 2026-11-30")
        checked = "    last_verified: 2026-11-30\n"
        catalog.write_text(edited.replace(checked, checked + "    confirmed_with_program: 2026-11-30\n", 1))
        assert "confirmed_with_program: 2026-11-30" in catalog.read_text()
        assert c.app.state.live.reload()
        assert entries(c, "/feed.xml?type=small-group")[0] == "swims"
        assert entries(c, "/feed.xml")[0] == "swims"
        assert "swims" not in entries(c, "/feed.xml?type=leadership-program")
        assert c.get("/feed.xml?type=small-group", headers={"If-None-Match": tag}).status_code == 200


def test_control_characters_in_the_words_still_give_well_formed_xml(client: Client) -> None:
    response = client.get("/feed.xml?q=%00%01")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # well-formed
    assert feed.findtext(f"{ATOM}title") == "Mentor Directory: programs added or checked"


def test_an_empty_feed_is_dated_by_the_catalog_never_1970(client: Client) -> None:
    empty = ET.fromstring(client.get("/feed.xml?q=zzzzqxw").content)
    assert empty.findall(f"{ATOM}entry") == []
    full = ET.fromstring(client.get("/feed.xml").content)
    assert empty.findtext(f"{ATOM}updated") == full.findtext(f"{ATOM}updated")  # the catalog's latest date
    assert not str(empty.findtext(f"{ATOM}updated")).startswith("1970")
