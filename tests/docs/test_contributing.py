"""CONTRIBUTING.md: its vocabulary section is generated from app.catalog.vocab, and its example command works."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from app.catalog.scaffold import CONTRIBUTING_PATH, VOCAB_END, VOCAB_START, with_vocabulary
from app.catalog.vocab import FACETS
from app.curate.cli import cli
from tests.support.app import FIXTURE_CATALOG

runner = CliRunner()
TEXT = CONTRIBUTING_PATH.read_text(encoding="utf-8")


def test_the_vocabulary_section_is_in_sync_with_app_vocab() -> None:
    assert with_vocabulary(TEXT) == TEXT, "run `mentordir vocabulary --write` and commit CONTRIBUTING.md"
    assert runner.invoke(cli, ["vocabulary", "--check"]).exit_code == 0


def test_every_term_is_listed_with_its_definition() -> None:
    section = TEXT[TEXT.index(VOCAB_START) : TEXT.index(VOCAB_END)]
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \| (.+?) \|$", section, re.MULTILINE)
    headings = re.findall(r"^### .+ \(`(\w+)`\)$", section, re.MULTILINE)
    assert headings == [v.field for v in FACETS.values()]
    assert rows == [(t.value, t.label, t.definition) for v in FACETS.values() for t in v.terms]


def test_a_stale_section_is_caught(tmp_path: Path) -> None:
    stale = tmp_path / "CONTRIBUTING.md"
    stale.write_text(TEXT.replace("| `mid-career` |", "| `midcareer` |"))
    result = runner.invoke(cli, ["vocabulary", "--check", "--file", str(stale)])
    assert result.exit_code == 1 and "out of date" in result.output
    assert runner.invoke(cli, ["vocabulary", "--write", "--file", str(stale)]).exit_code == 0
    assert stale.read_text() == TEXT


def test_the_guide_covers_what_curators_do() -> None:
    headings = re.findall(r"^## (.+)$", TEXT, re.MULTILINE)
    for needed in ("Add a program", "Update a program", "Cite a source", "Check your change", "The vocabularies"):
        assert needed in headings
    for command in ("mentordir validate", "mentordir report", "mentordir check-links"):
        assert command in TEXT


def test_the_documented_add_example_runs(tmp_path: Path) -> None:
    block = re.search(r"```sh\n(\.venv/bin/mentordir add .+?)```", TEXT, re.DOTALL)
    assert block is not None
    command = block.group(1).replace("\\\n", " ").split("#")[0]
    args = shlex.split(command)[1:]
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    result = runner.invoke(cli, [*args, "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    assert "valid;" in result.output and catalog.read_text() == FIXTURE_CATALOG.read_text()
