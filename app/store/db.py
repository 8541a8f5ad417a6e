"""The SQL store: programs and the catalog version, written in one transaction, read by id.

Each load that changes the catalog takes the next sequence number in the same transaction, and stamps it on every
program it adds or changes and on every removal it records: a client that holds a sequence number can be told
exactly what changed after it (`app.api.sync`), however late it asks.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Column, DateTime, Engine, Text, delete, event, insert, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, create_engine

from app.catalog.models import Catalog
from app.catalog.provenance import provenance
from app.catalog.renames import replacements
from app.store.migrate import add_missing_columns
from app.store.removals import Removal as Removal
from app.store.removals import as_utc, record_removals
from app.store.removals import chunks as chunks
from app.store.removals import read_removals as read_removals

log = logging.getLogger("mentordir")

WRITE_BATCH = 2000  # rows inserted or updated per statement


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_utc = as_utc  # the store's other modules take it from here


def _when() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ProgramRow(SQLModel, table=True):
    __tablename__ = "program"

    id: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=200)
    content_hash: str = Field(max_length=64)
    record: str = Field(sa_column=Column(Text, nullable=False))  # the program as JSON
    created_at: dt.datetime = _when()
    updated_at: dt.datetime = _when()
    seq: int = Field(default=0)  # the load that last added or changed it


# The table itself, for bulk inserts: SQLAlchemy's ORM-enabled bulk insert handles each row in Python first (a
# quarter of storing 100,000 programs), where a Core insert hands the rows to the driver's executemany.
PROGRAMS = ProgramRow.__table__  # type: ignore[attr-defined]


class CatalogRow(SQLModel, table=True):
    __tablename__ = "catalog_meta"

    key: str = Field(default="current", primary_key=True, max_length=16)
    version: str = Field(max_length=64)
    program_count: int
    title: str | None = None
    license_name: str | None = None
    license_url: str | None = None
    citation: str | None = None
    loaded_at: dt.datetime = _when()
    seq: int = Field(default=0)  # the sequence number of the last load that changed the catalog
    epoch: str = Field(default="", max_length=32)  # names this database's sequence; a new database starts another


@dataclass(frozen=True, slots=True)
class StoredProgram:
    """A program as stored. Its record stays the JSON text the database holds until asked for: a page needs a few
    records, and 100,000 of them decoded at every start took 1.8 s and 530 MB."""

    id: str
    raw: str  # the record as JSON
    created_at: dt.datetime
    updated_at: dt.datetime
    content_hash: str = ""
    seq: int = 0

    @property
    def record(self) -> dict[str, Any]:
        """The catalog's fields (a new dict at each call)."""
        out: dict[str, Any] = orjson.loads(self.raw)
        return out

    def full_record(self, *, recheck_months: int, today: dt.date | None = None) -> dict[str, Any]:
        """The record as the API shows it: the catalog's fields, how its facts were checked (and whether that is
        due again, as of `today`), and when it entered and last changed this server's database."""
        record = self.record
        return {
            **record,
            "provenance": provenance(record, months=recheck_months, today=today).as_json(),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class CatalogMeta:
    version: str
    program_count: int
    title: str | None
    loaded_at: dt.datetime
    seq: int = 0
    epoch: str = ""
    about: tuple[str | None, str | None, str | None] = (None, None, None)  # licence name and url, citation


def _about(catalog: Catalog) -> tuple[str | None, str | None, str | None]:
    licence = catalog.license
    return (licence.name if licence else None, licence.url if licence else None, catalog.citation)


@dataclass(frozen=True, slots=True)
class SyncReport:
    version: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]  # never a renamed program: those are in `renamed`
    unchanged: int
    programs: tuple[StoredProgram, ...] = field(default=(), repr=False)  # every program as now stored, by id
    seq: int = 0
    renamed: tuple[str, ...] = ()  # old ids that a program of this catalog replaces, dropped by this load

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + self.unchanged

    @property
    def counts(self) -> str:
        added, changed, removed = len(self.added), len(self.changed), len(self.removed)
        renamed = f", {len(self.renamed)} renamed" if self.renamed else ""
        return f"{added} added, {changed} changed, {removed} removed, {self.unchanged} unchanged{renamed}"


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite files get their folder, WAL and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cursor = conn.cursor()
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    connect_args = {"connect_timeout": 3} if parsed.get_backend_name() == "postgresql" else {}
    return create_engine(url, pool_pre_ping=True, pool_timeout=3, connect_args=connect_args)


def init_db(engine: Engine) -> None:
    """Create the tables (and columns added since) that are missing; safe when several processes start at once."""
    for attempt in range(3):
        try:
            SQLModel.metadata.create_all(engine)
            add_missing_columns(engine)
            return
        except SQLAlchemyError:  # another process created the same table between our check and our CREATE
            if attempt == 2:
                raise


def _serialize_writers(session: Session) -> None:
    """Take the database's write lock first, so that two loads never compute the same next sequence number."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7251016)"))
    # SQLite: a write as the first statement takes the database's write lock before anything is read.
    session.execute(update(CatalogRow).where(CatalogRow.key == "current").values(seq=CatalogRow.seq))  # type: ignore[arg-type]


def sync_catalog(
    engine: Engine, catalog: Catalog, *, now: dt.datetime | None = None, check: Callable[[Set[str]], None] | None = None
) -> SyncReport:
    """Make the database hold exactly this catalog, in one transaction; timestamps move only on change.
    `check(stored ids)` runs before anything is written: raising there writes nothing."""
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        _serialize_writers(session)
        meta = session.get(CatalogRow, "current")
        about = _about(catalog)
        changes = meta is None or (meta.version, meta.title) != (catalog.version, catalog.title)
        changes = changes or (meta is not None and (meta.license_name, meta.license_url, meta.citation) != about)
        seq = (meta.seq if meta else 0) + (1 if changes else 0)
        columns = (ProgramRow.id, ProgramRow.content_hash, ProgramRow.created_at, ProgramRow.updated_at, ProgramRow.seq)
        existing = {row[0]: row[1:] for row in session.execute(sa_select(*columns))}  # type: ignore[call-overload]
        if check is not None:
            check(existing.keys())
        renames = replacements(catalog.programs)
        born = _earliest(renames, existing)
        added, changed, new_rows, changed_rows, stored = [], [], [], [], []
        for program in catalog.programs:
            raw = program.raw
            row = {"id": program.id, "name": program.name, "content_hash": program.content_hash, "record": raw}
            before = existing.get(program.id)
            if before is None:
                added.append(program.id)
                created, updated, last = born.get(program.id, now), now, seq
                new_rows.append({**row, "created_at": created, "updated_at": now, "seq": seq})
            elif before[0] != program.content_hash:
                changed.append(program.id)
                created, updated, last = min(_utc(before[1]), born.get(program.id, now)), now, seq
                changed_rows.append({**row, "created_at": created, "updated_at": now, "seq": seq})
            else:
                created, updated, last = _utc(before[1]), _utc(before[2]), before[3]
            stored.append(StoredProgram(program.id, raw, created, updated, program.content_hash, last))
            if len(new_rows) + len(changed_rows) >= WRITE_BATCH:  # a batch at a time: 100,000 at once cost 0.3 GB
                _write(session, new_rows, changed_rows)
        _write(session, new_rows, changed_rows)
        current = {p.id for p in catalog.programs}
        removed = sorted(set(existing) - current)
        for chunk in chunks(removed):
            session.execute(delete(ProgramRow).where(ProgramRow.id.in_(chunk)))  # type: ignore[attr-defined]
        never = record_removals(
            session, removed=removed, added=added, renames=renames, current=current, seq=seq, now=now
        )
        if meta is None:  # the first load: a new database starts a new sequence
            meta = CatalogRow(version=catalog.version, program_count=0, loaded_at=now, epoch=secrets.token_hex(8))
            session.add(meta)
        if changes:
            meta.version, meta.program_count, meta.title = catalog.version, len(current), catalog.title
            meta.loaded_at, meta.seq, meta.epoch = now, seq, meta.epoch or secrets.token_hex(8)
            meta.license_name, meta.license_url, meta.citation = about
        unchanged = len(current) - len(added) - len(changed)
    if never:  # the file alone cannot tell: only the database knows which ids it held
        log.warning("catalog %s: replaces ids this database never held, ignored: %s", catalog.version, ", ".join(never))
    stored.sort(key=lambda p: p.id)
    plain, renamed = tuple(r for r in removed if r not in renames), tuple(r for r in removed if r in renames)
    return SyncReport(catalog.version, tuple(added), tuple(changed), plain, unchanged, tuple(stored), seq, renamed)


def _earliest(renames: Mapping[str, str], existing: Mapping[str, Any]) -> dict[str, dt.datetime]:
    """{id: the earliest created_at of the stored programs it replaces}: a renamed program is not a new one."""
    born: dict[str, dt.datetime] = {}
    for old, new in renames.items():
        if old in existing:
            made = _utc(existing[old][1])
            born[new] = min(made, born.get(new, made))
    return born


def _write(session: Session, new_rows: list[dict[str, Any]], changed_rows: list[dict[str, Any]]) -> None:
    """Insert and update these rows, and empty the lists."""
    if new_rows:
        session.execute(insert(PROGRAMS), new_rows)
        new_rows.clear()
    if changed_rows:
        session.execute(update(ProgramRow), changed_rows)
        changed_rows.clear()


_COLUMNS = (
    ProgramRow.id,
    ProgramRow.record,
    ProgramRow.created_at,
    ProgramRow.updated_at,
    ProgramRow.content_hash,
    ProgramRow.seq,
)


def read_programs(engine: Engine) -> list[StoredProgram]:
    """Every stored program, by id."""
    with engine.connect() as conn:  # a plain connection: an ORM session's row handling doubled this at 100,000
        rows = conn.execute(sa_select(*_COLUMNS).order_by(ProgramRow.id)).all()  # type: ignore[call-overload]
    return [StoredProgram(i, raw, _utc(made), _utc(changed), h, seq) for i, raw, made, changed, h, seq in rows]


def read_meta(engine: Engine) -> CatalogMeta | None:
    with Session(engine) as session:
        row = session.get(CatalogRow, "current")
        if row is None:
            return None
        about = (row.license_name, row.license_url, row.citation)
        return CatalogMeta(row.version, row.program_count, row.title, _utc(row.loaded_at), row.seq, row.epoch, about)


def ping(engine: Engine) -> None:
    """Raise if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
