"""The API's OpenAPI description: response shapes, the query parameters (from the vocabularies), the /docs page.

The routes parse their query strings with `app.api.params` (so the API and the website agree); the parameters are
described here for /openapi.json, generated from the same constants and vocabularies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field, create_model

from app.api.params import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, MAX_Q, TOKEN_PATTERN, VERSION_PATTERN
from app.catalog.export import COLUMNS
from app.catalog.models import Program
from app.catalog.vocab import FACETS
from app.search.query import SORTS

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mentor Directory API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs.js"></script>
</body>
</html>
"""


class Links(BaseModel):
    self: str = Field(description="This program's API record.")
    html: str = Field(description="This program's web page.")


class Highlights(BaseModel):
    name: str = Field(description="The name, HTML-escaped, with the matched words in <mark>.")
    snippet: str = Field(description="The summary or a passage of the description, HTML-escaped, matches in <mark>.")


# Every catalog field may be left out by `fields=`; the id and links are always there.
_RECORD: dict[str, Any] = {
    "id": (str, Field(description="Stable slug.")),
    **{
        name: (info.annotation | None, Field(None, description=info.description))  # type: ignore[operator]
        for name, info in Program.model_fields.items()
        if name != "id"
    },
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


class FacetCount(BaseModel):
    value: str
    label: str
    count: int = Field(
        description="Matches if this value alone were chosen in this facet, the other facets' filters applied; "
        "with include_open, a value of demographic_focus or specialty counts the programs open to all too."
    )
    selected: bool


class PageLinks(BaseModel):
    self: str
    next: str | None
    prev: str | None


class Removed(BaseModel):
    id: str
    removed_at: dt.datetime


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
    results=(list[ProgramOut], ...),
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
    version=(str, Field(description="The catalog version; the page links carry it (a changed one is a 409).")),
    sync_token=(str, Field(description="Pass it as since= later to learn exactly what changed after this answer.")),
    removed=(
        list[Removed] | None,
        Field(None, description="With since or updated_since only: programs removed from the catalog since then."),
    ),
)
Similar: Any = create_model("Similar", id=(str, ...), results=(list[ProgramOut], ...))


class Term(BaseModel):
    value: str
    label: str
    definition: str
    count: int = Field(description="Programs carrying this value.")
    next_step: str | None = Field(
        None, description="Program types only: general guidance on how a faculty member takes the next step."
    )


class Vocabulary(BaseModel):
    name: str = Field(description="The query parameter.")
    field: str = Field(description="The record field it tags.")
    label: str
    definition: str
    multi: bool = Field(description="Whether a program can carry several values.")
    wildcard: str | None = Field(description="The value meaning open to all, which include_open=true adds to a choice.")
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


class CatalogInfo(BaseModel):
    version: str = Field(description="A content hash of the whole catalog.")
    title: str | None
    program_count: int
    loaded_at: dt.datetime
    rejected: RejectedFile | None = Field(
        description="While the catalog file is invalid: what was refused and why; the last good catalog is served."
    )


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


ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: `If-None-Match` holds the current ETag."},
    400: {"model": Problem, "description": "An unknown or invalid query parameter, named in `param`."},
    503: {"model": Problem, "description": "No catalog loaded yet, or the database did not answer."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No program with this id."}}


def ok(model: Any, media_type: str | None = None) -> dict[int | str, dict[str, Any]]:
    if media_type is None:
        return {200: {"model": model, "description": "OK"}}
    return {200: {"description": "OK", "content": {media_type: {"schema": {"type": "string"}}}}}


def _param(name: str, schema: dict[str, Any], description: str, **style: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **style}


# A pattern rather than an array with explode=false: an empty array and an empty string would serialize alike.
_NAME = "(" + "|".join(COLUMNS) + ")"
FIELDS = _param(
    "fields",
    {"type": "string", "pattern": f"^{_NAME}(,{_NAME})*$"},
    f"Only these record fields, comma-separated (of {', '.join(COLUMNS)}); `id` and `links` always come.",
)


def parameters(*, paged: bool) -> dict[str, Any]:
    """The search parameters of /programs (and, without page and per_page, of the exports)."""
    params = [
        _param(
            "q",
            {"type": "string", "maxLength": MAX_Q},
            "Words to search for; every word must match (as itself, a synonym or word form, or within the typos its "
            "length allows: one from 5 letters, two from 9), and the last word of 3+ letters also matches the words "
            "it begins (ranked below whole words). Words naming a facet value rank the programs carrying it first.",
        )
    ]
    for vocab in FACETS.values():
        values = {"type": "array", "items": {"type": "string", "enum": list(vocab.values)}}
        description = f"{vocab.label}: {vocab.definition} Repeat (or separate with commas) for any of several."
        params.append(_param(vocab.name, values, description, style="form", explode=True))
    params += [
        _param("sort", {"type": "string", "enum": list(SORTS)}, "Order: relevance (default with q), else name."),
        _param("updated_since", {"type": "string", "format": "date-time"}, "Only programs changed after this."),
        _param(
            "verified_since",
            {"type": "string", "format": "date"},
            "Only programs checked against their sources on or after this date.",
        ),
        _param(
            "include_open",
            {"type": "boolean", "default": False},
            "Eligibility rather than targeting: a demographic_focus choice also matches programs tagged `open`, a "
            "specialty choice programs tagged `any`, and those facets' counts include them. false (the default) "
            "matches only the values chosen.",
        ),
        _param(
            "has_link",
            {"type": "boolean", "default": False},
            "true: only programs with a followable link, their own page (`url`) or their sponsor's (`sponsor_url`).",
        ),
    ]
    params += [  # sync (app.api.sync)
        _param(
            "since", {"type": "string", "pattern": TOKEN_PATTERN}, "A sync_token: only what changed or left after it."
        ),
        _param(
            "version",
            {"type": "string", "pattern": VERSION_PATTERN},
            "The catalog version the page links carry; a version no longer served is a 409.",
        ),
    ]
    if paged:
        page = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
        per_page = {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}
        params += [_param("page", page, "Page number, from 1."), _param("per_page", per_page, "Results a page.")]
    return {"parameters": [*params, FIELDS]}


def fields_only() -> dict[str, Any]:
    return {"parameters": [FIELDS]}


# Appended to the schema's description (issue 15): how compression meets the ETags, and the per-search feed.
TRANSPORT = (
    "Answers of 500 bytes or more are gzip-compressed for clients that send `Accept-Encoding: gzip` (and carry "
    "`Vary: Accept-Encoding`); a compressed answer's `ETag` is the weak form (`W/\"…\"`) of the plain one's. "
    "`If-None-Match` compares weakly, so either form held by a client gives a `304`.\n\n"
    "The search parameters of `/api/v1/programs` also work on `/feed.xml`: an Atom feed of the matching programs "
    "to follow a search, always newest change first (`page` and `per_page` do not apply)."
)


def polish(app: FastAPI, then: Callable[[dict[str, Any], str], None] | None = None) -> None:
    """Errors as application/problem+json, no 422 (invalid input is a 400 here), one media type a response; then
    `then(document, base_url)` (app.api.contract.tighten)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        info = schema.setdefault("info", {})
        info["description"] = f"{info.get('description', '')}\n\n{TRANSPORT}".strip()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                if responses.get("422", {}).get("description") == "Validation Error":  # FastAPI's, never sent
                    responses.pop("422")
                for status, response in responses.items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
                    elif len(content) > 1:
                        content.pop("application/json", None)
        if then is not None:
            then(schema, app.state.settings.base_url)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
