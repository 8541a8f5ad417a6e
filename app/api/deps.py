"""The API's own dependencies (the parsed search, the fields asked for, a program or 404), and its links and records.

What the pages share with it (the snapshot, ETags, the base URL) is in `app.plumbing`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Collection, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request

from app.api.params import SYNC_PARAMS, ParamError, ParsedSearch, default_sort, multi_items, read_search, search_pairs
from app.catalog.export import COLUMNS
from app.plumbing import PREFIX, ApiError, LiveDep, SnapshotDep, follow_rename, pick, stored
from app.store.db import StoredProgram


def invalid(error: ParamError) -> ApiError:
    """The 400 for one bad query parameter: which, its value, what is wrong, and what is valid."""
    extra: dict[str, Any] = {"param": error.param, "value": error.value}
    if error.valid is not None:
        extra["valid"] = error.valid
    detail = f"query parameter '{error.param}': {error.message}"
    return ApiError(400, "invalid-parameter", "Invalid query parameter", detail, extra=extra)


def check_params(request: Request, allowed: Collection[str]) -> dict[str, list[str]]:
    """The query parameters, after rejecting any not in `allowed` (nothing is silently ignored)."""
    given = multi_items(request.query_params)
    for name, values in given.items():
        if name not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise invalid(ParamError(name, values[0], f"unknown parameter; this path takes: {listed}", sorted(allowed)))
    return given


async def get_fields(request: Request) -> tuple[str, ...] | None:
    """The record fields asked for with `fields=a,b` (None: all of them); unknown names are a 400."""
    names: list[str] = []
    for raw in request.query_params.getlist("fields"):
        for part in raw.split(","):
            name = part.strip()
            if not name:
                message = "an empty field name; list field names separated by commas, or leave fields out"
                raise invalid(ParamError("fields", raw, message, list(COLUMNS)))
            if name not in COLUMNS:
                raise invalid(ParamError("fields", name, f"'{name[:80]}' is not a field of a program", list(COLUMNS)))
            if name not in names:
                names.append(name)
    return tuple(names) if names else None


FieldsDep = Annotated[tuple[str, ...] | None, Depends(get_fields)]


async def get_search(request: Request) -> ParsedSearch:
    """The search asked for; any unknown or invalid parameter is a 400 naming it."""
    try:
        return read_search(request.query_params, strict=True, allowed={"fields", *SYNC_PARAMS})
    except ParamError as error:
        raise invalid(error) from None


SearchDep = Annotated[ParsedSearch, Depends(get_search)]


async def get_export_search(request: Request) -> ParsedSearch:
    """As get_search, for the exports: every match, so page and per_page do not apply."""
    for name in ("page", "per_page"):
        if name in request.query_params:
            message = "exports hold every match; remove it (or use /api/v1/programs to page)"
            raise invalid(ParamError(name, request.query_params[name], message))
    return await get_search(request)


ExportSearchDep = Annotated[ParsedSearch, Depends(get_export_search)]


def get_program_or_404(program_id: str, request: Request, live: LiveDep, snapshot: SnapshotDep) -> StoredProgram:
    """The program with this id, from the request's snapshot; a 301 for an id it replaces; else a 404 problem."""
    check_params(request, {"fields"})
    found = stored(live, snapshot, [program_id])
    if not found:
        follow_rename(request, live, snapshot, program_id)
        raise ApiError(
            404,
            "unknown-program",
            "No such program",
            f"there is no program with id '{program_id[:80]}'; list them at /api/v1/programs",
            extra={"id": program_id[:200]},
        )
    return found[0]


ProgramDep = Annotated[StoredProgram, Depends(get_program_or_404)]


def canonical(search: ParsedSearch, fields: Sequence[str] | None, *, paged: bool) -> list[tuple[str, str]]:
    """The request's parameters in one normal form: equal searches give equal links and ETags."""
    q = search.query
    items = search_pairs(q.text, q.filters)
    if q.sort != default_sort(q.text):
        items.append(("sort", q.sort))
    if q.updated_since is not None:
        items.append(("updated_since", q.updated_since.astimezone(dt.UTC).isoformat()))
    if q.verified_since is not None:
        items.append(("verified_since", q.verified_since.isoformat()))
    if q.include_open:
        items.append(("include_open", "true"))
    if q.has_link:
        items.append(("has_link", "true"))
    if fields:
        items.append(("fields", ",".join(fields)))
    if paged:
        items += [("page", str(search.page)), ("per_page", str(search.per_page))]
    return items


def for_the_website(items: Sequence[tuple[str, str]], *, include_open: bool) -> list[tuple[str, str]]:
    """A search's API parameters (`canonical`) for the website, whose default is the other way: include_open=true."""
    kept = [(k, v) for k, v in items if k != "include_open"]
    return kept if include_open else [*kept, ("include_open", "false")]


def result(
    program: StoredProgram,
    fields: Sequence[str] | None,
    base: str,
    highlights: dict[str, str] | None = None,
    *,
    recheck_months: int,
) -> dict[str, Any]:
    """One program as the API shows it: its fields, the marked-up matches if searched, and its links."""
    out = pick(program.full_record(recheck_months=recheck_months), fields)
    if highlights is not None:
        out["highlights"] = highlights
    out["links"] = {"self": f"{base}{PREFIX}/programs/{program.id}", "html": f"{base}/programs/{program.id}"}
    return out


def plain(record: dict[str, Any]) -> dict[str, str]:
    """Highlights with nothing marked, for a query whose words were all too common to mark."""
    return {"name": html.escape(record["name"]), "snippet": html.escape(record["summary"])}


def page_links(base: str, path: str, items: list[tuple[str, str]], page: int, pages: int) -> dict[str, str | None]:
    def at(n: int) -> str:
        return f"{base}{path}?" + urlencode([(k, str(n) if k == "page" else v) for k, v in items])

    prev = min(page - 1, pages) if page > 1 and pages else None
    return {"self": at(page), "next": at(page + 1) if page < pages else None, "prev": at(prev) if prev else None}
