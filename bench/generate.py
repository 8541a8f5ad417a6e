"""A deterministic synthetic catalog: N valid programs with realistic text lengths and facet distributions.

    python -m bench.generate 10000            # writes bench/out/catalog-10000.yaml and prints its path
    python -m bench.generate 1000 --seed 7 --out /tmp/c.yaml

The same N and seed always give the same file (and so the same catalog version).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from app.catalog.models import normalize

OUT = Path(__file__).resolve().parent / "out"
ARTICLE = {
    "title": "Peer mentoring for professional and personal growth in academic medicine",
    "doi": "10.1136/jim-2020-001391",
}
TODAY = dt.date(2026, 11, 1)  # fixed, so that the output does not depend on the day it runs

PLACES = [
    "Northgate", "Riverside", "Lakeshore", "Summit", "Bayview", "Cedar Valley", "Highland", "Prairie", "Harbor",
    "Eastfield", "Westbrook", "Pinecrest", "Granite State", "Mesa", "Coastal", "Heartland", "Blue Ridge", "Sierra",
    "Great Plains", "Tidewater", "Redwood", "Silver Lake", "Maplewood", "Ironwood", "Stonebridge", "Fairhaven",
    "Oakmont", "Willow Creek", "Canyon", "Glacier", "Evergreen", "Sunbelt", "Midland", "Kingsport", "Clearwater",
]  # fmt: skip
INSTITUTIONS = [
    "University", "University School of Medicine", "Medical College", "Health Sciences Center", "Children's Hospital",
    "Academic Medical Center", "College of Medicine", "Research Institute", "Veterans Affairs Medical Center",
]  # fmt: skip
SOCIETIES = [
    "Society for Academic Medicine", "College of Physicians", "Association of Clinical Researchers",
    "Society of Clinical Investigation", "Federation of Medical Educators", "Academy of Hospital Medicine",
    "Society of Women in Science", "Association of Minority Physicians", "Network of Physician Parents",
]  # fmt: skip
FOUNDATIONS = ["Foundation", "Trust", "Fund", "Charitable Foundation"]
AGENCIES = ["National Institutes of Health", "Health Resources and Services Administration", "Department of Health"]
AUDIENCES = {
    "women": ["Women Faculty", "Women in Medicine", "Women Physicians", "Women Scientists"],
    "underrepresented-in-medicine": ["Minority Faculty", "Underrepresented Faculty", "Diversity Scholars"],
    "physician-parents": ["Physician Parents", "Physician Mothers", "Working Parents"],
    "open": ["Faculty", "Clinician Educators", "Physician Scientists", "Clinical Investigators", "Junior Faculty"],
}
TOPICS = {
    "any": ["Academic", "Career", "Professional", "Faculty"],
    "bone-and-mineral": ["Bone Health", "Mineral Metabolism"],
    "cardiology": ["Cardiology", "Cardiovascular"],
    "emergency-medicine": ["Emergency Medicine", "Acute Care"],
    "endocrinology": ["Endocrinology", "Diabetes"],
    "gastroenterology": ["Gastroenterology", "Hepatology"],
    "internal-medicine": ["Internal Medicine", "Hospital Medicine"],
    "nephrology": ["Nephrology", "Kidney"],
    "neurology": ["Neurology", "Neuroscience"],
    "pulmonary-critical-care": ["Pulmonary", "Critical Care"],
    "rheumatology": ["Rheumatology", "Autoimmunity"],
    "womens-reproductive-health": ["Reproductive Health", "Obstetrics"],
}
NOUNS = {
    "leadership-program": ["Leadership Academy", "Leadership Seminar", "Leadership Institute", "Executive Program"],
    "institutional-program": ["Peer Mentoring Program", "Mentoring Circle", "Faculty Peer Group", "Mentoring Cohort"],
    "professional-society": ["Leadership Committee", "Special Interest Group", "Section", "Caucus"],
    "trainee-program": ["Trainee Network", "Fellows Forum", "Trainee Workshop", "Early Investigators Day"],
    "training-grant": ["K12 Scholars Program", "KL2 Program", "Career Development Program", "Scholars Program"],
    "online-community": ["Online Community", "Listserv", "Discussion Forum", "Social Media Group"],
    "small-group": ["Peer Group", "Writing Group", "Accountability Circle", "Thursday Group"],
    "informal-network": ["Network", "Collaborative", "Coffee Club", "Journal Club"],
}
ACTIVITIES = [
    "grant writing", "manuscript review", "negotiation", "promotion and tenure", "work-life integration",
    "leadership skills", "research methods", "teaching", "career planning", "conflict resolution", "networking",
    "public speaking", "financial management", "team science", "coaching", "wellness and burnout",
    "clinical excellence", "scholarly writing", "budgeting", "strategic planning", "sponsorship", "advocacy",
]  # fmt: skip
OUTCOMES = [
    "Participants reported higher career satisfaction",
    "Most participants were promoted within five years",
    "Graduates published more first-author papers",
    "Retention of faculty improved",
    "More than half of participants won independent funding",
    "Participants formed lasting peer networks",
    "Burnout scores fell over the program year",
    "Graduates took on leadership roles at their institutions",
]
TAGS = [
    "peer mentoring", "leadership", "coaching", "networking", "grant writing", "diversity", "women in medicine",
    "career development", "faculty development", "work-life", "promotion", "research", "education", "wellness",
    "sponsorship", "negotiation", "writing", "social media", "K award", "national network", "cohort",
]  # fmt: skip
FILLER = [
    "Participants meet regularly with peers at a similar career stage to share advice, review each other's work "
    "and hold one another accountable for their goals",
    "Sessions combine short talks by invited speakers with structured peer discussion, and each cohort keeps in "
    "touch after the program ends",
    "Past cohorts describe the group as a source of practical guidance, encouragement and candid feedback that "
    "complements traditional senior mentoring",
    "The program is evaluated every year and its curriculum is revised with participants.",
]

# Facet distributions, loosely following the real catalog and the review's taxonomy (weights, not counts).
TYPE_WEIGHTS = {
    "institutional-program": 30,
    "leadership-program": 15,
    "professional-society": 15,
    "trainee-program": 10,
    "training-grant": 8,
    "online-community": 8,
    "small-group": 8,
    "informal-network": 6,
}
FOCUS_WEIGHTS = {"open": 55, "women": 25, "underrepresented-in-medicine": 15, "physician-parents": 5}
FORMAT_WEIGHTS = {"in-person": 55, "virtual": 25, "online": 20}
STAGES = ["student", "trainee", "early-career", "mid-career", "senior"]
ACCESS_BY_TYPE = {
    "institutional-program": "institution",
    "training-grant": "award-holders",
    "professional-society": "members",
}
SCOPE_BY_TYPE = {
    "institutional-program": ["institutional"],
    "small-group": ["institutional", "regional"],
    "informal-network": ["institutional", "regional", "national"],
    "online-community": ["national", "international"],
    "training-grant": ["institutional", "national"],
}
SPONSOR_BY_TYPE = {
    "institutional-program": ["academic-institution"],
    "professional-society": ["professional-society"],
    "training-grant": ["government", "academic-institution"],
    "online-community": ["independent", "professional-society"],
    "small-group": ["independent", "academic-institution"],
    "informal-network": ["independent"],
}

#: Words a searcher would type, drawn from the same pools as the catalog's text (used by the query mix).
VOCABULARY = sorted(
    {
        w.lower()
        for phrase in [
            *PLACES,
            *[a for group in AUDIENCES.values() for a in group],
            *[t for group in TOPICS.values() for t in group],
            *[n for group in NOUNS.values() for n in group],
            *ACTIVITIES,
            *TAGS,
        ]
        for w in re.findall(r"[A-Za-z][A-Za-z'-]+", phrase)
        if len(w) > 3
    }
)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _several(rng: random.Random, weights: dict[str, int], most: int) -> list[str]:
    """One value by weight, sometimes a few more: a multi-valued facet."""
    chosen = [_pick(rng, weights)]
    while len(chosen) < most and rng.random() < 0.25:
        extra = _pick(rng, weights)
        if extra not in chosen:
            chosen.append(extra)
    return chosen


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70].strip("-")


def _sponsor(rng: random.Random, kind: str, place: str) -> str:
    if kind == "academic-institution":
        return f"{place} {rng.choice(INSTITUTIONS)}"
    if kind == "professional-society":
        return f"{rng.choice(['American', 'National', 'International', place])} {rng.choice(SOCIETIES)}"
    if kind == "government":
        return rng.choice(AGENCIES)
    if kind == "foundation":
        return f"{place} {rng.choice(FOUNDATIONS)}"
    return f"{place} Peer Collective"


def _description(rng: random.Random, name: str, audience: str, topic: str, activities: Sequence[str]) -> str:
    """Two to a dozen sentences; about one in twenty is long (over 2,000 characters)."""
    sentences = [
        f"The {name} brings together {audience.lower()} with an interest in {topic.lower()}.",
        f"Its sessions focus on {', '.join(activities[:-1])} and {activities[-1]}."
        if len(activities) > 1
        else f"Its sessions focus on {activities[0]}.",
    ]
    extra = rng.randint(0, 4) if rng.random() > 0.05 else rng.randint(14, 22)
    for _ in range(extra):
        sentence = rng.choice(FILLER).rstrip(".")
        sentences.append(f"{sentence}, with particular attention to {rng.choice(ACTIVITIES)}.")
    return " ".join(sentences)[:3990]


def _program(rng: random.Random, names: set[str], ids: set[str]) -> dict[str, Any]:
    kind = _pick(rng, TYPE_WEIGHTS)
    focus = _several(rng, FOCUS_WEIGHTS, 2)
    if "open" in focus:
        focus = ["open"]
    specialty = "any" if rng.random() < 0.45 else rng.choice([s for s in TOPICS if s != "any"])
    specialties = [specialty]
    if specialty not in {"any", "internal-medicine"} and rng.random() < 0.15:
        specialties.append("internal-medicine")
    place = rng.choice(PLACES)
    audience = rng.choice(AUDIENCES[focus[0]])
    topic = rng.choice(TOPICS[specialty])
    words = [place, audience, topic, rng.choice(NOUNS[kind])]
    base = " ".join(words if rng.random() < 0.7 else [w for w in words if w != audience])
    name, n = base, 1
    while normalize(name) in names:
        n += 1
        name = f"{base} {n}"
    names.add(normalize(name))
    pid, n = _slug(name), 1
    while pid in ids:
        n += 1
        pid = f"{_slug(name)}-{n}"
    ids.add(pid)
    aliases = []
    acronym = "".join(w[0] for w in name.split() if w[0].isupper())
    if len(acronym) >= 3 and rng.random() < 0.6 and normalize(acronym) not in names:
        names.add(normalize(acronym))
        aliases.append(acronym)
    first = rng.randrange(len(STAGES))
    stages = STAGES[first : first + rng.choice([1, 1, 2, 2, 3])]
    activities = rng.sample(ACTIVITIES, rng.randint(1, 4))
    sponsor_type = rng.choice(SPONSOR_BY_TYPE.get(kind, ["academic-institution", "professional-society", "foundation"]))
    program: dict[str, Any] = {
        "id": pid,
        "name": name,
        "aliases": aliases,
        "summary": f"A {kind.replace('-', ' ')} where {audience.lower()} in {topic.lower()} practise "
        f"{activities[0]} with peers.",
        "description": _description(rng, name, audience, topic, activities),
        "sponsor": _sponsor(rng, sponsor_type, place),
        "sponsor_type": sponsor_type,
        "type": kind,
        "career_stages": stages,
        "demographic_focus": focus,
        "formats": _several(rng, FORMAT_WEIGHTS, 2),
        "scope": rng.choice(SCOPE_BY_TYPE.get(kind, ["regional", "national", "international"])),
        "specialties": specialties,
        "status": "unverified",  # no rng call: the programs generated stay the same as before
        "access": ACCESS_BY_TYPE.get(kind, "anyone"),
    }
    if rng.random() < 0.6:
        program["eligibility"] = f"Open to {audience.lower()} at the {stages[0]} stage."
    if rng.random() < 0.4:
        program["cost"] = rng.choice(["Free", "No cost to participants", f"${rng.randint(2, 60) * 100} per year"])
    if rng.random() < 0.5:
        program["duration"] = rng.choice(["One year", "Six months", "Two years", "Ongoing", "Nine monthly sessions"])
    if rng.random() < 0.5:
        program["founded"] = rng.randint(1975, 2025)
    if rng.random() < 0.3:
        program["outcomes"] = rng.sample(OUTCOMES, rng.randint(1, 2))
    if rng.random() < 0.7:
        program["url"] = f"https://example.org/{pid}"
    program["sources"] = [dict(ARTICLE)]
    program["last_verified"] = TODAY - dt.timedelta(days=rng.randint(0, 900))
    program["date_added"] = program["last_verified"] - dt.timedelta(days=rng.randint(0, 300))
    program["tags"] = rng.sample(TAGS, rng.randint(0, 5))
    return {k: v for k, v in program.items() if v != []}


def generate(n: int, *, seed: int = 1) -> str:
    """The YAML text of a catalog of `n` programs."""
    rng = random.Random(f"{seed}:{n}")
    names: set[str] = set()
    ids: set[str] = set()
    programs = [_program(rng, names, ids) for _ in range(n)]
    data = {"title": f"Synthetic catalog of {n} programs", "programs": programs}
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=110)


def catalog_path(n: int, seed: int = 1) -> Path:
    return OUT / f"catalog-{n}.yaml" if seed == 1 else OUT / f"catalog-{n}-s{seed}.yaml"


def ensure(n: int, *, seed: int = 1, out: Path | None = None) -> Path:
    """Write the catalog unless the same file is already there; return its path."""
    path = out or catalog_path(n, seed)
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    header = f"# bench.generate n={n} seed={seed} source={source}\n"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            if f.readline() == header:  # made by this very generator: the same bytes again
                return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + generate(n, seed=seed), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, help="number of programs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="output file (default: bench/out/catalog-N.yaml)")
    parser.add_argument("--check", action="store_true", help="validate the result with app.catalog.validate")
    args = parser.parse_args(argv)
    path = ensure(args.n, seed=args.seed, out=args.out)
    if args.check:
        from app.catalog.validate import load_catalog

        catalog = load_catalog(path, max_bytes=1 << 30, max_programs=max(args.n, 1))
        print(f"{path}: {len(catalog.programs)} programs, valid (version {catalog.version})")
    else:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
