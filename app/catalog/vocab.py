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
    default: tuple[str, ...] = ()  # the values a search keeps when it does not choose any (status: not ended)
    worded: bool = True  # its labels are searchable words ("virtual", "women"); not for status or who can join

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
        ("open", "No particular group", "Not aimed at one group (who may join is said under Who can join)."),
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
        ("any", "Any specialty", "Not limited to one specialty."),
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
        ("pediatrics", "Pediatrics", "Medicine for infants, children and adolescents."),
        ("hematology", "Hematology", "Blood disorders, benign and malignant."),
        ("oncology", "Oncology", "Cancer medicine: medical, radiation and surgical oncology."),
        ("surgery", "Surgery", "General surgery and the surgical specialties."),
        ("transplantation", "Transplantation", "Organ and cell transplantation."),
        ("hospital-medicine", "Hospital medicine", "Care of hospitalized patients by hospitalists."),
        (
            "obstetrics-gynecology",
            "Obstetrics and gynecology",
            "Obstetrics, gynecology and their subspecialties.",
        ),
        ("psychiatry", "Psychiatry", "Psychiatry and behavioral health."),
        ("radiology", "Radiology", "Diagnostic and interventional radiology."),
        ("family-medicine", "Family medicine", "Family medicine and primary care."),
        (
            "womens-reproductive-health",
            "Women's and reproductive health",
            "Women's health, obstetrics, gynecology and reproductive science.",
        ),
    ),
    wildcard="any",
)

ACCESS = Vocabulary(
    "access",
    "access",
    "Who can join",
    "Who may join or apply: anyone in the program's audience, or only a society's members, one institution's "
    "faculty, the holders of an award, or people nominated.",
    _terms(
        (
            "anyone",
            "Open to anyone eligible",
            "Anyone in the audience the program is designed for may join or apply; no membership, employer or "
            "award is required.",
        ),
        (
            "members",
            "Members of the society",
            "Members of the sponsoring society or organization (membership is usually open to apply for).",
        ),
        ("institution", "One institution's faculty", "Faculty of one institution or one department only."),
        (
            "award-holders",
            "Holders of a particular award",
            "People who hold a particular award or grant, such as a career-development award or a training grant.",
        ),
        (
            "nomination",
            "By nomination or invitation",
            "Participants are nominated by their institution or invited by the organizers.",
        ),
    ),
    multi=False,
    worded=False,
)

STATUS = Vocabulary(
    "status",
    "status",
    "Status",
    "Whether the program is still offered, as its cited sources show. Searches leave out ended programs unless "
    "asked for them.",
    _terms(
        ("active", "Active", "A current public page shows the program running."),
        (
            "ended",
            "No longer offered",
            "A source says the program has stopped; its page stays, with similar programs that are active.",
        ),
        (
            "unverified",
            "Not verified",
            "No current public page was found: the entry rests on older sources and may be out of date.",
        ),
    ),
    multi=False,
    default=("active", "unverified"),
    worded=False,
)

#: Every facet, in the order the API and the pages show them.
FACETS: dict[str, Vocabulary] = {
    v.name: v
    for v in (CAREER_STAGE, DEMOGRAPHIC_FOCUS, ACCESS, FORMAT, PROGRAM_TYPE, SCOPE, SPECIALTY, SPONSOR_TYPE, STATUS)
}

#: The facets with a wildcard value, which `include_open` widens: a selection also matches the wildcard.
WIDENED: tuple[Vocabulary, ...] = tuple(v for v in FACETS.values() if v.wildcard)
