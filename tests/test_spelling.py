"""Did you mean (indexer/spelling.py): homophone and near-homophone typos corrected from the index's own
vocabulary, on the seeds; a homophone typo of any word of the seeds is corrected or is fine as typed; a
word typed right gets no suggestion."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings, strategies as st

import fixtures
from fixtures import result_ids
from indexer import analysis, index, lexicon, pinyin, spelling
from indexer.search import Index, search

PROPERTY = settings(max_examples=80, deadline=None)


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("凌原", "凌源"),  # a homophone
        ("凌刚", "凌钢"),
        ("海棉铝", "海绵铝"),  # a run that is no single word: its first two characters corrected
        ("林源", "凌源"),  # a near-homophone: lin for ling (the -n/-ng an IME blurs)
        ("凌原 企业", "凌源 企业"),  # one word of several
        ("柳城 海棉铝", "柳城 海绵铝"),
    ],
)
def test_a_typo_that_finds_nothing_is_searched_as_corrected(seed_index, typed, meant):
    results = search(seed_index, typed, per_page=100)
    assert (results.suggestion, results.searched_instead) == (meant, typed)
    right = search(seed_index, meant, per_page=100)
    assert results.total == right.total > 0 and result_ids(results) == result_ids(right)
    assert right.suggestion is None


def test_what_is_typed_on_purpose_is_searched_as_typed(seed_index):
    for typed in ('"凌原"', "凌原 OR 凌钢", "凌钢 -凌原", "凌", "lingyuan"):  # quoted, operators, one character, pinyin
        results = search(seed_index, typed)
        assert results.suggestion is None and results.searched_instead is None, typed


def test_a_word_used_by_the_articles_is_fine(seed_index):
    """Names of the gazetteer and words of jieba's dictionary that the seeds use are meant as typed."""
    for typed in ("凌源", "柳城", "建平", "凌钢", "装备制造", "开发区", "项目建设"):
        assert search(seed_index, typed).suggestion is None, typed


def test_a_name_of_the_data_files_is_meant_even_where_no_article_has_it(tmp_path):
    """In an archive without 凌钢 (general news), 凌钢 is not 'corrected' to a homophone that occurs (灵感)."""
    texts = {f"g{i}": f"第{i}篇：文化自信激发创新灵感，灵感来自生活。" for i in range(5)}
    folder = fixtures.write_articles(tmp_path / "in", texts)
    index.update(tmp_path / "ix", [folder])
    ix = Index(tmp_path / "ix")
    assert search(ix, "灵感").total == 5
    assert "凌钢" in spelling._names()  # the user dictionary's
    for typed in ("凌钢", "凌源", "建平", "钢铁冶金"):
        results = search(ix, typed)
        assert (results.suggestion, results.searched_instead, results.total) == (None, None, 0), typed


def test_the_literal_link_quotes_the_corrected_words():
    assert spelling.literal_query("凌原 企业", "凌源 企业") == '"凌原" 企业'
    assert spelling.literal_query("intitle:凌原", "intitle:凌源") == 'intitle:"凌原"'


def test_dictionary_words():
    assert spelling.in_dictionary("视野") and spelling.in_dictionary("凌钢")  # jieba's, the user dictionary's
    assert not spelling.in_dictionary("凌原") and not spelling.in_dictionary("凌刚")


@functools.cache
def _seed_words(seed_index) -> list[str]:
    """The seeds' words of two to four characters found in two articles or more (what a typo is made from)."""
    lx = lexicon.for_searcher(seed_index)
    return sorted(
        {
            lx.text(i)
            for i in range(len(lx))
            if lx.kinds[i] == lexicon.WORD and 2 <= len(lx.text(i)) <= 4 and lx.counts[i] >= 2
        }
    )


def _count(seed_index, text: str) -> int:
    return search(seed_index, f'"{text}"', per_page=1).total


@PROPERTY
@given(data=st.data())
def test_any_homophone_typo_is_corrected_or_fine(seed_index, data):
    """One character replaced by a homophone: the suggestion is the word meant, or another correction found
    in at least as many articles, or the typo is fine as typed — a word the articles or the dictionary use,
    or found verbatim in at least 1/FAR as many articles as the word meant."""
    word = data.draw(st.sampled_from(_seed_words(seed_index)))
    at = data.draw(st.integers(0, len(word) - 1))
    others = pinyin.homophones(word[at])[:8]
    if not others:
        return
    typo = word[:at] + data.draw(st.sampled_from(others)) + word[at + 1 :]
    results = search(seed_index, typo, per_page=1)
    typo_count, word_count = _count(seed_index, typo), _count(seed_index, word)
    fine = (
        seed_index.searcher().reader().doc_frequency("words", typo) >= spelling.MIN_REAL_DF
        or (typo_count and (spelling.in_dictionary(typo) or lexicon.for_searcher(seed_index).is_name(typo)))
        or typo_count * spelling.FAR > word_count
    )
    if results.suggestion is None:
        assert fine, (word, typo)
    else:
        # The word meant, or another word the typo could stand for (这力 → 这里 as well as 着力): as long,
        # differing in at most two characters, and found in more articles than the typo.
        changed = sum(a != b for a, b in zip(results.suggestion, typo))
        assert results.suggestion == word or (len(results.suggestion) == len(typo) and 1 <= changed <= 2), (word, typo)
        assert _count(seed_index, results.suggestion) >= max(1, spelling.FAR * typo_count)
        if results.searched_instead:  # the typo found nothing: the correction's results are shown
            assert results.searched_instead == typo
            assert results.total == search(seed_index, results.suggestion).total > 0


@PROPERTY
@given(data=st.data())
def test_words_typed_right_get_no_suggestion(seed_index, data):
    word = data.draw(st.sampled_from(_seed_words(seed_index)))
    results = search(seed_index, word)
    assert results.suggestion is None and results.searched_instead is None and results.pinyin is None


@PROPERTY
@given(st.text(alphabet='凌源原钢刚海绵棉铝开发区 -"', min_size=1, max_size=12))
def test_correcting_never_fails(seed_index, text):
    if not analysis.stream(text) or text.count('"') % 2:
        return
    try:
        results = search(seed_index, text)
    except Exception as exc:  # only the query language's own errors
        assert type(exc).__name__ == "SearchError", exc
        return
    if results.suggestion:
        assert len(results.suggestion.split()) == len(text.split())
