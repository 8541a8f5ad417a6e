"""The catalog's issue-22 rules: checkable web sources, a sourced status, who can join, and own words."""

from __future__ import annotations

import pytest

from app.catalog.models import CatalogError
from app.catalog.validate import validate
from app.catalog.vocab import FACETS
from tests.support.marked_catalog import entry

NEW_SPECIALTIES = (
    "pediatrics",
    "hematology",
    "oncology",
    "surgery",
    "transplantation",
    "hospital-medicine",
    "obstetrics-gynecology",
    "psychiatry",
    "radiology",
    "family-medicine",
)


def problems(text: str) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        validate(text, path="c.yaml")
    return [str(p) for p in caught.value.errors]


def one(**kwargs: object) -> str:
    return "programs:\n" + entry("alpha", "Alpha", **kwargs)  # type: ignore[arg-type]


def test_the_sample_entries_are_valid() -> None:
    for status in ("active", "ended", "unverified"):
        [program] = validate(one(status=status, access="members")).programs
        assert program.status == status and program.access == "members"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("        accessed: 2026-12-01\n", "", "programs[0].sources[1]: missing 'accessed'"),
        ('        quote: "QUOTEMARKERzq Alpha runs a peer leadership course."\n', "", "missing 'quote'"),
        (
            "accessed: 2026-12-01",
            "accessed: 2999-01-01",
            "programs[0].sources[1].accessed: 2999-01-01 is in the future",
        ),
        ('quote: "QUOTEMARKERzq', 'quote: "' + "word " * 41, "programs[0].sources[1].quote: is 4"),
    ],
)
def test_a_web_page_source_needs_accessed_and_a_short_quote(old: str, new: str, expected: str) -> None:
    text = one(status="active", access="anyone")
    assert old in text
    found = problems(text.replace(old, new))
    assert any(expected in p for p in found), found
    assert all(p.startswith("c.yaml:") for p in found)


def test_a_paper_or_a_reference_needs_no_quote() -> None:
    text = one(status="unverified", access="anyone").replace(
        '        quote: "QUOTEMARKERzq Alpha runs a peer leadership course."\n', ""
    )
    text = text.replace("        url: https://example.org/alpha\n", "        reference: 4\n")
    assert validate(text).programs[0].sources[1].quote is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    status_source: 2\n", "", "programs[0]: missing required field 'status_source'"),
        ("    status_source: 2\n", "    status_source: 3\n", "programs[0].status_source: points to source 3"),
        ("    status_source: 2\n", "    status_source: 1\n", "programs[0].status_source: source 1 is not a web page"),
        ("    status: active\n", "    status: ended\n    status_since: 3000\n", "programs[0].status_since: 3000"),
        ("    status: active\n", "    status: stopped\n", "'stopped' is not a status"),
        ("    access: anyone\n", "    access: everyone\n", "programs[0].access: 'everyone' is not a who can join"),
        ("    access: anyone\n", "", "programs[0]: missing required field 'access'"),
    ],
)
def test_status_and_access_rules(old: str, new: str, expected: str) -> None:
    text = one(status="active", access="anyone")
    assert old in text
    found = problems(text.replace(old, new))
    assert any(expected in p for p in found), found


def test_status_since_only_with_ended() -> None:
    text = one(status="active", access="anyone").replace(
        "    status: active\n", "    status: active\n    status_since: 2024\n"
    )
    assert any("programs[0].status_since: only an ended program has status_since" in p for p in problems(text))


def test_unverified_needs_no_status_source() -> None:
    assert validate(one(status="unverified", access="anyone")).programs[0].status_source is None


@pytest.mark.parametrize("field", ["summary", "description"])
@pytest.mark.parametrize("phrase", ["The article", "the review", "the  Review's"])
def test_summary_and_description_do_not_talk_about_the_article(field: str, phrase: str) -> None:
    text = one(status="unverified", access="anyone")
    text = text.replace("A peer leadership course", f"As {phrase} says, a peer leadership course")
    text = text.replace("Alpha brings faculty", f"As {phrase} says, Alpha brings faculty")
    found = [p for p in problems(text) if f"programs[0].{field}:" in p]
    assert found and "mentions" in found[0] and "own words" in found[0]


def test_the_new_specialties_and_vocabularies() -> None:
    assert set(NEW_SPECIALTIES) <= set(FACETS["specialty"].values)
    text = one(status="unverified", access="anyone").replace(
        "specialties: [any]", f"specialties: [{', '.join(NEW_SPECIALTIES)}]"
    )
    assert validate(text).programs[0].specialties == list(NEW_SPECIALTIES)
    assert FACETS["access"].values == ("anyone", "members", "institution", "award-holders", "nomination")
    assert FACETS["status"].values == ("active", "ended", "unverified")
    assert FACETS["status"].default == ("active", "unverified")
    assert FACETS["demographic_focus"].label_of("open") == "No particular group"


def test_quote_and_note_stay_out_of_the_record() -> None:
    program = validate(one(status="active", access="anyone")).programs[0]
    assert program.sources[1].quote and program.sources[1].note
    for source in program.record["sources"]:
        assert "quote" not in source and "note" not in source
    assert program.record["sources"][1]["publisher"] == "Alpha Foundation"
    assert program.record["sources"][1]["accessed"] == "2026-12-01"
    assert "MARKERzq" not in program.raw
