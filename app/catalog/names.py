"""The words faculty use for facet values beyond their labels: everyday names, identity words, abbreviations and
grant numbers, defined once beside the vocabularies (vocab.py).

Search reads them to know which value a query's words name (the programs carrying it rank first, and the answer
offers it as a filter), and completions offer the value for them. Each name brings its synonyms and word forms
with it (data/synonyms.yaml, data/wordforms.yaml: "Black" also brings "African American"). A name of several
words is matched as a phrase, before its single words. Identity words name only a group some program is for: a
word for a group the catalog has no program for ("first-generation") would promise what the search cannot give.
"""

from __future__ import annotations

from app.catalog.vocab import FACETS

NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "career_stage": {
        "student": ("medical student", "graduate student"),
        "early-career": ("early career", "junior faculty", "new faculty"),
        "mid-career": ("mid career",),
        "senior": ("senior faculty", "senior leader"),
    },
    "demographic_focus": {
        "underrepresented-in-medicine": ("URM", "Black", "African American", "Hispanic", "Latina", "Latino", "Latinx"),
    },
    "format": {"in-person": ("face to face",)},
    "type": {
        "leadership-program": ("leadership training",),
        "institutional-program": ("institutional peer mentoring",),
        "trainee-program": ("trainee workshop",),
        # the individual career-development (K) awards: programs built around them, for their holders
        "training-grant": (
            "training grant",
            "grant program",
            "K award",
            "career development award",
            "K08",
            "K23",
            "K99",
        ),
        "online-community": ("social media", "online group"),
        "small-group": ("small group", "peer group"),
        "informal-network": ("informal network", "informal peer network"),
    },
    "specialty": {
        "pulmonary-critical-care": ("pulmonary", "critical care"),
        "womens-reproductive-health": ("women's health", "reproductive health"),
        "bone-and-mineral": ("bone and mineral", "bone research"),
        "pediatrics": ("peds", "pediatric", "pediatrician"),
    },
}


def names_of(facet: str, value: str) -> tuple[str, ...]:
    """The everyday names of one facet value (its label not included)."""
    return NAMES.get(facet, {}).get(value, ())


def unknown() -> list[str]:
    """Each facet or value named here that the vocabularies do not have (none, when the names are right)."""
    out = [f"{facet}: not a facet" for facet in NAMES if facet not in FACETS]
    out += [
        f"{facet}.{value}: not a value of {facet}"
        for facet, values in NAMES.items()
        if facet in FACETS
        for value in values
        if value not in FACETS[facet].values
    ]
    return out
