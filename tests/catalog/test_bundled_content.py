"""Content checks for the curated catalog, data/programs.yaml (issue 22).

The catalog began with the programs named by Cree-Green M, et al. "Peer mentoring for professional and personal
growth in academic medicine." J Investig Med 2020; doi:10.1136/jim-2020-001391, and was then checked against, and
extended from, the programs' own public pages. Every program the article names must still be present (under its
current name, the old one an alias) with the facets its sources support, it must still cite the article, and nothing
may be invented: every web source names its address, the day it was read and a short verbatim quote; a link is one
of the pages read; years, costs and durations only where a source says.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from app.catalog.validate import load_catalog

CATALOG_PATH = Path(__file__).resolve().parents[2] / "data" / "programs.yaml"
ARTICLE_DOI = "10.1136/jim-2020-001391"
REVIEWED = dt.date(2026, 11, 26)  # date_added of the programs taken from the article

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
    Expect(  # founded for women; since spring 2025 open to all qualified applicants (Drexel's fast facts)
        "ELAM",
        "leadership-program",
        set(),
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
    Expect(  # begun for women faculty, expanded by 2012 to all junior faculty of the department of medicine
        "Mayo Clinic peer mentoring program",
        "institutional-program",
        set(),
        {"early-career"},
        {"in-person"},
        {"internal-medicine"},
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
    # Women's-leadership and diversity groups of professional societies. The article's generic AAN, AGA, ASBMR and
    # Endocrine Society entries were replaced by each society's named diversity-leadership program (issue 22); the
    # old names are its aliases, so a search by the old name still lands there.
    Expect(
        "AAN women's leadership",
        "leadership-program",
        {"underrepresented-in-medicine"},
        ALL_STAGES,
        {"in-person"},
        {"neurology"},
        "national",
    ),
    Expect(
        "AGA women's leadership",
        "leadership-program",
        {"underrepresented-in-medicine"},
        {"early-career"},
        {"in-person"},
        {"gastroenterology"},
        "national",
    ),
    Expect(
        "ASBMR women's leadership",
        "leadership-program",
        {"underrepresented-in-medicine"},
        {"early-career"},
        set(),
        {"bone-and-mineral"},
        "national",
    ),
    Expect(
        "Endocrine Society women's leadership",
        "leadership-program",
        {"underrepresented-in-medicine"},
        {"trainee", "early-career"},
        set(),
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
        {"endocrinology"},
        "international",
        refs(22),
    ),
    Expect("ACR trainee forum", "trainee-program", {"open"}, {"trainee"}, {"online"}, {"rheumatology"}, "national"),
    # Training grants
    Expect("K12", "training-grant", {"open"}, {"early-career"}, set(), {"any"}),
    Expect("KL2", "training-grant", {"open"}, {"early-career"}, set(), {"any"}, None, refs(23)),
    Expect("BIRCWH", "training-grant", set(), {"early-career"}, set(), {"any"}, "institutional"),  # interdisciplinary
    Expect("WRHR K12", "training-grant", set(), {"early-career"}, set(), {"obstetrics-gynecology"}, "institutional"),
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
    Expect(  # one department's yearly mentorship night (its 2022 WestJEM report), for the department's women
        "Women's Night in Emergency Medicine",
        "institutional-program",
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


def test_every_program_from_the_article_is_covered_by_the_expectations(catalog) -> None:
    covered = {find(catalog, e.label).id for e in EXPECTED}
    reviewed = {p.id for p in catalog.programs if p.date_added == REVIEWED}
    assert len(reviewed) >= 35 and reviewed <= covered
    assert all(find(catalog, e.label).date_added in (REVIEWED, dt.date(2026, 12, 6)) for e in EXPECTED)


def test_catalog_size_meets_issue_22(catalog) -> None:
    assert len(catalog.programs) >= 80


def test_ids_are_unique(catalog) -> None:
    ids = [p.id for p in catalog.programs]
    assert len(ids) == len(set(ids))


def test_names_and_aliases_are_unambiguous(catalog) -> None:
    labels = [_key(label) for p in catalog.programs for label in (p.name, *p.aliases)]
    assert len(labels) == len(set(labels))


def reviews(program) -> list:
    return [s for s in program.sources if s.doi == ARTICLE_DOI]


def web_sources(program) -> list:
    return [s for s in program.sources if s.url is not None and s.doi is None]


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def test_every_program_from_the_article_still_cites_it(catalog) -> None:
    for program in catalog.programs:
        if program.date_added == REVIEWED:
            cited = reviews(program)
            assert len(cited) == 1, program.id
            assert "Peer mentoring for professional and personal growth" in cited[0].title, program.id


def test_every_web_source_says_where_when_and_what_it_says(catalog) -> None:
    pages = 0
    for program in catalog.programs:
        for source in web_sources(program):
            pages += 1
            assert str(source.url).startswith(("https://", "http://")), program.id
            assert source.accessed is not None, f"{program.id}: {source.url} has no accessed date"
            assert source.quote, f"{program.id}: {source.url} has no quote"
            assert len(source.quote.split()) <= 40, f"{program.id}: quote from {source.url} over 40 words"
    assert pages >= len(catalog.programs)  # the checks above ran over the pages read


def test_every_program_has_a_source_for_its_facts(catalog) -> None:
    for program in catalog.programs:
        assert web_sources(program) or reviews(program), program.id


def test_a_programs_link_is_a_page_read_for_it(catalog) -> None:
    linked = 0
    for program in catalog.programs:
        if program.url is None:
            continue
        linked += 1
        url = str(program.url)
        assert url.startswith("https://"), f"{program.id}: {url}"
        read = [str(s.url) for s in web_sources(program)]
        assert url in read or host(url) in {host(u) for u in read}, f"{program.id}: {url} is not a page read"
    assert linked >= 40


def test_years_costs_and_durations_come_with_a_source(catalog) -> None:
    stated = 0
    for program in catalog.programs:
        if program.founded is not None or program.cost or program.duration:
            stated += 1
            assert web_sources(program) or reviews(program), program.id
        if program.founded is not None:
            assert 1900 <= program.founded <= 2026, program.id
    assert stated >= 10
    assert find(catalog, "ELAM").founded == 1995  # the article's year, confirmed by Drexel


def test_status_is_shown_by_a_web_source_and_ended_years_only_with_one(catalog) -> None:
    ended = 0
    for program in catalog.programs:
        if program.status in ("active", "ended"):
            assert program.status_source is not None, program.id
            source = program.sources[program.status_source - 1]
            assert source.url is not None and source.doi is None, f"{program.id}: status from a non-web source"
        if program.status_since is not None:
            assert program.status == "ended" and program.status_source is not None, program.id
        ended += program.status == "ended"
    assert ended >= 1
    assert find(catalog, "Doris Duke CSDA").status == "ended"


def test_references_exist_in_the_article_and_have_one_title_each(catalog) -> None:
    titles: dict[int, set[str]] = {}
    for program in catalog.programs:
        for source in program.sources:
            if source.reference is None:
                continue
            assert 1 <= source.reference <= 28, program.id
            if source.doi == ARTICLE_DOI:  # the article citing its reference for this program
                continue
            assert source.url is not None or source.reference not in MISSING_REFERENCES, program.id
            titles.setdefault(source.reference, set()).add(source.title)
    inconsistent = {n: t for n, t in titles.items() if len(t) > 1}
    assert titles and not inconsistent


def test_untitled_references_are_noted_on_the_article_citation(catalog) -> None:
    for label, number in (("AE-PCOS trainee program", 22), ("KevinMD", 25)):
        (review,) = reviews(find(catalog, label))
        assert f"reference {number}" in (review.note or "").lower()


def test_year_long_programs(catalog) -> None:
    for label in ("ELAM", "C-Change"):
        duration = (find(catalog, label).duration or "").lower()
        assert "one year" in duration or "1 year" in duration, label


def test_open_is_not_combined_with_a_specific_group(catalog) -> None:
    for program in catalog.programs:
        if "open" in program.demographic_focus:
            assert program.demographic_focus == ["open"], program.id


def test_reported_outcomes_are_recorded_and_dated(catalog) -> None:
    mayo = find(catalog, "Mayo Clinic peer mentoring program")
    text = " ".join([mayo.description, *mayo.outcomes]).lower()
    assert "satisf" in text and "manuscript" in text and "44%" in text and "2014" in text
    assert "43%" in (reviews(mayo)[0].note or "")  # the article's figure, kept for the curators
    pmg = find(catalog, "PMG").description
    assert "120,000" in pmg and "2022" in pmg  # the newer figure, dated (the article's 71,000 was from 2020)


def test_every_other_thursday_caps_membership_at_eight(catalog) -> None:
    eot = find(catalog, "EOT")
    assert "eight" in f"{eot.description} {eot.eligibility}".lower()


def test_brandeis_program_records_its_nih_grant(catalog) -> None:
    program = find(catalog, "C-Change")
    assert "Brandeis" in program.sponsor
    text = " ".join([program.description, *(s.note or "" for s in program.sources)])
    assert "U01GM132367" in text


def test_sponsor_types_match_the_funders(catalog) -> None:
    for label in ("K12", "KL2", "BIRCWH", "WRHR K12", "NIDDK K awardee meeting"):
        assert find(catalog, label).sponsor_type == "government", label
    assert find(catalog, "Doris Duke CSDA").sponsor_type == "foundation"
    for label in ("UAB peer mentoring", "Mayo Clinic peer mentoring program", "IMeRGE"):
        assert find(catalog, label).sponsor_type == "academic-institution", label
