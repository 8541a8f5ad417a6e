"""`mentordir recheck`: the due entries as a table or CSV; `--send` through a real SMTP server (aiosmtpd on a local
port) or into the outbox; the mailed link works once, and is refused after expiry or tampering with a clear page."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from typer.testing import CliRunner

from app.api.confirm import SALT
from app.curate.cli import cli as app_cli
from app.main import create_app
from app.store import suggestions as store
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running
from tests.support.mailserver import Inbox, mail_server

runner = CliRunner()
SECRET = "a-secret-for-tests-only"
CONTACTS = {"elam": "info@elam.example.edu", "kl2": "kl2-office@nih.gov"}


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    with mail_server() as server:
        yield server


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The fixture catalog (every entry due: it cites only the review), two programs publishing a contact."""
    text = FIXTURE_CATALOG.read_text()
    for pid, address in CONTACTS.items():
        text = text.replace(f"  - id: {pid}\n", f"  - id: {pid}\n    contact: {address}\n", 1)
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


def env(tmp_path: Path, catalog: Path, **more: str) -> dict[str, str]:
    settings = make_settings(tmp_path, catalog=catalog)
    return {
        "MENTORDIR_DATABASE_URL": settings.database_url,
        "MENTORDIR_CATALOG": str(catalog),
        "MENTORDIR_SECRET_KEY": SECRET,
        "MENTORDIR_BASE_URL": "http://testserver",
        **more,
    }


def links_in(messages: list[Message]) -> dict[str, str]:
    found = {}
    for m in messages:
        body = m.get_content() if hasattr(m, "get_content") else str(m.get_payload(decode=True), "utf-8")
        found[str(m["To"])] = re.search(r"http://testserver(/suggest/confirm\?token=\S+)", body)[1]  # type: ignore[index]
    return found


def form_of(c: Client, path: str) -> dict[str, str]:
    """The hidden fields and the filled-in email of the form a link opens."""
    soup = BeautifulSoup(c.get(path).text, "html.parser")
    fields = soup.select("form.confirm input[type=hidden], form.confirm #email")
    return {str(i["name"]): str(i.get("value", "")) for i in fields} | {"website": ""}


def answer(c: Client, path: str, **fields: str) -> Any:
    data = form_of(c, path) | {"name": "Lee Park", "role": "Coordinator"}
    return c.post("/suggest/confirm", data=data | fields)


def test_recheck_lists_the_due_entries_as_a_table_or_csv(tmp_path: Path, catalog: Path) -> None:
    result = runner.invoke(app_cli, ["recheck", "--csv"], env=env(tmp_path, catalog))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 8 and {r["provenance"] for r in rows} == {"review"}  # none was ever checked: all due
    kl2 = next(r for r in rows if r["id"] == "kl2")
    assert kl2["contact"] == "kl2-office@nih.gov" and kl2["sponsor_url"] == "https://www.nih.gov"
    assert kl2["checked_on"] == "never" and "url" in kl2["missing"]
    table = runner.invoke(app_cli, ["recheck"], env=env(tmp_path, catalog)).output
    assert "8 of 8 programs due (checked over 12 months ago, or never)" in table


def test_send_mails_one_link_per_due_program_with_a_contact_which_works_once(
    tmp_path: Path, catalog: Path, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    result = runner.invoke(app_cli, ["recheck", "--send"], env=env(tmp_path, catalog, MENTORDIR_SMTP_URL=url))
    assert result.exit_code == 0, result.output
    assert "2 message(s) sent by SMTP; 6 due program(s) publish no contact" in result.output
    assert sorted(str(m["To"]) for m in inbox.messages) == sorted(CONTACTS.values())
    links = links_in(inbox.messages)
    settings = make_settings(tmp_path, catalog=catalog, secret_key=SECRET, base_url="http://testserver")
    with running(create_app(settings)) as c:
        page = BeautifulSoup(c.get(links[CONTACTS["kl2"]]).text, "html.parser")
        assert "Do you run" in page.select_one("h1").get_text()
        assert page.select_one("#email")["value"] == CONTACTS["kl2"]
        sent = answer(c, links[CONTACTS["kl2"]], answer="all-correct")
        assert sent.status_code == 303, sent.text
        [saved] = store.listing(c.app.state.live.engine)[1]
        assert (saved.kind, saved.program_id, saved.channel) == ("confirmation", "kl2", "mail")
        again = c.get(links[CONTACTS["kl2"]], headers={"accept": "text/html"})
        assert again.status_code == 410 and "This link was already used" in again.text
        form = form_of(c, links[CONTACTS["elam"]]) | {"name": "Lee Park", "role": "Coordinator", "answer": "changes"}
        form |= {"new-cost": "Free", "source-cost": "https://elam.example.edu/cost"}
        assert c.post("/suggest/confirm", data=form).status_code == 303
        resent = c.post("/suggest/confirm", data=form, headers={"accept": "text/html"})  # the same form, sent again
        assert resent.status_code == 410 and "This link was already used" in resent.text
        assert len(store.listing(c.app.state.live.engine)[1]) == 2


def test_expired_and_tampered_links_are_refused_with_a_clear_page(tmp_path: Path, catalog: Path) -> None:
    class Old(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 40 * 86400

    old = URLSafeTimedSerializer(SECRET, salt=SALT, signer=Old).dumps({"p": "kl2", "e": "a@nih.gov", "n": "1" * 24})
    good = URLSafeTimedSerializer(SECRET, salt=SALT).dumps({"p": "kl2", "e": "a@nih.gov", "n": "2" * 24})
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    other = URLSafeTimedSerializer("another-secret", salt=SALT).dumps({"p": "kl2", "e": "a@nih.gov", "n": "3" * 24})
    settings = make_settings(tmp_path, catalog=catalog, secret_key=SECRET, base_url="http://testserver")
    html = {"accept": "text/html"}
    with running(create_app(settings)) as c:
        expired = c.get(f"/suggest/confirm?token={old}", headers=html)
        assert expired.status_code == 410
        soup = BeautifulSoup(expired.text, "html.parser")
        assert soup.select_one("h1").get_text() == "That link no longer works"
        assert "This link has expired. Links we send to programs work for 30 days" in soup.select_one(".lede").text
        for bad in (tampered, other, "not-a-token"):
            refused = c.get(f"/suggest/confirm?token={bad}", headers=html)
            assert refused.status_code == 400 and "This link is not valid" in refused.text, bad
        assert c.get(f"/suggest/confirm?token={good}").status_code == 200
        assert store.listing(c.app.state.live.engine)[1] == []


def test_without_an_smtp_server_the_mail_waits_in_the_outbox(tmp_path: Path, catalog: Path) -> None:
    result = runner.invoke(app_cli, ["recheck", "--send"], env=env(tmp_path, catalog))
    assert result.exit_code == 0 and "kept in the outbox" in result.output
    listed = runner.invoke(app_cli, ["outbox", "--full"], env=env(tmp_path, catalog))
    assert listed.exit_code == 0 and "2 message(s) in the outbox" in listed.output
    assert "kl2-office@nih.gov" in listed.output and "/suggest/confirm?token=" in listed.output
    unsigned = runner.invoke(app_cli, ["recheck", "--send"], env={**env(tmp_path, catalog), "MENTORDIR_SECRET_KEY": ""})
    assert unsigned.exit_code == 2 and "needs MENTORDIR_SECRET_KEY" in unsigned.output
