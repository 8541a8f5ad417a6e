"""In-process figures: load, store and index a catalog, then search it with the query mixes.

    python -m bench.latency bench/out/catalog-10000.yaml --repeat 3

Prints one JSON object. Search latency is the median over repeats of each pass's median, p95 and p99, with facet
counts and highlights on and no response cache (the search core has none), for the vocabulary mix (`search_ms`)
and the common-words mix (`common_ms`: one or two of the catalog's most frequent words, 0–2 filters); completion
latency likewise, over as many inputs typed so far (bench.queries.typed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.catalog.validate import load_catalog
from app.config import SYNONYMS, WORDFORMS
from app.live.loading import gc_paused
from app.search.analysis import Synonyms
from app.search.index import SearchIndex
from app.search.query import Document
from app.store.db import init_db, make_engine, read_programs, sync_catalog
from bench.queries import Mix, common_mix, frequent_words, mix, typed


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(ms), "p95": percentile(ms, 95), "p99": percentile(ms, 99)}


def medians(call: Callable[[Any], Any], inputs: Sequence[Any], repeat: int) -> dict[str, float]:
    """`call` on every input, `repeat` times: the median over the passes of each pass's median, p95 and p99 (ms)."""
    passes = []
    for _ in range(repeat):
        ms = []
        for item in inputs:
            start = time.perf_counter()
            call(item)
            ms.append((time.perf_counter() - start) * 1000)
        passes.append(summary(ms))
    return {k: statistics.median(p[k] for p in passes) for k in ("median", "p95", "p99")}


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def measure(catalog_path: Path, *, queries: int = 1000, repeat: int = 3, work: Path) -> dict[str, Any]:
    """Every in-process figure for one catalog, using `work` for the database and the index."""
    with gc_paused():  # as the service loads a catalog
        catalog, t_parse = _timed(load_catalog, catalog_path, max_bytes=1 << 30, max_programs=1_000_000)
        engine = make_engine(f"sqlite:///{work / 'db.sqlite'}")
        init_db(engine)
        _, t_sync = _timed(sync_catalog, engine, catalog)
        stored, t_read = _timed(read_programs, engine)
        engine.dispose()
        documents = [Document.from_record(p.record, updated_at=p.updated_at) for p in stored]
        synonyms = Synonyms.load(SYNONYMS, WORDFORMS)
        # in one process: the service's start-up also indexes in child processes meanwhile (see the cold start)
        index, t_build = _timed(SearchIndex.open_or_build, work / "index", catalog.version, documents, synonyms)
        index.close()
        index, t_open = _timed(SearchIndex.open_or_build, work / "index", catalog.version, documents, synonyms)
    words = frequent_words(documents)
    mixes = {"search_ms": mix(queries), "common_ms": common_mix(words, queries)}
    timings = {name: passes(index, searches, repeat) for name, searches in mixes.items()}
    typed_so_far = typed(queries)
    _, t_complete_build = _timed(index.complete, "a")  # the first completion builds the completer
    suggest_ms = medians(index.complete, typed_so_far, repeat)
    index.close()
    n = len(catalog.programs)
    return {
        "programs": n,
        "queries": queries,
        "repeat": repeat,
        "parse_s": t_parse,
        "sync_s": t_sync,
        "read_s": t_read,
        "index_s": t_build,
        "index_docs_per_s": n / t_build if t_build else None,
        "open_s": t_open,
        **timings,
        "common_words": words,
        "suggest_build_s": t_complete_build,
        "suggest_ms": suggest_ms,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def passes(index: SearchIndex, mixed: list[Mix], repeat: int) -> dict[str, float]:
    """Each statistic's median over `repeat` passes of the searches, after 50 unmeasured ones."""
    searches = [m.query() for m in mixed]
    for q in searches[:50]:  # warm the searcher pool and the stemmer's cache
        index.search(q)
    return medians(index.search, searches, repeat)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="In-process load, index and search figures for one catalog.")
    parser.add_argument("catalog", type=Path)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="latency-", dir=args.catalog.parent) as work:
        figures = measure(args.catalog, queries=args.queries, repeat=args.repeat, work=Path(work))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
