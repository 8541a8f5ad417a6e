"""The search index of one catalog version, made of parts: its `Filters` (filters, facet counts and orders, as
bitset operations: filtering.py), its `Scorer` (query text matched and scored from Whoosh's postings: scoring.py)
and its `Spelling`.

The Whoosh index holds only ids and analysed text. Facet filters and counts are operations on per-value bitsets
kept in memory (app/search/vectors.py): counting every facet costs a few vector operations, not a Whoosh walk.
"""

from __future__ import annotations

import datetime as dt
import functools
import queue
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import orjson
from whoosh import index
from whoosh import query as wq
from whoosh.lang.porter import stem
from whoosh.searching import Searcher

from app.catalog.models import normalize
from app.catalog.vocab import FACETS
from app.config import RECHECK_MONTHS
from app.search.analysis import Synonyms as Synonyms
from app.search.analysis import stems as stems
from app.search.build import build_if_missing
from app.search.columns import Columns
from app.search.filtering import Filters
from app.search.here import recount
from app.search.highlight import highlights
from app.search.indexdir import IDS_FILE, WORDS_FILE
from app.search.intent import FacetNames, Intents, Named, bundled_intents, filter_offers, ways_out
from app.search.parts import rank_parts, sizes, split, targeted
from app.search.query import Document, GuideLink, Hit, SearchQuery, SearchResult, clean
from app.search.scoring import Compiled, Scorer
from app.search.spelling import Spelling
from app.search.suggest import MAX_COMPLETIONS, Completer, Completion
from app.search.vectors import DocSet, Scored, Vector, best

LEAF_CACHE_POSTINGS = 500_000  # postings kept in memory per index, over all cached terms (about 40 MB)...
LEAF_CACHE_PER_PROGRAM = 20  # ...or this many per program, when more: the common terms' postings span the catalog
CLAUSE_CACHE_BYTES = 16 << 20  # words' match and score vectors kept per index (9 bytes a program each)...
CLAUSE_CACHE_WORDS = 64  # ...or this many words' vectors, when more: a large catalog's common words stay cached
NAMED_TIER = 1e9  # added to a program's score per facet value the words name that it carries...
PREFIX_TIER = 1e6  # ...taken off one that matches the last word only by a word it begins (scores stay far below)


class SearchIndex:
    """One catalog version's index: opened from (or built into) a folder keyed by that version."""

    def __init__(
        self,
        ix: index.Index,
        documents: Mapping[str, Document],
        synonyms: Synonyms,
        words: Mapping[str, int],
        ids: Sequence[str],
        columns: Columns,
        intents: Intents | None = None,
        updated: Mapping[str, dt.datetime] | None = None,
        recheck_months: int = RECHECK_MONTHS,
    ) -> None:
        """`documents` by id may build each one when asked (a page's hits, a program's similar ones); `updated`
        gives when each program last changed (by default, its document's updated_at); a program not checked for
        `recheck_months` ranks below the others its relevance ties with."""
        intents = intents or bundled_intents()
        self.spelling = Spelling(words)
        self.scorer = Scorer(
            spelling=self.spelling,
            synonyms=synonyms,
            postings_limit=max(LEAF_CACHE_POSTINGS, LEAF_CACHE_PER_PROGRAM * len(ids)),
            clause_bytes=max(CLAUSE_CACHE_BYTES, CLAUSE_CACHE_WORDS * 9 * len(ids)),
            ignore=intents.ignore,
            texts=lambda n: self.doc(n).texts(),
        )
        self.facet_names = FacetNames(intents, synonyms)
        self.guides = intents.guides
        self._ix = ix
        self._pool: queue.SimpleQueue[Searcher] = queue.SimpleQueue()
        with self._searcher() as s:
            if len(ids) != s.reader().doc_count_all():
                raise ValueError("the index's program list does not match the index")
        if len(ids) != len(documents) or not documents.keys() >= set(ids):
            raise ValueError("the index on disk does not hold the same programs as the catalog")
        self.ids, self.documents = list(ids), documents  # ids by docnum
        self.docnum = {i: n for n, i in enumerate(self.ids)}
        self.all = DocSet.full(len(self.ids))
        when = updated if updated is not None else {i: documents[i].updated_at for i in self.ids}
        self.filters = Filters(columns, [when[i] for i in self.ids])
        self.recheck_months = recheck_months
        self.exact = columns.exact
        self.rank_of = self.filters.name_rank.__getitem__
        self.defaults = {name: frozenset(vocab.default) for name, vocab in FACETS.items() if vocab.default}

    def doc(self, n: int) -> Document:  # by docnum
        return self.documents[self.ids[n]]

    @classmethod
    def open_or_build(
        cls,
        directory: Path,
        version: str,
        documents: Mapping[str, Document] | Sequence[Document],
        synonyms: Synonyms | None = None,
        intents: Intents | None = None,
        updated: Mapping[str, dt.datetime] | None = None,
        recheck_months: int = RECHECK_MONTHS,
    ) -> SearchIndex:
        """Open this version's index from `directory`, building it first if it is not there (from every document:
        a mapping of them by id is read whole only then)."""
        by_id = documents if isinstance(documents, Mapping) else {d.id: d for d in documents}
        target = build_if_missing(directory, version, by_id.values)
        words = orjson.loads((target / WORDS_FILE).read_bytes())
        ids = orjson.loads((target / IDS_FILE).read_bytes())
        ix = index.open_dir(str(target), readonly=True)
        columns = Columns.load(target)
        return cls(ix, by_id, synonyms or Synonyms(), words, ids, columns, intents, updated, recheck_months)

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

    @functools.cached_property
    def _completer(self) -> Completer:
        """Built on first use (a catalog loads without it); two threads racing build it twice, harmlessly.

        Programs a search leaves out by default (no longer offered) are not counted in the order of completions; such
        a program still completes to its own page."""
        shown = self.filters.allowed(SearchQuery(filters=self.defaults))
        shown = self.all if shown is None else shown
        docs = [self.doc(n) for n in range(len(self.ids))]
        counts = {(f, v): len(d & shown) for f, values in self.filters.value_docs.items() for v, d in values.items()}
        counted = [bool(x) for x in shown.mask]
        return Completer(docs, counts, self.facet_names.written, counted=counted, respell=self.spelling.respell)

    def complete(self, text: str, limit: int = MAX_COMPLETIONS, *, here: SearchQuery | None = None) -> list[Completion]:
        """Up to `limit` completions of the words typed: filter values, sponsors and programs, best first; a value's or
        a sponsor's count is what choosing it gives `here` (a page's filters and mode; by default none)."""
        found = self._completer.complete(clean(text) + (" " if text[-1:].isspace() else ""), limit)
        return recount(found, here or SearchQuery(filters=self.defaults), self.total)

    def total(self, q: SearchQuery) -> int:
        """How many programs a search finds, as its page says."""
        return self.search(replace(q, offset=0, limit=0, highlight=False)).total

    def _match(self, searcher: Searcher, compiled: Compiled | None) -> tuple[DocSet, bool]:
        """The documents matching every word, else (relaxed: True) those matching any of them."""
        if compiled is None:
            return self.all, False
        matched = self.scorer.docs(searcher, compiled.query)
        if not matched and len(compiled.clauses) > 1:
            compiled.query = wq.Or(compiled.clauses)
            matched = self.scorer.docs(searcher, compiled.query)
            return matched, bool(matched)
        return matched, False

    def _total(
        self,
        searcher: Searcher,
        q: SearchQuery,
        seen: dict[str, DocSet],
        text: str,
        filters: Mapping[str, frozenset[str]],
    ) -> int:
        """How many programs a variant of the query (other words, other filters) finds; `seen` keeps the programs
        each text matched, for the other variants of the same search."""
        matched = seen.get(text)
        if matched is None:
            matched = seen[text] = self._match(searcher, self.scorer.compile(text) if text else None)[0]
        allowed = self.filters.allowed(replace(q, filters=filters))
        return len(matched if allowed is None else matched & allowed)

    def _ranking(self, searcher: Searcher, compiled: Compiled, named: list[Named]) -> tuple[Scored, Vector]:
        """The query's matches and scores, and the order to rank by, best first: programs carrying more of the
        facet values the words name, then those matching the last word in full (not only a word it begins), then
        by score.

        The tiers are folded into one number per program (a tier outweighs any score), added in the same sequence
        as a program at a time would add them, so the order is the same to the last bit.
        """
        scored = self.scorer.scored(searcher, compiled.query)
        order = scored.scores
        values = {(x.facet, x.value) for x in named}
        value_docs = self.filters.value_docs
        carriers = [c.mask & scored.mask for f, v in values if (c := value_docs.get(f, {}).get(v)) is not None]
        carriers = [c for c in carriers if c.any()]
        if carriers or compiled.whole is not None:
            order = order.copy()
            for docs in carriers:
                order[docs] += NAMED_TIER
            if compiled.whole is not None:
                order[scored.mask & ~self.scorer.docs(searcher, compiled.whole).mask] -= PREFIX_TIER
        return scored, order

    def search(self, q: SearchQuery) -> SearchResult:
        """Run one query: the total, one page of hits, and every facet's disjunctive counts."""
        text = clean(q.text)
        allowed = self.filters.allowed(q)
        with self._searcher() as searcher:
            compiled = self.scorer.compile(text) if text else None
            matched, relaxed = self._match(searcher, compiled)
            stemmed = [stem(w) for w in compiled.words] if compiled else []
            named = self.facet_names.named(stemmed)
            guides = [g for g in self.guides if g.asked(stemmed)]
            guided = [self.docnum[p] for g in guides for p in g.programs if p in self.docnum]
            matched |= DocSet.of(guided, len(self.ids))  # a guide's programs answer its question, whatever its words
            final = matched if allowed is None else matched & allowed
            facets = self.filters.facets(q, matched)
            end = None if q.limit is None else q.offset + q.limit
            scored: Scored | None = None
            order: Vector | None = None
            pinned: list[int] = []
            if compiled is not None and q.sort == "relevance":
                pinned = sorted((n for n in self.exact.get(normalize(text), []) if n in final), key=self.rank_of)
                pinned += [n for n in guided if n in final and n not in pinned]
                scored, order = self._ranking(searcher, compiled, named)
            parts = split(final, targets := targeted(q.filters, named), self.filters.union)
            rank = functools.partial(self._rank, q.sort, order, pinned)
            ranked, part_of = rank_parts(parts or [("", final)], end, rank)  # aimed at the search first
            page = ranked[q.offset : end]
            suggestion = self.spelling.respell(compiled.words, self.scorer.synonyms.knows) if compiled else None
            if suggestion:  # offer a respelling only if it would find something under the same filters
                respelled = self.scorer.compile(suggestion)
                found = self.scorer.docs(searcher, respelled.query) if respelled else None
                if not found or (allowed is not None and not found & allowed):
                    suggestion = None
            words, units = (compiled.words, compiled.units) if compiled else ([], [])
            total = functools.partial(self._total, searcher, q, {})
            offers = filter_offers(named, words, q.filters, total)
            escapes = [] if final or (not text and not q.filters) else ways_out(units, q.filters, total)
        hits = [
            Hit(
                self.ids[n],
                float(scored.scores[n]) if scored is not None and scored.mask[n] else None,
                highlights(*self._texts(n), compiled.terms) if compiled and q.highlight else None,
                part_of.get(n) or None,
            )
            for n in page
        ]
        links = [GuideLink(g.title, g.href) for g in guides]
        return SearchResult(
            len(final),
            hits,
            facets,
            suggestion,
            relaxed,
            with_link=self.filters.with_link(q, matched),
            suggested_filters=offers,
            escapes=escapes,
            guides=links,
            parts=sizes(parts),
            aimed_at=targets,
        )

    def _rank(self, sort: str, order: Vector | None, pinned: list[int], docs: DocSet, k: int | None) -> list[int]:
        """`docs` in the order asked for, the first k: by relevance (`order`, then docnum) after the programs pinned
        first (exact names, a guide's programs), else by `sort`."""
        if order is None:
            return self.filters.ordered(docs, sort, k)
        first = [n for n in pinned if n in docs]
        due = self.filters.due(self.recheck_months)  # ties: a program due for a check second
        top = best(order, docs, None if k is None else k + len(first), due)
        return first + [n for n in top if n not in first]

    def similar(self, program_id: str, limit: int = 5) -> list[str]:
        """Programs most like this one: shared words in their text, plus shared facet values."""
        n = self.docnum[program_id]
        d = self.doc(n)
        text = " ".join((d.name, d.summary, d.description, *d.tags))
        with self._searcher() as searcher:
            text_scores = dict(searcher.more_like(n, "description", text=text, top=50, numterms=12).items())
        return [self.ids[m] for m in self.filters.most_alike(n, d.facets.get("type"), text_scores, limit)]

    def _texts(self, n: int) -> tuple[str, str, str]:
        """What a hit's highlights are cut from: its name, summary and description."""
        d = self.doc(n)
        return d.name, d.summary, d.description
