""" "Do you run this program?": the confirmation form for a program's staff, its protections, and what curators see;
then `mentordir suggestions apply` confirming the entry, seen on the page and in the API after the reload."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from app.api.confirm import CONFIRMABLE
from app.curate.cli import cli as app_cli
from app.main import create_app
from app.store import suggestions as store
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running

runner = CliRunner()
STAFF = {"name": "Dana Ruiz", "role": "Program director", "email": "dana.ruiz@grants.nih.gov"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    catalog = tmp_path / "catalog.yaml"
    shutil.copy(FIXTURE_CATALOG, catalog)
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        yield c


def form(c: Client, url: str = "/suggest/confirm?program=kl2") -> BeautifulSoup:
    response = c.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def send(c: Client, fields: dict[str, str], *, token: bool = True) -> httpx.Response:
    csrf = str(form(c).select_one("input[name=csrf]")["value"]) if token else ""
    data = {"csrf": csrf, "program_id": "kl2", "website": "", **STAFF, **fields}
    return c.post("/suggest/confirm", data={k: v for k, v in data.items() if v is not None})


def queue(c: Client) -> list[store.Suggestion]:
    return store.listing(c.app.state.live.engine)[1]


def errors(response: httpx.Response) -> dict[str, str]:
    soup = BeautifulSoup(response.text, "html.parser")
    return {str(p["id"]).removesuffix("-error"): p.get_text(" ", strip=True) for p in soup.select(".field-error")}


def test_every_program_page_links_to_the_form_which_shows_the_public_record(client: Client) -> None:
    page = BeautifulSoup(client.get("/programs/kl2").text, "html.parser")
    assert page.select_one(".confirm-link a")["href"] == "/suggest/confirm?program=kl2"
    soup = form(client)
    name = BeautifulSoup(client.get("/programs/kl2").text, "html.parser").select_one("h1").get_text()
    assert soup.select_one("h1").get_text() == f"Do you run {name}?"
    legends = [x.get_text(" ", strip=True) for x in soup.select("fieldset.confirm-field legend")]
    assert legends[:4] == ["Name", "One-sentence summary", "Description", "Run by"]
    for field in ("name", "role", "email", "new-summary", "source-summary", "ended_year", "ended_source"):
        assert soup.select_one(f"label[for='{field}']") is not None, field  # every field has its label
    assert [r["value"] for r in soup.select("input[name=answer]")] == ["all-correct", "changes", "ended"]
    assert client.get("/suggest/confirm?program=nope", headers={"accept": "text/html"}).status_code == 404


def test_a_confirmation_lands_in_the_queue_as_its_own_kind_and_never_in_public(client: Client) -> None:
    response = send(client, {"answer": "changes", "new-cost": "No fee", "source-cost": "https://www.nih.gov/kl2"})
    assert response.status_code == 303 and response.headers["location"].startswith("/suggest/confirm/done?ref=")
    done = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    assert "with the curators" in done.select_one("h1").get_text()
    [saved] = queue(client)
    assert saved.kind == "confirmation" and saved.program_id == "kl2" and saved.email == STAFF["email"]
    details = orjson.loads(saved.details or "")
    assert details["changes"] == {"cost": {"text": "No fee", "source": "https://www.nih.gov/kl2"}}
    assert details["domain_match"] == "nih.gov" and details["role"] == "Program director"
    for url in ("/programs/kl2", "/api/v1/programs/kl2", "/feed.xml", "/api/v1/programs.csv"):
        text = client.get(url).text
        assert STAFF["email"] not in text and STAFF["name"] not in text, url


def test_mistakes_get_clear_errors_beside_their_fields_and_nothing_is_stored(client: Client) -> None:
    response = send(
        client,
        {"name": "", "email": "not-an-address", "answer": "changes", "new-cost": "Free", "source-cost": "ftp://x"},
    )
    assert response.status_code == 422
    said = errors(response)
    assert said["name"] == "Error: Your name is required: curators may need to ask you about it"
    assert "does not look like an email address" in said["email"]
    assert "must be a web address" in said["source-cost"]
    assert "is required: say whether" in errors(send(client, {"answer": None}))["answer"]
    private = {"answer": "changes", "new-url": "https://u:p@www.nih.gov/", "source-url": "http://[::ffff:10.0.0.1]/"}
    sent = send(client, private)
    assert "must not carry a user name or password" in errors(sent)["new-url"]
    assert "points to a private, local or reserved address" in errors(sent)["source-url"]
    kept = BeautifulSoup(sent.text, "html.parser")
    assert kept.select_one("#source-url")["value"] == "http://[::ffff:10.0.0.1]/"  # what was typed is kept
    assert "a page where it says so" in errors(send(client, {"answer": "changes", "new-cost": "Free"}))["source-cost"]
    assert "no field has corrected text" in errors(send(client, {"answer": "changes"}))["answer"]
    for year in ("²", "199", "3000"):  # a digit int() cannot read, too early, too late
        ended = send(client, {"answer": "ended", "ended_year": year, "ended_source": "https://www.nih.gov/"})
        assert ended.status_code == 422 and "must be a year" in errors(ended)["ended_year"], year
    assert (
        "looks like HTML"
        in errors(send(client, {"answer": "changes", "new-cost": "<b>free</b>", "source-cost": "https://a.org/"}))[
            "new-cost"
        ]
    )
    kept = BeautifulSoup(send(client, {"answer": "changes", "new-cost": "Free"}).text, "html.parser")
    assert kept.select_one("#new-cost")["value"] == "Free"  # what was typed is kept
    assert queue(client) == []


def test_the_same_protections_as_suggestions(client: Client) -> None:
    assert send(client, {"answer": "all-correct"}, token=False).status_code == 403  # no CSRF token
    bot = send(client, {"answer": "all-correct", "website": "http://spam"})  # the honeypot: answered as sent
    assert bot.status_code == 303 and bot.headers["location"] == "/suggest/confirm/done?program=kl2"
    big = client.post(
        "/suggest/confirm",
        content=b"a=" + b"x" * 200_000,
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert big.status_code == 413
    assert queue(client) == []
    codes = [send(client, {"answer": "all-correct"}).status_code for _ in range(6)]
    assert codes == [303] * 5 + [429]  # the rate limit the suggestions have, shared with them
    assert len(queue(client)) == 5


def test_apply_confirms_the_entry_shown_on_the_page_and_in_the_api_after_the_reload(client: Client) -> None:
    send(client, {"answer": "changes", "new-cost": "No fee", "source-cost": "https://www.nih.gov/kl2"})
    [saved] = queue(client)
    settings = client.app.state.live.settings
    env = {"MENTORDIR_DATABASE_URL": settings.database_url, "MENTORDIR_CATALOG": str(settings.catalog)}
    shown = runner.invoke(app_cli, ["suggestions", "show", str(saved.id)], env=env)
    assert "Domain:   grants.nih.gov matches the program's or sponsor's link (nih.gov)" in shown.output
    before = settings.catalog.read_text()
    bad = runner.invoke(app_cli, ["suggestions", "apply", str(saved.id), "--accept", "summary"], env=env)
    assert bad.exit_code == 2 and "proposes no change to summary" in bad.output
    assert settings.catalog.read_text() == before
    done = runner.invoke(app_cli, ["suggestions", "apply", str(saved.id), "--accept-all"], env=env)
    assert done.exit_code == 0, done.output
    today = dt.date.today().isoformat()
    after = settings.catalog.read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    cost: No fee", f"    confirmed_with_program: {today}"]  # nothing else in the file moved
    assert client.app.state.live.reload()
    page = BeautifulSoup(client.get("/programs/kl2").text, "html.parser")
    assert " ".join(page.select_one("p.provenance").get_text().split()) == f"Confirmed with the program on {today}."
    record: dict[str, Any] = client.get("/api/v1/programs/kl2").json()
    assert record["provenance"] == {"kind": "confirmed", "checked_on": today, "due": False}
    assert record["confirmed_with_program"] == today and record["cost"] == "No fee"
    assert store.get(client.app.state.live.engine, saved.id).status == "accepted"


def test_every_textarea_takes_line_breaks_as_typed(client: Client) -> None:
    """Eligibility is a textarea like the description: an Enter typed in either is kept, not refused."""
    textareas = {str(t["name"]).removeprefix("new-") for t in form(client).select("textarea[name^='new-']")}
    assert textareas == {"description", "eligibility"}
    typed = {f"new-{f}": f"First line about {f}.\r\nSecond line.\r\n" for f in textareas}
    sources = {f"source-{f}": "https://www.nih.gov/kl2" for f in textareas}
    response = send(client, {"answer": "changes", **typed, **sources})
    assert response.status_code == 303, errors(response)
    [saved] = queue(client)
    changes = orjson.loads(saved.details or "")["changes"]
    assert {f: changes[f]["text"] for f in textareas} == {f: f"First line about {f}.\nSecond line." for f in textareas}


def test_a_form_at_its_limits_in_any_script_is_not_too_large(client: Client) -> None:
    """Every field at its maxlength in a script outside the Basic Multilingual Plane (12 bytes a character once
    percent-encoded) still fits the body limit: the answer is about the fields, never a 413."""
    wide = "\U00020000"  # a CJK ideograph from Extension B: 4 bytes in UTF-8, %F0%A0%80%80 in a form
    typed = {f"new-{f}": wide * limit for f, (_, limit) in CONFIRMABLE.items() if f != "url"}
    sources = {f"source-{f}": "https://www.nih.gov/kl2" for f, _ in CONFIRMABLE.items() if f != "url"}
    response = send(client, {"answer": "changes", **typed, **sources})
    assert len(response.request.content) > 70_000 and response.status_code == 303, errors(response)
