"""The benchmark suite: for each catalog size, in-process search, start-up, memory and HTTP throughput.

    python -m bench.run --sizes 1000 10000          # what `make bench` runs
    python -m bench.run --sizes 100000 --repeat 1   # the large catalog (several minutes)

Prints a markdown table and writes it to bench/out/results.md (with the raw figures in results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import generate
from bench.queries import common_mix, mix
from bench.server import ROOT, directory_command, env_for, free_port, hello_command, serving
from bench.wrk import Run, probe, suggest_workloads, workloads, wrk

ROUTES = {"api": "/api/v1/programs", "html": "/", "suggest": "/api/v1/suggest"}
CONNECTIONS = (8, 64)
WORKLOADS = ("distinct", "zipf", "common")  # common: every request a distinct search of the most frequent words


def machine() -> str:
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln),
        platform.processor() or "unknown CPU",
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def latency(catalog: Path, repeat: int) -> dict[str, Any]:
    """The in-process figures, in a process of their own so that memory and caches start clean."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.latency", str(catalog), "--repeat", str(repeat)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def startup(catalog: Path, work: Path, repeat: int) -> dict[str, float]:
    """Cold start (fresh database and index folder) and warm restart (same ones, unchanged catalog), medians."""
    cold, warm, rss = [], [], []
    for _ in range(max(1, repeat - 1)):  # cold starts are the slow part of the suite: one fewer
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        port = free_port()
        with serving(directory_command(port), port, env=env_for(catalog, work)) as server:
            cold.append(server.ready_s)
            rss.append(server.peak_rss_mb())
    for _ in range(repeat):
        port = free_port()
        with serving(directory_command(port), port, env=env_for(catalog, work)) as server:
            warm.append(server.ready_s)
            rss.append(server.peak_rss_mb())
    return {"cold_s": statistics.median(cold), "warm_s": statistics.median(warm), "start_rss_mb": max(rss)}


def throughput(catalog: Path, work: Path, seconds: int, workers: int, common_words: list[str]) -> dict[str, Any]:
    """wrk at each connection count, for each route and workload, against an already-loaded server."""
    queries = mix(1000)
    common = common_mix(common_words, 3001)  # 3,001 searches x 20 pages and page sizes: 60,000 distinct URLs
    files = {
        name: suggest_workloads(route, work) if name == "suggest" else workloads(route, queries, work, common=common)
        for name, route in ROUTES.items()
    }
    port = free_port()
    out: dict[str, Any] = {"workers": workers}
    with serving(directory_command(port, workers), port, env=env_for(catalog, work)) as server:
        for name, route in ROUTES.items():
            missing = probe(port, route, "q=lea" if name == "suggest" else queries[0].params())
            if missing:
                out[name] = missing
                continue
            out[name] = {}
            for workload, path in files[name].items():
                if workload == "zipf":  # steady state: a server under a Zipf mix has seen its head before
                    wrk(port, path, connections=CONNECTIONS[0], seconds=seconds)
                for c in CONNECTIONS:
                    out[name][f"{workload}@{c}"] = wrk(port, path, connections=c, seconds=seconds).__dict__
        out["serve_rss_mb"] = server.peak_rss_mb()
    return out


def hello(work: Path, seconds: int, workers: int, repeat: int = 3) -> dict[str, Any]:
    """The same stack's hello-world ceiling, measured in the same run with the same workers; and its start-up
    (one worker, as the start-up figures), the floor under any warm restart."""
    urls = work / "hello.txt"
    urls.write_text("/hello\n", encoding="utf-8")
    starts = []
    for _ in range(repeat):
        port = free_port()
        with serving(hello_command(port), port, ready="/hello") as server:
            starts.append(server.ready_s)
    port = free_port()
    with serving(hello_command(port, workers), port, ready="/hello"):
        runs = {f"hello@{c}": wrk(port, urls, connections=c, seconds=seconds).__dict__ for c in CONNECTIONS}
    return runs | {"start_s": statistics.median(starts)}


def suite(n: int, *, repeat: int, seconds: int, workers: int) -> dict[str, Any]:
    catalog = generate.ensure(n)
    work = generate.OUT / f"work-{n}"
    figures: dict[str, Any] = {"programs": n}
    started = time.perf_counter()
    figures["latency"] = latency(catalog, repeat)
    figures["startup"] = startup(catalog, work, repeat)
    figures["http"] = throughput(catalog, work, seconds, workers, figures["latency"]["common_words"])
    figures["suite_s"] = time.perf_counter() - started
    return figures


def _cell(run: dict[str, Any] | None, ceiling: float | None, *, distinct: bool = False) -> str:
    if run is None:
        return "–"
    r = Run(**run)
    if not r.requests:
        return f"no answer within {r.seconds:.0f} s"
    ratio = f" ({r.rps / ceiling:.0%})" if ceiling else ""
    failed = r.errors + r.non_2xx
    flags = (" ⚠ URLs repeated" if distinct and r.wrapped else "") + (f" ⚠ {failed} failed" if failed else "")
    return f"{r.rps:,.0f}/s{ratio}, p50 {r.p50_ms:.1f} / p99 {r.p99_ms:.1f} ms{flags}"


def table(results: list[dict[str, Any]], ceiling: dict[str, Any]) -> str:
    """The markdown summary."""
    lines = [
        f"Machine: {machine()}; wrk -t{min(2, max(CONNECTIONS))}, loopback.",
        "",
        "| programs | parse + validate | index build | search median / p95 / p99 | common words median / p95 / p99 "
        "| completions median / p95 / p99 | cold start | warm restart | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lat, st = r["latency"], r["startup"]
        ms, common = lat["search_ms"], lat.get("common_ms")
        sg = lat.get("suggest_ms")
        completions = f"{sg['median']:.2f} / {sg['p95']:.2f} / {sg['p99']:.2f} ms" if sg else "–"
        rss = max(st["start_rss_mb"], r["http"].get("serve_rss_mb", 0.0))
        common_cell = f"{common['median']:.1f} / {common['p95']:.1f} / {common['p99']:.1f} ms" if common else "–"
        lines.append(
            f"| {r['programs']:,} | {lat['parse_s']:.2f} s | {lat['index_s']:.2f} s ({lat['index_docs_per_s']:,.0f}/s) "
            f"| {ms['median']:.1f} / {ms['p95']:.1f} / {ms['p99']:.1f} ms | {common_cell} | {completions} "
            f"| {st['cold_s']:.2f} s "
            f"| {st['warm_s']:.2f} s | {rss:.0f} MB |"
        )
    lines += ["", "HTTP (requests/s, share of the hello-world ceiling at the same connections, latency):", ""]
    header = ["programs", "route", "workers"] + [f"{w} @{c}" for w in WORKLOADS for c in CONNECTIONS]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    hello_rps = {c: Run(**ceiling[f"hello@{c}"]).rps for c in CONNECTIONS}
    for r in results:
        http = r["http"]
        for name, route in ROUTES.items():
            runs = http.get(name)
            if runs is None:
                continue
            if isinstance(runs, str):
                lines.append(
                    f"| {r['programs']:,} | `{route}` | {http['workers']} | {runs} |" + " |" * (len(header) - 4)
                )
                continue
            cells = [
                _cell(runs.get(f"{w}@{c}"), hello_rps[c], distinct=w != "zipf") for w in WORKLOADS for c in CONNECTIONS
            ]
            lines.append(f"| {r['programs']:,} | `{route}` | {http['workers']} | " + " | ".join(cells) + " |")
    cells = [_cell(ceiling[f"hello@{c}"], None) for c in CONNECTIONS]
    workers = results[0]["http"]["workers"] if results else 1  # the ceiling is served with the same workers
    lines.append(f"| – | hello world | {workers} | " + " | ".join(cells) + " |" * (len(header) - 4))
    if "start_s" in ceiling:
        lines += ["", f"Hello world's own start (process start → first answer, 1 worker): {ceiling['start_s']:.2f} s."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmark suite and print a markdown table.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the latency and start-up measures")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--workers", type=int, default=1, help="server processes for the HTTP runs")
    parser.add_argument("--out", type=Path, default=generate.OUT / "results.md")
    args = parser.parse_args(argv)
    generate.OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        print(f"== {n:,} programs", file=sys.stderr, flush=True)
        results.append(suite(n, repeat=args.repeat, seconds=args.seconds, workers=args.workers))
    ceiling = hello(generate.OUT, args.seconds, args.workers, args.repeat)
    text = f"{time.strftime('%Y-%m-%d %H:%M %Z')}\n\n{table(results, ceiling)}\n"
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"results": results, "hello": ceiling}, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
