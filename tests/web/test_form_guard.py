"""What every form shares (app.web.guard), over HTTP: a CSRF token signed for one browser's cookie that expires, a
honeypot answered as a success, the RateLimit headers of the forms' shared limit; and the same key in every worker."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import Session, select

from app.main import create_app
from app.store import alerts
from app.store import suggestions as store
from app.store.keys import KeyRow
from app.store.mail import OutboxRow
from app.web.guard import COOKIE, FORM_HOURS, form_key, issue
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running
from tests.support.processes import mentordir_serve

SECRET = "a-secret-for-tests-only"
MESSAGE = "The application deadline moved to 1 March."
FIELDS = {"kind": "correction", "program_id": "elam", "message": MESSAGE}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    """The app with no MENTORDIR_SECRET_KEY: the form key is the one kept in the database."""
    with running(create_app(make_settings(tmp_path))) as c:
        yield c


def opened(c: Client, url: str = "/suggest?program=elam") -> tuple[str, str]:
    """Open a form as a browser does: (its token, the browser's cookie value)."""
    page = c.get(url)
    assert page.status_code == 200
    token = BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf]")
    assert token is not None
    return str(token["value"]), page.cookies[COOKIE]


def send(c: Client, token: str, fields: dict[str, str] = FIELDS, path: str = "/suggest") -> httpx.Response:
    return c.post(path, data=fields | {"csrf": token, "website": ""}, headers={"accept": "text/html"})


def count(c: Client, table: type) -> int:
    with Session(c.app.state.live.engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def refused_with_text_kept(response: httpx.Response, words: str) -> None:
    assert response.status_code == 403, response.text[:300]
    soup = BeautifulSoup(response.text, "html.parser")
    assert words in soup.select_one(".error-summary").get_text(" ", strip=True)
    assert soup.select_one("textarea#message").get_text() == MESSAGE


def test_a_token_made_for_another_browser_is_refused_and_the_text_kept(client: Client, tmp_path: Path) -> None:
    theirs, _ = opened(client)
    client._client.cookies.clear()
    opened(client)  # this browser now holds a cookie of its own
    refused_with_text_kept(send(client, theirs), "could not confirm that this form was sent from this site")
    assert count(client, store.SuggestionRow) == 0


def test_a_tampered_token_is_refused(client: Client) -> None:
    token, _ = opened(client)
    stamp, _, mac = token.partition(".")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    for forged in (f"{stamp}.{flipped}", f"{int(stamp) + 1}.{mac}", mac, "", f"{stamp}.{mac}\u00e9"):
        refused_with_text_kept(send(client, forged), "could not confirm")
    assert count(client, store.SuggestionRow) == 0


def test_an_expired_token_is_refused_with_the_expiry_message_and_a_fresh_form_works(client: Client) -> None:
    _, browser = opened(client)
    key = form_key(client.app)
    old = issue(key, browser, int(time.time()) - FORM_HOURS * 3600 - 60)
    response = send(client, old)
    refused_with_text_kept(response, f"This form expired: a form can be sent for {FORM_HOURS} hours")
    fresh = str(BeautifulSoup(response.text, "html.parser").select_one("input[name=csrf]")["value"])
    assert send(client, fresh).status_code == 303  # the page that said so carries a new token: send again
    recent = issue(key, browser, int(time.time()) - FORM_HOURS * 3600 + 120)
    assert send(client, recent).status_code == 303  # still inside the two hours


def test_the_key_is_made_once_in_the_database_or_derived_from_the_secret_key(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path))) as c:
        token, browser = opened(c)
        assert count(c, KeyRow) == 1
        stored = form_key(c.app)
    with running(create_app(make_settings(tmp_path))) as c:  # a restart (or another worker) uses the same key
        c._client.cookies.set(COOKIE, browser)
        assert form_key(c.app) == stored
        assert send(c, token).status_code == 303
    with running(create_app(make_settings(tmp_path, secret_key=SECRET))) as c:
        c._client.cookies.set(COOKIE, browser)
        assert form_key(c.app) != stored  # the configured secret signs instead
        assert send(c, token).status_code == 403
        assert send(c, opened(c)[0]).status_code == 303


def test_the_cookie_is_secure_when_the_public_address_is_https(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path, base_url="https://directory.example.org"))) as c:
        cookie = c.get("/suggest").headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    with running(create_app(make_settings(tmp_path))) as c:
        assert "Secure" not in c.get("/suggest").headers["set-cookie"]


@pytest.mark.slow
def test_a_token_made_by_one_server_process_is_accepted_by_another_on_the_same_database(tmp_path: Path) -> None:
    """As two workers or two replicas of one deployment: neither knows MENTORDIR_SECRET_KEY, both share the database."""
    env = {"MENTORDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "MENTORDIR_CATALOG": str(FIXTURE_CATALOG)}
    with (
        mentordir_serve(env | {"MENTORDIR_INDEX_DIR": str(tmp_path / "one")}, tmp_path) as one,
        mentordir_serve(env | {"MENTORDIR_INDEX_DIR": str(tmp_path / "two")}, tmp_path) as two,
    ):
        short = FIELDS | {"message": "abc"}  # too short: refused with 422 after the token checks out, nothing counted
        for made, checked in ((one, two), (two, one)):
            page = httpx.get(f"{made}/suggest?program=elam")
            token = BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf]")["value"]
            with httpx.Client(base_url=checked, cookies={COOKIE: page.cookies[COOKIE]}) as browser:
                answer = browser.post("/suggest", data=short | {"csrf": token, "website": ""})
            assert answer.status_code == 422, answer.text[:300]
            with httpx.Client(base_url=checked, cookies={COOKIE: "x" * 43}) as other:  # and only for its own cookie
                assert other.post("/suggest", data=short | {"csrf": token, "website": ""}).status_code == 403


def test_a_filled_honeypot_is_answered_as_a_sent_form_with_nothing_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with running(create_app(make_settings(tmp_path, secret_key=SECRET))) as c:
        real = send(c, opened(c)[0])
        caplog.set_level(logging.INFO, logger="mentordir")
        bot = c.post("/suggest", data=FIELDS | {"csrf": opened(c)[0], "website": "http://spam.example"})
        assert (bot.status_code, bot.headers["location"]) == (303, "/suggest/done?program=elam")
        assert real.status_code == 303 and real.headers["location"].startswith("/suggest/done?ref=1&")
        assert c.get(bot.headers["location"]).status_code == 200
        token = opened(c, "/follow")[0]
        follow = {"csrf": token, "email": "bot@example.org", "frequency": "weekly", "website": "spam"}
        sent = c.post("/alerts", data=follow)
        assert (sent.status_code, sent.headers["location"]) == (303, "/alerts/sent")
        assert (count(c, store.SuggestionRow), count(c, store.RateHitRow)) == (1, 1)  # the real one only
        assert count(c, alerts.AlertRow) == 0 and count(c, OutboxRow) == 0  # no alert kept, no mail sent
    caught = [r.getMessage() for r in caplog.records if "honeypot" in r.getMessage()]
    assert caught == [
        "honeypot: a form sent to /suggest had its hidden field filled; answered as sent, nothing kept",
        "honeypot: a form sent to /alerts had its hidden field filled; answered as sent, nothing kept",
    ]


def limits(response: httpx.Response) -> tuple[int, int, int]:
    return tuple(int(response.headers[f"ratelimit-{h}"]) for h in ("limit", "remaining", "reset"))  # type: ignore[return-value]


def test_ratelimit_headers_on_every_answer_the_shared_limit_counted(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path, secret_key=SECRET))) as c:
        api = c.post("/api/v1/suggestions", json=FIELDS)
        assert api.status_code == 201 and limits(api) == (5, 4, 600)
        form = send(c, opened(c)[0])
        assert form.status_code == 303 and limits(form)[:2] == (5, 3) and 590 <= limits(form)[2] <= 600
        token = opened(c, "/follow")[0]
        alert = c.post("/alerts", data={"csrf": token, "email": "ada@example.edu", "frequency": "weekly"})
        assert alert.status_code == 303 and limits(alert)[:2] == (5, 2)
        confirm = send(
            c,
            opened(c, "/suggest/confirm?program=elam")[0],
            path="/suggest/confirm",
            fields={
                "program_id": "elam",
                "answer": "all-correct",
                "name": "Ada",
                "role": "Director",
                "email": "a@aamc.org",
            },
        )
        assert confirm.status_code == 303 and limits(confirm)[:2] == (5, 1)
        assert limits(c.post("/api/v1/suggestions", json=FIELDS))[:2] == (5, 0)
        refused = c.post("/api/v1/suggestions", json=FIELDS)
        assert refused.status_code == 429 and limits(refused) == (5, 0, int(refused.headers["retry-after"]))
        page = send(c, opened(c)[0])
        assert page.status_code == 429 and limits(page) == (5, 0, int(page.headers["retry-after"]))
        invalid = c.post("/api/v1/suggestions", json=FIELDS | {"message": ""})
        assert invalid.status_code == 422 and "ratelimit-limit" not in invalid.headers  # not counted: no headers


def test_the_openapi_document_lists_the_ratelimit_headers(client: Client) -> None:
    post = client.get("/openapi.json").json()["paths"]["/api/v1/suggestions"]["post"]["responses"]
    ratelimit = {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    assert set(post["201"]["headers"]) == ratelimit and set(post["429"]["headers"]) == ratelimit | {"Retry-After"}
