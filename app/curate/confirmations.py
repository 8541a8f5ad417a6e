"""Confirmations from programs in the curators' queue: what `suggestions show` adds for one, and how `suggestions
apply` confirms the entry (`confirmed_with_program` set to the day) with the corrections the curator accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import typer

from app.api.confirm import CONFIRMABLE
from app.config import Settings
from app.curate.common import editing, err
from app.store import suggestions as store


def details_of(s: store.Suggestion) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(s.details or "{}")
    return loaded


def described(s: store.Suggestion) -> list[tuple[str, str]]:
    """The rows `show` adds for a confirmation: the sender's role, whether their email matches, each correction."""
    details = details_of(s)
    match = details.get("domain_match")
    domain = (s.email or "").rpartition("@")[2]
    rows = [
        ("Role", details.get("role") or "-"),
        (
            "Domain",
            f"{domain} matches the program's or sponsor's link ({match})"
            if match
            else f"{domain} matches "
            "neither the program's nor the sponsor's link: check who sent this before applying it",
        ),
        ("Answer", str(details.get("answer"))),
    ]
    for field, change in details.get("changes", {}).items():
        rows.append((field, f"{change['text']}  (source: {change['source']})"))
    if ended := details.get("ended"):
        rows.append(("Ended", f"{ended.get('year') or 'year not given'} (source: {ended.get('source') or '-'})"))
    return rows


def apply_confirmation(
    s: store.Suggestion, settings: Settings, *, accept: list[str], accept_all: bool, today: dt.date
) -> str:
    """Confirm the entry in the catalog file: the accepted corrections, then `confirmed_with_program`, each change
    through the byte-preserving writer and the whole file validated before it is written. The note to close with."""
    from app.catalog.edit import set_field
    from app.catalog.scaffold import write_atomic

    details = details_of(s)
    if details.get("answer") == "ended":
        err.print(
            f"error: #{s.id} says the program has ended: set its status, status_since and a status source by hand "
            f"from the page it gives, then `mentordir suggestions close {s.id} --status accepted`",
            markup=False,
        )
        raise typer.Exit(1)
    changes: dict[str, dict[str, str]] = details.get("changes", {})
    unknown = [f for f in accept if f not in changes]
    if unknown:
        offered = ", ".join(changes) or "none"
        err.print(f"error: #{s.id} proposes no change to {', '.join(unknown)} (it proposes: {offered})", markup=False)
        raise typer.Exit(2)
    accepted = [f for f in CONFIRMABLE if f in changes and (accept_all or f in accept)]
    assert s.program_id is not None
    path: Path = settings.catalog
    with editing(path):
        original = path.read_bytes()
        text = original.decode("utf-8")
        for field in accepted:
            text, _ = set_field(
                text, s.program_id, field, changes[field]["text"], display=str(path), max_programs=settings.max_programs
            )
        text, _ = set_field(
            text, s.program_id, "confirmed_with_program", today, display=str(path), max_programs=settings.max_programs
        )
        write_atomic(path, text, expected=original)
    left = [f for f in changes if f not in accepted]
    note = f"applied: confirmed_with_program {today.isoformat()}"
    note += f"; corrected {', '.join(accepted)}" if accepted else ""
    note += f"; not applied: {', '.join(left)}" if left else ""
    return note
