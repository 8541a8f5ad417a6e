"""How the pages present a program's record: which check its details had, its catalog dates, its links, JSON-LD."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from app.catalog.vocab import FACETS

ORGANIZATION_TYPES = {"professional-society", "online-community", "small-group", "informal-network"}


def freshness(record: Mapping[str, Any], today: dt.date | None = None) -> tuple[str, str]:
    """A badge saying which check a program's details had, and how long ago: (css class, words).

    Only a check with the program itself (`confirmed_with_program`) can earn a "recent" badge; a check against the
    sources (`last_verified`) says only that the entry still matches what they published.
    """
    confirmed = record.get("confirmed_with_program")
    if not confirmed:
        return "unconfirmed", "From published sources; not yet confirmed with the program"
    days = ((today or dt.date.today()) - dt.date.fromisoformat(confirmed)).days
    if days <= 183:
        return "fresh", "Confirmed with the program in the last six months"
    if days <= 366:
        return "ageing", "Confirmed with the program in the last year"
    return "stale", "Last confirmed with the program over a year ago; details may have changed"


def catalog_dates(record: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """(published, updated) of a program from the catalog's own dates, so every server's feed agrees: when it was
    added, and the latest of that and its checks against its sources and with the program."""
    days = [record["date_added"], record["last_verified"], record.get("confirmed_with_program") or ""]
    return _midnight(record["date_added"]), _midnight(max(d for d in days if d))


def _midnight(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def json_ld(record: Mapping[str, Any], url: str) -> dict[str, Any]:
    """schema.org data for a program page: an Organization for groups and communities, else a program."""
    kind = "Organization" if record["type"] in ORGANIZATION_TYPES else "EducationalOccupationalProgram"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": record["name"],
        "description": record["summary"],
        "url": record.get("url") or url,
        "sameAs": url,
    }
    if record.get("aliases"):
        data["alternateName"] = record["aliases"]
    sponsor = {"@type": "Organization", "name": record["sponsor"]}
    if record.get("sponsor_url"):
        sponsor["url"] = record["sponsor_url"]
    if kind == "Organization":
        data["sponsor"] = sponsor
        if record.get("founded"):
            data["foundingDate"] = str(record["founded"])
    else:
        data["provider"] = sponsor
        data["educationalProgramMode"] = [FACETS["format"].label_of(f) for f in record["formats"]]
        if record.get("eligibility"):
            data["programPrerequisites"] = record["eligibility"]
    return data


def host(url: str) -> str:
    """A URL's host name, to say whose site a link leads to."""
    return urlsplit(url).hostname or url


def ended_line(record: Mapping[str, Any]) -> str | None:
    """For an ended program, the plain line its page opens with: since when, and on whose word."""
    if record.get("status") != "ended":
        return None
    since = f" since {record['status_since']}" if record.get("status_since") else ""
    index = record.get("status_source")
    source = record["sources"][index - 1] if index and index <= len(record["sources"]) else {}
    who = source.get("publisher") or source.get("title")
    return f"No longer offered{since}" + (f", per {who}" if who else "") + "."
