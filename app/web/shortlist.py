"""The compare list as a download: the same columns as the API's CSV export."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from app.api.params import multi_items
from app.catalog.export import COLUMNS, csv_lines
from app.plumbing import LiveDep, SnapshotDep, records
from app.web.urlstate import MAX_COMPARE, read_ids


def compare_csv(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """The compare list as a spreadsheet: the same columns as the API's CSV export."""
    given = multi_items(request.query_params)
    ids, _ = read_ids(given.get("ids", []) + given.get("compare", []), snap.index.docnum)
    disposition = {"Content-Disposition": 'attachment; filename="compare.csv"'}
    rows = records(live, snap, ids[:MAX_COMPARE], None)
    return StreamingResponse(csv_lines(rows, COLUMNS), media_type="text/csv; charset=utf-8", headers=disposition)
