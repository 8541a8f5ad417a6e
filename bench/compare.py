"""Another commit's service against this working tree's, measured in one run, interleaved: on a shared machine
only figures taken side by side can be compared.

    PYTHONPATH=. .venv/bin/python -m bench.compare --base 0eae539 --sizes 10000 --rounds 3 --http
    PYTHONPATH=. .venv/bin/python -m bench.compare --base 0eae539 --sizes 100000 --rounds 3

Each round measures both sides (the base first in odd rounds, this tree first in even ones): in-process search
latency over both query mixes (the same searches, written to a file, for both), cold start, warm restart and peak
RSS of `mentordir serve`, and with --http wrk at 8 connections over the distinct, common-words and Zipf workloads
with 2 workers. Prints each side's medians over the rounds and their ratio; writes bench/out/compare-N.json.
The base is exported with `git archive` and run from there with this tree's virtualenv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.queries import Mix

DRIVER = "--driver"
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # every program's updated_at, on both sides


def drive(catalog: Path, queries: Path, work: Path) -> dict[str, Any]:
    """In the side's own process (its `app` first on sys.path): open the index, time each mix once, warmed."""
    from app.catalog.validate import load_catalog
    from app.config import SYNONYMS
    from app.live.loading import gc_paused
    from app.search.index import SearchIndex
    from app.search.query import Document, SearchQuery
    from app.search.scoring import Synonyms

    with gc_paused():
        limits = {"max_programs": 1_000_000} if "max_programs" in inspect.signature(load_catalog).parameters else {}
        programs = load_catalog(catalog, max_bytes=1 << 30, **limits)  # a side before the limit was a setting: 10,000
        documents = [Document.from_record(p.record, updated_at=WHEN) for p in programs.programs]
        started = time.perf_counter()
        index = SearchIndex.open_or_build(work, programs.version, documents, Synonyms.load(SYNONYMS))
        opened = time.perf_counter() - started
    out: dict[str, Any] = {"open_s": opened}
    for name, searches in json.loads(queries.read_text()).items():
        asked = [SearchQuery(text=t, filters={k: frozenset(v) for k, v in f}) for t, f in searches]
        for q in asked[:50]:
            index.search(q)
        ms = []
        for q in asked:
            start = time.perf_counter()
            index.search(q)
            ms.append((time.perf_counter() - start) * 1000)
        ms.sort()
        out[name] = {"median": statistics.median(ms), "p99": ms[min(len(ms) - 1, round(0.99 * len(ms)) - 1)]}
    status = Path("/proc/self/status").read_text().splitlines()
    out["rss_mb"] = next(int(ln.split()[1]) / 1024 for ln in status if ln.startswith("VmHWM:"))
    index.close()
    return out


def export(ref: str, into: Path) -> Path:
    """The files of commit `ref`, in `into` (made once per commit)."""
    from bench.server import ROOT

    commit = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, capture_output=True, text=True, check=True)
    target = into / f"base-{commit.stdout.strip()[:12]}"
    if not (target / "app").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        scratch = target / "archive.tar"
        scratch.write_bytes(archive)
        with tarfile.open(scratch) as tar:
            tar.extractall(target, filter="data")
        scratch.unlink()
    return target


def side_env(root: Path, catalog: Path, work: Path) -> dict[str, str]:
    from bench.server import env_for

    return env_for(catalog, work) | {"PYTHONPATH": str(root)}


def measure(root: Path, catalog: Path, queries: Path, work: Path, *, http: bool, serve: bool = True) -> dict[str, Any]:
    """One side's figures, one round."""
    from bench.server import directory_command, free_port, serving
    from bench.wrk import wrk

    command = [sys.executable, str(Path(__file__).resolve()), DRIVER, str(catalog), str(queries), str(work / "ix")]
    driven = subprocess.run(command, cwd=root, env=side_env(root, catalog, work), capture_output=True, text=True)
    if driven.returncode:
        raise RuntimeError(driven.stderr[-2000:])
    out: dict[str, Any] = json.loads(driven.stdout.strip().splitlines()[-1])
    if not serve:
        return out
    served = work / "served"
    shutil.rmtree(served, ignore_errors=True)
    served.mkdir(parents=True)
    port = free_port()
    with serving(directory_command(port), port, env=side_env(root, catalog, served), cwd=root) as server:
        out["cold_s"], out["cold_rss_mb"] = server.ready_s, server.peak_rss_mb()
    port = free_port()
    with serving(directory_command(port), port, env=side_env(root, catalog, served), cwd=root) as server:
        out["warm_s"], out["warm_rss_mb"] = server.ready_s, server.peak_rss_mb()
    if http:
        port = free_port()
        with serving(directory_command(port, 2), port, env=side_env(root, catalog, served), cwd=root) as server:
            for workload in ("distinct", "common", "zipf"):
                if workload == "zipf":  # steady state, as in bench.run: the Zipf mix's head seen once before
                    wrk(port, work.parent / f"api-{workload}.txt", connections=8, seconds=5)
                run = wrk(port, work.parent / f"api-{workload}.txt", connections=8, seconds=5)
                out[f"http_{workload}_rps"], out[f"http_{workload}_p99_ms"] = run.rps, run.p99_ms
            out["serve_rss_mb"] = server.peak_rss_mb()
    return out


def flatten(figures: dict[str, Any]) -> dict[str, float]:
    flat = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat |= {f"{key}.{k}": float(v) for k, v in value.items()}
        else:
            flat[key] = float(value)
    return flat


def without(text: str, fields: Sequence[str]) -> str:
    """The catalog's text without these one-line fields of its program entries."""
    return re.sub(rf"(?m)^  (?:{'|'.join(map(re.escape, fields))}): .*\n", "", text)


def shared(searches: list[Mix], drops: Sequence[str]) -> list[Mix]:
    """The searches both sides can answer: no filter on a facet the base does not have."""
    return [replace(m, filters=tuple(f for f in m.filters if f[0] not in drops)) for m in searches]


def main(argv: Sequence[str] | None = None) -> int:
    from app.catalog.validate import load_catalog
    from app.search.query import Document
    from bench import generate
    from bench.queries import common_mix, frequent_words, mix
    from bench.server import ROOT
    from bench.wrk import workloads

    parser = argparse.ArgumentParser(description="Compare another commit's service with this tree's, interleaved.")
    parser.add_argument("--base", required=True, help="the commit to compare against (e.g. main)")
    parser.add_argument("--this", help="a commit to measure instead of the working tree (which may then change)")
    parser.add_argument("--queries", type=int, default=1000, help="searches of each mix per round")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="also wrk at 8 connections, 2 workers")
    parser.add_argument(
        "--base-drops",
        nargs="*",
        default=[],
        help="program fields the base does not know yet (e.g. status access): its copy of the catalog leaves them out",
    )
    args = parser.parse_args(argv)
    generate.OUT.mkdir(parents=True, exist_ok=True)
    sides = {"base": export(args.base, generate.OUT), "this": export(args.this, generate.OUT) if args.this else ROOT}
    for n in args.sizes:
        catalog = generate.ensure(n)
        work = generate.OUT / f"compare-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        programs = load_catalog(catalog, max_bytes=1 << 30, max_programs=1_000_000).programs
        documents = [Document.from_record(p.record, updated_at=WHEN) for p in programs]
        words = frequent_words(documents)
        drops = args.base_drops
        mixes = {
            "vocabulary": shared(mix(args.queries), drops),
            "common": shared(common_mix(words, args.queries), drops),
        }
        queries = work / "queries.json"
        queries.write_text(json.dumps({k: [(m.text, m.filters) for m in v] for k, v in mixes.items()}))
        if args.http:
            files = workloads(
                "/api/v1/programs", mixes["vocabulary"], work, common=shared(common_mix(words, 3001), drops)
            )
            for name, path in files.items():
                path.rename(work / f"api-{name}.txt")
        catalogs = {side: catalog for side in sides}
        if drops:
            catalogs["base"] = work / "base-catalog.yaml"
            catalogs["base"].write_text(without(catalog.read_text(), drops))
        for side, root in sides.items():  # build each side's index once, unmeasured
            measure(root, catalogs[side], queries, work / side, http=False, serve=False)
        rounds: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
        for r in range(args.rounds):
            order = list(sides) if r % 2 == 0 else list(reversed(sides))
            for side in order:
                print(f"== {n:,} programs, round {r + 1}, {side}", file=sys.stderr, flush=True)
                figures = measure(sides[side], catalogs[side], queries, work / side, http=args.http)
                rounds[side].append(flatten(figures))
        medians = {side: {k: statistics.median(f[k] for f in runs) for k in runs[0]} for side, runs in rounds.items()}
        report = {"programs": n, "base": args.base, "rounds": rounds, "medians": medians}
        (generate.OUT / f"compare-{n}.json").write_text(json.dumps(report, indent=1))
        print(f"\n{n:,} programs, median of {args.rounds} interleaved rounds (base {args.base} -> this tree):")
        print("| figure | base | this tree | this / base | per round (base -> this) |")
        print("|---|---|---|---|---|")
        for key in medians["base"]:
            old, new = medians["base"][key], medians["this"][key]
            each = ", ".join(
                f"{a:.3g}->{b:.3g}"
                for a, b in zip((f[key] for f in rounds["base"]), (f[key] for f in rounds["this"]), strict=True)
            )
            print(f"| {key} | {old:.3g} | {new:.3g} | {new / old if old else float('nan'):.2f} | {each} |")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == DRIVER:
        print(json.dumps(drive(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))))
        sys.exit(0)
    sys.exit(main())
