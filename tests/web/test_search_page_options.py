"""Small truths on the search page: sorts that cannot change the order step aside, and say why when asked for;
options that would find nothing are unavailable; each facet defines its values."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from app.catalog.vocab import FACETS
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running


def soup(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def offered(page: BeautifulSoup) -> list[str]:
    return [str(o["value"]) for o in page.select("#sort option")]


def names(page: BeautifulSoup) -> list[str]:
    return [h.get_text(strip=True) for h in page.select("li.hit h3")]


def test_a_date_sort_is_offered_only_where_it_can_change_the_order(client: Client) -> None:
    # The fixture's programs were verified on different days but all loaded (changed) at the same moment.
    page = soup(client, "/")
    assert offered(page) == ["", "-last_verified"]
    assert names(soup(client, "/?sort=-last_verified")) != names(page)
    searched = soup(client, "/?q=women")
    assert offered(searched) == ["", "name", "-last_verified"]
    # Asked for by URL anyway: it is honoured, and the page says why the order is A–Z.
    moot = soup(client, "/?sort=-updated_at")
    assert names(moot) == sorted(names(moot), key=str.lower) == names(page)
    note = moot.select_one(".notice[role=note]").get_text(" ", strip=True)
    assert "same date" in note and "A–Z" in note and "2026" not in note  # it states no date it cannot vouch for
    assert offered(moot)[-1] == "-updated_at" and moot.select_one("#sort option[selected]")["value"] == "-updated_at"


def test_with_one_date_for_everything_the_sort_steps_aside(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    text = FIXTURE_CATALOG.read_text()
    lines = [
        "    last_verified: 2026-01-15" if line.startswith("    last_verified:") else line for line in text.splitlines()
    ]
    catalog.write_text("\n".join(lines) + "\n")
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        page = soup(c, "/")
        assert page.select_one("#sort") is None
        # No date: a shared last_verified is not a check of the programs' current pages (they cite only the review).
        assert page.select_one(".sort-fixed").get_text(" ", strip=True) == "Sorted A–Z"
        assert offered(soup(c, "/?q=women")) == ["", "name"]


def test_options_that_would_find_nothing_are_unavailable(client: Client) -> None:
    page = soup(client, "/?type=small-group")
    for box in page.select("#filters input[type=checkbox]"):
        n = int(box.find_next_sibling("label").select_one(".count [aria-hidden]").get_text())
        assert box.has_attr("disabled") == (n == 0 and not box.has_attr("checked")), box["id"]
        assert ("zero" in box.parent["class"]) == box.has_attr("disabled")


def test_each_facet_defines_its_values(client: Client) -> None:
    page = soup(client, "/")
    for facet in page.select("#filters details.facet"):
        label = facet.select_one("summary").get_text(" ", strip=True)
        vocab = next(v for v in FACETS.values() if v.label == label)
        terms = facet.select("details.defs dt")
        definitions = facet.select("details.defs dd")
        assert [t.get_text() for t in terms] == [t.label for t in vocab.terms]
        assert [d.get_text() for d in definitions] == [t.definition for t in vocab.terms]
