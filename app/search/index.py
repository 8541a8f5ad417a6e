"""The search index of one catalog version: filters and facet counts as bitset operations, scoring in scoring.py.

The index holds only ids and analysed text. Facet filters and counts are operations on per-value document
sets kept in memory per catalog version as boolean masks and packed bitsets (app/search/vectors.py), so
counting every facet disjunctively costs a few vector operations rather than a Whoosh `groupedby` walk or a
walk over every match.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import queue
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import orjson
from whoosh import index
from whoosh import query as wq
from whoosh.searching import Searcher

from app.catalog.models import normalize
from app.catalog.vocab import FACETS
from app.search.build import build_if_missing
from app.search.highlight import highlights
from app.search.indexdir import IDS_FILE, WORDS_FILE
from app.search.query import Document, FacetCount, Hit, SearchQuery, SearchResult, clean
from app.search.scoring import Scoring
from app.search.scoring import Synonyms as Synonyms
from app.search.scoring import stems as stems
from app.search.vectors import DocSet, FacetBits, best

LEAF_CACHE_POSTINGS = 500_000  # postings kept in memory per index, over all cached terms (about 40 MB)...
LEAF_CACHE_PER_PROGRAM = 20  # ...or this many per program, when more: the common terms' postings span the catalog
CLAUSE_CACHE_BYTES = 16 << 20  # words' match and score vectors kept per index (9 bytes a program each)...
CLAUSE_CACHE_WORDS = 64  # ...or this many words' vectors, when more: a large catalog's common words stay cached


class SearchIndex(Scoring):
    """One catalog version's index: opened from (or built into) a folder keyed by that version."""

    def __init__(
        self,
        ix: index.Index,
        documents: Sequence[Document],
        synonyms: Synonyms,
        words: Mapping[str, int],
        ids: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            words=words,
            synonyms=synonyms,
            postings_limit=max(LEAF_CACHE_POSTINGS, LEAF_CACHE_PER_PROGRAM * len(documents)),
            clause_bytes=max(CLAUSE_CACHE_BYTES, CLAUSE_CACHE_WORDS * 9 * len(documents)),
        )
        self._ix = ix
        self._pool: queue.SimpleQueue[Searcher] = queue.SimpleQueue()
        by_id = {d.id: d for d in documents}
        with self._searcher() as s:
            if ids is None or len(ids) != s.reader().doc_count_all():
                ids = [fields["id"] for fields in s.reader().all_stored_fields()]
        if len(ids) != len(by_id) or by_id.keys() != set(ids):
            raise ValueError("the index on disk does not hold the same programs as the catalog")
        self.docs = [by_id[i] for i in ids]  # by docnum
        self.docnum = {d.id: n for n, d in enumerate(self.docs)}
        size = len(self.docs)
        self.all = DocSet.full(size)
        self.value_docs: dict[str, dict[str, DocSet]] = {}
        self._facet_bits: dict[str, FacetBits] = {}
        for name, vocab in FACETS.items():
            per_doc = [d.facets.get(name, ()) for d in self.docs]
            flat = list(itertools.chain.from_iterable(per_doc))
            owners = np.repeat(np.arange(size), np.fromiter(map(len, per_doc), dtype=np.int64, count=size))
            code = {v: i for i, v in enumerate(dict.fromkeys([*vocab.values, *flat]))}  # unknown values too
            codes = np.fromiter(map(code.__getitem__, flat), dtype=np.int64, count=len(flat))
            self.value_docs[name] = {v: DocSet.of(owners[codes == i], size) for v, i in code.items()}
            self._facet_bits[name] = FacetBits(vocab.values, [self.value_docs[name][v] for v in vocab.values])
        names = [normalize(d.name) for d in self.docs]
        by_name = sorted(range(len(self.docs)), key=lambda n: (names[n], self.docs[n].id))
        self.name_rank = [0] * len(self.docs)
        for rank, n in enumerate(by_name):
            self.name_rank[n] = rank
        self.exact: dict[str, list[int]] = {}
        for n, d in enumerate(self.docs):
            self.exact.setdefault(names[n], []).append(n)
            for label in d.aliases:
                self.exact.setdefault(normalize(label), []).append(n)
        self._updated = np.array([_micros(d.updated_at) for d in self.docs], dtype=np.int64)
        self._verified = np.array([d.last_verified.toordinal() for d in self.docs], dtype=np.int64)
        self._orders: dict[str, np.ndarray] = {}  # each sort's docnums in order, made on first use
        self._unions: dict[tuple[str, frozenset[str]], DocSet] = {}

    # building and opening

    @classmethod
    def open_or_build(
        cls, directory: Path, version: str, documents: Sequence[Document], synonyms: Synonyms | None = None
    ) -> SearchIndex:
        """Open this version's index from `directory`, building it first if it is not there."""
        target = build_if_missing(directory, version, documents)
        words = orjson.loads((target / WORDS_FILE).read_bytes())
        ids = orjson.loads((target / IDS_FILE).read_bytes()) if (target / IDS_FILE).exists() else None
        return cls(index.open_dir(str(target), readonly=True), documents, synonyms or Synonyms(), words, ids)

    @staticmethod
    def prune(directory: Path, *, keep: str, older_than: float = 600.0) -> None:
        """Remove other versions' index folders not touched for a while (other processes may still use them)."""
        cutoff = time.time() - older_than
        for path in directory.glob("*"):
            if path.is_dir() and not path.name.endswith(keep) and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break
        self._ix.close()

    @contextmanager
    def _searcher(self) -> Iterator[Searcher]:
        """A searcher for this thread alone (Whoosh searchers are not thread-safe); pooled for reuse."""
        try:
            searcher = self._pool.get_nowait()
        except queue.Empty:
            searcher = self._ix.searcher()
        try:
            yield searcher
        finally:
            self._pool.put(searcher)

    # queries

    def _allowed(self, q: SearchQuery, skip: str | None = None) -> DocSet | None:
        """Documents passing every filter but `skip`'s: OR within a facet, AND across facets; None = all."""
        result: DocSet | None = None
        for name, values in q.filters.items():
            if name == skip or not values:
                continue
            chosen = self._union(name, frozenset(values))
            result = chosen if result is None else result & chosen
        if q.updated_since is not None:
            newer = DocSet(self._updated > _micros(q.updated_since))
            result = newer if result is None else result & newer
        if q.verified_since is not None:
            fresh = DocSet(self._verified >= q.verified_since.toordinal())
            result = fresh if result is None else result & fresh
        return result

    def _union(self, name: str, values: frozenset[str]) -> DocSet:
        """Documents with any of these values of one facet; kept, as the same selections recur."""
        sets = self.value_docs.get(name, {})
        none = DocSet.union([], len(self.docs))
        if len(values) == 1:
            return sets.get(next(iter(values)), none)
        key = (name, values)
        found = self._unions.get(key)
        if found is None:
            found = DocSet.union([sets.get(v, none) for v in sorted(values)], len(self.docs))
            if len(self._unions) >= 256:
                self._unions.clear()  # bounded: start over rather than keep every combination ever asked for
            self._unions[key] = found
        return found

    def _facets(self, q: SearchQuery, matched: DocSet) -> dict[str, list[FacetCount]]:
        out = {}
        for name, vocab in FACETS.items():
            allowed = self._allowed(q, skip=name)
            base = matched if allowed is None else matched & allowed
            selected = q.filters.get(name, frozenset())
            counts = self._facet_bits[name].counts(base)
            out[name] = [FacetCount(t.value, t.label, counts[t.value], t.value in selected) for t in vocab.terms]
        return out

    def search(self, q: SearchQuery) -> SearchResult:
        """Run one query: the total, one page of hits, and every facet's disjunctive counts."""
        text = clean(q.text)
        allowed = self._allowed(q)
        with self._searcher() as searcher:
            compiled = self._compile(text) if text else None
            relaxed = False
            if compiled is None:
                matched = self.all
            else:
                matched = self._docs(searcher, compiled.query)
                if not matched and len(compiled.clauses) > 1:
                    compiled.query = wq.Or(compiled.clauses)
                    matched = self._docs(searcher, compiled.query)
                    relaxed = bool(matched)
            final = matched if allowed is None else matched & allowed
            facets = self._facets(q, matched)
            end = None if q.limit is None else q.offset + q.limit
            scores = None
            if compiled is not None and q.sort == "relevance":
                pinned = [n for n in self.exact.get(normalize(text), []) if n in final]
                pinned.sort(key=self.name_rank.__getitem__)
                scores = self._scores(searcher, compiled.query, final)
                top = best(scores, final, None if end is None else end + len(pinned))  # by score, then docnum
                ranked = pinned + [n for n in top if n not in pinned]
            else:
                ranked = self._sorted(final, q.sort, end)
            page = ranked[q.offset : end]
            suggestion = self._suggest(compiled.words) if compiled and (relaxed or not final) else None
            if suggestion:  # offer a respelling only if it would find something under the same filters
                respelled = self._compile(suggestion)
                found = self._docs(searcher, respelled.query) if respelled else None
                if not found or (allowed is not None and not found & allowed):
                    suggestion = None
        hits = [
            Hit(
                self.docs[n].id,
                None if scores is None else float(scores[n]),
                highlights(self.docs[n].name, self.docs[n].summary, self.docs[n].description, compiled.terms)
                if compiled and q.highlight
                else None,
            )
            for n in page
        ]
        return SearchResult(len(final), hits, facets, suggestion, relaxed)

    def _sorted(self, docs: DocSet, sort: str, end: int | None) -> list[int]:
        """`docs` in the order of `sort` (name order within equal dates), the first `end` of them."""
        order = self._orders.get(sort)
        if order is None:
            rank = np.array(self.name_rank, dtype=np.int64)
            if sort == "-last_verified":
                order = np.lexsort((rank, -self._verified))
            elif sort == "-updated_at":
                order = np.lexsort((rank, -self._updated))
            else:
                order = np.argsort(rank)
            self._orders[sort] = order
        ranked = order[docs.mask[order]]
        out: list[int] = (ranked if end is None else ranked[:end]).tolist()
        return out

    def similar(self, program_id: str, limit: int = 5) -> list[str]:
        """Programs most like this one: shared words in their text, plus shared facet values."""
        n = self.docnum[program_id]
        d = self.docs[n]
        text = " ".join((d.name, d.summary, d.description, *d.tags))
        with self._searcher() as searcher:
            results = searcher.more_like(n, "description", text=text, top=50, numterms=12)
            text_scores = dict(results.items())
        top = max(text_scores.values(), default=0.0) or 1.0
        mine = {(f, v) for f, values in d.facets.items() for v in values if v not in {"any", "open"}}

        def facet_similarity(m: int) -> float:
            theirs = {(f, v) for f, values in self.docs[m].facets.items() for v in values if v not in {"any", "open"}}
            return len(mine & theirs) / (len(mine | theirs) or 1)

        kind = d.facets.get("type")
        same_type = self.value_docs["type"].get(kind[0]) if kind else None
        nearby = set(same_type) if same_type is not None and len(same_type) <= 2000 else set[int]()
        candidates = (set(text_scores) | nearby) - {n}
        scored = {m: 0.6 * text_scores.get(m, 0.0) / top + 0.4 * facet_similarity(m) for m in candidates}
        best = heapq.nlargest(limit, scored, key=lambda m: (scored[m], -self.name_rank[m]))
        return [self.docs[m].id for m in best]


def _micros(when: dt.datetime) -> int:
    """A time as microseconds since 1970 UTC (a time without a zone taken as UTC): exact, unlike a float."""
    since = (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)) - EPOCH
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
