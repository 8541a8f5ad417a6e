"""`mentordir suggestions`: the curators' queue, and applying an accepted link to the catalog file."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from typer.testing import CliRunner

from app.config import BUNDLED_CATALOG
from app.curate.cli import cli as app_cli
from app.main import create_app
from app.store import suggestions as store
from app.store.db import init_db, make_engine
from app.store.suggestions import NewSuggestion
from tests.support.app import FIXTURE_CATALOG, make_settings, running

runner = CliRunner()
TOKEN = "curator-token-for-tests"
LINK = "https://example.org/programs/elam?from=faculty#apply"


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app_cli, ["suggestions", *args])
    return result.exit_code, result.output


def add(url: str, new: NewSuggestion, *, now: dt.datetime | None = None, client: str = "c") -> store.Suggestion:
    engine = make_engine(url)
    init_db(engine)
    try:
        saved = store.add(engine, new, catalog_version="v1", channel="web", client=client, now=now)
    finally:
        engine.dispose()
    assert not isinstance(saved, store.RateLimited)
    return saved[0]


def test_list_show_close_and_purge(database_url: str) -> None:
    db = ["--database-url", database_url]
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
    add(database_url, NewSuggestion("new-program", "Add the [bold]XYZ[/bold] network"), now=old, client="a")
    hostile = "Moved\x1b[2J\x1b[31m to a new page\nsecond line"  # stored by hand: the API would refuse it
    add(database_url, NewSuggestion("correction", hostile, "elam", "ELAM", LINK, "Ada", "ada@example.edu"))
    code, out = cli("list", *db)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("#2") and "correction" in lines[0] and "elam" in lines[0] and "[link]" in lines[0]
    assert lines[1].startswith("#1") and "(new program)" in lines[1] and "[bold]XYZ[/bold]" in lines[1]
    assert "2 of 2 shown; in all: 2 new" in out and "ada@example.edu" not in out
    assert "\x1b" not in out and "\\x1b[2J" in out

    code, out = cli("show", "2", *db)
    assert code == 0 and "Email:    ada@example.edu" in out and "Name:     Ada" in out
    assert "\x1b" not in out and "Moved\\x1b[2J\\x1b[31m to a new page\n  second line" in out
    assert "mentordir suggestions apply 2" in out
    assert cli("show", "9", *db)[0] == 1

    code, out = cli("close", "1", "--status", "duplicate", "--note", "same as #0", *db)
    assert code == 0 and "#1 is now duplicate" in out
    assert cli("close", "1", "--status", "maybe", *db)[0] == 2
    code, out = cli("list", "--status", "duplicate", *db)
    assert out.splitlines()[0].startswith("#1") and "1 of 1 shown; in all: 1 new, 1 duplicate" in out

    assert "would delete 0 suggestion(s)" in cli("purge", "--older-than", "180d", "--dry-run", *db)[1]
    assert cli("purge", "--older-than", "half-a-year", *db)[0] == 2
    engine = make_engine(database_url)
    try:  # closing #1 just now made it recent again: kept 180 days from its closing
        assert "deleted 0 suggestion(s)" in cli("purge", "--older-than", "180d", *db)[1]
        assert "deleted 2 suggestion(s)" in cli("purge", "--older-than", "0h", *db)[1]
        assert store.counts(engine) == dict.fromkeys(store.STATUSES, 0)
    finally:
        engine.dispose()


def _changed_lines(before: str, after: str) -> list[str]:
    return [d for d in difflib.ndiff(before.splitlines(), after.splitlines()) if d[:2] in ("+ ", "- ")]


def _entry_lines(text: str, program_id: str) -> range:
    lines = text.splitlines()
    start = lines.index(f"  - id: {program_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id: ")), len(lines))
    return range(start, end)


def test_applying_a_link_changes_only_that_entry_and_the_running_service_serves_it(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    shutil.copy(FIXTURE_CATALOG, catalog)
    before = catalog.read_text()
    settings = make_settings(tmp_path, catalog=catalog, admin_token=TOKEN)
    with running(create_app(settings)) as c:
        body = {"kind": "correction", "program_id": "elam", "message": "Their own page", "url": LINK}
        assert c.post("/api/v1/suggestions", json=body).status_code == 201
        assert c.post("/api/v1/suggestions", json={"kind": "new-program", "message": "Add XYZ"}).status_code == 201
        assert not BeautifulSoup(c.get("/programs/elam").text, "html.parser").select("a[rel~=external].button")

        db = ["--catalog", str(catalog), "--database-url", settings.database_url]
        code, out = cli("apply", "2", *db)
        assert code == 1 and "not a correction with a link" in out and catalog.read_text() == before
        code, out = cli("apply", "1", *db)
        assert code == 0, out
        assert "set the url of 'elam'" in out and "#1 is accepted" in out
        after = catalog.read_text()
        [added] = _changed_lines(before, after)
        assert added == f"+     url: {LINK}"
        line = after.splitlines().index(f"    url: {LINK}")
        assert line in _entry_lines(after, "elam")
        engine = c.app.state.live.engine
        applied = store.get(engine, 1)
        assert applied is not None and applied.status == "accepted" and applied.note == f"applied: url set to {LINK}"
        assert store.get(engine, 2).status == "new"  # type: ignore[union-attr]

        reload = c.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert reload.status_code == 200 and reload.json()["changed"] is True
        button = BeautifulSoup(c.get("/programs/elam").text, "html.parser").select_one("a[rel~=external].button")
        assert button is not None and button["href"] == LINK
        assert c.get("/api/v1/programs/elam").json()["url"] == LINK
        assert c.get("/api/v1/programs/pmg").json()["updated_at"] == c.get("/api/v1/programs/pmg").json()["created_at"]

        code, out = cli("apply", "1", *db)  # again: nothing to change, still accepted
        assert code == 0 and "already had this url" in out and catalog.read_text() == after


def test_applying_replaces_an_existing_link_in_the_bundled_catalog(tmp_path: Path, database_url: str) -> None:
    catalog = tmp_path / "programs.yaml"
    shutil.copy(BUNDLED_CATALOG, catalog)
    before = catalog.read_text()
    link = "https://www.kevinmd.com/about"
    add(database_url, NewSuggestion("correction", "They have an about page", "kevinmd", "KevinMD", link))
    code, out = cli("apply", "1", "--catalog", str(catalog), "--database-url", database_url)
    assert code == 0, out
    after = catalog.read_text()
    assert _changed_lines(before, after) == ["-     url: https://www.kevinmd.com", f"+     url: {link}"]
    assert after.splitlines().index(f"    url: {link}") in _entry_lines(after, "kevinmd")


def test_apply_refuses_closed_suggestions_and_leaves_the_file_when_the_program_is_gone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    catalog = tmp_path / "programs.yaml"
    shutil.copy(FIXTURE_CATALOG, catalog)
    before = catalog.read_text()
    db = ["--catalog", str(catalog), "--database-url", url]
    add(url, NewSuggestion("correction", "New page", "elam", "ELAM", LINK))
    add(url, NewSuggestion("correction", "New page", "gone-program", "Gone", LINK))
    assert cli("close", "1", "--status", "rejected", "--database-url", url)[0] == 0
    code, out = cli("apply", "1", *db)
    assert code == 1 and "was closed as rejected" in out
    code, out = cli("apply", "2", *db)
    assert code == 1 and "there is no program with id 'gone-program'" in out
    assert catalog.read_text() == before
    engine = make_engine(url)
    try:
        assert store.get(engine, 2).status == "new"  # type: ignore[union-attr]
    finally:
        engine.dispose()
