"""Email alerts for a search (issue 25), end to end against a real SMTP server (aiosmtpd) on SQLite and PostgreSQL:
sign up on the follow page, confirm from the mailed link, change the catalog, `mentordir alerts send` delivers one
digest with exactly the change, and its unsubscribe link works with one POST; and the form's guards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from app.curate.cli import cli as app_cli
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running
from tests.support.mailserver import Inbox, mail_server

SECRET = "a-secret-for-tests-only"
EMAIL = "faculty.affairs@example.edu"
SEARCH = "career_stage=early-career&demographic_focus=women"
runner = CliRunner()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    with mail_server() as server:
        yield server


def alerts_cli(*args: str) -> str:
    result = runner.invoke(app_cli, ["alerts", *args])
    assert result.exit_code == 0, result.output
    return str(result.output)


def sign_up(c: Client, email: str = EMAIL, **extra: str) -> tuple[int, BeautifulSoup]:
    form = BeautifulSoup(c.get(f"/follow?{SEARCH}").text, "html.parser").select_one("form.alerts")
    assert form is not None
    data = {"csrf": str(form.select_one("input[name=csrf]")["value"]), "email": email, "frequency": "weekly"}
    data |= {"website": ""} | extra
    response = c.post(str(form["action"]), data=data)
    return response.status_code, BeautifulSoup(response.text, "html.parser")


def link_in(body: str, path: str) -> str:
    found = re.search(rf"http://\S+{path}\?token=\S+", body)
    assert found, body
    return found.group().removeprefix("http://testserver")


def test_sign_up_confirm_change_digest_unsubscribe(
    tmp_path: Path, database_url: str, smtp: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, smtp_url = smtp
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    env = {"catalog": catalog, "database_url": database_url, "secret_key": SECRET, "smtp_url": smtp_url}
    env |= {"base_url": "http://testserver", "index_dir": tmp_path / "index"}
    for name, value in env.items():
        monkeypatch.setenv(f"MENTORDIR_{name.upper()}", str(value))
    with running(create_app(make_settings(tmp_path, **env))) as c:
        status, _ = sign_up(c)
        assert status == 303
        assert c.get("/alerts/sent").text.count("We emailed you a link") == 1
        assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == EMAIL
        confirm = link_in(inbox.messages[0].get_payload(decode=True).decode(), "/alerts/confirm")  # type: ignore[union-attr]
        assert "waiting for confirmation" in alerts_cli("count") and alerts_cli("count").startswith("0 alert(s) on, 1")
        assert "0 digest(s)" in alerts_cli("send")  # not confirmed: nothing is sent

        button = BeautifulSoup(c.get(confirm).text, "html.parser").select_one("main form")
        assert button is not None and button.get_text(strip=True) == "Start the emails"
        done = BeautifulSoup(c.post(str(button["action"])).text, "html.parser")
        assert done.select_one("h1").get_text() == "Your email alert is on"
        assert alerts_cli("count").startswith("1 alert(s) on, 0")
        assert "1 due alert(s) had nothing new" in alerts_cli("send")  # nothing changed yet: no email
        assert len(inbox.messages) == 1

        # One program of the search changes, one outside it too: the digest lists exactly the first.
        text = FIXTURE_CATALOG.read_text()
        text = text.replace("group of women researchers who meet", "group of women scientists who meet")
        text = text.replace("training for women faculty aiming at senior roles", "training for women aiming higher")
        catalog.write_text(text)
        assert c.app.state.live.reload()
        assert alerts_cli("send").startswith("1 digest(s) sent")
        assert len(inbox.messages) == 2
        digest = inbox.messages[1]
        body = digest.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert digest["To"] == EMAIL
        assert re.findall(r"http://testserver/programs/(\S+)", body) == ["swims"]
        assert "- Supporting Women In the Medical Sciences (changed)" in body
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        stop = digest["List-Unsubscribe"].strip("<>")
        assert link_in(body, "/alerts/unsubscribe") == stop.removeprefix("http://testserver")
        assert alerts_cli("send").startswith("0 digest(s)")  # weekly: not due again today

        # The address is never shown: not on the pages, not by the CLI.
        assert EMAIL not in c.get(f"/follow?{SEARCH}").text and EMAIL not in alerts_cli("count")

        # One POST, as a mail program sends it for List-Unsubscribe-Post, ends it.
        gone = c.post(stop.removeprefix("http://testserver"), content=b"List-Unsubscribe=One-Click")
        assert gone.status_code == 200 and "no more of these emails" in gone.text
        assert alerts_cli("count").startswith("0 alert(s) on, 0")


def test_the_form_refuses_bots_bad_addresses_and_floods(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path, secret_key=SECRET))) as c:
        status, soup = sign_up(c, website="http://spam.example")  # the honeypot: answered as sent (303), nothing kept
        assert status == 303 and soup.select_one(".error-summary") is None
        status, soup = sign_up(c, email="not an address")
        assert status == 422 and soup.select_one("#email")["aria-invalid"] == "true"
        assert soup.select_one("#email")["value"] == "not an address"  # what was typed is kept
        forged = c.post(f"/alerts?{SEARCH}", data={"csrf": "x" * 40, "email": EMAIL, "frequency": "weekly"})
        assert forged.status_code == 403
        statuses = [sign_up(c, email=f"a{i}@example.edu")[0] for i in range(6)]
        assert statuses == [303] * 5 + [429]  # the forms' shared limit: 5 in 10 minutes from one address


def test_without_a_signing_key_alerts_say_they_are_off(client: Client) -> None:
    soup = BeautifulSoup(client.get(f"/follow?{SEARCH}").text, "html.parser")
    assert soup.select_one("form.alerts") is None
    assert "not switched on" in soup.get_text()
    assert client.get("/alerts/confirm?token=abc").status_code == 400
    assert client.post("/alerts/unsubscribe?token=abc").status_code == 400
