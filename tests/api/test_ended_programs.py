"""Ended programs: out of default results, back on request, their pages kept with alternatives, and synced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from app.main import create_app
from tests.support.app import Client, make_settings, running
from tests.support.marked_catalog import catalog

API = "/api/v1"
TOKEN = "s3cret"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[Client, Path]]:
    path = tmp_path / "programs.yaml"
    path.write_text(catalog(ended=True))
    with running(create_app(make_settings(tmp_path, catalog=path, admin_token=TOKEN))) as c:
        yield c, path


def ids(body: dict[str, object]) -> set[str]:
    return {r["id"] for r in body["results"]}  # type: ignore[attr-defined, index]


def soup(c: Client, url: str) -> BeautifulSoup:
    response = c.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def test_the_api_leaves_ended_programs_out_unless_asked(app: tuple[Client, Path]) -> None:
    c, _ = app
    default = c.get(f"{API}/programs").json()
    assert ids(default) == {"alpha-leaders", "gamma-group", "delta-meeting"}
    status = {f["value"]: f for f in default["facets"]["status"]}
    assert status["ended"]["count"] == 1 and not status["ended"]["selected"] and status["active"]["selected"]
    assert ids(c.get(f"{API}/programs?status=ended").json()) == {"beta-leaders"}
    assert len(ids(c.get(f"{API}/programs?status=active,ended,unverified").json())) == 4
    assert c.get(f"{API}/programs/beta-leaders").json()["status"] == "ended"  # its record stays
    csv = c.get(f"{API}/programs.csv").text
    assert "beta-leaders" not in csv and "beta-leaders" in c.get(f"{API}/programs.csv?status=ended").text
    vocab = {v["name"]: v for v in c.get(f"{API}/vocabularies").json()["vocabularies"]}
    assert vocab["status"]["default"] == ["active", "unverified"] and vocab["access"]["default"] == []


def test_the_website_offers_to_include_ended_programs(app: tuple[Client, Path]) -> None:
    c, _ = app
    page = soup(c, "/?q=leaders")
    names = [h.get_text(" ", strip=True) for h in page.select("li.hit h3")]
    assert "Beta Leaders" not in names and "Alpha Leaders" in names
    box = page.select_one("#f-include_ended")
    assert box is not None and box.get("checked") is None
    label = page.select_one("label[for=f-include_ended]")
    total = int(str(page.select_one("#search-app")["data-total"]))
    # its number is what ticking it gives: these and the one program no longer offered
    assert label is not None and label.get_text(" ", strip=True).startswith(
        f"Include programs no longer offered {total + 1}"
    )
    assert page.select_one("#filters input[name=status]") is None  # one box, not a status group
    assert page.select(".chips a.chip") == []  # the default is not a filter the reader chose
    widened = soup(c, "/?q=leaders&include_ended=true")
    beta = next(h for h in widened.select("li.hit") if "Beta Leaders" in h.select_one("h3").get_text(" ", strip=True))
    assert "No longer offered" in [b.get_text(strip=True) for b in beta.select(".badge")]
    assert widened.select_one("#f-include_ended").get("checked") is not None
    chip = widened.select_one(".chips a.chip")
    assert chip.get_text(" ", strip=True).startswith("Including programs no longer offered")
    assert "include_ended" not in str(chip["href"])
    empty = soup(c, "/?q=beta")  # only an ended program matches: the page says so and offers it
    assert empty.select("li.hit") == []
    hint = empty.select_one(".ended-hint")
    assert hint is not None and hint.get_text(" ", strip=True).startswith("1 program no longer offered matches")
    assert "include_ended=true" in str(hint.select_one("a")["href"])
    follow = soup(c, str(widened.select_one("a.follow-page")["href"]))  # "Follow this search": the page with the feed
    feed = c.get(follow.select_one("a.follow")["href"]).text
    assert "Beta Leaders" in feed
    assert "Beta Leaders" not in c.get("/feed.xml?q=leaders").text


def test_an_ended_programs_page_says_since_when_and_on_whose_word(app: tuple[Client, Path]) -> None:
    c, _ = app
    page = soup(c, "/programs/beta-leaders")
    line = page.select_one("main .status-line.ended")
    assert line is not None
    assert line.get_text(" ", strip=True).startswith("No longer offered since 2024, per Beta Leaders Foundation.")
    assert page.select_one("#similar-h").get_text(strip=True) == "Similar programs still offered"
    step = page.select_one("section.next-step").get_text(" ", strip=True)
    assert "no longer offered" in step and "program staff" not in step  # no advice on joining what has ended
    similar = {a["href"].split("?")[0] for a in page.select("ul.similar a")}
    assert similar and similar <= {"/programs/alpha-leaders", "/programs/delta-meeting"}  # active ones only
    for other in ("alpha-leaders", "gamma-group", "delta-meeting"):  # no page or API answer offers an ended program
        links = {a["href"].split("?")[0] for a in soup(c, f"/programs/{other}").select("ul.similar a")}
        assert "/programs/beta-leaders" not in links
        assert "beta-leaders" not in ids(c.get(f"{API}/programs/{other}/similar").json())
    assert ids(c.get(f"{API}/programs/beta-leaders/similar").json()) == {s.rsplit("/", 1)[1] for s in similar}


def test_an_ended_line_without_a_year(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(catalog(ended=True).replace("    status_since: 2024\n", ""))
    with running(create_app(make_settings(tmp_path, catalog=path))) as c:
        line = soup(c, "/programs/beta-leaders").select_one(".status-line.ended")
        assert line is not None and line.get_text(" ", strip=True).startswith("No longer offered, per Beta Leaders")


def test_a_syncing_client_receives_the_status_change(app: tuple[Client, Path]) -> None:
    c, path = app
    path.write_text(catalog(ended=False))
    first = c.post(f"{API}/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    token = first["sync_token"]
    listed = c.get(f"{API}/programs?per_page=100").json()
    assert "beta-leaders" in ids(listed)  # still active
    path.write_text(catalog(ended=True))
    assert c.post(f"{API}/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    since = c.get(f"{API}/programs", params={"since": token}).json()
    [changed] = since["results"]
    assert (changed["id"], changed["status"], changed["status_since"]) == ("beta-leaders", "ended", 2024)
    assert since["removed"] == []
    ndjson = c.get(f"{API}/programs.ndjson", params={"since": token}).text
    assert '"status":"ended"' in ndjson
