"""The search core, exercised without HTTP on the hand-made fixture catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.catalog.models import Catalog
from app.catalog.vocab import FACETS
from app.search.index import SearchIndex
from app.search.query import SearchQuery
from tests.support.app import index_for


def ids(index: SearchIndex, text: str = "", **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in index.search(SearchQuery(text=text, limit=None, **kwargs)).hits]


def f(**facets: list[str]) -> dict[str, frozenset[str]]:
    return {name: frozenset(values) for name, values in facets.items()}


def counts(result, facet: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {c.value: c.count for c in result.facets[facet]}


@pytest.mark.parametrize(("text", "first"), [("ELAM", "elam"), ("elam", "elam"), ("PMG", "pmg"), ("SWIMS", "swims")])
def test_an_acronym_finds_its_program_first(fixture_index: SearchIndex, text: str, first: str) -> None:
    assert ids(fixture_index, text)[0] == first


def test_an_exact_name_is_pinned_first_even_when_other_programs_score_higher(fixture_index: SearchIndex) -> None:
    # "Physician Moms Group" also matches other programs' words; the exact name must still come first.
    assert ids(fixture_index, "physician moms group")[0] == "pmg"
    assert ids(fixture_index, "Minority Faculty Leadership Seminar")[0] == "minority-seminar"


def test_name_matches_outrank_description_matches(fixture_index: SearchIndex) -> None:
    # "leadership" is in ELAM's and the seminar's names, and only in descriptions or tags elsewhere.
    assert set(ids(fixture_index, "leadership")[:2]) == {"elam", "minority-seminar"}


def test_stemming_finds_other_forms_of_a_word(fixture_index: SearchIndex) -> None:
    assert "em-night" in ids(fixture_index, "mentors")  # "mentoring conversations"
    assert "minority-seminar" in ids(fixture_index, "seminars")
    assert "swims" in ids(fixture_index, "problem")  # "problems"


@pytest.mark.parametrize(
    ("typo", "expected"), [("mentorhsip", "em-night"), ("leadershp", "elam"), ("rheumatolgy", "acr-forum")]
)
def test_one_typo_is_tolerated_in_longer_words(fixture_index: SearchIndex, typo: str, expected: str) -> None:
    assert expected in ids(fixture_index, typo)


def test_short_words_are_not_fuzzed(fixture_index: SearchIndex) -> None:
    assert ids(fixture_index, "elan") == []  # four letters: no typo tolerance, so no ELAM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("URM", {"minority-seminar"}),
        ("URiM faculty", {"minority-seminar"}),
        ("underrepresented in medicine", {"minority-seminar"}),
        ("listserv", {"acr-forum"}),  # the program says "email list"
        ("K award", {"kl2"}),  # the program says "career development award"
        ("mom", {"pmg"}),  # the program says "mothers"
        ("female", {"elam", "swims", "em-night", "pmg"}),  # these say "women" (text or focus label)
    ],
)
def test_synonyms_expand_the_query(fixture_index: SearchIndex, text: str, expected: set[str]) -> None:
    assert expected <= set(ids(fixture_index, text))


def test_junior_faculty_finds_early_career_programs(fixture_index: SearchIndex) -> None:
    found = set(ids(fixture_index, "junior faculty"))
    assert {"uab", "kl2", "minority-seminar"} <= found
    assert "acr-forum" not in found  # trainees only


def test_all_words_must_match_and_the_query_relaxes_only_when_nothing_does(fixture_index: SearchIndex) -> None:
    strict = fixture_index.search(SearchQuery(text="women leadership"))
    assert [h.id for h in strict.hits] == ["elam"] and not strict.relaxed
    relaxed = fixture_index.search(SearchQuery(text="rheumatology leadership"))
    assert relaxed.relaxed and {"acr-forum", "elam", "minority-seminar"} <= {h.id for h in relaxed.hits}


def test_filters_or_within_a_facet_and_across_facets(fixture_index: SearchIndex) -> None:
    assert set(ids(fixture_index, filters=f(career_stage=["trainee", "senior"]))) == {
        "pmg",
        "acr-forum",
        "em-night",
        "elam",
    }
    assert set(ids(fixture_index, filters=f(career_stage=["trainee", "senior"], format=["online"]))) == {
        "pmg",
        "acr-forum",
    }
    assert ids(fixture_index, filters=f(career_stage=["senior"], specialty=["rheumatology"])) == []
    assert ids(fixture_index, "women", filters=f(format=["virtual"])) == ["swims"]


def test_facet_counts_are_disjunctive(fixture_index: SearchIndex) -> None:
    """Counted by hand from tests/fixtures/catalog.yaml."""
    result = fixture_index.search(SearchQuery(filters=f(career_stage=["mid-career"], format=["in-person"])))
    assert result.total == 3
    # career_stage counts ignore the career-stage selection, apply the format one (6 in-person programs)
    assert counts(result, "career_stage") == {
        "student": 0,
        "trainee": 1,
        "early-career": 5,
        "mid-career": 3,
        "senior": 1,
    }
    # format counts ignore the format selection, apply mid-career (elam, pmg, minority-seminar, swims)
    assert counts(result, "format") == {"in-person": 3, "virtual": 1, "online": 1}
    # other facets apply both selections (elam, minority-seminar, swims)
    assert counts(result, "demographic_focus") == {
        "women": 2,
        "underrepresented-in-medicine": 1,
        "physician-parents": 0,
        "open": 0,
    }
    selected = {c.value for c in result.facets["career_stage"] if c.selected}
    assert selected == {"mid-career"}
    assert [c.label for c in result.facets["format"]] == ["In person", "Virtual", "Online"]


def test_facet_counts_follow_the_text_query(fixture_index: SearchIndex) -> None:
    result = fixture_index.search(SearchQuery(text="women"))
    assert result.total == 4  # elam, pmg, swims, em-night
    assert counts(result, "type")["leadership-program"] == 1
    assert counts(result, "demographic_focus")["women"] == 4


def test_empty_query_lists_everything_by_name(fixture_index: SearchIndex, fixture_catalog: Catalog) -> None:
    result = fixture_index.search(SearchQuery(limit=3))
    assert result.total == 8
    names = sorted(p.name.casefold() for p in fixture_catalog.programs)
    assert [fixture_index.documents[h.id].name.casefold() for h in result.hits] == names[:3]
    assert all(h.highlights is None for h in result.hits)


def test_pagination_is_a_window_on_one_ordering(fixture_index: SearchIndex) -> None:
    everything = ids(fixture_index, sort="name")
    pages = [h.id for o in (0, 3, 6) for h in fixture_index.search(SearchQuery(sort="name", offset=o, limit=3)).hits]
    assert pages == everything
    past = fixture_index.search(SearchQuery(offset=50, limit=10))
    assert past.hits == [] and past.total == 8


def test_sort_by_last_verified_and_updated_at(fixture_catalog: Catalog, tmp_path: Path) -> None:
    index = index_for(fixture_catalog, tmp_path)
    assert ids(index, sort="-last_verified")[:3] == ["em-night", "kl2", "acr-forum"]
    assert ids(index, sort="-last_verified")[-1] == "pmg"
    assert set(ids(index, verified_since=dt.date(2026, 5, 1))) == {"em-night", "kl2", "acr-forum"}
    assert ids(index, updated_since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == []
    assert len(ids(index, updated_since=dt.datetime(2025, 12, 31, tzinfo=dt.UTC))) == 8


def test_highlights_mark_matched_words_escaped(fixture_index: SearchIndex) -> None:
    [hit] = fixture_index.search(SearchQuery(text="mothers")).hits
    assert hit.highlights == {
        "name": "Physician <mark>Moms</mark> Group",
        "snippet": "A members-only social-media group where physician <mark>mothers</mark> trade advice.",
    }
    [hit] = fixture_index.search(SearchQuery(text="subgroups")).hits
    assert "<mark>subgroups</mark>" in hit.highlights["snippet"]  # type: ignore[index]


def test_did_you_mean_only_when_nothing_matched_and_the_respelling_finds_something(fixture_index: SearchIndex) -> None:
    found = fixture_index.search(SearchQuery(text="rheumatology forum"))
    assert found.total == 1 and found.suggestion is None  # everything matched: nothing to suggest
    none = fixture_index.search(SearchQuery(text="cardology"))  # no cardiology program: no respelling offered
    assert none.total == 0 and none.suggestion is None
    assert ids(fixture_index, "mentorsihp nigth") == ["em-night"]  # one typo in each: found without asking
    dropped = fixture_index.search(SearchQuery(text="mentorship nigt"))  # four letters: a dropped letter is forgiven
    assert [h.id for h in dropped.hits] == ["em-night"] and dropped.suggestion == "mentorship night"
    typo = fixture_index.search(SearchQuery(text="mentorship nihg"))  # no other typo: neither fuzzed nor respelled
    assert typo.relaxed and typo.suggestion is None


def test_a_respelling_is_the_closest_word_and_leaves_known_words_alone(fixture_index: SearchIndex) -> None:
    spelling = fixture_index.spelling
    assert "leaders" in spelling and "leadership" in spelling
    assert spelling.respell(["leadershp"]) == "leadership"  # one typo away, though "leaders" is two
    assert spelling.respell(["peds"], known=lambda w: w == "peds") is None  # a word form, not a typo


def test_similar_programs_share_text_and_facets(fixture_index: SearchIndex) -> None:
    similar = fixture_index.similar("elam")
    assert len(similar) == 5 and "elam" not in similar
    assert similar[0] == "minority-seminar"  # the other national leadership program


HOSTILE = [
    '"',
    "'",
    '"unbalanced',
    "((((",
    "))",
    "*",
    "**",
    "?",
    "ment*",
    "name:ELAM",
    "id:elam OR 1=1",
    "description:*",
    "[a TO z]",
    "{a TO z}",
    "ELAM^100",
    "elam~",
    "elam~5",
    "AND",
    "OR OR OR",
    "NOT",
    "-women",
    "+women",
    "women AND NOT leadership",
    "\\",
    "\x00",
    "\x1b[31mred",
    "\u202eevil",
    "😀👩‍⚕️🩺",
    "ｅｌａｍ",
    "x" * 10_000,
    "women " * 2_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE program; --",
    "%00%27",
    "\ud800",
    "\u0000\uffff",
    "日本語 医学",
    "   ",
    "\n\t\r",
    "a" * 300 + "~1/2",
    "$(rm -rf /)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(fixture_index: SearchIndex, text: str) -> None:
    result = fixture_index.search(SearchQuery(text=text, filters=f(format=["online"])))
    assert 0 <= result.total <= 8
    assert set(result.facets) == set(FACETS)
    for hit in result.hits:
        for html in (hit.highlights or {}).values():
            assert "<script" not in html


def test_query_syntax_is_plain_text(fixture_index: SearchIndex) -> None:
    assert ids(fixture_index, "name:ELAM")[0] == "elam"  # "name" and "ELAM" as words, no field search
    assert ids(fixture_index, "ｅｌａｍ")[0] == "elam"  # full-width letters are normalized
    assert ids(fixture_index, "-women") == ids(fixture_index, "women")


QUERIES = ["leadership", "women faculty", "mentorhsip", "peer mentoring group", "junior faculty", "online", "urm"]


def test_results_do_not_depend_on_what_the_term_cache_holds(
    fixture_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The per-term postings cache is bounded; a query answered after evictions must rank and count exactly the same.
    def answers(index: SearchIndex) -> list[tuple[int, list[tuple[str, float | None]], dict[str, list[int]]]]:
        out = []
        for text in QUERIES * 2:
            r = index.search(SearchQuery(text=text, filters=f(format=["in-person", "online"]), limit=None))
            out.append(
                (r.total, [(h.id, h.score) for h in r.hits], {k: [c.count for c in v] for k, v in r.facets.items()})
            )
        return out

    roomy = index_for(fixture_catalog, tmp_path / "a")
    expected = answers(roomy)
    monkeypatch.setattr("app.search.index.LEAF_CACHE_POSTINGS", 3)  # evicts on nearly every term
    monkeypatch.setattr("app.search.index.LEAF_CACHE_PER_PROGRAM", 0)
    monkeypatch.setattr("app.search.index.CLAUSE_CACHE_BYTES", 1)  # and on every word's vectors
    monkeypatch.setattr("app.search.index.CLAUSE_CACHE_WORDS", 0)
    tight = index_for(fixture_catalog, tmp_path / "b")
    assert answers(tight) == expected
    assert tight.scorer.leaves.cost <= 3 or len(tight.scorer.leaves) == 1
    assert len(tight.scorer.clauses) == 1
    assert any(total for total, _, _ in expected)


def test_typo_tolerance_survives_reopening_the_index_from_disk(fixture_catalog: Catalog, tmp_path: Path) -> None:
    first = index_for(fixture_catalog, tmp_path)
    first.close()
    reopened = index_for(fixture_catalog, tmp_path)  # same version: opened, not rebuilt; words read from disk
    assert "em-night" in ids(reopened, "mentorhsip")
    assert reopened.search(SearchQuery(text="leadershp elam")).hits[0].id == "elam"
    assert reopened.spelling.words["leadership"] >= 2


def leaves_match_whooshs_scorer(index: SearchIndex) -> int:
    """Every term's documents and scores, read a block at a time and scored as arrays, equal Whoosh's scorer walking
    the postings one by one (to the last bit)."""
    checked = 0
    with index._searcher() as searcher:
        for field_name, text in list(searcher.reader().all_terms()):
            if field_name == "id":
                continue
            term = text.decode()
            scorer = searcher.weighting.scorer(searcher, field_name, term)
            walked = index.scorer.walk(searcher, field_name, term, scorer)
            read = index.scorer.leaf(searcher, field_name, term)
            expected = dict(zip(walked.docs.tolist(), walked.scores.tolist(), strict=True))
            assert dict(zip(read.docs.tolist(), read.scores.tolist(), strict=True)) == expected, (field_name, term)
            checked += 1
    return checked


def test_term_scores_read_in_blocks_are_whooshs(fixture_index: SearchIndex) -> None:
    assert leaves_match_whooshs_scorer(fixture_index) > 200
