"""Aimed-at first: with a group or a specialty chosen (or named in the words), a search lists the programs aimed at
it, then those open to everyone ("Also open to you"), then any other match; each part in the order asked for.

A program is aimed at the search when it carries a chosen or named value of demographic focus or specialty (not the
facet's wildcard); open when, in every such facet, it carries the wildcard instead (`open`, `any`); other otherwise
(a match of the words aimed at another group).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from app.catalog.vocab import WIDENED
from app.search.intent import Named
from app.search.query import Part
from app.search.vectors import DocSet

AIMED, OPEN, OTHER = "aimed", "open", "other"
PARTS = (AIMED, OPEN, OTHER)

Union = Callable[[str, frozenset[str]], DocSet]  # the programs carrying any of these values of a facet
Rank = Callable[[DocSet, int | None], list[int]]  # a set's docnums in the order asked for, the first k


def targeted(filters: Mapping[str, frozenset[str]], named: Sequence[Named]) -> dict[str, frozenset[str]]:
    """The values of each widened facet (demographic focus, specialty) chosen or named, wildcards aside."""
    out: dict[str, frozenset[str]] = {}
    for vocab in WIDENED:
        values = set(filters.get(vocab.name, ())) | {x.value for x in named if x.facet == vocab.name}
        values.discard(vocab.wildcard or "")
        if values:
            out[vocab.name] = frozenset(values)
    return out


def split(found: DocSet, targets: Mapping[str, frozenset[str]], union: Union) -> list[tuple[str, DocSet]]:
    """`found` in its non-empty parts, in listing order; no parts when nothing is targeted."""
    if not targets:
        return []
    aimed = DocSet.union([union(name, values) for name, values in targets.items()], len(found.mask)) & found
    rest = found - aimed
    opened = rest
    for vocab in WIDENED:
        if vocab.name in targets:
            opened = opened & union(vocab.name, frozenset({vocab.wildcard or ""}))
    parts = [(AIMED, aimed), (OPEN, opened), (OTHER, rest - opened)]
    return [(name, docs) for name, docs in parts if docs]


def rank_parts(parts: list[tuple[str, DocSet]], end: int | None, rank: Rank) -> tuple[list[int], dict[int, str]]:
    """The docnums of every part, part after part, each ranked by `rank`; the first `end`; and each one's part."""
    ranked: list[int] = []
    part_of: dict[int, str] = {}
    for name, docs in parts:
        need = None if end is None else end - len(ranked)
        if need is not None and need <= 0:
            break
        got = rank(docs, need)[:need]
        ranked += got
        part_of.update(dict.fromkeys(got, name))
    return ranked, part_of


def sizes(parts: list[tuple[str, DocSet]]) -> list[Part]:
    return [Part(name, len(docs)) for name, docs in parts]
