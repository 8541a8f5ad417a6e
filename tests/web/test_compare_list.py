"""The compare list without JavaScript: every page's links carry it, and it downloads as CSV."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup

from tests.support.app import Client


def soup(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def nav(page: BeautifulSoup, name: str) -> str:
    link = page.select_one("nav[aria-label=Main]").find("a", string=name)
    return str(link["href"])


def test_links_carry_the_list_from_page_to_page(client: Client) -> None:
    search = soup(client, "/?q=women&compare=swims,elam")
    assert nav(search, "Compare") == "/compare?ids=swims,elam"
    assert {str(a["href"]).split("?")[1] for a in search.select("li.hit h3 a")} == {"compare=swims%2Celam"}
    program = soup(client, "/programs/pmg?compare=swims,elam")
    assert nav(program, "Compare") == "/compare?ids=swims,elam"
    assert nav(program, "Search") == "/?compare=swims%2Celam"
    assert program.select_one("#cmp-pmg")["href"] == "/?compare=swims%2Celam%2Cpmg"
    assert program.select_one("#cmp-pmg").get_text(strip=True) == "Add to compare"
    assert "2 programs" in program.select_one("#compare-note").get_text()
    listed = soup(client, "/programs/swims?compare=swims,elam")
    assert listed.select_one("#cmp-swims").get_text(strip=True) == "Remove from compare"
    assert listed.select_one("#cmp-swims")["href"] == "/?compare=elam"
    compare = soup(client, "/compare?ids=swims,elam")
    assert nav(compare, "Compare") == "/compare?ids=swims,elam"
    assert compare.select_one("a[href^='/compare.csv']")["href"] == "/compare.csv?ids=swims,elam"
    # Pages reached without a list have plain links: nothing invented, nothing emptied by a stray value.
    bare = soup(client, "/models?compare=nope")
    assert nav(bare, "Compare") == "/compare" and nav(bare, "Search") == "/"


def test_the_list_downloads_with_the_api_columns(client: Client) -> None:
    got = client.get("/compare.csv?ids=swims,nope,elam")
    assert got.status_code == 200 and got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"] == 'attachment; filename="compare.csv"'
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["id"] for r in rows] == ["swims", "elam"]
    api = list(csv.DictReader(io.StringIO(client.get("/api/v1/programs.csv?q=swims").text)))
    assert rows[0] == next(r for r in api if r["id"] == "swims")
    assert len(list(csv.DictReader(io.StringIO(client.get("/compare.csv?ids=a,b,c,d,e").text)))) == 0
    five = "swims,elam,pmg,acr-forum,em-night"
    assert len(list(csv.DictReader(io.StringIO(client.get(f"/compare.csv?ids={five}").text)))) == 4
