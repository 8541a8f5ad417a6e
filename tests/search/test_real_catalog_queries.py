"""What the search makes of what faculty type, on the real catalog: word forms, prefixes, typos, the facet values
words name, ways out of an empty answer, the start-a-group guide, and completions."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.catalog.models import Catalog
from app.catalog.vocab import FACETS
from app.search.analysis import WORD_RE, term_of
from app.search.index import SearchIndex
from app.search.intent import Intents
from app.search.query import SearchQuery, SearchResult
from app.search.suggest import fold


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
    assert ids(index, "women gastroenterologists")[0] == "aga-forward"  # alias "AGA women's leadership"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("endocr", "endocrinology"), ("rheum", "rheumatology"), ("gastro", "gastroenterology"), ("cardio", "cardiology")],
)
def test_the_last_word_is_also_a_prefix(index: SearchIndex, catalog: Catalog, prefix: str, expected: str) -> None:
    assert set(ids(index, prefix)) >= carrying(catalog, "specialties", expected) != set()


def test_whole_word_matches_rank_above_words_the_prefix_begins(index: SearchIndex, catalog: Catalog) -> None:
    # "care" is a word ("critical care", "caring") and begins others ("career", "careers") with other stems; the
    # sources (curators' citations) are not searched, so a "care" only in a source's address does not count
    def whole(program_text: str) -> bool:
        return any(term_of(w) == "care" for w in WORD_RE.findall(program_text))

    texts = {p.id: " ".join(str(v) for k, v in p.record.items() if k != "sources") for p in catalog.programs}
    ranked = ids(index, "care")
    flags = [whole(texts[i]) for i in ranked]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True), "a program matching only 'career' ranked above one saying 'care'"
    assert ids(index, "leader")[:1] != [] and set(ids(index, "lead")) >= set(ids(index, "leader"))


# --- typos and did-you-mean ------------------------------------------------------------------------------------


def test_typo_tolerance_grows_with_the_length_of_the_word(index: SearchIndex) -> None:
    neurology = ids(index, "neurology")
    assert ids(index, "neurolgoy") == neurology and "aan-diversity-leadership-program" in neurology  # 1 swap in 9
    assert ids(index, "pulmnoray") == ids(index, "pulmonary") != []  # two swaps in 9 letters
    assert ids(index, "pulmnoray")[0] == "ats-trainee-program"
    assert ids(index, "dibaetse") == []  # two swaps in 8 letters: too far
    kidny = ids(index, "kidny")  # one letter dropped from 5
    assert kidny[0] == "niddk-k-awardee-meeting" and "women-in-nephrology" in kidny
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
    assert (offer.facet, offer.value, offer.label, offer.q, offer.total) == (
        "format",
        "virtual",
        "Virtual",
        "",
        len(virtual),
    )
    assert len(virtual) >= 3


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
    result = search(index, "rheumatology", demographic_focus=["women"])
    assert result.total == 0
    ways = {(e.kind, e.name): (e.label, e.q, e.total) for e in result.escapes}
    women = len(ids(index, "", demographic_focus=["women"]))
    assert ways == {
        ("word", "rheumatology"): ("rheumatology", "", women),
        ("filter", "demographic_focus"): (
            "Demographic focus: Women",
            "rheumatology",
            len(ids(index, "rheumatology")),
        ),
    }
    assert search(index, "rheumatology").escapes == []  # something matched: nothing to drop


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
    asked = ids(index, "I need a program for women neurologists")
    assert asked == ids(index, "women neurologists") and asked[0] == "aan-diversity-leadership-program"
    saying = {
        p.id
        for p in catalog.programs
        if any(term_of(w) == "find" for w in WORD_RE.findall(" ".join(str(v) for v in p.record.values())))
    }
    assert saying and set(ids(index, "find")) >= saying  # nothing but filler: searched as typed


def test_intents_file_says_where_the_names_of_facet_values_are(tmp_path: Path) -> None:
    bad = tmp_path / "intents.yaml"
    bad.write_text("filters:\n  format:\n    hybrid: [mixed]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"filters: the names of facet values are kept in app/catalog/names\.py"):
        Intents.load(bad)


# --- completions ---------------------------------------------------------------------------------------------


def test_three_letters_of_every_facet_value_label_complete_to_it(index: SearchIndex) -> None:
    missing = []
    for name, vocab in FACETS.items():
        for term in vocab.terms:
            if not index.filters.value_docs[name][term.value]:
                continue  # a value no program carries completes last, if there is room

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
                marks = sum(ch.isupper() or ch.isdigit() for ch in word)  # not "Health-Related": mostly capitals
                if len(word) >= 3 and word[0].isupper() and marks >= 2 and 2 * marks >= len(word.replace("-", "")):
                    out.add((word, p.id))
    return out


def test_three_letters_of_every_program_acronym_complete_to_the_program(index: SearchIndex, catalog: Catalog) -> None:
    """Three letters, or the whole acronym when more than a list's worth of names begin with those three letters
    (LEA: leadership, leaders; CAR: cardiology, career), or the acronym after the sponsor's own (ASBMR LEAD)."""
    pairs = acronyms(catalog)
    assert {("ELAM", "elam"), ("BIRCWH", "bircwh"), ("K12", "nih-k12"), ("PMG", "physician-moms-group")} <= pairs
    by_id = {p.id: p for p in catalog.programs}

    def completes(text: str, pid: str) -> bool:
        return pid in {c.id for c in index.complete(text)}

    missing = []
    for a, pid in sorted(pairs):
        crowded = len(index.complete(a[:3], 50)) > 8
        names = (by_id[pid].name, *by_id[pid].aliases)
        qualified = [n for n in names if n.endswith(f" {a}") or f" {a} " in n]
        ok = completes(a[:3], pid) or (crowded and (completes(a, pid) or any(completes(n, pid) for n in qualified)))
        if not ok:
            missing.append(f"{a[:3]!r} → {pid}")
    assert missing == []
    crowded = [a for a, pid in pairs if not completes(a[:3], pid)]
    assert len(crowded) <= len(pairs) // 10, crowded  # the exception stays an exception


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
    [sponsor] = [c for c in endo if c.kind == "sponsor"]
    # what choosing it gives: searching the sponsor's name (its own programs and those naming it)
    searched = index.search(
        SearchQuery(text="Endocrine Society", filters={"status": frozenset({"active", "unverified"})})
    )
    assert (sponsor.label, sponsor.count) == ("Endocrine Society", searched.total)
    assert searched.total >= sponsors["Endocrine Society"]
    society = {  # its programs by a name beginning with the words typed, e.g. "Endocrine Society ExCEL"
        p.id for p in catalog.programs if any(fold(n).startswith("endocrine soc") for n in (p.name, *p.aliases))
    }
    assert {"endocrine-society-excel", "endocrine-society-future-leaders", "endocrine-society-flare"} <= society
    assert {c.id for c in endo if c.kind == "program"} == society
    elam = index.complete("elam")[0]
    assert (elam.kind, elam.id, elam.matched) == ("program", "elam", "ELAM")


def test_completions_are_bounded_ordered_and_safe(index: SearchIndex, catalog: Catalog) -> None:
    assert len(index.complete("a")) == 8 and len(index.complete("a", 3)) == 3
    assert index.complete("") == [] and index.complete("   ") == [] and index.complete("zzzzqx") == []
    assert [c.label for c in index.complete("in ")][:1] == ["In person"]  # "in " is a word, not "internal"
    for hostile in ("*", "name:ELAM", "[a TO z]", "\x00endo", "é" * 500):
        index.complete(hostile)  # no error on any input
    # names beginning with the text first, then names with a later word beginning with it ("Women in
    # Endocrinology"); within each, filter values before sponsors before programs
    found = index.complete("endo")
    names = {p.id: (p.name, *p.aliases) for p in catalog.programs}
    later = [not any(fold(n).startswith("endo") for n in (names[c.id] if c.id else (c.label,))) for c in found]
    order = [(tier, ["filter", "sponsor", "program"].index(c.kind)) for tier, c in zip(later, found, strict=True)]
    assert order == sorted(order) and True in later and False in later


def test_three_letters_in_the_search_box_find_the_value_or_program_too(index: SearchIndex, catalog: Catalog) -> None:
    """Without choosing a completion: the search itself, by the prefix of its last word. Only for the facets whose
    labels are searchable words (not status or who can join: "open" would find every program saying it)."""
    for name, vocab in FACETS.items():
        if not vocab.worded:
            continue
        for term in vocab.terms:
            carriers = {index.ids[n] for n in index.filters.value_docs[name][term.value]}
            assert carriers <= set(ids(index, term.label[:3])), f"{term.label[:3]!r} → {name}={term.value}"
    by_id = {p.id: p for p in catalog.programs}
    for acronym, pid in acronyms(catalog):
        if pid in ids(index, acronym[:3])[:8]:
            continue
        # crowded three letters (LEA): the whole acronym, or the name that carries it, finds it first
        names = [n for n in (by_id[pid].name, *by_id[pid].aliases) if f" {acronym}" in f" {n} "]
        assert any(ids(index, n)[:1] == [pid] for n in (acronym, *names)), f"{acronym[:3]!r} → {pid}"


def test_a_completion_counts_what_choosing_it_gives_leaving_out_programs_no_longer_offered(
    index: SearchIndex, catalog: Catalog
) -> None:
    ended = [p for p in catalog.programs if p.status == "ended"]
    assert ended  # the catalog has one, so this test can fail
    shown = ["active", "unverified"]  # a search's default
    for program in ended:
        value = program.record["demographic_focus"][0]
        label = FACETS["demographic_focus"].label_of(value)
        [offer] = [c for c in index.complete(label) if c.kind == "filter" and c.value == value]
        assert offer.count == len(ids(index, "", demographic_focus=[value], status=shown))
        [sponsor] = [c for c in index.complete(program.record["sponsor"]) if c.kind == "sponsor"]
        same = [p for p in catalog.programs if p.record["sponsor"] == program.record["sponsor"] and p.status != "ended"]
        assert sponsor.count == len(same)
        assert program.id in {c.id for c in index.complete(program.record["name"])}  # its page is still there
