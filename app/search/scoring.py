"""Query text to Whoosh terms (stems, synonyms, typo neighbours), matched and BM25F-scored from cached postings."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.porter import stem
from whoosh.scoring import BM25FScorer
from whoosh.searching import Searcher

from app.search import whooshio
from app.search.spelling import Spelling
from app.search.vectors import (
    NO_POSTINGS,
    Bounded,
    DocSet,
    Postings,
    Scored,
    bm25,
    frozen,
    scored_and,
    scored_or,
    scored_term,
)

MAX_WORDS = 32
PREFIX_MIN_LENGTH = 3  # the last word typed also finds the words it begins, from this many letters
PHRASES_KEPT = 1000  # phrases whose matches are kept per index (each is read from the texts of its words' matches)
PREFIX_BOOST = 0.5  # a word completed from a prefix weighs half a word typed in full
WORDS = r"\w+(?:\.?\w+)*"  # whoosh-reloaded's default pattern also takes '*' as part of a word
RAW = RegexTokenizer(WORDS) | LowercaseFilter() | StopFilter(minsize=1)
STEM = RAW | StemFilter()
WORD_RE = re.compile(WORDS)
FIELD_BOOSTS = {
    "name": 6.0,
    "aliases": 6.0,
    "summary": 3.0,
    "sponsor": 2.0,
    "tags": 2.0,
    "description": 1.0,
    "extra": 0.5,
}


def stems(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in STEM(text))


@functools.lru_cache(maxsize=200_000)
def term_of(word: str) -> str | None:
    """What STEM makes of one word found by WORD_RE (lowercased, stemmed; None for a stop word), without building
    its token objects: indexing and highlighting analyse every word of the catalog this way, 5-10x faster."""
    lowered = word.lower()
    return None if lowered in STOP_WORDS else stem(lowered)


@dataclass(frozen=True)
class Synonyms:
    """Groups of words and phrases that mean the same to a searcher, matched on their stems."""

    groups: tuple[tuple[tuple[str, ...], ...], ...] = ()
    written: tuple[tuple[str, ...], ...] = ()  # each group's phrases as the file writes them (for completions)

    @classmethod
    def load(cls, *paths: Path) -> Synonyms:
        """The groups of each file in turn (data/synonyms.yaml, data/wordforms.yaml)."""
        groups, written = [], []
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for group in data.get("groups", []):
                alternatives = tuple(dict.fromkeys(s for phrase in group if (s := stems(str(phrase)))))
                if len(alternatives) > 1:
                    groups.append(alternatives)
                    written.append(tuple(str(phrase) for phrase in group))
        return cls(tuple(groups), tuple(written))

    @functools.cached_property
    def _by_first(self) -> dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]:
        """Each alternative with its group, under its first stem (the order of the file kept)."""
        out: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {}
        for group in self.groups:
            for alternative in group:
                out.setdefault(alternative[0], []).append((alternative, group))
        return out

    def knows(self, word: str) -> bool:
        """True when a group begins with this word ("peds", "k"): a word searched for its group, not a typo."""
        return stem(word.lower()) in self._by_first

    def match(self, words: Sequence[str], start: int) -> tuple[int, tuple[tuple[str, ...], ...]] | None:
        """The longest phrase of some group starting at words[start]: (its length, the group's alternatives)."""
        best: tuple[int, tuple[tuple[str, ...], ...]] | None = None
        for alternative, group in self._by_first.get(words[start], ()) if start < len(words) else ():
            n = len(alternative)
            if tuple(words[start : start + n]) == alternative and (best is None or n > best[0]):
                best = (n, group)
        return best


class Phrase(wq.And):  # type: ignore[misc]  # whoosh is untyped
    """A phrase of a synonym group ("African American"): its words side by side in one text of a program, stop
    words aside, not each anywhere. Scored as the And of its words."""

    def stems(self) -> tuple[str, ...]:
        return tuple(str(next(iter(child.subqueries)).text) for child in self.subqueries)


def says(texts: Iterable[str], phrase: Sequence[str]) -> bool:
    """True when one of the texts holds the phrase's stems side by side (stop words skipped, as indexed)."""
    n, wanted = len(phrase), tuple(phrase)
    for text in texts:
        terms = [t for w in WORD_RE.findall(text) if (t := term_of(w)) is not None]
        if any(tuple(terms[i : i + n]) == wanted for i in range(len(terms) - n + 1)):
            return True
    return False


def _as_typed(text: str, words: Sequence[str]) -> str:
    """A phrase's words as the query wrote them, with the small words between ("underrepresented in medicine")."""
    found = re.search(r"\W+(?:\w+\W+){0,2}?".join(map(re.escape, words)), text, re.IGNORECASE)
    return found.group() if found else " ".join(words)


@dataclass
class Compiled:
    query: wq.Query
    clauses: list[wq.Query]
    terms: frozenset[str]
    words: list[str]
    whole: wq.Query | None = None  # the query without the last word's completions, when it has some
    units: list[str] = field(default_factory=list)  # the words, a synonym group's phrase as one ("first generation")


class Scorer:
    """Compiling query text, and matching and scoring it term by term from cached postings: the search index's part
    that reads Whoosh."""

    def __init__(
        self,
        *,
        spelling: Spelling,
        synonyms: Synonyms,
        postings_limit: int,
        clause_bytes: int,
        ignore: frozenset[str] = frozenset(),
        texts: Callable[[int], Iterable[str]] = lambda n: (),
    ) -> None:
        """`texts(n)`: the texts of document n, where a phrase's words are looked for side by side."""
        self.spelling = spelling
        self.texts = texts
        self._phrases: dict[tuple[str, ...], Scored] = {}
        self.ignore = ignore
        self.synonyms = synonyms
        self._lengths: dict[str, npt.NDArray[np.int64]] = {}
        self.leaves: Bounded[tuple[str, str], Postings] = Bounded(postings_limit)  # cost: postings
        self.clauses: Bounded[wq.Query, Scored] = Bounded(clause_bytes)  # cost: bytes

    def _word_clause(self, word: str, *, last: bool = False) -> tuple[wq.Query, set[str], wq.Query | None]:
        """A word in any field, by its stem; a word not in the index also by its typo neighbours; the last word
        typed also by the words it begins, at PREFIX_BOOST. Returns the clause, its stems, and the clause without
        the completions when there are some."""
        forms = {stem(word)}
        if word not in self.spelling:
            forms.update(stem(w) for w in self.spelling.neighbours(word)[:10])
        terms = [wq.Term(f, s) for s in sorted(forms) for f in FIELD_BOOSTS]
        whole = terms[0] if len(terms) == 1 else wq.Or(terms)
        completed = (
            {stem(w) for w in self.spelling.completions(word)} - forms
            if last and len(word) >= PREFIX_MIN_LENGTH
            else set()
        )
        if not completed:
            return whole, forms, None
        more = [wq.Term(f, s, boost=PREFIX_BOOST) for s in sorted(completed) for f in FIELD_BOOSTS]
        return wq.Or([*terms, *more]), forms | completed, whole

    def compile(self, text: str) -> Compiled | None:
        """Query text as Whoosh terms (And of words, each an Or of its fields and forms); None for no words."""
        words = [t.text for t in RAW(text)][:MAX_WORDS]
        meaningful = [w for w in words if w not in self.ignore]
        words = meaningful or words  # a query of filler words alone is still searched for them
        if not words:
            return None
        stemmed = [stem(w) for w in words]
        clauses: list[wq.Query] = []
        terms: set[str] = set()
        whole: list[wq.Query] | None = None
        units: list[str] = []
        i = 0
        while i < len(words):
            found = self.synonyms.match(stemmed, i)
            if found:
                n, group = found
                alternatives = [
                    Phrase([wq.Or([wq.Term(f, s) for f in FIELD_BOOSTS]) for s in alt])
                    if len(alt) > 1
                    else wq.Or([wq.Term(f, alt[0]) for f in FIELD_BOOSTS])
                    for alt in group
                ]
                clauses.append(wq.Or(alternatives))
                terms.update(s for alt in group for s in alt)
                units.append(_as_typed(text, words[i : i + n]))
                i += n
                continue
            clause, forms, without = self._word_clause(words[i], last=i == len(words) - 1)
            if without is not None:
                whole = [*clauses, without]
            clauses.append(clause)
            terms.update(forms)
            units.append(words[i])
            i += 1
        query = clauses[0] if len(clauses) == 1 else wq.And(clauses)
        exact = None if whole is None else whole[0] if len(whole) == 1 else wq.And(whole)
        return Compiled(query, clauses, frozenset(terms), words, exact, units)

    def leaf(self, searcher: Searcher, field_name: str, text: str) -> Postings:
        """One term's documents and their BM25F scores, read once per index and kept (bounded, least recent out).

        Walking postings once and then combining them as vectors is many times faster than Whoosh's matcher
        trees, which re-walk every posting of every term on every query.
        """
        key = (field_name, text)
        found = self.leaves.get(key)
        if found is not None:
            return found
        postings = NO_POSTINGS
        if key in searcher.reader():
            scorer = searcher.weighting.scorer(searcher, field_name, text)
            read = whooshio.term_postings(searcher, field_name, text) if isinstance(scorer, BM25FScorer) else None
            if read is None:  # not one of our text fields, or not readable a block at a time
                postings = self.walk(searcher, field_name, text, scorer)
            else:
                # Whoosh's `bm25`, operation for operation, over arrays: each score equals `scorer.score`'s.
                docs, tf = read
                lengths = self._field_lengths(searcher, field_name)[docs].astype(np.float64)
                scores = bm25(scorer.idf, tf, lengths, scorer.avgfl, scorer.B, scorer.K1)
                postings = Postings(frozen(docs), frozen(scores))
        self.leaves.put(key, postings, len(postings.docs) + 1)
        return postings

    @staticmethod
    def walk(searcher: Searcher, field_name: str, text: str, scorer: Any) -> Postings:
        """A term's documents and scores by Whoosh's own matcher walk, posting by posting."""
        docs, scores = whooshio.walk_postings(searcher, field_name, text, scorer.score)
        return Postings(frozen(np.array(docs, dtype=np.int64)), frozen(np.array(scores, dtype=np.float64)))

    def _field_lengths(self, searcher: Searcher, field_name: str) -> npt.NDArray[np.int64]:
        """Each document's length in one field, as the scorer reads it; once per field and index."""
        found = self._lengths.get(field_name)
        if found is None:
            found = self._lengths[field_name] = frozen(whooshio.field_lengths(searcher, field_name))
        return found

    def scored(self, searcher: Searcher, node: wq.Query) -> Scored:
        """A query built by `compile` (terms combined with And and Or), matched and scored over every document.

        An Or node is a word with its fields and forms (or a synonym group): kept per index within a budget of
        bytes, as common words recur across searches and their vectors span the catalog.
        """
        size = searcher.reader().doc_count_all()
        if isinstance(node, wq.Term):
            return scored_term(self.leaf(searcher, node.fieldname, node.text), size, node.boost)
        if isinstance(node, Phrase):
            return self._phrase(searcher, node)
        if isinstance(node, wq.And):
            return scored_and([self.scored(searcher, child) for child in node.subqueries])
        found = self.clauses.get(node)
        if found is None:
            found = scored_or([self.scored(searcher, child) for child in node.subqueries])
            found = Scored(frozen(found.mask), frozen(found.scores))
            self.clauses.put(node, found, found.mask.nbytes + found.scores.nbytes)
        return found

    def _phrase(self, searcher: Searcher, node: Phrase) -> Scored:
        """A phrase's matches: the documents with all its words that say them side by side; kept per index."""
        key = node.stems()
        found = self._phrases.get(key)
        if found is None:
            words = scored_and([self.scored(searcher, child) for child in node.subqueries])
            mask = words.mask.copy()
            for n in np.flatnonzero(mask).tolist():
                mask[n] = says(self.texts(n), key)
            scores = np.where(mask, words.scores, 0.0)
            if len(self._phrases) >= PHRASES_KEPT:
                self._phrases.clear()
            found = self._phrases[key] = Scored(frozen(mask), frozen(scores))
        return found

    def docs(self, searcher: Searcher, node: wq.Query) -> DocSet:
        """The documents matching a query built by `compile`."""
        return DocSet(self.scored(searcher, node).mask)
