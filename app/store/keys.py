"""Keys the service makes for itself, kept in the database: made once by whichever process asks first, then read
by every worker and replica that shares the database (a key made per process would not verify in its siblings)."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel


class KeyRow(SQLModel, table=True):
    __tablename__ = "site_key"

    name: str = Field(primary_key=True, max_length=32)  # what the key is for, e.g. "form-token"
    value: str = Field(max_length=128)  # hex


def shared_key(engine: Engine, name: str) -> bytes:
    """The key called `name`, made (32 random bytes) when the database has none; two processes asking at once
    both get the one that was stored first."""
    with Session(engine) as session:
        row = session.get(KeyRow, name)
        if row is not None:
            return bytes.fromhex(row.value)
        made = secrets.token_hex(32)
        session.add(KeyRow(name=name, value=made))
        try:
            session.commit()
            return bytes.fromhex(made)
        except IntegrityError:  # another process stored one between our read and our write: use theirs
            session.rollback()
    with Session(engine) as session:
        stored = session.get(KeyRow, name)
        assert stored is not None
        return bytes.fromhex(stored.value)
