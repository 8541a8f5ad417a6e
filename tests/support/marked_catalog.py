"""A small catalog with every status and access value, whose curator-only texts carry marker strings."""

from __future__ import annotations

QUOTE_MARK = "QUOTEMARKERzq"  # in every quote: must never reach a public page, answer, export or feed
NOTE_MARK = "NOTEMARKERzq"  # in every note


def entry(pid: str, name: str, *, status: str, access: str, type_: str = "leadership-program", extra: str = "") -> str:
    """One entry whose second source is a web page (with a marked quote and note) and first the review."""
    status_lines = f"    status: {status}\n" + ("    status_source: 2\n" if status != "unverified" else "")
    return f"""\
  - id: {pid}
    name: {name}
    summary: A peer leadership course for {name} faculty.
    description: >-
      {name} brings faculty together for leadership training and peer mentoring over a year.
    sponsor: {name} Foundation
    sponsor_type: foundation
    type: {type_}
    career_stages: [mid-career]
    demographic_focus: [open]
    formats: [in-person]
    scope: national
    specialties: [any]
{status_lines}{extra}    access: {access}
    sources:
      - title: The review
        doi: 10.1136/jim-2020-001391
        note: {NOTE_MARK} review note of {pid}.
      - title: {name} home page
        publisher: {name} Foundation
        url: https://example.org/{pid}
        accessed: 2026-12-01
        quote: "{QUOTE_MARK} {name} runs a peer leadership course."
        note: {NOTE_MARK} page note of {pid}.
    last_verified: 2026-12-01
    date_added: 2026-11-26
    tags: [leadership, peer mentoring]
"""


def catalog(ended: bool = True) -> str:
    """Four programs: active (anyone), ended in 2024 (or still active), unverified (institution), award holders."""
    status = "ended" if ended else "active"
    return "programs:\n" + "".join(
        [
            entry("alpha-leaders", "Alpha Leaders", status="active", access="anyone"),
            entry(
                "beta-leaders",
                "Beta Leaders",
                status=status,
                access="nomination",
                extra="    status_since: 2024\n" if ended else "",
            ),
            entry("gamma-group", "Gamma Group", status="unverified", access="institution"),
            entry("delta-meeting", "Delta Meeting", status="active", access="award-holders", type_="training-grant"),
        ]
    )
