"""What the search makes of what faculty type, on the real catalog: word forms, prefixes, typos, the facet values
words name, ways out of an empty answer, the start-a-group guide, and completions."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.catalog.models import Catalog
from app.catalog.vocab import FACETS
from app.search.index import SearchIndex
from app.search.intent import Intents
from app.search.query import SearchQuery, SearchResult
from app.search.scoring import WORD_RE, term_of


@pytest.fixture(scope="module")
def catalog(real_catalog: Catalog) -> Catalog:
    return real_catalog


@pytest.fixture(scope="module")
def index(real_index: SearchIndex) -> SearchIndex:
    return real_index


def search(index: SearchIndex, text: str, **filters: list[str]) -> SearchResult:
    query = SearchQuery(text=text, filters={k: frozenset(v) for k, v in filters.items()}, limit=None, highlight=False)
    return index.search(query)


def ids(index: SearchIndex, text: str, **filters: list[str]) -> list[str]:
    return [h.id for h in search(index, text, **filters).hits]


def carrying(catalog: Catalog, field: str, value: str) -> set[str]:
    return {p.id for p in catalog.programs if value in (p.record.get(field) or ())}


# --- word forms and prefixes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ["endocrine", "endocrinology", "endocrinologist", "endocrinologists"],
        ["gastroenterology", "gastroenterologist", "GI"],
        ["rheumatology", "rheumatologist"],
        ["pulmonology", "pulmonary", "pulmonologist", "lung"],
        ["neurology", "neurologist"],
    ],
)
def test_the_word_forms_of_a_specialty_find_the_same_programs(
    index: SearchIndex, catalog: Catalog, forms: list[str]
) -> None:
    found = {form: set(ids(index, form)) for form in forms}
    first = found[forms[0]]
    assert first and all(f == first for f in found.values()), found
    value = next(t.value for t in FACETS["specialty"].terms if t.value.startswith(forms[0][:5]))
    assert carrying(catalog, "specialties", value) <= first  # every program tagged with the specialty


def test_women_gastroenterologists_finds_the_aga_first(index: SearchIndex) -> None:
    assert ids(index, "women gastroenterologists")[0] == "aga-women-leadership-diversity"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("endocr", "endocrinology"), ("rheum", "rheumatology"), ("gastro", "gastroenterology"), ("cardio", "cardiology")],
)
def test_the_last_word_is_also_a_prefix(index: SearchIndex, catalog: Catalog, prefix: str, expected: str) -> None:
    assert set(ids(index, prefix)) >= carrying(catalog, "specialties", expected) != set()


def test_whole_word_matches_rank_above_words_the_prefix_begins(index: SearchIndex, catalog: Catalog) -> None:
    # "care" is a word ("critical care", "caring") and begins others ("career", "careers") with other stems
    def whole(program_text: str) -> bool:
        return any(term_of(w) == "care" for w in WORD_RE.findall(program_text))

    texts = {p.id: " ".join(str(v) for v in p.record.values()) for p in catalog.programs}
    ranked = ids(index, "care")
    flags = [whole(texts[i]) for i in ranked]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True), "a program matching only 'career' ranked above one saying 'care'"
    assert ids(index, "leader")[:1] != [] and set(ids(index, "lead")) >= set(ids(index, "leader"))


# --- typos and did-you-mean ------------------------------------------------------------------------------------


def test_typo_tolerance_grows_with_the_length_of_the_word(index: SearchIndex) -> None:
    assert ids(index, "neurolgoy") == ["aan-women-leadership-diversity"]  # one swap in 9 letters
    assert ids(index, "pulmnoray") == ["ats-trainee-program"]  # two swaps in 9 letters
    assert ids(index, "dibaetse") == []  # two swaps in 8 letters: too far
    assert ids(index, "kidny") == ["niddk-k-awardee-meeting"]  # one letter dropped from 5
    assert ids(index, "hart") == []  # four letters: no tolerance


def test_a_respelling_is_offered_only_when_close_and_fruitful(index: SearchIndex) -> None:
    assert search(index, "pulmnoray").suggestion == "pulmonary"
    assert search(index, "cardology").suggestion == "cardiology"
    for text in ("lactation", "surgery", "endo"):  # not "location", "survey", "ends"
        assert search(index, text).suggestion is None, text
    assert search(index, "rheumatology").suggestion is None  # nothing respelled


# --- words that name facet values -----------------------------------------------------------------------------


def test_a_word_naming_a_facet_value_ranks_its_programs_first_and_offers_the_filter(
    index: SearchIndex, catalog: Catalog
) -> None:
    virtual = carrying(catalog, "formats", "virtual")
    result = search(index, "virtual")
    assert {h.id for h in result.hits[: len(virtual)]} == virtual
    assert result.total > len(virtual)  # others mention the word (or "online", its synonym) without the format
    [offer] = result.suggested_filters
    assert (offer.facet, offer.value, offer.label, offer.q, offer.total) == ("format", "virtual", "Virtual", "", 3)


def test_a_synonym_names_a_value_and_the_other_words_stay(index: SearchIndex, catalog: Catalog) -> None:
    result = search(index, "URM neurology")
    offers = {(o.facet, o.value): o for o in result.suggested_filters}
    urm = offers[("demographic_focus", "underrepresented-in-medicine")]
    assert urm.q == "neurology" and urm.total == len(
        set(ids(index, "neurology")) & carrying(catalog, "demographic_focus", "underrepresented-in-medicine")
    )
    assert offers[("specialty", "neurology")].q == "urm"


def test_a_selected_filter_is_not_offered_again(index: SearchIndex) -> None:
    assert search(index, "virtual", format=["virtual"]).suggested_filters == []


def test_remote_names_both_formats_but_online_names_only_its_own(index: SearchIndex) -> None:
    assert {o.value for o in search(index, "remote").suggested_filters} <= {"online", "virtual"}
    assert [o.value for o in search(index, "online").suggested_filters if o.facet == "format"] == ["online"]


# --- when nothing matched, and the guide ----------------------------------------------------------------------


def test_an_empty_answer_says_which_word_or_filter_to_drop_and_what_that_gives(index: SearchIndex) -> None:
    result = search(index, "kidney", demographic_focus=["women"])
    assert result.total == 0
    ways = {(e.kind, e.name): (e.label, e.q, e.total) for e in result.escapes}
    women = len(ids(index, "", demographic_focus=["women"]))
    assert ways == {
        ("word", "kidney"): ("kidney", "", women),
        ("filter", "demographic_focus"): ("Demographic focus: Women", "kidney", len(ids(index, "kidney"))),
    }
    assert search(index, "kidney").escapes == []  # something matched: nothing to drop


@pytest.mark.parametrize(
    "text",
    [
        "how to start my own peer mentoring group",
        "start a small group",
        "running a peer group",
        "how do I set up a mentoring group",
    ],
)
def test_questions_about_starting_a_group_lead_to_the_guide(index: SearchIndex, text: str) -> None:
    result = search(index, text)
    assert [(g.title, g.href) for g in result.guides] == [
        ("Start your own peer mentoring group", "/models#start-your-own")
    ]
    assert result.hits[0].id == "every-other-thursday"


def test_no_guide_without_a_question_about_starting(index: SearchIndex) -> None:
    assert search(index, "peer mentoring group").guides == []
    assert search(index, "start", type=["training-grant"]).guides == []  # "start" alone is not about a group


def test_filler_words_are_dropped_unless_they_are_all_there_is(index: SearchIndex, catalog: Catalog) -> None:
    assert ids(index, "I need a program for women neurologists")[0] == "aan-women-leadership-diversity"
    saying = {
        p.id
        for p in catalog.programs
        if any(term_of(w) == "find" for w in WORD_RE.findall(" ".join(str(v) for v in p.record.values())))
    }
    assert saying and set(ids(index, "find")) >= saying  # nothing but filler: searched as typed


def test_intents_file_errors_name_the_facet_or_value(tmp_path: Path) -> None:
    bad = tmp_path / "intents.yaml"
    bad.write_text("filters:\n  format:\n    hybrid: [mixed]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"filters\.format\.hybrid: not a value of format; values: in-person"):
        Intents.load(bad)
    bad.write_text("filters:\n  colour:\n    red: [crimson]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"filters\.colour: not a facet"):
        Intents.load(bad)


# --- completions ---------------------------------------------------------------------------------------------


def test_three_letters_of_every_facet_value_label_complete_to_it(index: SearchIndex) -> None:
    missing = []
    for name, vocab in FACETS.items():
        for term in vocab.terms:
            found = index.complete(term.label[:3])
            if not any(c.kind == "filter" and (c.facet, c.value) == (name, term.value) for c in found):
                missing.append(f"{term.label[:3]!r} → {name}={term.value}")
    assert missing == []


def acronyms(catalog: Catalog) -> set[tuple[str, str]]:
    """(acronym, program id) for every word of 3+ characters with two capitals or digits, starting with a capital
    (ELAM, K12, IMeRGE, AE-PCOS), in a program's name or aliases."""
    out = set()
    for p in catalog.programs:
        for name in (p.record["name"], *p.record.get("aliases", ())):
            for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", name):
                if len(word) >= 3 and word[0].isupper() and sum(ch.isupper() or ch.isdigit() for ch in word) >= 2:
                    out.add((word, p.id))
    return out


def test_three_letters_of_every_program_acronym_complete_to_the_program(index: SearchIndex, catalog: Catalog) -> None:
    pairs = acronyms(catalog)
    assert {("ELAM", "elam"), ("BIRCWH", "bircwh"), ("K12", "nih-k12"), ("PMG", "physician-moms-group")} <= pairs
    missing = [f"{a[:3]!r} → {pid}" for a, pid in sorted(pairs) if pid not in {c.id for c in index.complete(a[:3])}]
    assert missing == []


def test_completions_say_what_they_are_and_count_right(index: SearchIndex, catalog: Catalog) -> None:
    [urm] = [c for c in index.complete("URM") if c.kind == "filter"]
    assert (urm.facet, urm.value, urm.label, urm.matched) == (
        "demographic_focus",
        "underrepresented-in-medicine",
        "Underrepresented in medicine",
        "URM",
    )
    assert urm.count == len(carrying(catalog, "demographic_focus", "underrepresented-in-medicine"))
    sponsors = Counter(p.record["sponsor"] for p in catalog.programs)
    endo = index.complete("endocrine soc")
    assert [(c.kind, c.label, c.count) for c in endo if c.kind == "sponsor"] == [
        ("sponsor", "Endocrine Society", sponsors["Endocrine Society"])
    ]
    assert {c.id for c in endo if c.kind == "program"} == {
        "endocrine-society-women-leadership-diversity",
        "endocrine-society-future-leaders",
    }
    elam = index.complete("elam")[0]
    assert (elam.kind, elam.id, elam.matched) == ("program", "elam", "ELAM")


def test_completions_are_bounded_ordered_and_safe(index: SearchIndex) -> None:
    assert len(index.complete("a")) == 8 and len(index.complete("a", 3)) == 3
    assert index.complete("") == [] and index.complete("   ") == [] and index.complete("zzzzqx") == []
    assert [c.label for c in index.complete("in ")][:1] == ["In person"]  # "in " is a word, not "internal"
    for hostile in ("*", "name:ELAM", "[a TO z]", "\x00endo", "é" * 500):
        index.complete(hostile)  # no error on any input
    kinds = [c.kind for c in index.complete("endo")]
    assert kinds == sorted(kinds, key=["filter", "sponsor", "program"].index)


def test_three_letters_in_the_search_box_find_the_value_or_program_too(index: SearchIndex, catalog: Catalog) -> None:
    """Without choosing a completion: the search itself, by the prefix of its last word."""
    for name, vocab in FACETS.items():
        for term in vocab.terms:
            carriers = {index.ids[n] for n in index.filters.value_docs[name][term.value]}
            assert carriers <= set(ids(index, term.label[:3])), f"{term.label[:3]!r} → {name}={term.value}"
    for acronym, pid in acronyms(catalog):
        assert pid in ids(index, acronym[:3])[:8], f"{acronym[:3]!r} → {pid}"
