"""The editor schema: committed, in step with the models, and it catches what the validator catches."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from typer.testing import CliRunner

from app.catalog.scaffold import SCHEMA_PATH, schema_text
from app.catalog.vocab import FACETS
from app.config import BUNDLED_CATALOG
from app.curate.cli import cli

runner = CliRunner()


def as_json(value: Any) -> Any:
    """YAML data as an editor's language server sees it (dates are strings in YAML 1.2)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_the_committed_schema_matches_the_models() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "run `mentordir schema` and commit the result"
    assert runner.invoke(cli, ["schema", "--check"]).exit_code == 0


def test_schema_check_fails_on_drift(tmp_path: Path) -> None:
    stale = tmp_path / "schema.json"
    stale.write_text(schema_text().replace('"mid-career",', "", 1))
    result = runner.invoke(cli, ["schema", "--check", "--output", str(stale)])
    assert result.exit_code == 1 and "out of date" in result.output
    assert runner.invoke(cli, ["schema", "--output", str(stale)]).exit_code == 0
    assert stale.read_text() == schema_text()


def test_the_catalog_points_editors_at_the_schema() -> None:
    first = BUNDLED_CATALOG.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=programs.schema.json"
    assert (BUNDLED_CATALOG.parent / "programs.schema.json").resolve() == SCHEMA_PATH


def test_vocabularies_are_enums_with_their_definitions() -> None:
    program = json.loads(SCHEMA_PATH.read_text())["$defs"]["Program"]["properties"]
    for vocab in FACETS.values():
        prop = program[vocab.field]
        node = prop["items"] if vocab.multi else prop
        assert node["enum"] == list(vocab.values), vocab.name
        assert node["description"] == vocab.definition
        assert node["enumDescriptions"] == [f"{t.label}: {t.definition}" for t in vocab.terms]


def test_the_schema_accepts_the_real_catalog_and_underlines_mistakes() -> None:
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text()))
    data = as_json(yaml.safe_load(BUNDLED_CATALOG.read_text()))
    assert list(validator.iter_errors(data)) == []
    data["programs"][0]["scope"] = "nationwide"
    data["programs"][1]["carrer_stages"] = ["senior"]
    del data["programs"][2]["sources"]
    paths = {tuple(e.instance_path) for e in validator.iter_errors(data)}
    assert paths == {("programs", 0, "scope"), ("programs", 1), ("programs", 2)}
