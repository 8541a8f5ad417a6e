"""A large catalog read in shares by child processes: the same catalog and index as reading it whole, or nothing
(and the file read whole, with the same verdict)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.catalog.models import CheckedCatalog
from app.catalog.problems import CatalogError
from app.catalog.validate import limits, load_catalog, validate
from app.config import SYNONYMS, Settings
from app.live.loading import load_file
from app.search.build import read_aside
from app.search.index import SearchIndex
from app.search.indexdir import folder_for
from app.search.query import Document, SearchQuery
from app.search.scoring import Synonyms
from app.store.db import make_engine, read_programs
from bench.generate import generate
from bench.queries import mix

LIMIT = 10_000
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TEXT = generate(2400, seed=21)  # entries at column 0, a title first; cut into shares of 1,200
ENTRY = "\n- id: "


def entry_starts(text: str) -> list[int]:
    starts, at = [], text.find(ENTRY)
    while at != -1:
        starts.append(at + 1)
        at = text.find(ENTRY, at + 1)
    return starts


def nth_entry(text: str, n: int) -> str:
    starts = [*entry_starts(text), len(text)]
    return text[starts[n] : starts[n + 1]]


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every child process started, to check none is left running."""
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> Any:
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr("app.search.build.subprocess.Popen", recorded)
    return started


def read_in_shares(directory: Path, text: str) -> Iterator[CheckedCatalog | None]:
    data = text.encode()
    max_values, entries = limits(data, "c.yaml", None, LIMIT)
    result = read_aside(directory, data, "c.yaml", max_values, entries, LIMIT)
    if result is None:
        yield None
        return
    with result[1]:  # waits for the children's index on exit
        yield result[0]


def stored(programs: Any) -> list[tuple[str, str, str, str]]:
    return [(p.id, p.name, p.raw, p.content_hash) for p in programs]


def indented(text: str) -> str:
    """The list indented under `programs:`, after a comment."""
    head, body = text.split("programs:\n", 1)
    return "# the catalog\n" + head + "programs:\n" + "".join("  " + line for line in body.splitlines(keepends=True))


VALID: dict[str, Callable[[str], str]] = {
    "as generated": lambda t: t,
    "no header, comments before the list": lambda t: "programs:  # all\n\n# first\n" + t.split("programs:\n", 1)[1],
    "the list indented, a comment first": indented,
    "Windows line ends": lambda t: t.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("variant", list(VALID))
def test_a_valid_file_read_in_shares_is_the_file_read_whole(
    variant: str, tmp_path: Path, children: list[subprocess.Popen[bytes]]
) -> None:
    text = VALID[variant](TEXT)
    whole = validate(text, max_programs=LIMIT)
    assert len(whole.programs) == 2400
    for catalog in read_in_shares(tmp_path, text):
        assert catalog is not None
        assert stored(catalog.programs) == stored(whole.programs)
        assert (catalog.title, catalog.description, catalog.version) == (whole.title, whole.description, whole.version)
    assert len(children) == 2  # one a share, each then indexing it
    assert all(child.poll() is not None for child in children)
    folder = folder_for(tmp_path, whole.version)
    assert len(list(folder.glob("*.seg"))) == 2 and [p.name for p in tmp_path.iterdir()] == [folder.name]
    if variant == "as generated":  # the index is the one built in process from the file read whole
        documents = [Document.from_record(p.record, updated_at=WHEN) for p in whole.programs]
        shares = SearchIndex.open_or_build(tmp_path, whole.version, documents, Synonyms.load(SYNONYMS))
        one = SearchIndex.open_or_build(tmp_path / "one", whole.version, documents, Synonyms.load(SYNONYMS))
        assert shares.ids == one.ids == [p.id for p in whole.programs]
        for query in [m.query() for m in mix(60)] + [SearchQuery("mentoring women")]:
            assert shares.search(query) == one.search(query)
        shares.close()
        one.close()


def quoted_marker(text: str) -> str:
    """A sponsor in quotes whose second line starts like an entry, where the shares would be cut: valid YAML
    (libyaml reads the line into the value), which the first share cannot read alone."""
    victim = nth_entry(text, 1199)
    quoted = re.sub(r"\n  sponsor: (.*)\n", r'\n  sponsor: "\1\n- id: not-an-entry"\n', victim, count=1)
    return text.replace(victim, quoted, 1)


def with_entry(text: str, n: int, old: str, new: str) -> str:
    return text.replace(nth_entry(text, n), nth_entry(text, n).replace(old, new, 1), 1)


DECLINED: dict[str, Callable[[str], str]] = {
    "an invalid entry in the second share": lambda t: with_entry(t, 2000, "scope: ", "scope: everywhere-"),
    "the same id in both shares": lambda t: t + nth_entry(t, 3),
    "a key after the list": lambda t: t + "subtitle: more\n",
    "a syntax error in the first share": lambda t: with_entry(t, 10, "\n  name:", "\n name:"),
    "a line in a quoted value that starts like an entry": quoted_marker,
    "the same anchor in both shares": lambda t: with_entry(
        with_entry(t, 5, "\n  sponsor: ", "\n  sponsor: &s "), 2000, "\n  sponsor: ", "\n  sponsor: &s "
    ),
    "a document end before the list": lambda t: t.replace("\nprograms:\n", "\n...\nprograms:\n", 1),
    "a comment with no space after the list's key": lambda t: t.replace("\nprograms:\n", "\nprograms:#all\n", 1),
    "a header beyond the value budget": lambda t: "junk: [" + "0," * 1_000_001 + "]\n" + t,
}


@pytest.mark.parametrize("case", list(DECLINED))
def test_a_file_the_shares_cannot_settle_is_read_whole_with_the_same_verdict(
    case: str, tmp_path: Path, children: list[subprocess.Popen[bytes]]
) -> None:
    text = DECLINED[case](TEXT)
    for catalog in read_in_shares(tmp_path / "index", text):
        assert catalog is None
    assert all(child.poll() is not None for child in children)  # any started, stopped
    assert list((tmp_path / "index").glob("*")) == []  # and nothing of theirs left (if they started)
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    settings = Settings(catalog=path, index_dir=tmp_path / "index", max_programs=LIMIT)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        whole = load_catalog(path, max_programs=LIMIT)
    except CatalogError as refused:
        with pytest.raises(CatalogError) as loading:
            load_file(settings, engine)
        assert loading.value.errors == refused.errors
        assert case != "a line in a quoted value that starts like an entry"
    else:  # valid read whole: loaded the usual way
        assert case == "a line in a quoted value that starts like an entry"
        load_file(settings, engine)
        assert [p.id for p in read_programs(engine)] == sorted(p.id for p in whole.programs)
