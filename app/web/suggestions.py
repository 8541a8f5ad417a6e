"""The suggestion form: "Suggest a correction" on a program page, "Suggest a program we're missing" from search.

A plain HTML form (no script needed) protected by a CSRF token that must match a SameSite=Strict cookie, a
honeypot field and the per-client rate limit; errors come back beside their fields with what was typed kept.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.api.suggestions import LIMITS, Invalid, TooMany, check, media_type, rate_limited, read_body, submit
from app.live.snapshot import Snapshot
from app.plumbing import ApiError, LiveDep, SnapshotDep
from app.web.common import render

COOKIE = "mentordir_csrf"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
FORM = "application/x-www-form-urlencoded"
TRAP = "website"  # the honeypot: hidden from people (and from screen readers), filled in by form-spamming bots
NO_STORE = {"Cache-Control": "no-store"}
REFUSED = (
    "We could not confirm that this form was sent from this site: it may have been open a long time, or your browser "
    "blocks cookies for it. Nothing was saved. Your text is below; please send it again."
)
TRAPPED = "The field “Leave this field empty” must stay empty. Nothing was saved; please clear it and send again."


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


def guarded_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    values: dict[str, str],
    status: int = 200,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    headers: dict[str, str] | None = None,
    cookie_path: str = "/suggest",
) -> Response:
    """A form page with a CSRF token that matches the cookie it sets (a cookie the browser already holds is kept),
    the honeypot, what was typed and the errors beside their fields; never cached."""
    held = request.cookies.get(COOKIE, "")
    token = held if TOKEN_RE.match(held) else secrets.token_urlsafe(32)
    context |= {"values": values, "errors": errors or {}, "notice": notice, "csrf": token, "trap": TRAP}
    response = render(request, template, context, status)
    response.headers.update(NO_STORE | (headers or {}))
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, token, path=cookie_path, httponly=True, samesite="strict", secure=secure)
    return response


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


def _same_origin(request: Request) -> bool:
    """False when the browser says the form was sent from another site (Origin, else Referer)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True
    if source == "null":
        return False
    # The host alone: behind a TLS proxy the app may see http where the browser says https.
    return urlsplit(source).netloc == request.url.netloc


async def form_fields(
    request: Request, source: str = "the suggestion form as sent by the page at /suggest"
) -> dict[str, str]:
    """The form's fields; a body that is not a form, too big or with a field twice is refused outright."""
    if media_type(request) != FORM:
        raise HTTPException(415, f"This address takes {source}.")
    try:
        body = await read_body(request)
    except ApiError:
        raise HTTPException(413, "This suggestion is too long to send. Please shorten it and try again.") from None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=40)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The form could not be read. Please send it again from /suggest.") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise HTTPException(400, f"The form sent the field '{name[:40]}' twice. Please send it from /suggest.")
        fields[name] = value
    return fields


def refusal(request: Request, fields: dict[str, str]) -> tuple[int, str] | None:
    """(status, notice) when the form's CSRF token or origin does not check out or its honeypot was filled; the
    token and honeypot are taken out of `fields`."""
    token, trap = fields.pop("csrf", ""), fields.pop(TRAP, "")
    held = request.cookies.get(COOKIE, "")
    if not (token and held and hmac.compare_digest(token, held) and _same_origin(request)):
        return 403, REFUSED
    if trap.strip():
        return 400, TRAPPED
    return None


def too_many(exc: TooMany) -> tuple[str, dict[str, str]]:
    """The notice and headers of a form refused by the rate limit."""
    notice = f"Nothing was saved: {rate_limited(exc.retry_after)}. Your text is kept below."
    return notice, {"Retry-After": str(exc.retry_after)}


async def suggest_post(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """Check the token and the honeypot, then store the suggestion and show what happens next (303 to done)."""
    fields = await form_fields(request)
    values = {k: v for k, v in fields.items() if k in LIMITS}
    if refused := refusal(request, fields):
        return _form(request, snap, values, status=refused[0], notice=refused[1])
    try:
        saved = await run_in_threadpool(submit, request, live, snap, check(fields, snap), "web")
    except Invalid as exc:
        return _form(request, snap, values, status=422, errors=exc.errors)
    except TooMany as exc:
        notice, headers = too_many(exc)
        return _form(request, snap, values, status=429, notice=notice, headers=headers)
    query = {"ref": str(saved.id)} | ({"program": saved.program_id} if saved.program_id else {})
    return RedirectResponse(f"/suggest/done?{urlencode(query)}", status_code=303, headers=NO_STORE)


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
