"""The JSON API v1 through HTTP: every parameter, every error path, caching, CORS, exports and change sync.

Expected answers are computed from the fixture catalog's records by brute force, independently of the index.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from bs4 import BeautifulSoup

from app.catalog.validate import load_catalog
from app.catalog.vocab import FACETS
from app.main import create_app
from app.search.query import SORTS
from app.store.db import make_engine
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, postgres_database, running, wait_until

API = "/api/v1"
CATALOG = load_catalog(FIXTURE_CATALOG)
# Every program of the fixture cites only the 2020 review: no check date is stated, and each is due for a check.
REVIEW_ONLY = {"kind": "review", "checked_on": None, "due": True}
RECORDS = {p.id: {**p.record, "provenance": REVIEW_ONLY} for p in CATALOG.programs}
LIST_FIELDS = {name for name, value in next(iter(RECORDS.values())).items() if isinstance(value, list)}


def values_of(record: dict[str, Any], facet: str) -> set[str]:
    value = record[FACETS[facet].field]
    return set(value) if isinstance(value, list) else {value}


def matching(filters: dict[str, set[str]], skip: str | None = None) -> set[str]:
    """Ids passing every filter but `skip`'s: OR within a facet, AND across facets (the oracle)."""
    return {
        pid
        for pid, record in RECORDS.items()
        if all(values_of(record, f) & chosen for f, chosen in filters.items() if f != skip)
    }


def ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


# --- listing and searching ------------------------------------------------------------------------------------


def test_list_defaults_every_program_by_name_with_links_and_facets(client: Client) -> None:
    response = client.get(f"{API}/programs")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (8, 1, 20, 1)
    names = [r["name"] for r in body["results"]]
    assert names == sorted(names, key=str.casefold) and len(names) == 8
    for r in body["results"]:
        assert r["links"] == {
            "self": f"http://testserver{API}/programs/{r['id']}",
            "html": f"http://testserver/programs/{r['id']}",
        }
        assert "highlights" not in r
        assert {k: v for k, v in r.items() if k not in {"links", "created_at", "updated_at"}} == RECORDS[r["id"]]
    assert list(body["facets"]) == list(FACETS)
    for name, counts in body["facets"].items():
        assert [c["value"] for c in counts] == list(FACETS[name].values)
    assert body["links"]["next"] is None and body["links"]["prev"] is None
    assert "removed" not in body


def test_q_ranks_by_relevance_and_marks_the_matches(client: Client) -> None:
    body = client.get(f"{API}/programs", params={"q": "leadership"}).json()
    assert body["total"] >= 2
    assert set(ids(body)) >= {"elam", "minority-seminar"}
    for r in body["results"]:
        assert set(r["highlights"]) == {"name", "snippet"}
    marked = body["results"][0]["highlights"]
    assert "<mark>Leadership</mark>" in marked["name"] + marked["snippet"]
    exact = client.get(f"{API}/programs", params={"q": "ELAM"}).json()
    assert ids(exact)[0] == "elam"


def test_q_highlights_are_html_escaped(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text().replace("Physician Moms Group\n", "Physician <Moms> Group\n", 1))
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        [hit] = c.get(f"{API}/programs", params={"q": "moms", "type": "online-community"}).json()["results"]
    assert "&lt;" in hit["highlights"]["name"] and "<Moms>" not in hit["highlights"]["name"]


@pytest.mark.parametrize(
    "filters",
    [
        {"career_stage": {"senior"}},
        {"career_stage": {"senior", "trainee"}},
        {"career_stage": {"early-career"}, "format": {"in-person"}},
        {"demographic_focus": {"women", "open"}, "format": {"online", "virtual"}},
        {"scope": {"national"}, "type": {"leadership-program"}, "specialty": {"any"}},
        {"sponsor_type": {"independent"}, "career_stage": {"student"}},
    ],
)
def test_facet_filters_or_within_and_across_with_disjunctive_counts(
    client: Client, filters: dict[str, set[str]]
) -> None:
    params = [(name, value) for name, values in filters.items() for value in sorted(values)]
    body = client.get(f"{API}/programs", params=params).json()
    assert set(ids(body)) == matching(filters) and body["total"] == len(matching(filters))
    for facet, counts in body["facets"].items():
        base = matching(filters, skip=facet)  # a facet's counts ignore its own selection
        for c in counts:
            assert c["count"] == sum(c["value"] in values_of(RECORDS[pid], facet) for pid in base), (facet, c)
            chosen = filters.get(facet, set(FACETS[facet].default))  # a facet not named keeps its default
            assert c["selected"] == (c["value"] in chosen)
            assert c["label"] == FACETS[facet].label_of(c["value"])


def test_comma_separated_values_equal_repeated_ones(client: Client) -> None:
    joined = client.get(f"{API}/programs?career_stage=senior,trainee")
    repeated = client.get(f"{API}/programs?career_stage=trainee&career_stage=senior")
    assert ids(joined.json()) == ids(repeated.json())
    assert joined.headers["etag"] == repeated.headers["etag"]
    assert joined.json()["links"]["self"] == repeated.json()["links"]["self"]


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_order(client: Client, sort: str) -> None:
    got = ids(client.get(f"{API}/programs", params={"sort": sort}).json())
    by_name = sorted(RECORDS, key=lambda pid: RECORDS[pid]["name"].casefold())
    if sort == "-last_verified":
        assert got == sorted(by_name, key=lambda pid: RECORDS[pid]["last_verified"], reverse=True)
    elif sort in {"name", "relevance"}:  # relevance without q falls back to the name
        assert got == by_name
    else:
        assert sorted(got) == sorted(RECORDS)


def test_verified_since(client: Client) -> None:
    body = client.get(f"{API}/programs", params={"verified_since": "2026-04-01"}).json()
    assert set(ids(body)) == {pid for pid, r in RECORDS.items() if r["last_verified"] >= "2026-04-01"}
    assert body["total"] == 4


def test_pagination_links_walk_every_program_once(client: Client) -> None:
    url: str | None = f"{API}/programs?per_page=3&format=in-person,online,virtual"
    seen, pages = [], 0
    while url:
        response = client.get(url)
        body = response.json()
        pages += 1
        assert body["pages"] == 3 and body["per_page"] == 3 and len(body["results"]) <= 3
        seen += ids(body)
        if body["links"]["next"]:
            assert f'<{body["links"]["next"]}>; rel="next"' in response.headers["link"]
        url = body["links"]["next"]
    assert pages == 3 and sorted(seen) == sorted(RECORDS) and len(seen) == 8
    last = client.get(f"{API}/programs?per_page=3&page=3").json()
    assert last["links"]["prev"].endswith("page=2&per_page=3") and last["links"]["next"] is None


def test_a_page_past_the_end_is_empty_with_the_right_total(client: Client) -> None:
    body = client.get(f"{API}/programs", params={"page": 9, "per_page": 5}).json()
    assert (body["results"], body["total"], body["pages"], body["page"]) == ([], 8, 2, 9)
    assert body["links"]["prev"].endswith("page=2&per_page=5") and body["links"]["next"] is None


def test_fields_selects_record_fields(client: Client) -> None:
    body = client.get(f"{API}/programs", params={"fields": "name,scope", "q": "women"}).json()
    assert body["results"]
    for r in body["results"]:
        assert set(r) == {"id", "name", "scope", "highlights", "part", "links"}  # "women" names a group: parts
    one = client.get(f"{API}/programs/elam", params={"fields": "updated_at"}).json()
    assert set(one) == {"id", "updated_at", "links"}


def test_base_url_setting_is_used_in_links(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path, base_url="https://mentors.example.org/"))) as c:
        body = c.get(f"{API}/programs?per_page=1").json()
    assert body["results"][0]["links"]["html"].startswith("https://mentors.example.org/programs/")
    assert body["links"]["next"].startswith(f"https://mentors.example.org{API}/programs?")


# --- records, similar, vocabularies, catalog ------------------------------------------------------------------


def test_a_program_is_its_full_record(client: Client) -> None:
    body = client.get(f"{API}/programs/swims").json()
    when = {k: dt.datetime.fromisoformat(body.pop(k)) for k in ("created_at", "updated_at")}
    assert when["created_at"].tzinfo is not None and when["created_at"] <= when["updated_at"]
    assert body.pop("links") == {
        "self": f"http://testserver{API}/programs/swims",
        "html": "http://testserver/programs/swims",
    }
    assert body == RECORDS["swims"]


def test_similar_programs(client: Client) -> None:
    body = client.get(f"{API}/programs/elam/similar").json()
    assert body["id"] == "elam" and 1 <= len(body["results"]) <= 5
    assert "elam" not in ids(body) and set(ids(body)) <= set(RECORDS)
    assert all(r["links"]["html"].endswith(f"/programs/{r['id']}") for r in body["results"])


def test_vocabularies_with_counts(client: Client) -> None:
    body = client.get(f"{API}/vocabularies").json()
    assert [v["name"] for v in body["vocabularies"]] == list(FACETS)
    for v in body["vocabularies"]:
        vocab = FACETS[v["name"]]
        assert (v["field"], v["label"], v["definition"]) == (vocab.field, vocab.label, vocab.definition)
        for term, t in zip(v["terms"], vocab.terms, strict=True):
            assert (term["value"], term["label"], term["definition"]) == (t.value, t.label, t.definition)
            assert term["count"] == sum(t.value in values_of(r, vocab.name) for r in RECORDS.values())


def test_catalog_version(client: Client) -> None:
    body = client.get(f"{API}/catalog").json()
    assert body["version"] == CATALOG.version and body["program_count"] == 8 and body["title"] == "Test catalog"
    assert dt.datetime.fromisoformat(body["loaded_at"]) <= dt.datetime.now(dt.UTC)


# --- exports --------------------------------------------------------------------------------------------------


def json_records(client: Client, query: str) -> list[dict[str, Any]]:
    body = client.get(f"{API}/programs?per_page=100&{query}").json()
    return [{k: v for k, v in r.items() if k != "links"} for r in body["results"]]


def from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row typed back: lists split on ';', JSON cells parsed, empty cells null."""
    out: dict[str, Any] = {}
    for key, cell in row.items():
        if key == "replaces" and not cell:
            continue  # only a renamed program's record has replaces
        if key in ("sources", "provenance"):
            out[key] = orjson.loads(cell)
        elif key in LIST_FIELDS:
            out[key] = cell.split(";") if cell else []
        elif key == "founded":
            out[key] = int(cell) if cell else None
        else:
            out[key] = cell or None
    return out


@pytest.mark.parametrize("query", ["", "format=in-person&sort=-last_verified", "q=women", "career_stage=student"])
def test_csv_and_ndjson_hold_the_same_records_as_the_json(client: Client, query: str) -> None:
    expected = [{k: v for k, v in r.items() if k not in ("highlights", "part")} for r in json_records(client, query)]
    ndjson = client.get(f"{API}/programs.ndjson?{query}")
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    assert [orjson.loads(line) for line in ndjson.text.splitlines()] == expected
    exported = client.get(f"{API}/programs.csv?{query}")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [from_csv_row(row) for row in rows] == expected


def test_exports_take_fields_and_refuse_pages(client: Client) -> None:
    text = client.get(f"{API}/programs.csv?fields=name,formats&format=virtual").text
    rows = [["id", "name", "formats"], ["swims", RECORDS["swims"]["name"], "in-person;virtual"]]
    assert list(csv.reader(io.StringIO(text))) == rows
    lines = client.get(f"{API}/programs.ndjson?fields=scope&type=leadership-program").text.splitlines()
    assert [orjson.loads(line) for line in lines] == [
        {"id": "elam", "scope": "national"},
        {"id": "minority-seminar", "scope": "national"},
    ]
    for name in ("page", "per_page"):
        assert problem(client.get(f"{API}/programs.csv?{name}=2"), 400)["param"] == name


# --- change sync ----------------------------------------------------------------------------------------------


@pytest.fixture
def editable(tmp_path: Path) -> Iterator[tuple[Client, Path]]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        yield c, catalog


def test_updated_since_returns_exactly_the_changed_programs_and_the_removed_ones(
    editable: tuple[Client, Path],
) -> None:
    client, catalog = editable
    before = client.get(f"{API}/programs")
    since = max(r["updated_at"] for r in before.json()["results"])
    # The edit must be stamped later than every program's updated_at: wait until the clock has passed it.
    assert wait_until(lambda: dt.datetime.now(dt.UTC) > dt.datetime.fromisoformat(since), seconds=5)
    text = catalog.read_text()
    text = text.replace("A year of leadership training", "A year of executive leadership training", 1)
    start = text.index("  - id: kl2")
    text = text[:start] + text[text.index("  - id: em-night") :]  # kl2 leaves the catalog
    catalog.write_text(text)
    assert client.app.state.live.reload()

    body = client.get(f"{API}/programs", params={"updated_since": since}).json()
    assert ids(body) == ["elam"] and body["total"] == 1
    assert [r["id"] for r in body["removed"]] == ["kl2"]
    assert dt.datetime.fromisoformat(body["removed"][0]["removed_at"]) > dt.datetime.fromisoformat(since)
    assert client.get(f"{API}/programs/kl2").status_code == 404
    assert client.get(f"{API}/programs").headers["etag"] != before.headers["etag"]
    later = client.get(f"{API}/programs", params={"updated_since": dt.datetime.now(dt.UTC).isoformat()}).json()
    assert later["total"] == 0 and later["removed"] == []


# --- caching and CORS -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/programs?q=women&format=in-person",
        "/programs/elam",
        "/programs/elam/similar",
        "/vocabularies",
        "/catalog",
        "/programs.csv",
        "/programs.ndjson?scope=national",
    ],
)
def test_etag_and_if_none_match(client: Client, path: str) -> None:
    first = client.get(API + path)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    assert client.get(API + path).headers["etag"] == tag
    strong = tag.removeprefix("W/")  # the client accepts gzip: its body's tag is the weak form (Compression)
    for held in (tag, f'"other", {tag}', f'"other", W/{strong}', "*"):
        cached = client.get(API + path, headers={"If-None-Match": held})
        assert cached.status_code == 304 and cached.content == b""
        assert cached.headers["etag"].removeprefix("W/") == strong
        assert cached.headers["etag"] == tag or held != tag  # the very tag the client holds comes back as it is
    assert client.get(API + path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_etag_follows_the_request_and_the_catalog_version(editable: tuple[Client, Path]) -> None:
    client, catalog = editable
    tags = {client.get(f"{API}/programs?{q}").headers["etag"] for q in ("", "page=2", "q=women", "fields=name")}
    assert len(tags) == 4
    same = client.get(f"{API}/programs?format=online,virtual").headers["etag"]
    assert client.get(f"{API}/programs?format=virtual&format=online").headers["etag"] == same
    catalog.write_text(catalog.read_text().replace("Physician Moms Group\n", "Physician Mothers Group\n", 1))
    assert client.app.state.live.reload()
    response = client.get(f"{API}/programs?format=online,virtual", headers={"If-None-Match": same})
    assert response.status_code == 200 and response.headers["etag"] != same


def test_cors_allows_get_from_any_origin(client: Client) -> None:
    origin = {"Origin": "https://portal.example.edu"}
    preflight = client.options(f"{API}/programs", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    simple = client.get(f"{API}/programs", headers=origin)
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "etag" in simple.headers["access-control-expose-headers"].lower()
    refused = client.options(f"{API}/programs", headers={**origin, "Access-Control-Request-Method": "DELETE"})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers


# --- errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param", "fragment"),
    [
        ("q=" + "x" * 201, "q", "at most 200"),
        ("per_page=101", "per_page", "from 1 to 100"),
        ("per_page=0", "per_page", "from 1 to 100"),
        ("page=0", "page", "from 1 to"),
        ("page=two", "page", "whole number"),
        ("sort=popular", "sort", "not a sort order"),
        ("updated_since=last-week", "updated_since", "ISO 8601"),
        ("verified_since=2026-1-1", "verified_since", "YYYY-MM-DD"),
        ("fields=name,colour", "fields", "'colour' is not a field"),
        ("fields=", "fields", "empty"),
        ("career_stage=", "career_stage", "empty"),
        ("q=a&q=b", "q", "once"),
    ],
)
def test_invalid_parameters_are_a_400_naming_them(client: Client, query: str, param: str, fragment: str) -> None:
    body = problem(client.get(f"{API}/programs?{query}"), 400)
    assert body["param"] == param and fragment in body["detail"]
    assert body["type"].endswith("invalid-parameter") and body["instance"] == f"{API}/programs"


def test_an_unknown_parameter_is_named_with_what_is_valid(client: Client) -> None:
    body = problem(client.get(f"{API}/programs?q=women&carrer_stage=senior"), 400)
    assert (body["param"], body["value"]) == ("carrer_stage", "senior")
    assert "did you mean 'career_stage'" in body["detail"]
    assert {"q", "fields", "page", *FACETS} <= set(body["valid"])
    for path in ("/programs/elam", "/programs/elam/similar", "/vocabularies", "/catalog", "/programs.csv"):
        assert problem(client.get(f"{API}{path}?colour=red"), 400)["param"] == "colour"


@pytest.mark.parametrize("facet", list(FACETS))
def test_an_unknown_facet_value_lists_the_vocabulary(client: Client, facet: str) -> None:
    body = problem(client.get(f"{API}/programs", params={facet: "nonsense"}), 400)
    assert (body["param"], body["value"]) == (facet, "nonsense")
    assert body["valid"] == list(FACETS[facet].values)


def test_missing_things_are_404_problems(client: Client) -> None:
    for path in (f"{API}/programs/no-such-program", f"{API}/programs/no-such-program/similar"):
        body = problem(client.get(path), 404)
        assert "no-such-program" in body["detail"] and body["type"].endswith("unknown-program")
    assert problem(client.get(f"{API}/nothing-here"), 404)["type"] == "about:blank"
    wrong_method = client.post(f"{API}/programs")
    assert problem(wrong_method, 405)["detail"] == "POST is not allowed here; use GET"


@pytest.mark.parametrize(
    "query",
    [
        "q=%00%ff",
        "q=*:*",
        "q=name:elam^9",
        "q=[a TO z]",
        "q=" + "é" * 200,
        "q=%E2%80%AE",
        "career_stage=%00",
        "page=1e3",
    ],
)
def test_strange_input_never_gives_a_500(client: Client, query: str) -> None:
    assert client.get(f"{API}/programs?{query}").status_code in {200, 400}


def test_an_unreachable_database_is_a_quick_503(client: Client) -> None:
    live = client.app.state.live
    live.engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere")  # nothing listens on port 9
    started = time.monotonic()
    for path in ("/programs", "/programs/elam", "/programs.csv", "/programs?updated_since=2020-01-01"):
        body = problem(client.get(API + path), 503)
        assert body["type"].endswith("database-unavailable")
    assert time.monotonic() - started < 20
    assert client.get(f"{API}/programs").headers["retry-after"] == "30"


def test_no_catalog_is_a_503(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs: [")
    with running(create_app(make_settings(tmp_path, catalog=broken))) as c:
        for path in ("/programs", "/programs/elam", "/vocabularies", "/catalog", "/programs.ndjson"):
            assert problem(c.get(API + path), 503)["type"].endswith("no-catalog")


# --- documentation --------------------------------------------------------------------------------------------


def test_openapi_describes_the_parameters_and_problem_responses(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"][f"{API}/programs"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {
        *("q", *FACETS, "sort", "updated_since", "verified_since", "include_open", "has_link", "page", "per_page"),
        *("fields", "since", "version"),
    }
    assert params["include_open"]["schema"] == params["has_link"]["schema"] == {"type": "boolean", "default": False}
    assert params["career_stage"]["schema"]["items"]["enum"] == list(FACETS["career_stage"].values)
    assert params["per_page"]["schema"]["maximum"] == 100 and params["q"]["schema"]["maxLength"] == 200
    assert "application/problem+json" in operation["responses"]["400"]["content"]
    assert "422" not in operation["responses"]


def test_docs_page_works_offline(client: Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assets = [s["src"] for s in soup.find_all("script")] + [link["href"] for link in soup.find_all("link")]
    assert len(assets) == 5 and all(str(a).startswith("/docs/assets/") for a in assets)
    assert all(not s.string for s in soup.find_all("script")) and not soup.select("[style]")
    for asset in assets:
        assert client.get(str(asset)).status_code == 200
    assert "/openapi.json" in client.get("/docs/assets/docs.js").text


# --- the same answers on PostgreSQL ---------------------------------------------------------------------------

PARITY = [
    "/programs?q=women&fields=name,sources,founded,created_at",
    "/programs?career_stage=early-career&sort=-last_verified&per_page=3&page=2",
    "/programs/pmg",
    "/programs/elam/similar",
    "/vocabularies",
    "/programs.ndjson",
    "/programs.csv?fields=id,name,sources,founded,outcomes",
]


@pytest.mark.postgres
def test_the_same_responses_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    stamps = ("created_at", "updated_at")

    def answers(name: str, **overrides: Any) -> list[Any]:
        (tmp_path / name).mkdir()
        with running(create_app(make_settings(tmp_path / name, **overrides))) as c:
            out = []
            for path in PARITY:
                text = c.get(API + path).text
                if path.startswith("/programs?") or path.endswith("similar"):
                    body = orjson.loads(text)
                    for r in body["results"]:
                        assert all(dt.datetime.fromisoformat(r.pop(k)) for k in stamps if k in r)
                    assert body.pop("sync_token", "token") != ""  # names each database's own sequence
                    out.append(body)
                elif path.endswith("ndjson") or path == "/programs/pmg":
                    out.append(
                        [{k: v for k, v in orjson.loads(line).items() if k not in stamps} for line in text.splitlines()]
                    )
                else:
                    out.append(text)
            return out

    with postgres_database() as url:
        assert answers("postgresql", database_url=url) == answers("sqlite")
