""" "Do you run this program?": the form for a program's staff to confirm its entry or correct it, reached from every
program page (?program=ID) or from a signed link mailed by `mentordir recheck --send` (?token=...). It shares the
suggestion form's protections (app.web.guard: signed CSRF token and cookie, honeypot, rate limit, size limits) and
lands in the same queue.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.api.confirm import (
    ANSWERS,
    CONFIRMABLE,
    IDENTITY,
    MAX_BODY,
    MULTILINE,
    Link,
    LinkRefused,
    check_confirmation,
    verify,
)
from app.api.plaintext import Invalid
from app.api.suggestions import TooMany, submit
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.plumbing import LiveDep, SnapshotDep
from app.store import suggestions as store
from app.web.guard import NO_STORE, caught, form_fields, guarded_page, refusal, too_many
from app.web.suggestions import thanks

REFUSALS = {
    "expired": ("This link has expired", "Links we send to programs work for {days} days, and this one is older."),
    "invalid": ("This link is not valid", "It may have been cut short or changed on its way to you."),
    "used": ("This link was already used", "Each link we send works once, and an answer was already sent with it."),
}
AFTER = " You can still confirm or correct the entry from the program’s page: “Do you run this program?”."
PER_FIELD = tuple(f"{kind}-{field}" for field in CONFIRMABLE for kind in ("new", "source"))
FIELDS = ("program_id", "answer", "token", "ended_year", "ended_source", *IDENTITY, *PER_FIELD)


def _link(live: LiveCatalog, token: str) -> Link:
    """The mailed link behind a token; a clear page (410 or 400) when it has expired, was altered or was used."""
    secret = live.settings.secret_key.get_secret_value() if live.settings.secret_key else None
    try:
        link = verify(secret, token, days=live.settings.link_days)
        if store.nonce_used(live.engine, link.nonce):
            raise LinkRefused("used")
    except LinkRefused as exc:
        title, why = REFUSALS[exc.reason]
        detail = why.format(days=live.settings.link_days) + AFTER
        raise HTTPException(410 if exc.reason != "invalid" else 400, f"{title}. {detail}") from None
    return link


def _page(request: Request, snap: Snapshot, values: dict[str, str], status: int = 200, **more: Any) -> Response:
    found = snap.fetch([values.get("program_id", "")])
    if not found:
        raise HTTPException(404, f"No program has the id '{values.get('program_id', '')[:80]}'.")
    context = {
        "program": found[0].record,
        "confirmable": CONFIRMABLE,
        "multiline": MULTILINE,
        "answers": ANSWERS,
        "identity": IDENTITY,
    }
    return guarded_page(request, "confirm.html", context, values, status, **more)


def confirm_page(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """The empty form for ?program=ID, or for the program a mailed link (?token=) names, its address filled in."""
    token = request.query_params.get("token", "")
    if token:
        link = _link(live, token)
        return _page(request, snap, {"program_id": link.program_id, "email": link.email, "token": token})
    return _page(request, snap, {"program_id": request.query_params.get("program", "")})


async def confirm_post(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """Check the token, honeypot and fields, then store the confirmation (303 to the thank-you page)."""
    fields = await form_fields(request, "the confirmation form as sent by the page at /suggest/confirm", MAX_BODY)
    values = {k: v for k, v in fields.items() if k in FIELDS}
    if notice := refusal(request, fields):
        return _page(request, snap, values, 403, notice=notice)
    if bot := caught(request, fields, "/suggest/confirm/done?" + urlencode({"program": values.get("program_id", "")})):
        return bot
    link = await run_in_threadpool(_link, live, fields["token"]) if fields.get("token") else None
    try:
        new = check_confirmation({k: v for k, v in fields.items() if k != "token"}, snap, link)
        saved, limits = await run_in_threadpool(submit, request, live, snap, new, "mail" if link else "web")
    except Invalid as exc:
        return _page(request, snap, values, 422, errors=exc.errors)
    except TooMany as exc:
        notice, headers = too_many(exc)
        return _page(request, snap, values, 429, notice=notice, headers=headers)
    query = urlencode({"ref": saved.id, "program": saved.program_id or ""})
    return RedirectResponse(f"/suggest/confirm/done?{query}", status_code=303, headers=NO_STORE | limits)


def done_page(request: Request, snap: SnapshotDep) -> Response:
    return thanks(request, snap, "confirm_done.html")


def install(app: FastAPI) -> None:
    app.add_api_route("/suggest/confirm", confirm_page, methods=["GET"], name="confirm", include_in_schema=False)
    app.add_api_route("/suggest/confirm", confirm_post, methods=["POST"], name="confirm_post", include_in_schema=False)
    app.add_api_route("/suggest/confirm/done", done_page, methods=["GET"], name="confirm_done", include_in_schema=False)
