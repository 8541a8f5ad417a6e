"""Confirmations from a program's own staff: the checks of the "Do you run this program?" form, and the signed,
expiring links `mentordir recheck --send` mails to programs. A confirmation is a suggestion of its own kind (stored,
rate-limited and reviewed like the others); the sender's name and email are for curators only.

The form's fields: `program_id`, `name`, `role`, `email`, `answer` (all-correct, changes or ended); with changes,
`new-FIELD` (the corrected text; blank: correct as shown) and `source-FIELD` (where it says so) for each field of
CONFIRMABLE; with ended, `ended_year` and `ended_source` (optional). `token` carries a mailed link.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.api.plaintext import Invalid, check_email, check_link, plain_text
from app.api.suggestions import room_for
from app.live.snapshot import Snapshot
from app.store import suggestions as store

# The public fields staff may correct, with what the form calls them and the most each may hold (the catalog's).
CONFIRMABLE: dict[str, tuple[str, int]] = {
    "name": ("Name", 200),
    "summary": ("One-sentence summary", 300),
    "description": ("Description", 4000),
    "sponsor": ("Run by", 200),
    "eligibility": ("Eligibility", 1000),
    "duration": ("Time commitment", 300),
    "cost": ("Cost", 300),
    "url": ("The program’s own web page", 500),
}
MULTILINE = frozenset({"description", "eligibility"})  # the form gives these a textarea: line breaks allowed
ANSWERS = ("all-correct", "changes", "ended")
IDENTITY = {"name": ("Your name", 100), "role": ("Your role in the program", 200), "email": ("Your work email", 254)}
# The form at every limit: each field with its source link (500), and the ending, the id, who writes and the token.
MAX_BODY = room_for(sum(limit + 500 for _, limit in CONFIRMABLE.values()) + 2000)
SALT = "mentordir-recheck"  # a purpose of its own: a token signed for anything else does not verify here


@dataclass(frozen=True, slots=True)
class Link:
    """What a mailed link says: which program, to which address, and its one-use number."""

    program_id: str
    email: str
    nonce: str


class LinkRefused(Exception):
    """A mailed link that cannot be used: `reason` is expired, invalid or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(secret: str, program_id: str, email: str) -> str:
    """A token for a confirmation link to one program's contact address."""
    payload = {"p": program_id, "e": email, "n": secrets.token_hex(12)}
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(payload)


def verify(secret: str | None, token: str, *, days: int) -> Link:
    """The link a token stands for; LinkRefused when it is past `days` old, altered, or not ours."""
    if not secret or len(token) > 1000:
        raise LinkRefused("invalid")
    try:
        data = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=days * 86400)
    except SignatureExpired:
        raise LinkRefused("expired") from None
    except BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("p", "e", "n")):
        raise LinkRefused("invalid")
    return Link(data["p"], data["e"], data["n"])


def _domain(host: str) -> str:
    return host.lower().removeprefix("www.")


def domain_match(email: str, record: Mapping[str, Any]) -> str | None:
    """The program's or sponsor's link host the email's domain matches (one is the other or a part of it)."""
    mail = _domain(email.rpartition("@")[2])
    for url in (record.get("url"), record.get("sponsor_url")):
        site = _domain(urlsplit(url).hostname or "") if url else ""
        if site and (mail == site or mail.endswith("." + site) or site.endswith("." + mail)):
            return site
    return None


def _changes(raw: Mapping[str, Any], errors: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each corrected field: its new text and the link that shows it (required with a change)."""
    changes = {}
    for field, (_, limit) in CONFIRMABLE.items():
        text = plain_text(f"new-{field}", raw.get(f"new-{field}"), errors, limit, lines=field in MULTILINE)
        source = plain_text(f"source-{field}", raw.get(f"source-{field}"), errors, 500)
        if field == "url":
            check_link(f"new-{field}", text, errors)
        check_link(f"source-{field}", source, errors)
        if text is not None:
            if source is None and f"source-{field}" not in errors:
                errors[f"source-{field}"] = "is required with a correction: a page where it says so"
            changes[field] = {"text": text, "source": source or ""}
    if not changes and not errors:
        errors["answer"] = "is “some of it needs changes”, but no field has corrected text"
    return changes


def _ended(raw: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    year = plain_text("ended_year", raw.get("ended_year"), errors, 4)
    source = plain_text("ended_source", raw.get("ended_source"), errors, 500)
    check_link("ended_source", source, errors)
    # isdecimal, not isdigit: "²" is a digit that int() cannot read
    if year is not None and not (year.isdecimal() and 1800 <= int(year) <= dt.date.today().year):
        errors["ended_year"] = f"must be a year from 1800 to {dt.date.today().year}"
    return {"year": int(year) if year and year.isdecimal() else None, "source": source}


def check_confirmation(raw: Mapping[str, Any], snap: Snapshot, link: Link | None = None) -> store.NewSuggestion:
    """The confirmation from the form's fields, every problem reported at once (Invalid)."""
    errors: dict[str, str] = {}
    program_id = plain_text("program_id", raw.get("program_id"), errors, 80)
    program = snap.programs.get(program_id or "")
    if link is not None and program_id != link.program_id:
        errors["program_id"] = "is not the program this link was sent for"
    elif program is None:
        errors["program_id"] = "does not name a program in the directory"
    who = {k: plain_text(k, raw.get(k), errors, limit) for k, (_, limit) in IDENTITY.items()}
    for k in IDENTITY:
        if who[k] is None and k not in errors:
            errors[k] = "is required: curators may need to ask you about it"
    check_email("email", who["email"], errors)
    answer = raw.get("answer")
    details: dict[str, Any] = {"role": who["role"], "answer": answer}
    if answer == "changes":
        details["changes"] = _changes(raw, errors)
    elif answer == "ended":
        details["ended"] = _ended(raw, errors)
    elif answer != "all-correct":
        errors["answer"] = "is required: say whether the entry is correct, needs changes, or the program has ended"
    if errors:
        raise Invalid(errors)
    assert program is not None and program_id is not None and who["email"] is not None
    details["domain_match"] = domain_match(who["email"], program.record)
    message = _summary(details)
    return store.NewSuggestion(
        "confirmation",
        message,
        program_id,
        program.record["name"],
        name=who["name"],
        email=who["email"],
        details=orjson.dumps(details).decode(),
        nonce=link.nonce if link else None,
    )


def _summary(details: Mapping[str, Any]) -> str:
    """The confirmation in a line or two, for the curators' list."""
    if details["answer"] == "all-correct":
        return "The program confirms every field as shown."
    if details["answer"] == "ended":
        ended = details["ended"]
        return "The program says it has ended" + (f" in {ended['year']}" if ended["year"] else "") + "."
    fields = ", ".join(CONFIRMABLE[f][0].lower() for f in details["changes"])
    return f"The program confirms the entry with corrections to: {fields}."
