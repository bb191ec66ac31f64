"""The query language: every form, and every bad query."""

import pytest
from whoosh import query as wq

from indexer.errors import SearchError
from indexer.query import Filters, Word, parse, to_whoosh, highlight_terms

KNOWN = {"朝阳市", "凌源", "经济", "开发区", "开发", "装备", "制造", "凌钢"}.__contains__


def test_words_separated_by_spaces_are_all_required():
    parsed = parse("装备制造 凌钢")
    assert parsed.groups == [[Word("装备制造")], [Word("凌钢")]]
    assert isinstance(to_whoosh(parsed, KNOWN), wq.AndMaybe)  # AND, with a bonus for the words side by side


def test_or_joins_neighbours_into_one_group():
    assert parse("开发区 凌钢 OR 鞍钢").groups == [[Word("开发区")], [Word("凌钢"), Word("鞍钢")]]


def test_minus_excludes():
    parsed = parse('开发区 -凌源 -"北票经济"')
    assert parsed.excluded == [Word("凌源"), Word("北票经济", phrase=True)]
    assert isinstance(to_whoosh(parsed, KNOWN), wq.AndNot)


@pytest.mark.parametrize("text", ['"装备制造"', "“装备制造”"])
def test_quoted_phrases_straight_or_curly(text):
    parsed = parse(text)
    assert parsed.groups == [[Word("装备制造", phrase=True)]]
    assert to_whoosh(parsed, KNOWN) == wq.Phrase("grams", ["装备", "备制", "制造"])


def test_filters_in_the_query_text():
    parsed = parse("开发区 zone:凌源 year:2019-2021 industry:新材料 zone:喀左经开区")
    assert parsed.groups == [[Word("开发区")]]
    assert parsed.filters.zone == ["凌源经济开发区", "喀左经济开发区"]
    assert parsed.filters.year == [(2019, 2021)]
    assert parsed.filters.industry == ["新材料"]


def test_filters_alone_browse():
    parsed = parse("zone:凌源")
    assert to_whoosh(parsed, KNOWN) is None and parsed.filters.zone == ["凌源经济开发区"]


def test_traditional_filter_values_resolve():
    filters = Filters()
    filters.add("zone", "北票經濟開發區")
    filters.add("industry", "新材料")
    filters.add("year", "2020")
    assert (filters.zone, filters.industry, filters.year) == (["北票经济开发区"], ["新材料"], [(2020, 2020)])


def test_values_outside_the_data_files_are_left_for_the_index_to_check():
    filters = parse("zone:上海 industry:养猪").filters
    assert (filters.zone, filters.industry) == (["上海"], ["养猪"])
    assert filters.unknown == [("zone", "上海"), ("industry", "养猪")]


def test_a_colon_that_is_not_a_filter_is_text():
    assert parse("5:30").groups == [[Word("5:30")]]


def test_highlight_terms_include_jieba_words_of_unquoted_words():
    assert highlight_terms(parse("朝阳市凌源经济开发区"), KNOWN) == ["朝阳市凌源经济开发区", "朝阳市", "凌源", "经济", "开发区"]
    assert highlight_terms(parse('"装备制造"'), KNOWN) == ["装备制造"]


@pytest.mark.parametrize("text, message", [
    ('"装备制造', "Unbalanced quotes"),
    ('装备 "制造', "Unbalanced quotes"),
    ("OR 凌钢", "“OR” must stand between two words"),
    ("凌钢 OR", "“OR” must stand between two words"),
    ("凌钢 OR OR 鞍钢", "“OR” must stand between two words"),
    ("凌钢 OR -鞍钢", "“OR” cannot join an excluded word"),
    ("凌钢 -", "“-” must be followed by a word"),
    ('"。，"', "no letters, digits or Chinese characters"),
    ("zone:", "needs a value"),
    ("year:20x0", "is not a year or a range"),
    ("year:2021-2019", "must run forwards"),
    ("-zone:凌源", "Filters cannot be excluded"),
    ("凌" * 300, "The query is too long"),
    (" ".join(["钢"] * 30), "Too many words"),
    ("凌钢\x00", "control characters"),
])
def test_bad_queries_get_a_clear_message(text, message):
    with pytest.raises(SearchError, match=message):
        parse(text)
