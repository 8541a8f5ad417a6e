"""The words faculty use, on the real catalog: everyday names and identity words (app/catalog/names.py with the
synonym and word-form groups), phrases matched whole, did-you-mean from the catalog's own words, and completions
that forgive a typo and do not repeat themselves."""

from __future__ import annotations

import pytest

from app.catalog.models import Catalog
from app.search.index import SearchIndex
from app.search.query import SearchQuery, SearchResult


def search(index: SearchIndex, text: str) -> SearchResult:
    return index.search(SearchQuery(text=text, limit=None, highlight=False))


def top(index: SearchIndex, text: str, n: int = 3) -> list[str]:
    return [h.id for h in search(index, text).hits[:n]]


def offered(result: SearchResult) -> set[tuple[str, str]]:
    return {(o.facet, o.value) for o in result.suggested_filters}


def carrying(catalog: Catalog, field: str, value: str) -> set[str]:
    return {p.id for p in catalog.programs if value in (p.record.get(field) or ())}


PEDIATRICS = ("specialties", "specialty", "pediatrics")
URM = ("demographic_focus", "demographic_focus", "underrepresented-in-medicine")


@pytest.mark.parametrize(
    ("word", "value"),
    [(w, PEDIATRICS) for w in ("pediatrics", "pediatric", "peds", "Peds", "paediatrics", "pediatrician")]
    + [(w, URM) for w in ("black", "African American", "Hispanic", "Latina", "Latino", "Latinx")],
)
def test_everyday_and_identity_words_find_the_programs_for_them_first_and_offer_the_filter(
    real_index: SearchIndex, real_catalog: Catalog, word: str, value: tuple[str, str, str]
) -> None:
    field, facet, name = value
    found = search(real_index, word)
    assert found.total and set(top(real_index, word)) <= carrying(real_catalog, field, name)
    assert (facet, name) in offered(found)


def test_a_phrase_is_matched_whole_before_its_single_words(real_index: SearchIndex, real_catalog: Catalog) -> None:
    african_american = {h.id for h in search(real_index, "African American").hits}
    saying = {p.id for p in real_catalog.programs if "african american" in str(p.record).lower()}
    assert saying and saying <= african_american
    assert "american" not in " ".join(top(real_index, "African American"))  # not merely named "American"
    # no program is for first-generation faculty: the phrase finds none, never "first" and "general" apart
    assert search(real_index, "first generation").total == 0
    assert search(real_index, "first-generation").total == 0
    # ...and a way out never splits it: "generation" alone would find "general"
    assert search(real_index, "first generation").escapes == []
    women = {"demographic_focus": frozenset({"women"})}
    ways = real_index.search(SearchQuery(text="first generation", filters=women)).escapes
    assert [(e.kind, e.label, e.q) for e in ways] == [("word", "first generation", "")]
    compiled = real_index.scorer.compile("Underrepresented in Medicine leaders")
    assert compiled is not None and compiled.units == ["Underrepresented in Medicine", "leaders"]  # as typed


@pytest.mark.parametrize("grant", ["K08", "K23", "K99", "k award", "career development award"])
def test_k_award_numbers_find_programs_for_career_development_awardees(real_index: SearchIndex, grant: str) -> None:
    found = search(real_index, grant)
    assert "niddk-k-awardee-meeting" in top(real_index, grant)
    assert ("type", "training-grant") in offered(found)


@pytest.mark.parametrize(
    ("typed", "meant"), [("leadershp", "leadership"), ("womn", "women"), ("mentorshp", "mentorship")]
)
def test_did_you_mean_is_the_catalogs_closest_word(real_index: SearchIndex, typed: str, meant: str) -> None:
    found = search(real_index, typed)
    assert found.suggestion == meant  # the typo is searched as its neighbours, each a word of the catalog
    assert {h.id for h in search(real_index, meant).hits} <= {h.id for h in found.hits}


def test_a_word_form_is_never_respelled(real_index: SearchIndex) -> None:
    assert search(real_index, "peds").suggestion is None
    assert search(real_index, "endo").suggestion is None


@pytest.mark.parametrize(
    ("typed", "first"),
    [("leadershp", ("filter", "Leadership program")), ("k awrd", ("filter", "Training-grant program"))],
)
def test_completions_forgive_a_typo(real_index: SearchIndex, typed: str, first: tuple[str, str]) -> None:
    found = real_index.complete(typed)
    assert found and (found[0].kind, found[0].label) == first


def test_completions_do_not_offer_a_program_twice(real_index: SearchIndex) -> None:
    found = real_index.complete("KevinMD")
    assert [(c.kind, c.label) for c in found] == [("program", "KevinMD")]
    for text in ("women", "aamc", "endocrine", "lead", "kev", "asbmr"):
        labels = [c.label.lower() for c in real_index.complete(text) if c.kind in ("sponsor", "program")]
        assert len(labels) == len(set(labels)), text
