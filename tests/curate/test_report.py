"""`mentordir report`: the curators' health report, as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from app.catalog.vocab import FACETS
from app.curate.cli import cli
from tests.support.app import FIXTURE_CATALOG

runner = CliRunner()


def report_json(catalog: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(cli, ["report", "--catalog", str(catalog), "--today", "2026-11-26", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_report_on_the_fixture_catalog() -> None:
    report = report_json(FIXTURE_CATALOG)
    assert report["programs"] == 8 and report["today"] == "2026-11-26" and report["stale_days"] == 365
    # pmg was last verified 2025-06-01: 543 days before 2026-11-26; every other entry within the year.
    assert [(s["id"], s["days"], s["line"]) for s in report["stale"]] == [("pmg", 543, 28)]
    # No fixture entry has a url, eligibility or cost; only elam states a duration.
    assert {name: len(entries) for name, entries in report["missing"].items()} == {
        "url": 8,
        "eligibility": 8,
        "cost": 8,
        "duration": 7,
    }
    assert "elam" not in [e["id"] for e in report["missing"]["duration"]]
    # Unused terms, computed from the file itself rather than trusted.
    programs = yaml.safe_load(FIXTURE_CATALOG.read_text())["programs"]
    expected = set()
    for name, vocab in FACETS.items():
        used = {v for p in programs for v in (p[vocab.field] if vocab.multi else [p[vocab.field]])}
        expected |= {(name, t.value) for t in vocab.terms if t.value not in used}
    assert {(t["facet"], t["value"]) for t in report["unused_terms"]} == expected
    assert ("career_stage", "student") in expected and ("sponsor_type", "foundation") in expected
    assert report["near_duplicates"] == []


def test_stale_days_option() -> None:
    report = report_json(FIXTURE_CATALOG, "--days", "200")
    # 2026-11-26 minus 200 days is 2026-05-10: pmg, and the entries verified in January to May.
    assert [s["id"] for s in report["stale"]] == ["pmg", "elam", "minority-seminar", "uab", "swims", "acr-forum"]


def test_near_duplicates_are_same_words_typos_or_a_shared_url(tmp_path: Path) -> None:
    text = FIXTURE_CATALOG.read_text()
    first = text.index("  - id: elam")
    entry = text[first : text.index("  - id: pmg")]

    def clone(new_id: str, name: str, extra: str = "") -> str:
        out = entry.replace("id: elam", f"id: {new_id}").replace("    aliases: [ELAM]\n", extra)
        return out.replace("name: Executive Leadership in Academic Medicine", f"name: {name}")

    text += "\n" + clone("pmg-2", "The Physician Mom Groups")  # the same words as 'Physician Moms Group'
    text += "\n" + clone("elam-typo", "Executive Leadrship in Academic Medicine")  # one typo
    text += "\n" + clone("acg-trainee", "ACG trainee program") + "\n" + clone("ada-trainee", "ADA trainee program")
    text += "\n" + clone("kl2-bis", "NIH KL2 Scholars Program")  # 'KL2 Scholars Program' with one more word
    url = "    url: https://example.org/same\n"
    text += "\n" + clone("one", "First Program", url) + "\n" + clone("two", "Second Program", url)
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    found = {(d["first"]["id"], d["second"]["id"]): d for d in report_json(path)["near_duplicates"]}
    assert set(found) == {("pmg", "pmg-2"), ("elam", "elam-typo"), ("one", "two")}
    assert found[("pmg", "pmg-2")]["reason"] == "same words"
    assert found[("elam", "elam-typo")]["reason"] == "'leadership' / 'leadrship' a typo apart"
    assert found[("one", "two")]["reason"] == "same url"
    assert found[("pmg", "pmg-2")]["first"]["line"] == 28


def test_report_as_text_names_each_finding_and_its_line() -> None:
    result = runner.invoke(cli, ["report", "--catalog", str(FIXTURE_CATALOG), "--today", "2026-11-26"])
    assert result.exit_code == 0
    out = result.stdout
    assert "8 programs, as of 2026-11-26" in out
    assert "Not verified for more than 365 days: 1" in out
    stale_row = next(line for line in out.splitlines() if " pmg " in line and "2025-06-01" in line)
    assert stale_row.split()[0] == "28" and "543" in stale_row
    assert "Vocabulary values no program uses" in out and "foundation" in out
    assert "Possible duplicates: none" in out


def test_report_on_an_invalid_catalog_prints_its_errors_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE_CATALOG.read_text().replace("scope: national", "scope: nation", 1))
    result = runner.invoke(cli, ["report", "--catalog", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:15:12 programs[0].scope: 'nation' is not a scope; did you mean 'national'?" in result.output
