"""The API's OpenAPI description: the query parameters (from the vocabularies), the errors, the /docs page.

The routes parse their query strings with `app.api.params` (so the API and the website agree); the parameters are
described here for /openapi.json, generated from the same constants and vocabularies. The answers' shapes are in
`app.api.schemas`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.api.params import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, MAX_Q, TOKEN_PATTERN, VERSION_PATTERN
from app.api.schemas import Problem
from app.catalog.export import COLUMNS
from app.catalog.vocab import FACETS
from app.search.query import SORTS

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference – Mentor Directory</title>
<meta name="description" content="Every endpoint, parameter, answer and error of Mentor Directory's JSON API.">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/docs/assets/docs.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<header class="docs-bar">
<nav aria-label="Site"><a href="/">Mentor Directory</a> <a href="/api">API guide</a></nav>
</header>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs.js"></script>
</body>
</html>
"""


# Every GET of the API can answer these; `contract.tighten` describes them (placed here, they come before a route's
# own statuses in the document).
ERRORS: dict[int | str, dict[str, Any]] = {304: {}, 400: {}, 503: {}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No program with this id."}}
PARTIAL: dict[int | str, dict[str, Any]] = {
    206: {
        "description": "The one byte range asked for (Range), in Content-Range.",
        "content": {"application/gzip": {}},
    },
    404: {"model": Problem, "description": "No snapshot by this name is kept."},
    416: {"model": Problem, "description": "The range starts past the end of the file."},
}


def ok(model: Any, media_type: str | None = None) -> dict[int | str, dict[str, Any]]:
    if media_type is None:
        return {200: {"model": model, "description": "OK"}}
    return {200: {"description": "OK", "content": {media_type: {"schema": {"type": "string"}}}}}


def param(name: str, schema: dict[str, Any], description: str, **style: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **style}


# A pattern rather than an array with explode=false: an empty array and an empty string would serialize alike.
_NAME = "(" + "|".join(COLUMNS) + ")"
FIELDS = param(
    "fields",
    {"type": "string", "pattern": f"^{_NAME}(,{_NAME})*$"},
    f"Only these record fields, comma-separated (of {', '.join(COLUMNS)}); `id` and `links` always come.",
)


def parameters(*, paged: bool) -> dict[str, Any]:
    """The search parameters of /programs (and, without page and per_page, of the exports)."""
    params = [
        param(
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
        params.append(param(vocab.name, values, description, style="form", explode=True))
    params += [
        param("sort", {"type": "string", "enum": list(SORTS)}, "Order: relevance (default with q), else name."),
        param("updated_since", {"type": "string", "format": "date-time"}, "Only programs changed after this."),
        param(
            "verified_since",
            {"type": "string", "format": "date"},
            "Only programs checked against their sources on or after this date.",
        ),
        param(
            "include_open",
            {"type": "boolean", "default": False},
            "Eligibility rather than targeting: a demographic_focus choice also matches programs tagged `open`, a "
            "specialty choice programs tagged `any`, and those facets' counts include them. false (the default) "
            "matches only the values chosen.",
        ),
        param(
            "has_link",
            {"type": "boolean", "default": False},
            "true: only programs with a followable link, their own page (`url`) or their sponsor's (`sponsor_url`).",
        ),
    ]
    params += [  # sync (app.api.sync)
        param(
            "since", {"type": "string", "pattern": TOKEN_PATTERN}, "A sync_token: only what changed or left after it."
        ),
        param(
            "version",
            {"type": "string", "pattern": VERSION_PATTERN},
            "The catalog version the page links carry; a version no longer served is a 409.",
        ),
    ]
    if paged:
        page = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
        per_page = {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}
        params += [param("page", page, "Page number, from 1."), param("per_page", per_page, "Results a page.")]
    return {"parameters": [*params, FIELDS]}


def fields_only() -> dict[str, Any]:
    return {"parameters": [FIELDS]}


# Appended to the schema's description (issue 15): how compression meets the ETags, and the per-search feed.
TRANSPORT = (
    "Answers of 500 bytes or more are gzip-compressed for clients that send `Accept-Encoding: gzip` (and carry "
    "`Vary: Accept-Encoding`); a compressed answer's `ETag` is the weak form (`W/\"…\"`) of the plain one's. "
    "`If-None-Match` compares weakly, so either form held by a client gives a `304`.\n\n"
    "The search parameters of `/api/v1/programs` also work on `/feed.xml`: an Atom feed of the matching programs "
    "to follow a search, always newest change first (`page` and `per_page` do not apply).\n\n"
    "Dated changes to this API and its deprecation policy (v1 is stable; a deprecation is announced at least 6 "
    "months ahead, with `Deprecation` and `Sunset` headers): [/api/changelog](/api/changelog)."
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
