"""One YAML document to plain data with each value's position, bounded in size and depth, read from libyaml's events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, BinaryIO

import yaml

from app.catalog.filelimits import MAX_PROGRAMS, too_many
from app.catalog.problems import Loc, Problem, dotted
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
            value = self._value(loader.get_event(), loc)
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
