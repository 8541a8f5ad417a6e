"""Every touch of Whoosh's private codec and matchers: writing a segment whole, and reading a term's postings and a
field's lengths a block or a column at a time.

Whoosh's own writer and matchers go a posting or a document per Python call; these do the same work over arrays
and write and read exactly what Whoosh's would. They are tied to whoosh-reloaded 2.7.5's W3 codec, which is pinned:
tests/test_indexdir.py compares the written index with Whoosh's own writer's, posting by posting, and
tests/test_search.py every term's scores with Whoosh's matcher walk, so a release that changes them fails there.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.codec import whoosh3 as w3
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from app.search.vectors import Docnums, Vector

Segment = Any  # a whoosh.codec.whoosh3.W3Segment, listed in an index's TOC
FlatPostings = list[int]  # one term's postings as [docnum, frequency, docnum, frequency, ...], docnums ascending
LENGTH_OF_BYTE = np.array([w3.byte_to_length(b) for b in range(256)], dtype=np.int64)  # Whoosh's lossy field lengths
_LITTLE_ENDIAN = sys.byteorder == "little"
assert array("I").itemsize == 4 and pack_uint(1) == b"\x00\x00\x00\x01"


def write_segment(
    folder: Path,
    schema: Schema,
    ids: Sequence[str],
    postings: Mapping[str, Mapping[str, FlatPostings]],
    lengths: Mapping[str, Sequence[int]],
) -> Segment:
    """Write one compound segment into the empty folder `folder`: docnum n stores {"id": ids[n]}; each text field
    of `postings` (term -> postings) has `lengths[field][n]` terms in document n. Returns the segment, for a TOC."""
    storage = FileStorage(str(folder)).create()
    codec = w3.W3Codec()
    segment = codec.new_segment(storage, index._DEF_INDEX_NAME)
    per_doc = codec.per_document_writer(storage, segment)
    fields = codec.field_writer(storage, segment)
    try:
        _write_per_document(per_doc, ids, lengths)
        for name in sorted(postings):  # fields, then terms, in order: the order Whoosh's own writer uses
            field = schema[name]
            fields.start_field(name, field)
            # A posting carries its field's length as the segment stores it (one byte, lossy), as Whoosh's does.
            stored_length = [w3.byte_to_length(w3.length_to_byte(n)) for n in lengths[name]]
            boost = field.format.field_boost
            for term, flat in sorted(postings[name].items()):  # str order is UTF-8 byte order
                fields.start_term(term.encode())
                _add_postings(fields, flat, boost, stored_length)
                fields.finish_term()
            fields.finish_field()
    finally:
        for writer in (per_doc, fields):
            if not writer.is_closed:
                writer.close()
    segment.set_doc_count(len(ids))
    segment.create_compound_file(storage)
    storage.temp_storage(f"{index._DEF_INDEX_NAME}.tmp").destroy()  # the per-document writer's scratch
    return segment


def write_toc(folder: Path, schema: Schema, segments: Sequence[Segment]) -> None:
    """Make `folder`, holding these segments' files, an index of them in this order (generation 0)."""
    index.TOC(schema, list(segments), 0).write(FileStorage(str(folder)), index._DEF_INDEX_NAME)


def _write_per_document(per_doc: Any, ids: Sequence[str], lengths: Mapping[str, Sequence[int]]) -> None:
    """Each program's stored id and field lengths, a column at a time.

    `W3PerDocWriter.start_doc`, `add_field` and `finish_doc` for every program were a fifth of adding them; this
    writes columns a reader reads the same (each length as its byte, the stored fields pickled and compressed per
    program; where Whoosh leaves out the zero lengths at the end of a column, they are written) and the same totals.
    """
    stored = per_doc._get_column("_stored")
    for docnum, program_id in enumerate(ids):
        stored.add(docnum, {"id": program_id})
    for name, counts in sorted(lengths.items()):
        if any(counts):
            per_doc._create_column(w3._lenfield(name), w3.LENGTHS_COLUMN)
            column = per_doc._get_column(w3._lenfield(name))
            column._dbfile.write(bytes(map(w3.length_to_byte, counts)))
            column._count = len(counts)
            per_doc._fieldlengths[name] = sum(counts)
    per_doc._doccount = len(ids)
    per_doc.close()


def _add_postings(fields: Any, flat: FlatPostings, boost: float, stored_length: Sequence[int]) -> None:
    """One term's postings, a block at a time.

    `W3FieldWriter.add` checks and appends one posting per call, a third of the build; this fills the postings
    writer's block buffer whole, as those calls would leave it (same ids, weights, length/weight bounds, and the
    values as the bytes they are joined into), and lets it write the block.
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


def term_postings(searcher: Searcher, field_name: str, text: str) -> tuple[Docnums, Vector] | None:
    """A term's docnums (ascending) and weights over every segment, read a block at a time; None when a segment's
    postings cannot be read so (e.g. one with deletions, which ours never have): walk them with `walk_postings`.

    Walking a matcher costs a dozen Python calls a posting; this reads each block's docnums and weights whole.
    """
    ids: list[Docnums] = []
    weights: list[Vector] = []
    for reader, base in searcher.reader().leaf_readers():
        if (field_name, text) not in reader:
            continue
        matcher = reader.postings(field_name, text)
        if not isinstance(matcher, w3.W3LeafMatcher):
            return None
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.fromiter(matcher._ids, dtype=np.int64, count=len(matcher._ids)) + base)
            weights.append(np.fromiter(matcher._weights, dtype=np.float64, count=len(matcher._weights)))
            matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


def walk_postings(searcher: Searcher, field_name: str, text: str, score: Any) -> tuple[list[int], list[float]]:
    """A term's docnums and `score(matcher)` for each, by Whoosh's own matcher walk, posting by posting."""
    docs: list[int] = []
    scores: list[float] = []
    matcher = searcher.postings(field_name, text)
    while matcher.is_active():
        docs.append(matcher.id())
        scores.append(score(matcher))
        matcher.next()
    return docs, scores


def field_lengths(searcher: Searcher, field_name: str) -> Docnums:
    """Each document's length in one field, as `doc_field_length` gives it (0 for none), over every segment.

    Read as each segment's lengths column whole (one byte a document) rather than a reader call per document:
    100,000 programs have 700,000 field lengths.
    """
    return np.concatenate([_segment_lengths(r, field_name) for r, _ in searcher.reader().leaf_readers()])


def _segment_lengths(reader: Any, field_name: str) -> Docnums:
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    name = w3._lenfield(field_name)
    column = perdoc._cached_reader(name, w3.LENGTHS_COLUMN) if isinstance(perdoc, w3.W3PerDocReader) else None
    if column is None or not hasattr(column, "_dbfile"):
        return np.array([reader.doc_field_length(n, field_name, 0) or 0 for n in range(count)], dtype=np.int64)
    raw = np.zeros(count, dtype=np.uint8)  # documents past the column's end have the default, 0
    stored = min(count, column._count)
    raw[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
    return LENGTH_OF_BYTE[raw]
