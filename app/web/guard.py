"""What every form of the site shares (the suggestion, confirmation and email alert forms): reading the posted fields,
a signed CSRF token bound to a per-browser cookie, the honeypot, and the rate limit's notice.

The token is an HMAC (SHA-256) over the browser's random cookie value and the time the form was made; it is
accepted for FORM_HOURS and checked in constant time. The key is derived from MENTORDIR_SECRET_KEY when it is set,
else made once and kept in the database (`app.store.keys`), so every worker and replica checks every other's forms.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from app.api.suggestions import MAX_BODY, TooMany, media_type, rate_limited, read_body
from app.live.holder import LiveCatalog
from app.plumbing import ApiError, base_url, unavailable
from app.store.keys import shared_key
from app.web.common import render

log = logging.getLogger("mentordir")

COOKIE = "mentordir_csrf"
BROWSER = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # the cookie's random value
STAMP = re.compile(r"^[0-9]{1,12}$")
FORM_HOURS = 2  # how long an open form can still be sent
FORM = "application/x-www-form-urlencoded"
TRAP = "website"  # the honeypot: hidden from people (and from screen readers), filled in by form-spamming bots
NO_STORE = {"Cache-Control": "no-store"}
REFUSED = (
    "We could not confirm that this form was sent from this site: your browser may block cookies for it. Nothing was "
    "saved. Your text is below; please send it again."
)
EXPIRED = (
    f"This form expired: a form can be sent for {FORM_HOURS} hours after it was opened. Nothing was saved. Your text "
    "is kept below; please send it again."
)


def form_key(app: Starlette) -> bytes:
    """The key that signs form tokens: from MENTORDIR_SECRET_KEY (for this purpose alone), else the database's
    (read once per app, then kept in its state)."""
    live: LiveCatalog = app.state.live
    if live.settings.secret_key:
        secret = live.settings.secret_key.get_secret_value().encode()
        return hmac.new(secret, b"mentordir-form-token", hashlib.sha256).digest()
    if getattr(app.state, "form_key", None) is None:
        try:
            app.state.form_key = shared_key(live.engine, "form-token")
        except SQLAlchemyError as exc:
            raise unavailable(exc) from None
    key: bytes = app.state.form_key
    return key


def _mac(key: bytes, browser: str, stamp: int) -> bytes:
    digest = hmac.new(key, f"form\n{browser}\n{stamp}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def issue(key: bytes, browser: str, stamp: int | None = None) -> str:
    """A form token for this browser's cookie value, made at `stamp` (Unix seconds; now by default)."""
    stamp = int(time.time()) if stamp is None else stamp
    return f"{stamp}.{_mac(key, browser, stamp).decode()}"


def token_problem(key: bytes, browser: str, token: str) -> str | None:
    """None for a token made for this browser's cookie with this key within FORM_HOURS; else 'expired' or 'invalid'."""
    stamp, _, mac = token.partition(".")
    if not (BROWSER.match(browser) and STAMP.match(stamp)):
        return "invalid"
    if not hmac.compare_digest(mac.encode("utf-8", "replace"), _mac(key, browser, int(stamp))):
        return "invalid"
    age = time.time() - int(stamp)
    if age < -60:  # made in the future: not by us
        return "invalid"
    return "expired" if age > FORM_HOURS * 3600 else None


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
    """A form page with a fresh token signed for the browser's cookie (a cookie the browser already holds is kept, so
    two open tabs both work), the honeypot, what was typed and the errors beside their fields; never cached."""
    live: LiveCatalog = request.app.state.live
    held = request.cookies.get(COOKIE, "")
    browser = held if BROWSER.match(held) else secrets.token_urlsafe(32)
    token = issue(form_key(request.app), browser)
    context |= {"values": values, "errors": errors or {}, "notice": notice, "csrf": token, "trap": TRAP}
    response = render(request, template, context, status)
    response.headers.update(NO_STORE | (headers or {}))
    secure = base_url(request, live).startswith("https://")
    response.set_cookie(COOKIE, browser, path=cookie_path, httponly=True, samesite="strict", secure=secure)
    return response


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
    request: Request, source: str = "the suggestion form as sent by the page at /suggest", limit: int = MAX_BODY
) -> dict[str, str]:
    """The form's fields; a body that is not a form, too big or with a field twice is refused outright.

    A browser sends a line break as CR LF but counts it as one character against a field's `maxlength`, so line
    breaks are read back as LF: a message the page let through is never refused as too long."""
    if media_type(request) != FORM:
        raise HTTPException(415, f"This address takes {source}.")
    try:
        body = await read_body(request, limit)
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
        fields[name] = value.replace("\r\n", "\n")
    return fields


def refusal(request: Request, fields: dict[str, str]) -> str | None:
    """The notice to show with a 403 when the form's token or origin does not check out; the token is taken out of
    `fields`."""
    token = fields.pop("csrf", "")
    if not _same_origin(request):
        return REFUSED
    problem = token_problem(form_key(request.app), request.cookies.get(COOKIE, ""), token)
    return None if problem is None else EXPIRED if problem == "expired" else REFUSED


def caught(request: Request, fields: dict[str, str], sent: str) -> Response | None:
    """When the honeypot was filled: the answer a sent form gets (303 to `sent`), with nothing stored or mailed and
    one log line, so that a bot learns nothing; the honeypot is taken out of `fields`."""
    if not fields.pop(TRAP, "").strip():
        return None
    log.info(
        "honeypot: a form sent to %s had its hidden field filled; answered as sent, nothing kept", request.url.path
    )
    return RedirectResponse(sent, status_code=303, headers=NO_STORE)


def too_many(exc: TooMany) -> tuple[str, dict[str, str]]:
    """The notice and headers of a form refused by the rate limit."""
    return f"Nothing was saved: {rate_limited(exc.retry_after)}. Your text is kept below.", exc.headers
