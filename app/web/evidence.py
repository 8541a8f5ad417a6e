"""The /models page's content: the review's eight models of peer mentoring, each strength and weakness with the
evidence the review gives for it, and the review's references that evidence points to.

Everything here restates the review (Cree-Green et al., J Investig Med 2020, doi:10.1136/jim-2020-001391) in our
own words; its reference numbers are the article's own. A reference links to its DOI or PubMed record where a
program of the catalog cites it (data/programs.yaml), to a PubMed search for its exact title when it is a journal
article, and to the directory's own entry when it is a program's page or a book; a point the review makes without a
reference cites the review itself, and a point that is ours, not the review's, says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus

REVIEW = "https://doi.org/10.1136/jim-2020-001391"
THE_REVIEW = 0  # a point the review makes itself, without one of its references
OURS = -1  # a point of this directory, read from the programs' pages: not the review's


@dataclass(frozen=True, slots=True)
class Reference:
    number: int
    title: str
    href: str | None
    where: str  # what the link opens: "DOI", "PubMed", "PubMed search", "In this directory"


@dataclass(frozen=True, slots=True)
class Point:
    text: str
    refs: tuple[int, ...]  # the review's reference numbers, THE_REVIEW or OURS


@dataclass(frozen=True, slots=True)
class Model:
    what: str
    good: tuple[Point, ...]
    bad: tuple[Point, ...]


def _searched(number: int, title: str) -> Reference:
    term = quote_plus(f'"{title}"')
    return Reference(number, title, f"https://pubmed.ncbi.nlm.nih.gov/?term={term}", "PubMed search")


def _entry(number: int, title: str, program: str) -> Reference:
    return Reference(number, title, f"/programs/{program}", "In this directory")


REFERENCES: dict[int, Reference] = {
    r.number: r
    for r in (
        _searched(
            11,
            "Facilitated peer mentorship: a pilot program for academic advancement of female medical faculty",
        ),
        Reference(
            12,
            "Long-term follow-up of a facilitated peer mentoring program",
            "https://pubmed.ncbi.nlm.nih.gov/24286367/",
            "PubMed",
        ),
        _searched(
            13,
            "A facilitated peer mentoring program for junior faculty to promote professional development and "
            "peer networking",
        ),
        _entry(14, "AAMC professional development", "aamc-leadership-development"),
        _searched(
            16,
            "Evaluating a leadership program: a comparative, longitudinal study to assess the impact of the "
            "executive leadership in academic medicine (ELAM) program for women",
        ),
        _searched(
            17,
            "Geographic mobility advances careers: study of the executive leadership in academic medicine "
            "(ELAM) program for women",
        ),
        _entry(19, "UAB School of Medicine early career peer mentoring group", "uab-early-career-peer-mentoring"),
        Reference(
            20,
            "Repaving the road to academic success: the IMeRGE approach to peer mentoring",
            "https://pubmed.ncbi.nlm.nih.gov/16799297/",
            "PubMed",
        ),
        Reference(
            21,
            "The positive impact of a facilitated peer mentoring program on academic skills of women faculty",
            "https://doi.org/10.1186/1472-6920-12-14",
            "DOI",
        ),
        _searched(23, "The power of peer mentorship in medicine"),
        _entry(24, "Physician's Mom's Group com", "physician-moms-group"),
        _entry(25, "Social media's leading physician voice (KevinMD)", "kevinmd"),
        Reference(26, "How the PMG became the mother of all physician support groups", None, "Not linked"),
        _entry(
            27,
            "Every Other Thursday: stories and strategies from successful women scientists (book)",
            "every-other-thursday",
        ),
        _searched(28, "Women's night in emergency medicine mentorship program: a SWOT analysis"),
    )
}


def _p(text: str, *refs: int) -> Point:
    return Point(text, refs)


MODELS: dict[str, Model] = {
    "leadership-program": Model(
        "Structured leadership courses — a national seminar series, a year-long program, or an intensive one-year "
        "fellowship with coaching — adapted from the corporate world to academic medicine. Peers meet because the "
        "course brings together people with similar goals or backgrounds from many institutions.",
        (
            _p("Builds a national network of peers with similar goals or backgrounds.", THE_REVIEW, 14),
            _p("Teaches the skills needed for academic success and leadership.", THE_REVIEW),
            _p(
                "ELAM keeps small regional peer groups of women going during the year and after it; studies of "
                "ELAM report it widens the pool of women ready to lead.",
                16,
                17,
            ),
        ),
        (
            _p("Usually costs a fee, time away and often a nomination from your institution.", OURS),
            _p("The peer contact is tied to the course calendar unless you keep it going yourself.", OURS),
        ),
    ),
    "institutional-program": Model(
        "A formal program run by a school or department for its own faculty, most often to help new faculty through "
        "the move from trainee to faculty member — for example, pairing new faculty with colleagues a few years ahead "
        "of them.",
        (
            _p("Local know-how about your own institution, and frequent face-to-face meetings.", THE_REVIEW, 19, 20),
            _p(
                "Facilitated peer mentoring raised women faculty’s sense of mastery and their publications; a "
                "program open to men and women did the same, more so for women.",
                11,
                13,
            ),
            _p(
                "After a year, women at the Mayo Clinic reported more job satisfaction and better writing "
                "skills; four years on, 43% still met with their group.",
                12,
                21,
            ),
        ),
        (
            _p("Only open to that institution’s people.", OURS),
            _p("Peers share your local blind spots; there is no view from outside.", OURS),
        ),
    ),
    "professional-society": Model(
        "Women’s-leadership groups and diversity programs inside national professional societies. They give people "
        "a “home” at large national meetings across their whole career.",
        (
            _p("Sponsorship: members are nominated for awards, talks, reviews and leadership roles.", THE_REVIEW),
            _p(
                "National recognition and relationships beyond your own institution, which count for promotion.",
                THE_REVIEW,
            ),
            _p("Shared resources for career development and mentoring.", THE_REVIEW),
        ),
        (
            _p("Contact is often concentrated around the yearly meeting.", OURS),
            _p("Tied to one field or society, and usually to membership.", OURS),
        ),
    ),
    "trainee-program": Model(
        "Networking and small-group workshops for students, residents and fellows, usually held at a society’s "
        "scientific meeting and sometimes continued online or by video through the year.",
        (
            _p("Meet peers at the same stage from other institutions.", THE_REVIEW),
            _p(
                "Small-group workshops, facilitated by more experienced mentors, on specific career questions.",
                THE_REVIEW,
            ),
            _p("Online forums give quick answers in real time, at lower cost than travel.", THE_REVIEW),
        ),
        (
            _p("In-person parts mean travelling to the meeting.", OURS),
            _p("Short contact unless a virtual component keeps the group together.", OURS),
        ),
    ),
    "training-grant": Model(
        "Career-development grant programs (such as K12 and KL2, and foundation awards) that build peer training "
        "sessions, cohorts and yearly meetings of awardees into the award.",
        (
            _p("Lasting peer relationships within a local cohort, as described of KL2 programs.", 23),
            _p("Cross-disciplinary by design, which breeds collaborations and new ideas.", THE_REVIEW),
            _p("Both local and national peers.", THE_REVIEW),
        ),
        (
            _p("Only for those who hold the grant or award.", OURS),
            _p("Tied to the length of the award.", OURS),
        ),
    ),
    "online-community": Model(
        "Members-only social-media groups, email lists and forums where peers ask for and give specific advice; and "
        "open platforms with essays and comments but no real engagement process.",
        (
            _p("Open at any hour, from anywhere, across institutional, financial and geographic barriers.", THE_REVIEW),
            _p("Can form quickly around a new problem — as groups did in the COVID-19 pandemic.", THE_REVIEW),
            _p(
                "Subgroups by place, specialty or interest make a large group personal again, and some go on to"
                " meet in person.",
                24,
            ),
        ),
        (
            _p("Very large groups feel impersonal and stop meeting some members’ needs.", 26),
            _p("Less focus without firm rules (for example, no political posts).", THE_REVIEW),
            _p("Informative platforms let you comment but do not build relationships.", 25),
        ),
    ),
    "informal-network": Model(
        "Colleagues who find each other through a shared place, timeline or interest — the trainees in one program, "
        "or the people who share a research question — and support each other without any formal structure.",
        (
            _p("The most organic and personal form of peer support.", THE_REVIEW),
            _p("Helps with both professional and personal challenges, and gives social support.", THE_REVIEW),
        ),
        (
            _p(
                "No structure: expectations can go unmet, and loosely structured meetings can drift into negativity.",
                THE_REVIEW,
                28,
            ),
            _p(
                "Leaves out people who are not already in the circle — the “good ol’ boys club” problem that "
                "excludes those underrepresented in medicine.",
                THE_REVIEW,
            ),
        ),
    ),
    "small-group": Model(
        "A small group that chooses to meet regularly to solve problems together, on the model of “Every Other "
        "Thursday”, the book about a group of women scientists who started doing this in the 1970s. Each meeting, "
        "members bring a professional or personal problem and the others listen and advise.",
        (
            _p("A confidential, safe space for sensitive topics.", 27),
            _p("Customized to its members; they need not share a discipline.", 27),
            _p("Especially valuable for people underrepresented in academic medicine.", THE_REVIEW),
        ),
        (
            _p("Needs commitment from every member and more structure than other models.", THE_REVIEW, 27),
            _p("You have to build it — it does not come with an institution or a society.", OURS),
        ),
    ),
}
