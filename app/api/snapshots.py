"""Dated snapshots of the whole catalog (app.live.dumps): the list, and each file served resumably.

A file answers with its length, `Accept-Ranges: bytes`, a strong ETag, `Last-Modified` (its load) and its checksum
(`Repr-Digest`, RFC 9530); one `Range` gives a 206 with `Content-Range` (a range past the end: 416), and `If-Range`
gives the whole file instead when the client's copy is of another file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import IO, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from app.api import apidoc
from app.api.deps import check_params
from app.api.schemas import SnapshotList
from app.live import dumps
from app.live.dumps import Dump
from app.live.snapshot import Snapshot
from app.plumbing import (
    JSON,
    PREFIX,
    ApiError,
    BaseUrlDep,
    LiveDep,
    SnapshotDep,
    from_catalog,
    http_date,
    not_modified,
)

router = APIRouter(prefix=PREFIX, tags=["snapshots"], default_response_class=JSON, responses=apidoc.ERRORS)

NAME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9a-f]{16}-[0-9a-f]{0,32}-[0-9]{1,12}$"
_NAME = re.compile(NAME_PATTERN)
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
MEDIA_TYPE = "application/gzip"
FILE: dict[int | str, dict[str, Any]] = {
    200: {"description": "OK", "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}
CHUNK = 64 * 1024


def about(snap: Snapshot) -> dict[str, Any]:
    """The catalog's licence and the text to cite it by, naming this version and its date."""
    return {"license": snap.license, "citation": snap.citation}


def described(dump: Dump, base: str) -> dict[str, Any]:
    return dump.as_dict() | {"url": f"{base}{PREFIX}/snapshots/{dump.name}.ndjson.gz"}


@router.get("/snapshots", responses=apidoc.ok(SnapshotList), summary="Snapshots")
async def list_snapshots(request: Request, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """The dated snapshots of the whole catalog kept for download, newest first: each one's catalog version, the
    sync token to pass as since= after loading it, its date, record count, byte length and SHA-256; with the
    catalog's licence and citation."""
    check_params(request, ())
    await run_in_threadpool(dumps.ensure, live.settings, snap)
    kept = await run_in_threadpool(dumps.kept, live.settings, snap.epoch)
    items = [("kept", ",".join(f"{d.name}.{d.seq}" for d in kept))]
    body = about(snap) | {"snapshots": [described(d, base) for d in kept]}
    return from_catalog(request, snap, base, lambda: JSON(body), items)


@router.get(
    "/snapshots/latest.ndjson.gz",
    status_code=302,
    responses={302: {"description": "The newest snapshot's own (dated) address, in Location."}},
    summary="Latest snapshot",
)
async def latest_snapshot(request: Request, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """A redirect to the snapshot of the catalog served now: resume a download at its dated address, which never
    changes content."""
    check_params(request, ())
    dump = await run_in_threadpool(dumps.ensure, live.settings, snap)
    return RedirectResponse(described(dump, base)["url"], status_code=302, headers={"Cache-Control": "no-cache"})


@router.head("/snapshots/latest.ndjson.gz", include_in_schema=False)
async def latest_snapshot_head(request: Request, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    return await latest_snapshot(request, live, snap, base)


NamePath = Path(
    pattern=NAME_PATTERN, description="The snapshot's name, <day>-<catalog version>-<database epoch>-<load>, as listed."
)


@router.get(
    "/snapshots/{name}.ndjson.gz",
    responses=FILE | apidoc.PARTIAL,
    summary="One snapshot",
)
async def get_snapshot_file(request: Request, live: LiveDep, snap: SnapshotDep, name: str = NamePath) -> Response:
    """One snapshot: the gzip of one JSON record a line (as /api/v1/programs.ndjson gives them), ordered by id.
    Resumable with Range; its SHA-256 is in Repr-Digest and in the list."""
    check_params(request, ())
    if not _NAME.match(name):
        raise _unknown(name)
    dump = await run_in_threadpool(dumps.read, live.settings, name)
    if dump is None and name == dumps.name_of(snap):
        dump = await run_in_threadpool(dumps.ensure, live.settings, snap)
    if dump is None or dump.epoch != snap.epoch:  # another database's: its sync tokens mean nothing here
        raise _unknown(name)
    return serve(request, dump, dumps.path_of(live.settings, name))


@router.head("/snapshots/{name}.ndjson.gz", include_in_schema=False)
async def head_snapshot_file(request: Request, live: LiveDep, snap: SnapshotDep, name: str = NamePath) -> Response:
    return await get_snapshot_file(request, live, snap, name)


def _unknown(name: str) -> ApiError:
    detail = f"no snapshot named '{name[:80]}' is kept; list them at {PREFIX}/snapshots"
    return ApiError(404, "unknown-snapshot", "No such snapshot", detail, extra={"name": name[:80]})


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range asked for, as (first, last) byte; None for the whole file (no Range, several, or one this
    server does not read, which RFC 9110 lets it ignore). A range that starts past the end is a 416."""
    found = _RANGE.match(header.strip())
    if not found or found.group(1) == found.group(2) == "":
        return None
    first, last = found.group(1), found.group(2)
    if first == "":  # the last n bytes
        if _position(last) == 0:
            raise _unsatisfiable(size)
        return max(0, size - _position(last)), size - 1
    start, end = _position(first), _position(last) if last else size - 1
    if start >= size:
        raise _unsatisfiable(size)
    return (start, min(end, size - 1)) if start <= end else None


def _position(digits: str) -> int:
    """A byte position as written; one longer than any file's (over 18 digits, which `int` may refuse to read at
    all) reads as 10**18."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 10**18


def _unsatisfiable(size: int) -> ApiError:
    detail = f"the range asked for starts past the end of this {size}-byte file"
    return ApiError(
        416, "range-not-satisfiable", "Range not satisfiable", detail, headers={"Content-Range": f"bytes */{size}"}
    )


def serve(request: Request, dump: Dump, path: FilePath) -> Response:
    """The file (or the range asked for), with its validators; 304 when the client holds it already."""
    tag = f'"{dump.sha256[:32]}"'
    modified = http_date(dump.made_at)
    headers = {
        "ETag": tag,
        "Last-Modified": modified,
        "Cache-Control": "public, max-age=86400, immutable",
        "Accept-Ranges": "bytes",
        "Repr-Digest": dump.digest,
        "Content-Disposition": f'attachment; filename="mentordir-{dump.name}.ndjson.gz"',
    }
    held = request.headers.get("if-none-match", ""), request.headers.get("if-modified-since", "")
    if not_modified(held[0], tag, held[1], modified):
        return Response(status_code=304, headers=headers)
    if_range = request.headers.get("if-range")
    wanted = request.headers.get("range", "")
    chosen = byte_range(wanted, dump.bytes) if wanted and if_range in (None, tag, modified) else None
    start, end = chosen or (0, dump.bytes - 1)
    headers["Content-Length"] = str(end - start + 1)
    if chosen is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{dump.bytes}"
    status = 206 if chosen is not None else 200
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=MEDIA_TYPE)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the stream; open, the file outlives a prune
    except OSError:
        raise _unknown(dump.name) from None  # pruned just now
    return StreamingResponse(_read(handle, start, end), status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _read(handle: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
