"""What a program page suggests doing next: general guidance by program type and by who can join, never a fact
about one program."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.vocab import ACCESS, PROGRAM_TYPE


@dataclass(frozen=True, slots=True)
class NextStep:
    """What a faculty member can do next about a program of one type or access: general guidance."""

    text: str
    link_text: str | None = None
    link_path: str | None = None  # a page of this site
    keeps: tuple[str, ...] = ()  # for an access step: the program types whose own step already fits this access


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

#: Next steps for who can join, where the type's step would mislead (an award holders' meeting is not reached by
#: finding a training grant): these take precedence, except for the types listed in `keeps`.
ACCESS_STEPS: dict[str, NextStep] = {
    "institution": NextStep(
        "This program serves one institution's own faculty. If you work there, ask your department or "
        "faculty-affairs office how to take part; if not, ask your own faculty-affairs office whether a similar "
        "program exists where you are, or start a small peer group yourself.",
        "How to start your own peer group",
        "/models#start-your-own",
        keeps=("institutional-program",),
    ),
    "award-holders": NextStep(
        "Only holders of the award or grant this program serves take part. If you hold one, its program staff, "
        "your program director or your program officer can tell you when and how to take part; if not, look at "
        "the similar programs below, or ask your research office which career-development awards you could apply "
        "for."
    ),
    "nomination": NextStep(
        "Participants are nominated or invited. Ask your chair, dean or faculty-affairs office whether your "
        "institution nominates people for this program, and when its next call for nominations opens."
    ),
    "members": NextStep(
        "This program is for members of its sponsoring society. If you are not a member, the society's website "
        "says how to join; members find the program's current call there or at the society's annual meeting.",
        keeps=("professional-society", "trainee-program", "online-community"),
    ),
}


if set(NEXT_STEPS) != set(PROGRAM_TYPE.values) or not set(ACCESS_STEPS) <= set(ACCESS.values):  # pragma: no cover
    raise RuntimeError("NEXT_STEPS must give one next step for every program type, ACCESS_STEPS only known values")


def next_step(program_type: str, access: str | None) -> NextStep:
    """The next step a program page suggests: who can join decides where it conflicts with the program's type."""
    step = ACCESS_STEPS.get(access or "")
    if step is None or program_type in step.keeps:
        return NEXT_STEPS[program_type]
    return step
