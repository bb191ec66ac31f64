"""Pinyin queries (indexer/pinyin_query.py): typed pinyin is searched as the indexed words it reads as, on
the seeds; any word of the vocabulary typed in pinyin finds that word (or one of the same reading that more
articles use); what is not pinyin, or is a word of the articles, or is quoted, is searched as typed."""

from __future__ import annotations

import functools

import pytest
from hypothesis import assume, given, settings, strategies as st

import fixtures
from fixtures import SEEDS, result_ids
from indexer import index, lexicon, pinyin, pinyin_query
from indexer.errors import SearchError
from indexer.query import Word, parse
from indexer.search import Index, search

PROPERTY = settings(max_examples=60, deadline=None)


@pytest.mark.parametrize(
    "typed, word",
    [
        ("lingyuan", "凌源"),
        ("Ling Yuan", "凌源"),
        ("líng yuán", "凌源"),
        ("ling2yuan2", "凌源"),
        ("LINGYUAN", "凌源"),
        ("凌yuan", "凌源"),
        ("kazuo", "喀左"),
        ("beipiao jingjikaifaqu", "北票经济开发区"),
        ("chaoyang", "朝阳"),
        ("haimianlü", "海绵铝"),
        ("linggang", "凌钢"),
        ("zhuangbei zhizao", "装备制造"),
    ],
)
def test_pinyin_finds_what_the_characters_find(seed_index, typed, word):
    results = search(seed_index, typed, per_page=100)
    assert results.pinyin == {"typed": typed, "searched": [word]}
    assert results.total > 0
    assert result_ids(results) == result_ids(search(seed_index, word, per_page=100))
    assert any(m.text == word for m in results.marks)  # the characters are highlighted


def test_pinyin_with_operators_filters_and_other_words(seed_index):
    either = search(seed_index, "lingyuan OR beipiao", per_page=100)
    assert either.pinyin == {"typed": "lingyuan beipiao", "searched": ["凌源", "北票"]}
    assert either.total == search(seed_index, "凌源 OR 北票").total
    assert search(seed_index, "开发区 -lingyuan").total == search(seed_index, "开发区 -凌源").total
    assert search(seed_index, "lingyuan zone:喀左").total == search(seed_index, "凌源 zone:喀左").total
    assert search(seed_index, "intitle:chaoyang").pinyin == {"typed": "chaoyang", "searched": ["朝阳"]}


def test_quoted_or_not_pinyin_is_searched_as_typed(seed_index):
    for typed in ('"lingyuan"', "CBA", "5G", "iphone", "xian"):  # quoted; no vowel; digits; not pinyin; no word
        assert search(seed_index, typed).pinyin is None, typed


def test_a_latin_word_of_the_articles_is_itself(tmp_path):
    """`nature` (na tu re) and `dang` are words of these articles: searched as typed, not as pinyin."""
    texts = {
        f"n{i}": f"关于Nature期刊的第{i}篇报道\n\n国际期刊Nature发表了研究，dang is a word here，凌源开发区。"
        for i in range(4)
    }
    folder = fixtures.write_articles(tmp_path / "in", texts)
    index.update(tmp_path / "ix", [folder, SEEDS])
    ix = Index(tmp_path / "ix")
    results = search(ix, "Nature")
    assert results.pinyin is None and results.total == 4
    assert search(ix, "nature lingyuan").pinyin == {"typed": "lingyuan", "searched": ["凌源"]}


def test_the_literal_link_quotes_the_typed_words():
    assert pinyin_query.literal_query("lingyuan zone:凌源", ["lingyuan"]) == '"lingyuan" zone:凌源'
    assert pinyin_query.literal_query("Ling Yuan 钢铁", ["Ling", "Yuan"]) == '"Ling" "Yuan" 钢铁'
    assert pinyin_query.literal_query("intitle:lingyuan", ["lingyuan"]) == 'intitle:"lingyuan"'


@functools.cache
def _seed_lexicon(seed_index) -> lexicon.Lexicon:
    return lexicon.for_searcher(seed_index)


@functools.cache
def _seed_words(seed_index) -> list[str]:
    lx = _seed_lexicon(seed_index)
    return sorted({lx.text(i) for i in range(len(lx)) if lx.kinds[i] <= lexicon.WORD and 2 <= len(lx.text(i)) <= 6})


@PROPERTY
@given(data=st.data())
def test_any_vocabulary_word_typed_in_pinyin_finds_that_word(seed_index, data):
    """The word is among the readings; the first text searched is the likeliest reading (the word itself, or
    one read the same that more articles use); the search finds what searching the characters finds."""
    lx = _seed_lexicon(seed_index)
    word = data.draw(st.sampled_from(_seed_words(seed_index)))
    syllables = pinyin.readings(word)[0]
    typed = data.draw(st.sampled_from(["".join(syllables), " ".join(syllables), "".join(syllables).upper()]))
    read = pinyin_query.read(lx, typed)
    assert word in [r.text for r in read]
    results = search(seed_index, typed, per_page=100)
    assume(results.pinyin is not None)  # a Latin word of the seeds (rare) is searched as itself
    first = results.pinyin["searched"][0]
    cost = {r.text: r.cost for r in read}
    assert first == read[0].text and cost[first] <= cost[word]
    same = search(seed_index, " OR ".join(results.pinyin["searched"]), per_page=100)
    assume(same.searched_instead is None)  # the characters, typed, would be corrected (pinyin is not)
    assert results.total == same.total > 0 and set(result_ids(results)) == set(result_ids(same))


@PROPERTY
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzü' 凌源钢1", min_size=1, max_size=24))
def test_rewriting_never_fails_and_keeps_other_words(seed_index, text):
    try:
        parsed = parse(text) if text.strip(" '") else None
    except SearchError:  # e.g. "or" alone: an operator out of place is the parser's error (test_query.py)
        parsed = None
    assume(parsed is not None and parsed.positive_words)
    before = [w for w in parsed.positive_words if not pinyin_query.is_pinyin(w)]
    info = pinyin_query.rewrite(seed_index, seed_index.searcher(), parsed)
    after = parsed.positive_words
    assert all(w in after for w in before)
    if info:
        assert all(isinstance(w, Word) for w in after)
        assert set(info["searched"]) <= {w.text for w in after}


def test_the_article_page_marks_what_pinyin_read_as(seed_index):
    assert [m.text for m in seed_index.marks("lingyuan") if m.exact] == ["凌源"]


def test_a_name_typed_whole_is_read_as_that_name_however_long(seed_index):
    """Every name of the lexicon (zones, places, companies: up to `lexicon.MAX_CHARS` characters, longer than
    any word a cut is made of) typed whole in pinyin is among its readings."""
    lx = _seed_lexicon(seed_index)
    names = [lx.text(i) for i in range(len(lx)) if lx.kinds[i] < lexicon.WORD and len(lx.text(i)) >= 2]
    assert any(len(n) > pinyin_query.LONGEST for n in names)  # the seeds have long ones (朝阳市凌源经济开发区)
    for name in names:
        typed = "".join(pinyin.readings(name)[0])
        assert name in [r.text for r in pinyin_query.read(lx, typed)], name


@pytest.mark.parametrize(
    "typed, doc_id",
    [("namin在电影节", "benjamin"), ("BA赛场上", "nba"), ("参观Mo", "moma"), ("akami教授", "takami")],
)
def test_a_piece_of_a_latin_word_that_reads_as_pinyin_finds_its_article(tmp_path, typed, doc_id):
    """What occurs in an article finds it, unquoted too, though its letters read as pinyin (namin: 那民)."""
    texts = {
        "benjamin": "演员Benjamin在电影节上说，凌源开发区很美。",
        "nba": "他在NBA赛场上的表现让人难忘。",
        "moma": "我们去纽约参观MoMA的新展。",
        "takami": "日本学者Takami教授认为，朝阳的项目进展顺利。",
    }
    folder = fixtures.write_articles(tmp_path / "in", texts)
    index.update(tmp_path / "ix", [folder, SEEDS])
    ix = Index(tmp_path / "ix")
    results = search(ix, typed, per_page=100)
    assert results.pinyin is None  # found as typed, not as its reading
    assert [i.split("_")[0] for i in result_ids(results)] == [doc_id]
    assert search(ix, "lingyuan").pinyin == {"typed": "lingyuan", "searched": ["凌源"]}  # pinyin still read
