"""The index on disk: its Whoosh schema, and one folder per catalog version, built whole or not at all.

The folder is a standard Whoosh index (opened with `whoosh.index.open_dir`), written through Whoosh's codec rather
than `IndexWriter.add_document`: that writer analyses every word into token objects, pickles each posting to a
temporary pool and sorts it back (~750 documents/s here). Counting terms with `term_frequencies` and handing the
codec each term's postings in order writes the same segment (checked posting by posting against Whoosh's own
writer in tests/test_indexdir.py) about 6x faster.
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, byte_to_length, length_to_byte
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint

from app.search.columns import Columns
from app.search.scoring import FIELD_BOOSTS, STEM, WORD_RE, term_frequencies

if TYPE_CHECKING:
    from app.search.query import Document

log = logging.getLogger("mentordir")
SCHEMA_VERSION = "3"  # bump when the folder's contents or the analysis change, so old folders are not reused
# The words as typed (for typo tolerance and respelling) are kept beside the index in WORDS_FILE, not in it:
# indexing them as a field doubled the time to build the index.
WORDS_FILE = "words.json"
# Each docnum's program id, in order: reading them from the stored fields costs a decompression per program at
# every start (1.5 s at 100,000). An index without the file (written before it existed) is read the slow way.
IDS_FILE = "ids.json"
SCHEMA = Schema(
    id=ID(stored=True, unique=True),
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
    storage = FileStorage(str(folder)).create()
    codec = W3Codec()
    segment = codec.new_segment(storage, index._DEF_INDEX_NAME)
    per_doc = codec.per_document_writer(storage, segment)
    fields = codec.field_writer(storage, segment)
    try:
        words = _write(rows, per_doc, fields)
    finally:  # on failure too: no file left open
        if not per_doc.is_closed:
            per_doc.close()
        if not fields.is_closed:
            fields.close()
    segment.set_doc_count(len(rows))
    segment.create_compound_file(storage)
    storage.temp_storage(f"{index._DEF_INDEX_NAME}.tmp").destroy()  # the per-document writer's scratch folder
    return segment, words


def write_index(
    folder: Path, segments: Sequence[Any], words: Mapping[str, int], ids: Sequence[str], columns: Columns
) -> None:
    """Make `folder`, holding these segments' files, an index of them in this order, with its WORDS_FILE, IDS_FILE
    (`ids`: the segments' program ids, in docnum order) and the programs' columns."""
    columns.save(folder)
    (folder / WORDS_FILE).write_bytes(orjson.dumps(words))
    (folder / IDS_FILE).write_bytes(orjson.dumps(list(ids)))
    index.TOC(SCHEMA, list(segments), 0).write(FileStorage(str(folder)), index._DEF_INDEX_NAME)


def _write(rows: Sequence[Row], per_doc: Any, fields: Any) -> dict[str, int]:
    text_fields = sorted(FIELD_BOOSTS)
    postings: dict[str, dict[str, list[int]]] = {name: {} for name in text_fields}  # term -> [docnum, freq, ...]
    lengths: dict[str, list[int]] = {name: [] for name in text_fields}
    words: Counter[str] = Counter()
    id_field = SCHEMA["id"]
    for docnum, (program_id, texts) in enumerate(rows):
        per_doc.start_doc(docnum)
        per_doc.add_field("id", id_field, program_id, 0)
        typed: set[str] = set()
        for name in text_fields:
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
            length = sum(counts.values())
            lengths[name].append(length)
            per_doc.add_field(name, SCHEMA[name], None, length)
        per_doc.finish_doc()
        words.update(typed)
    per_doc.close()

    for name in sorted(SCHEMA.names()):  # fields, then terms, in order: the order Whoosh's own writer uses
        field = SCHEMA[name]
        fields.start_field(name, field)
        if name == "id":
            for docnum, (program_id, _) in sorted(enumerate(rows), key=lambda pair: pair[1][0]):
                fields.start_term(program_id.encode())
                fields.add(docnum, 1.0, b"", 0)
                fields.finish_term()
        else:
            # A posting carries its field's length as the segment stores it (one byte, lossy), as Whoosh's does.
            stored_length = [byte_to_length(length_to_byte(n)) for n in lengths[name]]
            boost = field.format.field_boost
            for term, flat in sorted(postings[name].items()):  # str order is UTF-8 byte order
                fields.start_term(term.encode())
                _add_postings(fields, flat, boost, stored_length)
                fields.finish_term()
        fields.finish_field()
    fields.close()
    return dict(words)


def _add_postings(fields: Any, flat: list[int], boost: float, stored_length: list[int]) -> None:
    """One term's postings ([docnum, freq, ...], docnums ascending), a block at a time.

    `W3FieldWriter.add` checks and appends one posting per call, a third of the build; this fills the postings
    writer's block buffer whole, as those calls would leave it (same ids, weights, values and length/weight
    bounds), and lets it write the block. Tied to whoosh-reloaded 2.7.5's W3PostingsWriter, which is pinned; the
    equivalence test fails if a release changes it.
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
        writer._values = [pack_uint(f) for f in freqs]
        writer._minlength = min(block_lengths)
        writer._maxlength = max(block_lengths)
        writer._maxweight = max(weights)


def folder_for(directory: Path, version: str) -> Path:
    return directory / f"v{SCHEMA_VERSION}-{version}"
