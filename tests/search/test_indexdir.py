"""The index writer: the folder it writes is the index Whoosh's own writer makes of the same programs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index

from app.catalog.problems import CatalogError
from app.catalog.validate import load_catalog, validate
from app.config import SYNONYMS, Settings
from app.live.loading import load_file
from app.live.snapshot import Documents
from app.search.analysis import STEM, WORD_RE, Synonyms, term_of
from app.search.build import build_if_missing
from app.search.columns import ColumnsBuilder
from app.search.index import SearchIndex
from app.search.indexdir import SCHEMA, WORDS_FILE, FolderWriter, count, rows_of
from app.search.query import Document, SearchQuery
from app.store.db import StoredProgram, make_engine
from bench.generate import generate
from tests.support.app import FIXTURE_CATALOG

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ODD_TEXT = "Ärzte’s İstanbul ﬁnance co-operation U.S.A. 3.14 mentor*ship The THE and_or x" + " mentoring" * 300


def exact_words(documents: list[Document]) -> dict[str, int]:
    """The reference for WORDS_FILE: every word of each program's text as typed, lowercased, with its programs."""
    counts: Counter[str] = Counter()
    for d in documents:
        text = " ".join((d.name, *d.aliases, d.summary, d.description, d.sponsor, *d.tags, d.extra))
        counts.update({w.lower() for w in WORD_RE.findall(text)})
    return dict(counts)


def whoosh_writer(folder: Path, documents: list[Document]) -> None:
    """The reference: Whoosh's IndexWriter, analysing each field with the schema's analyzer."""
    ix = index.create_in(str(folder), SCHEMA)
    writer = ix.writer()
    for program_id, texts in rows_of(documents):
        writer.add_document(id=program_id, **texts)
    writer.commit()
    ix.close()


def everything(folder: Path) -> dict[str, object]:
    """All an index holds that a search can read: terms with their statistics and postings, lengths, stored ids."""
    ix = index.open_dir(str(folder), readonly=True)
    with ix.reader() as r:
        out: dict[str, object] = {
            "docs": r.doc_count_all(),
            "stored": list(r.all_stored_fields()),
            "field_lengths": {f: r.field_length(f) for f in SCHEMA.names()},
            "doc_lengths": [[r.doc_field_length(n, f) for f in SCHEMA.names()] for n in range(r.doc_count_all())],
        }
        terms = []
        for fieldname, text in r.all_terms():
            info = r.term_info(fieldname, text)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
            postings = list(r.postings(fieldname, text).items_as("weight"))
            terms.append((fieldname, text, stats, (info.min_id(), info.max_id()), postings))
        out["terms"] = terms
    ix.close()
    return out


def documents_of(text: str) -> list[Document]:
    return [Document.from_record(p.record, updated_at=WHEN) for p in validate(text).programs]


@pytest.mark.parametrize("source", ["fixture", pytest.param("generated", marks=pytest.mark.slow), "odd"])
def test_written_index_is_whooshs_own(source: str, tmp_path: Path) -> None:
    if source == "fixture":
        documents = [Document.from_record(p.record, updated_at=WHEN) for p in load_catalog(FIXTURE_CATALOG).programs]
    else:
        # 400 generated programs: common terms span several 128-posting blocks
        documents = documents_of(generate(400, seed=3))
        if source == "odd":  # Unicode case folding, stop words in capitals, dotted words, one word 300 times, blanks
            documents = [
                dataclasses.replace(d, description=ODD_TEXT if n % 3 == 0 else d.description, aliases=(), tags=())
                for n, d in enumerate(documents)
            ]
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "ours").mkdir()
    whoosh_writer(tmp_path / "whoosh", documents)
    writer = FolderWriter(tmp_path / "ours")
    writer.add(count(rows_of(documents[:150])))  # batches, numbered apart, make one index
    writer.add(count(rows_of(documents[150:])))
    columns = ColumnsBuilder()
    columns.add(documents)
    words = writer.finish(columns.finish())
    theirs, ours = everything(tmp_path / "whoosh"), everything(tmp_path / "ours")
    assert len(ours["terms"]) > 100  # type: ignore[arg-type]
    assert ours == theirs
    assert words == exact_words(documents)
    assert not (tmp_path / "ours" / "MAIN.tmp").exists()  # no scratch folder left behind


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_term_of_each_word_is_the_analyzers(text: str) -> None:
    expected: dict[str, int] = {}
    for token in STEM(text):
        expected[token.text] = expected.get(token.text, 0) + 1
    assert Counter(t for w in WORD_RE.findall(text) if (t := term_of(w)) is not None) == expected


def test_batches_counted_by_a_pool_make_the_same_index(tmp_path: Path) -> None:
    documents = documents_of(generate(120, seed=4))
    here = build_if_missing(tmp_path / "here", "v", lambda: documents, batch=25, parallel_after=99)
    pooled = build_if_missing(tmp_path / "pool", "v", lambda: documents, batch=25, parallel_after=1)
    assert everything(pooled) == everything(here)
    assert (pooled / WORDS_FILE).read_bytes() == (here / WORDS_FILE).read_bytes()


def test_build_if_missing_reuses_the_folder_of_a_version(tmp_path: Path) -> None:
    documents = documents_of(generate(20, seed=5))
    first = build_if_missing(tmp_path, "abc", lambda: documents)
    segment = next(first.glob("*.seg"))
    again = build_if_missing(tmp_path, "abc", lambda: documents)
    assert again == first
    assert next(again.glob("*.seg")).stat().st_mtime_ns == segment.stat().st_mtime_ns  # not rewritten
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no scratch folder left


def test_a_refused_file_leaves_no_index_folder(tmp_path: Path) -> None:
    text = generate(30, seed=9)
    first = text.index("\n- id: ")
    first_entry = text[first : text.index("\n- id: ", first + 1)]
    (tmp_path / "catalog.yaml").write_text(text + first_entry.lstrip("\n") + "\n", encoding="utf-8")
    duplicate = first_entry.split("\n")[1].removeprefix("- id: ")
    settings = Settings(catalog=tmp_path / "catalog.yaml", index_dir=tmp_path / "index")
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with pytest.raises(CatalogError, match=f"duplicate id '{duplicate}'"):
        load_file(settings, engine)
    assert not (tmp_path / "index").exists() or list((tmp_path / "index").iterdir()) == []


def test_opening_an_index_reads_no_record_and_a_search_only_its_page(tmp_path: Path) -> None:
    """A warm start opens the index from its folder (ids, words, columns) without making a single program's
    Document; a search makes those of the hits it highlights. The answers are those of documents made up front."""
    documents = documents_of(generate(60, seed=13))
    build_if_missing(tmp_path, "v1", lambda: list(reversed(documents)))  # docnums not in the documents' order
    asked: list[str] = []

    class Counted(dict[str, Document]):
        def __getitem__(self, program_id: str) -> Document:
            asked.append(program_id)
            return super().__getitem__(program_id)

    counted, updated = Counted((d.id, d) for d in documents), {d.id: d.updated_at for d in documents}
    lazy = SearchIndex.open_or_build(tmp_path, "v1", counted, Synonyms.load(SYNONYMS), updated=updated)
    eager = SearchIndex.open_or_build(tmp_path, "v1", documents, Synonyms.load(SYNONYMS))
    assert asked == []
    assert lazy.ids == eager.ids == [d.id for d in reversed(documents)]
    query = SearchQuery(text="mentoring", limit=5, filters={"format": frozenset({"virtual"})})
    result = lazy.search(query)
    assert result == eager.search(query)
    assert sorted(asked) == sorted(h.id for h in result.hits)  # the page's, to highlight them
    assert lazy.similar(documents[0].id) == eager.similar(documents[0].id)
    lazy.close()
    eager.close()


def test_a_snapshots_documents_let_go_of_its_programs_without_the_collector() -> None:
    """The documents' cache holds no reference back to them: a retired snapshot's 100,000 records are freed when
    it is dropped, not at the next full collection."""
    first = load_catalog(FIXTURE_CATALOG).programs[0]
    programs = {first.id: StoredProgram(first.id, first.raw, WHEN, WHEN)}
    before = sys.getrefcount(programs)
    documents = Documents(programs)
    assert documents[first.id].name == first.name
    del documents
    assert sys.getrefcount(programs) == before
