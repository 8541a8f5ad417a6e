"""A search as a list to take away: the embeddable list any site may frame (`/embed`), the page that builds its code
("Put this list on your site"), and the printable list of every match (`/print`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from app.api.params import read_search
from app.catalog.nextsteps import next_step
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.plumbing import LiveDep, SnapshotDep, stored
from app.search.query import SearchResult
from app.web.common import render
from app.web.feeds import describe
from app.web.present import ended_line
from app.web.urlstate import INCLUDE_ENDED, State, include_ended, state_of

SIZES = (5, 10, 20, 50)  # how many programs an embedded list may show
DEFAULT_SIZE = 10
THEMES = {"light": "Light", "dark": "Dark"}
PRINT_MAX = 1000  # programs on the printable list; the CSV holds every match
OWN = ("size", "theme")  # the embed's own parameters, beside the search's


@dataclass(frozen=True)
class Listed:
    """A search's first programs: what the list shows, and the state its links reproduce."""

    state: State
    result: SearchResult
    programs: list[dict[str, Any]]
    about: str


def listed(request: Request, live: LiveCatalog, snap: Snapshot, limit: int) -> Listed:
    """The search the address asks for (as the search page reads it), its first `limit` programs in its order."""
    params = request.query_params
    parsed = read_search(params, strict=False, allowed=(INCLUDE_ENDED, "compare", *OWN), include_open_default=True)
    parsed = include_ended(parsed, request)
    state = state_of(parsed, request, snap.index.docnum)
    result = snap.index.search(replace(parsed.query, offset=0, limit=limit, highlight=False))
    programs = [p.record for p in stored(live, snap, [h.id for h in result.hits])]
    return Listed(state, result, programs, describe(parsed.query))


def choices(request: Request) -> tuple[int, str]:
    """The embed's size and look from the address; anything else falls back to the defaults."""
    raw = request.query_params.get("size", "")
    size = int(raw) if raw.isdecimal() and int(raw) in SIZES else DEFAULT_SIZE  # isdigit takes "²"; int() does not
    theme = request.query_params.get("theme", "")
    return size, theme if theme in THEMES else "light"


def embed(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """The compact list another site frames: each program's name, who it is for, who can join, the next step and
    how its facts were checked, with the attribution; every link opens outside the frame."""
    size, theme = choices(request)
    found = listed(request, live, snap, size)
    steps = {p["id"]: next_step(p["type"], p.get("access")) for p in found.programs}
    ended = {p["id"]: ended_line(p) for p in found.programs}
    context = {"found": found, "theme": theme, "steps": steps, "ended": ended, "compare_list": ()}
    return render(request, "embed.html", context)


def builder(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """ "Put this list on your site": how many programs and which look, a preview, and the code to copy."""
    size, theme = choices(request)
    found = listed(request, live, snap, 0)
    src = found.state.at("/embed", ("size", str(size)), ("theme", theme))
    context = {"found": found, "size": size, "theme": theme, "sizes": SIZES, "themes": THEMES, "src": src}
    context["hidden"] = parse_qsl(urlsplit(found.state.at("/")).query)  # the search, kept by the form
    return render(request, "embed_builder.html", context)


def printable(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """Every program of a search on one page, for paper: the same set as its CSV (up to PRINT_MAX)."""
    found = listed(request, live, snap, PRINT_MAX)
    return render(request, "print.html", {"found": found, "limit": PRINT_MAX})


def install(app: FastAPI) -> None:
    for path, handler, name in [
        ("/embed", embed, "embed"),
        ("/embed/builder", builder, "embed_builder"),
        ("/print", printable, "print_list"),
    ]:
        app.add_api_route(
            path, handler, methods=["GET"], name=name, response_class=HTMLResponse, include_in_schema=False
        )
