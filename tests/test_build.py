"""The fast build gives what the plain one gives: segments as Whoosh's writer writes them (term by term,
posting by posting), parallel builds as in-process ones."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, strategies as st
from whoosh import index as whoosh_index
from whoosh.index import TOC

import fixtures
from fixtures import SEEDS
from indexer import build, codec, coded_postings, index, search
from indexer.articles import Article, read_articles
from indexer.query import Filters
from indexer.segment import SegmentBuilder

TRICKY = [  # (seen by the analysis tests too)
    "",
    "朝陽北票經濟開發區 凌钢集团5G基站, 2018-2019赛季CBA总决赛。",
    "李晓旭、贺天举、丛明晨、莱斯特-哈德森、布兰登-巴斯全部续约",  # names: jieba's HMM
    "投资 1.5 亿元 the 5G  base\tstation\r\nnext 3.14% C++ C# a&b x_y",
    "　全角空格与ＡＢＣ１２３，以及「引号」和《书名号》……——！？",
    "𠀋𠀍 ㊣ ① ⅷ ﹏ 〇〇七 ぁア 한국어 ÀÉÎ",
    "哈哈哈哈哈哈哈哈哈哈" * 20,
    "的的的的的了了了是是是在在在",
]


def _joined(fields: dict) -> dict:
    """Token lists as Whoosh's writer takes them: joined by spaces."""
    return {name: " ".join(v) if isinstance(v, list) else v for name, v in fields.items()}


def _documents() -> list[dict]:
    """Documents as `index.document` makes them (token fields as lists), a few with fields as strings."""
    articles = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    articles += [
        Article(doc_id, text.split("\n")[0], text, path=f"/x/{doc_id}.txt")
        for doc_id, text in fixtures.articles(80).items()
    ]
    docs = [index.document(a, None, index.content_hash(a, None))[0] for a in articles]
    # Values Whoosh's own tokenizer would see differently from a plain split, empty and missing fields.
    docs[0] = dict(docs[0], zone="", industry="", year="", date=None)
    docs[1] = dict(docs[1], words="a\tb  c\xa0d \u3000e", title_words=" x ")
    docs[2] = dict(docs[2], grams=" ".join(["重复"] * 5000 + ["x"]))
    docs += [index.document(Article(f"t{i}", text[:10], text or "空"), None, "x")[0] for i, text in enumerate(TRICKY)]
    return docs


def _compare(ref_dir: pathlib.Path, new_dir: pathlib.Path, schema) -> None:
    r1 = whoosh_index.open_dir(str(ref_dir)).reader()
    r2 = whoosh_index.open_dir(str(new_dir)).reader()
    try:
        assert r1.doc_count_all() == r2.doc_count_all()
        for n in range(r1.doc_count_all()):
            assert r1.stored_fields(n) == r2.stored_fields(n)
            for name in schema.names():
                assert r1.doc_field_length(n, name) == r2.doc_field_length(n, name), (n, name)
        for name in schema.names():
            assert r1.field_length(name) == r2.field_length(name), name
            assert r1.has_column(name) == r2.has_column(name), name
            if r1.has_column(name):
                assert list(r1.column_reader(name)) == list(r2.column_reader(name)), name
        terms = list(r1.all_terms())
        assert terms == list(r2.all_terms())
        for name, text in terms:
            i1, i2 = r1.term_info(name, text), r2.term_info(name, text)
            for stat in ("_weight", "_df", "_minlength", "_maxlength", "_maxweight", "_minid", "_maxid"):
                assert getattr(i1, stat) == getattr(i2, stat), (name, text, stat)
            novalues = schema[name].format.fixed_value_size() == 0
            postings = []
            for reader in (r1, r2):
                m, found = reader.postings(name, text), []
                while m.is_active():
                    found.append((m.id(), m.weight(), None if novalues else m.value()))
                    m.next()
                postings.append(found)
            assert postings[0] == postings[1], (name, text)
    finally:
        r1.close()
        r2.close()


@pytest.mark.parametrize("spill", [10**9, 1_000])  # everything in memory; spilled to many runs
def test_segments_are_what_whooshs_writer_writes(tmp_path, monkeypatch, spill):
    monkeypatch.setattr(coded_postings, "CHUNK", 500)  # the end's merge of coded runs: many ranges of codes
    docs = _documents()
    schema = index.SCHEMA
    (tmp_path / "ref").mkdir()
    ref = whoosh_index.create_in(str(tmp_path / "ref"), schema)
    with ref.writer() as writer:
        for doc in docs:
            writer.add_document(**_joined(doc))
    (tmp_path / "new").mkdir()
    new = whoosh_index.create_in(str(tmp_path / "new"), schema)
    builder = SegmentBuilder(codec.MappedStorage(str(tmp_path / "new")), schema, str(tmp_path), spill_postings=spill)
    for doc in docs:
        builder.add(doc)
    if spill < 10**9:
        assert len(builder.runs) > 3
        assert all(len(coded.runs) > 3 for coded in builder.coded.values())
    segment = builder.finish()
    segment.create_compound_file(new.storage)
    TOC(schema, [segment], 1).write(new.storage, new.indexname)
    _compare(tmp_path / "ref", tmp_path / "new", schema)


@pytest.mark.slow
def test_parallel_build_equals_in_process_build(tmp_path, monkeypatch):
    source = fixtures.write_jsonl(tmp_path / "in.jsonl", fixtures.records(fixtures.articles(150)))
    serial = index.update(tmp_path / "serial", [source])
    monkeypatch.setattr(build, "PARALLEL_ABOVE", 20)
    monkeypatch.setattr(build, "BATCH", 16)
    parallel = index.update(tmp_path / "parallel", [source])
    assert sorted(parallel.added) == sorted(serial.added) and len(serial.added) == 150
    assert parallel.inferred_years == serial.inferred_years
    ix = whoosh_index.open_dir(str(tmp_path / "parallel"))
    assert ix.doc_count() == 150 and len(ix._segments()) == 2  # one segment per worker
    a, b = search.Index(tmp_path / "serial"), search.Index(tmp_path / "parallel")
    for query in fixtures.QUERIES:
        first, second = (
            search.search(a, query, Filters(), per_page=100),
            search.search(b, query, Filters(), per_page=100),
        )
        assert first.total == second.total, query
        assert sorted((h.id, round(h.score, 9)) for h in first.hits) == sorted(
            (h.id, round(h.score, 9)) for h in second.hits
        ), query
        assert [(f, [(v.value, v.count) for v in vs]) for f, vs in first.facets.items()] == [
            (f, [(v.value, v.count) for v in vs]) for f, vs in second.facets.items()
        ]
    # An update of the parallel index: one article changed, in-process, beside the workers' segments.
    changed = fixtures.write_jsonl(
        tmp_path / "changed.jsonl", [{"id": "art0007", "title": "新标题", "body": "凌钢新闻。"}]
    )
    report = index.update(tmp_path / "parallel", [changed])
    assert report.updated == ["art0007"]
    b = search.Index(tmp_path / "parallel")
    assert [h.id for h in search.search(b, '"凌钢新闻"', Filters()).hits] == ["art0007"]
    assert search.search(b, fixtures.MARKER, Filters()).total == 149


@given(st.lists(st.lists(st.integers(0, 3_000_000), min_size=1, max_size=8, unique=True), min_size=1, max_size=20))
def test_coded_positions_are_packed_as_the_format_packs_them(groups):
    groups = [sorted(g) for g in groups]
    starts = np.cumsum([0] + [len(g) for g in groups[:-1]])
    flat = np.array([p for g in groups for p in g], dtype=np.int64)
    assert coded_postings._packed(flat, starts) == [codec.pack_positions(g) for g in groups]


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=3, max_size=3), min_size=1))
def test_codes_sort_as_terms_do(tokens):
    codes = coded_postings.encode(tokens, 3)
    assert coded_postings.decode(codes, 3) == tokens
    assert [tokens[i] for i in np.argsort(codes, kind="stable")] == sorted(tokens)


def test_tokens_too_long_for_a_code_go_back_to_the_builder(tmp_path):
    coded = coded_postings.CodedPostings(str(tmp_path), positions=True)
    assert coded.add(0, ["长长长长", "ab"]) == [(0, "长长长长"), (1, "ab")]  # the first token sets the length
    assert coded.add(1, ["abcd", "ab"]) == [(0, "abcd"), (1, "ab")]
    assert list(coded.terms(None)) == []
    coded = coded_postings.CodedPostings(str(tmp_path), positions=True)
    assert coded.add(0, ["ab", "x", "cd"]) == [(1, "x")]
    found = [(t, ids, values) for t, ids, values, _ in coded.terms(None)]
    assert found == [("ab", [0], [codec.pack_positions([0])]), ("cd", [0], [codec.pack_positions([2])])]
