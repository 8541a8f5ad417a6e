"""Renamed programs: an entry's `replaces` lists the ids it had before, so that old links and synced copies follow.

The catalog's own mapping (old id -> the id that replaces it) is `replacements`; the store keeps it with the
removals (app.store.removals), which also carries it across later loads, so that a chain a -> b, later b -> c,
ends at c in one step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.catalog.models import Catalog, Program
from app.catalog.problems import Loc, Pending
from app.catalog.yamlevents import Tree
from app.catalog.yamlread import position


def replacements(programs: Iterable[Program]) -> dict[str, str]:
    """{old id: the id of the entry that replaces it}, from the entries' `replaces`."""
    return {old: program.id for program in programs for old in program.replaces}


def renamed_ids(catalog: Catalog) -> set[str]:
    """The old ids this catalog renames: a load that drops them renames them, and removes none of them."""
    return set(replacements(catalog.programs))


def check_replaces(entries: Sequence[tuple[Any, Any] | None], tree: Tree) -> Pending:
    """Each old id in `replaces` names one program that left: not the entry's own id, not another current entry's,
    not claimed by two entries. `entries` are each entry's id and replaces as written (None: not an entry)."""
    ids = {entry[0]: i for i, entry in enumerate(entries) if entry is not None and isinstance(entry[0], str)}
    claimed: dict[str, int] = {}
    pending: Pending = []
    for i, entry in enumerate(entries):
        olds = entry[1] if entry is not None else None
        for k, old in enumerate(olds if isinstance(olds, list) else []):
            if not isinstance(old, str):
                continue  # the field's own type check reports it
            loc: Loc = ("programs", i, "replaces", k)
            if ids.get(old) == i:
                pending.append((loc, f"'{old}' is this entry's own id; list only the ids it had before", False))
            elif old in ids:
                line = position(tree, ("programs", ids[old]))[0]
                message = (
                    f"'{old}' is the id of programs[{ids[old]}] (line {line}), which is still in the catalog; "
                    "an entry replaces only ids that left it"
                )
                pending.append((loc, message, False))
            elif old in claimed and claimed[old] != i:
                line = position(tree, ("programs", claimed[old]))[0]
                message = (
                    f"'{old}' is already replaced by programs[{claimed[old]}] (line {line}); an old id leads to "
                    "one program only"
                )
                pending.append((loc, message, False))
            else:
                claimed.setdefault(old, i)
    return pending
