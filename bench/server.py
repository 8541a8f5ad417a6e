"""Serving processes for the benchmarks: start one, wait until it is ready, read its peak memory, stop it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One GET over loopback: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def env_for(catalog: Path, work: Path) -> dict[str, str]:
    """MENTORDIR_* settings that keep the database and the index inside `work`."""
    return os.environ | {
        "MENTORDIR_CATALOG": str(catalog),
        "MENTORDIR_DATABASE_URL": f"sqlite:///{work / 'db.sqlite'}",
        "MENTORDIR_INDEX_DIR": str(work / "index"),
        "MENTORDIR_MAX_CATALOG_MB": "1024",
        "MENTORDIR_MAX_PROGRAMS": "1000000",
        "MENTORDIR_WATCH": "false",
    }


def directory_command(port: int, workers: int = 1) -> list[str]:
    """The production command, `mentordir serve`, with this many worker processes."""
    return [str(BIN / "mentordir"), "serve", "--port", str(port), "--workers", str(workers)]


def hello_command(port: int, workers: int = 1) -> list[str]:
    """The same uvicorn serving a hello-world FastAPI app, with the same number of workers."""
    return [str(BIN / "python"), "-m", "bench.hello", "--port", str(port), "--workers", str(workers)]


def _descendants(pid: int) -> list[int]:
    """The process and every child it started (uvicorn's workers), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def peak_rss_mb(pid: int) -> float:
    """The largest peak resident set (VmHWM) among the process and its children, in MiB."""
    peaks = []
    for p in _descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks, default=0.0)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    ready_s: float

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)


@contextmanager
def serving(
    command: Sequence[str],
    port: int,
    *,
    env: dict[str, str] | None = None,
    ready: str = "/readyz",
    limit: float = 600,
    cwd: Path = ROOT,
) -> Iterator[Server]:
    """Start a server in `cwd`, time it from process start until `ready` answers 200, and stop it afterwards."""
    log = tempfile.TemporaryFile()  # noqa: SIM115  (a file, not a pipe: a chatty server must never block on it)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{command[0]} exited with {process.returncode}: {log.read().decode()[-2000:]}")
            try:
                if get(port, ready, timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - start > limit:
                raise TimeoutError(f"not ready after {limit:.0f} s")
            time.sleep(0.01)
        yield Server(process, port, time.perf_counter() - start)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
