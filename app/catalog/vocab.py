"""The controlled vocabularies: defined once, read by the validator, search, API and pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    value: str
    label: str
    definition: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One facet: its name in the API, the program field it tags, and its terms in display order."""

    name: str
    field: str
    label: str
    definition: str
    terms: tuple[Term, ...]
    multi: bool = True
    wildcard: str | None = None  # the value meaning "open to every other value" (matched too with include_open)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.terms)

    def term(self, value: str) -> Term | None:
        return next((t for t in self.terms if t.value == value), None)

    def label_of(self, value: str) -> str:
        term = self.term(value)
        return term.label if term else value


def _terms(*rows: tuple[str, str, str]) -> tuple[Term, ...]:
    return tuple(Term(*row) for row in rows)


CAREER_STAGE = Vocabulary(
    "career_stage",
    "career_stages",
    "Career stage",
    "Where in an academic career the program's participants are.",
    _terms(
        ("student", "Student", "Medical, graduate and other health-professions students."),
        ("trainee", "Trainee", "Residents, clinical fellows and postdoctoral fellows."),
        (
            "early-career",
            "Early-career faculty",
            "Junior faculty: instructors, assistant professors and K awardees.",
        ),
        ("mid-career", "Mid-career faculty", "Faculty at about the associate-professor level."),
        ("senior", "Senior faculty and leaders", "Professors, chairs, deans and executive leaders."),
    ),
)

DEMOGRAPHIC_FOCUS = Vocabulary(
    "demographic_focus",
    "demographic_focus",
    "Demographic focus",
    "The group a program is designed for, if any.",
    _terms(
        ("women", "Women", "Designed for women in medicine and science."),
        (
            "underrepresented-in-medicine",
            "Underrepresented in medicine",
            "Designed for racial and ethnic minority and other underrepresented faculty.",
        ),
        ("physician-parents", "Physician parents", "Designed for physicians who are parents."),
        ("open", "Open to all", "Open to everyone in its audience; no particular group."),
    ),
    wildcard="open",
)

FORMAT = Vocabulary(
    "format",
    "formats",
    "Format",
    "How participants meet.",
    _terms(
        ("in-person", "In person", "Participants meet face to face."),
        ("virtual", "Virtual", "Live meetings by video or phone."),
        ("online", "Online", "Asynchronous: forums, email lists and social-media groups."),
    ),
)

PROGRAM_TYPE = Vocabulary(
    "type",
    "type",
    "Program type",
    "The model of peer mentoring, after the review article's taxonomy.",
    _terms(
        (
            "leadership-program",
            "Leadership program",
            "Formal leadership training that brings peers together, such as AAMC seminars or ELAM.",
        ),
        (
            "institutional-program",
            "Institutional program",
            "A formal peer-mentoring program run by one school or department for its own faculty.",
        ),
        (
            "professional-society",
            "Professional-society group",
            "A women's-leadership or diversity group within a national professional society.",
        ),
        (
            "trainee-program",
            "Trainee program",
            "Peer networking and workshops for trainees, often at a society's scientific meeting.",
        ),
        (
            "training-grant",
            "Training-grant program",
            "Peer mentoring built into a career-development grant program such as K12 or KL2.",
        ),
        (
            "online-community",
            "Online community",
            "A social-media group, forum, email list or platform where peers trade advice.",
        ),
        (
            "small-group",
            "Small peer group",
            "A small, committed, confidential group on the Every Other Thursday model.",
        ),
        (
            "informal-network",
            "Informal network",
            "Peers who meet through a shared place, interest or goal, without a formal structure.",
        ),
    ),
    multi=False,
)

SCOPE = Vocabulary(
    "scope",
    "scope",
    "Scope",
    "How widely a program draws its participants.",
    _terms(
        ("institutional", "Institutional", "Open to one institution's own people."),
        ("regional", "Regional", "Draws from one region."),
        ("national", "National", "Draws from across one country."),
        ("international", "International", "Draws from several countries."),
    ),
    multi=False,
)

SPONSOR_TYPE = Vocabulary(
    "sponsor_type",
    "sponsor_type",
    "Sponsor type",
    "The kind of organization that runs or funds the program.",
    _terms(
        ("academic-institution", "Academic institution", "A university, medical school or academic medical center."),
        ("professional-society", "Professional society", "A professional association or society."),
        ("government", "Government", "A government agency, such as the NIH."),
        ("foundation", "Foundation", "A private foundation."),
        ("independent", "Independent", "A company, a group of individuals or a self-organized community."),
    ),
    multi=False,
)

SPECIALTY = Vocabulary(
    "specialty",
    "specialties",
    "Specialty",
    "The clinical or research field a program serves.",
    _terms(
        ("any", "Any specialty", "Open to every specialty."),
        ("bone-and-mineral", "Bone and mineral research", "Bone and mineral metabolism research."),
        ("cardiology", "Cardiology", "Heart and vascular medicine."),
        ("emergency-medicine", "Emergency medicine", "Emergency medicine."),
        ("endocrinology", "Endocrinology", "Endocrinology, diabetes and metabolism."),
        ("gastroenterology", "Gastroenterology", "Digestive diseases and hepatology."),
        ("internal-medicine", "Internal medicine", "Internal medicine and its subspecialties."),
        ("nephrology", "Nephrology", "Kidney disease."),
        ("neurology", "Neurology", "Neurology and neuroscience."),
        ("pulmonary-critical-care", "Pulmonary and critical care", "Lung disease, critical care and sleep medicine."),
        ("rheumatology", "Rheumatology", "Rheumatic and autoimmune disease."),
        (
            "womens-reproductive-health",
            "Women's and reproductive health",
            "Women's health, obstetrics, gynecology and reproductive science.",
        ),
    ),
    wildcard="any",
)

#: Every facet, in the order the API and the pages show them.
FACETS: dict[str, Vocabulary] = {
    v.name: v for v in (CAREER_STAGE, DEMOGRAPHIC_FOCUS, FORMAT, PROGRAM_TYPE, SCOPE, SPECIALTY, SPONSOR_TYPE)
}

#: The facets with a wildcard value, which `include_open` widens: a selection also matches the wildcard.
WIDENED: tuple[Vocabulary, ...] = tuple(v for v in FACETS.values() if v.wildcard)


@dataclass(frozen=True, slots=True)
class NextStep:
    """What a faculty member can do next about a program of one type: general guidance, never a fact about one."""

    text: str
    link_text: str | None = None
    link_path: str | None = None  # a page of this site


#: One next step per program type, shown on every program page (beside its own and its sponsor's website).
NEXT_STEPS: dict[str, NextStep] = {
    "leadership-program": NextStep(
        "Leadership programs of this kind usually take applications or nominations once a year, and many ask for a "
        "letter from your chair or dean. Look for the current call on the sponsor's website, and ask your "
        "faculty-affairs office whether your institution nominates or pays for participants."
    ),
    "institutional-program": NextStep(
        "Institutional programs serve their own institution's faculty. If you work there, ask your department or "
        "faculty-affairs office how to take part; if not, ask your own faculty-affairs office whether a similar "
        "program exists where you are."
    ),
    "professional-society": NextStep(
        "Society groups are reached through the society: most are open to its members. Look for the society's "
        "women's-leadership or diversity committee on its website, or ask for it at the society's annual meeting."
    ),
    "trainee-program": NextStep(
        "Trainee programs of this kind usually run at the society's scientific meeting. Look for trainee or "
        "early-career sessions in the meeting programme on the society's website, and ask your program director "
        "about travel support."
    ),
    "training-grant": NextStep(
        "Training grants are awarded to institutions, not to individuals: ask your research office whether your "
        "institution holds one, who directs it there, and when it next selects scholars."
    ),
    "online-community": NextStep(
        "Online communities are usually joined by request on the platform where they live, and many first check "
        "that you are a clinician. Search the platform for the group's name."
    ),
    "small-group": NextStep(
        "A small peer group is something you can start yourself with a few colleagues: the guide shows how to "
        "find members, agree on ground rules and keep meeting.",
        "How to start your own peer group",
        "/models#start-your-own",
    ),
    "informal-network": NextStep(
        "Informal networks have no sign-up: they grow among people who share a place, a stage or a question. "
        "Reach out to peers in your program, department or research area, or start a small group of your own.",
        "How to start your own peer group",
        "/models#start-your-own",
    ),
}
if set(NEXT_STEPS) != set(PROGRAM_TYPE.values):  # pragma: no cover - a curator's mistake, caught at import
    raise RuntimeError("NEXT_STEPS must give one next step for every program type")
