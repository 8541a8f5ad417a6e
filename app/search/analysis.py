"""Text as the index sees it: what a word is (WORD_RE), its index term (lowercased, stemmed, stop words dropped),
groups of synonyms, and phrases — a synonym group's words side by side in one text of a program."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.porter import stem

WORDS = r"\w+(?:\.?\w+)*"  # whoosh-reloaded's default pattern also takes '*' as part of a word
RAW = RegexTokenizer(WORDS) | LowercaseFilter() | StopFilter(minsize=1)
STEM = RAW | StemFilter()
WORD_RE = re.compile(WORDS)


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


def says(texts: Iterable[str], phrase: Sequence[str], firsts: Iterable[str]) -> bool:
    """True when one of the texts holds the phrase's stems side by side (stop words skipped, as indexed).

    `firsts` are the words (lowercased, as indexed) whose stem is the phrase's first: the texts are read word by
    word only from where one of them starts a word, not whole (reading whole texts took 2 s for "peer mentoring"
    at 10,000 programs)."""
    wanted = tuple(phrase)
    for text in texts:
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter whose lowercase is longer: positions differ, read it whole
            terms = [t for w in WORD_RE.findall(text) if (t := term_of(w)) is not None]
            if any(tuple(terms[i : i + len(wanted)]) == wanted for i in range(len(terms))):
                return True
            continue
        for first in firsts:
            at = lowered.find(first)
            while at >= 0:
                if _word_starts(text, at) and _terms_from(text, at, len(wanted)) == wanted:
                    return True
                at = lowered.find(first, at + 1)
    return False


def _word_starts(text: str, at: int) -> bool:
    """True when WORD_RE's words, read from the start, have one starting at `at` (not inside "a.b" or "ab")."""
    before = text[at - 1] if at else " "
    return not (before.isalnum() or before == "_" or (before == "." and at > 1 and WORD_RE.match(text[at - 2])))


def _terms_from(text: str, at: int, n: int) -> tuple[str, ...]:
    """The first `n` index terms of the text from `at` (stop words skipped)."""
    terms: list[str] = []
    for word in WORD_RE.finditer(text, at):
        if (term := term_of(word.group())) is not None:
            terms.append(term)
            if len(terms) == n:
                break
    return tuple(terms)


def as_typed(text: str, words: Sequence[str]) -> str:
    """A phrase's words as the query wrote them, with the small words between ("underrepresented in medicine")."""
    found = re.search(r"\W+(?:\w+\W+){0,2}?".join(map(re.escape, words)), text, re.IGNORECASE)
    return found.group() if found else " ".join(words)
