"""The index on disk: its Whoosh schema, and one folder per catalog version, built whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from app.scoring import FIELD_BOOSTS, STEM, WORD_RE

if TYPE_CHECKING:
    from app.search import Document

SCHEMA_VERSION = "2"  # bump when the schema or analysis changes, so old on-disk indexes are not reused
# The words as typed (for typo tolerance and respelling) are kept beside the index in WORDS_FILE, not in it:
# indexing them as a field doubled the time to build the index.
WORDS_FILE = "words.json"
SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    **{name: TEXT(analyzer=STEM, phrase=False, field_boost=boost) for name, boost in FIELD_BOOSTS.items()},
)


def _exact_text(d: Document) -> str:
    return " ".join((d.name, *d.aliases, d.summary, d.description, d.sponsor, *d.tags, d.extra))


def exact_words(documents: Sequence[Document]) -> dict[str, int]:
    """Every word of the programs' text as typed (lowercased, not stemmed), with how many programs use it."""
    counts: Counter[str] = Counter()
    for d in documents:
        counts.update({w.lower() for w in WORD_RE.findall(_exact_text(d))})
    return dict(counts)


def build_if_missing(directory: Path, version: str, documents: Sequence[Document]) -> Path:
    """This version's index folder in `directory`, built first (in a scratch folder, then renamed) if missing."""
    target = directory / f"v{SCHEMA_VERSION}-{version}"
    if not index.exists_in(str(target)):
        directory.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
        try:
            ix = index.create_in(str(tmp), SCHEMA)
            writer = ix.writer(limitmb=128)
            for d in documents:
                writer.add_document(
                    id=d.id,
                    name=d.name,
                    aliases=" ".join(d.aliases),
                    summary=d.summary,
                    description=d.description,
                    sponsor=d.sponsor,
                    tags=" ".join(d.tags),
                    extra=d.extra,
                )
            writer.commit()
            ix.close()
            (tmp / WORDS_FILE).write_bytes(orjson.dumps(exact_words(documents)))
            os.rename(tmp, target)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not index.exists_in(str(target)):  # not a lost race with another process: a real failure
                raise
    os.utime(target)
    return target
