"""The page behind "Follow this search" (its feed, the embed, the CSV and print, email alerts) and the email alerts'
own pages: sign up (CSRF token, honeypot and the forms' rate limit, as the suggestion form), confirm from the mailed
link (double opt-in), and unsubscribe with one POST (List-Unsubscribe-Post, RFC 8058)."""

from __future__ import annotations

import smtplib
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.api.plaintext import EMAIL
from app.api.suggestions import TooMany, client_address, limit_headers
from app.live.holder import LiveCatalog
from app.plumbing import LiveDep, SnapshotDep, base_url
from app.store import alerts as store
from app.store import mail
from app.store.suggestions import RateLimited, client_key
from app.web.common import render
from app.web.guard import NO_STORE, caught, form_fields, guarded_page, refusal
from app.web.lists import listed

COOKIE_PATH = "/alerts"
OFF = "Email alerts are not switched on on this server (it has no key to sign their links)."


def _secret(live: LiveCatalog) -> str | None:
    return live.settings.secret_key.get_secret_value() if live.settings.secret_key else None


def _follow(
    request: Request, live: LiveCatalog, snap: Any, values: dict[str, str], status: int = 200, **more: Any
) -> Response:
    found = listed(request, live, snap, 0)
    context = {"found": found, "alerts_on": bool(_secret(live)), "frequencies": store.FREQUENCIES}
    return guarded_page(request, "follow.html", context, values, status, cookie_path=COOKIE_PATH, **more)


def follow_page(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """Every way to keep this search: its feed (Outlook, Teams, Slack, a feed reader), the embed, CSV, print, email."""
    return _follow(request, live, snap, {"frequency": "weekly"})


def _letter(to: str, about: str, link: str) -> mail.Mail:
    body = (
        f"Hello,\n\nSomeone, we hope you, asked Mentor Directory to email this address when programs "
        f"{about or 'in the directory'} are added or change.\n\nTo start these emails, open this link and press "
        f"“Start the emails”:\n\n{link}\n\nIf you did not ask, ignore this message: nothing will be sent.\n\n"
        "Mentor Directory\n"
    )
    return mail.Mail(to, "Please confirm your Mentor Directory email alert", body)


async def signup(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """Keep an unconfirmed alert and mail its confirmation link; the page never says whether the address was known."""
    fields = await form_fields(request, "the email alert form as sent by a search's “Follow this search” page")
    values = {k: fields.get(k, "") for k in ("email", "frequency")}
    secret = _secret(live)
    if not secret:
        raise HTTPException(404, OFF)
    if notice := refusal(request, fields):
        return _follow(request, live, snap, values, 403, notice=notice)
    if bot := caught(request, fields, "/alerts/sent"):
        return bot
    email, frequency = values["email"].strip(), values["frequency"]
    errors = {}
    if len(email) > 254 or not EMAIL.match(email):
        errors["email"] = "This does not look like an email address (name@example.org)."
    if frequency not in store.FREQUENCIES:
        errors["frequency"] = "Choose weekly or monthly."
    if errors:
        return _follow(request, live, snap, values, 422, errors=errors)
    found = listed(request, live, snap, 0)
    new = store.Alert(
        0, email, urlencode(found.state.beside()), found.state.at("/"), found.about, frequency, 0, False, None
    )
    saved = await run_in_threadpool(store.add, live.engine, new, client=client_key(client_address(request)))
    if isinstance(saved, RateLimited):
        notice = (
            f"Nothing was saved: too many forms were sent from your address; try again in {saved.retry_after} seconds."
        )
        return _follow(request, live, snap, values, 429, notice=notice, headers=TooMany(saved.retry_after).headers)
    alert, quota = saved
    link = f"{base_url(request, live)}/alerts/confirm?token={store.token(secret, 'confirm', alert.id)}"
    settings = live.settings
    try:
        await run_in_threadpool(
            mail.deliver,
            [_letter(email, found.about, link)],
            smtp_url=settings.smtp_url,
            sender=settings.mail_from,
            engine=live.engine,
        )
    except (smtplib.SMTPException, OSError):
        await run_in_threadpool(store.remove, live.engine, alert.id)
        raise HTTPException(
            503, "Our mail server did not take the message. Nothing was saved; please try again later."
        ) from None
    return RedirectResponse("/alerts/sent", status_code=303, headers=NO_STORE | limit_headers(quota))


def _message(
    request: Request, title: str, text: str, form: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    response = render(request, "alerts_message.html", {"title": title, "text": text, "form": form}, status)
    response.headers.update(NO_STORE)
    return response


def sent_page(request: Request) -> HTMLResponse:
    text = (
        "We emailed you a link. Open it to start the alert: until then nothing is sent. The link works for "
        "a limited time; if it does not arrive, check your spam folder or sign up again."
    )
    return _message(request, "Check your email", text)


BAD_LINK = "This link is not valid or has expired. You can sign up again from any search: “Follow this search”."


def confirm_page(request: Request, live: LiveDep) -> HTMLResponse:
    """The mailed link: a button that confirms (a link checker opening the address confirms nothing)."""
    value = request.query_params.get("token", "")
    if store.read_token(_secret(live), "confirm", value, days=live.settings.link_days) is None:
        return _message(request, "This link does not work", BAD_LINK, status=400)
    form = {"action": "/alerts/confirm?" + urlencode({"token": value}), "button": "Start the emails"}
    return _message(request, "Start your email alert", "One more step: press the button.", form)


def confirm_post(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    alert_id = store.read_token(
        _secret(live), "confirm", request.query_params.get("token", ""), days=live.settings.link_days
    )
    found = store.confirm(live.engine, alert_id, seq=snap.seq) if alert_id is not None else None
    if found is None:
        return _message(request, "This link does not work", BAD_LINK, status=400)
    how = "once a week" if found.frequency == "weekly" else "once a month"
    text = f"You will get an email at most {how}, when programs matching this search are added or change. "
    text += "Each email has a link to stop them."
    return _message(request, "Your email alert is on", text)


def unsubscribe_page(request: Request, live: LiveDep) -> HTMLResponse:
    value = request.query_params.get("token", "")
    if store.read_token(_secret(live), "stop", value) is None:
        return _message(request, "This link does not work", "This link is not valid.", status=400)
    form = {"action": "/alerts/unsubscribe?" + urlencode({"token": value}), "button": "Stop these emails"}
    return _message(request, "Stop this email alert", "Press the button to stop the emails for this search.", form)


def unsubscribe_post(request: Request, live: LiveDep) -> HTMLResponse:
    """One POST ends the alert (mail programs send it for the List-Unsubscribe-Post header)."""
    alert_id = store.read_token(_secret(live), "stop", request.query_params.get("token", ""))
    if alert_id is None:
        return _message(request, "This link does not work", "This link is not valid.", status=400)
    store.remove(live.engine, alert_id)
    return _message(request, "You will get no more of these emails", "The alert is stopped and your address deleted.")


def install(app: FastAPI) -> None:
    routes: list[tuple[str, Any, str, str]] = [
        ("/follow", follow_page, "GET", "follow"),
        ("/alerts", signup, "POST", "alerts_signup"),
        ("/alerts/sent", sent_page, "GET", "alerts_sent"),
        ("/alerts/confirm", confirm_page, "GET", "alerts_confirm"),
        ("/alerts/confirm", confirm_post, "POST", "alerts_confirm_post"),
        ("/alerts/unsubscribe", unsubscribe_page, "GET", "alerts_unsubscribe"),
        ("/alerts/unsubscribe", unsubscribe_post, "POST", "alerts_unsubscribe_post"),
    ]
    for path, handler, method, name in routes:
        app.add_api_route(path, handler, methods=[method], name=name, include_in_schema=False)
