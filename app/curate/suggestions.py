"""`mentordir suggestions`: the curators' review queue of what faculty suggest (list, show, close, apply, purge)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import orjson
import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.api.plaintext import CONTROLS
from app.curate.common import CatalogOpt, DatabaseOpt, cli, editing, err, settings_from
from app.curate.confirmations import apply_confirmation, described
from app.store import suggestions as store
from app.store.db import init_db, make_engine

app = typer.Typer(help="Review what faculty suggest: list, show, close, apply and purge.", no_args_is_help=True)
cli.add_typer(app, name="suggestions")

IdArg = Annotated[int, typer.Argument(min=1, help="The suggestion's number (from `list`).")]
# Whatever a visitor typed is shown as text: control characters (terminal escapes) are written out, never sent.
UNPRINTABLE = re.compile(rf"(?![\t\n])[{CONTROLS}]")


def shown(value: object, *, one_line: bool = False) -> str:
    text = "" if value is None else str(value)
    text = UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return " ".join(text.split()) if one_line else text.replace("\n", "\n  ")


def echo(text: str) -> None:
    typer.echo(text)


@contextmanager
def database(database_url: str | None) -> Iterator[Engine]:
    """The configured database, with its tables; an unreachable one is one line on stderr and exit 1."""
    url = settings_from(database_url=database_url).database_url
    engine = make_engine(url)
    try:
        init_db(engine)
        yield engine
    except SQLAlchemyError as exc:
        safe = make_url(url).render_as_string(hide_password=True)
        err.print(f"error: the database {safe} did not answer ({type(exc).__name__})", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _found(engine: Engine, suggestion_id: int) -> store.Suggestion:
    found = store.get(engine, suggestion_id)
    if found is None:
        err.print(f"error: there is no suggestion #{suggestion_id}; see `mentordir suggestions list`", markup=False)
        raise typer.Exit(1)
    return found


def _summary(by_status: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in by_status.items() if n) or "none"


@app.command("list")
def list_command(
    status: Annotated[list[str] | None, typer.Option(help="Only this status (repeat for several).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts (with names and emails).")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """The suggestions, newest first: number, status, kind, program, date and the start of the message."""
    wanted = status or []
    for given in wanted:
        if given not in store.STATUSES:
            err.print(f"error: --status must be one of {', '.join(store.STATUSES)}, not {given!r}", markup=False)
            raise typer.Exit(2)
    with database(database_url) as engine:
        total, found = store.listing(engine, statuses=wanted, limit=limit)
        by_status = store.counts(engine)
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(found, option=orjson.OPT_INDENT_2) + b"\n")
        return
    for s in found:
        about = shown(s.program_id or "(new program)", one_line=True)
        link = " [link]" if s.url else ""
        message = shown(s.message, one_line=True)
        message = message if len(message) <= 60 else message[:59] + "…"
        echo(f"#{s.id:<5} {s.status:<9} {s.kind:<11} {about:<32} {s.created_at:%Y-%m-%d}  {message}{link}")
    echo(f"{len(found)} of {total} shown; in all: {_summary(by_status)}")


@app.command()
def show(suggestion_id: IdArg, database_url: DatabaseOpt = None) -> None:
    """Everything about one suggestion, the sender's name and email included (curators' eyes only)."""
    with database(database_url) as engine:
        s = _found(engine, suggestion_id)
    program = f"{s.program_id} ({s.program_name})" if s.program_id else "(a program the directory is missing)"
    rows = [
        ("Status", s.status),
        ("Kind", s.kind),
        ("Program", program),
        ("Catalog", f"version {s.catalog_version}"),
        ("Sent", f"{s.created_at:%Y-%m-%d %H:%M} UTC, by the {'website form' if s.channel == 'web' else 'API'}"),
        ("Changed", f"{s.updated_at:%Y-%m-%d %H:%M} UTC"),
        ("Link", s.url or "-"),
        ("Name", s.name or "-"),
        ("Email", s.email or "-"),
        ("Note", s.note or "-"),
    ]
    if s.kind == "confirmation":
        rows += described(s)
    echo(f"Suggestion #{s.id}")
    for label, value in rows:
        echo(f"{label + ':':<9} {shown(value, one_line=True)}")
    echo(f"Message:\n  {shown(s.message)}")
    if s.kind == "correction" and s.url and s.status == "new":
        echo(f"\nTo set this link as the program's url: mentordir suggestions apply {s.id}")
    elif s.kind == "confirmation" and s.status == "new":
        echo(
            f"\nTo confirm the entry (with the corrections you accept): mentordir suggestions apply {s.id} "
            "[--accept FIELD ... | --accept-all]"
        )


def _note(note: str | None) -> str | None:
    if note is not None and len(note) > store.MAX_NOTE:
        err.print(f"error: --note is {len(note)} characters; at most {store.MAX_NOTE}", markup=False)
        raise typer.Exit(2)
    return note


@app.command()
def close(
    suggestion_id: IdArg,
    status: Annotated[str, typer.Option(help="accepted, rejected or duplicate.")],
    note: Annotated[str | None, typer.Option(help="Why; kept with the suggestion, for curators.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Close a suggestion as accepted, rejected or duplicate, with a note."""
    if status not in store.CLOSED:
        err.print(f"error: --status must be one of {', '.join(store.CLOSED)}, not {status!r}", markup=False)
        raise typer.Exit(2)
    with database(database_url) as engine:
        _found(engine, suggestion_id)
        store.close(engine, suggestion_id, status=status, note=_note(note))
    echo(f"#{suggestion_id} is now {status}")


@app.command()
def purge(
    older_than: Annotated[str, typer.Option(help="Age, as 180d, 26w or 12h: since sent, or since closed.")],
    dry_run: Annotated[bool, typer.Option(help="Only count what would be deleted.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Delete the suggestions nobody has touched for this long (names and emails with them)."""
    match = re.fullmatch(r"(\d{1,5})([hdw])", older_than.strip())
    if match is None:
        err.print(f"error: --older-than must be a number and h, d or w (180d), not {older_than!r}", markup=False)
        raise typer.Exit(2)
    hours = int(match[1]) * {"h": 1, "d": 24, "w": 168}[match[2]]
    before = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    with database(database_url) as engine:
        deleted = store.purge(engine, before=before, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    echo(
        f"{verb} {sum(deleted.values())} suggestion(s) last changed before {before:%Y-%m-%d %H:%M} UTC: "
        f"{_summary(deleted)}"
    )


@app.command()
def apply(
    suggestion_id: IdArg,
    note: Annotated[str | None, typer.Option(help="The note to keep (default: what was changed).")] = None,
    accept: Annotated[
        list[str] | None, typer.Option(help="A confirmation's correction to apply, by field (repeat for several).")
    ] = None,
    accept_all: Annotated[bool, typer.Option(help="Apply every correction a confirmation proposes.")] = False,
    catalog: CatalogOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Set a correction's link as its program's `url` (only that line changes); or confirm an entry from a
    confirmation: `confirmed_with_program` set to today, with the corrections accepted. Validate, mark it accepted.

    The catalog file is validated whole before it is written; a running service serves the change after its reload.
    """
    from app.catalog.edit import set_field
    from app.catalog.scaffold import write_atomic

    settings = settings_from(catalog=catalog)
    path = settings.catalog
    with database(database_url) as engine:
        s = _found(engine, suggestion_id)
        if s.kind == "confirmation" and s.program_id and s.status in ("new", "accepted"):
            today = dt.date.today()
            done = apply_confirmation(s, settings, accept=accept or [], accept_all=accept_all, today=today)
            store.close(engine, s.id, status="accepted", note=_note(note) or done)
            echo(
                f"{done} ('{s.program_id}' in {path}); #{s.id} is accepted. A service watching the file serves it "
                "after its reload."
            )
            return
        if s.kind != "correction" or not s.url or not s.program_id:
            err.print(f"error: #{s.id} is not a correction with a link; close it by hand instead", markup=False)
            raise typer.Exit(1)
        if s.status not in ("new", "accepted"):
            err.print(
                f"error: #{s.id} was closed as {s.status}; to apply it anyway, first run "
                f"`mentordir suggestions close {s.id} --status accepted`",
                markup=False,
            )
            raise typer.Exit(1)
        with editing(path):
            original = path.read_bytes()
            text = original.decode("utf-8")
            limit = settings.max_programs
            new_text, result = set_field(text, s.program_id, "url", s.url, display=str(path), max_programs=limit)
            changed = new_text.encode("utf-8") != original
            if changed:
                write_atomic(path, new_text, expected=original)
        store.close(engine, s.id, status="accepted", note=_note(note) or f"applied: url set to {s.url}")
    where = f"line {result.lines.get(s.program_id, 1)} of {path}"
    done = f"set the url of '{s.program_id}' at {where}" if changed else f"'{s.program_id}' already had this url"
    echo(f"{done}; #{s.id} is accepted. A service watching the file serves it after its reload.")
