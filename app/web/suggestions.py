"""The suggestion form: "Suggest a correction" on a program page, "Suggest a program we're missing" from search.

A plain HTML form (no script needed) with the protections every form shares (app.web.guard: a signed CSRF token
bound to a SameSite=Strict cookie, a honeypot, the per-client rate limit); errors come back beside their fields with
what was typed kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.api.plaintext import Invalid
from app.api.suggestions import LIMITS, TooMany, check, submit
from app.live.snapshot import Snapshot
from app.plumbing import LiveDep, SnapshotDep
from app.web.common import render
from app.web.guard import NO_STORE, caught, form_fields, guarded_page, refusal, too_many


def _kind(given: str | None, program: dict[str, Any] | None) -> str:
    if given in ("correction", "new-program"):
        return given
    return "correction" if program else "new-program"


def _form(request: Request, snap: Snapshot, values: dict[str, str], *, status: int = 200, **more: Any) -> Response:
    """The suggestion form (`more`: errors, notice, headers as guarded_page takes them)."""
    stored = snap.fetch([values.get("program_id", "")])
    program = stored[0].record if stored else None
    context = {"kind": _kind(values.get("kind"), program), "program": program, "limits": LIMITS}
    return guarded_page(request, "suggest.html", context, values, status, **more)


def suggest_page(request: Request, snap: SnapshotDep) -> Response:
    """The empty form: a correction to ?program=ID, else a program we are missing."""
    program_id = request.query_params.get("program", "")
    if program_id and program_id not in snap.programs:
        detail = (
            f"No program has the id '{program_id[:80]}', so there is nothing to correct. You can suggest a program."
        )
        raise HTTPException(404, detail)
    kind = "correction" if program_id else "new-program"
    return _form(request, snap, {"kind": kind, "program_id": program_id} if program_id else {"kind": kind})


async def suggest_post(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """Check the token and the honeypot, then store the suggestion and show what happens next (303 to done)."""
    fields = await form_fields(request)
    values = {k: v for k, v in fields.items() if k in LIMITS}
    if notice := refusal(request, fields):
        return _form(request, snap, values, status=403, notice=notice)
    program = {"program": values["program_id"]} if values.get("program_id") in snap.programs else {}
    if bot := caught(request, fields, f"/suggest/done?{urlencode(program)}".rstrip("?")):
        return bot
    try:
        saved, limits = await run_in_threadpool(submit, request, live, snap, check(fields, snap), "web")
    except Invalid as exc:
        return _form(request, snap, values, status=422, errors=exc.errors)
    except TooMany as exc:
        notice, headers = too_many(exc)
        return _form(request, snap, values, status=429, notice=notice, headers=headers)
    query = {"ref": str(saved.id)} | ({"program": saved.program_id} if saved.program_id else {})
    return RedirectResponse(f"/suggest/done?{urlencode(query)}", status_code=303, headers=NO_STORE | limits)


def thanks(request: Request, snap: Snapshot, template: str) -> HTMLResponse:
    """What happens next; it shows the reference number and program from the address, nothing that was sent."""
    ref = request.query_params.get("ref", "")
    found = snap.fetch([request.query_params.get("program", "")])
    context = {"ref": ref if ref.isdigit() and len(ref) < 12 else None, "program": found[0].record if found else None}
    return render(request, template, context)


def done_page(request: Request, snap: SnapshotDep) -> HTMLResponse:
    return thanks(request, snap, "suggest_done.html")


def install(app: FastAPI) -> None:
    app.add_api_route("/suggest", suggest_page, methods=["GET"], name="suggest", include_in_schema=False)
    app.add_api_route("/suggest", suggest_post, methods=["POST"], name="suggest_post", include_in_schema=False)
    app.add_api_route("/suggest/done", done_page, methods=["GET"], name="suggest_done", include_in_schema=False)
