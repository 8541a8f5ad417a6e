"""schema.org data (JSON-LD) for the pages, carrying only facts the page itself shows: a program page's program,
and a search page's list of the programs it shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.catalog.provenance import checked
from app.catalog.vocab import FACETS
from app.web.present import ORGANIZATION_TYPES, catalog_dates, ended_line
from app.web.words import count

CONTEXT = "https://schema.org"
DISCONTINUED = "https://schema.org/Discontinued"


def _kind(record: Mapping[str, Any]) -> str:
    """A group, society or community is a Service its sponsor provides (as Open Referral lists services with the
    organization that provides them); everything else an educational program. Both have a `provider`."""
    return "Service" if record["type"] in ORGANIZATION_TYPES else "EducationalOccupationalProgram"


def brief(record: Mapping[str, Any], page: str, *, url: str | None = None) -> dict[str, Any]:
    """What a search result and a program page both show: name, link, summary and who runs it."""
    kind = _kind(record)
    data: dict[str, Any] = {"@type": kind, "name": record["name"], "description": record["summary"]}
    data["url"] = url or page
    sponsor = {"@type": "Organization", "name": record["sponsor"]}
    if record.get("sponsor_url"):
        sponsor["url"] = record["sponsor_url"]
    data["provider"] = sponsor
    if record.get("status") == "ended":
        data["disambiguatingDescription"] = ended_line(record)
    return data


def json_ld(record: Mapping[str, Any], page: str) -> dict[str, Any]:
    """schema.org data for a program page: a Service for groups and communities, else a program."""
    data = {"@context": CONTEXT} | brief(record, page, url=record.get("url") or page)
    if record.get("aliases"):
        data["alternateName"] = record["aliases"]
    ended = record.get("status") == "ended"
    access = FACETS["access"]
    term = access.term(record["access"])
    joining = "Who can join: " + (f"{term.label}. {term.definition}" if term else access.label_of(record["access"]))
    if data["@type"] == "Service":
        data["serviceType"] = FACETS["type"].label_of(record["type"])
        data["audience"] = {"@type": "Audience", "audienceType": joining}
    else:
        data["educationalProgramMode"] = [FACETS["format"].label_of(f) for f in record["formats"]]
        data["programPrerequisites"] = [joining]
        if record.get("eligibility"):
            data["programPrerequisites"].append(record["eligibility"])
        if ended and record.get("status_since"):
            data["endDate"] = str(record["status_since"])
    if ended:  # never offered as current: schema.org's word for an offer that is no more
        data["offers"] = {"@type": "Offer", "availability": DISCONTINUED}
    data["mainEntityOfPage"] = _page(record, page)
    return data


def _page(record: Mapping[str, Any], page: str) -> dict[str, Any]:
    """The program's page in the directory: when it was added, last changed and last checked, and its sources."""
    added, updated = catalog_dates(record)
    data: dict[str, Any] = {
        "@type": "WebPage",
        "@id": page,
        "url": page,
        "datePublished": added.date().isoformat(),
        "dateModified": updated.date().isoformat(),
    }
    checked_on = checked(record)[1]
    if checked_on is not None:
        data["lastReviewed"] = checked_on.isoformat()
    cited = [s.get("url") or f"https://doi.org/{s['doi']}" for s in record["sources"] if s.get("url") or s.get("doi")]
    if cited:
        data["citation"] = cited
    return data


def item_list(
    records: Sequence[Mapping[str, Any]], *, base: str, query: str, about: str, first: int, total: int
) -> dict[str, Any]:
    """schema.org data for a search page (its query string, the search in words): the programs it lists, in its
    order, each with its page's URL, and what the page says of them."""
    items = []
    for position, record in enumerate(records, start=first + 1):
        url = f"{base}/programs/{record['id']}"
        items.append({"@type": "ListItem", "position": position, "url": url, "item": brief(record, url)})
    shown = count(total, "program")
    shown = f"{first + 1}–{first + len(items)} of {shown}" if len(items) < total else shown
    return {
        "@context": CONTEXT,
        "@type": "ItemList",
        "name": f"Mentor Directory: programs {about}" if about else "Mentor Directory: all programs",
        "description": f"{shown} in Mentor Directory" + (f", {about}" if about else ""),
        "url": f"{base}/" + (f"?{query}" if query else ""),
        "numberOfItems": len(items),
        "itemListElement": items,
    }
