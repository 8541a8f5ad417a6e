"""`mentordir recheck`: the entries due for a fresh check, for a curator's afternoon (never confirmed or checked
longest ago first, with their links and what they leave unstated); `--send` mails each due program that publishes a
contact address a signed link, valid for MENTORDIR_LINK_DAYS and once, to confirm or correct its entry.
`mentordir outbox`: the messages kept when no SMTP server is configured."""

from __future__ import annotations

import csv
import datetime as dt
import smtplib
import sys
from typing import Annotated, Any

import typer

from app.catalog.models import Program
from app.catalog.provenance import Provenance, provenance
from app.config import Settings
from app.curate.common import CatalogOpt, DatabaseOpt, cli, err, load_or_fail, mail_links, settings_from
from app.curate.suggestions import database, shown
from app.store import mail

UNSTATED = ("url", "formats", "eligibility", "duration", "cost", "contact")
COLUMNS = ("id", "name", "provenance", "checked_on", "url", "sponsor_url", "contact", "missing")


def due(programs: list[Program], months: int) -> list[tuple[Program, Provenance]]:
    """The programs still offered that are due, never confirmed (no date) first, then the oldest check."""
    found = [(p, provenance(p.record, months=months)) for p in programs if p.status != "ended"]
    dated = [(p, pv) for p, pv in found if pv.due]
    return sorted(dated, key=lambda e: (e[1].checked_on or dt.date.min, e[0].id))


def row(p: Program, pv: Provenance) -> dict[str, Any]:
    missing = [f for f in UNSTATED if not getattr(p, f)]
    return {
        "id": p.id,
        "name": p.name,
        "provenance": pv.kind,
        "checked_on": pv.checked_on.isoformat() if pv.checked_on else "never",
        "url": p.url or "",
        "sponsor_url": p.sponsor_url or "",
        "contact": p.contact or "",
        "missing": ", ".join(missing),
    }


def letter(p: Program, link: str, days: int) -> mail.Mail:
    body = (
        f"Hello,\n\nThe Mentor Directory, a free directory of mentorship programs for academic medicine, lists "
        f"{p.name}. Once a year we ask each program to check what we say about it.\n\n"
        f"Please open this link, read the entry, and choose “All correct” or “Needs changes”:\n\n{link}\n\n"
        f"The link works once, for {days} days. A curator reads every answer before anything changes; after that "
        f"the program's page says “Confirmed with the program” with the day.\n\n"
        f"We write to {p.contact} because the program's own page gives it for enquiries. If this reached the wrong "
        "person, please ignore it.\n\nThe Mentor Directory curators\n"
    )
    return mail.Mail(p.contact or "", f"Please check the Mentor Directory's entry for {p.name}", body)


def _send(settings: Settings, entries: list[tuple[Program, Provenance]]) -> None:
    from app.api.confirm import sign
    from app.store.db import init_db, make_engine

    secret, base = mail_links(settings, "--send")
    mails = [
        letter(p, f"{base}/suggest/confirm?token={sign(secret, p.id, p.contact)}", settings.link_days)
        for p, _ in entries
        if p.contact
    ]
    engine = make_engine(settings.database_url)
    try:
        init_db(engine)
        how = mail.deliver(mails, smtp_url=settings.smtp_url, sender=settings.mail_from, engine=engine)
    except (smtplib.SMTPException, OSError) as exc:
        err.print(f"error: the mail server did not take the messages: {exc}", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    where = "sent by SMTP" if how == "sent" else "kept in the outbox (no MENTORDIR_SMTP_URL): see `mentordir outbox`"
    typer.echo(f"{len(mails)} message(s) {where}; {len(entries) - len(mails)} due program(s) publish no contact")


@cli.command()
def recheck(
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV (for a spreadsheet) instead of a table.")] = False,
    send: Annotated[bool, typer.Option(help="Mail each due program with a contact a link to confirm it.")] = False,
    catalog: CatalogOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """The entries due for a fresh check: never confirmed or checked longest ago first, with links and gaps."""
    _, loaded = load_or_fail(catalog)
    settings = settings_from(catalog=catalog, database_url=database_url)
    entries = due(loaded.programs, settings.recheck_months)
    if send:
        _send(settings, entries)
        return
    rows = [row(p, pv) for p, pv in entries]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']:<44} {r['provenance']:<13} {r['checked_on']:<10}  {r['url'] or r['sponsor_url'] or '-'}")
        if r["missing"]:
            typer.echo(f"{'':<44} not stated: {r['missing']}")
    months = settings.recheck_months
    typer.echo(f"{len(rows)} of {len(loaded.programs)} programs due (checked over {months} months ago, or never)")


@cli.command("outbox")
def outbox_command(
    full: Annotated[bool, typer.Option("--full", help="Each message's whole text.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """The messages kept in the outbox (mail is kept there when MENTORDIR_SMTP_URL is not set), newest first."""
    with database(database_url) as engine:
        kept = mail.outbox(engine)
    for m in kept:
        typer.echo(f"#{m.id:<5} {m.created_at:%Y-%m-%d %H:%M}  {shown(m.to, one_line=True):<40} {m.subject}")
        if full:
            typer.echo(f"  {shown(m.body)}")
    typer.echo(f"{len(kept)} message(s) in the outbox")
