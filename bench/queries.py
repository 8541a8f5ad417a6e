"""The fixed query mixes: distinct searches of 1–3 words from the generator's vocabulary with 0–3 filters and some
typos (`mix`), and of one or two of a catalog's most frequent words with 0–2 filters (`common_mix`)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from whoosh.analysis import STOP_WORDS

from app.catalog.vocab import FACETS
from app.search.query import Document, SearchQuery
from bench.generate import VOCABULARY

TYPO_RATE = 0.1
COMMON_WORDS = 30  # how many of a catalog's most frequent words the common-words mix draws from


@dataclass(frozen=True)
class Mix:
    """One search as a user would send it: words and facet filters (facet name -> chosen values)."""

    text: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]

    def query(self) -> SearchQuery:
        """The in-process form: first page, facet counts and highlights on."""
        return SearchQuery(text=self.text, filters={k: frozenset(v) for k, v in self.filters}, highlight=True)

    def params(self, **extra: str | int) -> str:
        """The query string for /api/v1/programs and the search page."""
        pairs: list[tuple[str, str | int]] = [("q", self.text)]
        pairs += [(name, value) for name, values in self.filters for value in values]
        pairs += list(extra.items())
        return urlencode(pairs)


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: two letters swapped or one dropped."""
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def _one(rng: random.Random) -> Mix:
    words = rng.sample(VOCABULARY, rng.choices([1, 2, 3], weights=[4, 4, 2])[0])
    if rng.random() < TYPO_RATE:
        long = [i for i, w in enumerate(words) if len(w) >= 6]
        if long:
            i = rng.choice(long)
            words[i] = _typo(rng, words[i])
    count = rng.choices([0, 1, 2, 3], weights=[4, 3, 2, 1])[0]
    filters = []
    for name in sorted(rng.sample(list(FACETS), count)):
        vocab = FACETS[name]
        k = 2 if vocab.multi and rng.random() < 0.25 else 1
        filters.append((name, tuple(sorted(rng.sample(vocab.values, k)))))
    return Mix(" ".join(words), tuple(filters))


def mix(n: int = 1000, *, seed: int = 1) -> list[Mix]:
    """`n` distinct searches, always the same for the same n and seed."""
    rng = random.Random(f"queries:{seed}")
    out: dict[Mix, None] = {}
    while len(out) < n:
        out[_one(rng)] = None
    return list(out)


def frequent_words(documents: Iterable[Document], k: int = COMMON_WORDS) -> list[str]:
    """The `k` words (lowercased) that the most programs use in any indexed text, facet labels included; stop
    words, numbers and words under four letters left out, as a user would not type them alone."""
    counts: Counter[str] = Counter()
    for d in documents:
        text = " ".join((d.name, d.summary, d.description, d.sponsor, *d.aliases, *d.tags, d.extra))
        counts.update({w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in STOP_WORDS})
    return [w for w, _ in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:k]]


def _common(rng: random.Random, words: list[str]) -> Mix:
    text = " ".join(rng.sample(words, rng.choice([1, 2])))
    filters = []
    for name in sorted(rng.sample(list(FACETS), rng.choices([0, 1, 2], weights=[4, 3, 2])[0])):
        filters.append((name, (rng.choice(FACETS[name].values),)))
    return Mix(text, tuple(filters))


def common_mix(words: list[str], n: int = 1000, *, seed: int = 1) -> list[Mix]:
    """`n` distinct searches of one or two of `words` (a catalog's `frequent_words`) with 0–2 facet filters: the
    searches that match most of a catalog, as faculty type "women", "mentoring", "leadership"."""
    rng = random.Random(f"common:{seed}")
    out: dict[Mix, None] = {}
    while len(out) < n:
        out[_common(rng, words)] = None
    return list(out)


def distinct_urls(path: str, n: int, *, seed: int = 2, queries: list[Mix] | None = None) -> Iterator[str]:
    """`n` different URLs (no two alike, so no cache can answer): a mix's searches over pages and page sizes
    (by default `mix`'s, enough of them for `n`)."""
    queries = queries or mix(max(1000, n // 20 + 1), seed=seed)
    count = 0
    for per_page in (20, 10, 25, 15, 30):
        for page in (1, 2, 3, 4):
            for m in queries:
                yield f"{path}?{m.params(page=page, per_page=per_page)}"
                count += 1
                if count >= n:
                    return


def zipf_urls(path: str, n: int, *, queries: list[Mix], s: float = 1.0, seed: int = 3) -> list[str]:
    """`n` requests drawn from the query mix with Zipf-distributed popularity (rank r has weight 1/r**s)."""
    rng = random.Random(f"zipf:{seed}")
    urls = [f"{path}?{m.params()}" for m in queries]
    weights = [1 / (r**s) for r in range(1, len(urls) + 1)]
    return rng.choices(urls, weights=weights, k=n)


def typed(n: int = 1000, *, seed: int = 4) -> list[str]:
    """`n` distinct search-box inputs as typed so far: one to three words of the vocabulary, the last cut short
    (one letter to all of it), for the completions."""
    rng = random.Random(f"typed:{seed}")
    out: dict[str, None] = {}
    while len(out) < n:
        words = rng.sample(VOCABULARY, rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
        last = words[-1]
        words[-1] = last[: rng.randint(1, len(last))]
        out[" ".join(words)] = None
    return list(out)
