"""GET /api/v1/suggest and the search answer's offers, over HTTP on the fixture catalog."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from app.catalog.validate import load_catalog
from tests.support.app import FIXTURE_CATALOG, Client

API = "/api/v1"


def completions(client: Client, query: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/suggest?{query}")
    assert response.status_code == 200, response.text
    return list(response.json()["completions"])


def test_a_synonym_completes_to_its_filter_value_with_the_vocabulary_count(client: Client) -> None:
    [first, *_] = completions(client, "q=URM")
    vocab = {v["name"]: v for v in client.get(f"{API}/vocabularies").json()["vocabularies"]}
    count = next(t["count"] for t in vocab["demographic_focus"]["terms"] if t["value"] == first["value"])
    assert first == {
        "kind": "filter",
        "label": "Underrepresented in medicine",
        "count": count,
        "matched": "URM",
        "id": None,
        "facet": "demographic_focus",
        "facet_label": "Demographic focus",
        "value": "underrepresented-in-medicine",
        "links": {
            "self": "http://testserver/api/v1/programs?demographic_focus=underrepresented-in-medicine",
            # the website's default is the other way (programs open to everyone included)
            "html": "http://testserver/?demographic_focus=underrepresented-in-medicine&include_open=false",
        },
    }
    listed = client.get(urlsplit(first["links"]["self"])._replace(scheme="", netloc="").geturl()).json()
    assert listed["total"] == count


def test_with_include_open_a_value_counts_what_choosing_it_gives_in_that_mode(client: Client) -> None:
    for query, value in [("q=URM", "underrepresented-in-medicine"), ("q=endocrinology", "endocrinology")]:
        aimed = next(c for c in completions(client, query) if c["value"] == value)
        widened = next(c for c in completions(client, query + "&include_open=true") if c["value"] == value)
        facet = widened["facet"]
        total = client.get(f"{API}/programs?{facet}={value}&include_open=true&per_page=1").json()["total"]
        assert widened["count"] == total > aimed["count"], (value, aimed["count"], widened["count"], total)
        assert widened["links"]["self"].endswith("&include_open=true")
        assert "include_open" not in widened["links"]["html"]  # the website's default
        assert client.get(f"{API}/programs?{facet}={value}&per_page=1").json()["total"] == aimed["count"]
    [open_value] = [c for c in completions(client, "q=no+particular+group&include_open=true") if c["value"] == "open"][
        :1
    ]
    assert open_value["count"] == client.get(f"{API}/programs?demographic_focus=open&per_page=1").json()["total"]


def test_an_acronym_completes_to_its_program_whose_links_work(client: Client) -> None:
    [elam] = [c for c in completions(client, "q=ela") if c["kind"] == "program"]
    assert (elam["id"], elam["label"], elam["count"], elam["matched"]) == (
        "elam",
        "Executive Leadership in Academic Medicine",
        1,
        "ELAM",
    )
    record = client.get(urlsplit(elam["links"]["self"]).path).json()
    assert record["id"] == "elam"
    assert client.get(urlsplit(elam["links"]["html"]).path).status_code == 200


def test_a_sponsor_counts_what_searching_its_name_finds(client: Client) -> None:
    programs = load_catalog(FIXTURE_CATALOG).programs
    sponsors = [c for c in completions(client, "q=test%20uni") if c["kind"] == "sponsor"]
    assert [c["label"] for c in sponsors] == ["Test University"]
    assert sponsors[0]["count"] >= sum(p.record["sponsor"] == "Test University" for p in programs)
    assert sponsors[0]["links"]["html"] == "http://testserver/?q=Test+University&include_open=false"  # the API's mode
    found = client.get(f"{API}/programs?q=Test+University&per_page=1").json()["total"]
    assert sponsors[0]["count"] == found


def test_limit_and_empty_text(client: Client) -> None:
    assert len(completions(client, "q=p")) == 8  # of 19 names with a word beginning with p
    assert len(completions(client, "q=p&limit=3")) == 3
    assert completions(client, "q=") == [] and completions(client, "q=%20%20") == []


@pytest.mark.parametrize(
    ("query", "param", "detail"),
    [
        ("", "q", "is required"),
        ("q=a&limit=9", "limit", "not a whole number from 1 to 8"),
        ("q=a&limit=0", "limit", "not a whole number from 1 to 8"),
        ("q=a&limit=two", "limit", "not a whole number from 1 to 8"),
        ("q=a&q=b", "q", "give q once"),
        ("q=a&sort=name", "sort", "unknown parameter"),
        ("q=" + "a" * 201, "q", "at most 200"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client: Client, query: str, param: str, detail: str) -> None:
    response = client.get(f"{API}/suggest?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["param"] == param and detail in body["detail"]


def test_suggest_has_an_etag_and_answers_304(client: Client) -> None:
    first = client.get(f"{API}/suggest?q=women")
    tag = first.headers["etag"]
    assert client.get(f"{API}/suggest?q=women", headers={"If-None-Match": tag}).status_code == 304
    assert client.get(f"{API}/suggest?q=wom", headers={"If-None-Match": tag}).status_code == 200


def test_openapi_documents_suggest_and_the_new_search_fields(client: Client) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/suggest"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["q"]["required"] is True and params["q"]["schema"]["maxLength"] == 200
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 8, "default": 8}
    assert set(operation["responses"]) >= {"200", "304", "400", "503"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["CompletionOut"]["properties"]) >= {"kind", "label", "count", "matched", "links"}
    assert set(schemas["ProgramPage"]["properties"]) >= {"suggested_filters", "escapes", "guides"}


def test_the_search_answer_offers_filters_escapes_and_guides(client: Client) -> None:
    body = client.get(f"{API}/programs?q=women%20virtual").json()
    offered = {(o["facet"], o["value"]): o for o in body["suggested_filters"]}
    assert offered[("format", "virtual")]["q"] == "women"
    again = client.get(f"{API}/programs?q=women&format=virtual").json()
    assert again["total"] == offered[("format", "virtual")]["total"]

    empty = client.get(f"{API}/programs?q=leadership&format=online").json()
    assert empty["total"] == 0
    ways = {(e["kind"], e["name"]): e["total"] for e in empty["escapes"]}
    assert ways == {
        ("word", "leadership"): client.get(f"{API}/programs?format=online").json()["total"],
        ("filter", "format"): client.get(f"{API}/programs?q=leadership").json()["total"],
    }
    guided = client.get(f"{API}/programs?q=how%20to%20start%20a%20peer%20group").json()
    assert guided["guides"] == [
        {"title": "Start your own peer mentoring group", "url": "http://testserver/models#start-your-own"}
    ]
