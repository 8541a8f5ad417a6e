"""CSV exports: cells a spreadsheet would run as formulas are neutralized; the JSON keeps the text as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.catalog.export import csv_cell
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, make_settings, running


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(tmp_path: Path) -> None:
    text = FIXTURE_CATALOG.read_text().replace("sponsor: Test University", 'sponsor: =HYPERLINK("http://x")', 1)
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(text.replace("duration: One year", "duration: '-1+2'", 1))
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        rows = list(csv.DictReader(io.StringIO(c.get("/api/v1/programs.csv").text)))
        elam = next(r for r in rows if r["id"] == "elam")
        assert elam["sponsor"] == '\'=HYPERLINK("http://x")' and elam["duration"] == "'-1+2"
        assert c.get("/api/v1/programs/elam").json()["sponsor"] == '=HYPERLINK("http://x")'  # JSON is unchanged
    assert [csv_cell(v) for v in ("@SUM(A1)", "+1", "\tx", "a-b", ["-x", "y"], None)] == [
        "'@SUM(A1)",
        "'+1",
        "'\tx",
        "a-b",
        "'-x;y",
        "",
    ]
