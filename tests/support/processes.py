"""`mentordir serve` as a real process, leader or replica, and what `mentordir load` does on the leader."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from app.config import ROOT
from app.live.loading import load_file
from app.store.db import make_engine
from tests.support.app import make_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(database_url: str, catalog: Path, tmp_path: Path) -> None:
    """What `mentordir load` does on the leader: validate the file and write it to the database."""
    engine = make_engine(database_url)
    try:
        load_file(make_settings(tmp_path, catalog=catalog, database_url=database_url), engine)
    finally:
        engine.dispose()


@contextmanager
def mentordir_serve(env: dict[str, str], log_dir: Path, *args: str, access_log: Path | None = None) -> Iterator[str]:
    """A `mentordir serve` process with these settings; yields its base URL once /readyz answers 200. Its
    standard error goes to serve-PORT.log in `log_dir`; its access log (standard output) to `access_log`, if given."""
    port = free_port()
    environment = os.environ | {"MENTORDIR_LOG_LEVEL": "warning"} | env
    command = [sys.executable, "-m", "app.curate.cli", "serve", "--port", str(port), *args]
    log = log_dir / f"serve-{port}.log"
    log_dir.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out, (access_log or Path(os.devnull)).open("w") as access:
        process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=access, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        else:
            pytest.fail(f"the server did not become ready within 30 s: {log.read_text()[-2000:]}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def replica(database_url: str, index_dir: Path, poll: float) -> Iterator[str]:
    """A `mentordir serve` process in follower mode; it is never shown a catalog file."""
    env = {
        "MENTORDIR_FOLLOW": "true",
        "MENTORDIR_FOLLOW_POLL_SECONDS": str(poll),
        "MENTORDIR_DATABASE_URL": database_url,
        "MENTORDIR_INDEX_DIR": str(index_dir),
        "MENTORDIR_CATALOG": str(index_dir / "no-such-file.yaml"),
    }
    with mentordir_serve(env, index_dir.parent) as base:
        yield base
