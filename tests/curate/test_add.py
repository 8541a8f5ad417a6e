"""`mentordir add`: a validated entry appended with every other byte of the file unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app.catalog.problems import CatalogError
from app.catalog.scaffold import append_entry, new_entry, slugify
from app.catalog.validate import load_catalog
from app.config import BUNDLED_CATALOG
from app.curate.cli import cli
from tests.support.app import FIXTURE_CATALOG

runner = CliRunner()

# A catalog the way curators write one: comments everywhere, odd spacing, quoting, a folded block, a trailing comment.
COMMENTED = """\
# yaml-language-server: $schema=programs.schema.json
#   The test catalog, with the comments and blank lines a curator leaves.

title: "Commented catalog"   # quoted on purpose
programs:

  # --- leadership ---

  - id: elam   # the flagship
    name: Executive Leadership in Academic Medicine
    aliases: [ ELAM ]
    summary: 'A year of leadership training.'
    description: >-
      Intensive leadership development with coaching,
      networking and peer learning.


    sponsor: Test University
    sponsor_type: academic-institution
    type: leadership-program
    career_stages:
      - mid-career   # mostly
      - senior
    demographic_focus: [women]
    formats: [in-person]
    scope: national
    specialties: [any]
    status: unverified
    access: anyone
    sources:
      - title: The article
        doi: 10.1136/jim-2020-001391
    date_added: 2026-01-01
    last_verified: 2026-01-15

# end of the list: add new entries above this line
"""

FLAGS = [
    "--name",
    "Women in Nephrology (WIN)",
    "--summary",
    "A society for women nephrologists: networking, mentoring and awards.",
    "--description",
    "Women in Nephrology connects women nephrologists through mentoring, a yearly meeting and awards. " * 3,
    "--sponsor",
    "Women in Nephrology",
    "--sponsor-type",
    "independent",
    "--type",
    "professional-society",
    "--career-stage",
    "early-career",
    "--career-stage",
    "mid-career",
    "--demographic-focus",
    "women",
    "--format",
    "in-person",
    "--format",
    "virtual",
    "--scope",
    "national",
    "--specialty",
    "nephrology",
    "--status",
    "active",
    "--access",
    "members",
    "--url",
    "https://www.womeninnephrology.org/",
    "--sponsor-url",
    "https://www.womeninnephrology.org",
    "--alias",
    "WIN",
    "--source-title",
    "Women in Nephrology: about us",
    "--source-url",
    "https://www.womeninnephrology.org/about",
    "--source-publisher",
    "Women in Nephrology",
    "--source-accessed",
    "2026-11-01",
    "--source-quote",
    "Women in Nephrology supports women nephrologists.",
    "--last-verified",
    "2026-11-01",
]


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_add_keeps_every_existing_byte_and_appends_a_valid_entry(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(COMMENTED)
    result = runner.invoke(cli, ["add", "--catalog", str(path), *FLAGS])
    assert result.exit_code == 0, result.output
    new = path.read_text()
    # Everything before the insertion point and everything after it is the original, byte for byte.
    cut = COMMENTED.index("    last_verified: 2026-01-15\n") + len("    last_verified: 2026-01-15\n")
    assert new.startswith(COMMENTED[:cut]) and new.endswith(COMMENTED[cut:])
    added = new[cut : len(new) - len(COMMENTED[cut:])]
    assert added.startswith("\n  - id: women-in-nephrology-win\n")  # blank line and indentation as the file has them
    assert "    career_stages: [early-career, mid-career]\n" in added and "    description: >-\n" in added
    catalog = load_catalog(path)
    assert [p.id for p in catalog.programs] == ["elam", "women-in-nephrology-win"]
    win = catalog.programs[1]
    assert win.aliases == ["WIN"] and win.last_verified == dt.date(2026, 11, 1) and win.specialties == ["nephrology"]
    assert win.description == FLAGS[FLAGS.index("--description") + 1].strip()
    assert win.sources[0].url == "https://www.womeninnephrology.org/about"
    assert win.sponsor_url == "https://www.womeninnephrology.org" and win.date_added == dt.date.today()
    assert win.confirmed_with_program is None
    line = COMMENTED[:cut].count("\n") + 2
    assert f"added 'women-in-nephrology-win' at line {line} of {path} (2 programs)" in result.output
    assert files(tmp_path) == {"programs.yaml"}  # the temporary file was renamed into place


def test_add_to_the_real_catalog_changes_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    original = BUNDLED_CATALOG.read_bytes()
    path.write_bytes(original)
    refused = runner.invoke(cli, ["add", "--catalog", str(path), *FLAGS])  # WIN is in the real catalog already
    assert refused.exit_code == 1 and "names and aliases must be unique" in refused.output
    assert path.read_bytes() == original
    flags = list(FLAGS)
    flags[flags.index("--name") + 1] = "Nephrology Peer Circle (test entry)"
    flags[flags.index("--alias") + 1] = "NPC test entry"
    result = runner.invoke(cli, ["add", "--catalog", str(path), *flags])
    assert result.exit_code == 0, result.output
    new = path.read_bytes()
    assert new.startswith(original) and len(new) > len(original)
    assert len(load_catalog(path).programs) == len(load_catalog(BUNDLED_CATALOG).programs) + 1


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--scope", "nationwide", "'nationwide' is not a scope; did you mean 'national'?"),
        ("--name", "Executive Leadership in Academic Medicine", "names and aliases must be unique"),
        ("--url", "www.example.org", "not a URL"),
        ("--sponsor-url", "http://www.example.org", "not an https URL"),
    ],
)
def test_an_invalid_entry_is_refused_and_the_file_untouched(
    tmp_path: Path, flag: str, value: str, message: str
) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(COMMENTED)
    flags = list(FLAGS)
    flags[flags.index(flag) + 1] = value
    result = runner.invoke(cli, ["add", "--catalog", str(path), *flags])
    assert result.exit_code == 1
    assert message in result.output and f"{path}:" in result.output
    assert path.read_text() == COMMENTED and files(tmp_path) == {"programs.yaml"}


def test_add_refuses_to_touch_an_already_invalid_catalog(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    broken = COMMENTED.replace("scope: national", "scope: natonal")
    path.write_text(broken)
    result = runner.invoke(cli, ["add", "--catalog", str(path), *FLAGS])
    assert result.exit_code == 1 and "'natonal' is not a scope" in result.output
    assert path.read_text() == broken


def test_add_prompts_for_missing_required_fields(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(FIXTURE_CATALOG.read_text())
    answers = [
        "Night Owls Peer Group",  # name
        "A small peer group.",  # summary
        "Meets monthly in the evening.",  # description
        "The members",  # sponsor
        "independent",  # sponsor type
        "small-group",  # type
        "early-career, mid-career",  # career stages
        "open",  # demographic focus
        "virtual",  # formats
        "institutional",  # scope
        "any",  # specialties
        "unverified",  # status
        "anyone",  # who can join
        "Peer mentoring for professional and personal growth in academic medicine",  # source title
    ]
    result = runner.invoke(cli, ["add", "--catalog", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Career stages (student, trainee, early-career, mid-career, senior)" in result.output
    added = load_catalog(path).programs[-1]
    assert (added.id, added.career_stages, added.last_verified) == (
        "night-owls-peer-group",
        ["early-career", "mid-career"],
        dt.date.today(),
    )
    assert path.read_text().startswith(FIXTURE_CATALOG.read_text())


def test_dry_run_prints_the_entry_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(COMMENTED)
    result = runner.invoke(cli, ["add", "--catalog", str(path), "--dry-run", *FLAGS])
    assert result.exit_code == 0
    printed = result.stdout.split("valid;")[0]
    assert yaml.safe_load(printed)[0]["id"] == "women-in-nephrology-win"
    assert path.read_text() == COMMENTED


def test_add_keeps_to_the_program_limit_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(COMMENTED)
    count = len(load_catalog(path).programs)
    monkeypatch.setenv("MENTORDIR_MAX_PROGRAMS", str(count))  # one more would be too many
    refused = runner.invoke(cli, ["add", "--catalog", str(path), "--dry-run", *FLAGS])
    assert refused.exit_code != 0 and f"more than {count} programs" in refused.output
    monkeypatch.setenv("MENTORDIR_MAX_PROGRAMS", str(count + 1))
    assert runner.invoke(cli, ["add", "--catalog", str(path), "--dry-run", *FLAGS]).exit_code == 0


def test_windows_line_endings_are_kept() -> None:
    text = COMMENTED.replace("\n", "\r\n")
    entry = new_entry(**_entry_fields())
    new, _ = append_entry(text, entry, display="x.yaml")
    assert new.count("\n") == new.count("\r\n") and new.startswith(text[: text.index("# end of the list")])


def test_a_flow_style_list_cannot_be_appended_to() -> None:
    entries = yaml.safe_load(FIXTURE_CATALOG.read_text())["programs"][:1]
    text = "programs: " + yaml.safe_dump(entries, default_flow_style=True, width=10_000)
    with pytest.raises(CatalogError, match="expected a block list of entries"):
        append_entry(text, new_entry(**_entry_fields()), display="x.yaml")


def test_slugify() -> None:
    assert slugify("Women in Nephrology (WIN)") == "women-in-nephrology-win"
    assert slugify("  Doris Duke's CSDA — 2020 ") == "doris-duke-s-csda-2020"


def _entry_fields() -> dict[str, object]:
    return {
        "name": "Night Owls",
        "summary": "A small peer group.",
        "description": "Meets monthly.",
        "sponsor": "The members",
        "sponsor_type": "independent",
        "type": "small-group",
        "career_stages": ["senior"],
        "demographic_focus": ["open"],
        "formats": ["virtual"],
        "scope": "institutional",
        "specialties": ["any"],
        "status": "unverified",
        "access": "anyone",
        "sources": [{"title": "The article"}],
    }
