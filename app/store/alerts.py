"""Email alerts for a search: who asked (kept for sending only: never shown, listed or exported), which search, how
often, and how far the last digest reached in the catalog's sequence; and the signed links that confirm one
(double opt-in) and end it (one-click unsubscribe)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Column, DateTime, Engine, Text, delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from app.store.db import _utc, utcnow
from app.store.suggestions import Quota, RateLimited, counted

FREQUENCIES = {"weekly": 7, "monthly": 30}  # days between digests
SALTS = {"confirm": "mentordir-alert-confirm", "stop": "mentordir-alert-unsubscribe"}  # one purpose each
MAX_SEARCH = 2000


class AlertRow(SQLModel, table=True):
    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    search: str = Field(sa_column=Column(Text, nullable=False))  # the search in the API's terms
    page: str = Field(sa_column=Column(Text, nullable=False))  # the same search as the website's address
    about: str = Field(sa_column=Column(Text, nullable=False))  # the search in words
    frequency: str = Field(max_length=8)
    seq: int = Field(default=0)  # the catalog's sequence number the last digest (or the confirmation) covered
    confirmed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    last_sent_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    email: str
    search: str
    page: str
    about: str
    frequency: str
    seq: int
    confirmed: bool
    last_sent_at: dt.datetime | None


def _alert(row: AlertRow) -> Alert:
    sent = _utc(row.last_sent_at) if row.last_sent_at else None
    return Alert(
        row.id or 0, row.email, row.search, row.page, row.about, row.frequency, row.seq, bool(row.confirmed_at), sent
    )


def add(
    engine: Engine, alert: Alert, *, client: str, now: dt.datetime | None = None
) -> tuple[Alert, Quota] | RateLimited:
    """Keep an unconfirmed alert, within the forms' shared rate limit."""
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        quota = counted(session, client, now)
        if isinstance(quota, RateLimited):
            return quota
        row = AlertRow(
            email=alert.email,
            search=alert.search,
            page=alert.page,
            about=alert.about,
            frequency=alert.frequency,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return _alert(row), quota


def confirm(engine: Engine, alert_id: int, *, seq: int, now: dt.datetime | None = None) -> Alert | None:
    """Confirm an alert (its digests start from the catalog as it is now); None when it no longer exists."""
    with Session(engine) as session, session.begin():
        row = session.get(AlertRow, alert_id)
        if row is None:
            return None
        if row.confirmed_at is None:
            row.confirmed_at, row.seq = now or utcnow(), seq
        return _alert(row)


def remove(engine: Engine, alert_id: int) -> bool:
    """End an alert; False when there was none (already ended)."""
    with Session(engine) as session, session.begin():
        return bool(session.execute(delete(AlertRow).where(col(AlertRow.id) == alert_id)).rowcount)  # type: ignore[attr-defined]


def due(engine: Engine, now: dt.datetime | None = None) -> list[Alert]:
    """The confirmed alerts whose digest is due: never sent, or sent their frequency's days ago."""
    now = now or utcnow()
    with Session(engine) as session:
        rows = session.exec(select(AlertRow).where(col(AlertRow.confirmed_at).is_not(None))).all()
        alerts = [_alert(r) for r in rows]
    return [
        a
        for a in alerts
        if a.last_sent_at is None or now - a.last_sent_at >= dt.timedelta(days=FREQUENCIES[a.frequency])
    ]


def sent(engine: Engine, alert_id: int, *, seq: int, now: dt.datetime | None = None) -> None:
    """Note a digest sent: the next one lists what changes after `seq`."""
    with Session(engine) as session, session.begin():
        values = {"seq": seq, "last_sent_at": now or utcnow()}
        session.execute(update(AlertRow).where(col(AlertRow.id) == alert_id).values(**values))


def count(engine: Engine) -> tuple[int, int]:
    """(confirmed, waiting for confirmation): the only view of the alerts a curator gets."""
    with Session(engine) as session:
        rows = session.exec(select(AlertRow.confirmed_at)).all()
    confirmed = sum(1 for r in rows if r is not None)
    return confirmed, len(rows) - confirmed


def token(secret: str, purpose: str, alert_id: int) -> str:
    """A signed link's token for one alert and one purpose (confirm, stop)."""
    return URLSafeTimedSerializer(secret, salt=SALTS[purpose]).dumps({"a": alert_id})


def read_token(secret: str | None, purpose: str, value: str, *, days: int | None = None) -> int | None:
    """The alert a token stands for; None when it is altered, not ours, or older than `days`."""
    if not secret or len(value) > 500:
        return None
    try:
        data = URLSafeTimedSerializer(secret, salt=SALTS[purpose]).loads(value, max_age=days * 86400 if days else None)
    except (SignatureExpired, BadSignature):
        return None
    found = data.get("a") if isinstance(data, dict) else None
    return found if isinstance(found, int) else None
