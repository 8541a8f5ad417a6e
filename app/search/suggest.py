"""Completions of the words typed so far: program names and acronyms, sponsors, and facet values by label or synonym.

Every name is folded (lowercase, no accents, words split at anything but letters and digits). A name completes the
text typed when each typed word begins one of its words. The best come first: a name that is the whole text, then
names that begin with it, then the rest; within each, filter values before sponsors before programs (a filter value
no program carries last), then the most programs, then the shortest. Two small indexes keep this fast at 10,000
programs: the names sorted (names beginning with the text are one bisect range) and, per word start of up to three
letters, the entries with such a word.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from app.catalog.vocab import FACETS
from app.search.query import Document

Kind = Literal["filter", "sponsor", "program"]
KIND_ORDER: dict[str, int] = {"filter": 0, "sponsor": 1, "program": 2}
MAX_COMPLETIONS = 8
MAX_WORDS = 8
KEY = 3  # letters of a word start indexed
SCAN = 3000  # entries checked at most per word start: bounds a one- or two-letter query on a large catalog
_SPLIT = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lowercase, accents removed, anything but letters and digits a single space."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_SPLIT.split(plain)).strip()


@dataclass(frozen=True, slots=True)
class Completion:
    """One completion: what it is, what it is called, how many programs it stands for, and what to do with it."""

    kind: Kind
    label: str
    count: int
    matched: str | None = None  # the name typed when it is not the label: an acronym, an alias or a synonym
    id: str | None = None  # program
    facet: str | None = None  # filter value
    facet_label: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    completion: Completion
    names: tuple[str, ...]  # folded; the label's first
    words: tuple[tuple[str, ...], ...]  # each name's words
    written: tuple[str, ...]  # as written, aligned with names
    rank: tuple[int, int, int, str]  # the order among equally good matches


class Completer:
    """The completions of one catalog version."""

    def __init__(
        self,
        docs: Sequence[Document],
        value_counts: Mapping[tuple[str, str], int],
        value_names: Mapping[tuple[str, str], Sequence[str]],
        counted: Sequence[bool] | None = None,
        respell: Callable[[Sequence[str]], str | None] | None = None,
    ) -> None:
        """`counted[n]`: whether docs[n] counts toward its sponsor's count (default: every program); `respell`:
        the words typed with their typos corrected (None: none), tried when they complete to nothing.

        A sponsor of one program of the same name ("KevinMD") is offered once, as that program."""
        self._respell = respell
        entries: list[_Entry] = []
        for (facet, value), names in value_names.items():
            vocab = FACETS[facet]
            count = value_counts.get((facet, value), 0)
            c = Completion("filter", vocab.label_of(value), count, None, None, facet, vocab.label, value)
            entries.append(_entry(c, names))  # a value no program carries yet comes last, saying so
        sponsors: dict[str, int] = {}
        named: dict[str, list[str]] = {}  # each sponsor's programs' names, folded
        for n, d in enumerate(docs):
            sponsors[d.sponsor] = sponsors.get(d.sponsor, 0) + (1 if counted is None or counted[n] else 0)
            named.setdefault(d.sponsor, []).append(fold(d.name))
        entries += [_entry(Completion("sponsor", s, n), [s]) for s, n in sponsors.items() if named[s] != [fold(s)]]
        entries += [_entry(Completion("program", d.name, 1, None, d.id), [d.name, *d.aliases]) for d in docs]
        entries.sort(key=lambda e: e.rank)
        self._entries = entries
        starts: list[tuple[str, int]] = []
        by_key: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            starts += [(name, i) for name in dict.fromkeys(e.names)]
            for word in {w for name in e.names for w in name.split()}:
                for k in range(1, min(KEY, len(word)) + 1):
                    found = by_key.setdefault(word[:k], [])
                    if not found or found[-1] != i:
                        found.append(i)
        starts.sort()
        self._starts = starts
        self._by_key = by_key

    def complete(self, text: str, limit: int = MAX_COMPLETIONS) -> list[Completion]:
        """Up to `limit` completions of `text`, best first; if none, those of `text` with its typos corrected."""
        found = self._complete(text, limit)
        words = fold(text)[:200].split()[:MAX_WORDS]
        respelled = self._respell(words) if not found and words and self._respell else None
        if respelled:
            return self._complete(respelled + (" " if text[-1:].isspace() else ""), limit)
        return found

    def _complete(self, text: str, limit: int) -> list[Completion]:
        typed = fold(text)[:200]
        words = typed.split()[:MAX_WORDS]
        if not words:
            return []
        typed = " ".join(words)
        done = text[-1:].isspace()  # "in " is the word "in", not the start of "internal"
        best: dict[int, tuple[int, int]] = {}  # entry -> (quality, which of its names matched: the label first)
        start = bisect.bisect_left(self._starts, (typed,))
        end = bisect.bisect_left(self._starts, (typed + "\uffff",), start)
        for name, i in self._starts[start : min(end, start + SCAN)]:
            quality = 0 if name == typed else 1
            if done and quality and name[len(typed)] != " ":
                continue
            found = (quality, self._entries[i].names.index(name))
            if i not in best or found < best[i]:
                best[i] = found
        # Entries are numbered in rank order, so the first that match are the best of the rest.
        ranked = heapq.nsmallest(limit, best, key=lambda i: (best[i][0], i))
        rarest = min((self._by_key.get(w[:KEY], []) for w in words), key=len)
        for i in rarest[:SCAN]:
            if len(ranked) >= limit:
                break
            if i in best:
                continue
            k = next((k for k, ws in enumerate(self._entries[i].words) if _words_begin(words, ws, done=done)), None)
            if k is not None:
                best[i] = (2, k)
                ranked.append(i)
        out = []
        for i in ranked:
            e = self._entries[i]
            c, written = e.completion, e.written[best[i][1]]
            label_too = e.names[0].startswith(typed) or _words_begin(words, e.words[0], done=done)
            matched = None if best[i][1] == 0 or label_too else written  # only a name the label does not explain
            out.append(Completion(c.kind, c.label, c.count, matched, c.id, c.facet, c.facet_label, c.value))
        return out


def _entry(c: Completion, written: Iterable[str]) -> _Entry:
    names, kept = [], []
    for w in written:
        f = fold(w)
        if f and f not in names:
            names.append(f)
            kept.append(w)
    kind = KIND_ORDER[c.kind] if c.count else len(KIND_ORDER)
    words = tuple(tuple(n.split()) for n in names)
    return _Entry(c, tuple(names), words, tuple(kept), (kind, -c.count, len(c.label), c.label))


def _words_begin(typed: Sequence[str], words: Sequence[str], *, done: bool) -> bool:
    """True when each typed word begins a different word of the name (in any order); when `done`, the last typed
    word is a whole word of it."""
    free = list(words)
    order = sorted(range(len(typed)), key=lambda k: (k != len(typed) - 1 or not done, -len(typed[k])))
    for k in order:
        t, whole = typed[k], done and k == len(typed) - 1
        hit = next((j for j, w in enumerate(free) if (w == t if whole else w.startswith(t))), None)
        if hit is None:
            return False
        del free[hit]
    return True
