"""The OpenAPI document's promises, made exact: every status each operation can answer, the headers that come
with them, the admin token's security scheme, and records whose fields carry their vocabularies' enums and are
nullable only where the catalog allows null (`apidoc.polish` applies `tighten` to the generated document)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.api.schemas import HeldFile, Problem, RejectedFile, ReloadError
from app.catalog.models import Program

REF = "#/components/schemas/{model}"
SCHEME = "adminToken"


def _header(description: str, **schema: Any) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string", **schema}}


ETAG = _header("The catalog version and the normalized request; send it back in If-None-Match.")
CACHE = _header("public, max-age=60")
DATED = _header(
    "When the catalog served was loaded, or the start of today if later (HTTP date); send it back in If-Modified-Since."
)
LINK = _header('The next and previous pages, as <url>; rel="next" (RFC 8288).')
SYNC = _header("This answer's sync_token: pass it as since= to learn what changes after it.")
VERSION = _header("The catalog version this answer was made from.")
RETRY = _header("Seconds to wait before asking again.", pattern="^[0-9]+$")
RATELIMIT = {  # draft-ietf-httpapi-ratelimit-headers-06, on each answer a limit counted
    "RateLimit-Limit": _header("Requests allowed from one address in the window.", pattern="^[0-9]+$"),
    "RateLimit-Remaining": _header("Requests left in the window.", pattern="^[0-9]+$"),
    "RateLimit-Reset": _header("Seconds until the window frees a slot.", pattern="^[0-9]+$"),
}
RATE_REFUSED = {"Retry-After": RETRY} | RATELIMIT


class CatalogChanged(Problem):
    current_version: str = Field(description="The catalog version served now.")
    links: dict[Literal["restart"], str] = Field(description="The first page of the same request, on that version.")


class Served(BaseModel):
    version: str
    title: str | None
    programs: int
    loaded_at: dt.datetime
    seq: int = Field(description="The load's sequence number.")


class Ready(BaseModel):
    status: Literal["ready", "not ready"]
    catalog: dict[Literal["version", "programs"], str | int] | None
    database: str = Field(description="'ok', or why it is unreachable.")
    rejected: RejectedFile | None = Field(None, description="While the catalog file is invalid.")
    held: HeldFile | None = Field(None, description="While the catalog file would remove many programs at once.")
    last_reload_error: ReloadError | None = Field(None, description="While the last reload failed (database, disk).")


class Reloaded(BaseModel):
    status: Literal["loaded"]
    changed: bool = Field(description="Whether the version served changed.")
    catalog: Served | None
    rejected: RejectedFile | None
    held: HeldFile | None
    sync_token: str | None
    followers_within_seconds: float = Field(description="The other workers and replicas serve it within this.")


class ReloadRefused(Problem):
    catalog: Served | None
    rejected: RejectedFile | None
    held: HeldFile | None
    errors: list[dict[str, Any]]


class Tombstone(BaseModel):
    """An NDJSON line for a program that left the catalog (with since or updated_since); a rename also names the
    program that replaces it, whose record is among the lines: move your copy to that id."""

    id: str
    removed: Literal[True]
    removed_at: dt.datetime
    replaced_by: str | None = Field(None, description="A rename only: the id of the program that replaces this one.")
    replaced_at: dt.datetime | None = Field(None, description="A rename only: when (the same as removed_at).")


def _problem(description: str, model: str = "Problem", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"application/problem+json": {"schema": {"$ref": REF.format(model=model)}}}
    return {"description": description, "content": body} | ({"headers": headers} if headers else {})


NOT_MODIFIED = {
    "description": "Not modified: If-None-Match holds the current ETag (or, without it, If-Modified-Since is no "
    "earlier than Last-Modified).",
    "headers": {"ETag": ETAG, "Last-Modified": DATED},
}
FILE_HEADERS = {
    "ETag": _header("Strong: the file's SHA-256; send it in If-Range when resuming."),
    "Last-Modified": _header("When the catalog version was loaded."),
    "Repr-Digest": _header("The whole file's SHA-256 (RFC 9530): sha-256=:<base64>:"),
    "Accept-Ranges": _header("bytes"),
    "Content-Length": _header("This answer's length in bytes.", pattern="^[0-9]+$"),
}
BAD = _problem("An unknown or invalid query parameter, named in `param`.")
UNAVAILABLE = _problem(
    "No catalog loaded yet, the database did not answer, or this server has not caught up with the load asked "
    "for (`catalog-catching-up`: another worker or replica serves it within the poll interval).",
    headers={"Retry-After": RETRY},
)
CONFLICT = {
    "description": "The catalog changed since `version` (`catalog-changed`: start again from `links.restart`), or "
    "`since` is a token this catalog's database never issued (`sync-token-unknown`: it was rebuilt; sync from "
    "scratch).",
    "content": {
        "application/problem+json": {
            "schema": {"anyOf": [{"$ref": REF.format(model="CatalogChanged")}, {"$ref": REF.format(model="Problem")}]}
        }
    },
}
SYNCED = {"409": CONFLICT}
MOVED = _problem(
    "A renamed program: this id is replaced by `replaced_by`; `Location` is the same request under the new id.",
    headers={"Location": _header("The same path and query under the new id.", format="uri")},
)


def _admin(path: str, operation: dict[str, Any]) -> None:
    """The admin token's answers: 401 for none or a wrong one, 429 after too many wrong ones from one address (the
    right token still passes), with the throttle's RateLimit headers once a wrong token is counted."""
    responses: dict[str, Any] = operation["responses"]
    responses["401"] = _problem(
        "No token (not counted), or a wrong one (counted, with the RateLimit headers).",
        headers={"WWW-Authenticate": _header("Bearer realm")} | RATELIMIT,
    )
    responses["429"] = _problem("Too many wrong tokens from this address.", headers=RATE_REFUSED)
    responses["503"] = _problem("The database or the disk failed.")
    if path == "/api/v1/admin/reload":
        operation["parameters"] = [p for p in operation.get("parameters", []) if p["name"] != "authorization"]
        responses["200"]["content"] = {"application/json": {"schema": {"$ref": REF.format(model="Reloaded")}}}
        responses["422"] = _problem(
            "The catalog file is invalid; the last good catalog is still served.", "ReloadRefused"
        )
        responses["400"] = _problem("An unknown query parameter, or allow_removals neither true nor false.")
        responses["409"] = _problem(
            "The catalog file would remove many programs at once: held until it changes or a curator confirms it "
            "(allow_removals=true); the current catalog is still served.",
            "ReloadRefused",
        )
        responses["503"] = _problem("The database or the disk failed; the last good catalog is still served.")


def _ok_headers(operation: dict[str, Any], headers: dict[str, Any]) -> None:
    operation["responses"]["200"].setdefault("headers", {}).update(headers)


def tighten(schema: dict[str, Any], base_url: str, bodies: tuple[type[BaseModel], ...] = ()) -> None:
    """Make the generated document say exactly what the service does (`bodies`: request bodies an operation refers
    to by name, as FastAPI does not see a body the route reads itself)."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    models: tuple[type[BaseModel], ...] = (CatalogChanged, Ready, Reloaded, ReloadRefused, Tombstone, *bodies)
    for model in models:
        found = model.model_json_schema(ref_template=REF)
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    _records(schemas)
    components["securitySchemes"] = {
        SCHEME: {"type": "http", "scheme": "bearer", "description": "The MENTORDIR_ADMIN_TOKEN of the service."}
    }
    schema["servers"] = [{"url": base_url or "/", "description": "This service."}]
    schema["info"]["license"] = {"name": "MIT", "identifier": "MIT"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            operation["security"] = [{SCHEME: []}] if path.startswith("/api/v1/admin/") else []
            _responses(path, method, operation)


def _records(schemas: dict[str, Any]) -> None:
    """A program record's fields as the catalog defines them: enums, and null only where a field may be empty.
    Every field but `id` and `links` may be left out by `fields=`, so none other is required."""
    program = Program.model_json_schema(ref_template=REF)
    schemas.update(program.pop("$defs", {}))
    record = schemas["ProgramRecord"]
    for name, prop in program["properties"].items():
        prop.pop("title", None)
        record["properties"][name] = prop
    stamps = {"type": "string", "format": "date-time"}
    record["properties"]["created_at"] = stamps | {"description": "When the program entered the catalog."}
    record["properties"]["updated_at"] = stamps | {"description": "When its record last changed."}
    record["properties"]["highlights"] = {"$ref": REF.format(model="Highlights")}
    record["required"] = ["id", "links"]


def _responses(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    if path == "/readyz":
        body = {"application/json": {"schema": {"$ref": REF.format(model="Ready")}}}
        responses["200"] = {"description": "Ready.", "content": body}
        responses["503"] = {"description": "Not ready: no catalog, or no database.", "content": body}
        return
    if path.startswith("/api/v1/admin/"):
        _admin(path, operation)
        return
    if not path.startswith("/api/v1/") or method != "get":
        return  # the suggestions' POST documents its own statuses (api/suggestions)
    responses["400"], responses["503"] = BAD, UNAVAILABLE
    if path == "/api/v1/snapshots/latest.ndjson.gz":
        responses.pop("304", None)
        responses["302"] = {
            "description": "The newest snapshot's own (dated) address, in Location.",
            "headers": {"Location": _header("The newest snapshot's dated address.")},
        }
        return
    responses["304"] = NOT_MODIFIED
    if path == "/api/v1/snapshots/{name}.ndjson.gz":
        _ok_headers(operation, FILE_HEADERS)
        responses["206"]["headers"] = FILE_HEADERS | {"Content-Range": _header("bytes <first>-<last>/<length>")}
        responses["416"]["headers"] = {"Content-Range": _header("bytes */<length>")}
        return
    _ok_headers(operation, {"ETag": ETAG, "Last-Modified": DATED, "Cache-Control": CACHE})
    if path in ("/api/v1/programs", "/api/v1/programs.csv", "/api/v1/programs.ndjson"):
        responses.update(SYNCED)
        _ok_headers(operation, {"Sync-Token": SYNC, "Catalog-Version": VERSION})
    if path == "/api/v1/programs":
        _ok_headers(operation, {"Link": LINK})
    if path.startswith("/api/v1/programs/{program_id}"):
        responses["301"] = MOVED
    if path == "/api/v1/programs.ndjson":
        content = responses["200"]["content"]["application/x-ndjson"]
        content["schema"] = {
            "type": "string",
            "description": "One JSON object a line: a ProgramRecord, then (with since or updated_since) a "
            "Tombstone for each program removed.",
        }
        lines = [{"$ref": REF.format(model=m)} for m in ("ProgramRecord", "Tombstone")]
        content["x-line-schema"] = {"oneOf": lines}  # OpenAPI 3.2 calls this itemSchema
