"""The `mentordir` command: serve, validate, load and export the catalog (the curators' tools: commands.py)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from app.catalog.problems import CatalogError
from app.config import Settings
from app.curate.common import CatalogOpt, DatabaseOpt, IndexOpt, cli, err, fail, load_or_fail, settings_from, spinner


@cli.command()
def validate(
    path: Annotated[Path | None, typer.Argument(help="Catalog file (default: the configured one).")] = None,
) -> None:
    """Check a catalog file; print every problem as path:line:column field: message. Exits 0 or 1."""
    settings, catalog = load_or_fail(path)
    typer.echo(f"{settings.catalog}: {len(catalog.programs)} programs, valid (version {catalog.version})")


@cli.command()
def load(
    catalog: CatalogOpt = None,
    database_url: DatabaseOpt = None,
    index_dir: IndexOpt = None,
    allow_removals: Annotated[
        bool, typer.Option(help="Load even if the file removes more programs than a load may without confirmation.")
    ] = False,
) -> None:
    """Validate the catalog, write it to the database in one transaction, and build its search index."""
    from app.config import SYNONYMS, WORDFORMS
    from app.live.loading import RemovalsHeld, file_digest, gc_paused, load_file
    from app.live.snapshot import build_snapshot
    from app.live.verdicts import HELD_IDS_SHOWN, Held, remember_failure, remember_verdict
    from app.search.analysis import Synonyms
    from app.store.db import make_engine

    settings = settings_from(catalog=catalog, database_url=database_url, index_dir=index_dir)
    engine = make_engine(settings.database_url)
    try:
        with spinner() as progress, gc_paused():
            task = progress.add_task("validating and writing to the database")
            report = load_file(settings, engine, allow_removals=allow_removals)
            progress.update(task, description=f"indexing {report.total} programs")
            snapshot = build_snapshot(settings, engine, Synonyms.load(SYNONYMS, WORDFORMS), stored=report.programs)
    except CatalogError as exc:
        fail(exc)
    except RemovalsHeld as exc:  # the servers of this machine show it too, until the file changes or is confirmed
        held = Held(file_digest(settings), tuple(exc.removed[:HELD_IDS_SHOWN]), len(exc.removed), exc.stored)
        remember_verdict(settings, held)
        err.print(
            f"{settings.catalog}: held: it would remove {held.removals} of the {held.stored} programs stored "
            f"({', '.join(held.removed)}{', ...' if held.removals > len(held.removed) else ''}); nothing was written. "
            "If that is meant, run `mentordir load --allow-removals`.",
            markup=False,
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    remember_verdict(settings, None)  # the servers of this machine stop showing a hold or a refusal of the file
    remember_failure(settings, None)
    typer.echo(f"catalog {snapshot.version}: {report.total} programs ({report.counts})")


@cli.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv.")] = "json",
    catalog: CatalogOpt = None,
) -> None:
    """Write the validated catalog to standard output as JSON or CSV."""
    from app.catalog.export import csv_lines

    if fmt not in {"json", "csv"}:
        err.print(f"--format must be json or csv, not {fmt!r}")
        raise typer.Exit(2)
    records = [p.record for p in load_or_fail(catalog)[1].programs]
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(records, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        columns = [c for c in records[0]] if records else []
        for line in csv_lines(records, columns):
            sys.stdout.write(line)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind [env MENTORDIR_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env MENTORDIR_PORT].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [env MENTORDIR_WORKERS].")] = None,
    catalog: CatalogOpt = None,
    database_url: DatabaseOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Serve the website and the API (several workers share one on-disk index; SIGTERM drains them gracefully)."""
    import os
    import tempfile

    import uvicorn

    from app.middleware.observe import log_config
    from app.serving import IdleTimeoutProtocol, run

    overrides = {"host": host, "port": port, "workers": workers, "catalog": catalog}
    overrides |= {"database_url": database_url, "index_dir": index_dir}
    settings = settings_from(**overrides)
    _preflight(settings)
    if not settings.base_url and settings.allowed_hosts == ["*"]:
        typer.echo(
            "warning: MENTORDIR_BASE_URL is not set and every Host is trusted: absolute links follow each request's "
            "Host header; set MENTORDIR_BASE_URL (or MENTORDIR_TRUSTED_HOSTS) in production",
            err=True,
        )
    # Worker processes build their own settings from the environment: hand them the flags that way.
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"MENTORDIR_{name.upper()}"] = str(value)
    # Fewer malloc arenas for the workers: a thread pool's arenas otherwise hold memory long after a burst.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    metrics_dir = contextlib.ExitStack()
    if settings.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # removed when the server stops
        folder = metrics_dir.enter_context(tempfile.TemporaryDirectory(prefix="mentordir-metrics-"))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        server_header=False,
        proxy_headers=bool(settings.forwarded_allow_ips.strip()),  # no proxy named: X-Forwarded-* are ignored
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=False,
        log_config=log_config(settings.log_level),
        timeout_graceful_shutdown=15,
        http=IdleTimeoutProtocol,
        timeout_keep_alive=settings.idle_timeout_seconds,
    )
    with metrics_dir:
        run(config)


MIN_FREE_BYTES = 64 * 2**20


def _preflight(settings: Settings) -> None:
    """Fail at once, naming the path, when the index folder cannot be written or its disk is full."""
    import shutil
    import tempfile

    folder = settings.index_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        err.print(f"error: cannot write the search index in {folder}: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None
    if free < MIN_FREE_BYTES:
        err.print(f"error: only {free // 2**20} MiB free on the disk of {folder}; the index needs room", markup=False)
        raise typer.Exit(1)


# The curators' commands live in their own module; importing it registers them on `cli`, after the ones above.
from app.curate import alerts as _alerts  # noqa: E402, F401
from app.curate import commands as _commands  # noqa: E402, F401
from app.curate import recheck as _recheck  # noqa: E402, F401
from app.curate import suggestions as _suggestions  # noqa: E402, F401

if __name__ == "__main__":
    cli()
