"""Similar programs on the bundled catalog: a program's field (its specialty) counts, and one sponsor does not fill
the list (issue 24: the Endocrine Society's programs listed none of the ADA's)."""

from __future__ import annotations

from collections import Counter

from tests.support.app import Client
from tests.support.html import page

ENDOCRINE_SOCIETY = [
    "endocrine-society-flare",
    "endocrine-society-excel",
    "endocrine-society-global-leadership-academy",
    "endocrine-society-future-leaders",
]


def similar(real: Client, program_id: str) -> list[dict[str, str]]:
    return [
        {"id": r["id"], "sponsor": r["sponsor"]}
        for r in real.get(f"/api/v1/programs/{program_id}/similar").json()["results"]
    ]


def test_the_endocrine_societys_programs_list_the_adas(real: Client) -> None:
    for program_id in ENDOCRINE_SOCIETY:
        sponsors = Counter(s["sponsor"] for s in similar(real, program_id))
        assert sponsors["American Diabetes Association (ADA)"] >= 1, (program_id, sponsors)
        assert sponsors["Endocrine Society"] <= 2, (program_id, sponsors)
    soup = page(real, "/programs/endocrine-society-flare")  # the page shows the same list
    shown = [a["href"].split("?")[0].rsplit("/", 1)[1] for a in soup.select(".similar a[href^='/programs/']")]
    assert shown == [s["id"] for s in similar(real, "endocrine-society-flare")]


def test_no_sponsor_fills_a_programs_similar_list(real: Client) -> None:
    records = real.get("/api/v1/programs?per_page=100&fields=sponsor").json()["results"]
    for record in records[::3]:
        own = [s for s in similar(real, record["id"]) if s["sponsor"] == record["sponsor"]]
        assert len(own) <= 2, (record["id"], own)
