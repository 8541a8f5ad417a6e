"""The benchmark scripts run, on tiny catalogs (the figures themselves are measured by `make bench`, not here)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from whoosh.analysis import STOP_WORDS

from app.catalog.validate import validate
from app.catalog.vocab import FACETS
from app.search.query import Document
from bench import compare, generate, latency, run, wrk
from bench.queries import common_mix, distinct_urls, frequent_words, mix, typed, zipf_urls
from bench.server import ROOT, free_port, hello_command, serving


def test_the_generator_makes_valid_deterministic_catalogs_with_every_facet_used() -> None:
    text = generate.generate(300)
    assert text == generate.generate(300)  # same n and seed: the same bytes
    assert text != generate.generate(300, seed=2)
    catalog = validate(text)
    assert len(catalog.programs) == 300
    for vocab in FACETS.values():
        used = {v for p in catalog.programs for v in p.facet_values(vocab)}
        assert len(used) >= len(vocab.values) // 2, vocab.name
    assert max(len(p.description) for p in catalog.programs) > 1500  # some long descriptions
    assert sum(bool(p.aliases) for p in catalog.programs) > 50


def test_ensure_writes_once_and_reuses_the_file(tmp_path: Path) -> None:
    path = generate.ensure(20, out=tmp_path / "c.yaml")
    stamp = path.stat().st_mtime_ns
    assert generate.ensure(20, out=path) == path
    assert path.stat().st_mtime_ns == stamp
    assert len(validate(path.read_text(encoding="utf-8")).programs) == 20


def test_the_query_mix_is_distinct_and_shaped_as_the_issue_asks() -> None:
    queries = mix(1000)
    assert len(set(queries)) == 1000
    assert all(1 <= len(m.text.split()) <= 3 for m in queries)
    assert all(len(m.filters) <= 3 for m in queries)
    assert {len(m.filters) for m in queries} == {0, 1, 2, 3}
    words = {w for m in queries for w in m.text.split()}
    assert words - set(generate.VOCABULARY)  # some typos
    urls = list(distinct_urls("/api/v1/programs", 5000))
    assert len(set(urls)) == len(urls) == 5000
    zipf = Counter(zipf_urls("/", 2000, queries=queries))
    top, count = zipf.most_common(1)[0]
    assert top == f"/?{queries[0].params()}"  # rank 1 is the most requested: about 1/H(1000) = 13% of requests
    assert 0.08 * 2000 < count < 0.2 * 2000
    assert len(zipf) > 300  # and the long tail is there


@pytest.mark.slow
def test_the_common_words_mix_searches_the_catalogs_most_frequent_words() -> None:
    catalog = validate(generate.generate(300))
    documents = [
        Document.from_record(p.record, updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) for p in catalog.programs
    ]
    words = frequent_words(documents)
    texts = [" ".join((d.name, d.summary, d.description, d.sponsor, *d.aliases, *d.tags, d.extra)) for d in documents]
    users = Counter(w for t in texts for w in set(re.findall(r"[a-z]+", t.lower())) if w not in STOP_WORDS)
    assert len(words) == 30
    assert all(users[w] >= 0.5 * len(documents) for w in words[:10])  # the top words are in most programs
    assert min(users[w] for w in words) >= max(users[w] for w in users if len(w) >= 4 and w not in words)
    queries = common_mix(words, 3001)
    assert len(set(queries)) == 3001
    assert {len(m.text.split()) for m in queries} == {1, 2}
    assert {len(m.filters) for m in queries} == {0, 1, 2}
    assert {w for m in queries for w in m.text.split()} == set(words)
    assert len(set(distinct_urls("/api/v1/programs", 60_000, queries=queries))) == 60_000


def test_the_in_process_benchmark_reports_its_figures(tmp_path: Path) -> None:
    catalog = generate.ensure(40, out=tmp_path / "c.yaml")
    work = tmp_path / "work"
    work.mkdir()
    figures = latency.measure(catalog, queries=30, repeat=1, work=work)
    assert figures["programs"] == 40
    assert figures["queries"] == 30
    for mix_name in ("search_ms", "common_ms", "suggest_ms"):
        ms = figures[mix_name]
        assert 0 < ms["median"] <= ms["p95"] <= ms["p99"]
    assert len(figures["common_words"]) == 30


def test_the_typed_inputs_are_distinct_prefixes_of_the_vocabulary() -> None:
    inputs = typed(500)
    assert len(set(inputs)) == 500 and typed(500) == inputs
    assert {len(t.split()) for t in inputs} == {1, 2, 3}
    assert all(any(w.startswith(t.split()[-1]) for w in generate.VOCABULARY) for t in inputs)
    assert any(t.split()[-1] not in generate.VOCABULARY for t in inputs)  # some cut short


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk")
def test_wrk_measures_a_served_route_and_the_table_renders(tmp_path: Path) -> None:
    urls = wrk.write_urls(tmp_path / "u.txt", ["/hello"])
    port = free_port()
    with serving(hello_command(port), port, ready="/hello") as server:
        assert server.ready_s > 0
        figures = wrk.wrk(port, urls, connections=2, seconds=1)
        assert server.peak_rss_mb() > 10
    assert figures.requests > 0
    assert figures.errors == figures.non_2xx == 0
    ceiling = {f"hello@{c}": figures.__dict__ for c in run.CONNECTIONS}
    result = {
        "programs": 40,
        "latency": {
            "parse_s": 0.1,
            "index_s": 0.2,
            "index_docs_per_s": 200.0,
            "search_ms": dict.fromkeys(("median", "p95", "p99"), 1.0),
            "suggest_ms": dict.fromkeys(("median", "p95", "p99"), 0.25),
        },
        "startup": {"cold_s": 1.0, "warm_s": 0.5, "start_rss_mb": 90.0},
        "http": {"workers": 1, "api": {"zipf@8": figures.__dict__}, "html": "not available (HTTP 404)"},
    }
    text = run.table([result], ceiling)
    rows = [ln for ln in text.splitlines() if ln.startswith("| 40 |")]
    assert len(rows) == 3  # the summary row, then one row per route measured (not the completions route here)
    assert "| 0.25 / 0.25 / 0.25 ms |" in rows[0]
    assert "not available (HTTP 404)" in rows[2]
    assert "(100%)" in rows[1]  # the same figures as the ceiling: 100% of it


@pytest.mark.slow
def test_the_load_script_runs_with_reloads_and_reports_zero_failures() -> None:
    command = [sys.executable, "bench/load.py", "--seconds", "4", "--connections", "4", "--reloads", "1"]
    command += ["--workers", "1"]
    env = os.environ | {"PYTHONPATH": "."}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failures 0" in result.stdout and "reload 1: version" in result.stdout


@pytest.mark.slow
def test_compare_measures_two_commits_side_by_side(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "OUT", tmp_path)
    assert compare.main(["--base", "HEAD", "--this", "HEAD", "--sizes", "40", "--rounds", "1", "--queries", "20"]) == 0
    report = json.loads((tmp_path / "compare-40.json").read_text())
    assert set(report["rounds"]) == {"base", "this"}
    for side in ("base", "this"):
        (figures,) = report["rounds"][side]
        assert 0 < figures["common.median"] <= figures["common.p99"]
        assert 0 < figures["vocabulary.median"] <= figures["vocabulary.p99"]
        assert figures["cold_s"] > 0 and figures["warm_s"] > 0 and figures["warm_rss_mb"] > 10
    assert len(list(tmp_path.glob("base-*/app/search/index.py"))) == 1  # HEAD exported once, for both sides


@pytest.mark.slow
def test_the_edges_script_reruns_the_audit_and_prints_each_scenario() -> None:
    command = [sys.executable, "-m", "bench.edges", "--dropped", "20", "--slow", "10", "--slow-watch", "10"]
    env = os.environ | {"PYTHONPATH": "."}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout
    assert "dropped bodies: 20 sent" in lines and "5xx counter +0, 499 (client closed) +20" in lines
    assert "slow bodies: 10 connections; closed by the server within 10 s: 10" in lines
    assert "then the right token: 200" in lines and "30 MB title: reload 422" in lines
    assert "https://directory.example.org/api/v1/programs" in lines
