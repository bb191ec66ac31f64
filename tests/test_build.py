"""The fast paths give what the plain ones give: words as jieba cuts them, segments as Whoosh's writer
writes them, parallel builds as in-process ones, rankings as Whoosh's collector ranks."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import collectors
from whoosh import index as whoosh_index
from whoosh.index import TOC

import corpus
from conftest import SEEDS
from indexer import analysis, build, index, search
from indexer.articles import Article, read_articles
from indexer.query import Filters

TRICKY = [
    "",
    "朝陽北票經濟開發區 凌钢集团5G基站, 2018-2019赛季CBA总决赛。",
    "李晓旭、贺天举、丛明晨、莱斯特-哈德森、布兰登-巴斯全部续约",  # names: jieba's HMM
    "投资 1.5 亿元 the 5G  base\tstation\r\nnext 3.14% C++ C# a&b x_y",
    "　全角空格与ＡＢＣ１２３，以及「引号」和《书名号》……——！？",
    "𠀋𠀍 ㊣ ① ⅷ ﹏ 〇〇七 ぁア 한국어 ÀÉÎ",
    "哈哈哈哈哈哈哈哈哈哈" * 20,
    "的的的的的了了了是是是在在在",
]


def _texts() -> list[str]:
    texts = list(TRICKY)
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        texts += [body, analysis.clean(body)]
    return texts


def test_words_are_jiebas_words():
    for text in _texts():
        assert analysis.words(text) == analysis._cut(analysis.simplify(text)), text[:40]


_ALPHABET = st.sampled_from(list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
                                 "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起"
                                 "朝阳凌源北票喀左建平柳城钢铁开发区园區經濟開發")
                            + list("abcXYZ0129.-_%+#& \t\n\u3000，。！？、：“”《》()（）"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_words_are_jiebas_words_on_any_text(text):
    assert analysis.words(text) == analysis._cut(analysis.simplify(text))


def _documents() -> list[dict]:
    articles = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    articles += [Article(doc_id, text.split("\n")[0], text, path=f"/x/{doc_id}.txt")
                 for doc_id, text in corpus.articles(80).items()]
    docs = [index.document(a, None, index.content_hash(a, None))[0] for a in articles]
    # Values Whoosh's own tokenizer would see differently from a plain split, empty and missing fields.
    docs[0] = dict(docs[0], zone="", industry="", year="", date=None)
    docs[1] = dict(docs[1], words="a\tb  c\xa0d \u3000e", title_words=" x ")
    docs[2] = dict(docs[2], grams=" ".join(["重复"] * 5000 + ["x"]))
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


@pytest.mark.parametrize("spill", [10**9, 5_000])  # everything in memory; spilled to many runs
def test_segments_are_what_whooshs_writer_writes(tmp_path, spill):
    docs = _documents()
    schema = index.SCHEMA
    (tmp_path / "ref").mkdir()
    ref = whoosh_index.create_in(str(tmp_path / "ref"), schema)
    with ref.writer() as writer:
        for doc in docs:
            writer.add_document(**doc)
    (tmp_path / "new").mkdir()
    new = whoosh_index.create_in(str(tmp_path / "new"), schema)
    builder = build.SegmentBuilder(new.storage, new.indexname, schema, str(tmp_path), spill_postings=spill)
    for doc in docs:
        builder.add(doc)
    if spill < 10**9:
        assert len(builder.runs) > 3
    segment = builder.finish()
    segment.create_compound_file(new.storage)
    TOC(schema, [segment], 1).write(new.storage, new.indexname)
    _compare(tmp_path / "ref", tmp_path / "new", schema)


def _ranked(ix: search.Index, query: str, page: int = 1) -> list[tuple[str, float]]:
    return [(h.id, round(h.score, 9)) for h in search.search(ix, query, Filters(), page=page).hits]


QUERIES = ["朝阳", "开发区 -凌源", "凌钢 OR 鞍钢", '"经济开发区"', "装备制造 凌钢", "中", "5g", "项目 建设 企业",
           corpus.MARKER, "第一版", "园区 OR 企业 -项目"]


@pytest.mark.slow
def test_parallel_build_equals_in_process_build(tmp_path, monkeypatch):
    source = corpus.write_jsonl(tmp_path / "in.jsonl", corpus.records(corpus.articles(150)))
    serial = index.update(tmp_path / "serial", [source])
    monkeypatch.setattr(build, "PARALLEL_ABOVE", 20)
    monkeypatch.setattr(build, "BATCH", 16)
    parallel = index.update(tmp_path / "parallel", [source])
    assert sorted(parallel.added) == sorted(serial.added) and len(serial.added) == 150
    assert parallel.inferred_years == serial.inferred_years
    ix = whoosh_index.open_dir(str(tmp_path / "parallel"))
    assert ix.doc_count() == 150 and len(ix._segments()) == 2  # one segment per worker
    a, b = search.Index(tmp_path / "serial"), search.Index(tmp_path / "parallel")
    for query in QUERIES:
        first, second = search.search(a, query, Filters(), per_page=100), search.search(b, query, Filters(), per_page=100)
        assert first.total == second.total, query
        assert sorted((h.id, round(h.score, 9)) for h in first.hits) == \
               sorted((h.id, round(h.score, 9)) for h in second.hits), query
        assert [(f, [(v.value, v.count) for v in vs]) for f, vs in first.facets.items()] == \
               [(f, [(v.value, v.count) for v in vs]) for f, vs in second.facets.items()]
    # An update of the parallel index: one article changed, in-process, beside the workers' segments.
    changed = corpus.write_jsonl(tmp_path / "changed.jsonl", [{"id": "art0007", "title": "新标题", "body": "凌钢新闻。"}])
    report = index.update(tmp_path / "parallel", [changed])
    assert report.updated == ["art0007"]
    b = search.Index(tmp_path / "parallel")
    assert [h.id for h in search.search(b, "\"凌钢新闻\"", Filters()).hits] == ["art0007"]
    assert search.search(b, corpus.MARKER, Filters()).total == 149


def test_ranking_is_whooshs_ranking(tmp_path, monkeypatch):
    """`docsets.rank` orders hits as Whoosh's collector does when it scores every match (its default
    collector's matcher replacement can drop the best hit of an OR with an exclusion)."""
    source = corpus.write_jsonl(tmp_path / "in.jsonl", corpus.records(corpus.articles(240, size=200)))
    index.update(tmp_path / "ix", [source, SEEDS])
    ix = search.Index(tmp_path / "ix")
    ours = {(q, page): _ranked(ix, q, page) for q in QUERIES for page in (1, 2)}

    original = collectors.ScoredCollector.__init__

    def exhaustive(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.replace = 0

    monkeypatch.setattr(collectors.ScoredCollector, "__init__", exhaustive)
    monkeypatch.setattr("indexer.docsets.rank", lambda *args, **kwargs: None)
    for (q, page), hits in ours.items():
        assert hits == _ranked(ix, q, page), q


def test_match_sets_are_whooshs_matches(tmp_path):
    """`docsets.MatchSets` finds what Whoosh's matchers find: phrases with repeated words, words far into a
    long article (positions past the one-position table), several occurrences, exclusions, deletions."""
    from whoosh import query as wq

    from indexer import docsets

    long_text = "开头" + "的" * 5000 + "哈哈哈大笑，凌钢集团。" + "凌钢" * 3 + "集团"
    texts = {"a": "哈哈哈哈大笑，凌钢集团扩建。", "b": "凌钢集团" * 3, "c": long_text, "d": "集团凌钢，大笑哈哈。",
             "e": "凌钢 集团 5g 基站 5g", "f": "无关的文字"}
    source = corpus.write_jsonl(tmp_path / "in.jsonl", [{"id": k, "title": "", "body": v} for k, v in texts.items()])
    index.update(tmp_path / "ix", [source])
    changed = corpus.write_jsonl(tmp_path / "x.jsonl", [{"id": "f", "title": "", "body": "凌钢集团改了"}])
    index.update(tmp_path / "ix", [changed])  # a deletion in the first segment, a second segment
    ix = search.Index(tmp_path / "ix")
    searcher = ix.searcher()

    def grams(text):
        return wq.Phrase("grams", analysis.query_grams(text))

    queries = [grams("哈哈哈"), grams("哈哈"), grams("凌钢集团"), grams("钢集团凌"), grams("大笑哈哈"), grams("的的的"),
               grams("凌钢凌钢"), wq.Term("grams", "5g"), wq.And([grams("凌钢集团"), wq.Term("grams", "基站")]),
               wq.Or([grams("哈哈大笑"), grams("集团凌钢")]), wq.AndNot(grams("凌钢集团"), grams("扩建")),
               wq.AndMaybe(grams("凌钢"), grams("大笑")), wq.Prefix("grams", "凌"), wq.Every()]
    sets = docsets.MatchSets(searcher)
    for q in queries:
        assert set(sets.docs(q).nonzero()[0].tolist()) == set(searcher.docs_for_query(q)), q
