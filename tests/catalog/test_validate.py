"""The validator: every kind of error a curator can make, reported with its place and a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.catalog.problems import CatalogError
from app.catalog.validate import Entries, _checked, _whole, load_catalog, validate
from app.catalog.vocab import FACETS
from app.catalog.yamlread import parse
from tests.support.app import FIXTURE_CATALOG
from tests.support.catalogs import ENTRY, catalog, entry, errors


def test_valid_catalog_loads_with_lines_and_a_stable_version() -> None:
    first = validate(catalog(entry(), entry("two", "Two")))
    again = validate(catalog(entry(), entry("two", "Two")))
    assert [p.id for p in first.programs] == ["one", "two"]
    assert first.lines == {"one": 3, "two": 22}
    assert first.version == again.version
    changed = validate(catalog(entry(), entry("two", "Two Changed")))
    assert changed.version != first.version


@pytest.mark.parametrize("vocab", list(FACETS.values()), ids=lambda v: v.name)
def test_each_vocabulary_accepts_its_values_and_suggests_near_misses(vocab) -> None:  # type: ignore[no-untyped-def]
    value = vocab.values[-1]
    rendered = f"[{value}]" if vocab.multi else value
    text = catalog(entry()).replace(_current(vocab), f"{vocab.field}: {rendered}")
    assert getattr(validate(text).programs[0], vocab.field) in ([value], value)
    misspelt = value[:-1] + ("x" if value[-1] != "x" else "y")
    rendered = f"[{misspelt}]" if vocab.multi else misspelt
    [problem] = errors(catalog(entry()).replace(_current(vocab), f"{vocab.field}: {rendered}"))
    assert f"'{misspelt}' is not a {vocab.label.lower()}; did you mean '{value}'?" in problem.message
    assert problem.field.startswith(f"programs[0].{vocab.field}")


def _current(vocab) -> str:  # type: ignore[no-untyped-def]
    line = next(ln for ln in ENTRY.splitlines() if ln.strip().startswith(f"{vocab.field}:"))
    return line.strip().replace("{stage}", "mid-career")


def test_vocabulary_terms_have_labels_and_definitions() -> None:
    for vocab in FACETS.values():
        assert len(set(vocab.values)) == len(vocab.values)
        for term in vocab.terms:
            assert term.label and term.definition.endswith(".")
    assert FACETS["career_stage"].values == ("student", "trainee", "early-career", "mid-career", "senior")
    assert "any" in FACETS["specialty"].values


def test_every_error_at_once_with_line_and_column() -> None:
    text = catalog(
        entry(stage="midcareer"),
        entry("one", "Two", extra="    carrer_stages: [senior]\n"),
        "  - id: three\n    name: Three\n     summary: broken\n",
    )
    found = [str(p) for p in errors(text)]
    assert found == [
        "c.yaml:10:21 programs[0].career_stages[0]: 'midcareer' is not a career stage; did you mean 'mid-career'?",
        "c.yaml:22:9 programs[1].id: duplicate id 'one' (first used on line 3)",
        "c.yaml:41:5 programs[1].carrer_stages: unknown field 'carrer_stages'; did you mean 'career_stages'?",
        "c.yaml:44:13: YAML syntax error: mapping values are not allowed in this context; "
        "check the indentation of this line and the lines above it",
    ]


def test_duplicate_names_and_aliases_across_entries() -> None:
    text = catalog(
        entry(extra="    aliases: [ONE]\n"), entry("two", "one"), entry("three", "Three", extra="    aliases: [One]\n")
    )
    messages = [p.message for p in errors(text)]
    assert messages == [
        "'one' is already the name of programs[0] (line 3); names and aliases must be unique",
        "'One' is already the name of programs[0] (line 3); names and aliases must be unique",
    ]


def test_replaces_names_only_ids_that_left_each_for_one_program() -> None:
    text = catalog(
        entry(extra="    replaces: [one, Old_One, two]\n"),
        entry("two", "Two"),
        entry("three", "Three", extra="    replaces: [gone, gone]\n"),
        entry("four", "Four", extra="    replaces: [gone]\n"),
    )
    found = [str(p) for p in errors(text)]
    assert found == [
        "c.yaml:22:16 programs[0].replaces[0]: 'one' is this entry's own id; list only the ids it had before",
        "c.yaml:22:21 programs[0].replaces[1]: an old id uses only lowercase letters, digits and single hyphens, "
        "as every id does",
        "c.yaml:22:30 programs[0].replaces[2]: 'two' is the id of programs[1] (line 23), which is still in the "
        "catalog; an entry replaces only ids that left it",
        "c.yaml:61:15 programs[2].replaces: 'gone' is listed twice",
        "c.yaml:81:16 programs[3].replaces[0]: 'gone' is already replaced by programs[2] (line 42); an old id leads "
        "to one program only",
    ]
    valid = validate(catalog(entry(extra="    replaces: [first-one]\n"), entry("two", "Two")))
    assert [p.record.get("replaces") for p in valid.programs] == [["first-one"], None]  # left out when empty


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("last_verified: 2026-01-02", "last_verified: 2026-02-30"), "cannot read this value"),
        (("last_verified: 2026-01-02", "last_verified: next week"), "not a date: write it as YYYY-MM-DD"),
        (("last_verified: 2026-01-02", "last_verified: 2999-01-01"), "2999-01-01 is in the future"),
        (("sponsor: Someone", "sponsor: Someone\n    founded: 1492"), "1492 is not a plausible year"),
        (("sponsor: Someone", "sponsor: Someone\n    founded: '1995'"), "expected a whole number"),
        (("sponsor: Someone", "sponsor: Someone\n    url: www.example.org"), "not a URL"),
        (("sponsor: Someone", "sponsor: Someone\n    sponsor_url: http://example.org"), "not an https URL"),
        (("    date_added: 2026-01-01\n", ""), "missing required field 'date_added'"),
        (("date_added: 2026-01-01", "date_added: 2999-01-01"), "2999-01-01 is in the future"),
        (
            ("last_verified: 2026-01-02", "last_verified: 2026-01-02\n    confirmed_with_program: 2999-01-01"),
            "2999-01-01 is in the future",
        ),
        (("doi: 10.1136/jim-2020-001391", "doi: jim-2020"), "not a DOI"),
        (("id: one", "id: One_Program"), "an id uses only lowercase letters"),
        (("summary: A program.", "summary: ''"), "at least 1 character"),
        (("    summary: A program.\n", ""), "missing required field 'summary'"),
        (("sources:\n      - title: The article\n        doi: 10.1136/jim-2020-001391", "sources: []"), "at least 1"),
        (("career_stages: [mid-career]", "career_stages: [mid-career, mid-career]"), "'mid-career' is listed twice"),
        (("sponsor: Someone", "sponsor: Someone\n    tags: [a;b]"), "split this into separate items"),
        (("sponsor: Someone", "sponsor: Someone\n    sponsor: Again"), "key 'sponsor' appears twice"),
        (("doi: 10.1136/jim-2020-001391", "doi: 10.1136/jim-2020-001391\n        pages: 3"), "unknown field 'pages'"),
    ],
)
def test_field_errors(change: tuple[str, str], expected: str) -> None:
    text = catalog(entry())
    assert change[0] in text
    problems = errors(text.replace(change[0], change[1], 1))
    assert any(expected in p.message for p in problems), problems
    assert all(p.line > 2 for p in problems)
    # Entries are checked one at a time as the parser reads them (each one's parsed data let go once it is a
    # model): the errors must be those of checking the whole file at once, entry before and after included.
    broken = catalog(entry("zero", "Zero"), entry(), entry("two", "Two")).replace(change[0], change[1])
    header = broken.replace("title: Test", "title: ''\nsubtitle: x")
    for text in (broken, header, broken + "  - just text\n", broken + "  - [a, list]\n"):
        entries = Entries()
        data, _ = parse(text, "c.yaml", 10_000, track=False, on_entry=entries)
        whole, by_entry = _whole(parse(text, "c.yaml", 10_000, track=False)[0]), _checked(data, entries)
        assert (whole[0] is None) == (by_entry[0] is None)
        assert comparable(whole[1]) == comparable(by_entry[1]), text
        assert by_entry[1] or (text == broken and "twice" in expected)  # only the reader sees a key twice


def comparable(errors: list[Any]) -> list[tuple[str, ...]]:
    return sorted((repr(e["loc"]), e["type"], e["msg"], repr(e.get("input"))) for e in errors)


def test_unknown_top_level_key_and_wrong_shapes() -> None:
    messages = [p.message for p in errors("programmes: []\n")]
    assert messages == ["missing required field 'programs'", "unknown field 'programmes'; did you mean 'programs'?"]
    assert "expected a mapping" in errors("- just a list\n")[0].message
    assert "the file is empty" in errors("")[0].message


def test_aliases_and_anchors_are_refused_so_alias_bombs_cannot_expand() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    bomb += "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nprograms: []\n"
    messages = {p.message for p in errors(bomb)}
    assert "YAML anchors and aliases are not allowed in the catalog" in messages


def test_deep_nesting_and_node_floods_are_refused() -> None:
    assert any("nested deeper" in p.message for p in errors("programs: " + "[" * 40 + "]" * 40 + "\n"))
    with pytest.raises(CatalogError, match="too many YAML values"):
        validate("programs: [" + ",".join(["1"] * 5000) + "]\n", max_nodes=1000)


def test_file_level_problems(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"title: Caf\xe9\nprograms: []\n")
    with pytest.raises(CatalogError, match=r"latin1.yaml:1:11: not UTF-8: byte 0xe9"):
        load_catalog(latin1)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 2048 + "\nprograms: []\n")
    with pytest.raises(CatalogError, match=r"limit is 0\.0 MiB"):
        load_catalog(big, max_bytes=1024)
    with pytest.raises(CatalogError, match=r"cannot read the file"):
        load_catalog(tmp_path / "missing.yaml")


def test_fixture_and_bundled_catalogs_are_valid() -> None:
    assert len(load_catalog(FIXTURE_CATALOG).programs) == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("programs:\n", "programs: expected a list here, not nothing"),
        ("programs:\n  -\n", "programs[0]: expected an entry's fields here (id: ..., name: ...), not nothing"),
        ("programs: []\n", "programs: the catalog lists no programs"),
        ("programs: 3\n", "programs: expected a list here, not int '3'"),
    ],
)
def test_empty_or_missing_entries_are_errors_not_crashes(text: str, expected: str) -> None:
    [problem] = errors(text)
    assert expected in f"{problem.field}: {problem.message}"


def test_a_curators_note_stays_out_of_the_public_record() -> None:
    text = catalog(entry()).replace("doi: 10.1136/jim-2020-001391", "doi: 10.1136/jim-2020-001391\n        note: Ours.")
    program = validate(text).programs[0]
    assert program.sources[0].note == "Ours."
    assert program.record["sources"] == [
        {
            "title": "The article",
            "publisher": None,
            "doi": "10.1136/jim-2020-001391",
            "url": None,
            "accessed": None,
            "reference": None,
        }
    ]
    assert program.record["confirmed_with_program"] is None and program.record["date_added"] == "2026-01-01"


@pytest.mark.parametrize(("field", "limit"), [("title", 200), ("description", 2000)])
def test_the_header_fields_have_length_limits_named_with_their_line(field: str, limit: int) -> None:
    header = f"title: Test\ndescription: {'d' * (limit if field == 'title' else limit + 1)}\n"
    if field == "title":
        header = f"description: About\ntitle: {'t' * (limit + 1)}\n"
    [problem] = errors(catalog(entry(), header=header))
    assert (problem.field, problem.line) == (field, 2)
    assert f"at most {limit} characters" in problem.message
    assert len(str(problem)) < 300  # the error names the field, it does not repeat the text
    validate(catalog(entry(), header=f"title: {'t' * 200}\ndescription: {'d' * 2000}\n"), path="c.yaml")


def test_a_licence_needs_a_name_and_an_https_url() -> None:
    header = "license:\n  name: CC BY 4.0\n  url: http://creativecommons.org/licenses/by/4.0/\n"
    assert [p.field for p in errors(catalog(entry(), header=header))] == ["license.url"]
    [missing] = errors(catalog(entry(), header="license:\n  name: CC BY 4.0\n"))
    assert missing.field == "license" and "url" in missing.message
