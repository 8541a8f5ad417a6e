"""Suggestions from faculty, kept for curators to review: one row each, and the rate limit's short-lived hits.

A suggestion never changes the catalog; a curator closes it (accepted, rejected, duplicate), and `purge` deletes
old ones. The rate limit counts stored suggestions per client in the database, so every worker process and every
replica sharing the database enforce one limit together, and a restart does not reset it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Index, Text, delete, func, text
from sqlmodel import Field, Session, SQLModel, col, select

from app.store.db import _utc
from app.store.db import utcnow as utcnow

SUGGESTED = ("correction", "new-program")  # what anyone may send (/suggest, POST /api/v1/suggestions)
KINDS = (*SUGGESTED, "confirmation")  # a confirmation: from a program's staff, through its own form (app.api.confirm)
STATUSES = ("new", "accepted", "rejected", "duplicate")
CLOSED = STATUSES[1:]
MAX_MESSAGE, MAX_URL, MAX_NAME, MAX_EMAIL, MAX_NOTE = 2000, 500, 100, 254, 1000
RATE_LIMIT = 5  # stored suggestions per client ...
RATE_WINDOW = dt.timedelta(minutes=10)  # ... in this window
RETENTION = dt.timedelta(days=180)  # the form's promise: kept this long after it was sent or last closed


class SuggestionRow(SQLModel, table=True):
    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_status_created", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    status: str = Field(default="new", max_length=16)
    program_id: str | None = Field(default=None, max_length=80)
    program_name: str | None = Field(default=None, max_length=200)  # as it was, should the program leave later
    catalog_version: str = Field(max_length=64)
    message: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=MAX_URL)
    name: str | None = Field(default=None, max_length=MAX_NAME)
    email: str | None = Field(default=None, max_length=MAX_EMAIL)
    channel: str = Field(max_length=8)  # "web", "api" or "mail" (a confirmation through a signed link)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # a confirmation's, as JSON
    nonce: str | None = Field(default=None, max_length=32, index=True)  # the signed link answered, used once
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class RateHitRow(SQLModel, table=True):
    """One counted hit by a client (a hash of its address): a stored suggestion, confirmation or alert, or a wrong
    admin token (its own hash); kept only as long as the longest window."""

    __tablename__ = "suggestion_rate_hit"
    __table_args__ = (Index("ix_suggestion_rate_hit_client_at", "client", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    client: str = Field(max_length=64)
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    kind: str
    status: str
    program_id: str | None
    program_name: str | None
    catalog_version: str
    message: str
    url: str | None
    name: str | None
    email: str | None
    channel: str
    note: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    details: str | None = None
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class NewSuggestion:
    """What a visitor sent, already checked."""

    kind: str
    message: str
    program_id: str | None = None
    program_name: str | None = None
    url: str | None = None
    name: str | None = None
    email: str | None = None
    details: str | None = None
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimited:
    retry_after: int  # seconds until the oldest counted suggestion leaves the window


def _suggestion(row: SuggestionRow) -> Suggestion:
    assert row.id is not None
    values = {f.name: getattr(row, f.name) for f in fields(Suggestion)}
    values["created_at"], values["updated_at"] = _utc(row.created_at), _utc(row.updated_at)
    return Suggestion(**values)


def client_key(address: str) -> str:
    """The rate limit's key for a client address: a hash, so the address itself is never written down."""
    return hashlib.sha256(f"mentordir-suggestions:{address}".encode()).hexdigest()[:32]


def add(
    engine: Engine,
    new: NewSuggestion,
    *,
    catalog_version: str,
    channel: str,
    client: str,
    now: dt.datetime | None = None,
) -> tuple[Suggestion, Quota] | RateLimited:
    """Store a suggestion unless this client already stored RATE_LIMIT in the window; one transaction."""
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        quota = counted(session, client, now)
        if isinstance(quota, RateLimited):
            return quota
        row = SuggestionRow(
            **asdict(new), catalog_version=catalog_version, channel=channel, created_at=now, updated_at=now
        )
        session.add(row)
        session.flush()
        return _suggestion(row), quota


def counted(session: Session, client: str, now: dt.datetime) -> RateLimited | Quota:
    """The rate limit every form shares (suggestions, confirmations, email alerts): a RateLimited when this client
    already sent RATE_LIMIT in the window, else this send counted (in the caller's transaction) and what is left."""
    quota = _take(session, client, now, limit=RATE_LIMIT, window=RATE_WINDOW)
    return RateLimited(quota.reset) if quota.refused else quota


@dataclass(frozen=True, slots=True)
class Quota:
    """A client's place in a rate limit once a hit was offered: refused (the limit was reached), or counted."""

    limit: int
    hits: int  # in the window, this one included when counted
    reset: int  # seconds until the oldest hit leaves the window
    refused: bool

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.hits)


def _take(session: Session, client: str, now: dt.datetime, *, limit: int, window: dt.timedelta) -> Quota:
    """Count one hit for this client unless it has `limit` in the window already (in the caller's transaction).
    Hits are kept RATE_WINDOW, the longest window, so a shorter one never deletes another limit's hits.

    Count and insert must not interleave between two requests of one client: SQLite's opening DELETE already
    serialises writers; PostgreSQL takes a lock on the client for the transaction (30 racing requests otherwise
    let 13 through a limit of 10)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": int(hashlib.sha256(client.encode()).hexdigest()[:15], 16)},
        )
    session.execute(delete(RateHitRow).where(col(RateHitRow.at) <= now - RATE_WINDOW))
    mine = select(RateHitRow.at).where(RateHitRow.client == client, col(RateHitRow.at) > now - window)
    hits = [_utc(at) for at in session.exec(mine.order_by(col(RateHitRow.at))).all()]
    refused = len(hits) >= limit
    if not refused:
        session.add(RateHitRow(client=client, at=now))
        hits.append(now)
    oldest = hits[len(hits) - limit] if refused else hits[0]
    reset = max(1, math.ceil((oldest + window - now).total_seconds()))  # rounded up, at least 1
    return Quota(limit=limit, hits=len(hits), reset=reset, refused=refused)


def take(engine: Engine, client: str, *, limit: int, window: dt.timedelta, now: dt.datetime | None = None) -> Quota:
    """One hit of another limit kept in the same table (the admin token's wrong guesses): all workers share it."""
    with Session(engine) as session, session.begin():
        return _take(session, client, now or utcnow(), limit=limit, window=window)


def nonce_used(engine: Engine, nonce: str) -> bool:
    """Whether a signed link's answer is stored already (a link works once)."""
    with Session(engine) as session:
        return session.exec(select(SuggestionRow.id).where(SuggestionRow.nonce == nonce)).first() is not None


def get(engine: Engine, suggestion_id: int) -> Suggestion | None:
    with Session(engine) as session:
        row = session.get(SuggestionRow, suggestion_id)
        return None if row is None else _suggestion(row)


def listing(
    engine: Engine, *, statuses: Sequence[str] = (), limit: int | None = None, offset: int = 0
) -> tuple[int, list[Suggestion]]:
    """Suggestions with these statuses (all when empty), newest first; and how many there are in all."""
    with Session(engine) as session:
        query = select(SuggestionRow)
        total = select(func.count()).select_from(SuggestionRow)
        if statuses:
            query = query.where(col(SuggestionRow.status).in_(statuses))
            total = total.where(col(SuggestionRow.status).in_(statuses))
        query = query.order_by(col(SuggestionRow.created_at).desc(), col(SuggestionRow.id).desc()).offset(offset)
        rows = session.exec(query.limit(limit) if limit is not None else query).all()
        return session.exec(total).one(), [_suggestion(r) for r in rows]


def _by_status(session: Session, *where: Any) -> dict[str, int]:
    query = select(SuggestionRow.status, func.count()).where(*where).group_by(SuggestionRow.status)
    found = dict(session.exec(query).all())
    return {status: int(found.get(status, 0)) for status in STATUSES}


def counts(engine: Engine) -> dict[str, int]:
    """How many suggestions have each status (every status, zeros included)."""
    with Session(engine) as session:
        return _by_status(session)


def close(engine: Engine, suggestion_id: int, *, status: str, note: str | None) -> Suggestion | None:
    """Set a suggestion's status and the curator's note (kept as it was when no note is given)."""
    if status not in STATUSES:
        raise ValueError(f"'{status}' is not a status; use one of {', '.join(STATUSES)}")
    with Session(engine) as session, session.begin():
        row = session.get(SuggestionRow, suggestion_id)
        if row is None:
            return None
        row.status, row.updated_at = status, utcnow()
        if note is not None:
            row.note = note
        session.flush()
        return _suggestion(row)


def purge(engine: Engine, *, before: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    """Delete the suggestions last changed before `before` (and expired rate-limit hits); counts by status."""
    old = col(SuggestionRow.updated_at) < before
    with Session(engine) as session, session.begin():
        found = _by_status(session, old)
        if not dry_run:
            session.execute(delete(SuggestionRow).where(old))
            session.execute(delete(RateHitRow).where(col(RateHitRow.at) <= utcnow() - RATE_WINDOW))
    return found
