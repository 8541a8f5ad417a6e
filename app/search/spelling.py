"""The words a catalog's index holds, as typed: their typo neighbours, the words a prefix begins, respellings."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence

from whoosh.support.levenshtein import damerau_levenshtein

FUZZY_MIN_LENGTH = 5  # one typo tolerated from this many letters...
FUZZY_TWO_LENGTH = 9  # ...and two from this many
FUZZY_PREFIX = 2  # a typo's neighbours share its first letters: slips there are rare, and respellings stay close
PREFIX_EXPANSIONS = 24  # at most this many words (the most common) per prefix
NEAR_CACHE_WORDS = 10_000


def typo_distance(word: str) -> int:
    """How many typos a word of this length may hold: none below FUZZY_MIN_LENGTH letters, two from FUZZY_TWO."""
    return 0 if len(word) < FUZZY_MIN_LENGTH else 1 if len(word) < FUZZY_TWO_LENGTH else 2


class Spelling:
    """The indexed words (lowercased, unstemmed: fuzzing a stem finds nothing) with how many programs use each."""

    def __init__(self, words: Mapping[str, int]) -> None:
        self.words = dict(words)
        self._sorted = sorted(self.words)
        self._by_initial: dict[str, list[str]] = {}
        for word in self._sorted:
            self._by_initial.setdefault(word[:1], []).append(word)
        self._near_cache: dict[tuple[str, int], list[str]] = {}

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def near(self, word: str, maxdist: int) -> list[str]:
        """Indexed words within `maxdist` typos of `word` (a swap of two letters is one), sharing its first letters.

        Kept per index (bounded), as the same misspellings recur and each scan compares thousands of words.
        """
        key = (word, maxdist)
        found = self._near_cache.get(key)
        if found is None:
            found = [
                c
                for c in self._by_initial.get(word[:1], ())
                if abs(len(c) - len(word)) <= maxdist
                and c[:FUZZY_PREFIX] == word[:FUZZY_PREFIX]
                and damerau_levenshtein(c, word, maxdist) <= maxdist
            ]
            if len(self._near_cache) >= NEAR_CACHE_WORDS:
                self._near_cache.clear()
            self._near_cache[key] = found
        return found

    def neighbours(self, word: str) -> list[str]:
        """The indexed words a typo of `word` may stand for: within the typos its length allows and, for a word a
        letter short of FUZZY_MIN_LENGTH, those it is with one letter dropped ("womn" for "women", never "endo"
        for "ends")."""
        distance = typo_distance(word)
        if distance:
            return self.near(word, distance)
        if len(word) == FUZZY_MIN_LENGTH - 1:
            return [c for c in self.near(word, 1) if len(c) == len(word) + 1]
        return []

    def completions(self, prefix: str) -> list[str]:
        """The most common indexed words that `prefix` begins (not itself), at most PREFIX_EXPANSIONS."""
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\uffff", start)
        found = self._sorted[start:end]
        if len(found) > PREFIX_EXPANSIONS:
            found = sorted(found, key=lambda w: (-self.words[w], w))[:PREFIX_EXPANSIONS]
        return [w for w in found if w != prefix]

    def respell(self, words: Sequence[str], known: Callable[[str], bool] = lambda w: False) -> str | None:
        """The query with each unknown word respelled as its closest neighbour (the most common among the closest);
        None if none has one. A word `known` otherwise (a synonym's, a word form's) is kept as typed.

        Close: within the typos its length allows (a four-letter word only by a dropped letter, so "endo" is never
        "ends") and with the same first letters ("lactation" is not "location"); the closest first, so
        "leadershp" is "leadership", not the more common "leaders". Such words are searched for as their
        neighbours anyway: the respelling tells the user what was searched, and links to it alone.
        """
        changed, out = False, []
        for i, w in enumerate(words):
            typing = i == len(words) - 1 and bool(self.completions(w))  # a word being typed, not a typo
            if w not in self.words and not typing and not known(w):
                near = self.neighbours(w)
                if near:
                    out.append(min(near, key=lambda c: (damerau_levenshtein(c, w), -self.words[c], c)))
                    changed = True
                    continue
            out.append(w)
        return " ".join(out) if changed else None
