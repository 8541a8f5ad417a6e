"""Provenance: every card, program page, feed entry and API record of the bundled catalog says how the entry's facts
were checked, with a date only where a check really happened on it (a source read that day, or a confirmation)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from app.config import BUNDLED_CATALOG
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running

API = "/api/v1"
ATOM = "{http://www.w3.org/2005/Atom}"
WORDS = {
    "confirmed": "Confirmed with the program on {}.",
    "program-page": "Checked against the program’s public page on {}.",
    "public-page": "Checked against public pages about the program on {}.",
    "review": "From the 2020 review; not yet checked against a current source.",
}
DUE = " Due for a fresh check."


def stated(p: dict[str, Any]) -> str:
    """The line the record's provenance fields say every page must show."""
    line = WORDS[p["kind"]].format(p["checked_on"])
    return line + DUE if p["due"] else line


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def check_honest(entry: dict[str, Any], p: dict[str, Any]) -> None:
    """The provenance of one catalog entry (as YAML) names only a check that happened: a page it cites that was read
    that day, or the day it was confirmed with the program."""
    read = {
        str(s["accessed"]): s["url"] for s in entry["sources"] if s.get("accessed") and "jim.bmj.com" not in s["url"]
    }
    if p["kind"] == "confirmed":
        assert p["checked_on"] == str(entry["confirmed_with_program"])
    elif p["kind"] == "review":
        assert p["checked_on"] is None and not read, entry["id"]
    else:
        assert p["checked_on"] == max(read), entry["id"]  # the latest day a cited page was read
        sites = {host(u) for u in (entry.get("url"), entry.get("sponsor_url")) if u}
        own = any(host(s["url"]).endswith(tuple(sites)) for s in entry["sources"] if s.get("accessed") and sites)
        assert own == (p["kind"] == "program-page"), entry["id"]
    if p["checked_on"] is not None:
        assert p["due"] == (dt.date.fromisoformat(p["checked_on"]) < dt.date.today() - dt.timedelta(days=366))


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with running(create_app(make_settings(tmp_path_factory.mktemp("real"), catalog=BUNDLED_CATALOG))) as c:
        yield c


def line_of(node: Any) -> str:
    return " ".join(node.select_one("p.provenance").get_text().split())


def test_every_card_page_feed_entry_and_record_states_the_catalogs_provenance(real: Client) -> None:
    entries = {p["id"]: p for p in yaml.safe_load(BUNDLED_CATALOG.read_text())["programs"]}
    export = [
        yaml.safe_load(line)
        for line in real.get(f"{API}/programs.ndjson?status=active,unverified,ended").text.splitlines()
    ]
    assert {r["id"] for r in export} == set(entries)
    lines = {}
    for r in export:
        check_honest(entries[r["id"]], r["provenance"])
        assert real.get(f"{API}/programs/{r['id']}").json()["provenance"] == r["provenance"]
        lines[r["id"]] = stated(r["provenance"])
    kinds = [r["provenance"]["kind"] for r in export]
    assert {k: kinds.count(k) for k in set(kinds)} == {"program-page": 96, "public-page": 21, "review": 5}
    for pid, line in lines.items():  # every program page
        page = BeautifulSoup(real.get(f"/programs/{pid}").text, "html.parser")
        assert line_of(page) == line, pid
        time = page.select_one("p.provenance time")
        assert (time["datetime"] if time else None) == next(r for r in export if r["id"] == pid)["provenance"][
            "checked_on"
        ]
    cards = {}
    for n in (1, 2):  # every card, over the pages of the whole directory
        page = BeautifulSoup(real.get(f"/?include_ended=true&per_page=100&page={n}").text, "html.parser")
        for hit in page.select("li.hit"):
            cards[hit.select_one("h3 a")["href"].split("?")[0].rsplit("/", 1)[1]] = line_of(hit)
    assert cards == lines
    feed = ET.fromstring(real.get("/feed.xml").content)
    for e in feed.findall(f"{ATOM}entry"):  # every feed entry: its date is the latest real change, its line the same
        pid = (e.findtext(f"{ATOM}id") or "").rsplit("/", 1)[1]
        r = next(r for r in export if r["id"] == pid)
        assert (e.findtext(f"{ATOM}summary") or "").endswith(lines[pid])
        latest = max(d for d in (r["date_added"], r["provenance"]["checked_on"]) if d)
        assert e.findtext(f"{ATOM}updated") == f"{latest}T00:00:00+00:00"
    heading = BeautifulSoup(real.get("/").text, "html.parser").select_one(".results .summary").get_text(" ", strip=True)
    assert "checked on" not in heading and "2026-" not in heading  # the list heading states no date


def test_examples_of_each_kind_read_as_a_person_would_say_them(real: Client) -> None:
    said = {
        pid: line_of(BeautifulSoup(real.get(f"/programs/{pid}").text, "html.parser"))
        for pid in ("aamc-leadership-development", "women-in-nephrology", "swims")
    }
    assert said["aamc-leadership-development"] == "Checked against the program’s public page on 2026-12-06."
    assert said["women-in-nephrology"] == "Checked against public pages about the program on 2026-12-06."
    assert said["swims"] == "From the 2020 review; not yet checked against a current source. Due for a fresh check."
    about = BeautifulSoup(real.get("/about").text, "html.parser").get_text(" ", strip=True)
    for words in (
        "Confirmed with the program on a date",
        "Checked against the program’s public page on a date",
        "From the 2020 review; not yet checked against a current source",
        "more than 12 months old",
    ):
        assert words in about, words


TWIN = """
  - id: twin-{key}
    name: Twinned Circle {name}
    summary: A made-up circle for testing how ties rank.
    description: A made-up circle for testing how ties rank.
    sponsor: Test University
    sponsor_type: academic-institution
    type: small-group
    career_stages: [early-career]
    demographic_focus: [open]
    scope: institutional
    specialties: [any]
    status: unverified
    access: anyone
    url: https://twins.example.edu/{key}
    sources:
      - title: Circle page
        url: https://twins.example.edu/{key}
        accessed: {day}
        quote: A made-up circle.
    date_added: 2020-01-01
    last_verified: {day}
"""


def test_a_program_due_for_a_check_says_so_and_ranks_below_an_equal_match(tmp_path: Path) -> None:
    today = dt.date.today()
    old, recent = (today - dt.timedelta(days=400)).isoformat(), (today - dt.timedelta(days=3)).isoformat()
    catalog = tmp_path / "catalog.yaml"
    twins = TWIN.format(key="due", name="Alpha", day=old) + TWIN.format(key="fresh", name="Bravo", day=recent)
    catalog.write_text(FIXTURE_CATALOG.read_text() + twins)
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        hits = [r["id"] for r in c.get(f"{API}/programs?q=twinned").json()["results"]]
        due = c.get(f"{API}/programs/twin-due").json()["provenance"]
        page = BeautifulSoup(c.get("/programs/twin-due").text, "html.parser")
    assert hits == ["twin-fresh", "twin-due"]  # the same words: the one checked recently comes first
    assert due == {"kind": "program-page", "checked_on": old, "due": True}
    assert line_of(page) == f"Checked against the program’s public page on {old}. Due for a fresh check."
    with running(create_app(make_settings(tmp_path / "long", catalog=catalog, recheck_months=24))) as c:
        assert c.get(f"{API}/programs/twin-due").json()["provenance"]["due"] is False  # the setting's months
        assert [r["id"] for r in c.get(f"{API}/programs?q=twinned").json()["results"]] == ["twin-due", "twin-fresh"]
