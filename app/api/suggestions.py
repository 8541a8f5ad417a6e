"""Suggestions from faculty: POST /api/v1/suggestions for anyone, and the checks the website's form shares with it.
A suggestion is stored for review (curators list them at /api/v1/admin/suggestions); it never changes the catalog."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from app.api.contract import RATE_REFUSED, RATELIMIT, REF
from app.api.deps import check_params
from app.api.plaintext import (
    PLAIN_LINE,
    PLAIN_TEXT,
    SENT_EMAIL,
    SENT_LINK,
    Invalid,
    check_email,
    check_link,
    plain_text,
)
from app.api.schemas import Problem
from app.catalog.models import ID_PATTERN, MAX_ID
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.plumbing import JSON, PREFIX, ApiError, LiveDep, SnapshotDep, ratelimit_headers, unavailable
from app.store import suggestions as store
from app.store.suggestions import MAX_EMAIL, MAX_MESSAGE, MAX_NAME, MAX_URL, SUGGESTED, Suggestion

MIN_MESSAGE = 5
FIELDS = ("kind", "program_id", "message", "url", "name", "email")
LIMITS = {
    "kind": 20,
    "program_id": MAX_ID,
    "message": MAX_MESSAGE,
    "url": MAX_URL,
    "name": MAX_NAME,
    "email": MAX_EMAIL,
}


def room_for(characters: int) -> int:
    """Bytes of a request body with room for this many characters however they are sent: a character outside the
    Basic Multilingual Plane takes 12 bytes as a JSON escape (\\ud83d\\ude00) or percent-encoded UTF-8 in a form."""
    return 12 * characters + 4096  # and the field names, quotes and separators


MAX_BODY = room_for(sum(LIMITS.values()))  # every field of a suggestion at its limit: 39,544 bytes


class TooMany(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)} | ratelimit_headers(store.RATE_LIMIT, 0, retry_after)


def limit_headers(quota: store.Quota) -> dict[str, str]:
    """The RateLimit-* headers of an answer a limit counted."""
    return ratelimit_headers(quota.limit, quota.remaining, quota.reset)


def check(raw: Mapping[str, Any], snap: Snapshot) -> store.NewSuggestion:
    """The suggestion from the fields given (JSON body or form), every problem reported at once."""
    errors: dict[str, str] = {}
    for name in raw:
        if name not in FIELDS:
            errors[str(name)[:40]] = f"is not a field of a suggestion; the fields are {', '.join(FIELDS)}"
    values = {name: plain_text(name, raw.get(name), errors, LIMITS[name]) for name in FIELDS}
    kind, program_id, message, url, email = (values[k] for k in ("kind", "program_id", "message", "url", "email"))
    if raw.get("kind") not in SUGGESTED and "kind" not in errors:  # exactly as documented: no spaces around it
        given = f"'{raw['kind']}' is not a kind of suggestion" if kind else "is required"
        errors["kind"] = f"{given}: use 'correction' or 'new-program'"
    sent = raw.get("program_id")  # an id is matched exactly as sent, as documented (ID_PATTERN, no spaces)
    sent_id = sent if program_id is not None and isinstance(sent, str) else None
    program = snap.programs.get(sent_id) if sent_id else None
    _check_program(kind, sent_id, "program_id" in raw, program is not None, errors)
    _check_message_and_addresses(message, url, email, errors)
    if errors:
        raise Invalid(dict(sorted(errors.items(), key=lambda e: FIELDS.index(e[0]) if e[0] in FIELDS else -1)))
    assert kind is not None and message is not None
    program_name = program.record["name"] if program else None
    return store.NewSuggestion(kind, message, program_id, program_name, url, values["name"], email)


def _check_program(kind: str | None, program_id: str | None, given: bool, known: bool, errors: dict[str, str]) -> None:
    """A correction names a program the catalog holds; a new program names none (not even an empty one or null)."""
    if kind == "correction" and "program_id" not in errors:
        if program_id is None:
            errors["program_id"] = "is required for a correction: the id of the program it is about"
        elif not known:
            errors["program_id"] = f"there is no program with id '{program_id}'; list them at /api/v1/programs"
    elif kind == "new-program" and given:
        errors["program_id"] = "is only for corrections; leave it out when suggesting a new program"


def _check_message_and_addresses(
    message: str | None, url: str | None, email: str | None, errors: dict[str, str]
) -> None:
    """A message long enough to act on; a link and an email address, when given, that look like ones."""
    if message is None and "message" not in errors:
        errors["message"] = "is required: say what is wrong or missing"
    elif message is not None and len(message) < MIN_MESSAGE:
        errors["message"] = f"is too short to act on; please write at least {MIN_MESSAGE} characters"
    check_link("url", url, errors)
    check_email("email", email, errors)


def client_address(request: Request) -> str:
    """The client as uvicorn saw it (behind a trusted proxy, from X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


def submit(
    request: Request, live: LiveCatalog, snap: Snapshot, new: store.NewSuggestion, channel: str
) -> tuple[Suggestion, dict[str, str]]:
    """Store a checked suggestion (blocking: run it in the thread pool), with its RateLimit headers. Raises TooMany
    or a 503."""
    key = store.client_key(client_address(request))
    try:
        # The retention the form promises is kept by the service itself, not left to a curator's cron job.
        store.purge(live.engine, before=store.utcnow() - store.RETENTION)
        saved = store.add(live.engine, new, catalog_version=snap.version, channel=channel, client=key)
    except SQLAlchemyError as exc:
        raise unavailable(exc) from None
    if isinstance(saved, store.RateLimited):
        raise TooMany(saved.retry_after)
    return saved[0], limit_headers(saved[1])


def rate_limited(retry_after: int) -> str:
    minutes = store.RATE_WINDOW.seconds // 60
    wait = f"{retry_after} seconds" if retry_after < 120 else f"{round(retry_after / 60)} minutes"
    return f"{store.RATE_LIMIT} suggestions in {minutes} minutes is the limit from one address; try again in {wait}"


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refused with a 413 past `limit` bytes (without reading the rest)."""
    too_big = ApiError(413, "too-large", "Request too large", f"the body is over {limit // 1024} KiB")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_big
    return body


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


class NewProgramSuggestion(BaseModel):
    """A program the directory is missing. Plain text only: no HTML tags, no control characters."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["new-program"]
    message: str = Field(
        min_length=MIN_MESSAGE,
        max_length=MAX_MESSAGE,
        pattern=PLAIN_TEXT,
        description=f"What is wrong or missing: plain text, at least {MIN_MESSAGE} characters once trimmed, no HTML "
        "tags and no control characters (else 422).",
    )
    url: str | None = Field(
        None,
        max_length=MAX_URL,
        pattern=SENT_LINK,
        description="A page to check: an http(s) address on the public web, with no user name or password and no "
        "private, local or reserved host (else 422); empty means none.",
    )
    name: str | None = Field(
        None, max_length=MAX_NAME, pattern=PLAIN_LINE, description="For follow-up; curators alone see it."
    )
    email: str | None = Field(
        None, max_length=MAX_EMAIL, pattern=SENT_EMAIL, description="For follow-up; curators alone see it."
    )


class CorrectionSuggestion(NewProgramSuggestion):
    """A correction to one program of the catalog. Plain text only: no HTML tags, no control characters."""

    kind: Literal["correction"]  # type: ignore[assignment]
    program_id: str = Field(
        max_length=MAX_ID, pattern=ID_PATTERN, description="The program it is about (see /api/v1/programs)."
    )


class SuggestionCreated(BaseModel):
    id: int
    status: Literal["new"]
    kind: str
    program_id: str | None
    catalog_version: str = Field(description="The catalog version the suggestion was made against.")
    created_at: str


router = APIRouter(prefix=PREFIX, tags=["suggestions"], default_response_class=JSON)
# The body's two shapes are components, chosen by `kind` (a discriminator): a client generator makes one type of
# each, and a contract checker reads a field one shape requires as that shape's rule, not the other's.
BODY_MODELS: tuple[type[BaseModel], ...] = (CorrectionSuggestion, NewProgramSuggestion)
_SHAPES = {kind: REF.format(model=model.__name__) for kind, model in zip(SUGGESTED, BODY_MODELS, strict=True)}
_ONE_OF = {
    "oneOf": [{"$ref": ref} for ref in _SHAPES.values()],
    "discriminator": {"propertyName": "kind", "mapping": _SHAPES},
}
EXAMPLES = {  # shown by /docs, and sent as they are by a contract checker's examples
    "correction": {
        "summary": "A correction to a program",
        "value": {"kind": "correction", "program_id": "elam", "message": "The program's page has moved."},
    },
    "new-program": {
        "summary": "A program the directory is missing",
        "value": {
            "kind": "new-program",
            "message": "A year-long peer-mentoring program for new assistant professors at our school.",
            "url": "https://www.example.edu/faculty-affairs/peer-mentoring",
        },
    },
}
BODY = {"content": {"application/json": {"schema": _ONE_OF, "examples": EXAMPLES}}, "required": True}
ERROR = {"model": Problem}


@router.post(
    "/suggestions",
    status_code=201,
    summary="Suggest a correction or a program",
    openapi_extra={"requestBody": BODY},
    responses={
        201: {"model": SuggestionCreated, "description": "Stored for a curator to review.", "headers": RATELIMIT},
        400: ERROR | {"description": "The body is not valid JSON, or the address has a query string."},
        413: ERROR | {"description": f"The body is over {MAX_BODY // 1024} KiB."},
        415: ERROR | {"description": "The body is not application/json."},
        422: ERROR | {"description": "A field is missing, too long or invalid; `errors` lists each."},
        429: ERROR
        | {"description": "Too many suggestions from this address; see `Retry-After`.", "headers": RATE_REFUSED},
        503: ERROR | {"description": "No catalog loaded yet, or the database did not answer."},
    },
)
async def post_suggestion(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """Send a correction to a program, or a program the directory is missing. Nothing is published: a curator
    reviews every suggestion. Plain text only; at most 5 suggestions from one address in 10 minutes."""
    check_params(request, ())
    if media_type(request) != "application/json":
        given = media_type(request)[:80] or "none"
        detail = f"send the suggestion as a JSON object with 'Content-Type: application/json' (not {given})"
        raise ApiError(415, "unsupported-media-type", "Unsupported media type", detail)
    try:
        raw = orjson.loads(await read_body(request))
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed-json", "Malformed JSON", f"the body is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        detail = f"the body must be a JSON object with the fields {', '.join(FIELDS)}"
        raise ApiError(422, "invalid-suggestion", "Invalid suggestion", detail, extra={"errors": []})
    try:
        saved, headers = await run_in_threadpool(submit, request, live, snap, check(raw, snap), "api")
    except Invalid as exc:
        errors = [{"field": k, "message": v} for k, v in exc.errors.items()]
        raise ApiError(422, "invalid-suggestion", "Invalid suggestion", str(exc), extra={"errors": errors}) from None
    except TooMany as exc:
        raise ApiError(
            429, "rate-limited", "Too many suggestions", rate_limited(exc.retry_after), headers=exc.headers
        ) from None
    created = {k: getattr(saved, k) for k in ("id", "status", "kind", "program_id", "catalog_version")}
    return JSON(created | {"created_at": saved.created_at.isoformat()}, status_code=201, headers=headers)
