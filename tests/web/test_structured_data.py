"""The schema.org data a search engine extracts (with extruct, as crawlers do) from every program page and from
search pages: what each names, and only what the page shows."""

from __future__ import annotations

from typing import Any

import extruct
import pytest

from app.catalog.models import Catalog
from tests.support.app import Client
from tests.support.html import page

SEARCHES = [
    "/",
    "/?q=women",
    "/?career_stage=early-career&demographic_focus=women",
    "/?type=small-group&include_ended=true",
    "/?format=virtual&per_page=5&page=2",
    "/?status=ended",
    "/?q=no+such+words+anywhere",
]


def extracted(client: Client, url: str) -> list[dict[str, Any]]:
    response = client.get(url, headers={"accept": "text/html"})
    assert response.status_code == 200, url
    found: list[dict[str, Any]] = extruct.extract(response.text, base_url=str(response.url), syntaxes=["json-ld"])[
        "json-ld"
    ]
    return found


def who_runs(data: dict[str, Any]) -> dict[str, Any]:
    """Who provides the program or the group (a Service's or a program's provider)."""
    runner: dict[str, Any] = data["provider"]
    return runner


def test_every_program_page_names_the_program_its_page_its_sponsor_and_its_summary(
    real: Client, real_catalog: Catalog
) -> None:
    for program in real_catalog.programs:
        record = program.record
        [data] = extracted(real, f"/programs/{record['id']}")
        assert data["@context"] == "https://schema.org"
        assert data["name"] == record["name"] and data["description"] == record["summary"]
        assert data["url"] == (record.get("url") or f"http://testserver/programs/{record['id']}")
        assert who_runs(data)["name"] == record["sponsor"]
        assert data["mainEntityOfPage"]["url"] == f"http://testserver/programs/{record['id']}"
        assert data["mainEntityOfPage"]["dateModified"] >= record["date_added"]


def test_a_programs_data_says_who_can_join_and_when_it_was_checked(real: Client) -> None:
    soup = page(real, "/programs/elam")
    [data] = extracted(real, "/programs/elam")
    shown = soup.find("dt", string="Who can join").find_next("dd").get_text(" ", strip=True)
    assert data["programPrerequisites"][0].startswith("Who can join: " + shown.split(" —")[0])
    checked = soup.select_one(".provenance time")
    assert checked is not None and data["mainEntityOfPage"]["lastReviewed"] == checked["datetime"]
    assert all(c.startswith("https://") for c in data["mainEntityOfPage"]["citation"])


def test_an_ended_program_is_not_offered_as_current(real: Client, real_catalog: Catalog) -> None:
    ended = [p.record for p in real_catalog.programs if p.record["status"] == "ended"]
    assert ended
    for record in ended:
        [data] = extracted(real, f"/programs/{record['id']}")
        shown = page(real, f"/programs/{record['id']}").select_one(".status-line.ended").get_text(" ", strip=True)
        assert data["disambiguatingDescription"] in shown
        assert data["offers"]["availability"] == "https://schema.org/Discontinued"
    [active] = extracted(real, "/programs/elam")
    assert "offers" not in active and "disambiguatingDescription" not in active


@pytest.mark.parametrize("url", SEARCHES)
def test_a_search_page_lists_the_programs_it_shows_with_their_pages(real: Client, url: str) -> None:
    [data] = extracted(real, url)
    assert data["@type"] == "ItemList" and data["name"].startswith("Mentor Directory")
    assert data["url"] == "http://testserver" + url and data["description"]
    items = data["itemListElement"]
    soup = page(real, url)
    shown = [" ".join(h.get_text().split()) for h in soup.select("li.hit h3")]  # a highlighted word stays one word
    assert [item["item"]["name"] for item in items] == shown and data["numberOfItems"] == len(shown)
    links = [a["href"] for a in soup.select("li.hit h3 a")]
    assert [item["url"] for item in items] == ["http://testserver" + link.split("?")[0] for link in links]
    for item in items:
        assert item["item"]["url"] == item["url"] and item["item"]["description"] and who_runs(item["item"])["name"]
    positions = [item["position"] for item in items]
    assert positions == list(range(positions[0], positions[0] + len(items))) if items else True


def test_the_second_page_of_a_search_counts_on_from_the_first(real: Client) -> None:
    [data] = extracted(real, "/?format=virtual&per_page=5&page=2")
    assert data["itemListElement"][0]["position"] == 6
    assert data["description"].startswith("6–10 of ")
