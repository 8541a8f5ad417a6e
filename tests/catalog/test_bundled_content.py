"""Content checks for the curated catalog, data/programs.yaml, against its source article.

Source: Cree-Green M, et al. "Peer mentoring for professional and personal growth in academic
medicine." J Investig Med 2020; doi:10.1136/jim-2020-001391. Every program the article names must
be present with the facets the article supports, and nothing may be invented (URLs, years, costs).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from app.catalog.validate import load_catalog

CATALOG_PATH = Path(__file__).resolve().parents[2] / "data" / "programs.yaml"
ARTICLE_DOI = "10.1136/jim-2020-001391"
FLE_URL = "https://www.endocrine.org/our-community/career-and-professional-development/futureleaders-in-endocrinology"

# URLs that appear in the article (ref 6) or are certain (the platforms' home pages). Nothing else.
ALLOWED_URLS = {
    FLE_URL,
    "https://www.kevinmd.com",
    "https://www.doximity.com",
}

# The article's reference list runs 1..28; refs 22 and 25 have no title in it, so no source may
# carry those numbers as a titled reference (they are mentioned in notes instead).
MISSING_REFERENCES = {22, 25}

ALL_STAGES = {"student", "trainee", "early-career", "mid-career", "senior"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG_PATH)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def find(catalog, label: str):
    """The one program whose name or an alias equals `label`, ignoring case."""
    wanted = _key(label)
    hits = [p for p in catalog.programs if wanted in {_key(p.name), *(_key(a) for a in p.aliases)}]
    assert len(hits) == 1, f"expected exactly one program named or aliased {label!r}, found {[p.id for p in hits]}"
    return hits[0]


class Expect(NamedTuple):
    label: str  # a name or alias to look it up by
    type: str
    demographic: set[str]  # must all be in demographic_focus
    stages: set[str]  # career_stages must intersect this
    formats: set[str]  # must all be in formats
    specialties: set[str]  # must all be in specialties
    scope: str | None = None  # exact scope, when the article makes it clear
    references: frozenset[int] = frozenset()  # reference numbers that must be cited


def refs(*numbers: int) -> frozenset[int]:
    return frozenset(numbers)


EXPECTED = [
    # Leadership training
    Expect(
        "AAMC professional development",
        "leadership-program",
        {"open"},
        {"early-career", "mid-career", "senior"},
        {"in-person"},
        {"any"},
        "national",
        refs(14),
    ),
    Expect(
        "AAMC Early Career Women Faculty Leadership Development Seminar",
        "leadership-program",
        {"women"},
        {"early-career"},
        {"in-person"},
        {"any"},
        "national",
        refs(14),
    ),
    Expect(
        "AAMC Mid-Career Women Faculty Leadership Development Seminar",
        "leadership-program",
        {"women"},
        {"mid-career"},
        {"in-person"},
        {"any"},
        "national",
        refs(14),
    ),
    Expect(
        "AAMC Minority Faculty Leadership Development Seminar",
        "leadership-program",
        {"underrepresented-in-medicine"},
        {"early-career", "mid-career"},
        {"in-person"},
        {"any"},
        "national",
        refs(14),
    ),
    Expect("C-Change", "leadership-program", set(), {"mid-career"}, set(), {"any"}, None, refs(15)),
    Expect(
        "ELAM",
        "leadership-program",
        {"women"},
        {"mid-career", "senior"},
        {"in-person"},
        {"any"},
        "national",
        refs(16, 17, 18),
    ),
    # Institutional programs
    Expect(
        "UAB School of Medicine Early Career Peer Mentoring Group",
        "institutional-program",
        set(),
        {"early-career"},
        {"in-person"},
        {"internal-medicine"},
        "institutional",
        refs(19),  # ref 11 is the women-only facilitated pilot (cited with ref 12), not UAB's program
    ),
    Expect(
        "Mayo Clinic peer mentoring program",
        "institutional-program",
        {"women"},
        {"early-career"},
        {"in-person"},
        set(),
        "institutional",
        refs(12, 21),
    ),
    Expect(
        "IMeRGE",
        "institutional-program",
        {"open"},
        {"early-career"},
        {"in-person"},
        {"internal-medicine"},
        "institutional",
        refs(20),
    ),
    # Women's-leadership and diversity groups of professional societies
    Expect(
        "AAN women's leadership",
        "professional-society",
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"neurology"},
        "national",
    ),
    Expect(
        "AGA women's leadership",
        "professional-society",
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"gastroenterology"},
        "national",
    ),
    Expect(
        "ASBMR women's leadership",
        "professional-society",
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"bone-and-mineral"},
        "national",
    ),
    Expect(
        "Endocrine Society women's leadership",
        "professional-society",
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"endocrinology"},
        "national",
    ),
    Expect(
        "ADA women's leadership",
        "professional-society",
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"endocrinology"},
        "national",
    ),
    Expect(
        "AHA women's leadership",
        "professional-society",
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"cardiology"},
        "national",
    ),
    # Trainee programs
    Expect(
        "Future Leaders in Endocrinology",
        "trainee-program",
        set(),
        {"trainee"},
        {"in-person"},
        {"endocrinology"},
        "national",
        refs(6),
    ),
    Expect(
        "ATS trainee program",
        "trainee-program",
        {"open"},
        {"trainee"},
        {"in-person"},
        {"pulmonary-critical-care"},
        "national",
    ),
    Expect(
        "ACG trainee program", "trainee-program", {"open"}, {"trainee"}, {"in-person"}, {"gastroenterology"}, "national"
    ),
    Expect(
        "ADA trainee program", "trainee-program", {"open"}, {"trainee"}, {"in-person"}, {"endocrinology"}, "national"
    ),
    Expect(
        "AE-PCOS trainee program",
        "trainee-program",
        {"open"},
        {"trainee"},
        {"in-person", "virtual"},
        {"womens-reproductive-health"},
    ),
    Expect("ACR trainee forum", "trainee-program", {"open"}, {"trainee"}, {"online"}, {"rheumatology"}, "national"),
    # Training grants
    Expect("K12", "training-grant", {"open"}, {"early-career"}, set(), {"any"}),
    Expect("KL2", "training-grant", {"open"}, {"early-career"}, set(), {"any"}, None, refs(23)),
    Expect("BIRCWH", "training-grant", set(), {"early-career"}, set(), {"womens-reproductive-health"}),
    Expect("WRHR K12", "training-grant", set(), {"early-career"}, set(), {"womens-reproductive-health"}),
    Expect(
        "NIDDK K awardee meeting",
        "training-grant",
        set(),
        {"early-career"},
        {"in-person"},
        {"endocrinology", "gastroenterology", "nephrology"},
        "national",
    ),
    Expect("Doris Duke CSDA", "training-grant", set(), {"early-career"}, {"in-person"}, set(), "national"),
    # Social media and online platforms
    Expect(
        "PMG",
        "online-community",
        {"physician-parents", "women"},
        ALL_STAGES,
        {"online", "in-person"},
        {"any"},
        None,
        refs(24, 26),
    ),
    Expect("PMG subgroups", "online-community", {"physician-parents"}, ALL_STAGES, {"online"}, set(), None, refs(24)),
    Expect("KevinMD", "online-community", {"open"}, ALL_STAGES, {"online"}, {"any"}),
    Expect("Doximity", "online-community", {"open"}, ALL_STAGES, {"online"}, {"any"}),
    Expect("Emergency Medicine Monthly", "online-community", {"open"}, ALL_STAGES, {"online"}, {"emergency-medicine"}),
    Expect(
        "emergency medicine COVID-19 listservs",
        "online-community",
        {"open"},
        ALL_STAGES,
        {"online"},
        {"emergency-medicine"},
    ),
    Expect("Facebook COVID-19 groups", "online-community", {"open"}, ALL_STAGES, {"online"}, set()),
    # Small peer groups and informal networks
    Expect(
        "Every Other Thursday",
        "small-group",
        {"women"},
        {"early-career", "mid-career", "senior"},
        {"in-person"},
        {"any"},
        None,
        refs(27),
    ),
    Expect(
        "ASPIRE",
        "small-group",
        {"women"},
        {"early-career", "mid-career", "senior"},
        set(),
        {"any"},
        "institutional",
        refs(23),
    ),
    Expect(
        "SWIMS",
        "small-group",
        {"women"},
        {"early-career", "mid-career", "senior"},
        {"in-person", "virtual", "online"},
        {"any"},
    ),
    Expect(
        "Women's Night in Emergency Medicine",
        "informal-network",  # the article's less-structured counter-example to the EOT small-group model
        {"women"},
        ALL_STAGES,
        {"in-person"},
        {"emergency-medicine"},
        None,
        refs(28),
    ),
    Expect("informal networks", "informal-network", {"open"}, {"trainee", "early-career"}, set(), {"any"}),
]


@pytest.mark.parametrize("expect", EXPECTED, ids=[e.label for e in EXPECTED])
def test_program_from_the_article_is_present_with_its_facets(catalog, expect: Expect) -> None:
    program = find(catalog, expect.label)
    assert program.type == expect.type
    assert expect.demographic <= set(program.demographic_focus), program.demographic_focus
    assert expect.stages & set(program.career_stages), program.career_stages
    assert expect.formats <= set(program.formats), program.formats
    assert expect.specialties <= set(program.specialties), program.specialties
    if expect.scope is not None:
        assert program.scope == expect.scope
    cited = {s.reference for s in program.sources if s.reference is not None}
    assert expect.references <= cited, f"{program.id} cites {sorted(cited)}"


def test_every_catalog_entry_is_covered_by_the_expectations(catalog) -> None:
    covered = {find(catalog, e.label).id for e in EXPECTED}
    assert covered == {p.id for p in catalog.programs}


def test_catalog_size_is_in_the_expected_range(catalog) -> None:
    assert 35 <= len(catalog.programs) <= 45


def test_ids_are_unique(catalog) -> None:
    ids = [p.id for p in catalog.programs]
    assert len(ids) == len(set(ids))


def test_names_and_aliases_are_unambiguous(catalog) -> None:
    labels = [_key(label) for p in catalog.programs for label in (p.name, *p.aliases)]
    assert len(labels) == len(set(labels))


def test_every_program_cites_the_article_first(catalog) -> None:
    for program in catalog.programs:
        first = program.sources[0]
        assert first.doi == ARTICLE_DOI, program.id
        assert first.reference is None, program.id
        assert "Peer mentoring for professional and personal growth" in first.title, program.id


def test_no_invented_urls(catalog) -> None:
    for program in catalog.programs:
        urls = [program.url, *(s.url for s in program.sources)]
        for url in urls:
            if url is not None:
                assert url in ALLOWED_URLS, f"{program.id}: {url} is neither in the article nor certain"


def test_only_the_allowed_programs_have_urls(catalog) -> None:
    with_url = {p.id: p.url for p in catalog.programs if p.url}
    assert with_url == {
        find(catalog, "Future Leaders in Endocrinology").id: FLE_URL,
        find(catalog, "KevinMD").id: "https://www.kevinmd.com",
        find(catalog, "Doximity").id: "https://www.doximity.com",
    }


def test_references_exist_in_the_article_and_have_one_title_each(catalog) -> None:
    titles: dict[int, set[str]] = {}
    for program in catalog.programs:
        for source in program.sources[1:]:
            assert source.reference is not None, f"{program.id}: a non-article source without a reference number"
            assert 1 <= source.reference <= 28, program.id
            assert source.reference not in MISSING_REFERENCES, program.id
            titles.setdefault(source.reference, set()).add(source.title)
    inconsistent = {n: t for n, t in titles.items() if len(t) > 1}
    assert not inconsistent


def test_untitled_references_are_noted_on_the_article_citation(catalog) -> None:
    for label, number in (("AE-PCOS trainee program", 22), ("KevinMD", 25)):
        note = find(catalog, label).sources[0].note or ""
        assert f"reference {number}" in note


def test_founding_years_come_only_from_the_article(catalog) -> None:
    founded = {p.id: p.founded for p in catalog.programs if p.founded is not None}
    assert founded == {find(catalog, "ELAM").id: 1995}


def test_no_costs_are_stated(catalog) -> None:
    # The article gives no fees for any program.
    assert [p.id for p in catalog.programs if p.cost] == []


def test_year_long_programs(catalog) -> None:
    for label in ("ELAM", "C-Change"):
        duration = (find(catalog, label).duration or "").lower()
        assert "one year" in duration or "1 year" in duration, label


def test_open_is_not_combined_with_a_specific_group(catalog) -> None:
    for program in catalog.programs:
        if "open" in program.demographic_focus:
            assert program.demographic_focus == ["open"], program.id


def test_reported_outcomes_are_recorded(catalog) -> None:
    mayo = " ".join(find(catalog, "Mayo Clinic peer mentoring program").outcomes)
    assert "43%" in mayo
    assert "satisf" in mayo.lower()
    assert "manuscript" in mayo.lower()
    assert "71,000" in find(catalog, "PMG").description


def test_every_other_thursday_caps_membership_at_eight(catalog) -> None:
    eot = find(catalog, "EOT")
    assert "eight" in f"{eot.description} {eot.eligibility}".lower()


def test_brandeis_program_records_its_nih_grant(catalog) -> None:
    program = find(catalog, "C-Change")
    assert program.sponsor.startswith("Brandeis")
    text = " ".join([program.description, *(s.note or "" for s in program.sources)])
    assert "U01GM132367" in text


def test_sponsor_types_match_the_funders(catalog) -> None:
    for label in ("K12", "KL2", "BIRCWH", "WRHR K12", "NIDDK K awardee meeting"):
        assert find(catalog, label).sponsor_type == "government", label
    assert find(catalog, "Doris Duke CSDA").sponsor_type == "foundation"
    for label in ("UAB peer mentoring", "Mayo Clinic peer mentoring program", "IMeRGE"):
        assert find(catalog, label).sponsor_type == "academic-institution", label
