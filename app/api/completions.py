"""Completions of the words typed so far, for a search box (the website's uses it), at GET /api/v1/suggest."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api import apidoc
from app.api.deps import check_params, invalid
from app.api.params import MAX_Q, ParamError, boolean, whole_number
from app.plumbing import JSON, PREFIX, BaseUrlDep, SnapshotDep, conditional, etag
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
    count: int = Field(description="Programs it stands for: carrying the value, run by the sponsor, or 1.")
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
            "include_open",
            {"type": "boolean", "default": False},
            "Count a demographic-focus or specialty value as `/programs` does with `include_open=true`: the programs "
            "open to everyone (or to any specialty) count too, and the links keep the mode.",
        ),
        apidoc.param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_COMPLETIONS, "default": MAX_COMPLETIONS},
            "Completions at most.",
        ),
    ]
}


def links(c: Completion, base: str, *, include_open: bool) -> dict[str, str]:
    if c.kind == "program":
        return {"self": f"{base}{PREFIX}/programs/{c.id}", "html": f"{base}/programs/{c.id}"}
    pairs = [(c.facet or "", c.value or "")] if c.kind == "filter" else [("q", c.label)]
    query = urlencode(pairs + ([("include_open", "true")] if include_open else []))
    return {"self": f"{base}{PREFIX}/programs?{query}", "html": f"{base}/?{query}"}


@router.get(
    "/suggest",  # the public URL and operation id keep their first name: clients are generated from them
    operation_id="suggest_api_v1_suggest_get",
    responses=apidoc.ok(Completions),
    openapi_extra=PARAMETERS,
    summary="Complete the words typed",
)
def completions(request: Request, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """Up to 8 completions of the words typed: facet values by label or synonym, sponsors, and programs by name or
    acronym, each saying what it is and how many programs it stands for."""
    given = check_params(request, ("q", "limit", "include_open"))
    for name, values in given.items():
        if len(values) > 1:
            raise invalid(ParamError(name, values[1], f"give {name} once, not {len(values)} times"))
    if "q" not in given:
        raise invalid(ParamError("q", None, "is required: the words typed so far (it may be empty)"))
    text = given["q"][0]
    if len(text) > MAX_Q:
        raise invalid(ParamError("q", text[:80] + "…", f"is {len(text)} characters long; at most {MAX_Q} are allowed"))
    try:
        limit = whole_number("limit", given["limit"][0], 1, MAX_COMPLETIONS) if "limit" in given else MAX_COMPLETIONS
        include_open = boolean("include_open", given["include_open"][0]) if "include_open" in given else False
    except ParamError as error:
        raise invalid(error) from None

    def render() -> Response:
        found = snap.index.complete(text, limit, include_open=include_open)
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
                    "links": links(c, base, include_open=include_open),
                }
                for c in found
            ],
        }
        return JSON(body)

    return conditional(
        request,
        etag(
            snap,
            base,
            request.url.path,
            [("q", text), ("limit", str(limit)), ("include_open", str(include_open).lower())],
        ),
        render,
    )
