"""Postings and document sets as numpy vectors: what the search combines and counts, at C speed.

A set of documents is a boolean mask over the index's docnums (`DocSet`, with the set operations a frozenset has);
a term's postings are two arrays, its docnums and their BM25F scores; a query's scores are one dense float64
vector. Facet counts AND a packed bitset of the matches with every value's bitset and count the bits
(`FacetBits`). Sums are taken in the order Whoosh's matchers take them, so scores are the same to the last bit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
Vector = npt.NDArray[np.float64]
Docnums = npt.NDArray[np.int64]


def frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The array made read-only: cached arrays are shared by every thread's searches."""
    array.flags.writeable = False
    return array


class DocSet:
    """An immutable set of docnums in range(size), as a boolean mask: `&`, `|`, `-`, `len`, `in` and iteration
    (ascending) behave as a frozenset's, so set expressions over facet values read as before."""

    __slots__ = ("_count", "_packed", "mask")

    def __init__(self, mask: Mask) -> None:
        self.mask = frozen(mask)
        self._count: int | None = None
        self._packed: npt.NDArray[np.uint64] | None = None

    @classmethod
    def of(cls, docnums: Iterable[int] | Docnums, size: int) -> DocSet:
        mask = np.zeros(size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64) if not isinstance(docnums, np.ndarray) else docnums] = True
        return cls(mask)

    @classmethod
    def full(cls, size: int) -> DocSet:
        return cls(np.ones(size, dtype=bool))

    @classmethod
    def union(cls, sets: Sequence[DocSet], size: int) -> DocSet:
        if not sets:
            return cls(np.zeros(size, dtype=bool))
        return cls(np.logical_or.reduce([s.mask for s in sets]) if len(sets) > 1 else sets[0].mask)

    def __and__(self, other: DocSet) -> DocSet:
        return DocSet(self.mask & other.mask)

    def __or__(self, other: DocSet) -> DocSet:
        return DocSet(self.mask | other.mask)

    def __sub__(self, other: DocSet) -> DocSet:
        return DocSet(self.mask & ~other.mask)

    def __len__(self) -> int:
        if self._count is None:
            self._count = int(np.count_nonzero(self.mask))
        return self._count

    def __bool__(self) -> bool:
        return len(self) > 0

    def __contains__(self, n: object) -> bool:
        return bool(isinstance(n, int | np.integer) and 0 <= n < len(self.mask) and self.mask[n])

    def __iter__(self) -> Iterator[int]:
        return iter(self.docnums().tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DocSet):
            return bool(np.array_equal(self.mask, other.mask))
        if isinstance(other, set | frozenset):
            return set(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking; never a key

    def __repr__(self) -> str:
        return f"DocSet({len(self)} of {len(self.mask)})"

    def docnums(self) -> Docnums:
        """The members, ascending."""
        return np.flatnonzero(self.mask)

    def packed(self) -> npt.NDArray[np.uint64]:
        """The mask as 64-bit words (bit i of word w is docnum 64w+i), for counting against `FacetBits`."""
        if self._packed is None:
            self._packed = pack(self.mask)
        return self._packed


def pack(mask: Mask) -> npt.NDArray[np.uint64]:
    bits = np.packbits(mask, bitorder="little")
    padded = np.zeros(-(-len(bits) // 8) * 8, dtype=np.uint8)
    padded[: len(bits)] = bits
    return padded.view(np.uint64)


class FacetBits:
    """One facet's values as rows of packed bitsets; counts of every value within a set in one vector operation."""

    def __init__(self, values: Sequence[str], sets: Sequence[DocSet]) -> None:
        self.values = tuple(values)
        words = len(pack(np.zeros(len(sets[0].mask) if sets else 0, dtype=bool)))
        self.rows = frozen(np.stack([s.packed() for s in sets]) if sets else np.zeros((0, words), dtype=np.uint64))

    def counts(self, within: DocSet, also: DocSet | None = None) -> dict[str, int]:
        """How many documents of `within` carry each value, or carry `also` (a facet's wildcard, counted with every
        value when a search includes the programs open to everyone)."""
        rows = self.rows if also is None else self.rows | also.packed()
        found = np.bitwise_count(rows & within.packed()).sum(axis=1, dtype=np.int64)
        return dict(zip(self.values, found.tolist(), strict=True))


class Postings(NamedTuple):
    """One term's documents (ascending) and their scores."""

    docs: Docnums
    scores: Vector


NO_POSTINGS = Postings(frozen(np.zeros(0, dtype=np.int64)), frozen(np.zeros(0)))


class Scored(NamedTuple):
    """A query node's matches and each document's score (0.0 where it does not match), over every docnum."""

    mask: Mask
    scores: Vector


def bm25(idf: float, tf: Vector, fl: Vector, avgfl: float, b: float, k1: float) -> Vector:
    """whoosh.scoring.bm25 over arrays, operation for operation (so each score equals the scalar one)."""
    return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))


def scored_term(postings: Postings, size: int, boost: float = 1.0) -> Scored:
    """A term's matches and scores, times its boost (a completed prefix weighs less) as Whoosh's Term applies it."""
    mask = np.zeros(size, dtype=bool)
    mask[postings.docs] = True
    scores = np.zeros(size)
    scores[postings.docs] = postings.scores if boost == 1 else postings.scores * boost
    return Scored(mask, scores)


def scored_or(parts: Sequence[Scored]) -> Scored:
    """Documents matching any part; each scores the sum of its matching parts, added in order as Whoosh's Or."""
    mask, scores = parts[0].mask.copy(), parts[0].scores.copy()
    for part in parts[1:]:
        mask |= part.mask
        scores += part.scores  # + 0.0 where the part does not match: the sum is unchanged
    return Scored(mask, scores)


def scored_and(parts: Sequence[Scored]) -> Scored:
    """Documents matching every part; each scores the sum of the parts, in order; 0.0 elsewhere."""
    mask, scores = parts[0].mask.copy(), parts[0].scores.copy()
    for part in parts[1:]:
        mask &= part.mask
        scores += part.scores
    scores[~mask] = 0.0
    return Scored(mask, scores)


def best(scores: Vector, within: DocSet, k: int | None, then: npt.NDArray[np.int8] | None = None) -> list[int]:
    """The docnums of `within` by descending score, then ascending `then` (if given), then ascending docnum
    (Whoosh's order); the first `k`."""
    docs = within.docnums()
    if k is not None and k < len(docs):
        if k <= 0:
            return []
        values = scores[docs]
        cutoff = np.partition(values, len(values) - k)[len(values) - k]  # the k-th highest score
        docs = docs[values >= cutoff]  # ties at the cut-off kept, so that docnum decides among them
    order = np.lexsort((docs, -scores[docs]) if then is None else (docs, then[docs], -scores[docs]))
    out: list[int] = docs[order][:k].tolist()
    return out


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """A thread-safe cache bounded by the summed cost of its values; the least recently used go first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.cost = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, cost: int) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, cost)
            self.cost += cost
            while self.cost > self.limit and len(self._items) > 1:
                self.cost -= self._items.popitem(last=False)[1][1]
