"""The index on disk: its Whoosh schema, and one folder per catalog version, built whole or not at all.

The folder is a standard Whoosh index (opened with `whoosh.index.open_dir`), written through Whoosh's codec
(`whooshio.write_segment`) rather than `IndexWriter.add_document`: that writer analyses every word into token
objects, pickles each posting to a temporary pool and sorts it back (~750 documents/s here). Counting terms with
`term_frequencies` and handing the codec each term's postings in order writes the same segment (checked posting by
posting against Whoosh's own writer in tests/test_indexdir.py) about 6x faster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from whoosh.fields import STORED, TEXT, Schema

from app.search import whooshio
from app.search.columns import Columns
from app.search.scoring import FIELD_BOOSTS, STEM, WORD_RE, term_frequencies
from app.search.whooshio import FlatPostings, Segment

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


def write_segment(folder: Path, rows: Sequence[Row]) -> tuple[Segment, dict[str, int]]:
    """Write `rows` (docnum = position) as one compound Whoosh segment into the empty folder `folder`.

    Returns the segment (for a TOC) and every word of the rows' text as typed (lowercased), with how many
    programs use it, for WORDS_FILE.
    """
    with SegmentWriter(folder) as writer:
        writer.add(rows)
        return writer.finish()


class SegmentWriter:
    """One compound Whoosh segment written into the empty folder `folder`, rows added a batch at a time (each
    batch's words are counted and let go: a child indexing its share as the parent reads the file holds no text)
    and the postings written by `finish`."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._text_fields = sorted(FIELD_BOOSTS)
        self._postings: dict[str, dict[str, FlatPostings]] = {name: {} for name in self._text_fields}
        self._lengths: dict[str, list[int]] = {name: [] for name in self._text_fields}
        self._words: Counter[str] = Counter()
        self._ids: list[str] = []  # docnum -> program id

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass  # nothing is open before `finish`, which closes what it opens

    def add(self, rows: Iterable[Row]) -> None:
        """The next programs, docnums following on."""
        postings, lengths, words = self._postings, self._lengths, self._words
        for program_id, texts in rows:
            docnum = len(self._ids)
            self._ids.append(program_id)
            typed: set[str] = set()
            for name in self._text_fields:
                raw = Counter(WORD_RE.findall(texts[name]))
                typed.update(map(str.lower, raw))
                counts = term_frequencies(raw)
                terms = postings[name]
                for term, freq in counts.items():
                    found = terms.get(term)
                    if found is None:
                        terms[term] = [docnum, freq]
                    else:
                        found += (docnum, freq)
                lengths[name].append(sum(counts.values()))
            words.update(typed)

    def finish(self) -> tuple[Segment, dict[str, int]]:
        """Write the segment: the segment (for a TOC) and every word of the rows' text as typed (lowercased), with
        how many programs use it, for WORDS_FILE."""
        segment = whooshio.write_segment(self._folder, SCHEMA, self._ids, self._postings, self._lengths)
        return segment, dict(self._words)


def write_index(
    folder: Path, segments: Sequence[Segment], words: Mapping[str, int], ids: Sequence[str], columns: Columns
) -> None:
    """Make `folder`, holding these segments' files, an index of them in this order, with its WORDS_FILE, IDS_FILE
    (`ids`: the segments' program ids, in docnum order) and the programs' columns."""
    columns.save(folder)
    (folder / WORDS_FILE).write_bytes(orjson.dumps(words))
    (folder / IDS_FILE).write_bytes(orjson.dumps(list(ids)))
    whooshio.write_toc(folder, SCHEMA, segments)


def folder_for(directory: Path, version: str) -> Path:
    return directory / f"v{SCHEMA_VERSION}-{version}"
