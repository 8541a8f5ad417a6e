"""Who can join, said plainly: never "open to all" on a program only one institution's faculty or award holders
can join, on any entry of the real catalog, card or page; and the next step follows who can join."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from bs4 import BeautifulSoup

from app.catalog.nextsteps import ACCESS_STEPS, NEXT_STEPS, next_step
from app.catalog.vocab import FACETS
from app.config import ROOT
from app.main import create_app
from tests.support.app import Client, make_settings, running

API = "/api/v1"
OPEN_TO_ALL = re.compile(r"open to (all|everyone|everybody)", re.IGNORECASE)
CLOSED = {"institution", "award-holders"}


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    tmp = tmp_path_factory.mktemp("real")
    with running(create_app(make_settings(tmp, catalog=ROOT / "data" / "programs.yaml"))) as c:
        yield c


@pytest.fixture(scope="module")
def records(real: Client) -> list[dict[str, Any]]:
    """Every record of the real catalog, whatever its status."""
    text = real.get(f"{API}/programs.ndjson?status=active,ended,unverified").text
    return [orjson.loads(line) for line in text.splitlines()]


def text_of(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


def test_no_label_or_definition_says_open_to_all() -> None:
    for vocab in FACETS.values():
        for term in vocab.terms:
            assert not OPEN_TO_ALL.search(f"{term.label} {term.definition}"), (vocab.name, term.value)
    assert FACETS["demographic_focus"].label_of("open") == "No particular group"


def test_every_entry_says_who_can_join(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 39
    for r in records:
        assert r["access"] in FACETS["access"].values and r["status"] in FACETS["status"].values
        if r["access"] in CLOSED:
            assert not OPEN_TO_ALL.search(orjson.dumps(r).decode()), r["id"]


def test_no_page_or_card_of_a_closed_program_says_open_to_all(real: Client, records: list[dict[str, Any]]) -> None:
    closed = [r for r in records if r["access"] in CLOSED]
    assert closed  # the institutions' groups, the training grants and the award holders' meetings
    cards = [
        card
        for page in range(1, 1 + -(-len(records) // 100))
        for card in BeautifulSoup(
            real.get(f"/?per_page=100&page={page}&include_ended=true").text, "html.parser"
        ).select("li.hit")
    ]
    by_id = {c.select_one("a.compare-toggle")["data-id"]: c for c in cards}
    assert set(by_id) == {r["id"] for r in records}
    for r in closed:
        card = by_id[r["id"]]
        label = FACETS["access"].label_of(r["access"])
        assert label in card.get_text(" ", strip=True)
        assert not OPEN_TO_ALL.search(card.get_text(" ", strip=True)), r["id"]
        page = real.get(f"/programs/{r['id']}").text
        assert not OPEN_TO_ALL.search(text_of(page)), r["id"]
        facts = BeautifulSoup(page, "html.parser").select("dl.facts dt")
        names = [dt.get_text(strip=True) for dt in facts]
        assert names.index("Who can join") == names.index("Designed for") + 1  # beside "Designed for"
    compare = real.get("/compare?ids=" + ",".join(r["id"] for r in closed[:4])).text
    assert not OPEN_TO_ALL.search(text_of(compare))


def test_the_next_step_follows_who_can_join(real: Client, records: list[dict[str, Any]]) -> None:
    for r in records:
        box = BeautifulSoup(real.get(f"/programs/{r['id']}").text, "html.parser").select_one("section.next-step")
        said = box.get_text(" ", strip=True)
        if r["status"] == "ended":  # no longer offered: no step to join it, whoever could
            assert "no longer offered, so there is nothing to apply for" in said, r["id"]
            continue
        assert next_step(r["type"], r["access"]).text in said, r["id"]
        if r["access"] == "award-holders":  # an award holders' meeting does not send readers to find a grant
            assert NEXT_STEPS["training-grant"].text not in said and "whether your institution holds one" not in said
        if r["access"] == "institution":
            assert "If you work there" in said or "if you work there" in said.lower()


def test_access_steps_take_precedence_except_where_the_type_already_fits() -> None:
    assert next_step("leadership-program", "anyone") == NEXT_STEPS["leadership-program"]
    assert next_step("training-grant", "award-holders") == ACCESS_STEPS["award-holders"]
    assert next_step("small-group", "institution") == ACCESS_STEPS["institution"]
    assert next_step("institutional-program", "institution") == NEXT_STEPS["institutional-program"]
    assert next_step("professional-society", "members") == NEXT_STEPS["professional-society"]
    assert next_step("leadership-program", "nomination") == ACCESS_STEPS["nomination"]


def test_access_is_a_facet_like_the_others(real: Client, records: list[dict[str, Any]]) -> None:
    body = real.get(f"{API}/programs?access=institution&per_page=100").json()
    expected = {r["id"] for r in records if r["access"] == "institution" and r["status"] != "ended"}
    assert {r["id"] for r in body["results"]} == expected
    counts = {f["value"]: f["count"] for f in body["facets"]["access"]}
    assert counts["institution"] == len(expected)
    csv_head = real.get(f"{API}/programs.csv").text.splitlines()[0].split(",")
    assert {"status", "status_since", "status_source", "access"} <= set(csv_head)
    page = BeautifulSoup(real.get("/").text, "html.parser")
    assert page.select_one("#f-access-institution") is not None
    vocab = {v["name"]: v for v in real.get(f"{API}/vocabularies").json()["vocabularies"]}
    assert [t["label"] for t in vocab["access"]["terms"]] == [t.label for t in FACETS["access"].terms]


def test_the_about_page_is_linked_from_every_page(real: Client) -> None:
    about = BeautifulSoup(real.get("/about").text, "html.parser")
    text = about.get_text(" ", strip=True)
    assert about.select_one("a[href='https://doi.org/10.1136/jim-2020-001391']") is not None
    for words in (
        "December 2026",
        "Checked against the program’s public page",
        "Confirmed with the program",
        "Who can join",
    ):
        assert words in text, words
    for path in ("/", "/models", "/coverage", "/about", "/programs/elam"):
        footer = BeautifulSoup(real.get(path).text, "html.parser").select_one("footer")
        assert footer.select_one("a[href='/about']") is not None, path
    assert Path(ROOT / "README.md").read_text().count("/about") >= 1
