"""A client generated from /openapi.json by openapi-python-client calls every operation of the API against the
running app: pages through everything, fetches a program, reads the exports and a snapshot, syncs with a token, and
reads the documented 429s as typed problems. `tests/support/generated_client_use.py` has one call per operation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from app.config import ROOT
from app.main import create_app
from tests.support.app import IN_CI, make_settings, serving
from tests.support.edits import TEXT, edited

TOOLS = ROOT / ".venv" / "tools" / "bin"
TOKEN = "generated-client-token"


def generator() -> Path:
    """openapi-python-client in its own venv (`make` installs it); skipped without it, except in CI."""
    found = TOOLS / "openapi-python-client"
    if not found.exists():
        if IN_CI:
            pytest.fail(f"{found} is missing: run make, which installs requirements-clientgen.txt")
        pytest.skip("openapi-python-client is not installed (make installs it into .venv/tools)")
    return found


@pytest.mark.slow
def test_a_generated_client_calls_every_operation(tmp_path: Path) -> None:
    tool = generator()
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(TEXT)
    (tmp_path / "next.yaml").write_text(edited())
    settings = make_settings(tmp_path / "app", catalog=catalog, admin_token=TOKEN)
    with serving(create_app(settings)) as base:
        spec = tmp_path / "openapi.json"
        spec.write_bytes(httpx.get(f"{base}/openapi.json").content)
        out = tmp_path / "mentor_directory_client"  # with --meta none, the package itself
        environment = os.environ | {"PATH": f"{TOOLS}:{os.environ['PATH']}"}
        config = ROOT / "clients" / "openapi-python-client.yaml"
        generated = subprocess.run(
            [
                str(tool),
                "generate",
                "--path",
                str(spec),
                "--meta",
                "none",
                "--output-path",
                str(out),
                *["--config", str(config)],
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
        )
        assert generated.returncode == 0, generated.stdout + generated.stderr
        assert "Warning" not in generated.stdout, generated.stdout  # every operation and response was understood
        shutil.copy(Path(__file__).parents[1] / "support" / "generated_client_use.py", tmp_path / "use.py")
        used = subprocess.run(
            [str(TOOLS / "python"), str(tmp_path / "use.py"), base, TOKEN, str(catalog), str(tmp_path / "next.yaml")],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment | {"PYTHONPATH": str(tmp_path)},
        )
        assert used.returncode == 0, used.stderr
        saw = json.loads(used.stdout)
        spec_ids = {o["operationId"] for ops in json.loads(spec.read_text())["paths"].values() for o in ops.values()}
        listing = httpx.get(f"{base}/api/v1/snapshots").json()["snapshots"]
    assert sorted(saw["called"]) == sorted(spec_ids)  # a new operation needs its call in generated_client_use.py
    assert saw["total"] == 8 and len(saw["seen"]) == 8 and len(set(saw["seen"])) == 8
    assert sorted(saw["seen"]) == sorted(saw["exported"]) and saw["export_token"] == saw["first_token"]
    assert saw["one"] == {
        "id": "elam",
        "name": "Executive Leadership in Academic Medicine",
        "type": "leadership-program",
        "career_stages": ["mid-career", "senior"],
        "provenance": {"kind": "review", "checked_on": None, "due": True},  # the fixture cites only the review
    }
    assert saw["loaded_version"] and saw["since_token"] != saw["first_token"]
    assert sorted(saw["changed"]) == ["aaa-new", "elam"] and saw["removed"] == ["pmg"]
    assert saw["csv_rows"] == 8 and saw["completions"] >= 1 and "career_stage" in saw["vocabularies"]
    assert saw["similar"] and "elam" not in saw["similar"]
    first = saw["snapshot"]
    assert saw["latest"] == f"{first['name']}.ndjson.gz" and first["records"] == saw["snapshot_lines"] == 8
    assert saw["snapshot_sha256"] == first["sha256"] == listing[-1]["sha256"]  # two ranges, joined, as listed
    assert saw["suggestion_statuses"] == [201] * 5 + [429]  # the documented limit, read as a typed problem
    assert saw["admin_page"] == {"total": 5, "results": 2}  # limit and offset reach the server
    assert saw["wrong_token_statuses"][0] == 401 and saw["wrong_token_statuses"][-1] == 429
