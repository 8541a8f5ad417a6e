"""Every touch of Whoosh's private codec and matchers: writing a segment whole, and reading a term's postings and a
field's lengths a block or a column at a time.

Whoosh's own writer and matchers go a posting or a document per Python call; these do the same work over arrays
and write and read exactly what Whoosh's would. They are tied to whoosh-reloaded 2.7.5's W3 codec, which is pinned:
tests/search/test_indexdir.py compares the written index with Whoosh's own writer's, posting by posting, and
tests/search/test_index.py every term's scores with Whoosh's matcher walk, so a release that changes them fails there.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import index
from whoosh.codec import whoosh3 as w3
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from app.search.vectors import Docnums, Vector

Segment = Any  # a whoosh.codec.whoosh3.W3Segment, listed in an index's TOC
Ints = npt.NDArray[np.integer[Any]]  # docnums, frequencies or field lengths
# A field's postings: each term (in order) with its span of the docnum and frequency arrays, docnums ascending in it
FieldPostings = tuple[list[tuple[str, int, int]], Ints, Ints]
LENGTH_OF_BYTE = np.array([w3.byte_to_length(b) for b in range(256)], dtype=np.int64)  # Whoosh's lossy field lengths
assert array("I").itemsize == 4 and pack_uint(1) == b"\x00\x00\x00\x01"


def write_segment(
    folder: Path,
    schema: Schema,
    ids: Sequence[str],
    postings: Iterable[tuple[str, FieldPostings]],
    lengths: Mapping[str, Ints],
) -> Segment:
    """Write one compound segment into the empty folder `folder`: docnum n stores {"id": ids[n]}; each text field
    has `lengths[field][n]` terms in document n, and `postings` gives each field (in name order) its postings.
    Returns the segment, for a TOC."""
    storage = FileStorage(str(folder)).create()
    codec = w3.W3Codec()
    segment = codec.new_segment(storage, index._DEF_INDEX_NAME)
    per_doc = codec.per_document_writer(storage, segment)
    fields = codec.field_writer(storage, segment)
    try:
        _write_per_document(per_doc, ids, lengths)
        for name, terms in postings:  # fields, then terms, in order: the order Whoosh's own writer uses
            field = schema[name]
            fields.start_field(name, field)
            fields._postwriter.__class__ = _BlockWriter
            # A posting carries its field's length as the segment stores it (one byte, lossy), as Whoosh's does.
            _write_field(fields, terms, field.format.field_boost, LENGTH_OF_BYTE[_length_bytes(lengths[name])])
            fields.finish_field()
            del terms  # before the next field's are made
    finally:
        for writer in (per_doc, fields):
            if not writer.is_closed:
                writer.close()
    segment.set_doc_count(len(ids))
    segment.create_compound_file(storage)
    storage.temp_storage(f"{index._DEF_INDEX_NAME}.tmp").destroy()  # the per-document writer's scratch
    return segment


def write_toc(folder: Path, schema: Schema, segment: Segment) -> None:
    """Make `folder`, holding this segment's files, an index of it (generation 0)."""
    index.TOC(schema, [segment], 0).write(FileStorage(str(folder)), index._DEF_INDEX_NAME)


def _length_bytes(lengths: Ints) -> npt.NDArray[np.uint8]:
    """Each field length as the byte Whoosh stores it (`length_to_byte`, lossy above 4), for all at once."""
    table = [w3.length_to_byte(n) for n in range(int(lengths.max(initial=0)) + 1)]
    return np.asarray(table, dtype=np.uint8)[lengths]


def _write_per_document(per_doc: Any, ids: Sequence[str], lengths: Mapping[str, Ints]) -> None:
    """Each program's stored id and field lengths, a column at a time.

    `W3PerDocWriter.start_doc`, `add_field` and `finish_doc` for every program were a fifth of adding them; this
    writes columns a reader reads the same (each length as its byte, the stored fields pickled and compressed per
    program; where Whoosh leaves out the zero lengths at the end of a column, they are written) and the same totals.
    """
    stored = per_doc._get_column("_stored")
    for docnum, program_id in enumerate(ids):
        stored.add(docnum, {"id": program_id})
    for name, counts in sorted(lengths.items()):
        if counts.any():
            per_doc._create_column(w3._lenfield(name), w3.LENGTHS_COLUMN)
            column = per_doc._get_column(w3._lenfield(name))
            column._dbfile.write(_length_bytes(counts).tobytes())
            column._count = len(counts)
            per_doc._fieldlengths[name] = int(counts.sum())
    per_doc._doccount = len(ids)
    per_doc.close()


class _BlockWriter(w3.W3PostingsWriter):  # type: ignore[misc]
    """Whoosh's postings writer, handed each block's minified ids and weights (worked out for a whole field with
    arrays) instead of working them out a posting at a time."""

    _deltas: tuple[int, ...]
    _mini: float | tuple[float, ...] | None

    def _mini_ids(self) -> tuple[int, ...]:
        return self._deltas

    def _mini_weights(self) -> float | tuple[float, ...] | None:
        return self._mini


def _write_field(fields: Any, postings: FieldPostings, boost: float, stored_length: Ints) -> None:
    """A field's terms, their postings a block at a time.

    `W3FieldWriter.add` checks and appends one posting per call, a third of the build; this fills the postings
    writer's block buffer whole, as those calls would leave it (same ids, weights, length/weight bounds, the values
    as the bytes they are joined into, and the delta-coded ids and minified weights `_write_block` pickles).
    """
    spans, docnums, freqs = postings
    writer = fields._postwriter
    limit = writer._blocklimit
    firsts = np.array(sorted(b for _, start, end in spans for b in range(start, end, limit)), dtype=np.int64)
    if not len(firsts):
        return
    weights = (freqs * boost).astype(np.float32)  # exact: small whole numbers times 0.5 to 6
    docnums = docnums.astype(np.int32, copy=False)  # as its 4-byte ids: docnums are far below 2**31
    ids, floats = docnums.tobytes(), weights.tobytes()
    values = freqs.astype(">u4").tobytes()  # each a frequency as 4 big-endian bytes (`pack_uint`)
    deltas = docnums.copy()
    deltas[1:] -= docnums[:-1]
    deltas[firsts] = docnums[firsts]  # each block's first id is coded from 0
    lengths = stored_length.astype(np.int32)[docnums]
    bounds = zip(
        np.minimum.reduceat(lengths, firsts).tolist(),
        np.maximum.reduceat(lengths, firsts).tolist(),
        np.maximum.reduceat(weights, firsts).tolist(),
        (np.minimum.reduceat(weights, firsts) == np.maximum.reduceat(weights, firsts)).tolist(),
        strict=True,
    )
    block = dict(zip(firsts.tolist(), bounds, strict=True))
    for term, start, end in spans:
        fields.start_term(term.encode())
        for first in range(start, end, limit):
            if first > start:
                writer._write_block()
            last = min(first + limit, end)
            writer._ids = array("I", ids[4 * first : 4 * last])
            writer._weights = array("f", floats[4 * first : 4 * last])
            writer._values = [values[4 * first : 4 * last]]
            writer._minlength, writer._maxlength, writer._maxweight, same = block[first]
            writer._deltas = tuple(deltas[first:last].tolist())
            writer._mini = (
                (None if writer._weights[0] == 1.0 else writer._weights[0]) if same else tuple(writer._weights)
            )
        fields.finish_term()


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
