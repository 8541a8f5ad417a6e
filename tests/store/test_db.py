"""Loading into SQL: one transaction, idempotent, full replacement, timestamps that move only on change."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import Engine, text

from app.catalog.models import Catalog
from app.catalog.renames import renamed_ids
from app.catalog.validate import validate
from app.store.db import Removal, init_db, read_meta, read_programs, read_removals, sync_catalog
from tests.support.app import FIXTURE_CATALOG

T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)


def fixture_text() -> str:
    return FIXTURE_CATALOG.read_text()


def catalog(text: str) -> Catalog:
    return validate(text)


def test_load_is_idempotent(engine: Engine) -> None:
    first = sync_catalog(engine, catalog(fixture_text()), now=T0)
    assert (len(first.added), len(first.changed), len(first.removed), first.unchanged) == (8, 0, 0, 0)
    again = sync_catalog(engine, catalog(fixture_text()), now=T1)
    assert (again.added, again.changed, again.removed, again.unchanged) == ((), (), (), 8)
    stored = read_programs(engine)
    assert len(stored) == 8
    assert {p.updated_at for p in stored} == {T0} and {p.created_at for p in stored} == {T0}
    meta = read_meta(engine)
    assert meta is not None and meta.loaded_at == T0 and meta.program_count == 8


def test_only_changed_programs_get_a_new_updated_at(engine: Engine) -> None:
    sync_catalog(engine, catalog(fixture_text()), now=T0)
    edited = fixture_text().replace("A year of leadership training", "A year-long leadership course")
    report = sync_catalog(engine, catalog(edited), now=T1)
    assert report.changed == ("elam",) and report.unchanged == 7
    by_id = {p.id: p for p in read_programs(engine)}
    assert by_id["elam"].updated_at == T1 and by_id["elam"].created_at == T0
    assert by_id["elam"].record["summary"].startswith("A year-long leadership course")
    assert {p.updated_at for pid, p in by_id.items() if pid != "elam"} == {T0}
    meta = read_meta(engine)
    assert meta is not None and meta.version == catalog(edited).version and meta.loaded_at == T1


def test_a_load_written_a_batch_at_a_time_stores_every_row(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.store.db.WRITE_BATCH", 3)  # 8 programs: batches of 3, 3 and 2
    first = sync_catalog(engine, catalog(fixture_text()), now=T0)
    assert len(first.added) == 8 and {p.id for p in read_programs(engine)} == set(first.added)
    edited = fixture_text().replace("date_added: 2026-01-01", "date_added: 2026-01-02")  # 7 of the 8 change
    report = sync_catalog(engine, catalog(edited), now=T1)
    assert len(report.changed) == 7 and report.unchanged == 1
    stored = {p.id: p for p in read_programs(engine)}
    assert {pid for pid, p in stored.items() if p.updated_at == T1} == set(report.changed)
    assert {p.record["date_added"] for pid, p in stored.items() if pid in report.changed} == {"2026-01-02"}
    assert [p.raw for p in report.programs] == [stored[p.id].raw for p in report.programs]


def test_reload_replaces_the_catalog_fully_and_records_removals(engine: Engine) -> None:
    sync_catalog(engine, catalog(fixture_text()), now=T0)
    text = fixture_text()
    without_pmg = text[: text.index("  - id: pmg")] + text[text.index("  - id: minority-seminar") :]
    report = sync_catalog(engine, catalog(without_pmg), now=T1)
    assert report.removed == ("pmg",)
    assert "pmg" not in {p.id for p in read_programs(engine)}
    assert [(r.id, r.removed_at, r.seq) for r in read_removals(engine)] == [("pmg", T1, 2)]
    back = sync_catalog(engine, catalog(text), now=T2)
    assert back.added == ("pmg",)
    assert read_removals(engine) == []
    pmg = next(p for p in read_programs(engine) if p.id == "pmg")
    assert pmg.created_at == T2  # a program that comes back is new to syncing clients
    assert (pmg.seq, back.seq) == (3, 3)


def test_each_load_that_changes_the_catalog_takes_the_next_sequence_number(engine: Engine) -> None:
    text = fixture_text()
    first = sync_catalog(engine, catalog(text), now=T0)
    assert first.seq == 1 and {p.seq for p in read_programs(engine)} == {1}
    assert sync_catalog(engine, catalog(text), now=T1).seq == 1  # nothing changed: no new number
    edited = text.replace("A year of leadership training", "A year of intensive leadership training")
    second = sync_catalog(engine, catalog(edited), now=T1)
    assert (second.seq, second.changed) == (2, ("elam",))
    seqs = {p.id: p.seq for p in read_programs(engine)}
    assert seqs["elam"] == 2 and {s for pid, s in seqs.items() if pid != "elam"} == {1}
    meta = read_meta(engine)
    assert meta is not None and meta.seq == 2 and len(meta.epoch) == 16


def test_a_rename_is_stored_with_the_load_and_is_never_a_removal(engine: Engine) -> None:
    text = fixture_text()
    sync_catalog(engine, catalog(text), now=T0)
    first = text.replace("  - id: pmg\n", "  - id: pmg-2\n    replaces: [pmg]\n", 1)
    assert renamed_ids(catalog(first)) == {"pmg"}
    report = sync_catalog(engine, catalog(first), now=T1)
    assert (report.removed, report.renamed, report.added) == ((), ("pmg",), ("pmg-2",))
    assert read_removals(engine) == [Removal("pmg", T1, 2, "pmg-2")]
    # Renamed again, naming only the last id: the first rename follows, so that both lead to pmg-3.
    second = sync_catalog(engine, catalog(text.replace("  - id: pmg\n", "  - id: pmg-3\n    replaces: [pmg-2]\n")))
    assert (second.removed, second.renamed) == ((), ("pmg-2",))
    assert {(r.id, r.replaced_by, r.seq) for r in read_removals(engine)} == {("pmg", "pmg-3", 3), ("pmg-2", "pmg-3", 3)}
    # The program leaves: its old ids are plain removals now; and one that comes back is no longer removed.
    gone = text[: text.index("  - id: pmg")] + text[text.index("  - id: minority-seminar") :]
    assert sync_catalog(engine, catalog(gone)).removed == ("pmg-3",)
    assert {(r.id, r.replaced_by, r.seq) for r in read_removals(engine)} == {
        (i, None, 4) for i in ("pmg", "pmg-2", "pmg-3")
    }
    sync_catalog(engine, catalog(text))
    assert {r.id for r in read_removals(engine)} == {"pmg-2", "pmg-3"}


def test_a_renamed_program_keeps_when_it_entered_the_database(engine: Engine) -> None:
    text = fixture_text()
    sync_catalog(engine, catalog(text), now=T0)
    renamed = text.replace("  - id: pmg\n", "  - id: pmg-2\n    replaces: [pmg]\n", 1)
    report = sync_catalog(engine, catalog(renamed.replace("  - id: kl2\n", "  - id: kl2-b\n")), now=T1)
    assert sorted(report.added) == ["kl2-b", "pmg-2"] and report.renamed == ("pmg",) and report.removed == ("kl2",)
    by_id = {p.id: p for p in read_programs(engine)}
    assert (by_id["pmg-2"].created_at, by_id["pmg-2"].updated_at) == (T0, T1)  # an email digest's "changed", not "new"
    assert by_id["kl2-b"].created_at == T1  # a new id that replaces nothing is a new program
    assert {p.id: p.created_at for p in report.programs} == {p.id: p.created_at for p in by_id.values()}
    # Renamed again and merged with a younger program: the earliest of the stored programs it replaces.
    merged = text.replace("  - id: pmg\n", "  - id: pmg-3\n    replaces: [kl2-b, pmg-2]\n", 1)
    merged = merged[: merged.index("  - id: kl2")] + merged[merged.index("  - id: em-night") :]
    last = sync_catalog(engine, catalog(merged), now=T2)
    assert last.added == ("pmg-3",) and last.removed == ()
    pmg = next(p for p in read_programs(engine) if p.id == "pmg-3")
    assert (pmg.created_at, pmg.updated_at) == (T0, T2)


def test_replaces_naming_an_id_never_held_records_nothing(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    text = fixture_text()
    sync_catalog(engine, catalog(text), now=T0)
    without_pmg = text[: text.index("  - id: pmg")] + text[text.index("  - id: minority-seminar") :]
    sync_catalog(engine, catalog(without_pmg), now=T1)  # pmg: a plain removal
    claims = "  - id: pmg-2\n    replaces: [pmg, never-was, uab-old]\n"
    with caplog.at_level(logging.WARNING, logger="mentordir"):
        report = sync_catalog(engine, catalog(text.replace("  - id: pmg\n", claims, 1)), now=T2)
    assert report.added == ("pmg-2",) and report.removed == () and report.renamed == ()
    assert read_removals(engine) == [Removal("pmg", T2, 3, "pmg-2")]  # the id it held, and only that one
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.endswith(": replaces ids this database never held, ignored: never-was, uab-old")


def test_a_failed_load_changes_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    sync_catalog(engine, catalog(fixture_text()), now=T0)
    text = fixture_text()
    shorter = catalog(text[: text.index("  - id: pmg")].replace("A year of leadership", "Changed"))
    # Break the last step (recording removals), after the program rows were already deleted and updated.
    monkeypatch.setattr("app.store.removals.RemovedRow", None)
    with pytest.raises(AttributeError):
        sync_catalog(engine, shorter, now=T1)
    monkeypatch.undo()
    stored = read_programs(engine)
    assert len(stored) == 8 and {p.updated_at for p in stored} == {T0}
    assert read_meta(engine).version == catalog(text).version  # type: ignore[union-attr]


def test_a_database_made_before_sequence_numbers_gains_them(engine: Engine) -> None:
    sync_catalog(engine, catalog(fixture_text()), now=T0)
    with engine.begin() as conn:  # the tables as the first release made them
        for table, column in (("program", "seq"), ("removed_program", "seq"), ("catalog_meta", "seq")):
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("ALTER TABLE catalog_meta DROP COLUMN epoch"))
        conn.execute(text("ALTER TABLE removed_program DROP COLUMN replaced_by"))
    init_db(engine)
    meta = read_meta(engine)
    assert meta is not None and (meta.seq, meta.epoch) == (0, "")
    edited = fixture_text().replace("A year of leadership training", "A year of intensive leadership training")
    report = sync_catalog(engine, catalog(edited), now=T1)
    seqs = {p.id: p.seq for p in read_programs(engine)}
    assert report.seq == 1 and seqs["elam"] == 1 and seqs["pmg"] == 0
    meta = read_meta(engine)
    assert meta is not None and meta.seq == 1 and len(meta.epoch) == 16
    sync_catalog(engine, catalog(edited.replace("  - id: pmg\n", "  - id: pmg-2\n    replaces: [pmg]\n")), now=T2)
    assert [(r.id, r.replaced_by) for r in read_removals(engine)] == [("pmg", "pmg-2")]  # renames stored too
