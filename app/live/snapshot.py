"""A snapshot: one catalog version's records and search index, read from the database together."""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Iterator, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from app.catalog.models import version_of
from app.config import Settings
from app.search import indexdir
from app.search.analysis import Synonyms
from app.search.index import SearchIndex
from app.search.query import Document
from app.store.db import CatalogMeta, Removal, StoredProgram, read_meta, read_programs, read_removals

SAME_SPONSOR = 2  # similar programs of the program's own sponsor, at most


@dataclass(frozen=True)
class Snapshot:
    """One catalog version, ready to serve: its program records and its search index, always from the same load.

    Requests read records from here (`fetch`), never from the database, so a reload that has already written
    the next version's rows cannot show a request new rows through an old index.
    """

    version: str
    title: str | None
    program_count: int
    loaded_at: dt.datetime
    index: SearchIndex
    programs: Mapping[str, StoredProgram] = field(default_factory=dict)
    removed: tuple[Removal, ...] = ()  # programs that left the catalog (or were renamed), when and in which load
    seq: int = 0  # the sequence number of the load this is (see app.store.db)
    epoch: str = ""  # names the database's sequence
    about: tuple[str | None, str | None, str | None] = (None, None, None)  # the catalog's licence (name, url), citation

    @cached_property
    def steady_sorts(self) -> dict[str, str]:
        """The date sorts that cannot change the order, because every program shares the date: {sort: that date}.
        Worked out once per version (a page asks on every search)."""
        dates = {
            "-last_verified": {d.isoformat() for d in self.index.filters.verified_dates()},
            "-updated_at": {p.updated_at.date().isoformat() for p in self.programs.values()},
        }
        return {sort: next(iter(seen), "") for sort, seen in dates.items() if len(seen) <= 1}

    @cached_property
    def replaced(self) -> dict[str, str]:
        """The renamed programs: {old id: the id of the program that replaces it}."""
        return {r.id: r.replaced_by for r in self.removed if r.replaced_by is not None}

    @property
    def license(self) -> dict[str, str] | None:
        """The licence the catalog's data are published under ({name, url}), if its file names one."""
        name, url, _ = self.about
        return {"name": name, "url": url} if name and url else None

    @property
    def citation(self) -> str | None:
        """The text to cite the catalog by: the file's own, with this version and the day it was loaded."""
        cite = self.about[2]
        return f"{cite} Catalog version {self.version}, {self.loaded_at.date().isoformat()}." if cite else None

    @property
    def tag(self) -> str:
        """Names what is served: the same content loaded again later has a later sequence number."""
        return f"{self.version}.{self.seq}"

    def similar(self, program_id: str, limit: int = 5) -> list[str]:
        """Similar programs worth a reader's time, never an ended one: beside an ended program the active ones, and
        only when none is active those not verified yet; at most SAME_SPONSOR of its own sponsor's, so that other
        sponsors' programs in its field show too. The page and the API's similar programs both use this."""
        if program_id not in self.index.docnum or program_id not in self.programs:
            return []
        similar = [i for i in self.index.similar(program_id, 4 * limit) if i in self.programs]
        sponsor = self.programs[program_id].record.get("sponsor")
        own = [i for i in similar if self.programs[i].record.get("sponsor") == sponsor]
        similar = [i for i in similar if i not in own[SAME_SPONSOR:]]  # room for others' programs in the same field
        status = {i: self.programs[i].record.get("status") for i in similar}
        active = [i for i in similar if status[i] == "active"]
        if self.programs[program_id].record.get("status") == "ended" and active:
            return active[:limit]
        return [i for i in similar if status[i] != "ended"][:limit]

    def removed_since(self, since: dt.datetime) -> list[Removal]:
        """The programs removed after `since`, as this version knows them (for syncing clients)."""
        return [r for r in self.removed if r.removed_at > since]

    def changes_after(self, seq: int) -> tuple[set[str], list[Removal]]:
        """The programs added or changed by the loads after `seq`, and those they removed or renamed."""
        return {p.id for p in self.programs.values() if p.seq > seq}, [r for r in self.removed if r.seq > seq]

    def fetch(self, ids: Sequence[str]) -> list[StoredProgram]:
        """The programs with these ids, in the order given, as this version holds them (unknown ids skipped)."""
        return [self.programs[pid] for pid in ids if pid in self.programs]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "title": self.title,
            "programs": self.program_count,
            "loaded_at": self.loaded_at.isoformat(),
            "seq": self.seq,
        }


def build_snapshot(
    settings: Settings,
    engine: Engine,
    synonyms: Synonyms,
    *,
    prune: bool = True,
    stored: Sequence[StoredProgram] | None = None,
) -> Snapshot:
    """Index what the database holds now (the index folder is keyed by version, so an unchanged catalog reopens).

    `stored` is what a load has just written (`SyncReport.programs`): used when it is still the database's version,
    rather than reading every row back.
    """
    meta, removed = (read_meta(engine), read_removals(engine)) if stored is not None else (None, [])
    if stored is None or meta is None or not _belong_together(meta, stored, removed):
        meta, removed, stored = _read_consistent(engine)
    programs = {p.id: p for p in stored}
    updated = {p.id: p.updated_at for p in stored}
    index = SearchIndex.open_or_build(
        settings.index_dir,
        meta.version,
        Documents(programs),
        synonyms,
        updated=updated,
        recheck_months=settings.recheck_months,
    )
    if prune:
        indexdir.prune(settings.index_dir, keep=meta.version)
    return Snapshot(
        meta.version,
        meta.title,
        len(programs),
        meta.loaded_at,
        index,
        programs,
        tuple(removed),
        meta.seq,
        meta.epoch,
        meta.about,
    )


DOCUMENTS_KEPT = 20_000  # a catalog of 10,000 keeps all of them once seen; 100,000 keeps the most asked-for


class Documents(Mapping[str, Document]):
    """The search index's view of the stored programs: each one's Document, made from its record when the index
    asks for it (a page's hits, a program's similar ones), the most recently asked kept."""

    def __init__(self, programs: Mapping[str, StoredProgram], keep: int = DOCUMENTS_KEPT) -> None:
        self._programs = programs

        def make(program_id: str) -> Document:  # not a bound method: the cache must not hold this object
            program = programs[program_id]
            return Document.from_record(program.record, updated_at=program.updated_at)

        self._made = functools.lru_cache(maxsize=keep)(make)

    def __getitem__(self, program_id: str) -> Document:
        if program_id not in self._programs:
            raise KeyError(program_id)
        return self._made(program_id)

    def __contains__(self, program_id: object) -> bool:
        return program_id in self._programs

    def keys(self) -> KeysView[str]:
        return self._programs.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self._programs)

    def __len__(self) -> int:
        return len(self._programs)


def _belong_together(meta: CatalogMeta, stored: Sequence[StoredProgram], removed: Sequence[Removal]) -> bool:
    """The rows are this version's (their content hashes say so) and no later load has touched them or the removals."""
    if version_of((p.id, p.content_hash) for p in stored) != meta.version:
        return False
    return all(p.seq <= meta.seq for p in stored) and all(r.seq <= meta.seq for r in removed)


def _read_consistent(engine: Engine) -> tuple[CatalogMeta, list[Removal], list[StoredProgram]]:
    """The catalog version, its removals and its rows, read so that they belong together.

    They are read separately, and a load committing in between would pair one version with another's rows. Read in
    this order, any load in between leaves its sequence number on a row or a removal, so read until none does.
    """
    for attempt in range(CONSISTENT_READ_ATTEMPTS):
        meta = read_meta(engine)
        if meta is None:
            raise LookupError("the database holds no catalog yet: run `mentordir load`")
        removed = read_removals(engine)
        stored = read_programs(engine)
        if _belong_together(meta, stored, removed):
            return meta, removed, stored
        time.sleep(0.05 * (attempt + 1))
    raise RuntimeError("the database kept changing while the catalog was read; try again")


CONSISTENT_READ_ATTEMPTS = 5
