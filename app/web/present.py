"""How the pages present a program's record: which check its details had, its catalog dates, its links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from jinja2 import pass_context
from jinja2.runtime import Context

from app.catalog.provenance import Provenance, checked, provenance
from app.config import RECHECK_MONTHS

ORGANIZATION_TYPES = {"professional-society", "online-community", "small-group", "informal-network"}


@pass_context
def provenance_of(context: Context, record: Mapping[str, Any]) -> Provenance:
    """For the templates: how a program's facts were checked, due after the server's setting's months."""
    live = getattr(context["request"].app.state, "live", None)
    return provenance(record, months=live.settings.recheck_months if live else RECHECK_MONTHS)


def catalog_dates(record: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """(published, updated) of a program from the catalog's own dates, so every server's feed agrees: when it was
    added, and the latest of that and the day its provenance states (a page read, a confirmation). A bare
    `last_verified` is no change: for an entry citing only the review it read nothing new."""
    added = dt.date.fromisoformat(record["date_added"])
    checked_on = checked(record)[1]
    return _midnight(added), _midnight(max(added, checked_on) if checked_on else added)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


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
