"""Programs that left the catalog, kept so that syncing clients learn of it: removed, or renamed (replaced by).

A rename is a removal that names the program replacing the old id (`replaced_by`): pages and records of the old id
redirect there, and syncing clients move their copy. Each row carries the load that last wrote it (`seq`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Engine, delete, insert
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, select

CHUNK = 500  # ids per IN (...) clause, well under every backend's parameter limit


class RemovedRow(SQLModel, table=True):
    """A program that left the catalog, kept so that syncing clients learn of removals."""

    __tablename__ = "removed_program"

    id: str = Field(primary_key=True, max_length=80)
    removed_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    seq: int = Field(default=0)  # the load that removed it (or last changed what replaces it)
    replaced_by: str | None = Field(default=None, max_length=80)  # a rename: the program that replaces this id


@dataclass(frozen=True, slots=True)
class Removal:
    """A program that left the catalog: when, in which load, and (a rename) which program replaces it."""

    id: str
    removed_at: dt.datetime
    seq: int
    replaced_by: str | None = None


def chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    return (ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK))


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def record_removals(
    session: Session,
    *,
    removed: Sequence[str],
    added: Sequence[str],
    renames: Mapping[str, str],
    current: Collection[str],
    seq: int,
    now: dt.datetime,
) -> list[str]:
    """Note, in the load's transaction, the programs this load removed (a rename with what replaces it); forget
    those that came back; and keep every earlier rename pointing at a current program: one renamed again follows
    (a -> b, later b -> c: a -> c), one whose program left becomes a plain removal. An old id this database never
    held (no program, no removal) is no rename: it is left out, and returned."""
    ids = RemovedRow.id.in_  # type: ignore[attr-defined]
    gone = set(removed)
    for chunk in chunks(list(removed) + list(added)):  # a program that comes back is no longer removed
        session.execute(delete(RemovedRow).where(ids(chunk)))
    for chunk in chunks(removed):
        rows = [{"id": pid, "removed_at": now, "seq": seq, "replaced_by": renames.get(pid)} for pid in chunk]
        session.execute(insert(RemovedRow), rows)
    columns = sa_select(RemovedRow.id, RemovedRow.replaced_by)  # type: ignore[call-overload]
    before: dict[str, str | None] = dict(session.execute(columns.where(RemovedRow.replaced_by.is_not(None))).all())  # type: ignore[union-attr]
    claimed = [old for old in renames if old not in gone]
    for chunk in chunks(claimed):
        before.update(session.execute(columns.where(ids(chunk))).all())
    never = sorted(old for old in claimed if old not in before)  # no program of this database: not a rename
    claimed = [old for old in claimed if old in before]
    wanted = {
        old: renames.get(new, new if new in current else None)
        for old, new in before.items()
        if new is not None and old not in gone and old not in renames
    }
    wanted |= {old: renames[old] for old in claimed}
    moved = sorted(old for old, new in wanted.items() if before.get(old, "") != new)  # "": no row yet
    for chunk in chunks(moved):
        session.execute(delete(RemovedRow).where(ids(chunk)))
        rows = [{"id": old, "removed_at": now, "seq": seq, "replaced_by": wanted[old]} for old in chunk]
        session.execute(insert(RemovedRow), rows)
    return never


def read_removals(engine: Engine) -> list[Removal]:
    """Every program that left the catalog (and has not come back), by id."""
    with Session(engine) as session:
        query = select(RemovedRow).order_by(RemovedRow.id)
        return [Removal(r.id, as_utc(r.removed_at), r.seq, r.replaced_by) for r in session.exec(query)]
