"""Any search to take away (issue 25): "Download this list (CSV)", "Print this list" and "Follow this search" on every
search; the printable list holds the CSV's set; the follow page gives the feed's address in plain words, the embed,
the CSV and email alerts; the feed names an XSL stylesheet that our headers allow."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support.app import Client
from tests.support.html import page

SEARCH = "career_stage=early-career&demographic_focus=women"


@pytest.mark.parametrize("search", [SEARCH, "q=leadership", "include_ended=true", ""])
def test_every_search_offers_its_csv_print_follow_and_embed(real: Client, search: str) -> None:
    soup = page(real, f"/?{search}")
    texts = [a.get_text(" ", strip=True) for a in soup.select("ul.follow-row a")]
    assert [t.split(":")[0].strip() for t in texts] == [
        "Follow this search",
        "Download this list (CSV)",
        "Print this list",
        "Put this list on your site",
    ]


@pytest.mark.parametrize("search", [SEARCH, "q=leadership&include_open=false", "include_ended=true"])
def test_the_printable_list_is_the_csvs_set_in_the_pages_order(real: Client, search: str) -> None:
    soup = page(real, f"/?{search}&per_page=100")
    printed = page(real, str(soup.select_one("a.print-list")["href"]))
    ids = [str(a["href"]).rsplit("/", 1)[-1] for a in printed.select("table.printed tbody th a")]
    rows = list(csv.DictReader(io.StringIO(real.get(str(soup.select_one("a.csv")["href"])).text)))
    assert sorted(ids) == sorted(r["id"] for r in rows)
    on_page = [str(a["href"]).split("?")[0].rsplit("/", 1)[-1] for a in soup.select("li.hit h3 a")]
    assert ids[: len(on_page)] == on_page  # the page's first 100, in its order
    heads = [th.get_text(strip=True) for th in printed.select("table.printed thead th")]
    assert heads[:4] == ["Program", "Run by", "For", "Who can join"]
    assert printed.select_one("button.print-page").get_text() == "Print this list"


def test_the_follow_page_says_what_to_do_with_the_feed(client: Client) -> None:
    soup = page(client, f"/?{SEARCH}")
    follow = page(client, str(soup.select_one("a.follow-page")["href"]))
    address = follow.select_one("input#feed-address")
    label = follow.select_one("label[for=feed-address]")
    assert label is not None and "copy" in label.get_text()
    assert address["value"].startswith("http://testserver/feed.xml?")
    assert dict(parse_qsl(urlsplit(address["value"]).query)) == {
        "career_stage": "early-career",
        "demographic_focus": "women",
        "include_open": "true",
    }
    text = follow.get_text(" ", strip=True)
    for words in ("Outlook", "Teams", "Slack", "feed reader", "Put this list on your site", "Download this list"):
        assert words in text
    assert follow.select_one("#alerts-h").get_text() == (
        "Email me when programs matching this search are added or change"
    )


def test_the_feed_reads_as_a_page_through_its_stylesheet(client: Client) -> None:
    feed = client.get(f"/feed.xml?{SEARCH}")
    assert '<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>' in feed.text.splitlines()[1]
    xsl = client.get("/static/feed.xsl")
    assert xsl.status_code == 200 and xsl.headers["content-type"].startswith("application/xslt+xml")
    assert "default-src 'self'" in feed.headers["content-security-policy"]  # the stylesheet is ours: allowed


def test_a_browser_gets_the_feed_as_xml_a_reader_as_atom(client: Client) -> None:
    reader = client.get(f"/feed.xml?{SEARCH}", headers={"accept": "application/atom+xml"})
    browser = client.get(f"/feed.xml?{SEARCH}", headers={"accept": "text/html,application/xml;q=0.9"})
    assert reader.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert browser.headers["content-type"] == "application/xml; charset=utf-8"  # Chromium styles it with the XSL
    assert reader.content == browser.content and reader.headers["etag"] != browser.headers["etag"]
    assert "Accept" in browser.headers["vary"]
