"""Lighthouse 12 (mobile preset) against a running `mentordir serve`, each page three times; prints the medians.

    PYTHONPATH=. .venv/bin/python -m bench.lighthouse [--runs 3] [--port 8765]

Needs Node (npx fetches lighthouse@12.8.2 once; 13.x needs Node >= 22.19) and Debian's chromium. Not run in CI:
scores move a few points with machine load, so quote the median of three (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from app.config import BUNDLED_CATALOG
from bench.server import ROOT, directory_command, env_for, free_port, serving

LIGHTHOUSE = "lighthouse@12.8.2"
PAGES = {
    "/": "/",
    "/?q=women": "/?q=women",
    "a program page": "/programs/every-other-thursday",
    "/compare": "/compare?ids=swims,every-other-thursday",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CLS_TARGET = 0.05


def audit(url: str, out: Path, chromium: str) -> dict[str, float]:
    """One Lighthouse run: the four category scores (0-100) and the cumulative layout shift."""
    command = [
        "npx", "--yes", LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={out}",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
    ]  # fmt: skip
    subprocess.run(command, check=True, env=os.environ | {"CHROME_PATH": chromium}, timeout=300)
    report = json.loads(out.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    scores["cls"] = report["audits"]["cumulative-layout-shift"]["numericValue"]
    scores["lcp_ms"] = report["audits"]["largest-contentful-paint"]["numericValue"]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None or shutil.which("npx") is None:
        print("needs chromium and npx on PATH", file=sys.stderr)
        return 1
    port = args.port or free_port()
    work = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    results: dict[str, list[dict[str, float]]] = {}
    with serving(directory_command(port), port, env=env_for(BUNDLED_CATALOG, work)):
        for name, path in PAGES.items():
            results[name] = [
                audit(f"http://127.0.0.1:{port}{path}", work / "lh.json", chromium) for _ in range(args.runs)
            ]
    shutil.rmtree(work, ignore_errors=True)
    rows = [
        "| page | performance | accessibility | best practices | SEO | CLS | LCP | runs (performance) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    failed = []
    for name, runs in results.items():
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        rows.append(
            f"| {name} | {median['performance']:.0f} | {median['accessibility']:.0f} | {median['best-practices']:.0f} "
            f"| {median['seo']:.0f} | {median['cls']:.3f} | {median['lcp_ms'] / 1000:.1f} s "
            f"| {', '.join(str(round(r['performance'])) for r in runs)} |"
        )
        failed += [f"{name}: {key} {median[key]:.0f} < {low}" for key, low in TARGETS.items() if median[key] < low]
        failed += [f"{name}: CLS {median['cls']:.3f}"] if median["cls"] >= CLS_TARGET else []
    table = "\n".join(rows)
    print(table)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "lighthouse.json").write_text(json.dumps(results, indent=2))
    (out / "lighthouse.md").write_text(table + "\n")
    for line in failed:
        print("below target:", line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
