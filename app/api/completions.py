"""Completions of the words typed so far, for a search box (the website's uses it), at GET /api/v1/suggest."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api import apidoc
from app.api.deps import canonical, check_params, for_the_website, invalid
from app.api.params import MAX_Q, ParamError, ParsedSearch, default_sort, read_search, whole_number
from app.catalog.vocab import FACETS
from app.plumbing import JSON, PREFIX, BaseUrlDep, SnapshotDep, from_catalog
from app.search.here import chosen
from app.search.query import SearchQuery
from app.search.suggest import MAX_COMPLETIONS, Completion

router = APIRouter(prefix=PREFIX, tags=["programs"], default_response_class=JSON, responses=apidoc.ERRORS)


class CompletionLinks(BaseModel):
    self: str = Field(description="The API answer it leads to: a program's record, or a search.")
    html: str = Field(description="The web page it leads to: a program's page, or the search page with it applied.")


class CompletionOut(BaseModel):
    kind: Literal["filter", "sponsor", "program"] = Field(
        description="`filter`: a facet value (select it with `facet=value`); `sponsor`: an organization (search its "
        "name); `program`: one program."
    )
    label: str = Field(description="What to show: the value's label, the sponsor's or the program's name.")
    count: int = Field(
        description="What choosing it here gives: the programs of the search the box is on with the value added, or "
        "those searching the sponsor's name finds there; 1 for a program."
    )
    matched: str | None = Field(
        description="The name that matched the words typed when it is not the label: an acronym, an alias or a "
        "synonym (`q=URM` gives Underrepresented in medicine, matched `URM`)."
    )
    id: str | None = Field(description="The program's id (programs only).")
    facet: str | None = Field(description="The facet, which is also the query parameter (filters only).")
    facet_label: str | None = Field(description="The facet's label (filters only).")
    value: str | None = Field(description="The facet value (filters only).")
    links: CompletionLinks


class Completions(BaseModel):
    q: str = Field(description="The text completed.")
    completions: list[CompletionOut] = Field(
        description="Best first: names that are the text typed, then names that begin with it, then names with a "
        "word beginning with each word typed; filter values before sponsors before programs, then by count."
    )


CONTEXT = (*FACETS, "include_open", "has_link", "updated_since", "verified_since")  # the page the box is on
PARAMETERS = {
    "parameters": [
        apidoc.param(
            "q",
            {"type": "string", "maxLength": MAX_Q},
            "The words typed so far; the last may be a word's beginning (`endocr`). A trailing space ends the last "
            "word (`in ` is not `internal`). Empty: no completions.",
            required=True,
        ),
        apidoc.param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_COMPLETIONS, "default": MAX_COMPLETIONS},
            "Completions at most.",
        ),
        *(p for p in apidoc.parameters(paged=False)["parameters"] if p["name"] in CONTEXT),
    ]
}
HERE = (
    "The search the box is on, as /programs takes it (its filters, `include_open`, `has_link`, dates): a filter "
    "value's count is what that search with the value added gives (the words typed leave the box), a sponsor's what "
    "searching its name under those filters gives; the links lead there."
)


def links(c: Completion, base: str, here: SearchQuery) -> dict[str, str]:
    """Where a completion leads: a program's record and page, or the search that choosing it here gives."""
    if c.kind == "program":
        return {"self": f"{base}{PREFIX}/programs/{c.id}", "html": f"{base}/programs/{c.id}"}
    q = chosen(here, c.facet or "", c.value or "") if c.kind == "filter" else replace(here, text=c.label)
    items = canonical(ParsedSearch(replace(q, sort=default_sort(q.text))), None, paged=False)
    items = [(k, v) for k, v in items if not (k in FACETS and q.filters.get(k) == frozenset(FACETS[k].default))]
    website = for_the_website(items, include_open=q.include_open)
    return {"self": f"{base}{PREFIX}/programs?{urlencode(items)}", "html": f"{base}/?{urlencode(website)}"}


def read_here(request: Request) -> tuple[str, int, ParsedSearch]:
    """The words typed, the limit, and the search the box is on; any problem is a 400 naming the parameter."""
    given = check_params(request, ("q", "limit", *CONTEXT))
    for name, values in given.items():
        if len(values) > 1 and name not in FACETS:
            raise invalid(ParamError(name, values[1], f"give {name} once, not {len(values)} times"))
    if "q" not in given:
        raise invalid(ParamError("q", None, "is required: the words typed so far (it may be empty)"))
    text = given["q"][0]
    if len(text) > MAX_Q:
        raise invalid(ParamError("q", text[:80] + "…", f"is {len(text)} characters long; at most {MAX_Q} are allowed"))
    try:
        limit = whole_number("limit", given["limit"][0], 1, MAX_COMPLETIONS) if "limit" in given else MAX_COMPLETIONS
        search = read_search({k: v for k, v in given.items() if k not in ("q", "limit")}, strict=True)
    except ParamError as error:
        raise invalid(error) from None
    return text, limit, search


@router.get(
    "/suggest",  # the public URL and operation id keep their first name: clients are generated from them
    operation_id="suggest_api_v1_suggest_get",
    responses=apidoc.ok(Completions),
    openapi_extra=PARAMETERS,
    summary="Complete the words typed",
    description=HERE,
)
def completions(request: Request, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """Up to 8 completions of the words typed: facet values by label or synonym, sponsors, and programs by name or
    acronym, each saying what it is and how many programs choosing it gives."""
    text, limit, search = read_here(request)
    here = search.query

    def render() -> Response:
        found = snap.index.complete(text, limit, here=here)
        body: dict[str, Any] = {
            "q": text,
            "completions": [
                {
                    "kind": c.kind,
                    "label": c.label,
                    "count": c.count,
                    "matched": c.matched,
                    "id": c.id,
                    "facet": c.facet,
                    "facet_label": c.facet_label,
                    "value": c.value,
                    "links": links(c, base, here),
                }
                for c in found
            ],
        }
        return JSON(body)

    items = [("q", text), ("limit", str(limit)), *canonical(search, None, paged=False)]
    return from_catalog(request, snap, base, render, items)
