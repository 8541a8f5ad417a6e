"""Reading the catalog file: its YAML to plain data with each value's position; after a syntax error, the header
and each entry read on their own, so that one pass reports every entry's syntax error."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from app.catalog.filelimits import MAX_PROGRAMS, TooBig, entry_starts, too_many
from app.catalog.problems import CatalogError, Loc, Problem
from app.catalog.yamlevents import EMPTY, MAX_DEPTH, TooManyValues, Tree


def _syntax_problem(path: str, exc: yaml.YAMLError, line_offset: int) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if any(hint in problem for hint in ("mapping values", "block end", "could not find expected ':'")):
        message += "; check the indentation of this line and the lines above it"
    return Problem(path, line, col, "", message)


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Split a file whose YAML does not parse into its header and one chunk per program entry, each with the line
    it starts on (less one): one pass then reports the syntax errors of several entries and checks the rest."""
    shape = entry_starts(text)
    if shape is None:
        yield 0, text
        return
    header_end, starts = shape
    yield 0, text[:header_end]
    body = text.find("\n", header_end) + 1 or len(text)
    bounds = [body, *(at for at in starts if at > body), len(text)]
    line = text.count("\n", 0, body)
    for begin, end in itertools.pairwise(bounds):
        yield line, text[begin:end]
        line += text.count("\n", begin, end)


def parse(
    text: str | bytes | Path,
    display: str,
    max_nodes: int,
    *,
    track: bool = True,
    max_programs: int = MAX_PROGRAMS,
    on_entry: Callable[[int, Any], Any] | None = None,
) -> tuple[Any, Tree]:
    """Parse the text into data with positions; on a syntax error, recover per entry to report all of them.

    `text` may be a file known to be UTF-8: it is read a block at a time (a 150 MB file is not held whole while
    it is parsed), and whole only to recover from a syntax error. `on_entry` sees each program entry as it is read
    (see `Tree.on_entry`), until a syntax error: the recovery that follows does not call it."""
    tree = Tree(display, 0, max_nodes, track=track, max_programs=max_programs)
    tree.on_entry = on_entry
    try:
        if isinstance(text, Path):
            with text.open("rb") as stream:
                value = tree.load(stream)
        else:
            value = tree.load(text)
    except yaml.YAMLError as exc:
        syntax: yaml.YAMLError | None = exc
        # Forget what was read before the error: the recovery starts afresh.
        tree = Tree(display, 0, max_nodes, track=track, max_programs=max_programs)
    except RecursionError:
        raise CatalogError([Problem(display, 1, 1, "", f"nested deeper than {MAX_DEPTH} levels")]) from None
    except TooManyValues as exc:
        raise TooBig([Problem(display, 1, 1, "", str(exc))]) from None
    else:
        if value is EMPTY:
            raise CatalogError([Problem(display, 1, 1, "", "the file is empty; expected a mapping with 'programs'")])
        return value, tree

    # Recovery: parse the header and each entry on its own, shifting line numbers back into place.
    text = text_of(text)
    data: dict[str, Any] = {}
    programs: list[Any] = []
    problems: list[Problem] = []
    for offset, chunk in _chunks(text):
        part = Tree(display, offset, max_nodes, track=track, max_programs=max_programs)
        is_header = not programs and offset == 0
        index = len(programs)
        try:
            value = part.load(chunk, () if is_header else ("programs",))
        except (yaml.YAMLError, RecursionError) as exc:
            if isinstance(exc, yaml.YAMLError):
                problems.append(_syntax_problem(display, exc, offset))
            if not is_header:
                programs.append(None)
            continue
        except TooManyValues as exc:
            raise TooBig([Problem(display, 1, 1, "", str(exc))]) from None
        if len(programs) > max_programs:
            raise TooBig([Problem(display, 1, 1, "", too_many(max_programs))])
        if value is EMPTY:
            continue
        if is_header:
            if isinstance(value, dict):
                data.update(value)
            tree.positions.update(part.positions)
            tree.key_positions.update(part.key_positions)
        elif isinstance(value, list):  # a one-item sequence: its positions renumbered as entry `index`
            for into, found in ((tree.positions, part.positions), (tree.key_positions, part.key_positions)):
                into.update({("programs", index, *key[2:]): at for key, at in found.items() if key[1:2] == (0,)})
            programs.extend(value[:1])
        tree.problems.extend(part.problems)
    if not problems:  # the recovery found nothing wrong per entry: report the whole-file error as is
        assert syntax is not None
        problems.append(_syntax_problem(display, syntax, 0))
    tree.problems.extend(problems)
    data["programs"] = programs
    return data, tree


def text_of(source: str | bytes | Path) -> str:
    """The whole text of what `parse` reads. (A file is read again: one replaced meanwhile by bytes that are not
    UTF-8 still gives text, and problems, rather than an exception.)"""
    if isinstance(source, Path):
        source = source.read_bytes()
    return source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source


def position(tree: Tree, loc: Loc, *, key: bool = False) -> tuple[int, int]:
    if key and loc in tree.key_positions:
        return tree.key_positions[loc]
    while loc:
        if loc in tree.positions:
            return tree.positions[loc]
        loc = loc[:-1]
    return tree.positions.get((), (1, 1))
