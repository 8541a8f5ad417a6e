"""Reading search parameters: strict for the API, lenient (and reporting what it dropped) for the website."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import pytest
from starlette.datastructures import QueryParams

from app.api.params import ParamError, read_search
from app.catalog.vocab import FACETS
from app.search.query import SORTS, SearchQuery

NOT_ENDED = {"status": frozenset({"active", "unverified"})}  # the status a search keeps when it names none


def parse(params: Any, *, strict: bool, allowed: Collection[str] = ()) -> SearchQuery:
    """The search a query string asks for (the API's reading: strict)."""
    return read_search(params, strict=strict, allowed=allowed).query


def strict_error(query_string: str, **kwargs: object) -> ParamError:
    with pytest.raises(ParamError) as info:
        parse(QueryParams(query_string), strict=True, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_defaults_page_one_sorted_by_name() -> None:
    q = parse({}, strict=True)
    assert (q.text, dict(q.filters), q.sort, q.offset, q.limit) == ("", NOT_ENDED, "name", 0, 20)
    assert q.updated_since is None and q.verified_since is None


def test_text_makes_relevance_the_default_sort_and_an_explicit_sort_wins() -> None:
    assert parse({"q": "  women  "}, strict=True).text == "women"
    assert parse({"q": "women"}, strict=True).sort == "relevance"
    assert parse({"q": "women", "sort": "-last_verified"}, strict=True).sort == "-last_verified"
    for sort in SORTS:
        assert parse({"sort": sort}, strict=True).sort == sort


def test_facets_repeatable_comma_separated_and_case_insensitive() -> None:
    params = QueryParams("career_stage=early-career,Mid-Career&career_stage=senior&format=virtual")
    q = parse(params, strict=True)
    assert q.filters == {
        "career_stage": frozenset({"early-career", "mid-career", "senior"}),
        "format": {"virtual"},
        **NOT_ENDED,
    }


def test_page_and_per_page_become_offset_and_limit() -> None:
    parsed = read_search({"page": "3", "per_page": "25"}, strict=True)
    assert (parsed.page, parsed.per_page, parsed.query.offset, parsed.query.limit) == (3, 25, 50, 25)


def test_dates() -> None:
    q = parse({"updated_since": "2026-03-01T10:00:00+02:00", "verified_since": "2025-12-31"}, strict=True)
    assert q.updated_since == dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    assert q.verified_since == dt.date(2025, 12, 31)
    assert parse({"updated_since": "2026-03-01"}, strict=True).updated_since == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert parse({"updated_since": "2026-03-01t10:00:00z"}, strict=True).updated_since == dt.datetime(
        2026, 3, 1, 10, tzinfo=dt.UTC
    )
    # Valid date-times whose UTC instant falls outside years 1-9999 (found by the fuzz test): the nearest instant.
    earliest = parse({"updated_since": "0001-01-01T00:01:00+02:00"}, strict=True).updated_since
    assert earliest == dt.datetime.min.replace(tzinfo=dt.UTC)
    latest = parse({"updated_since": "9999-12-31T23:00:00-02:00"}, strict=True).updated_since
    assert latest == dt.datetime.max.replace(tzinfo=dt.UTC)


def test_unknown_parameter_names_it_and_lists_the_valid_ones() -> None:
    error = strict_error("q=x&carrer_stage=senior")
    assert (error.param, error.value) == ("carrer_stage", "senior")
    assert "did you mean 'career_stage'" in error.message
    assert error.valid is not None and "career_stage" in error.valid and "per_page" in error.valid


def test_allowed_extra_parameters_pass_through() -> None:
    assert parse(QueryParams("fields=id,name&q=x"), strict=True, allowed={"fields"}).text == "x"
    assert strict_error("fields=id").param == "fields"


def test_unknown_facet_value_lists_the_vocabulary() -> None:
    error = strict_error("career_stage=senior,midcareer")
    assert (error.param, error.value) == ("career_stage", "midcareer")
    assert "did you mean 'mid-career'" in error.message
    assert error.valid == list(FACETS["career_stage"].values)


@pytest.mark.parametrize(
    ("query_string", "param", "fragment"),
    [
        ("q=" + "a" * 201, "q", "201 characters"),
        ("per_page=0", "per_page", "from 1 to 100"),
        ("per_page=101", "per_page", "from 1 to 100"),
        ("per_page=ten", "per_page", "'ten' is not a whole number"),
        ("page=0", "page", "from 1 to"),
        ("page=-1", "page", "from 1 to"),
        ("page=1.5", "page", "whole number"),
        ("page=99999999999999999999", "page", "whole number"),
        ("sort=newest", "sort", "not a sort order"),
        ("updated_since=yesterday", "updated_since", "ISO 8601"),
        ("updated_since=2026-13-01", "updated_since", "ISO 8601"),
        ("verified_since=2026-02-30", "verified_since", "YYYY-MM-DD"),
        ("verified_since=2026-01-01T00:00:00", "verified_since", "YYYY-MM-DD"),
        ("q=a&q=b", "q", "once"),
    ],
)
def test_strict_errors_name_the_parameter(query_string: str, param: str, fragment: str) -> None:
    error = strict_error(query_string)
    assert error.param == param
    assert fragment in error.message


def test_sort_error_lists_the_orders() -> None:
    assert strict_error("sort=newest").valid == list(SORTS)


def test_empty_values_mean_not_given_on_the_website_and_are_errors_in_the_api() -> None:
    everything = "q=&page=&per_page=&sort=&updated_since=&verified_since=&format="
    parsed = read_search(QueryParams(everything), strict=False)
    q = parsed.query
    assert (q.text, q.sort, q.offset, q.limit, q.updated_since, dict(q.filters)) == ("", "name", 0, 20, None, NOT_ENDED)
    assert parsed.dropped == []
    assert parse(QueryParams("q="), strict=True).text == ""
    for name in ("page", "per_page", "sort", "updated_since", "verified_since"):
        assert strict_error(f"{name}=").param == name
    error = strict_error("format=virtual,")
    assert error.param == "format" and "empty" in error.message


def test_lenient_never_raises_keeps_what_it_can_and_reports_the_rest() -> None:
    params = QueryParams(
        "q=" + "m" * 250 + "&career_stage=senior,bogus&per_page=500&page=2&sort=newest&utm_source=mail"
        "&updated_since=never&verified_since=2026-01-01"
    )
    parsed = read_search(params, strict=False)
    assert parsed.query.text == "m" * 200
    assert parsed.query.filters == {"career_stage": frozenset({"senior"}), **NOT_ENDED}
    assert (parsed.page, parsed.per_page, parsed.query.offset) == (2, 20, 20)
    assert parsed.query.sort == "relevance"
    assert parsed.query.updated_since is None and parsed.query.verified_since == dt.date(2026, 1, 1)
    assert sorted(e.param for e in parsed.dropped) == sorted(
        ["q", "career_stage", "per_page", "sort", "utm_source", "updated_since"]
    )
    assert parse(params, strict=False) == parsed.query


def test_plain_mapping_of_strings_or_lists() -> None:
    q = parse({"format": ["virtual", "in-person"], "q": "peer"}, strict=True)
    assert q.filters == {"format": frozenset({"virtual", "in-person"}), **NOT_ENDED}
    assert q.text == "peer"


def test_status_defaults_to_not_ended_unless_named_or_syncing() -> None:
    assert parse({}, strict=True).filters == NOT_ENDED
    assert parse({"status": "ended"}, strict=True).filters == {"status": frozenset({"ended"})}
    every = parse({"status": "active,ended,unverified"}, strict=True).filters
    assert every == {"status": frozenset(FACETS["status"].values)}
    # a sync (since) covers every program, so that a program that ended reaches the client as a change
    assert parse({"since": "ab-1"}, strict=True, allowed={"since"}).filters == {}
