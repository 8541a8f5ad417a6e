"""What the index knows of each program besides its words, worked out once when the index is built and kept beside
it (COLUMNS_FILE, NAMES_FILE): which programs carry each facet value, when each was checked, which have a link,
the name order, and the names and aliases as compared. Opening an index reads these arrays back in milliseconds,
where working them out from 100,000 programs' records took seconds at every start.

Only the programs' content goes in (the folder is keyed by the catalog's content): when each program last changed
in the database is given to the index at open.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson

from app.catalog.models import normalize
from app.catalog.vocab import FACETS
from app.search.query import Document

COLUMNS_FILE = "columns.npz"
NAMES_FILE = "names.json"
_SEP = "\x1f"  # between a facet's name and a value in the array names of COLUMNS_FILE


@dataclass(frozen=True)
class Columns:
    facets: dict[str, dict[str, npt.NDArray[np.int32]]]  # facet -> value -> the docnums carrying it, ascending
    verified: npt.NDArray[np.int32]  # last_verified as a proleptic ordinal, by docnum
    linked: npt.NDArray[np.bool_]  # a followable link, by docnum
    name_rank: npt.NDArray[np.int32]  # each docnum's place in name order (normalized name, then id)
    exact: dict[str, list[int]]  # a name or alias as compared (normalize) -> the docnums that have it

    @classmethod
    def of(cls, documents: Sequence[Document]) -> Columns:
        """The columns of these documents, docnum = position."""
        size = len(documents)
        facets = {}
        for name, vocab in FACETS.items():
            per_doc = [d.facets.get(name, ()) for d in documents]
            flat = list(itertools.chain.from_iterable(per_doc))
            owners = np.repeat(np.arange(size), np.fromiter(map(len, per_doc), dtype=np.int64, count=size))
            code = {v: i for i, v in enumerate(dict.fromkeys([*vocab.values, *flat]))}  # unknown values too
            codes = np.fromiter(map(code.__getitem__, flat), dtype=np.int64, count=len(flat))
            facets[name] = {v: owners[codes == i].astype(np.int32) for v, i in code.items()}
        names = [normalize(d.name) for d in documents]
        by_name = sorted(range(size), key=lambda n: (names[n], documents[n].id))
        rank = np.empty(size, dtype=np.int32)
        rank[by_name] = np.arange(size, dtype=np.int32)
        exact: dict[str, list[int]] = {}
        for n, d in enumerate(documents):
            exact.setdefault(names[n], []).append(n)
            for label in d.aliases:
                exact.setdefault(normalize(label), []).append(n)
        return cls(
            facets,
            np.array([d.last_verified.toordinal() for d in documents], dtype=np.int32),
            np.array([d.has_link for d in documents], dtype=bool),
            rank,
            exact,
        )

    def save(self, folder: Path) -> None:
        arrays: dict[str, np.ndarray] = {"verified": self.verified, "linked": self.linked, "name_rank": self.name_rank}
        for name, values in self.facets.items():
            arrays |= {f"{name}{_SEP}{value}": docs for value, docs in values.items()}
        np.savez(folder / COLUMNS_FILE, allow_pickle=False, **arrays)
        (folder / NAMES_FILE).write_bytes(orjson.dumps(self.exact))

    @classmethod
    def load(cls, folder: Path) -> Columns:
        with np.load(folder / COLUMNS_FILE, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        facets: dict[str, dict[str, npt.NDArray[np.int32]]] = {name: {} for name in FACETS}
        for key, docs in arrays.items():
            if _SEP in key:
                name, value = key.split(_SEP, 1)
                facets.setdefault(name, {})[value] = docs
        exact = orjson.loads((folder / NAMES_FILE).read_bytes())
        return cls(facets, arrays["verified"], arrays["linked"], arrays["name_rank"], exact)
