"""Full-text search with facets: the one module that knows Whoosh.

The index holds only ids and analysed text. Facet filters and counts are set operations over
per-value document sets kept in memory per catalog version, so counting every facet disjunctively
costs a handful of set intersections rather than a Whoosh `groupedby` walk.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import html
import os
import queue
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
import yaml
from whoosh import index
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, TEXT, Schema
from whoosh.lang.porter import stem
from whoosh.searching import Searcher
from whoosh.support.levenshtein import damerau_levenshtein

from app.catalog import normalize
from app.vocab import FACETS

SCHEMA_VERSION = "2"  # bump when the schema or analysis changes, so old on-disk indexes are not reused
MAX_QUERY_CHARS = 500
MAX_WORDS = 32
FUZZY_MIN_LENGTH = 5
SNIPPET_CHARS = 220
LEAF_CACHE_POSTINGS = 500_000  # postings kept in memory per index, over all cached terms (about 40 MB)

Sort = Literal["relevance", "name", "-last_verified", "-updated_at"]
SORTS: tuple[str, ...] = ("relevance", "name", "-last_verified", "-updated_at")

_WORDS = r"\w+(?:\.?\w+)*"  # whoosh-reloaded's default pattern also takes '*' as part of a word
_RAW = RegexTokenizer(_WORDS) | LowercaseFilter() | StopFilter(minsize=1)
_STEM = _RAW | StemFilter()
_WORD_RE = re.compile(_WORDS)
_cached_stem = functools.lru_cache(maxsize=100_000)(stem)
FIELD_BOOSTS = {
    "name": 6.0,
    "aliases": 6.0,
    "summary": 3.0,
    "sponsor": 2.0,
    "tags": 2.0,
    "description": 1.0,
    "extra": 0.5,
}
# The words as typed (for typo tolerance and respelling) are kept beside the index in WORDS_FILE, not in it:
# indexing them as a field doubled the time to build the index.
WORDS_FILE = "words.json"
SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    **{name: TEXT(analyzer=_STEM, phrase=False, field_boost=boost) for name, boost in FIELD_BOOSTS.items()},
)


@dataclass(frozen=True, slots=True)
class Document:
    """What the index needs to know of one program."""

    id: str
    name: str
    summary: str
    description: str
    sponsor: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    extra: str = ""
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    last_verified: dt.date = dt.date(1970, 1, 1)
    updated_at: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, updated_at: dt.datetime) -> Document:
        facets = {}
        for vocab in FACETS.values():
            value = record.get(vocab.field)
            facets[vocab.name] = tuple(value) if isinstance(value, list) else ((value,) if value else ())
        labels = [vocab.label_of(v) for vocab in FACETS.values() for v in facets[vocab.name]]
        extra = " ".join(
            [record.get("eligibility") or "", record.get("duration") or "", *record.get("outcomes", []), *labels]
        )
        return cls(
            id=record["id"],
            name=record["name"],
            summary=record["summary"],
            description=record["description"],
            sponsor=record["sponsor"],
            aliases=tuple(record.get("aliases", ())),
            tags=tuple(record.get("tags", ())),
            extra=extra,
            facets=facets,
            last_verified=dt.date.fromisoformat(record["last_verified"]),
            updated_at=updated_at,
        )


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sort: Sort = "relevance"
    offset: int = 0
    limit: int | None = 20  # None: every match
    updated_since: dt.datetime | None = None
    verified_since: dt.date | None = None
    highlight: bool = True


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float | None
    highlights: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None  # a respelled query, offered when nothing matched
    relaxed: bool = False  # no program matched every word; these match some of them


# --- synonyms --------------------------------------------------------------------------------------


def stems(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in _STEM(text))


@dataclass(frozen=True)
class Synonyms:
    """Groups of words and phrases that mean the same to a searcher, matched on their stems."""

    groups: tuple[tuple[tuple[str, ...], ...], ...] = ()

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = []
        for group in data.get("groups", []):
            alternatives = tuple(dict.fromkeys(s for phrase in group if (s := stems(str(phrase)))))
            if len(alternatives) > 1:
                groups.append(alternatives)
        return cls(tuple(groups))

    def match(self, words: Sequence[str], start: int) -> tuple[int, tuple[tuple[str, ...], ...]] | None:
        """The longest phrase of some group starting at words[start]: (its length, the group's alternatives)."""
        best: tuple[int, tuple[tuple[str, ...], ...]] | None = None
        for group in self.groups:
            for alternative in group:
                n = len(alternative)
                if tuple(words[start : start + n]) == alternative and (best is None or n > best[0]):
                    best = (n, group)
        return best


# --- the index -------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """A user's text made safe to analyse: normalized, without control characters, bounded."""
    text = unicodedata.normalize("NFKC", text)[: MAX_QUERY_CHARS * 2]
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def _mark(text: str, terms: frozenset[str], *, window: int | None = None) -> tuple[str, bool]:
    """HTML-escaped text with the words whose stems are in `terms` wrapped in <mark>; optionally a window."""
    # The same words and stems as the _STEM analyzer, with a C regex scan instead of its token objects (5x faster).
    spans = []
    for m in _WORD_RE.finditer(text):
        word = m.group().lower()
        if word not in STOP_WORDS and _cached_stem(word) in terms:
            spans.append(m.span())
    start, end = 0, len(text)
    if window is not None and len(text) > window:
        centre = spans[0][0] if spans else 0
        start = max(0, min(centre - window // 3, len(text) - window))
        end = start + window
        if start > 0:
            start = text.find(" ", start) + 1 or start
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end]))
    body = "".join(out)
    if window is not None:
        body = ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
    return body, bool(spans)


def _exact_text(d: Document) -> str:
    return " ".join((d.name, *d.aliases, d.summary, d.description, d.sponsor, *d.tags, d.extra))


def exact_words(documents: Sequence[Document]) -> dict[str, int]:
    """Every word of the programs' text as typed (lowercased, not stemmed), with how many programs use it."""
    counts: Counter[str] = Counter()
    for d in documents:
        counts.update({w.lower() for w in _WORD_RE.findall(_exact_text(d))})
    return dict(counts)


@dataclass
class _Compiled:
    query: wq.Query
    clauses: list[wq.Query]
    terms: frozenset[str]
    words: list[str]


class SearchIndex:
    """One catalog version's index: opened from (or built into) a folder keyed by that version."""

    def __init__(
        self,
        ix: index.Index,
        documents: Sequence[Document],
        synonyms: Synonyms,
        words: Mapping[str, int] | None = None,
    ) -> None:
        self._ix = ix
        self.words = dict(exact_words(documents) if words is None else words)
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(self.words):
            self._by_initial.setdefault(word[:1], []).append(word)
        self._pool: queue.SimpleQueue[Searcher] = queue.SimpleQueue()
        self.synonyms = synonyms
        by_id = {d.id: d for d in documents}
        with self._searcher() as s:
            ids = [fields["id"] for fields in s.reader().all_stored_fields()]
        if sorted(ids) != sorted(by_id):
            raise ValueError("the index on disk does not hold the same programs as the catalog")
        self.docs = [by_id[i] for i in ids]  # by docnum
        self.docnum = {d.id: n for n, d in enumerate(self.docs)}
        self.all = frozenset(range(len(self.docs)))
        self.value_docs: dict[str, dict[str, frozenset[int]]] = {}
        for name, vocab in FACETS.items():
            sets: dict[str, set[int]] = {v: set() for v in vocab.values}
            for n, d in enumerate(self.docs):
                for v in d.facets.get(name, ()):
                    sets.setdefault(v, set()).add(n)
            self.value_docs[name] = {v: frozenset(s) for v, s in sets.items()}
        by_name = sorted(range(len(self.docs)), key=lambda n: (normalize(self.docs[n].name), self.docs[n].id))
        self.name_rank = [0] * len(self.docs)
        for rank, n in enumerate(by_name):
            self.name_rank[n] = rank
        self.exact: dict[str, list[int]] = {}
        for n, d in enumerate(self.docs):
            for label in (d.name, *d.aliases):
                self.exact.setdefault(normalize(label), []).append(n)
        self._updated = sorted((d.updated_at, n) for n, d in enumerate(self.docs))
        self._leaves: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._leaf_postings = 0
        self._leaf_lock = threading.Lock()
        self._unions: dict[tuple[str, frozenset[str]], frozenset[int]] = {}

    # building and opening

    @classmethod
    def open_or_build(
        cls, directory: Path, version: str, documents: Sequence[Document], synonyms: Synonyms | None = None
    ) -> SearchIndex:
        """Open this version's index from `directory`, building it first if it is not there."""
        target = directory / f"v{SCHEMA_VERSION}-{version}"
        if not index.exists_in(str(target)):
            directory.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
            try:
                ix = index.create_in(str(tmp), SCHEMA)
                writer = ix.writer(limitmb=128)
                for d in documents:
                    writer.add_document(
                        id=d.id,
                        name=d.name,
                        aliases=" ".join(d.aliases),
                        summary=d.summary,
                        description=d.description,
                        sponsor=d.sponsor,
                        tags=" ".join(d.tags),
                        extra=d.extra,
                    )
                writer.commit()
                ix.close()
                (tmp / WORDS_FILE).write_bytes(orjson.dumps(exact_words(documents)))
                os.rename(tmp, target)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
                if not index.exists_in(str(target)):  # not a lost race with another process: a real failure
                    raise
        os.utime(target)
        words = orjson.loads((target / WORDS_FILE).read_bytes())
        return cls(index.open_dir(str(target), readonly=True), documents, synonyms or Synonyms(), words)

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

    def _near(self, word: str, maxdist: int) -> list[str]:
        """Indexed words within `maxdist` typos of `word` (a swap of two letters is one), sharing its first letter."""
        return [
            c
            for c in self._by_initial.get(word[:1], ())
            if abs(len(c) - len(word)) <= maxdist and damerau_levenshtein(c, word, maxdist) <= maxdist
        ]

    def _word_clause(self, word: str) -> tuple[wq.Query, set[str]]:
        """A word in any field, by its stem; a word not in the index also by its one-typo neighbours."""
        forms = {stem(word)}
        if len(word) >= FUZZY_MIN_LENGTH and word not in self.words:
            forms.update(stem(w) for w in self._near(word, 1)[:10])
        terms = [wq.Term(f, s) for s in sorted(forms) for f in FIELD_BOOSTS]
        return (terms[0] if len(terms) == 1 else wq.Or(terms)), forms

    def _compile(self, text: str) -> _Compiled | None:
        words = [t.text for t in _RAW(text)][:MAX_WORDS]
        if not words:
            return None
        stemmed = [stem(w) for w in words]
        clauses: list[wq.Query] = []
        terms: set[str] = set()
        i = 0
        while i < len(words):
            found = self.synonyms.match(stemmed, i)
            if found:
                n, group = found
                alternatives = [
                    wq.And([wq.Or([wq.Term(f, s) for f in FIELD_BOOSTS]) for s in alt])
                    if len(alt) > 1
                    else wq.Or([wq.Term(f, alt[0]) for f in FIELD_BOOSTS])
                    for alt in group
                ]
                clauses.append(wq.Or(alternatives))
                terms.update(s for alt in group for s in alt)
                i += n
                continue
            clause, forms = self._word_clause(words[i])
            clauses.append(clause)
            terms.update(forms)
            i += 1
        query = clauses[0] if len(clauses) == 1 else wq.And(clauses)
        return _Compiled(query, clauses, frozenset(terms), words)

    def _leaf(self, searcher: Searcher, field_name: str, text: str) -> dict[int, float]:
        """One term's documents and their BM25F scores, read once per index and kept (bounded, least recent out).

        Walking postings once and then combining plain sets and dicts is many times faster than
        Whoosh's matcher trees, which re-walk every posting of every term on every query.
        """
        key = (field_name, text)
        with self._leaf_lock:
            found = self._leaves.get(key)
            if found is not None:
                self._leaves.move_to_end(key)
                return found
        scores: dict[int, float] = {}
        if key in searcher.reader():
            matcher = searcher.postings(field_name, text)
            scorer = searcher.weighting.scorer(searcher, field_name, text)
            while matcher.is_active():
                scores[matcher.id()] = scorer.score(matcher)
                matcher.next()
        with self._leaf_lock:
            if key not in self._leaves:
                self._leaves[key] = scores
                self._leaf_postings += len(scores) + 1
            while self._leaf_postings > LEAF_CACHE_POSTINGS and len(self._leaves) > 1:
                self._leaf_postings -= len(self._leaves.popitem(last=False)[1]) + 1
        return scores

    def _docs(self, searcher: Searcher, node: wq.Query) -> set[int]:
        """The documents matching a query built by `_compile` (terms combined with And and Or)."""
        if isinstance(node, wq.Term):
            return set(self._leaf(searcher, node.fieldname, node.text))
        parts = [self._docs(searcher, child) for child in node.subqueries]
        if isinstance(node, wq.And):
            parts.sort(key=len)
            return parts[0].intersection(*parts[1:])
        return set().union(*parts)

    def _scores(self, searcher: Searcher, node: wq.Query, within: frozenset[int]) -> dict[int, float]:
        """Each document's score in `within` as Whoosh computes it: sums over the matching parts of the query."""
        if isinstance(node, wq.Term):
            leaf = self._leaf(searcher, node.fieldname, node.text)
            if len(leaf) < len(within):
                return {n: s for n, s in leaf.items() if n in within}
            return {n: leaf[n] for n in within if n in leaf}
        parts = [self._scores(searcher, child, within) for child in node.subqueries]
        if isinstance(node, wq.And):
            keys = set(parts[0]).intersection(*parts[1:])
            return {n: sum(p[n] for p in parts) for n in keys}
        total: dict[int, float] = {}
        for part in parts:
            for n, score in part.items():
                total[n] = total.get(n, 0.0) + score
        return total

    def _allowed(self, q: SearchQuery, skip: str | None = None) -> frozenset[int] | None:
        """Documents passing every filter but `skip`'s: OR within a facet, AND across facets; None = all."""
        result: frozenset[int] | None = None
        for name, values in q.filters.items():
            if name == skip or not values:
                continue
            chosen = self._union(name, frozenset(values))
            result = chosen if result is None else result & chosen
        if q.updated_since is not None:
            cut = q.updated_since
            newer = frozenset(n for when, n in self._updated if when > cut)
            result = newer if result is None else result & newer
        if q.verified_since is not None:
            since = q.verified_since
            fresh = frozenset(n for n, d in enumerate(self.docs) if d.last_verified >= since)
            result = fresh if result is None else result & fresh
        return result

    def _union(self, name: str, values: frozenset[str]) -> frozenset[int]:
        """Documents with any of these values of one facet; kept, as the same selections recur."""
        sets = self.value_docs.get(name, {})
        if len(values) == 1:
            return sets.get(next(iter(values)), frozenset())
        key = (name, values)
        found = self._unions.get(key)
        if found is None:
            found = frozenset().union(*(sets.get(v, frozenset()) for v in values))
            if len(self._unions) >= 256:
                self._unions.clear()  # bounded: start over rather than keep every combination ever asked for
            self._unions[key] = found
        return found

    def _facets(self, q: SearchQuery, matched: frozenset[int]) -> dict[str, list[FacetCount]]:
        out = {}
        for name, vocab in FACETS.items():
            allowed = self._allowed(q, skip=name)
            base = matched if allowed is None else matched & allowed
            selected = q.filters.get(name, frozenset())
            out[name] = [
                FacetCount(t.value, t.label, len(base & self.value_docs[name][t.value]), t.value in selected)
                for t in vocab.terms
            ]
        return out

    def _suggest(self, words: list[str]) -> str | None:
        changed, out = False, []
        for w in words:
            if len(w) >= 3 and w not in self.words:
                near = self._near(w, 1 if len(w) < FUZZY_MIN_LENGTH else 2)
                if near:
                    out.append(max(near, key=lambda c: (self.words[c], c)))
                    changed = True
                    continue
            out.append(w)
        return " ".join(out) if changed else None

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
                matched = frozenset(self._docs(searcher, compiled.query))
                if not matched and len(compiled.clauses) > 1:
                    compiled.query = wq.Or(compiled.clauses)
                    matched = frozenset(self._docs(searcher, compiled.query))
                    relaxed = bool(matched)
            final = matched if allowed is None else matched & allowed
            facets = self._facets(q, matched)
            end = None if q.limit is None else q.offset + q.limit
            scores: dict[int, float] = {}
            if compiled is not None and q.sort == "relevance":
                pinned = [n for n in self.exact.get(normalize(text), []) if n in final]
                pinned.sort(key=self.name_rank.__getitem__)
                scores = self._scores(searcher, compiled.query, final)
                by_score = lambda n: (-scores[n], n)  # noqa: E731  (Whoosh's order: score, then docnum)
                top = (
                    sorted(scores, key=by_score)
                    if end is None
                    else heapq.nsmallest(end + len(pinned), scores, key=by_score)
                )
                ranked = pinned + [n for n in top if n not in pinned]
            else:
                ranked = self._sorted(final, q.sort, end)
            page = ranked[q.offset : end]
            suggestion = self._suggest(compiled.words) if compiled and (relaxed or not final) else None
            if suggestion:  # offer a respelling only if it would find something under the same filters
                respelled = self._compile(suggestion)
                found = frozenset(self._docs(searcher, respelled.query)) if respelled else frozenset()
                if not (found if allowed is None else found & allowed):
                    suggestion = None
        hits = [
            Hit(
                self.docs[n].id,
                scores.get(n),
                self._highlights(n, compiled.terms) if compiled and q.highlight else None,
            )
            for n in page
        ]
        return SearchResult(len(final), hits, facets, suggestion, relaxed)

    def _sorted(self, docs: frozenset[int], sort: str, end: int | None) -> list[int]:
        rank = self.name_rank
        key: Any
        if sort == "-last_verified":
            key = lambda n: (-self.docs[n].last_verified.toordinal(), rank[n])  # noqa: E731
        elif sort == "-updated_at":
            key = lambda n: (-self.docs[n].updated_at.timestamp(), rank[n])  # noqa: E731
        else:
            key = rank.__getitem__
        return sorted(docs, key=key) if end is None else heapq.nsmallest(end, docs, key=key)

    def _highlights(self, n: int, terms: frozenset[str]) -> dict[str, str]:
        d = self.docs[n]
        name, _ = _mark(d.name, terms)
        summary, in_summary = _mark(d.summary, terms)
        if not in_summary:
            snippet, in_description = _mark(d.description, terms, window=SNIPPET_CHARS)
            if in_description:
                return {"name": name, "snippet": snippet}
        return {"name": name, "snippet": summary}

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

        same_type = (
            self.value_docs["type"].get(d.facets["type"][0], frozenset()) if d.facets.get("type") else frozenset()
        )
        candidates = (set(text_scores) | (same_type if len(same_type) <= 2000 else set())) - {n}
        scored = {m: 0.6 * text_scores.get(m, 0.0) / top + 0.4 * facet_similarity(m) for m in candidates}
        best = heapq.nlargest(limit, scored, key=lambda m: (scored[m], -self.name_rank[m]))
        return [self.docs[m].id for m in best]
