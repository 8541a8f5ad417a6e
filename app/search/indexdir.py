"""The index on disk: its Whoosh schema, and one folder per catalog version, built whole or not at all.

The folder is a standard Whoosh index (opened with `whoosh.index.open_dir`), written through Whoosh's codec
(`whooshio.write_segment`) rather than `IndexWriter.add_document`: that writer analyses every word into token
objects, pickles each posting to a temporary pool and sorts it back (~750 documents/s here). `FolderWriter`
counts the terms of a batch of documents with arrays and hands the codec each term's postings in order: the same
segment (checked posting by posting against Whoosh's own writer in tests/search/test_indexdir.py), many times faster.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson
from whoosh.fields import STORED, TEXT, Schema

from app.search import whooshio
from app.search.columns import Columns
from app.search.scoring import FIELD_BOOSTS, STEM, WORD_RE, term_of
from app.search.whooshio import FieldPostings, Ints

if TYPE_CHECKING:
    from app.search.query import Document

SCHEMA_VERSION = "4"  # bump when the folder's contents or the analysis change, so old folders are not reused
# The words as typed (for typo tolerance and respelling) are kept beside the index in WORDS_FILE, not in it:
# indexing them as a field doubled the time to build the index.
WORDS_FILE = "words.json"
# Each docnum's program id, in order: reading them from the stored fields costs a decompression per program at
# every start (1.5 s at 100,000). An index without the file (written before it existed) is read the slow way.
IDS_FILE = "ids.json"
SCHEMA = Schema(
    # Each document's program id is stored (the ids file is checked against it) but not indexed: nothing searches
    # by id, and its 100,000 one-posting terms took a tenth of the time to build the index.
    id=STORED(),
    **{name: TEXT(analyzer=STEM, phrase=False, field_boost=boost) for name, boost in FIELD_BOOSTS.items()},
)
TEXT_FIELDS = sorted(FIELD_BOOSTS)


Row = tuple[str, dict[str, str]]  # a program's id and the text of each indexed field


def rows_of(documents: Sequence[Document]) -> list[Row]:
    """What the index writer needs of each program: its id and each indexed field's text."""
    return [
        (
            d.id,
            {
                "name": d.name,
                "aliases": " ".join(d.aliases),
                "summary": d.summary,
                "description": d.description,
                "sponsor": d.sponsor,
                "tags": " ".join(d.tags),
                "extra": d.extra,
            },
        )
        for d in documents
    ]


class Vocabulary(dict[str, int]):
    """Each word as written (WORD_RE's) -> its number, given on first sight with its index term's number (-1 for
    a stop word) and its lowercased form's: a batch's words become arrays of numbers in one C-level pass."""

    def __init__(self) -> None:
        super().__init__()
        self.term_of: list[int] = []  # word number -> term number, or -1
        self.lower_of: list[int] = []  # word number -> lowercased word number
        self.terms: Numbering = Numbering()
        self.lowered: Numbering = Numbering()

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self.term_of)
        term = term_of(word)
        self.term_of.append(-1 if term is None else self.terms[term])
        self.lower_of.append(self.lowered[word.lower()])
        return number


class Numbering(dict[str, int]):
    """Each key -> its number, in order of first sight."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number


@dataclass
class Counted:
    """A batch of programs' postings (`count`): per field, the term (its position in `terms`), docnum in the batch
    and frequency of each, sorted by term then docnum, and each program's length; each lowercased word's programs."""

    ids: list[str]
    terms: list[str]
    fields: dict[str, tuple[Ints, Ints, Ints, Ints]]
    words: list[str]
    word_docs: Ints


def count(rows: Sequence[Row]) -> Counted:
    """The postings of these programs: a pure function of their texts, so that a pool of processes can count
    batches while the serving process makes the next ones."""
    vocabulary = Vocabulary()
    n = len(rows)
    fields: dict[str, tuple[Ints, Ints, Ints, Ints]] = {}
    typed = [np.zeros(0, np.int64)]  # (lowercased word number, docnum) of every word, each field's, as one number
    for name in TEXT_FIELDS:
        words, docs = _numbered(vocabulary, [texts[name] for _, texts in rows])
        terms = np.asarray(vocabulary.term_of, dtype=np.int64)[words]
        kept = terms >= 0
        keys, freqs = np.unique(terms[kept] * n + docs[kept], return_counts=True)
        lengths = np.bincount(docs[kept], minlength=n)
        fields[name] = ((keys // n).astype(np.int32), (keys % n).astype(np.int32), freqs.astype(np.int32), lengths)
        typed.append(np.asarray(vocabulary.lower_of, dtype=np.int64)[words] * n + docs)
    used = np.unique(np.concatenate(typed)) // max(n, 1)
    word_docs = np.bincount(used, minlength=len(vocabulary.lowered))
    return Counted([pid for pid, _ in rows], list(vocabulary.terms), fields, list(vocabulary.lowered), word_docs)


def _numbered(vocabulary: Vocabulary, texts: Sequence[str]) -> tuple[Ints, Ints]:
    """Every word of these texts as its number, and the text (its position) each comes from."""
    found = [WORD_RE.findall(text) for text in texts]
    sizes = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    words = itertools.chain.from_iterable(found)
    return np.fromiter(map(vocabulary.__getitem__, words), np.int64, int(sizes.sum())), np.repeat(
        np.arange(len(texts)), sizes
    )


class FolderWriter:
    """A whole index folder written into the empty folder `folder`: batches of programs added as they are counted
    (their postings held as arrays), then the segment, the words and ids files and columns by `finish`."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._terms = Numbering()
        self._words = Numbering()
        # Per field, each batch's postings as three arrays (term numbers, docnums, frequencies), sorted by term then
        # docnum: kept as three lists so that each is let go once joined (the peak of a large build)
        self._batches: dict[str, tuple[list[Ints], list[Ints], list[Ints]]] = {n: ([], [], []) for n in TEXT_FIELDS}
        self._lengths: dict[str, list[Ints]] = {name: [] for name in TEXT_FIELDS}
        self._word_docs = np.zeros(0, dtype=np.int64)  # lowercased word number -> programs using it
        self._ids: list[str] = []  # docnum -> program id

    def add(self, counted: Counted) -> None:
        """The next batch of programs, docnums following on."""
        base = len(self._ids)
        self._ids += counted.ids
        numbers = np.fromiter(map(self._terms.__getitem__, counted.terms), np.int32, len(counted.terms))
        for name, (terms, docs, freqs, lengths) in counted.fields.items():
            for held, part in zip(self._batches[name], (numbers[terms], docs + base, freqs), strict=True):
                held.append(part)
            self._lengths[name].append(lengths)
        words = np.fromiter(map(self._words.__getitem__, counted.words), np.int64, len(counted.words))
        grown = np.zeros(len(self._words), dtype=np.int64)
        grown[: len(self._word_docs)] = self._word_docs
        grown[words] += counted.word_docs
        self._word_docs = grown

    def finish(self, columns: Columns) -> dict[str, int]:
        """Write the index; returns every word of the rows' text as typed (lowercased), with how many programs use
        it (what WORDS_FILE holds)."""
        lengths = {name: np.concatenate(parts or [np.zeros(0, np.int64)]) for name, parts in self._lengths.items()}
        segment = whooshio.write_segment(self._folder, SCHEMA, self._ids, self._postings(), lengths)
        words = dict(zip(self._words, self._word_docs.tolist(), strict=True))
        columns.save(self._folder)
        (self._folder / WORDS_FILE).write_bytes(orjson.dumps(words))
        (self._folder / IDS_FILE).write_bytes(orjson.dumps(self._ids))
        whooshio.write_toc(self._folder, SCHEMA, segment)
        return words

    def _postings(self) -> Iterable[tuple[str, FieldPostings]]:
        """Each field's postings, one field at a time."""
        names = list(self._terms)
        for name in TEXT_FIELDS:
            yield name, self._field_postings(self._batches.pop(name), names)

    @staticmethod
    def _field_postings(batches: tuple[list[Ints], list[Ints], list[Ints]], names: list[str]) -> FieldPostings:
        def joined(parts: list[Ints]) -> Ints:
            whole = np.concatenate(parts) if parts else np.zeros(0, np.int32)
            parts.clear()
            return whole

        terms = joined(batches[0])
        order = np.argsort(terms, kind="stable")  # batches come in docnum order: each term's docnums stay ascending
        terms = terms[order]
        docs, freqs = joined(batches[1])[order], joined(batches[2])[order]
        del order
        starts = np.flatnonzero(np.diff(terms, prepend=-1)).tolist()
        ends = [*starts[1:], len(terms)] if starts else []
        # str order is UTF-8 byte order, Whoosh's
        return sorted((names[terms[s]], s, e) for s, e in zip(starts, ends, strict=True)), docs, freqs


def folder_for(directory: Path, version: str) -> Path:
    return directory / f"v{SCHEMA_VERSION}-{version}"
