"""Load with reloads: N connections for D seconds against a local server while the catalog is rewritten R times.

Loopback only, bounded in time and count, and it stops by itself. It starts `mentordir serve` (on a copy of the
bundled catalog, file watching on, its own database and index folder), drives it with an asyncio + httpx
generator over a fixed mix of API searches, API records, search pages and program pages, rewrites the catalog R
times during the run (one program's summary each time, atomically, as an editor saves), checks that each rewrite was
served, and prints requests, failures and latency percentiles. Exit status 1 on any failed request or missed reload.

    PYTHONPATH=. .venv/bin/python bench/load.py                 # 64 connections, 60 s, 5 reloads, 2 workers
    PYTHONPATH=. .venv/bin/python bench/load.py --seconds 10 --connections 8 --reloads 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["", "women", "leadership", "peer mentoring", "URM", "junior faculty", "endocrine", "listserv", "K award"]
FACETS = ["", "career_stage=early-career", "format=online", "demographic_focus=women&format=in-person"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def urls(ids: list[str], rng: random.Random) -> list[str]:
    """A fixed mix: API searches, API records, the HTML search page and program pages."""
    out = []
    for _ in range(400):
        q, facet = rng.choice(QUERIES), rng.choice(FACETS)
        params = "&".join(p for p in (f"q={q}" if q else "", facet) if p)
        kind = rng.random()
        if kind < 0.5:
            out.append(f"/api/v1/programs?{params}")
        elif kind < 0.7:
            out.append(f"/api/v1/programs/{rng.choice(ids)}")
        elif kind < 0.9:
            out.append(f"/?{params}")
        else:
            out.append(f"/programs/{rng.choice(ids)}")
    return out


def rewrite(catalog: Path, n: int) -> None:
    """Change one program's summary and replace the file atomically (write aside, then rename)."""
    text = catalog.read_text(encoding="utf-8")
    marker = "    summary: "
    start = text.index(marker) + len(marker)
    end = text.index("\n", start)
    base = text[start:end].split(" [rev ")[0].rstrip(".")
    tmp = catalog.with_suffix(".tmp")
    tmp.write_text(text[:start] + f"{base} [rev {n}]." + text[end:], encoding="utf-8")
    os.replace(tmp, catalog)


async def drive(base: str, paths: list[str], connections: int, seconds: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:

        async def worker(k: int) -> None:
            i = k
            while time.monotonic() < deadline:
                path = paths[i % len(paths)]
                i += connections
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                    if response.status_code >= 400:
                        failures.append(f"{response.status_code} {path}")
                except httpx.HTTPError as exc:
                    failures.append(f"{type(exc).__name__} {path}")
                latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(worker(k) for k in range(connections)))
    return latencies, failures


async def reloader(base: str, catalog: Path, reloads: int, seconds: float, workers: int) -> list[str]:
    """Rewrite the catalog `reloads` times, evenly spread; note when every worker serves each new version."""
    notes = []
    async with httpx.AsyncClient(base_url=base, timeout=5.0) as client:
        for n in range(1, reloads + 1):
            await asyncio.sleep(seconds / (reloads + 1))
            before = (await client.get("/readyz")).json()["catalog"]["version"]
            started = time.monotonic()
            rewrite(catalog, n)
            seen: set[str] = set()
            while time.monotonic() - started < 20:
                version = (await client.get("/readyz")).json()["catalog"]["version"]
                if version != before:
                    seen.add(version)
                    # New connections land on any worker: several answers in a row from the new version.
                    answers = [(await client.get("/readyz")).json()["catalog"]["version"] for _ in range(4 * workers)]
                    if all(a != before for a in answers):
                        notes.append(f"reload {n}: version {version} served after {time.monotonic() - started:.2f} s")
                        break
                await asyncio.sleep(0.05)
            else:
                notes.append(f"reload {n}: NOT served by every worker within 20 s")
    return notes


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not (1 <= args.connections <= 256 and 1 <= args.seconds <= 600 and 0 <= args.reloads <= 50):
        parser.error("bounds: 1-256 connections, 1-600 seconds, 0-50 reloads")

    with tempfile.TemporaryDirectory(prefix="mentordir-load-") as tmp:
        work = Path(tmp)
        catalog = work / "programs.yaml"
        catalog.write_text((ROOT / "data" / "programs.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        port = free_port()
        env = os.environ | {
            "MENTORDIR_CATALOG": str(catalog),
            "MENTORDIR_DATABASE_URL": f"sqlite:///{work / 'db.sqlite'}",
            "MENTORDIR_INDEX_DIR": str(work / "index"),
            "MENTORDIR_WATCH": "true",
            "MENTORDIR_LOG_LEVEL": "warning",
        }
        command = [sys.executable, "-m", "app.curate.cli", "serve", "--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            else:
                print("the server did not become ready", file=sys.stderr)
                return 2
            listing = httpx.get(f"{base}/api/v1/programs", params={"per_page": 100, "fields": "id"}).json()
            paths = urls([p["id"] for p in listing["results"]], random.Random(7))

            async def run() -> tuple[tuple[list[float], list[str]], list[str]]:
                return await asyncio.gather(
                    drive(base, paths, args.connections, args.seconds),
                    reloader(base, catalog, args.reloads, args.seconds, args.workers),
                )

            started = time.monotonic()
            (latencies, failures), notes = asyncio.run(run())
            elapsed = time.monotonic() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    print(f"{args.connections} connections, {args.seconds:.0f} s, {args.workers} workers, {args.reloads} reloads")
    for note in notes:
        print(note)
    print(f"requests {len(latencies)} ({len(latencies) / elapsed:.0f}/s), failures {len(failures)}")
    if latencies:
        print(
            f"latency ms: median {statistics.median(latencies) * 1000:.1f}, "
            f"p95 {percentile(latencies, 95) * 1000:.1f}, p99 {percentile(latencies, 99) * 1000:.1f}"
        )
    for failure in failures[:10]:
        print("failed:", failure)
    missed = sum("NOT served" in n for n in notes)
    return 1 if failures or missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
