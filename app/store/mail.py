"""The one mail module: every message the service sends goes through `deliver`. With an SMTP URL it is sent (smtp://
or smtps://, optionally with user:password); without one it is kept in the outbox table, which `mentordir outbox`
lists, so a fresh install works with nothing configured and a curator can still see and forward what was due."""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import Column, DateTime, Engine, Text
from sqlmodel import Field, Session, SQLModel, col, select

from app.store.db import _utc, utcnow

SMTP_TIMEOUT = 30  # seconds
# A long header of one word (a List-Unsubscribe link) is kept whole, not rewritten as an encoded word.
HEADERS_UNFOLDED = policy.default.clone(max_line_length=998)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()  # e.g. List-Unsubscribe; not kept in the outbox


@dataclass(frozen=True, slots=True)
class Kept:
    id: int
    to: str
    subject: str
    body: str
    created_at: dt.datetime


def message(mail: Mail, sender: str) -> EmailMessage:
    out = EmailMessage(policy=HEADERS_UNFOLDED)
    out["From"], out["To"], out["Subject"] = sender, mail.to, mail.subject
    for name, value in mail.headers:
        out[name] = value
    out.set_content(mail.body)
    return out


def _send(smtp_url: str, messages: list[EmailMessage]) -> None:
    """Send over one SMTP connection (smtps: TLS from the start); login when the URL carries a user."""
    url = urlsplit(smtp_url)
    tls = url.scheme == "smtps"
    port = url.port or (465 if tls else 25)
    kind = smtplib.SMTP_SSL if tls else smtplib.SMTP
    with kind(url.hostname or "localhost", port, timeout=SMTP_TIMEOUT) as server:
        if url.username:
            server.login(unquote(url.username), unquote(url.password or ""))
        for m in messages:
            server.send_message(m)


def deliver(mails: list[Mail], *, smtp_url: str, sender: str, engine: Engine) -> str:
    """Send these messages by SMTP when `smtp_url` is set, else keep them in the outbox; says which it did.
    SMTP errors (smtplib.SMTPException, OSError) are the caller's to report."""
    if smtp_url:
        _send(smtp_url, [message(m, sender) for m in mails])
        return "sent"
    now = utcnow()
    with Session(engine) as session, session.begin():
        session.add_all([OutboxRow(to=m.to, subject=m.subject, body=m.body, created_at=now) for m in mails])
    return "outbox"


def outbox(engine: Engine, *, limit: int = 200) -> list[Kept]:
    """The messages kept in the outbox, newest first."""
    with Session(engine) as session:
        query = select(OutboxRow).order_by(col(OutboxRow.created_at).desc(), col(OutboxRow.id).desc()).limit(limit)
        rows = session.exec(query).all()
        return [Kept(r.id or 0, r.to, r.subject, r.body, _utc(r.created_at)) for r in rows]
