"""The outside audit's reproductions of issue 27, re-run against a real `mentordir serve`: prints what each did.

    PYTHONPATH=. .venv/bin/python -m bench.edges [--dropped 2000] [--slow 1500] [--workers 2]

Each scenario starts its own server on a copy of the bundled catalog (SQLite in a temporary folder) and prints
figures, not verdicts; the tests assert the behaviour, this shows it at the audit's scale.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.server import ROOT, directory_command, env_for, free_port, get

TOKEN = "bench-edges-admin-token"
CATALOG = ROOT / "data" / "programs.yaml"
SUGGESTION = json.dumps({"kind": "correction", "program_id": "elam", "message": "The page moved last month."})


@contextmanager
def server(work: Path, workers: int = 1, **settings: str) -> Iterator[tuple[int, Path]]:
    """A `mentordir serve` on a copy of the bundled catalog; yields its port and its log file."""
    catalog = work / "programs.yaml"
    if not catalog.exists():
        shutil.copy(CATALOG, catalog)
    port, log = free_port(), work / f"server-{time.monotonic_ns()}.log"
    env = env_for(catalog, work) | {"MENTORDIR_ADMIN_TOKEN": TOKEN, "MENTORDIR_MAX_CATALOG_MB": "64"}
    env |= {f"MENTORDIR_{k.upper()}": v for k, v in settings.items()}
    with log.open("wb") as out:
        process = subprocess.Popen(directory_command(port, workers), cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            for _ in range(3000):
                try:
                    if get(port, "/readyz", timeout=5)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.02)
            yield port, log
        finally:
            process.terminate()
            process.wait(timeout=30)


def request(port: int, method: str, path: str, body: str | None = None, **headers: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
        if body is not None:
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def counted(port: int, status: str = r"5\d\d") -> int:
    """Requests counted in /metrics so far with a status matching `status` (by default every 5xx)."""
    text = get(port, "/metrics", timeout=300)[1].decode()
    pattern = rf'^mentordir_requests_total\{{[^}}]*status="{status}"[^}}]*\}} ([0-9.e+]+)$'
    return int(sum(float(m) for m in re.findall(pattern, text, re.M)))


def dropped(work: Path, n: int) -> None:
    """POST bodies cut off mid-way: the audit saw a 500 and a 10 KB traceback each."""
    head = "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\nContent-Length: 2000\r\n\r\n{start}"
    forms = {
        "/api/v1/suggestions": ("application/json", '{"kind": "correction", "mess'),
        "/suggest": ("application/x-www-form-urlencoded", "kind=correction&message=The+pa"),
    }
    with server(work) as (port, log):
        before_log, before_5xx, before_499 = log.stat().st_size, counted(port), counted(port, "499")
        start = time.perf_counter()
        for i in range(n):
            path = list(forms)[i % 2]
            ctype, first = forms[path]
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(head.format(path=path, ctype=ctype, start=first).encode())
        took = time.perf_counter() - start
        time.sleep(1.0)
        grown, errors = log.stat().st_size - before_log, counted(port) - before_5xx
        client = counted(port, "499") - before_499
        print(
            f"dropped bodies: {n} sent in {took:.1f} s; log grew {grown / 1024:.0f} KiB; "
            f"5xx counter +{errors}, 499 (client closed) +{client}"
        )
        print(f"  still serving: /readyz {get(port, '/readyz')[0]}")


async def _slow_one(port: int, timeout: float) -> float | None:
    """Send headers then a byte a second; the seconds until the server closed, or None if it never did."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /api/v1/suggestions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 500\r\n\r\n"
    )
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            try:
                if await asyncio.wait_for(reader.read(4096), timeout=1.0) == b"":
                    return time.monotonic() - start
                return time.monotonic() - start  # answered (e.g. 408) and closing
            except TimeoutError:
                writer.write(b" ")
                await writer.drain()
        return None
    except (ConnectionError, OSError):
        return time.monotonic() - start
    finally:
        writer.close()


async def _slow(port: int, n: int, timeout: float) -> tuple[list[float | None], float]:
    tasks = [asyncio.create_task(_slow_one(port, timeout)) for _ in range(n)]
    await asyncio.sleep(2.0)
    start = time.monotonic()
    status = await asyncio.to_thread(lambda: get(port, "/api/v1/programs?q=women&per_page=5")[0])
    served = time.monotonic() - start if status == 200 else float("nan")
    return list(await asyncio.gather(*tasks)), served


def slow(work: Path, n: int, watch_for: float) -> None:
    """Connections that send a request body one byte a second: the audit saw them held for the whole test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * n + 1024)), hard))
    with server(work) as (port, _log):
        closed, served = asyncio.run(_slow(port, n, watch_for))
        done = sorted(t for t in closed if t is not None)
        median = done[len(done) // 2] if done else float("nan")
        print(
            f"slow bodies: {n} connections; closed by the server within {watch_for:.0f} s: {len(done)} "
            f"(median {median:.1f} s, last {done[-1] if done else float('nan'):.1f} s); "
            f"a search meanwhile answered in {served:.2f} s"
        )


def forwarded(work: Path) -> None:
    """X-Forwarded-For from 127.0.0.1: the audit bypassed both rate limits by changing it each time."""
    with server(work) as (port, _log):
        statuses = [
            request(port, "POST", "/api/v1/suggestions", SUGGESTION, X_Forwarded_For=f"203.0.113.{i}")[0]
            for i in range(8)
        ]
        print(f"forwarded header (default settings): 8 suggestions, each with a new X-Forwarded-For: {statuses}")


def throttle(work: Path, workers: int) -> None:
    """Wrong admin tokens across workers, then the right one."""
    with server(work, workers=workers) as (port, _log):
        wrong = [request(port, "POST", "/api/v1/admin/reload", Authorization="Bearer nope")[0] for _ in range(14)]
        right = request(port, "POST", "/api/v1/admin/reload", Authorization=f"Bearer {TOKEN}")
        limits = {k: v for k, v in right[1].items() if k.lower().startswith("ratelimit")}
        print(f"admin throttle ({workers} workers): 14 wrong tokens: {wrong}")
        print(f"  then the right token: {right[0]} {limits}")


def long_title(work: Path) -> None:
    """A catalog whose title is 30 MB."""
    with server(work) as (port, _log):
        version = json.loads(request(port, "GET", "/api/v1/catalog")[2])["version"]
        catalog = work / "programs.yaml"
        text = catalog.read_text()
        catalog.write_text(re.sub(r"(?m)^title: .*$", "title: " + "x" * 30_000_000, text, count=1))
        status, _h, body = request(port, "POST", "/api/v1/admin/reload", Authorization=f"Bearer {TOKEN}")
        now = json.loads(request(port, "GET", "/api/v1/catalog")[2])["version"]
        detail = json.loads(body).get("errors", [{}])[0].get("text", body[:200].decode())
        print(f"30 MB title: reload {status}: {detail[:160]}")
        print(f"  served version before {version}, after {now}")
        catalog.write_text(text)


def host(work: Path) -> None:
    """Absolute links when the Host header is forged."""
    for settings in ({}, {"base_url": "https://directory.example.org"}):
        with server(work, **settings) as (port, _log):
            _s, _h, body = request(port, "GET", "/api/v1/programs?per_page=1", Host="evil.example")
            links = json.loads(body).get("links", {}) if _s == 200 else body[:120]
            print(f"Host: evil.example with {settings or 'no base URL'}: {_s} {links}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dropped", type=int, default=2000)
    parser.add_argument("--slow", type=int, default=1500)
    parser.add_argument("--slow-watch", type=float, default=20.0, help="seconds to keep the slow clients going")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenarios = [
        lambda w: dropped(w, args.dropped),
        lambda w: slow(w, args.slow, args.slow_watch),
        forwarded,
        lambda w: throttle(w, args.workers),
        long_title,
        host,
    ]
    for scenario in scenarios:
        with tempfile.TemporaryDirectory() as tmp:
            scenario(Path(tmp))


if __name__ == "__main__":
    main()
