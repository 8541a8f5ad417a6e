"""`mentordir alerts`: send the email alerts' digests that are due (run it daily from cron), and count the alerts (the
addresses themselves are never listed)."""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import replace

import typer
from starlette.datastructures import QueryParams

from app.api.params import read_search
from app.config import SYNONYMS, WORDFORMS
from app.curate.common import DatabaseOpt, IndexOpt, cli, err, mail_links, settings_from
from app.curate.suggestions import database
from app.live.snapshot import Snapshot, build_snapshot
from app.search.analysis import Synonyms
from app.store import alerts as store
from app.store import mail

app = typer.Typer(help="Email alerts for searches: send the digests that are due, count them.", no_args_is_help=True)
cli.add_typer(app, name="alerts")


def changed(snap: Snapshot, alert: store.Alert) -> list[tuple[str, str, str]]:
    """(id, name, added or changed) of the programs matching the alert's search that loads after its last digest
    added or changed, in the search's order."""
    query = read_search(QueryParams(alert.search), strict=False).query
    hits = snap.index.search(replace(query, offset=0, limit=None, highlight=False)).hits
    after, _ = snap.changes_after(alert.seq)
    out = []
    for h in hits:
        p = snap.programs.get(h.id)
        if p is not None and h.id in after:
            out.append((p.id, p.record["name"], "new" if p.created_at == p.updated_at else "changed"))
    return out


def digest(alert: store.Alert, found: list[tuple[str, str, str]], base: str, secret: str) -> mail.Mail:
    stop = f"{base}/alerts/unsubscribe?token={store.token(secret, 'stop', alert.id)}"
    lines = "\n".join(f"- {name} ({kind})\n  {base}/programs/{pid}" for pid, name, kind in found)
    about = alert.about or "in the directory"
    body = (
        f"Hello,\n\n{len(found)} program(s) {about} were added or changed since our last email:\n\n{lines}\n\n"
        f"The whole list: {base}{alert.page}\n\nTo stop these emails: {stop}\n\nMentor Directory\n"
    )
    headers = (("List-Unsubscribe", f"<{stop}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return mail.Mail(alert.email, f"Mentor Directory: {len(found)} program(s) added or changed", body, headers)


@app.command()
def send(database_url: DatabaseOpt = None, index_dir: IndexOpt = None) -> None:
    """Mail each confirmed alert that is due (weekly or monthly) the programs added or changed since its last one."""
    settings = settings_from(database_url=database_url, index_dir=index_dir)
    secret, base = mail_links(settings, "mentordir alerts")
    with database(settings.database_url) as engine:
        snap = build_snapshot(settings, engine, Synonyms.load(SYNONYMS, WORDFORMS), prune=False)
        now = dt.datetime.now(dt.UTC)
        sent = quiet = 0
        for alert in store.due(engine, now):
            found = changed(snap, alert)
            if not found:
                quiet += 1  # no news, no email; the next run looks again
                continue
            try:
                mail.deliver(
                    [digest(alert, found, base, secret)],
                    smtp_url=settings.smtp_url,
                    sender=settings.mail_from,
                    engine=engine,
                )
            except (smtplib.SMTPException, OSError) as exc:
                err.print(f"error: the mail server did not take the digests: {exc}", markup=False)
                raise typer.Exit(1) from None
            store.sent(engine, alert.id, seq=snap.seq, now=now)
            sent += 1
    where = "sent" if settings.smtp_url else "kept in the outbox (no MENTORDIR_SMTP_URL): see `mentordir outbox`"
    typer.echo(f"{sent} digest(s) {where}; {quiet} due alert(s) had nothing new")


@app.command("count")
def count_command(database_url: DatabaseOpt = None) -> None:
    """How many alerts are on and how many wait for their confirmation (addresses are never listed)."""
    with database(database_url) as engine:
        on, waiting = store.count(engine)
    typer.echo(f"{on} alert(s) on, {waiting} waiting for confirmation")
