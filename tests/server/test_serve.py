"""`mentordir serve` as production runs it: the Docker HEALTHCHECK with trusted hosts, idle connections, and
nothing left behind in the temp folder."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import ROOT
from tests.support.processes import mentordir_serve

pytestmark = pytest.mark.slow  # real `mentordir serve` processes

PUBLIC = "https://directory.example.org"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The README's production recipe: two workers, a public base URL, only its host trusted."""
    tmp = tmp_path_factory.mktemp("production")
    (tmp / "tmp").mkdir()
    env = {
        "MENTORDIR_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite'}",
        "MENTORDIR_INDEX_DIR": str(tmp / "index"),
        "MENTORDIR_BASE_URL": PUBLIC,
        "MENTORDIR_TRUSTED_HOSTS": "directory.example.org",
        "MENTORDIR_IDLE_TIMEOUT_SECONDS": "1",
        "MENTORDIR_WORKERS": "2",
        "TMPDIR": str(tmp / "tmp"),
    }
    with mentordir_serve(env, tmp) as base:
        yield base, tmp


def healthcheck_command(port: str) -> list[str]:
    """The Dockerfile's HEALTHCHECK, as written there, pointed at the test server's port."""
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r'HEALTHCHECK[^\n]*\\\n\s*CMD python -c "(.*)"\n', text)
    assert match is not None
    return [sys.executable, "-c", match.group(1).replace("127.0.0.1:8000", f"127.0.0.1:{port}")]


def test_the_docker_healthcheck_passes_while_foreign_hosts_are_refused(production: tuple[str, Path]) -> None:
    base, _ = production
    assert subprocess.run(healthcheck_command(base.rsplit(":", 1)[1]), timeout=30).returncode == 0
    assert httpx.get(f"{base}/api/v1/programs", headers={"Host": "evil.example"}).status_code == 400
    answer = httpx.get(f"{base}/api/v1/programs?per_page=1", headers={"Host": "directory.example.org"})
    assert answer.json()["links"]["self"].startswith(f"{PUBLIC}/api/v1/programs?")


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: directory.example.org\r\n"])
def test_a_connection_without_a_complete_request_is_closed(production: tuple[str, Path], sent: bytes) -> None:
    base, _ = production
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(sent)
        assert conn.recv(1024) == b""  # closed by the server (the 30 s timeout would raise instead)


def test_a_kept_alive_connection_is_closed_after_its_idle_time(production: tuple[str, Path]) -> None:
    base, _ = production
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: directory.example.org\r\n\r\n")
        answer = b""
        while b'"status":"ok"' not in answer:
            chunk = conn.recv(4096)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        assert conn.recv(1024) == b""


def test_two_workers_leave_nothing_in_the_temp_folder(tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    env = {
        "MENTORDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "MENTORDIR_INDEX_DIR": str(tmp_path / "index"),
        "TMPDIR": str(tmp_path / "tmp"),
    }
    with mentordir_serve(env, tmp_path, "--workers", "2") as base:
        assert "mentordir_requests_total" in httpx.get(f"{base}/metrics").text
        assert [p.name[:18] for p in (tmp_path / "tmp").iterdir()] == ["mentordir-metrics-"]
    assert list((tmp_path / "tmp").iterdir()) == []  # the workers' metrics folder went with them
