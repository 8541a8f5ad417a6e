"""app.catalog.provenance: which check a record's facts had, and when it falls due, from the record alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.catalog.provenance import REVIEW_DOI, checked, months_before, provenance

REVIEW = {"title": "The review", "doi": REVIEW_DOI}


def page(url: str, day: str) -> dict[str, Any]:
    return {"title": "A page", "url": url, "accessed": day}


def record(*sources: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"sources": list(sources), "url": None, "sponsor_url": None, **fields}


def test_the_kinds_and_their_dates() -> None:
    own = record(REVIEW, page("https://med.example.edu/circle", "2026-03-01"), url="https://www.example.edu/x")
    assert checked(own) == ("program-page", dt.date(2026, 3, 1))  # a part of the program's site counts
    sponsor = record(
        page("https://news.society.org/a", "2026-01-01"),
        page("https://society.org/b", "2026-02-01"),
        sponsor_url="https://www.society.org",
    )
    assert checked(sponsor) == ("program-page", dt.date(2026, 2, 1))  # the latest page read
    others = record(page("https://news.example.com/story", "2025-05-05"), url="https://example.edu/")
    assert checked(others) == ("public-page", dt.date(2025, 5, 5))
    table = page("https://jim.bmj.com/highwire/markup/1", "2026-12-06")
    assert checked(record(REVIEW, table)) == ("review", None)  # the review's own tables are the review
    confirmed = record(REVIEW, confirmed_with_program="2026-04-04")
    assert checked(confirmed) == ("confirmed", dt.date(2026, 4, 4))


def test_due_after_the_months_or_without_a_date() -> None:
    today = dt.date(2026, 12, 7)
    fresh = record(page("https://a.org/p", "2025-12-07"), url="https://a.org")
    stale = record(page("https://a.org/p", "2025-12-06"), url="https://a.org")
    assert not provenance(fresh, months=12, today=today).due
    assert provenance(stale, months=12, today=today).due
    assert provenance(record(REVIEW), months=12, today=today).due
    assert provenance(stale, months=12, today=today).line == (
        "Checked against the program’s public page on 2025-12-06. Due for a fresh check."
    )


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(dt.date(2026, 12, 7), 12) == dt.date(2025, 12, 7)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2028, 3, 30), 1) == dt.date(2028, 2, 29)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)
