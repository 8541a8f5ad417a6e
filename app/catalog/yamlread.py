"""Reading the catalog file: YAML to plain data with each value's position, bounded in size and depth."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from app.catalog.filelimits import MAX_PROGRAMS, TooBig, entry_starts, too_many
from app.catalog.problems import CatalogError, Loc, Problem, dotted
from app.catalog.textcheck import SUSPECT, text_problem

MAX_DEPTH = 16


class Tree:
    """Turns one YAML document into plain data, noting each value's position, refusing aliases.

    It reads libyaml's event stream directly: building PyYAML's node tree first took three quarters of the time.
    """

    def __init__(
        self, path: str, line_offset: int, max_nodes: int, *, track: bool = True, max_programs: int = MAX_PROGRAMS
    ) -> None:
        self.path = path
        self.max_programs = max_programs
        self.track = track  # note every value's position; without it, only the entries' (enough for a valid file)
        self.offset = line_offset
        self.budget = max_nodes
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.key_positions: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._anchors: dict[str, tuple[int, int, Any]] = {}
        self._shared: dict[str, str] = {}
        # What recurring short plain scalars resolve to (tag) and are made into (a date, a number): a catalog of
        # 100,000 programs repeats its vocabulary values and dates hundreds of thousands of times.
        self._resolved: dict[str, str] = {}
        self._made: dict[tuple[str, str], Any] = {}
        self._loader: Any = None
        # Called with each entry of the top-level `programs` list as soon as it is read (its index and data); what it
        # returns is kept in the list instead.
        self.on_entry: Callable[[int, Any], Any] | None = None

    def pos(self, mark: Any) -> tuple[int, int]:
        return mark.line + 1 + self.offset, mark.column + 1

    def problem(self, at: tuple[int, int], loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.path, at[0], at[1], dotted(loc), message))

    def load(self, text: str | bytes | BinaryIO, loc: Loc = ()) -> Any:
        """The single document in `text` (or read from a stream, a block at a time) as data (EMPTY if there is
        none); raises yaml.YAMLError on bad syntax."""
        loader: Any = yaml.CSafeLoader(text)  # libyaml's C parser, with PyYAML's safe resolver and constructor
        self._loader = loader
        try:
            loader.get_event()  # stream start
            if loader.check_event(yaml.StreamEndEvent):
                return EMPTY
            document = loader.get_event()
            value = self._node(loc)
            loader.get_event()  # document end
            if not loader.check_event(yaml.StreamEndEvent):
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    document.start_mark,
                    "but found another document",
                    loader.get_event().start_mark,
                )
            return value
        finally:
            loader.dispose()
            self._loader = None

    def _anchor(self, event: Any) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            return
        if anchor in self._anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self._anchors[anchor][2],
                "second occurrence",
                event.start_mark,
            )
        self._anchors[anchor] = (*self.pos(event.start_mark), event.start_mark)

    def _skip(self, event: Any) -> None:
        """Consume the rest of a node whose first event was `event` (its anchors still count)."""
        self._anchor(event)
        depth = int(isinstance(event, yaml.CollectionStartEvent))
        while depth:
            event = self._loader.get_event()
            self._anchor(event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1

    def _node(self, loc: Loc) -> Any:
        return self._value(self._loader.get_event(), loc)

    def _value(self, event: Any, loc: Loc) -> Any:
        """The node that starts with `event`. (Called once per value of the file: events are told apart by their
        class, and each collection's end found by reading the next event, not by asking the parser first.)"""
        kind = event.__class__
        if kind is _ALIAS:
            anchored = self._anchors.get(str(event.anchor))
            if anchored is None:
                mark: Any = event.start_mark
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", mark)
            self.problem(anchored[:2], loc, "YAML anchors and aliases are not allowed in the catalog")
            return None
        self.budget -= 1
        if self.budget < 0:
            raise TooManyValues("the file holds too many YAML values")
        depth = len(loc)
        if depth == 2 and loc[0] == "programs" and isinstance(loc[1], int) and loc[1] >= self.max_programs:
            raise TooManyValues(too_many(self.max_programs))
        if depth > MAX_DEPTH:
            self.problem(self.pos(event.start_mark), loc, f"nested deeper than {MAX_DEPTH} levels")
            self._skip(event)
            return None
        if event.anchor is not None:
            self._anchor(event)
        if self.track or depth <= 2:
            self.positions[loc] = self.pos(event.start_mark)
        if kind is _SCALAR:
            return self._scalar(event, loc)
        next_event = self._loader.get_event
        if kind is _SEQUENCE:
            items: list[Any] = []
            hook = self.on_entry if loc == ("programs",) else None
            while (item := next_event()).__class__ is not _SEQUENCE_END:
                value = self._value(item, (*loc, len(items)))
                items.append(value if hook is None else hook(len(items), value))
            return items
        out: dict[str, Any] = {}
        shared = self._shared
        while (key_event := next_event()).__class__ is not _MAPPING_END:
            if key_event.__class__ is not _SCALAR:
                self.problem(self.pos(key_event.start_mark), loc, "keys must be plain names")
                self._skip(key_event)
                self._skip(next_event())
                continue
            if key_event.anchor is not None:
                self._anchor(key_event)
            key = key_event.value
            if len(key) <= SHARED_CHARS:
                key = shared.setdefault(key, key)
            if key in out:
                self.problem(self.pos(key_event.start_mark), (*loc, key), f"key '{key}' appears twice in this entry")
                self._skip(next_event())
                continue
            if self.track:
                self.key_positions[(*loc, key)] = self.pos(key_event.start_mark)
            out[key] = self._value(next_event(), (*loc, key))
        return out

    def _scalar(self, event: Any, loc: Loc) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            value = event.value
            if not event.implicit[0]:  # only a plain scalar is resolved: a quoted one is text
                tag = _STR
            elif (tag := self._resolved.get(value)) is None:
                tag = self._loader.resolve(yaml.ScalarNode, value, event.implicit)
                if len(value) <= SHARED_CHARS:
                    self._resolved[value] = tag
        if tag == _STR:  # one object for each short text that recurs (keys, vocabulary values, a source's title)
            value = event.value
            if len(value) <= SHARED_CHARS:
                value = self._shared.setdefault(value, value)
            if (SUSPECT.search(value) or ("@" in value and loc[-1:] == ("url",))) and (
                problem := text_problem(value, loc)
            ):
                self.problem(self.pos(event.start_mark), loc, problem)
            return value
        made = self._made.get((tag, event.value), _NOT_MADE)
        if made is not _NOT_MADE:
            return made
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            made = self._loader.construct_object(node)
            if len(event.value) <= SHARED_CHARS and type(made) in _IMMUTABLE:  # shared safely
                self._made[(tag, event.value)] = made
            return made
        except yaml.YAMLError as exc:  # e.g. an impossible date such as 2024-02-30
            reason = getattr(exc, "problem", None) or exc
            self.problem(self.pos(event.start_mark), loc, f"cannot read this value: {reason}")
            return None
        except ValueError as exc:
            self.problem(self.pos(event.start_mark), loc, f"cannot read this value: {exc}")
            return None


_STR = "tag:yaml.org,2002:str"
# The parser's event classes (libyaml's parser makes exactly these, never subclasses)
_ALIAS, _SCALAR, _SEQUENCE = yaml.AliasEvent, yaml.ScalarEvent, yaml.SequenceStartEvent
_SEQUENCE_END, _MAPPING_END = yaml.SequenceEndEvent, yaml.MappingEndEvent
SHARED_CHARS = 100
EMPTY = object()  # a stream without any document
_NOT_MADE = object()
_IMMUTABLE = frozenset({bool, int, float, type(None), bytes, dt.date, dt.datetime})


class TooManyValues(Exception):
    pass


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
        elif isinstance(value, list):
            # The chunk parsed as a one-item sequence: renumber its positions as entry `index`.
            for mapping in (part.positions, part.key_positions):
                for key, position in list(mapping.items()):
                    if len(key) >= 2 and key[1] == 0:
                        tree_loc = ("programs", index, *key[2:])
                        (tree.positions if mapping is part.positions else tree.key_positions)[tree_loc] = position
            programs.extend(value[:1])
        if is_header:
            tree.positions.update(part.positions)
            tree.key_positions.update(part.key_positions)
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
