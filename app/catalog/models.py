"""The catalog's schema: pydantic models, defined once, built on the vocabularies."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.catalog.problems import CatalogError as CatalogError
from app.catalog.problems import Problem as Problem
from app.catalog.rules import CURATOR_ONLY, check_status, check_web_source, own_words, quote_length
from app.catalog.vocab import (
    ACCESS,
    CAREER_STAGE,
    DEMOGRAPHIC_FOCUS,
    FORMAT,
    PROGRAM_TYPE,
    SCOPE,
    SPECIALTY,
    SPONSOR_TYPE,
    STATUS,
    Vocabulary,
)


def suggest(word: str, choices: Any) -> str:
    """'; did you mean 'x'?' for a near miss, else ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _in(vocab: Vocabulary) -> Any:
    """A string restricted to one vocabulary, with 'did you mean' errors and an enum in the JSON Schema."""

    allowed = frozenset(vocab.values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"'{value}' is not a {vocab.label.lower()}{suggest(value, vocab.values)}")
        return value

    return Annotated[
        str,
        AfterValidator(check),
        Field(json_schema_extra={"enum": list(vocab.values), "description": vocab.definition}),
    ]


def _unique(values: list[str]) -> list[str]:
    seen = set()
    for v in values:
        if v in seen:
            raise ValueError(f"'{v}' is listed twice")
        seen.add(v)
    return values


def _no_separator(value: str) -> str:
    if ";" in value:
        raise ValueError("';' separates list items in CSV exports: split this into separate items")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Item = Annotated[Text, AfterValidator(_no_separator)]
ID_PATTERN, MAX_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$", 80  # a program's id; the pages read ids from URLs by it too
Slug = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=MAX_ID)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=500)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s/$.?#][^\s]*$", max_length=500)]
EMAIL_PATTERN = r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$", max_length=200)]


@functools.lru_cache(maxsize=1)
def _today_at(minute: int) -> dt.date:
    return dt.date.today()


def _today() -> dt.date:
    """Today's date, asked of the OS once a minute rather than once per program (it showed in the profile)."""
    return _today_at(int(time.time() // 60))


def _year(value: int) -> int:
    if not 1800 <= value <= _today().year:
        raise ValueError(f"{value} is not a plausible year (1800 to {_today().year})")
    return value


def _not_future(value: dt.date) -> dt.date:
    if value > _today():
        raise ValueError(f"{value.isoformat()} is in the future")
    return value


if TYPE_CHECKING:  # to a type checker these are strings; at run time, strings checked against a vocabulary
    Access: TypeAlias = str
    Status: TypeAlias = str
    CareerStage: TypeAlias = str
    DemographicFocus: TypeAlias = str
    Format: TypeAlias = str
    ProgramType: TypeAlias = str
    Scope: TypeAlias = str
    Specialty: TypeAlias = str
    SponsorType: TypeAlias = str
else:
    CareerStage, DemographicFocus, Format = _in(CAREER_STAGE), _in(DEMOGRAPHIC_FOCUS), _in(FORMAT)
    ProgramType, Scope, Specialty, SponsorType = _in(PROGRAM_TYPE), _in(SCOPE), _in(SPECIALTY), _in(SPONSOR_TYPE)
    Access, Status = _in(ACCESS), _in(STATUS)


class Source(BaseModel):
    """A citation: the seed article, a reference it names, or a public web page (url, accessed and quote)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[Text, StringConstraints(max_length=500)]
    publisher: Annotated[Text, StringConstraints(max_length=200)] | None = Field(
        None, description="Who published the page or work, as a reader would name them."
    )
    doi: Doi | None = None
    url: Url | None = None
    accessed: Annotated[dt.date, AfterValidator(_not_future)] | None = Field(
        None, description="The day a curator read the page (required for a web page: url and no doi)."
    )
    reference: Annotated[int, Field(ge=1, le=999)] | None = Field(None, description="Its number in the article.")
    quote: Annotated[Text, AfterValidator(quote_length)] | None = Field(
        None,
        description="For curators only: the sentence on the page that supports the entry, at most 40 words "
        "(required for a web page). Never shown on the website or in the API or exports.",
    )
    note: Text | None = Field(
        None,
        description="For curators only: kept in this file, never shown on the website or in the API or exports.",
    )

    @model_validator(mode="after")
    def _checkable(self) -> Source:
        check_web_source(self, self.accessed, self.quote)
        return self


class Program(BaseModel):
    """One entry of the catalog."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: Slug = Field(description="Stable slug: lowercase letters, digits and hyphens.")
    name: Annotated[Text, StringConstraints(max_length=200)]
    aliases: Annotated[list[Annotated[Item, StringConstraints(max_length=100)]], AfterValidator(_unique)] = []
    summary: Annotated[Text, StringConstraints(max_length=300), AfterValidator(own_words)] = Field(
        description="One sentence."
    )
    description: Annotated[Text, StringConstraints(max_length=4000), AfterValidator(own_words)]
    sponsor: Annotated[Text, StringConstraints(max_length=200)]
    sponsor_type: SponsorType
    type: ProgramType
    career_stages: Annotated[list[CareerStage], Field(min_length=1), AfterValidator(_unique)]
    demographic_focus: Annotated[list[DemographicFocus], Field(min_length=1), AfterValidator(_unique)]
    formats: Annotated[list[Format], AfterValidator(_unique)] = Field(
        [], description="How participants meet; empty when no source says (the page then says so)."
    )
    scope: Scope
    specialties: Annotated[list[Specialty], Field(min_length=1), AfterValidator(_unique)]
    status: Status
    status_since: Annotated[int, AfterValidator(_year)] | None = Field(
        None, description="With status ended only: the year it ended, where a source says it."
    )
    status_source: Annotated[int, Field(ge=1, le=99)] | None = Field(
        None,
        description="The number (1 for the first) of the source that shows the status: required for active and "
        "ended, and then a web page.",
    )
    access: Access
    eligibility: Annotated[Text, StringConstraints(max_length=1000)] | None = None
    cost: Annotated[Text, StringConstraints(max_length=300)] | None = None
    duration: Annotated[Text, StringConstraints(max_length=300)] | None = None
    founded: Annotated[int, AfterValidator(_year)] | None = None
    outcomes: list[Annotated[Item, StringConstraints(max_length=1000)]] = []
    url: Url | None = Field(None, description="The program's own web page.")
    sponsor_url: HttpsUrl | None = Field(
        None,
        description="The sponsor's homepage (https), shown as the sponsor's website, never as the program's own "
        "page. Only a URL that is certain: from the sources, or the organization's well-known root.",
    )
    contact: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)] | None = Field(
        None,
        description="The address the program publishes on its own page for enquiries (only from that page, never a "
        "person's private address); `mentordir recheck --send` mails it a link to confirm the entry.",
    )
    sources: Annotated[list[Source], Field(min_length=1)]
    last_verified: Annotated[dt.date, AfterValidator(_not_future)] = Field(
        description="When a curator last checked this entry against its sources."
    )
    confirmed_with_program: Annotated[dt.date, AfterValidator(_not_future)] | None = Field(
        None, description="When a curator last confirmed this entry against the program's own site or staff."
    )
    date_added: Annotated[dt.date, AfterValidator(_not_future)] = Field(
        description="When this entry entered the catalog (every server shows this date)."
    )
    tags: Annotated[list[Annotated[Item, StringConstraints(max_length=60)]], AfterValidator(_unique)] = []
    replaces: Annotated[list[Slug], AfterValidator(_unique)] = Field(
        [],
        description="The ids this program had before it was renamed: their pages and records redirect to this one, "
        "and syncing clients learn that the old id was replaced by this one. Never the id of a current entry.",
    )

    @model_validator(mode="after")
    def _status_sourced(self) -> Program:
        check_status(self.status, self.status_since, self.status_source, list(self.sources))
        return self

    def facet_values(self, vocab: Vocabulary) -> tuple[str, ...]:
        value = getattr(self, vocab.field)
        return tuple(value) if isinstance(value, list) else (value,)

    @property
    def record(self) -> dict[str, Any]:
        """The program as the public sees it, as plain JSON-ready data in field order: without curators' quotes and
        notes. A new dict at each call, sharing the model's texts: 100,000 records kept as dicts took 0.12 GB more."""
        hidden: dict[str, Any] = {"sources": {"__all__": set(CURATOR_ONLY)}}
        if not self.replaces:  # left out when empty, so that every other record stays as it was before the field
            hidden["replaces"] = True
        return self.model_dump(mode="json", exclude=hidden)

    @property
    def raw(self) -> str:
        """The record as JSON text, as the database stores it."""
        return self._stored[0]

    @property
    def content_hash(self) -> str:
        return self._stored[1]

    @cached_property
    def _stored(self) -> tuple[str, str]:
        record = self.record
        digest = hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
        return orjson.dumps(record).decode(), digest


class License(BaseModel):
    """The licence the catalog's data are published under."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[Text, StringConstraints(max_length=200)]
    url: HttpsUrl


def version_of(hashes: Iterable[tuple[str, str]]) -> str:
    """The catalog version from its programs' (id, content hash) pairs, in any order."""
    digest = hashlib.sha256()
    for program_id, content_hash in sorted(hashes):
        digest.update(f"{program_id}:{content_hash}\n".encode())
    return digest.hexdigest()[:16]


@dataclass
class Catalog:
    programs: list[Program]
    title: str | None = None
    description: str | None = None
    license: License | None = None
    citation: str | None = None
    lines: dict[str, int] = field(default_factory=dict)  # program id -> line of its entry

    @cached_property
    def version(self) -> str:
        """A content hash of the whole catalog: the same programs give the same version."""
        return version_of((p.id, p.content_hash) for p in self.programs)

    def removes(self, stored: Iterable[str]) -> list[str]:
        """The stored ids that loading this catalog removes (what a curator confirms when many go at once): not
        those a program `replaces`, which it renames."""
        return sorted(set(stored) - {p.id for p in self.programs} - {old for p in self.programs for old in p.replaces})


def normalize(text: str) -> str:
    """Case- and punctuation-insensitive form of a name, for comparing names and aliases."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())
