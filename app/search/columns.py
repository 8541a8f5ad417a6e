"""What the index knows of each program besides its words, worked out once when the index is built and kept beside
it (COLUMNS_FILE, NAMES_FILE): which programs carry each facet value, when each was checked, which have a link,
the name order, and the names and aliases as compared. Opening an index reads these arrays back in milliseconds,
where working them out from 100,000 programs' records took seconds at every start.

Only the programs' content goes in (the folder is keyed by the catalog's content): when each program last changed
in the database is given to the index at open.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
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
    checked: npt.NDArray[np.int32]  # the provenance's date as an ordinal, by docnum (0: never checked)
    linked: npt.NDArray[np.bool_]  # a followable link, by docnum
    name_rank: npt.NDArray[np.int32]  # each docnum's place in name order (normalized name, then id)
    exact: dict[str, list[int]]  # a name or alias as compared (normalize) -> the docnums that have it

    def save(self, folder: Path) -> None:
        arrays: dict[str, np.ndarray] = {"verified": self.verified, "checked": self.checked, "linked": self.linked}
        arrays["name_rank"] = self.name_rank
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
        return cls(facets, arrays["verified"], arrays["checked"], arrays["linked"], arrays["name_rank"], exact)


class ColumnsBuilder:
    """Columns worked out a batch of documents at a time, keeping only what they need of each (no texts)."""

    def __init__(self) -> None:
        self._values: dict[str, list[str]] = {name: [] for name in FACETS}  # each facet's values, all documents'
        self._owners: dict[str, array[int]] = {name: array("i") for name in FACETS}  # the docnum of each
        self._ids: list[str] = []
        self._names: list[str] = []
        self._aliases: list[tuple[str, int]] = []  # (an alias as compared, its docnum)
        self._verified = array("i")
        self._checked = array("i")
        self._linked = array("b")

    def add(self, documents: Iterable[Document]) -> None:
        for d in documents:
            n = len(self._ids)
            for name, values in self._values.items():
                carried = d.facets.get(name, ())
                values += carried
                self._owners[name].extend([n] * len(carried))
            self._ids.append(d.id)
            self._names.append(normalize(d.name))
            self._aliases += [(normalize(label), n) for label in d.aliases]
            self._verified.append(d.last_verified.toordinal())
            self._checked.append(d.checked_on.toordinal() if d.checked_on else 0)
            self._linked.append(d.has_link)

    def finish(self) -> Columns:
        size = len(self._ids)
        facets = {}
        for name, vocab in FACETS.items():
            flat = self._values[name]
            owners = np.frombuffer(self._owners[name], dtype=np.int32) if flat else np.zeros(0, dtype=np.int32)
            code = {v: i for i, v in enumerate(dict.fromkeys([*vocab.values, *flat]))}  # unknown values too
            codes = np.fromiter(map(code.__getitem__, flat), dtype=np.int64, count=len(flat))
            facets[name] = {v: owners[codes == i].astype(np.int32) for v, i in code.items()}
        names = self._names
        by_name = sorted(range(size), key=lambda n: (names[n], self._ids[n]))
        rank = np.empty(size, dtype=np.int32)
        rank[by_name] = np.arange(size, dtype=np.int32)
        exact: dict[str, list[int]] = {}
        aliases = iter(self._aliases)  # in docnum order
        alias = next(aliases, None)
        for n, name in enumerate(names):  # each docnum's name, then its aliases
            exact.setdefault(name, []).append(n)
            while alias is not None and alias[1] == n:
                exact.setdefault(alias[0], []).append(n)
                alias = next(aliases, None)
        verified = np.frombuffer(self._verified, dtype=np.int32).copy()
        checked = np.frombuffer(self._checked, dtype=np.int32).copy()
        linked = np.frombuffer(self._linked, dtype=np.int8).astype(bool)
        return Columns(facets, verified, checked, linked, rank, exact)
