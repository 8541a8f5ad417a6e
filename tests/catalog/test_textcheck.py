"""The validator's checks on text: control, invisible and direction characters, URLs with user info, quoted
dates, look-alike duplicate names, and the limits that keep validation bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalog.filelimits import MAX_PROGRAMS, count_entries
from app.catalog.problems import CatalogError
from app.catalog.validate import load_catalog, validate
from app.config import Settings
from tests.support.catalogs import catalog, entry, errors


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (("name: One", 'name: "One\\0"'), "programs[0].name", "control character U+0000"),
        (("name: One", 'name: "One\\x07 bell"'), "programs[0].name", "control character U+0007"),
        (("summary: A program.", 'summary: "A\\tprogram."'), "programs[0].summary", "line break or tab (U+0009)"),
        (("name: One", "name: |\n      One\n      Two"), "programs[0].name", "keep name on one line"),
        (("name: One", 'name: "One \\u202eevil"'), "programs[0].name", "direction control U+202E"),
        (("name: One", 'name: "One\\u200f"'), "programs[0].name", "direction control U+200F"),
        (
            ("description: What it does.", 'description: "What \\u2066it\\u2069 does."'),
            "programs[0].description",
            "U+2066",
        ),
        (
            ("sponsor: Someone", "sponsor: Someone\n    url: https://www.aamc.org@evil.example/"),
            "programs[0].url",
            "hides where it leads (it goes to evil.example)",
        ),
        (
            ("doi: 10.1136/jim-2020-001391", "url: https://user:pw@example.org/"),
            "programs[0].sources[0].url",
            "user name or password",
        ),
        (
            ("last_verified: 2026-01-02", "last_verified: '2026-01-08'"),
            "programs[0].last_verified",
            "remove the quotes",
        ),
    ],
)
def test_text_that_must_not_pass(change: tuple[str, str], field: str, expected: str) -> None:
    text = catalog(entry())
    assert change[0] in text
    problems = errors(text.replace(change[0], change[1], 1))
    found = [p for p in problems if p.field == field]
    assert found and expected in found[0].message, problems
    assert found[0].line >= 3


def test_tabs_and_line_breaks_are_text_in_paragraph_fields() -> None:
    text = catalog(entry()).replace("description: What it does.", 'description: "What it\\tdoes.\\nAnd more."')
    text = text.replace("sponsor: Someone", "sponsor: Someone\n    outcomes:\n      - |\n        Two\n        lines", 1)
    program = validate(text).programs[0]
    assert program.description == "What it\tdoes.\nAnd more." and program.outcomes == ["Two\nlines"]


@pytest.mark.parametrize(
    "twin",
    [
        "Оne",  # a Cyrillic O
        "One\u200b",  # a zero-width space
        "ＯＮＥ",  # fullwidth letters, folded by NFKC
        "O\u00adne",  # a soft hyphen
    ],
)
def test_look_alike_and_invisible_variants_of_a_name_are_duplicates(twin: str) -> None:
    problems = errors(catalog(entry(), entry("two", twin)))
    assert [p.field for p in problems] == ["programs[1].name"]
    assert "is already the name of programs[0] (line 3)" in problems[0].message


def test_a_catalog_beyond_the_program_limit_is_refused_before_it_is_parsed() -> None:
    many = "programs:\n" + "".join(f"  - id: p{i}\n" for i in range(MAX_PROGRAMS + 1))
    problems = errors(many)
    assert [p.message for p in problems] == [
        f"the catalog lists more than {MAX_PROGRAMS:,} programs, the most one catalog may hold"
    ]
    flow = "programs: [" + ", ".join(f"{{id: p{i}}}" for i in range(MAX_PROGRAMS + 1)) + "]\n"
    assert "more than 10,000 programs" in errors(flow)[0].message  # not one item a line: caught while parsing
    # counted before parsing with Windows line ends too (they once slipped past the count, to the parser)
    assert count_entries(many.replace("\n", "\r\n")) == count_entries(many) == MAX_PROGRAMS + 1


def test_the_program_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(catalog(entry("one", "One"), entry("two", "Two"), entry("three", "Three")), encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalog(path, max_programs=2)
    assert [p.message for p in refused.value.errors] == [
        "the catalog lists more than 2 programs, the most one catalog may hold"
    ]
    flow = "programs: [" + ", ".join(f"{{id: p{i}}}" for i in range(3)) + "]\n"
    with pytest.raises(CatalogError, match="more than 2 programs"):
        validate(flow, max_programs=2)
    monkeypatch.setenv("MENTORDIR_MAX_PROGRAMS", "2")
    with pytest.raises(CatalogError, match="more than 2 programs"):
        load_catalog(path, max_programs=Settings().max_programs)
    monkeypatch.setenv("MENTORDIR_MAX_PROGRAMS", "3")
    assert len(load_catalog(path, max_programs=Settings().max_programs).programs) == 3


def test_problems_in_several_entries_are_each_placed_at_their_line() -> None:
    entries = [entry(f"p{i}", f"Program {i}") for i in range(6)]
    entries[1] = entries[1].replace("scope: national", "scope: nationwide")
    entries[4] = entries[4].replace("    sources:", "    sourcez: x\n    sources:").replace("[women]", "[womem]")
    text = catalog(*entries)
    placed = errors(text)
    lines = text.splitlines()
    line_of = {
        needle: next(n for n, ln in enumerate(lines, 1) if needle in ln)
        for needle in ("nationwide", "womem", "sourcez")
    }
    assert [(p.line, p.field) for p in placed] == [
        (line_of["nationwide"], "programs[1].scope"),
        (line_of["womem"], "programs[4].demographic_focus[0]"),
        (line_of["sourcez"], "programs[4].sourcez"),
    ]


def test_the_programs_key_is_found_alike_by_the_count_and_the_syntax_error_recovery() -> None:
    """One scanner finds the `programs:` line: a comment after it needs a space before its `#` (`programs:#x` is a
    plain scalar, no key), for the count before parsing and for the per-entry recovery after a syntax error."""
    text = catalog(entry("one", "One"), entry("two", "Two"))
    commented = text.replace("programs:", "programs: # the list").replace("name: Two", "name: [Two")
    assert count_entries(commented) == 2
    problems = errors(commented)
    noticed = commented.splitlines().index("    name: [Two") + 2  # libyaml notices on the line after the `[`
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(noticed, "YAML syntax error")]  # in entry two
    glued = text.replace("programs:", "programs:#x")
    assert count_entries(glued) == 0
    assert [(p.line, p.message.split(":")[0]) for p in errors(glued)] == [(3, "YAML syntax error")]  # the file's
