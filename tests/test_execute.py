"""The evaluator finds what Whoosh's own searcher finds and scores it as Whoosh does: for every kind of query
node, on segments with deletions, phrases with repeated words, words far into a long article and blocks
skipped; and the ranked hits of real queries are Whoosh's."""

from __future__ import annotations

import math

import pytest

import fixtures
from fixtures import SEEDS
from indexer import analysis, execute, index, search
from indexer.lru import SizedLRU
from indexer.plan import And, AndMaybe, AndNot, AtLeast, Every, Or, Prefix, Term, compile_query, verbatim
from indexer.query import parse

LONG = "开头" + "的" * 5000 + "哈哈哈大笑，凌钢集团。" + "凌钢" * 3 + "集团"
TEXTS = {
    "a": "哈哈哈哈大笑，凌钢集团扩建。",
    "b": "凌钢集团" * 3,
    "c": LONG,
    "d": "集团凌钢，大笑哈哈。",
    "e": "凌钢 集团 5g 基站 5g",
    "f": "无关的文字",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Texts made for the corner cases, in two segments, one with a deletion."""
    path = tmp_path_factory.mktemp("exec")
    source = fixtures.write_jsonl(path / "in.jsonl", [{"id": k, "title": "", "body": v} for k, v in TEXTS.items()])
    index.update(path / "ix", [source])
    changed = fixtures.write_jsonl(path / "x.jsonl", [{"id": "f", "title": "", "body": "凌钢集团改了"}])
    index.update(path / "ix", [changed])
    return search.Index(path / "ix")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """The seeds and 240 articles cut from them: real text, posting lists in blocks."""
    path = tmp_path_factory.mktemp("exec-many")
    source = fixtures.write_jsonl(path / "in.jsonl", fixtures.records(fixtures.articles(240, size=200)))
    index.update(path / "ix", [source, SEEDS])
    return search.Index(path / "ix")


def phrase(text: str):
    return verbatim(text)


def _whoosh(ix: search.Index, node) -> dict[int, float]:
    searcher = ix.searcher()
    hits = searcher.search(node.to_whoosh(), limit=None)
    return {hit.docnum: hit.score for hit in hits}


def _ours(ix: search.Index, node, cache: SizedLRU | None = None) -> dict[int, float]:
    found = execute.run(node, ix.searcher(), cache=cache)
    return {d: float(found.scores[d]) for d in found.matched.nonzero()[0].tolist()}


def _same_scores(ours: dict[int, float], theirs: dict[int, float]) -> None:
    assert set(ours) == set(theirs)
    for doc, score in ours.items():
        assert math.isclose(score, theirs[doc], rel_tol=1e-9, abs_tol=1e-12), (doc, score, theirs[doc])


CORNERS = [
    phrase("哈哈哈"),
    phrase("哈哈"),
    phrase("凌钢集团"),
    phrase("钢集团凌"),
    phrase("大笑哈哈"),
    phrase("的的的"),
    phrase("凌钢凌钢"),
    Term("words", "5g"),
    Term("chars", "凌"),
    And((phrase("凌钢集团"), Term("words", "基站"))),
    Or((phrase("哈哈大笑"), phrase("集团凌钢"))),
    AndNot(phrase("凌钢集团"), phrase("扩建")),
    AndMaybe(phrase("凌钢"), phrase("大笑")),
    Every(),
    Term("grams", "凌钢", boost=3.0),
    Or((Term("words", "凌钢"), Term("title_words", "凌钢")), boost=2.0),
    Term("words", "不存在的词"),
]


@pytest.mark.parametrize("node", CORNERS, ids=repr)
def test_matches_and_scores_are_whooshs(small, node):
    theirs = _whoosh(small, node)
    ours = _ours(small, node)
    if isinstance(node, Every):  # Whoosh scores Every as 1
        assert set(ours) == set(theirs)
    else:
        _same_scores(ours, theirs)


def test_prefix_and_at_least_match_what_whoosh_matches(small):
    """Whoosh scores these otherwise (a prefix as a constant score, AtLeast as an OR of ANDs): matches only."""
    searcher = small.searcher()
    for node in (
        Prefix("grams", "凌"),
        Prefix("title_grams", "x"),
        AtLeast((phrase("凌钢"), phrase("大笑"), phrase("扩建")), 2),
    ):
        assert set(_ours(small, node)) == set(searcher.docs_for_query(node.to_whoosh())), node


def test_a_budget_that_has_run_out_stops_the_search(small):
    found = execute.run(phrase("凌钢集团"), small.searcher(), execute.Budget(deadline=0.0))
    assert found.timed_out and not found.matched.any()


@pytest.mark.parametrize("q", fixtures.QUERIES)
def test_queries_as_compiled_score_as_whoosh_scores_them(many, q):
    node = compile_query(parse(q), many.vocabulary()).query
    _same_scores(_ours(many, node), _whoosh(many, node))


def test_cached_lists_and_scores_answer_as_a_fresh_read_does(small, many):
    """With a cache, posting lists are read whole (no blocks skipped), kept, and their scores reused: the
    same matches and scores, bit for bit, on the first search and the next."""
    for ix, nodes in (
        (small, CORNERS),
        (many, [compile_query(parse(q), many.vocabulary()).query for q in fixtures.QUERIES]),
    ):
        cache = SizedLRU(1 << 24)
        for node in nodes:
            fresh = _ours(ix, node)
            assert _ours(ix, node, cache) == fresh and _ours(ix, node, cache) == fresh, node
        assert len(cache) and cache.nbytes <= cache.limit


def test_a_cache_outlives_an_update_that_deletes_a_match(tmp_path):
    """Kept phrases and scores are of one generation: an article replaced since is no longer found."""
    source = fixtures.write_jsonl(tmp_path / "in.jsonl", [{"id": k, "title": "", "body": v} for k, v in TEXTS.items()])
    index.update(tmp_path / "ix", [source])
    ix, cache = search.Index(tmp_path / "ix"), SizedLRU(1 << 20)
    nodes = [phrase("凌钢集团"), Term("words", "凌钢"), compile_query(parse("凌钢集团 大笑"), ix.vocabulary()).query]
    before = [_ours(ix, node, cache) for node in nodes]
    changed = fixtures.write_jsonl(tmp_path / "x.jsonl", [{"id": "b", "title": "", "body": "无关的文字"}])
    index.update(tmp_path / "ix", [changed])
    after = [_ours(ix, node, cache) for node in nodes]
    assert after == [_ours(ix, node) for node in nodes] and after != before


def test_the_cache_drops_the_least_recently_used_past_its_limit():
    cache = SizedLRU(2000)
    cache.put("a", 1, 500)
    cache.put("b", 2, 400)
    cache.put("huge", 3, 501)  # over a quarter of the limit: not kept
    assert cache.get("a") == 1 and cache.get("huge") is None
    cache.put("c", 3, 500)
    cache.put("d", 4, 500)
    cache.put("e", 5, 300)  # 2200 bytes: "b", used least recently, goes
    assert cache.get("b") is None and [cache.get(k) for k in "acde"] == [1, 3, 4, 5] and cache.nbytes == 1800


@pytest.mark.parametrize("q", fixtures.QUERIES)
def test_hits_come_in_whooshs_order(many, q):
    """Best first, ties by document number: Whoosh's order of the same scores."""
    node = compile_query(parse(q), many.vocabulary()).query
    theirs = _whoosh(many, node)
    ranked = [many.docnum(h.id) for h in search.search(many, q, per_page=100).hits]
    expected = sorted(theirs, key=lambda d: (-round(theirs[d], 9), d))[:100]
    assert [round(theirs[d], 9) for d in ranked] == [round(theirs[d], 9) for d in expected]


def test_grams_of_long_texts_are_found_past_skipped_blocks(many):
    """Phrases whose rarest word is read first, the others only in blocks holding a candidate."""
    searcher = many.searcher()
    for text in ["开发区", "经济开发区", "朝阳市凌源经济开发区", "项目建设", fixtures.MARKER]:
        node = phrase(text)
        assert set(_ours(many, node)) == set(searcher.docs_for_query(node.to_whoosh())), text
    assert analysis.stream("开发区") == "开发区"
