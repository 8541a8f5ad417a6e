"""The shapes of the API's answers, as pydantic models: what /openapi.json says each route returns."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from app.catalog.models import Program


class Links(BaseModel):
    self: str = Field(description="This program's API record.")
    html: str = Field(description="This program's web page.")


class Highlights(BaseModel):
    name: str = Field(description="The name, HTML-escaped, with the matched words in <mark>.")
    snippet: str = Field(description="The summary or a passage of the description, HTML-escaped, matches in <mark>.")


class ProvenanceOut(BaseModel):
    kind: Literal["confirmed", "program-page", "public-page", "review"] = Field(
        description="How its facts were checked: confirmed with the program (confirmed_with_program); checked "
        "against a page on the program's or its sponsor's website; checked against others' public pages only; or "
        "taken from the 2020 review and not yet checked against a current source."
    )
    checked_on: dt.date | None = Field(
        description="The day of that check: confirmed_with_program, or the latest day a curator read such a page "
        "(its source's accessed); null for the review."
    )
    due: bool = Field(
        description="Due for a fresh check: checked_on is more than the server's recheck months (default 12) "
        "ago, or null."
    )


# Every catalog field may be left out by `fields=`; the id and links are always there.
_RECORD: dict[str, Any] = {
    "id": (str, Field(description="Stable slug.")),
    **{
        name: (info.annotation | None, Field(None, description=info.description))  # type: ignore[operator]
        for name, info in Program.model_fields.items()
        if name != "id"
    },
    "provenance": (ProvenanceOut | None, Field(None, description="How its facts were checked, and whether again.")),
    "created_at": (
        dt.datetime | None,
        Field(
            None,
            description="When this server's database first stored the program (see date_added for when it "
            "entered the catalog, the same on every server).",
        ),
    ),
    "updated_at": (
        dt.datetime | None,
        Field(None, description="When this server's database last stored a change to its record (for updated_since)."),
    ),
    "highlights": (Highlights | None, Field(None, description="With q only: the matches marked up.")),
    "links": (Links, ...),
}
ProgramOut: Any = create_model("ProgramRecord", **_RECORD)
PART = (
    "Search results only. With a demographic focus or specialty chosen (or named by the words), the part of the "
    "results the program is in, listed in this order: `aimed` (it carries a value chosen or named), `open` (open to "
    "everyone or to any specialty: Also open to you), `other` (a match of the words aimed at another group); each "
    "part in the order asked for. Left out when no such value is chosen or named."
)
PartName = Literal["aimed", "open", "other"]
HitOut: Any = create_model("SearchHit", __base__=ProgramOut, part=(PartName | None, Field(None, description=PART)))


class PartCount(BaseModel):
    name: PartName
    count: int = Field(description="Programs of the results in this part.")


class FacetCount(BaseModel):
    value: str
    label: str
    count: int = Field(
        description="Matches if this value alone were chosen in this facet, the other facets' filters applied; "
        "with include_open, a value of demographic_focus or specialty counts the programs open to all too."
    )
    selected: bool
    gives: int = Field(
        description="What choosing it here gives: `count`, except for a value not chosen in a facet with values "
        "chosen, where it is added to them (OR): the search's total with it ticked too."
    )


class PageLinks(BaseModel):
    self: str
    next: str | None
    prev: str | None


class Removed(BaseModel):
    """A program that left the catalog. A rename names the program that replaces it: move your copy to that id
    (its record is among the changed programs); a client that only drops the id still ends with the same records."""

    id: str
    removed_at: dt.datetime
    replaced_by: str | None = Field(None, description="A rename only: the id of the program that replaces this one.")
    replaced_at: dt.datetime | None = Field(None, description="A rename only: when (the same as removed_at).")


class SuggestedFilter(BaseModel):
    facet: str = Field(description="The facet, which is also the query parameter.")
    facet_label: str
    value: str
    label: str
    q: str = Field(description="The other words: search them with the filter selected.")
    total: int = Field(description="Programs that search finds.")


class Escape(BaseModel):
    kind: Literal["word", "filter"]
    name: str = Field(description="The word, or the facet (the query parameter) whose filter to remove.")
    label: str = Field(description="What to show: the word, or the facet and its selected values' labels.")
    q: str = Field(description="The query's words without this one.")
    total: int = Field(description="Programs found without it.")


class GuideLink(BaseModel):
    title: str
    url: str


ProgramPage: Any = create_model(
    "ProgramPage",
    total=(int, Field(description="Programs matching the whole query.")),
    page=(int, ...),
    per_page=(int, ...),
    pages=(int, ...),
    results=(list[HitOut], ...),
    facets=(dict[str, list[FacetCount]], Field(description="One key per facet, its values in vocabulary order.")),
    with_link=(
        int,
        Field(description="Matches with a followable link (own page or sponsor's website): what has_link=true gives."),
    ),
    links=(PageLinks, ...),
    suggestion=(
        str | None,
        Field(
            description="The query respelled: each unknown word as the close, known word searched for in its place "
            "(one typo from 5 letters, two from 9, same first two letters); only when that finds something."
        ),
    ),
    relaxed=(bool, Field(description="No program matched every word; these match some of them.")),
    suggested_filters=(
        list[SuggestedFilter],
        Field(
            description="Facet values the words name (by label, synonym or word form: `virtual`, `URM`, "
            "`gastroenterologists`), not selected yet, with the search they lead to. Programs carrying them already "
            "rank first."
        ),
    ),
    escapes=(
        list[Escape],
        Field(description="Only when nothing matched: each word or facet filter whose removal finds something."),
    ),
    guides=(
        list[GuideLink],
        Field(description="Pages of the site that answer what the words ask (how to start a peer group)."),
    ),
    parts=(
        list[PartCount],
        Field(description="The results' parts in listing order, with their sizes (see a result's `part`); else empty."),
    ),
    version=(str, Field(description="The catalog version; the page links carry it (a changed one is a 409).")),
    sync_token=(str, Field(description="Pass it as since= later to learn exactly what changed after this answer.")),
    removed=(
        list[Removed] | None,
        Field(
            None,
            description="With since or updated_since only: programs removed from the catalog (or renamed) since then, "
            "by id, paged beside the results: each page lists up to per_page of them, so a walk through the `next` "
            "links lists each once (`pages` counts the pages either needs).",
        ),
    ),
)
Similar: Any = create_model("Similar", id=(str, ...), results=(list[ProgramOut], ...))


class Term(BaseModel):
    value: str
    label: str
    definition: str
    count: int = Field(description="Programs carrying this value.")
    next_step: str | None = Field(
        None,
        description="Program types, and the access values that override them: general guidance on how a faculty "
        "member takes the next step.",
    )


class Vocabulary(BaseModel):
    name: str = Field(description="The query parameter.")
    field: str = Field(description="The record field it tags.")
    label: str
    definition: str
    multi: bool = Field(description="Whether a program can carry several values.")
    wildcard: str | None = Field(
        description="The value meaning not limited to one group or specialty, which include_open=true adds to a choice."
    )
    default: list[str] = Field(
        default_factory=list,
        description="The values a search keeps when this parameter is not given (status: active and unverified).",
    )
    terms: list[Term]


class Vocabularies(BaseModel):
    vocabularies: list[Vocabulary]


class RejectedError(BaseModel):
    line: int
    column: int
    field: str
    message: str
    text: str = Field(description="The whole error as `path:line:column field: message`.")


class RejectedFile(BaseModel):
    file_digest: str = Field(description="The rejected file's content hash.")
    rejected_at: dt.datetime
    errors: list[RejectedError]


class HeldFile(BaseModel):
    file_digest: str = Field(description="The held file's content hash.")
    held_since: dt.datetime
    removals: int = Field(description="How many stored programs the file would remove.")
    programs_stored: int
    removed_ids: list[str] = Field(description="The first few ids it would remove.")
    confirm: str = Field(description="How a curator loads it anyway.")


class ReloadError(BaseModel):
    at: dt.datetime
    what: str = Field(description="What failed: 'database: <error>' or 'disk: <error>'.")


class License(BaseModel):
    name: str = Field(description="The licence the catalog's data are published under, e.g. CC BY 4.0.")
    url: str


class About(BaseModel):
    license: License | None
    citation: str | None = Field(description="A text to cite the catalog by, naming its version and date.")


class CatalogInfo(About):
    version: str = Field(description="A content hash of the whole catalog.")
    title: str | None
    program_count: int
    loaded_at: dt.datetime
    rejected: RejectedFile | None = Field(
        description="While the catalog file is invalid: what was refused and why; the last good catalog is served."
    )
    held: HeldFile | None = Field(
        description="While the catalog file would remove many programs at once: held until it changes or a curator "
        "confirms it; the current catalog is served."
    )
    last_reload_error: ReloadError | None = Field(
        description="The last reload, when it failed on the database or the disk (cleared by the next success)."
    )


class SnapshotFile(BaseModel):
    name: str = Field(description="<day loaded>-<catalog version>-<database epoch>-<load sequence number>.")
    version: str = Field(description="The catalog version it holds.")
    sync_token: str = Field(description="Pass as since= after loading it, to learn every later change.")
    seq: int = Field(description="The load's sequence number.")
    created_at: dt.datetime = Field(description="When the catalog version was loaded.")
    records: int = Field(description="Programs in it, one JSON record a line.")
    bytes: int = Field(description="The file's length.")
    sha256: str = Field(description="The file's SHA-256, in hex (also in its Repr-Digest header).")
    url: str


class SnapshotList(About):
    snapshots: list[SnapshotFile] = Field(description="The snapshots kept, newest first.")


class Problem(BaseModel):
    """An error, as application/problem+json (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    param: str | None = Field(None, description="The query parameter at fault.")
    value: str | None = Field(None, description="Its value.")
    valid: list[str] | None = Field(None, description="What it accepts.")
