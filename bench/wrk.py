"""HTTP throughput and latency with wrk over loopback, cycling through a file of URLs (bench/cycle.lua)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.queries import Mix, distinct_urls, typed, zipf_urls
from bench.server import get

LUA = Path(__file__).resolve().parent / "cycle.lua"
THREADS = 2


@dataclass(frozen=True)
class Run:
    """One wrk run's figures."""

    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50_ms: float
    p99_ms: float
    wrapped: bool  # the URL list ran out and started again, so some URLs were repeated

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(port: int, urls_file: Path, *, connections: int, seconds: int) -> Run:
    """Run wrk against 127.0.0.1:port for `seconds` with `connections` open connections."""
    binary = shutil.which("wrk")
    if binary is None:
        raise FileNotFoundError("wrk is not installed (apt-get install wrk)")
    threads = min(THREADS, connections)
    out = subprocess.run(
        [
            *(binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA)),
            *(f"http://127.0.0.1:{port}", "--", str(urls_file), str(threads)),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    return Run(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        non_2xx=data["non_2xx"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        wrapped=bool(data["wrapped"]),
    )


def write_urls(path: Path, urls: list[str]) -> Path:
    path.write_text("\n".join(urls) + "\n", encoding="utf-8")
    return path


def workloads(
    route: str, queries: list[Mix], work: Path, *, common: list[Mix] | None = None, distinct: int = 60_000
) -> dict[str, Path]:
    """The URL files for one route: every request distinct, a Zipf mix over the query set, and (given the
    common-words mix, enough searches for `distinct`) every request a distinct search of common words."""
    slug = route.strip("/").replace("/", "-") or "root"
    out = {
        "distinct": write_urls(work / f"{slug}-distinct.txt", list(distinct_urls(route, distinct))),
        "zipf": write_urls(work / f"{slug}-zipf.txt", zipf_urls(route, 100_000, queries=queries)),
    }
    if common:
        urls = list(distinct_urls(route, distinct, queries=common))
        out["common"] = write_urls(work / f"{slug}-common.txt", urls)
    return out


def suggest_workloads(route: str, work: Path, *, distinct: int = 60_000) -> dict[str, Path]:
    """The completions route's URL files: every input distinct, and a Zipf mix over 1,000 of them."""
    inputs = typed(distinct)
    urls = [f"{route}?{urlencode({'q': text})}" for text in inputs]
    rng = random.Random("zipf-suggest")
    weights = [1 / r for r in range(1, 1001)]
    return {
        "distinct": write_urls(work / "suggest-distinct.txt", urls),
        "zipf": write_urls(work / "suggest-zipf.txt", rng.choices(urls[:1000], weights=weights, k=100_000)),
    }


def probe(port: int, route: str, sample: str) -> str | None:
    """None when the route answers a sample query string with 200; otherwise why it cannot be measured."""
    try:
        status, _ = get(port, f"{route}?{sample}")
    except OSError as exc:
        return f"unreachable ({exc})"
    return None if status == 200 else f"not available (HTTP {status})"
