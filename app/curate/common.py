"""What every `mentordir` command shares: the Typer app, the consoles, the common options and error output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from app.catalog.models import Catalog
from app.catalog.problems import CatalogError
from app.catalog.validate import load_catalog
from app.config import Settings

cli = typer.Typer(
    help="Mentor Directory: the catalog of mentorship programs for academic medicine.", no_args_is_help=True
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

CatalogOpt = Annotated[Path | None, typer.Option("--catalog", help="Catalog YAML [env MENTORDIR_CATALOG].")]
DatabaseOpt = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL [env MENTORDIR_DATABASE_URL].")]
IndexOpt = Annotated[Path | None, typer.Option("--index-dir", help="Search index folder [env MENTORDIR_INDEX_DIR].")]


def settings_from(**overrides: Any) -> Settings:
    """Settings from the environment, with the flags that were given taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def spinner() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True)


def fail(exc: CatalogError) -> NoReturn:
    for problem in exc.errors:
        err.print(str(problem), markup=False, highlight=False)
    err.print(f"{len(exc.errors)} error(s)", style="bold red")
    raise typer.Exit(1)


def load_or_fail(path: Path | None) -> tuple[Settings, Catalog]:
    """The settings, and the catalog they name; its problems printed and exit 1 when it is invalid."""
    settings = settings_from(catalog=path)
    try:
        return settings, load_catalog(
            settings.catalog, max_bytes=settings.max_catalog_bytes, max_programs=settings.max_programs
        )
    except CatalogError as exc:
        fail(exc)


@contextmanager
def editing(path: Path) -> Iterator[None]:
    """While the catalog file is changed: a refused change prints its problems, a read or write error its reason."""
    try:
        yield
    except CatalogError as exc:
        fail(exc)
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"{path}: cannot read or write the catalog: {exc}", markup=False)
        raise typer.Exit(1) from None


def mail_links(settings: Settings, needed_by: str) -> tuple[str, str]:
    """(the signing key, the public base URL) that mailed links need; without both, one line on stderr and exit 2."""
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if not secret or not settings.base_url:
        err.print(
            f"error: {needed_by} needs MENTORDIR_SECRET_KEY (to sign the links) and MENTORDIR_BASE_URL (the site's "
            "public address, for the links)",
            markup=False,
        )
        raise typer.Exit(2)
    return secret, settings.base_url.rstrip("/")
