"""The index writer: the folder it writes is the index Whoosh's own writer makes of the same programs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index

from app.catalog.models import Program
from app.catalog.problems import CatalogError
from app.catalog.validate import load_catalog, validate
from app.config import SYNONYMS, WORDFORMS, Settings
from app.live.loading import load_file
from app.live.snapshot import Documents
from app.search.build import Aside, build_if_missing
from app.search.columns import Columns
from app.search.index import SearchIndex
from app.search.indexdir import SCHEMA, folder_for, rows_of, write_index, write_segment
from app.search.query import Document, SearchQuery
from app.search.scoring import STEM, WORD_RE, Synonyms, term_frequencies
from app.store.db import StoredProgram, make_engine
from bench.generate import generate
from bench.queries import mix
from tests.conftest import FIXTURE_CATALOG
from tests.test_search import leaves_match_whooshs_scorer

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


@pytest.mark.parametrize("source", ["fixture", "generated", "odd"])
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
    segment, words = write_segment(tmp_path / "ours", rows_of(documents))
    write_index(tmp_path / "ours", [segment], words, [d.id for d in documents], Columns.of(documents))
    theirs, ours = everything(tmp_path / "whoosh"), everything(tmp_path / "ours")
    assert len(ours["terms"]) > 100  # type: ignore[arg-type]
    assert ours == theirs
    assert words == exact_words(documents)
    assert not (tmp_path / "ours" / "MAIN.tmp").exists()  # no scratch folder left behind


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_term_frequencies_are_the_analyzers(text: str) -> None:
    expected: dict[str, int] = {}
    for token in STEM(text):
        expected[token.text] = expected.get(token.text, 0) + 1
    assert term_frequencies(Counter(WORD_RE.findall(text))) == expected


def test_build_if_missing_reuses_the_folder_of_a_version(tmp_path: Path) -> None:
    documents = documents_of(generate(20, seed=5))
    first = build_if_missing(tmp_path, "abc", lambda: documents)
    segment = next(first.glob("*.seg"))
    again = build_if_missing(tmp_path, "abc", lambda: documents)
    assert again == first
    assert next(again.glob("*.seg")).stat().st_mtime_ns == segment.stat().st_mtime_ns  # not rewritten
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no scratch folder left


def aside_of(directory: Path, programs: list[Program], expected: int, version: str = "v1") -> Aside:
    """The children started on these programs, as a load hands them over while it reads the file."""
    aside = Aside(directory)
    aside.expect(expected)
    for program in programs:
        aside.take(program)
    return aside


def test_index_built_aside_in_segments_searches_as_one_built_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The children's segments (consecutive shares of the programs) give the same hits, scores and counts, whether
    the file listed as many entries as it seemed to or not."""
    monkeypatch.setattr("app.search.build.ASIDE_BATCH", 400)  # each share handed over in several batches
    programs = validate(generate(2500, seed=7)).programs
    documents = [Document.from_record(p.record, updated_at=WHEN) for p in programs]
    one = SearchIndex.open_or_build(tmp_path / "one", "v1", documents, Synonyms.load(SYNONYMS, WORDFORMS))
    queries = [m.query() for m in mix(150)] + [SearchQuery("mentoring"), SearchQuery("women leadership")]
    for expected in (2500, 2000, 5000):  # shares of 1,250 and 1,250, of 1,000 and 1,500, or all in the first
        directory = tmp_path / f"aside-{expected}"
        with aside_of(directory, programs, expected).finish("v1", len(programs)):
            pass  # the block waits for the children and assembles their segments
        aside = folder_for(directory, "v1")
        assert len(list(aside.glob("*.seg"))) == (1 if expected == 5000 else 2)  # one segment per child
        assert [p.name for p in directory.iterdir()] == [aside.name]  # no scratch left
        two = SearchIndex.open_or_build(directory, "v1", documents, Synonyms.load(SYNONYMS, WORDFORMS))
        assert two.spelling.words == one.spelling.words
        for q in queries:
            a, b = one.search(q), two.search(q)
            assert (b.total, b.hits, b.facets, b.suggestion, b.relaxed) == (
                a.total,
                a.hits,
                a.facets,
                a.suggestion,
                a.relaxed,
            )
        assert two.similar(documents[0].id) == one.similar(documents[0].id)
        columns = [Columns.load(folder_for(tmp_path / "one", "v1")), Columns.load(aside)]
        assert columns[0].exact == columns[1].exact and len(columns[0].exact) > 2500  # names and aliases
        for a, b in zip(dataclasses.astuple(columns[0])[1:4], dataclasses.astuple(columns[1])[1:4], strict=True):
            assert a.tolist() == b.tolist()
        for name, values in columns[0].facets.items():
            theirs = {v: d.tolist() for v, d in columns[1].facets[name].items()}
            assert {v: d.tolist() for v, d in values.items()} == theirs
        for built in (one, two):  # the ids file names each docnum's program as the stored fields do
            with built._searcher() as s:
                assert built.ids == [f["id"] for f in s.reader().all_stored_fields()]
        assert leaves_match_whooshs_scorer(two) > 1000  # over both segments, several blocks for common terms
        two.close()
    one.close()


def test_a_failed_child_falls_back_to_building_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    programs = validate(generate(2000, seed=9)).programs
    monkeypatch.setattr("app.search.build.ASIDE_MODULE", "app.no_such_module")
    with aside_of(tmp_path, programs, len(programs)).finish("v1", len(programs)):
        pass
    assert not folder_for(tmp_path, "v1").exists()  # the children failed: nothing published, nothing left over
    assert list(tmp_path.iterdir()) == []
    target = build_if_missing(tmp_path, "v1", lambda: documents_of_programs(programs))
    assert len(list(target.glob("*.seg"))) == 1


def documents_of_programs(programs: list[Program]) -> list[Document]:
    return [Document.from_record(p.record, updated_at=WHEN) for p in programs]


def test_a_refused_file_leaves_no_child_and_no_folder(tmp_path: Path) -> None:
    """A duplicate across the shares: the children reading them decline, the file is read whole, its indexing
    children start on the first programs meanwhile, the duplicate found at its end refuses it, and nothing any
    of them did is left: no process, no folder, no index."""
    text = generate(2400, seed=9)
    first = text.index("\n- id: ")
    first_entry = text[first : text.index("\n- id: ", first + 1)]
    (tmp_path / "catalog.yaml").write_text(text + first_entry.lstrip("\n") + "\n", encoding="utf-8")
    duplicate = first_entry.split("\n")[1].removeprefix("- id: ")
    settings = Settings(catalog=tmp_path / "catalog.yaml", index_dir=tmp_path / "index", max_programs=10_000)
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> Any:
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("app.search.build.subprocess.Popen", recorded)
        engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
        with pytest.raises(CatalogError, match=f"duplicate id '{duplicate}'"):
            load_file(settings, engine)
    assert len(started) == 4  # two reading shares, then two indexing, all under way before the verdict
    assert all(child.poll() is not None for child in started)
    assert list((tmp_path / "index").iterdir()) == []


def test_a_small_catalog_is_indexed_in_process(tmp_path: Path) -> None:
    programs = validate(generate(50, seed=11)).programs
    aside = aside_of(tmp_path, programs, len(programs))
    assert list(tmp_path.iterdir()) == []  # no children started, no scratch folder
    with aside.finish("v1", len(programs)):
        pass
    assert list(tmp_path.iterdir()) == []
    target = build_if_missing(tmp_path, "v1", lambda: documents_of_programs(programs))
    large = validate(generate(2000, seed=11)).programs
    target = build_if_missing(tmp_path, "v2", lambda: documents_of_programs(large))
    segment = next(target.glob("*.seg")).stat().st_mtime_ns
    with aside_of(tmp_path, large, len(large)).finish("v2", len(large)):
        pass  # a large catalog whose index is already on disk: the children's work is dropped
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder_for(tmp_path, v).name for v in ("v1", "v2")])
    assert next(target.glob("*.seg")).stat().st_mtime_ns == segment


def test_a_child_that_cannot_start_leaves_no_partial_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    programs = validate(generate(2000, seed=13)).programs
    real_popen = subprocess.Popen
    calls: list[int] = []

    def second_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("no more processes")
        return real_popen(*args, **kwargs)

    monkeypatch.setattr("app.search.build.subprocess.Popen", second_fails)
    with aside_of(tmp_path, programs, len(programs)).finish("v1", len(programs)):
        pass  # the first child ran; its half must not be published as the index
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []
    target = build_if_missing(tmp_path, "v1", lambda: documents_of_programs(programs))  # built whole, in-process
    with index.open_dir(str(target)).reader() as r:
        assert r.doc_count_all() == 2000


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
