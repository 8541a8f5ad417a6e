"""The index on disk: its Whoosh schema, and one folder per catalog version, built whole or not at all.

The folder is a standard Whoosh index (opened with `whoosh.index.open_dir`), written through Whoosh's codec rather
than `IndexWriter.add_document`: that writer analyses every word into token objects, pickles each posting to a
temporary pool and sorts it back (~750 documents/s here). Counting terms with `term_frequencies` and handing the
codec each term's postings in order writes the same segment (checked posting by posting against Whoosh's own
writer in tests/test_indexdir.py) about 6x faster.
"""

from __future__ import annotations

import logging
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from whoosh import index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, _lenfield, byte_to_length, length_to_byte
from whoosh.fields import STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint

from app.search.columns import Columns
from app.search.scoring import FIELD_BOOSTS, STEM, WORD_RE, term_frequencies

if TYPE_CHECKING:
    from app.search.query import Document

log = logging.getLogger("mentordir")
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


def write_segment(folder: Path, rows: Sequence[Row]) -> tuple[Any, dict[str, int]]:
    """Write `rows` (docnum = position) as one compound Whoosh segment into the empty folder `folder`.

    Returns the segment (for a TOC) and every word of the rows' text as typed (lowercased), with how many
    programs use it, for WORDS_FILE.
    """
    writer = SegmentWriter(folder)
    with writer:
        writer.add(rows)
        return writer.finish()


class SegmentWriter:
    """One compound Whoosh segment written into the empty folder `folder`, rows added a batch at a time (each
    batch's words are counted and let go: a child indexing its share as the parent reads the file holds no text)
    and the postings written by `finish`. Used as a context manager: no file is left open on failure."""

    def __init__(self, folder: Path) -> None:
        self._storage = FileStorage(str(folder)).create()
        codec = W3Codec()
        self._segment = codec.new_segment(self._storage, index._DEF_INDEX_NAME)
        self._per_doc = codec.per_document_writer(self._storage, self._segment)
        self._fields = codec.field_writer(self._storage, self._segment)
        self._text_fields = sorted(FIELD_BOOSTS)
        # term -> [docnum, freq, docnum, freq, ...], per field
        self._postings: dict[str, dict[str, list[int]]] = {name: {} for name in self._text_fields}
        self._lengths: dict[str, list[int]] = {name: [] for name in self._text_fields}
        self._words: Counter[str] = Counter()
        self._ids: list[str] = []  # docnum -> program id

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        for writer in (self._per_doc, self._fields):
            if not writer.is_closed:
                writer.close()

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

    def finish(self) -> tuple[Any, dict[str, int]]:
        """Write the postings and close the segment: the segment (for a TOC) and every word of the rows' text as
        typed (lowercased), with how many programs use it, for WORDS_FILE."""
        self._write_per_document()
        fields = self._fields
        for name in self._text_fields:  # fields, then terms, in order: the order Whoosh's own writer uses
            field = SCHEMA[name]
            fields.start_field(name, field)
            # A posting carries its field's length as the segment stores it (one byte, lossy), as Whoosh's does.
            stored_length = [byte_to_length(length_to_byte(n)) for n in self._lengths[name]]
            boost = field.format.field_boost
            for term, flat in sorted(self._postings[name].items()):  # str order is UTF-8 byte order
                fields.start_term(term.encode())
                _add_postings(fields, flat, boost, stored_length)
                fields.finish_term()
            fields.finish_field()
        fields.close()
        self._segment.set_doc_count(len(self._ids))
        self._segment.create_compound_file(self._storage)
        self._storage.temp_storage(f"{index._DEF_INDEX_NAME}.tmp").destroy()  # the per-document writer's scratch
        return self._segment, dict(self._words)

    def _write_per_document(self) -> None:
        """Each program's stored id and field lengths, a column at a time.

        `W3PerDocWriter.start_doc`, `add_field` and `finish_doc` for every program were a fifth of adding them;
        this writes columns a reader reads the same (each length as its byte, the stored fields pickled and
        compressed per program; where Whoosh leaves out the zero lengths at the end of a column, they are
        written) and the same totals. Tied to whoosh-reloaded 2.7.5's per-document writer, which is pinned; the
        equivalence test fails if a release changes it.
        """
        per_doc = self._per_doc
        stored = per_doc._get_column("_stored")
        for docnum, program_id in enumerate(self._ids):
            stored.add(docnum, {"id": program_id})
        for name in self._text_fields:
            lengths = self._lengths[name]
            if any(lengths):
                per_doc._create_column(_lenfield(name), LENGTHS_COLUMN)
                column = per_doc._get_column(_lenfield(name))
                column._dbfile.write(bytes(map(length_to_byte, lengths)))
                column._count = len(lengths)
                per_doc._fieldlengths[name] = sum(lengths)
        per_doc._doccount = len(self._ids)
        per_doc.close()


def write_index(
    folder: Path, segments: Sequence[Any], words: Mapping[str, int], ids: Sequence[str], columns: Columns
) -> None:
    """Make `folder`, holding these segments' files, an index of them in this order, with its WORDS_FILE, IDS_FILE
    (`ids`: the segments' program ids, in docnum order) and the programs' columns."""
    columns.save(folder)
    (folder / WORDS_FILE).write_bytes(orjson.dumps(words))
    (folder / IDS_FILE).write_bytes(orjson.dumps(list(ids)))
    index.TOC(SCHEMA, list(segments), 0).write(FileStorage(str(folder)), index._DEF_INDEX_NAME)


def _add_postings(fields: Any, flat: list[int], boost: float, stored_length: list[int]) -> None:
    """One term's postings ([docnum, freq, ...], docnums ascending), a block at a time.

    `W3FieldWriter.add` checks and appends one posting per call, a third of the build; this fills the postings
    writer's block buffer whole, as those calls would leave it (same ids, weights, length/weight bounds, and the
    values as the bytes they are joined into), and lets it write the block. Tied to whoosh-reloaded 2.7.5's
    W3PostingsWriter, which is pinned; the equivalence test fails if a release changes it.
    """
    writer = fields._postwriter
    limit = writer._blocklimit
    for start in range(0, len(flat), 2 * limit):
        if start:
            writer._write_block()
        docnums = flat[start : start + 2 * limit : 2]
        freqs = flat[start + 1 : start + 2 * limit : 2]
        weights = [f * boost for f in freqs]
        block_lengths = [stored_length[n] for n in docnums]
        writer._ids = array("I", docnums)
        writer._weights = array("f", weights)
        values = array("I", freqs)  # each value a frequency as 4 big-endian bytes (`pack_uint`), joined
        if _LITTLE_ENDIAN:
            values.byteswap()
        writer._values = [values.tobytes()]
        writer._minlength = min(block_lengths)
        writer._maxlength = max(block_lengths)
        writer._maxweight = max(weights)


_LITTLE_ENDIAN = sys.byteorder == "little"
assert array("I").itemsize == 4 and pack_uint(1) == b"\x00\x00\x00\x01"


def folder_for(directory: Path, version: str) -> Path:
    return directory / f"v{SCHEMA_VERSION}-{version}"
