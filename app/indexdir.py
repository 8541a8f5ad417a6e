"""The index on disk: its Whoosh schema, and one folder per catalog version, built whole or not at all.

The folder is a standard Whoosh index (opened with `whoosh.index.open_dir`), written through Whoosh's codec rather
than `IndexWriter.add_document`: that writer analyses every word into token objects, pickles each posting to a
temporary pool and sorts it back (~750 documents/s here). Counting terms with `term_frequencies` and handing the
codec each term's postings in order writes the same segment (checked posting by posting against Whoosh's own
writer in tests/test_indexdir.py) about 6x faster. A new catalog's index is written by child processes, one
segment each over consecutive programs, while the parent stores the catalog in SQL (`building_aside`).
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE
from typing import TYPE_CHECKING, Any

import orjson
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, byte_to_length, length_to_byte
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint

from app.scoring import FIELD_BOOSTS, STEM, WORD_RE, term_frequencies

if TYPE_CHECKING:
    from app.search import Document

log = logging.getLogger("mentordir")

ASIDE_PROCESSES = 2  # children writing a new catalog's index segments; the parent meanwhile stores it in SQL
ASIDE_MIN_PROGRAMS = 1000  # programs per child at least: starting a process costs ~0.15 s, indexing 1,000 ~0.2 s
ASIDE_MODULE = __name__  # what the children run (`python -m app.indexdir PART`)
SCHEMA_VERSION = "2"  # bump when the schema or analysis changes, so old on-disk indexes are not reused
# The words as typed (for typo tolerance and respelling) are kept beside the index in WORDS_FILE, not in it:
# indexing them as a field doubled the time to build the index.
WORDS_FILE = "words.json"
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


def write_index(folder: Path, segments: Sequence[Any], words: Mapping[str, int]) -> None:
    """Make `folder`, holding these segments' files, an index of them in this order, with its WORDS_FILE."""
    index.TOC(SCHEMA, list(segments), 0).write(FileStorage(str(folder)), index._DEF_INDEX_NAME)
    (folder / WORDS_FILE).write_bytes(orjson.dumps(words))


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


def _publish(scratch: Path, target: Path) -> None:
    """Rename a finished scratch folder into place; losing the race to another process's identical build is fine."""
    try:
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not index.exists_in(str(target)):  # not a lost race: a real failure
            raise


def build_if_missing(directory: Path, version: str, documents: Sequence[Document]) -> Path:
    """This version's index folder in `directory`, built first (in a scratch folder, then renamed) if missing."""
    target = folder_for(directory, version)
    _finish_aside(target)
    if not index.exists_in(str(target)):
        directory.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
        try:
            segment, words = write_segment(scratch, rows_of(documents))
            write_index(scratch, [segment], words)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        _publish(scratch, target)
    os.utime(target)
    return target


# --- building on the other cores while the caller stores the catalog -------------------------------------------


@dataclass
class _Aside:
    scratch: Path
    parts: list[Path]
    children: list[subprocess.Popen[bytes]]
    started: bool = False  # every child started: only then do their segments make the whole index


_aside: dict[Path, _Aside] = {}
_aside_lock = threading.Lock()


@contextmanager
def building_aside(
    directory: Path, version: str, count: int, documents: Callable[[], Sequence[Document]]
) -> Iterator[None]:
    """Within this block, child processes (`python -m app.indexdir`) build this version's index.

    Storing a new catalog in SQL and indexing it are independent, and each takes a second or more at 10,000
    programs. Each child writes one segment over a consecutive share of the programs, so docnums and scores are
    those of a single segment. `build_if_missing` for this version waits for them and assembles the index, or
    builds it in-process after all if a child failed: the children can only save time. The block waits on exit.
    `documents()` (`count` of them) is called only when children are started.
    """
    target = folder_for(directory, version)
    count = min(ASIDE_PROCESSES, count // ASIDE_MIN_PROGRAMS)
    if count < 1 or index.exists_in(str(target)):  # a small catalog is indexed in-process in milliseconds
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
    aside = _Aside(scratch, [], [])
    rows = rows_of(documents())
    try:
        for k in range(count):
            part = scratch / f"part-{k}"
            part.mkdir()
            share = rows[len(rows) * k // count : len(rows) * (k + 1) // count]
            (part / "rows.pickle").write_bytes(pickle.dumps(share, protocol=pickle.HIGHEST_PROTOCOL))
            command = [sys.executable, "-m", ASIDE_MODULE, str(part)]
            aside.children.append(subprocess.Popen(command, stdin=DEVNULL, stdout=DEVNULL, stderr=PIPE))
            aside.parts.append(part)
        aside.started = True
    except OSError as exc:
        log.warning("could not start building the index aside (%s); building it in this process", exc)
    with _aside_lock:
        _aside[target] = aside
    try:
        yield
    finally:
        _finish_aside(target)


def _finish_aside(target: Path) -> None:
    """Wait for the children building `target`, if any, and put their segments together as the index."""
    with _aside_lock:
        aside = _aside.pop(target, None)
    if aside is None:
        return
    try:
        failures = []
        for child in aside.children:
            _, stderr = child.communicate()
            if child.returncode:
                failures.append(stderr.decode(errors="replace").strip().splitlines()[-1:] or [str(child.returncode)])
        if failures or not aside.started:
            if failures:
                log.warning("building the index aside failed (%s); building it in this process", failures[0][0])
            return
        segments, words = [], Counter[str]()
        for part in aside.parts:
            segment, part_words = pickle.loads((part / "segment.pickle").read_bytes())  # our own child's output
            segments.append(segment)
            words.update(part_words)
            for file in part.glob("*.seg"):
                file.rename(aside.scratch / file.name)
            shutil.rmtree(part)
        write_index(aside.scratch, segments, words)
        _publish(aside.scratch, target)
    finally:
        shutil.rmtree(aside.scratch, ignore_errors=True)


def _main(argv: Sequence[str]) -> int:
    """A child of `building_aside`: write the rows in PART/rows.pickle as a segment in PART, and what it wrote
    (the segment and the words) to PART/segment.pickle."""
    gc.disable()  # a short-lived process making objects that all live until it exits (see live.gc_paused)
    part = Path(argv[0])
    rows = pickle.loads((part / "rows.pickle").read_bytes())  # written by our own parent process
    (part / "rows.pickle").unlink()
    result = write_segment(part, rows)
    (part / "segment.pickle").write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
