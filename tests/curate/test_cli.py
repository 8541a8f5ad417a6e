"""The `mentordir` command as a curator runs it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from app.curate.cli import cli
from tests.support.app import FIXTURE_CATALOG

runner = CliRunner()


def test_validate_exits_0_on_a_valid_file() -> None:
    result = runner.invoke(cli, ["validate", str(FIXTURE_CATALOG)])
    assert result.exit_code == 0
    assert "8 programs, valid" in result.output


def test_validate_exits_1_and_prints_every_error_with_its_line(tmp_path: Path) -> None:
    text = FIXTURE_CATALOG.read_text()
    text = text.replace("career_stages: [mid-career, senior]", "career_stages: [midcareer, senior]", 1)
    text = text.replace("id: uab", "id: elam", 1)
    text = text.replace("    scope: regional\n", "    scope: regional\n    carrer_stages: [senior]\n", 1)
    text = text.replace("    name: KL2 Scholars Program\n", "    name: KL2 Scholars Program\n      summary: oops\n", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    result = runner.invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith(str(bad))]
    assert len(lines) == 4
    assert any(":12:" in ln and "did you mean 'mid-career'?" in ln for ln in lines)
    assert any("duplicate id 'elam'" in ln for ln in lines)
    assert any("unknown field 'carrer_stages'" in ln for ln in lines)
    assert any("YAML syntax error" in ln for ln in lines)
    assert "4 error(s)" in result.output


def test_load_prints_counts_and_is_idempotent(tmp_path: Path) -> None:
    args = [
        "load",
        "--catalog",
        str(FIXTURE_CATALOG),
        "--database-url",
        f"sqlite:///{tmp_path}/db.sqlite",
        "--index-dir",
        str(tmp_path / "index"),
    ]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "8 programs (8 added, 0 changed, 0 removed, 0 unchanged)" in first.output
    second = runner.invoke(cli, args)
    assert "8 programs (0 added, 0 changed, 0 removed, 8 unchanged)" in second.output


def test_export_json_and_csv() -> None:
    as_json = json.loads(runner.invoke(cli, ["export", "--catalog", str(FIXTURE_CATALOG)]).output)
    assert [p["id"] for p in as_json][:2] == ["elam", "pmg"]
    out = runner.invoke(cli, ["export", "-f", "csv", "--catalog", str(FIXTURE_CATALOG)]).output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    assert rows[1]["career_stages"] == "trainee;early-career;mid-career;senior"
    assert json.loads(rows[0]["sources"])[0]["doi"] == "10.1136/jim-2020-001391"
    bad = runner.invoke(cli, ["export", "-f", "xml"])
    assert bad.exit_code == 2
