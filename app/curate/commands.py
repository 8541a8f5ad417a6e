"""The curators' commands of `mentordir`: schema, vocabulary, report, check-links and add."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from app.curate.common import CatalogOpt, cli, editing, err, load_or_fail, out, settings_from


def _write_or_check(path: Path, text: str, *, check: bool, what: str) -> None:
    """Write generated text to `path`, or with `check` exit 1 when the committed file differs."""
    from app.catalog.scaffold import write_atomic

    current = path.read_text(encoding="utf-8") if path.exists() else None
    if check:
        if current != text:
            err.print(f"{path} is out of date: run `mentordir {what}` and commit the result", markup=False)
            raise typer.Exit(1)
        typer.echo(f"{path} is up to date")
    elif current != text:
        write_atomic(path, text)
        typer.echo(f"wrote {path}")
    else:
        typer.echo(f"{path} unchanged")


@cli.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write ('-': stdout).")] = None,
    check: Annotated[bool, typer.Option(help="Exit 1 if the file differs from the models.")] = False,
) -> None:
    """Write the catalog's JSON Schema (from the models) for editors; default data/programs.schema.json."""
    from app.catalog.scaffold import SCHEMA_PATH, schema_text

    if output == Path("-"):
        sys.stdout.write(schema_text())
        return
    _write_or_check(output or SCHEMA_PATH, schema_text(), check=check, what="schema")


@cli.command()
def vocabulary(
    write: Annotated[bool, typer.Option(help="Regenerate the section between the markers in CONTRIBUTING.md.")] = False,
    check: Annotated[bool, typer.Option(help="Exit 1 if CONTRIBUTING.md's section is out of date.")] = False,
    file: Annotated[Path | None, typer.Option(help="The Markdown file with the markers.")] = None,
) -> None:
    """Print every vocabulary with its definitions as Markdown, or update CONTRIBUTING.md with it."""
    from app.catalog.scaffold import CONTRIBUTING_PATH, vocabulary_markdown, with_vocabulary

    if not (write or check):
        sys.stdout.write(vocabulary_markdown())
        return
    path = file or CONTRIBUTING_PATH
    try:
        text = with_vocabulary(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err.print(f"{path}: {exc}", markup=False)
        raise typer.Exit(1) from None
    _write_or_check(path, text, check=check, what="vocabulary --write")


@cli.command()
def report(
    catalog: CatalogOpt = None,
    days: Annotated[int, typer.Option(min=1, help="Report entries not verified for more than this many days.")] = 365,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
    today: Annotated[str | None, typer.Option(help="Date to measure from (YYYY-MM-DD; default today).")] = None,
) -> None:
    """The curators' health report: stale entries, missing fields, unused vocabulary values, likely duplicates."""
    import datetime as dt

    from app.curate.report import build_report, render
    from app.live.verdicts import Held, read_failure, read_verdict

    try:
        as_of = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        err.print(f"--today must be a date written YYYY-MM-DD, not {today!r}", markup=False)
        raise typer.Exit(2) from None
    settings, loaded = load_or_fail(catalog)
    result = build_report(loaded, today=as_of, stale_days=days)
    verdict, failure = read_verdict(settings), read_failure(settings)
    result.held = verdict.as_dict() if isinstance(verdict, Held) else None
    result.last_reload_error = failure.as_dict() if failure else None
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        render(result, out)


@cli.command("check-links")
def check_links_command(
    catalog: CatalogOpt = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Requests at once.")] = 8,
    timeout: Annotated[float, typer.Option(min=0.1, max=120, help="Seconds allowed for each request.")] = 10.0,
    retries: Annotated[int, typer.Option(min=0, max=5, help="Retries after a timeout or server error.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Check every program and source URL; report redirects with their target; exit 1 if any link is broken."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn

    from app.curate.links import ORDER, check_links, collect_links, render

    _, loaded = load_or_fail(catalog)
    links = collect_links(loaded)
    columns = (TextColumn("checking links"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("links", total=len(links))
        results = asyncio.run(
            check_links(
                links,
                concurrency=concurrency,
                timeout=timeout,
                retries=retries,
                on_done=lambda _: progress.advance(task),
            )
        )
    results.sort(key=lambda r: (ORDER[r.status], r.url))
    if as_json:
        from dataclasses import asdict

        sys.stdout.buffer.write(orjson.dumps([asdict(r) for r in results], option=orjson.OPT_INDENT_2) + b"\n")
    else:
        render(results, out)
    broken = sum(r.status == "broken" for r in results)
    if broken:
        raise typer.Exit(1)


ListOpt = Annotated[list[str] | None, typer.Option(help="Repeat for several values.")]


@cli.command()
def add(
    catalog: CatalogOpt = None,
    name: Annotated[str | None, typer.Option(help="The program's name.")] = None,
    id: Annotated[str | None, typer.Option("--id", help="Stable slug (default: from the name).")] = None,
    summary: Annotated[str | None, typer.Option(help="One sentence.")] = None,
    description: Annotated[str | None, typer.Option(help="A paragraph.")] = None,
    sponsor: Annotated[str | None, typer.Option(help="Who runs it.")] = None,
    sponsor_type: Annotated[str | None, typer.Option(help="A sponsor-type value.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="A program-type value.")] = None,
    career_stage: ListOpt = None,
    demographic_focus: ListOpt = None,
    format: ListOpt = None,
    scope: Annotated[str | None, typer.Option(help="A scope value.")] = None,
    specialty: ListOpt = None,
    status: Annotated[str | None, typer.Option(help="A status value: active, ended or unverified.")] = None,
    status_since: Annotated[int | None, typer.Option(help="With ended: the year it ended.")] = None,
    access: Annotated[str | None, typer.Option(help="Who can join: an access value.")] = None,
    alias: ListOpt = None,
    tag: ListOpt = None,
    outcome: ListOpt = None,
    eligibility: Annotated[str | None, typer.Option(help="Who may join.")] = None,
    cost: Annotated[str | None, typer.Option(help="What it costs.")] = None,
    duration: Annotated[str | None, typer.Option(help="How long it runs.")] = None,
    founded: Annotated[int | None, typer.Option(help="Year founded.")] = None,
    url: Annotated[str | None, typer.Option(help="The program's web page.")] = None,
    sponsor_url: Annotated[str | None, typer.Option(help="The sponsor's homepage (https), only if certain.")] = None,
    source_title: Annotated[str | None, typer.Option(help="The citation's title.")] = None,
    source_doi: Annotated[str | None, typer.Option(help="The citation's DOI.")] = None,
    source_url: Annotated[str | None, typer.Option(help="The citation's URL.")] = None,
    source_reference: Annotated[int | None, typer.Option(help="Its reference number in the article.")] = None,
    source_publisher: Annotated[str | None, typer.Option(help="Who published the source.")] = None,
    source_accessed: Annotated[str | None, typer.Option(help="A web page: the day you read it, YYYY-MM-DD.")] = None,
    source_quote: Annotated[str | None, typer.Option(help="A web page: the sentence that supports the entry.")] = None,
    last_verified: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    prompt: Annotated[bool, typer.Option(help="Ask for required fields that were not given.")] = True,
    dry_run: Annotated[bool, typer.Option(help="Print the entry and validate, but do not write.")] = False,
) -> None:
    """Append a new program to the catalog, validated, leaving every other byte of the file as it was."""
    import datetime as dt

    from app.catalog.scaffold import append_entry, new_entry, render_entry, write_atomic
    from app.catalog.vocab import FACETS

    def ask(label: str, value: Any, choices: tuple[str, ...] = (), many: bool = False) -> Any:
        if value or not prompt:
            return value
        hint = f" ({', '.join(choices)})" if choices else ""
        answer = typer.prompt(f"{label}{hint}" + (" [comma-separated]" if many else ""))
        return [v.strip() for v in answer.split(",") if v.strip()] if many else answer.strip()

    v = FACETS
    name = ask("Name", name)
    fields: dict[str, Any] = {
        "id": id,
        "name": name,
        "aliases": alias,
        "summary": ask("Summary (one sentence)", summary),
        "description": ask("Description", description),
        "sponsor": ask("Sponsor", sponsor),
        "sponsor_type": ask("Sponsor type", sponsor_type, v["sponsor_type"].values),
        "type": ask("Program type", type, v["type"].values),
        "career_stages": ask("Career stages", career_stage, v["career_stage"].values, True),
        "demographic_focus": ask("Demographic focus", demographic_focus, v["demographic_focus"].values, True),
        "formats": ask("Formats", format, v["format"].values, True),
        "scope": ask("Scope", scope, v["scope"].values),
        "specialties": ask("Specialties", specialty, v["specialty"].values, True),
        "status": (status := ask("Status", status, v["status"].values)),
        "status_since": status_since,
        "status_source": 1 if status in ("active", "ended") else None,  # the one source `add` takes
        "access": ask("Who can join", access, v["access"].values),
        "eligibility": eligibility,
        "cost": cost,
        "duration": duration,
        "founded": founded,
        "outcomes": outcome,
        "url": url,
        "sponsor_url": sponsor_url,
        "tags": tag,
    }
    source = {"title": ask("Source title", source_title), "publisher": source_publisher, "doi": source_doi}
    source |= {"url": source_url, "accessed": source_accessed, "reference": source_reference, "quote": source_quote}
    try:
        fields["last_verified"] = dt.date.fromisoformat(last_verified) if last_verified else None
        source["accessed"] = dt.date.fromisoformat(source_accessed) if source_accessed else None
    except ValueError:
        err.print("--last-verified and --source-accessed are dates written YYYY-MM-DD", markup=False)
        raise typer.Exit(2) from None
    fields["sources"] = [{k: val for k, val in source.items() if val not in (None, "")}]
    entry = new_entry(**fields)
    settings = settings_from(catalog=catalog)
    path = settings.catalog
    with editing(path):
        original = path.read_bytes()
        new_text, result = append_entry(
            original.decode("utf-8"), entry, display=str(path), max_programs=settings.max_programs
        )
        if dry_run:
            sys.stdout.write(render_entry(entry, ""))
            typer.echo(f"valid; {path} not changed (--dry-run)")
            return
        write_atomic(path, new_text, expected=original)
    typer.echo(f"added '{entry['id']}' at line {result.lines[entry['id']]} of {path} ({len(result.programs)} programs)")
