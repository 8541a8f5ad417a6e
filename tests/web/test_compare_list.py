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


def test_a_full_list_refuses_a_fifth_program_and_says_so(client: Client) -> None:
    full = "swims,elam,pmg,kl2"
    search = soup(client, f"/?compare={full}")
    others = [li for li in search.select("li.hit") if li.select_one("[id^=cmp-]")["id"][4:] not in full.split(",")]
    assert others
    for hit in others:  # no link that would drop the oldest: a plain statement instead
        assert hit.select_one("a.compare-toggle") is None
        said = hit.select_one(".compare-full").get_text(" ", strip=True)
        assert said.startswith("The compare list is full (4 programs): remove one to add this")
    listed = search.select_one("#cmp-elam")
    assert listed.get_text(strip=True).startswith("Remove from compare")  # those in the list can still leave it
    program = soup(client, f"/programs/uab?compare={full}")
    assert program.select_one("#cmp-uab")["href"] == "/?compare=swims%2Celam%2Cpmg%2Ckl2"  # unchanged
    assert program.select_one("#cmp-uab")["aria-disabled"] == "true"
    assert program.select_one("#compare-note").get_text(" ", strip=True).startswith("The compare list is full")


def test_the_compare_table_has_a_website_and_a_next_step_row(client: Client) -> None:
    table = soup(client, "/compare?ids=swims,elam,uab")
    rows = {tr.th.get_text(strip=True): tr.find_all("td") for tr in table.select("table.compare tbody tr")}
    assert "Website" in rows and "Your next step" in rows
    sites = [td.get_text(" ", strip=True) for td in rows["Website"]]
    assert all(s.startswith(("Program website", "Sponsor’s website", "None we can vouch for")) for s in sites)
    assert all(a["href"].startswith("http") for td in rows["Website"] for a in td.select("a"))
    steps = [td.get_text(" ", strip=True) for td in rows["Your next step"]]
    assert all(len(s) > 20 for s in steps), steps
    for td, pid in zip(rows["Your next step"], ["swims", "elam", "uab"], strict=True):  # the program page's own words
        page_step = soup(client, f"/programs/{pid}").select_one("section.next-step")
        assert page_step is not None and td.get_text(" ", strip=True).split(".")[0] in page_step.get_text(
            " ", strip=True
        )
