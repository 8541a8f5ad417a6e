"""How an entry's facts were checked, worked out from the catalog alone: the one line every card and page shows.

- confirmed: `confirmed_with_program` is set: a curator confirmed the entry with the program itself, that day.
- program-page: the entry cites a web page (a source with `url` and `accessed`) on the program's own website or its
  sponsor's (the host of `url` or `sponsor_url`, or a subdomain of it); the date is the latest day a curator read
  such a page (`accessed`).
- public-page: the entry cites web pages, but only others' (news, articles, directories); dated the same way.
- review: no web page but the 2020 review itself (its doi, or its tables on the journal's site): no date is stated,
  because no current source was read.

`last_verified` alone is never stated as a check date: it says a curator compared the entry with its sources, and
for an entry citing only the 2020 review that vouches for nothing current. An entry is due for a fresh check when
its date is more than the setting's months old, or when it has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

REVIEW_DOI = "10.1136/jim-2020-001391"
REVIEW_HOSTS = ("jim.bmj.com",)  # the journal's site, where the review and its tables are published
Kind = Literal["confirmed", "program-page", "public-page", "review"]
KINDS: tuple[Kind, ...] = ("confirmed", "program-page", "public-page", "review")
LEADS: dict[Kind, str] = {
    "confirmed": "Confirmed with the program on",
    "program-page": "Checked against the program’s public page on",
    "public-page": "Checked against public pages about the program on",
    "review": "From the 2020 review; not yet checked against a current source",
}
DUE = "Due for a fresh check"


@dataclass(frozen=True, slots=True)
class Provenance:
    kind: Kind
    checked_on: dt.date | None  # the day stated; None for the review
    due: bool

    @property
    def lead(self) -> str:
        """The line's words before its date (the whole line for the review)."""
        return LEADS[self.kind]

    @property
    def line(self) -> str:
        """The whole line, as plain text."""
        dated = f"{self.lead} {self.checked_on.isoformat()}" if self.checked_on else self.lead
        return f"{dated}. {DUE}." if self.due else f"{dated}."

    def as_json(self) -> dict[str, Any]:
        """The same facts as API fields."""
        return {
            "kind": self.kind,
            "checked_on": self.checked_on.isoformat() if self.checked_on else None,
            "due": self.due,
        }


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _on(host: str, sites: set[str]) -> bool:
    return any(host == site or host.endswith("." + site) for site in sites)


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def checked(record: Mapping[str, Any]) -> tuple[Kind, dt.date | None]:
    """(kind, date stated) of a program's public record (dates as ISO strings or dates)."""
    if record.get("confirmed_with_program"):
        return "confirmed", _day(record["confirmed_with_program"])
    sites = {_host(u) for u in (record.get("url"), record.get("sponsor_url")) if u} - {""}
    own: list[dt.date] = []
    others: list[dt.date] = []
    for source in record.get("sources", ()):
        url, accessed = source.get("url"), source.get("accessed")
        if not url or not accessed or source.get("doi") == REVIEW_DOI or _on(_host(url), set(REVIEW_HOSTS)):
            continue
        (own if _on(_host(url), sites) else others).append(_day(accessed))
    if own:
        return "program-page", max(own)
    if others:
        return "public-page", max(others)
    return "review", None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def provenance(record: Mapping[str, Any], *, months: int, today: dt.date | None = None) -> Provenance:
    """The provenance of a program's record, due when its date is over `months` old (or it has none)."""
    kind, day = checked(record)
    cutoff = months_before(today or dt.date.today(), months)
    return Provenance(kind, day, day is None or day < cutoff)
