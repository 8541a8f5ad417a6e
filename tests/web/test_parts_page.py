"""Aimed-at first on the page and in the API: the programs aimed at the group chosen, then "Also open to you"."""

from __future__ import annotations

from tests.support.app import Client
from tests.support.html import page

API = "/api/v1"


def test_the_page_lists_the_programs_aimed_at_the_group_first_then_those_open_to_you(client: Client) -> None:
    soup = page(client, "/?demographic_focus=women")
    heads = [h.get_text(" ", strip=True) for h in soup.select("h3.part-head")]
    assert heads[0].startswith("Aimed at Women (") and heads[1].startswith("Also open to you (")
    lists = soup.select("ol.hits")
    assert len(lists) == 2 and lists[1]["aria-labelledby"] == "part-open"
    aimed = [li.select_one("h3 a")["href"].split("/")[-1] for li in lists[0].select("li.hit")]  # type: ignore[index]
    assert int(lists[1]["start"]) == len(aimed) + 1  # one numbering over both parts
    records = {r["id"]: r for r in client.get(f"{API}/programs?per_page=100").json()["results"]}
    assert all("women" in records[i]["demographic_focus"] for i in aimed)
    opened = [li.select_one("h3 a")["href"].split("/")[-1] for li in lists[1].select("li.hit")]  # type: ignore[index]
    assert opened and all(records[i]["demographic_focus"] == ["open"] for i in opened)
    assert soup.select_one(".part-hint") is not None


def test_aimed_only_has_one_list_without_a_divider(client: Client) -> None:
    soup = page(client, "/?demographic_focus=women&include_open=false")
    assert soup.select("h3.part-head") == [] and len(soup.select("ol.hits")) == 1


def test_the_api_says_each_results_part_and_the_parts_sizes(client: Client) -> None:
    body = client.get(f"{API}/programs?demographic_focus=women&include_open=true&sort=name").json()
    parts = [r["part"] for r in body["results"]]
    assert parts == sorted(parts) and set(parts) == {"aimed", "open"}
    assert [p["name"] for p in body["parts"]] == ["aimed", "open"]
    assert sum(p["count"] for p in body["parts"]) == body["total"]
    plain = client.get(f"{API}/programs?format=virtual").json()
    assert plain["parts"] == [] and all("part" not in r for r in plain["results"])
