"""Suggestions over HTTP, on SQLite and PostgreSQL: what a faculty member sends, what is refused, what is kept.

Each hostile submission must get a 4xx that says what was wrong, and leave nothing in the database.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import Session, select

from app.main import create_app
from app.store import suggestions as store
from tests.support.app import Client, make_settings, running

API = "/api/v1/suggestions"
ADMIN = "/api/v1/admin/suggestions"
TOKEN = "curator-token-for-tests"
EMAIL = "faculty.member@example.edu"


@contextmanager
def app_on(tmp_path: Path, database_url: str, **overrides: Any) -> Iterator[Client]:
    with running(create_app(make_settings(tmp_path, database_url=database_url, **overrides))) as c:
        yield c


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[Client]:
    """The app over the fixture catalog, on each kind of database, with the admin token set."""
    with app_on(tmp_path, database_url, admin_token=TOKEN) as c:
        yield c


def stored(c: Client) -> tuple[int, int]:
    """(suggestions, rate-limit hits) in the database."""
    engine = c.app.state.live.engine
    with Session(engine) as session:
        suggestions = session.exec(select(func.count()).select_from(store.SuggestionRow)).one()
        hits = session.exec(select(func.count()).select_from(store.RateHitRow)).one()
    return suggestions, hits


def form_token(c: Client, url: str = "/suggest?program=elam") -> str:
    """Open the form (the client keeps its cookie, as a browser would) and read its CSRF token."""
    response = c.get(url)
    assert response.status_code == 200
    field = BeautifulSoup(response.text, "html.parser").select_one("input[name=csrf]")
    assert field is not None
    return str(field["value"])


def post_form(c: Client, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
    return c.post("/suggest", data=fields, headers={"accept": "text/html", **kwargs.pop("headers", {})}, **kwargs)


NEW = {"kind": "new-program", "message": "The ABC fellowship is missing."}


def good(**changes: Any) -> dict[str, Any]:
    body = {"kind": "correction", "program_id": "elam", "message": "ELAM's page has moved.", "email": EMAIL}
    return {k: v for k, v in (body | changes).items() if v is not None}


def test_a_correction_is_stored_with_its_program_and_catalog_version(client: Client) -> None:
    body = good(url="https://example.org/elam", name="Dr Ada Example")
    response = client.post(API, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    version = client.get("/api/v1/catalog").json()["version"]
    assert created["status"] == "new" and created["kind"] == "correction" and created["program_id"] == "elam"
    assert created["catalog_version"] == version and isinstance(created["id"], int)
    assert "email" not in created and "name" not in created  # the sender's details are not echoed back

    listed = client.get(ADMIN, headers={"Authorization": f"Bearer {TOKEN}"})
    assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
    [row] = listed.json()["results"]
    assert row["id"] == created["id"] and row["status"] == "new" and row["channel"] == "api"
    assert (row["program_name"], row["url"], row["name"], row["email"]) == (
        "Executive Leadership in Academic Medicine",
        "https://example.org/elam",
        "Dr Ada Example",
        EMAIL,
    )
    assert listed.json()["counts"] == {"new": 1, "accepted": 0, "rejected": 0, "duplicate": 0}
    new_program = client.post(API, json={"kind": "new-program", "message": "  The XYZ Scholars network.  "})
    assert new_program.status_code == 201 and new_program.json()["program_id"] is None
    assert stored(client) == (2, 2)
    assert client.get("/healthz").json()["programs"] == 8  # the catalog is as it was


def test_a_suggestion_is_deleted_after_the_180_days_the_form_promises(client: Client) -> None:
    import datetime as dt

    engine = client.app.state.live.engine
    past = dt.datetime.now(dt.UTC) - store.RETENTION
    old = store.add(
        engine,
        store.NewSuggestion("correction", "old", "elam"),
        catalog_version="v",
        channel="api",
        client="x",
        now=past - dt.timedelta(hours=1),
    )
    kept = store.add(
        engine,
        store.NewSuggestion("correction", "recent", "elam"),
        catalog_version="v",
        channel="api",
        client="y",
        now=past + dt.timedelta(hours=1),
    )
    assert not isinstance(old, store.RateLimited) and not isinstance(kept, store.RateLimited)
    assert client.post(API, json=good()).status_code == 201  # the service keeps the promise as suggestions arrive
    assert store.get(engine, old[0].id) is None
    assert store.get(engine, kept[0].id) is not None


def test_the_admin_list_needs_the_token_and_filters_by_status(client: Client) -> None:
    for _ in range(3):
        assert client.post(API, json=good()).status_code == 201
    store.close(client.app.state.live.engine, 2, status="rejected", note="not a program")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get(ADMIN).status_code == 401
    assert client.get(ADMIN, headers={"Authorization": "Bearer wrong"}).status_code == 401
    rejected = client.get(ADMIN + "?status=rejected", headers=auth).json()
    assert [r["id"] for r in rejected["results"]] == [2] and rejected["results"][0]["note"] == "not a program"
    assert rejected["total"] == 1 and rejected["counts"]["new"] == 2
    assert [r["id"] for r in client.get(ADMIN + "?status=new&limit=1&offset=1", headers=auth).json()["results"]] == [1]
    bad = client.get(ADMIN + "?status=open", headers=auth)
    assert bad.status_code == 400 and bad.json()["param"] == "status" and "accepted" in bad.json()["valid"]
    for empty in ("", "new,", " "):  # as the schema says: each status is one of the list, none is empty
        assert client.get(ADMIN, params={"status": empty}, headers=auth).status_code == 400, empty
    for number in ("offset=999999999", "limit=500"):  # the schema's maximums are accepted
        assert client.get(f"{ADMIN}?{number}", headers=auth).status_code == 200, number


def test_without_an_admin_token_there_is_no_admin_list(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path))) as c:
        assert c.get(ADMIN, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
        assert c.post(API, json=good()).status_code == 201


def _json(body: Any) -> Callable[[Client], httpx.Response]:
    return lambda c: c.post(API, json=body)


def _raw(content: bytes, content_type: str) -> Callable[[Client], httpx.Response]:
    return lambda c: c.post(API, content=content, headers={"content-type": content_type})


def _form(fields: dict[str, str], *, token: bool = True, **headers: str) -> Callable[[Client], httpx.Response]:
    def send(c: Client) -> httpx.Response:
        csrf = {"csrf": form_token(c)} if token else {}
        return post_form(c, {"kind": "correction", "program_id": "elam", **csrf, **fields}, headers=headers)

    return send


def _twice(c: Client) -> httpx.Response:
    body = f"csrf={form_token(c)}&kind=correction&program_id=elam&message=One&message=Two".encode()
    headers = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}
    return c.post("/suggest", content=body, headers=headers)


# (what is wrong, how it is sent, the status, words the answer must contain)
HOSTILE: list[tuple[str, Callable[[Client], httpx.Response], int, str]] = [
    ("oversize message", _json(good(message="x" * 2001)), 422, "message: is 2,001 characters long; at most 2,000"),
    ("oversize url", _json(good(url="https://example.org/" + "a" * 490)), 422, "url: is 510 characters long"),
    ("oversize name", _json(good(name="N" * 101)), 422, "name: is 101 characters long; at most 100"),
    ("oversize email", _json(good(email="a" * 250 + "@x.org")), 422, "email: is 256 characters long"),
    ("oversize body", _raw(b'{"message": "' + b"x" * 40_000 + b'"}', "application/json"), 413, "over 38 KiB"),
    ("script payload", _json(good(message="<script>alert(1)</script>")), 422, "message: looks like HTML"),
    ("event handler", _json(good(name='"><img src=x onerror=alert(2)>')), 422, "name: looks like HTML"),
    ("svg payload", _json({"kind": "new-program", "message": "<svg onload=alert(3)>"}), 422, "looks like HTML"),
    ("bracketed URL with a handler", _json(good(message="see <https://x.org onmouseover=alert(7)>")), 422, "HTML"),
    ("bracketed URL with a quote", _json(good(message='see <https://x.org/"onload=alert(8)>')), 422, "HTML"),
    ("a tag after a bracketed URL", _json(good(message="<https://x.org/> <b>bold</b>")), 422, "looks like HTML"),
    ("javascript: URL", _json(good(url="javascript:alert(4)")), 422, "url: must be a web address starting with http"),
    ("data: URL", _json(good(url="data:text/html,<b>x</b>")), 422, "url: "),
    ("bracketed host, no IP", _json(good(url="http://[^\\w]/")), 422, "url: must be a web address"),
    ("bracketed host, empty", _json(good(url="http://[]/")), 422, "url: must be a web address"),
    ("credentials in a link", _json(good(url="https://ada:secret@example.org/")), 422, "url: must not carry a user"),
    ("user name after a backslash", _json(good(url="http://example.org\\@127.0.0.1/")), 422, "url: must not carry"),
    ("loopback as a number", _json(good(url="http://2130706433/admin")), 422, "url: points to a private, local"),
    ("cloud metadata address", _json(good(url="http://169.254.169.254/latest")), 422, "url: points to a private"),
    ("a local name", _json(good(url="http://printer.local/")), 422, "url: points to a private, local or reserved"),
    ("form, private link", _form({"message": "See it", "url": "http://0x7f.1/"}), 422, "The link points to a private"),
    (
        "form, link with a password",
        _form({"message": "See it", "url": "http://u:p@example.org/"}),
        422,
        "The link must not carry a user name or password",
    ),
    ("missing message", _json(good(message=None)), 422, "message: is required"),
    ("blank message", _json(good(message="   ")), 422, "message: is required"),
    ("missing kind", _json(good(kind=None)), 422, "kind: is required"),
    ("unknown kind", _json(good(kind="complaint")), 422, "kind: 'complaint' is not a kind of suggestion"),
    ("no program", _json(good(program_id=None)), 422, "program_id: is required for a correction"),
    (
        "unknown program",
        _json(good(program_id="no-such-program")),
        422,
        "there is no program with id 'no-such-program'",
    ),
    ("program on a new one", _json(good(kind="new-program")), 422, "program_id: is only for corrections"),
    ("program null on a new one", _json(NEW | {"program_id": None}), 422, "program_id: is only for corrections"),
    ("program empty on a new one", _json(good(kind="new-program", program_id="")), 422, "program_id: is only for"),
    ("kind with spaces", _json(good(kind=" correction")), 422, "kind: ' correction' is not a kind of suggestion"),
    ("a staff confirmation", _json(good(kind="confirmation")), 422, "kind: 'confirmation' is not a kind"),
    ("long once spaces count", _json(good(url="https://example.org/" + " " * 490)), 422, "url: is 510 characters"),
    ("control in a link", _json(good(url="https://example.org/\x1c/")), 422, "url: contains control characters"),
    ("not text", _json(good(message=12345)), 422, "message: must be text"),
    ("unknown field", _json(good(status="accepted")), 422, "status: is not a field of a suggestion"),
    ("control character", _json(good(message="moved\x00\x1b[2J")), 422, "message: contains control characters"),
    ("bidi override", _json(good(name="Ada\u202eevil")), 422, "name: contains control characters"),
    ("bad email", _json(good(email="not-an-address")), 422, "email: does not look like an email address"),
    ("JSON array", _json([good()]), 422, "must be a JSON object"),
    ("malformed JSON", _raw(b'{"kind": "correction",', "application/json"), 400, "the body is not valid JSON"),
    ("invalid UTF-8", _raw(b'{"message": "\xff\xfe"}', "application/json"), 400, "the body is not valid JSON"),
    ("text/plain", _raw(b'{"kind": "new-program"}', "text/plain"), 415, "Content-Type: application/json"),
    ("form to the API", _raw(b"kind=new-program&message=hello", "application/x-www-form-urlencoded"), 415, "JSON"),
    ("form without token", _form({"message": "The page moved."}, token=False), 403, "could not confirm"),
    ("form, wrong token", _form({"message": "Moved.", "csrf": "A" * 43}), 403, "could not confirm"),
    ("form from another site", _form({"message": "Moved."}, origin="https://evil.example"), 403, "could not confirm"),
    (
        "form, referer elsewhere",
        _form({"message": "Moved."}, referer="https://evil.example/page"),
        403,
        "could not confirm",
    ),
    ("form, opaque origin", _form({"message": "Moved."}, origin="null"), 403, "could not confirm"),
    ("form oversize", _form({"message": "y" * 2500}), 422, "Your message is 2,500 characters long"),
    ("form script", _form({"message": "<script>alert(5)</script>"}), 422, "Your message looks like HTML"),
    ("form javascript: URL", _form({"message": "See link", "url": "javascript:alert(6)"}), 422, "The link must be"),
    (
        "form as JSON",
        lambda c: c.post("/suggest", json=good(), headers={"accept": "text/html"}),
        415,
        "suggestion form",
    ),
    ("form field twice", _twice, 400, "sent the field 'message' twice"),
]


def test_hostile_submissions_get_a_clear_4xx_and_store_nothing(client: Client) -> None:
    assert len(HOSTILE) >= 20
    for what, send, status, words in HOSTILE:
        response = send(client)
        assert response.status_code == status, (what, response.status_code, response.text[:300])
        if response.headers["content-type"].startswith("application/problem+json"):
            problem = response.json()
            assert problem["status"] == status and words in problem["detail"], (what, problem)
            if status == 422 and what != "JSON array":
                assert problem["errors"] and all(e["field"] and e["message"] for e in problem["errors"]), what
        else:
            assert response.headers["content-type"].startswith("text/html"), what
            text = BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)
            assert words in text, (what, text[:600])
        assert stored(client) == (0, 0), what
    # A form refused for its token or a field comes back with what was typed, escaped, beside the error.
    soup = BeautifulSoup(_form({"message": "<script>alert(5)</script>"})(client).text, "html.parser")
    assert soup.select_one("textarea#message").get_text() == "<script>alert(5)</script>"
    assert soup.select_one("main script") is None
    assert soup.select_one("textarea#message")["aria-invalid"] == "true"
    assert "message-error" in soup.select_one("textarea#message")["aria-describedby"]
    assert soup.select_one(".error-summary a[href='#message']") is not None
    assert soup.title is not None and soup.title.get_text().startswith("Error: ")


def test_a_burst_over_the_rate_limit_gets_429_with_retry_after_and_other_clients_do_not(
    tmp_path: Path, database_url: str
) -> None:
    with app_on(tmp_path, database_url) as c:
        for i in range(store.RATE_LIMIT):
            assert c.post(API, json=good(message=f"Correction number {i}")).status_code == 201
        refused = c.post(API, json=good(message="One too many"))
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        assert 0 < wait <= 600
        assert "5 suggestions in 10 minutes is the limit" in refused.json()["detail"]
        page = post_form(c, {"csrf": form_token(c), "kind": "correction", "program_id": "elam", "message": "Again"})
        assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
        assert "Nothing was saved" in page.text and ">Again</textarea>" in page.text
        assert stored(c) == (5, 5)
        other = httpx.AsyncClient(transport=httpx.ASGITransport(app=c.app, client=("192.0.2.7", 4000)))
        try:
            answer = c._portal.call(lambda: other.post("http://testserver" + API, json=good()))
        finally:
            c._portal.call(other.aclose)
        assert answer.status_code == 201
    with app_on(tmp_path, database_url) as c:  # the limit is kept in the database: a restart does not reset it
        assert c.post(API, json=good(message="After a restart")).status_code == 429
        assert stored(c) == (6, 6)


def test_the_form_is_a_plain_accessible_form_with_a_csrf_cookie(client: Client) -> None:
    first = client.get("/suggest?program=elam")
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/suggest" in cookie
    assert first.headers["cache-control"] == "no-store"
    soup = BeautifulSoup(first.text, "html.parser")
    assert soup.select_one("h1").get_text() == "Suggest a correction"
    assert soup.select_one("form.suggest")["method"] == "post"
    for field in soup.select("form.suggest textarea, form.suggest input:not([type=hidden])"):
        assert soup.select_one(f"label[for={field['id']}]") is not None, field
    privacy = soup.select_one("#privacy").get_text(" ", strip=True)
    assert "Nothing you send is published" in privacy and "180 days" in privacy and "only the curators" in privacy
    assert soup.select_one("input[name=program_id]")["value"] == "elam"
    token = str(soup.select_one("input[name=csrf]")["value"])
    second = client.get("/suggest?program=elam")  # another tab: the browser's cookie is kept, so both tabs work
    assert second.headers["set-cookie"].split(";")[0] == cookie.split(";")[0]
    sent = {"kind": "correction", "program_id": "elam", "message": "Sent from the first tab."}
    assert post_form(client, sent | {"csrf": token}).status_code == 303
    fresh = httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://testserver")
    try:  # a new visitor gets a token of their own, never one cached from someone else
        other = client._portal.call(lambda: fresh.get("/suggest?program=elam"))
    finally:
        client._portal.call(fresh.aclose)
    assert 'name="csrf" value="' + token not in other.text
    new = BeautifulSoup(client.get("/suggest?kind=new-program").text, "html.parser")
    assert new.select_one("h1").get_text() == "Suggest a program we’re missing"
    assert new.select_one("input[name=kind]")["value"] == "new-program" and not new.select("input[name=program_id]")
    missing = client.get("/suggest?program=no-such-thing", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "nothing to correct" in missing.text


def test_links_to_the_form_from_a_program_the_search_page_and_no_results(client: Client) -> None:
    def links(url: str) -> dict[str, str]:
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        return {a.get_text(strip=True): str(a["href"]) for a in soup.select("main a[href^='/suggest']")}

    assert links("/programs/elam") == {
        "Suggest a correction": "/suggest?program=elam",
        "Confirm or correct this entry": "/suggest/confirm?program=elam",  # for the program's own staff
    }
    assert links("/") == {"Suggest a program we’re missing": "/suggest?kind=new-program"}
    nothing = BeautifulSoup(client.get("/?q=zzzzqqq").text, "html.parser")
    assert nothing.select_one(".empty a[href='/suggest?kind=new-program']") is not None


def test_a_form_suggestion_redirects_to_what_happens_next(client: Client) -> None:
    fields = {"csrf": form_token(client), "kind": "correction", "program_id": "elam", "message": "Deadline is June."}
    # Behind a TLS proxy the browser's Origin says https while the app sees http: the same host is the same site.
    sent = post_form(
        client, fields | {"name": "Ada", "email": EMAIL, "website": ""}, headers={"origin": "https://testserver"}
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/suggest/done?ref=1&program=elam"
    done = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
    assert done.select_one("h1").get_text() == "Thank you: your suggestion is with the curators"
    assert "#1" in done.select_one(".lede").get_text() and done.select_one(".lede a")["href"] == "/programs/elam"
    assert "What happens next" in done.get_text() and "Deadline is June" not in done.get_text()
    [row] = store.listing(client.app.state.live.engine)[1]
    assert (row.channel, row.message, row.name, row.email) == ("web", "Deadline is June.", "Ada", EMAIL)


@pytest.mark.parametrize(
    "message",
    ["The page moved, see <https://www.example.org/new-page?id=1#apply>.", "See <http://example.org/a_b-c/>"],
)
def test_a_web_address_in_angle_brackets_is_plain_text_and_accepted(client: Client, message: str) -> None:
    fields = {"csrf": form_token(client), "kind": "correction", "program_id": "elam", "message": message}
    sent = post_form(client, fields, headers={"origin": "https://testserver"})
    assert sent.status_code == 303, BeautifulSoup(sent.text, "html.parser").get_text(" ", strip=True)[:300]
    assert client.post(API, json=good(message=message)).status_code == 201
    assert [row.message for row in store.listing(client.app.state.live.engine)[1]] == [message, message]


def test_the_email_is_never_logged_nor_shown_publicly(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert client.post(API, json=good(name="Ada Lovelace")).status_code == 201
        client.post(API, json=good(email=EMAIL + "x"))  # refused, but its email must not be logged either
        fields = {"csrf": form_token(client), "kind": "correction", "program_id": "elam", "message": "Moved again"}
        assert post_form(client, fields | {"email": EMAIL}).status_code == 303
        public = ["/programs/elam", "/suggest/done?ref=1&program=elam", "/api/v1/programs/elam", "/", "/feed.xml"]
        for url in public:
            text = client.get(url).text
            assert EMAIL not in text and "Ada Lovelace" not in text, url
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and EMAIL not in logged and "Ada Lovelace" not in logged


def test_metrics_count_suggestions_by_status(client: Client) -> None:
    for _ in range(3):
        assert client.post(API, json=good()).status_code == 201
    engine = client.app.state.live.engine
    store.close(engine, 1, status="accepted", note=None)
    store.close(engine, 2, status="duplicate", note="of #1")
    text = client.get("/metrics").text
    lines = {ln.split(" ")[0]: float(ln.split(" ")[1]) for ln in text.splitlines() if not ln.startswith("#")}
    assert {s: lines[f'mentordir_suggestions{{status="{s}"}}'] for s in store.STATUSES} == {
        "new": 1.0,
        "accepted": 1.0,
        "rejected": 0.0,
        "duplicate": 1.0,
    }


def test_the_api_is_documented_in_openapi(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    post = schema["paths"][API]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    shapes = {
        "correction": "#/components/schemas/CorrectionSuggestion",
        "new-program": "#/components/schemas/NewProgramSuggestion",
    }
    # One shape per kind, chosen by `kind`: generated clients make a type of each.
    assert body["discriminator"] == {"propertyName": "kind", "mapping": shapes}
    assert body["oneOf"] == [{"$ref": ref} for ref in shapes.values()]
    correction, new = (schema["components"]["schemas"][ref.rsplit("/", 1)[1]] for ref in shapes.values())
    # The examples /docs shows are bodies the service takes, of each shape.
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert [e["value"]["kind"] for e in examples.values()] == ["correction", "new-program"]
    for example in examples.values():
        assert client.post(API, json=example["value"]).status_code == 201, example
    assert set(correction["required"]) == {"kind", "program_id", "message"} and set(new["required"]) == {
        "kind",
        "message",
    }
    assert (
        correction["properties"]["kind"]["const"] == "correction"
        and new["properties"]["kind"]["const"] == "new-program"
    )
    assert (
        correction["additionalProperties"] is False
        and new["additionalProperties"] is False
        and "program_id" not in new["properties"]
    )
    assert new["properties"]["message"]["maxLength"] == store.MAX_MESSAGE
    assert {"201", "400", "413", "415", "422", "429", "503"} <= set(post["responses"])
    assert "application/problem+json" in post["responses"]["422"]["content"]
    assert "get" in schema["paths"][ADMIN]


@pytest.mark.slow
def test_fuzzed_suggestions_get_no_server_error_and_match_the_schema(tmp_path: Path) -> None:
    """Schemathesis against the documented POST: every answer a documented status, content type and shape.

    Valid-by-schema bodies may still be refused (a correction's program must exist, the text must be plain), which
    the schema cannot say, so that one check is left out; invalid bodies must still be refused.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.config import SchemathesisConfig
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    app = create_app(make_settings(tmp_path))
    # A config of its own: the repository's schemathesis.toml (for `st run`) makes include() match everything.
    document = schemathesis.openapi.from_asgi("/openapi.json", app, config=SchemathesisConfig())
    schema = document.include(method="POST", path=API)
    [operation] = [result.ok() for result in schema.get_all_operations()]
    seen: list[int] = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            seen.append(case.call_and_validate(excluded_checks=[positive_data_acceptance]).status_code)

        run()
    assert max(seen) < 500 and {201, 422} <= set(seen)


def test_the_documented_body_agrees_with_what_is_refused(client: Client) -> None:
    """What schemathesis found: an empty link is accepted (none), and control characters are refused, as documented."""
    import re

    body = client.get("/openapi.json").json()["components"]["schemas"]["NewProgramSuggestion"]["properties"]
    message, url = re.compile(body["message"]["pattern"]), re.compile(body["url"]["anyOf"][0]["pattern"])
    for text, accepted in [("A plain message.", True), ("Tab\tand\nnewline ok", True), ("Bell\x07 here", False)]:
        response = client.post(API, json={"kind": "new-program", "message": text})
        assert (response.status_code == 201) == accepted == bool(message.search(text)), text
    for link, accepted in [("", True), ("https://example.org/x", True), ("ftp://example.org", False)]:
        response = client.post(API, json={"kind": "new-program", "message": "Missing program.", "url": link})
        assert (response.status_code == 201) == accepted == bool(url.search(link)), link


def test_every_body_the_schema_forbids_is_refused(client: Client) -> None:
    """The documented body is the contract: what schemathesis generates against it as invalid is refused, whichever
    branch of the `oneOf` it started from (checked without the rate limit: the same check the endpoint runs)."""
    import jsonschema_rs
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.config import SchemathesisConfig

    from app.api.plaintext import Invalid
    from app.api.suggestions import check

    document = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=SchemathesisConfig())
    [operation] = [result.ok() for result in document.include(method="POST", path=API).get_all_operations()]
    spec = client.get("/openapi.json").json()
    body = spec["paths"][API]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator(body | {"components": spec["components"]})
    snapshot = client.app.state.live.current
    tried: list[dict[str, Any]] = []

    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @settings(max_examples=300, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def refused(case: schemathesis.Case) -> None:
        if isinstance(case.body, dict) and not validator.is_valid(case.body):
            tried.append(case.body)
            with pytest.raises(Invalid):
                check(case.body, snapshot)

    refused()
    assert len(tried) >= 150  # the rest were not objects (a list, a number), refused before any field is read
    # The near misses a generator rarely hits, each a body the schema forbids that the service used to accept.
    for near_miss in [
        NEW | {"program_id": None},
        NEW | {"program_id": ""},
        NEW | {"kind": "new-program "},
        NEW | {"kind": "confirmation"},
        NEW | {"message": "A program is missing." + " " * 2000},
        NEW | {"url": "https://example.org/\x1f/"},
        NEW | {"email": "a\ufeff@example.org\u202e"},
    ]:
        assert not validator.is_valid(near_miss), near_miss
        with pytest.raises(Invalid):
            check(near_miss, snapshot)
    # And what the service accepts, the schema allows: white space as Python trims it (U+FEFF is none, though ECMA's
    # `\s` says it is), control characters among it, and text that is fine once trimmed.
    for accepted in [
        NEW | {"email": "\ufeffa@example.org"},
        NEW | {"email": "a@example.org\t\xa0"},
        NEW | {"url": "\xa0\thttps://example.org/"},
        NEW | {"message": "The page moved to a new address.\x0b", "name": "\x85Ada\u3000"},
        {"kind": "correction", "program_id": "elam", "message": "Moved.\r\n\x0c\r\n"},
    ]:
        check(accepted, snapshot)
        assert validator.is_valid(accepted), accepted


def test_the_schema_trims_the_white_space_python_trims() -> None:
    import re

    from app.api.plaintext import TRIMMED

    trimmed = re.compile(f"[{TRIMMED}]")
    assert [c for c in map(chr, range(0x110000)) if c.isspace() != bool(trimmed.fullmatch(c))] == []


def test_a_form_message_at_its_limit_with_line_breaks_is_accepted(client: Client) -> None:
    """A browser counts a line break as one character against the textarea's maxlength but sends it as CR LF."""
    message = ("A line of the message." + "x" * 77 + "\n") * (store.MAX_MESSAGE // 100)
    assert len(message) == store.MAX_MESSAGE
    fields = {"csrf": form_token(client), "kind": "correction", "program_id": "elam"}
    sent = post_form(
        client, fields | {"message": message.replace("\n", "\r\n")}, headers={"origin": "https://testserver"}
    )
    assert sent.status_code == 303, BeautifulSoup(sent.text, "html.parser").get_text(" ", strip=True)[:300]
    [row] = store.listing(client.app.state.live.engine)[1]
    assert row.message == message.strip()


def test_every_field_at_its_limit_in_any_script_fits_the_body_limit(client: Client) -> None:
    """A body the schema allows is never too large to read, however it is encoded: here every field at its
    maxLength in characters outside the Basic Multilingual Plane, sent as JSON escapes (12 bytes a character)."""
    wide = "\U0001f600"
    body = {"kind": "new-program", "message": wide * store.MAX_MESSAGE, "name": wide * store.MAX_NAME}
    sent = client.post(API, content=json.dumps(body).encode(), headers={"content-type": "application/json"})
    assert len(sent.request.content) > 24_000 and sent.status_code == 201, sent.text[:300]
    fields = {"csrf": form_token(client, "/suggest"), "kind": "new-program", "message": wide * store.MAX_MESSAGE}
    form = post_form(client, fields | {"name": wide * store.MAX_NAME}, headers={"origin": "https://testserver"})
    assert form.status_code == 303, BeautifulSoup(form.text, "html.parser").get_text(" ", strip=True)[:300]
