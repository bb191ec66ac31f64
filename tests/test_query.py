"""The query language: every form, and every bad query."""

import pytest
from hypothesis import assume, given, strategies as st

from indexer import analysis
from indexer.errors import SearchError
from indexer.plan import AndMaybe, AndNot, Mark, Phrase, compile_query
from indexer.query import Filters, Word, parse

KNOWN = {"朝阳市", "凌源", "经济", "开发区", "开发", "装备", "制造", "凌钢"}.__contains__


def test_words_separated_by_spaces_are_all_required():
    parsed = parse("装备制造 凌钢")
    assert parsed.groups == [[Word("装备制造")], [Word("凌钢")]]
    assert isinstance(compile_query(parsed, KNOWN).query, AndMaybe)  # AND, with a bonus for the words side by side


def test_or_joins_neighbours_into_one_group():
    assert parse("开发区 凌钢 OR 鞍钢").groups == [[Word("开发区")], [Word("凌钢"), Word("鞍钢")]]


def test_minus_excludes():
    parsed = parse('开发区 -凌源 -"北票经济"')
    assert parsed.excluded == [Word("凌源"), Word("北票经济", phrase=True)]
    assert isinstance(compile_query(parsed, KNOWN).query, AndNot)


@pytest.mark.parametrize("text", ['"装备制造"', "“装备制造”"])
def test_quoted_phrases_straight_or_curly(text):
    parsed = parse(text)
    assert parsed.groups == [[Word("装备制造", phrase=True)]]
    assert compile_query(parsed, KNOWN).query.required == Phrase("grams", ("装备", "备制", "制造"))


def test_filters_in_the_query_text():
    parsed = parse("开发区 zone:凌源 year:2019-2021 industry:新材料 zone:喀左经开区")
    assert parsed.groups == [[Word("开发区")]]
    assert parsed.filters.get("zone") == ["凌源经济开发区", "喀左经济开发区"]
    assert parsed.filters.get("year") == [(2019, 2021)]
    assert parsed.filters.get("industry") == ["新材料"]


def test_filters_alone_browse():
    parsed = parse("zone:凌源")
    assert compile_query(parsed, KNOWN).query is None and parsed.filters.get("zone") == ["凌源经济开发区"]


def test_traditional_filter_values_resolve():
    filters = Filters()
    filters.add("zone", "北票經濟開發區")
    filters.add("industry", "新材料")
    filters.add("year", "2020")
    assert filters.chosen == {"zone": ["北票经济开发区"], "industry": ["新材料"], "year": [(2020, 2020)]}


def test_values_outside_the_data_files_are_left_for_the_index_to_check():
    filters = parse("zone:上海 industry:养猪").filters
    assert (filters.get("zone"), filters.get("industry")) == (["上海"], ["养猪"])
    assert filters.unknown == [("zone", "上海"), ("industry", "养猪")]


def test_a_colon_that_is_not_a_filter_is_text():
    assert parse("5:30").groups == [[Word("5:30")]]


def test_marks_are_the_words_as_typed_and_the_indexed_words_of_unquoted_ones():
    assert compile_query(parse("朝阳市凌源经济开发区"), KNOWN).marks == [
        Mark("朝阳市凌源经济开发区"),
        *(Mark(w, exact=False) for w in ("朝阳市", "凌源", "经济", "开发区")),
    ]
    assert compile_query(parse('"装备制造"'), KNOWN).marks == [Mark("装备制造")]


# The last with the ideographic space of a Chinese keyboard (written as an escape: it is invisible).
@pytest.mark.parametrize("text", ["凌钢 OR 鞍钢", "凌钢 or 鞍钢", "凌钢 | 鞍钢", "凌钢|鞍钢", "凌钢\u3000OR\u3000鞍钢"])
def test_or_as_people_type_it(text):
    parsed = parse(text)
    assert parsed.groups == [[Word("凌钢"), Word("鞍钢")]] and parsed.operators


@pytest.mark.parametrize("text", ["凌钢 AND 鞍钢", "凌钢 and 鞍钢", "+凌钢 +鞍钢", "凌钢 +鞍钢"])
def test_and_as_people_type_it(text):
    assert parse(text).groups == [[Word("凌钢")], [Word("鞍钢")]]


def test_a_dash_between_words_is_punctuation_as_in_a_pasted_headline():
    assert parse("荣耀之战 - 辽宁队夺冠 -- 终场").groups == [[Word("荣耀之战")], [Word("辽宁队夺冠")], [Word("终场")]]
    parsed = parse("南开教授开“名家讲坛”--南开要闻 讲党课 --南开要闻")
    assert not parsed.excluded and parsed.groups == [
        [Word("南开教授开")],
        [Word("名家讲坛", phrase=True)],
        [Word("南开要闻")],
        [Word("讲党课")],
        [Word("南开要闻")],
    ]


@pytest.mark.parametrize(
    "text, excluded",
    [
        ("校园开放日 -化学学院,物理学院-校园要闻", []),  # punctuation inside: pasted text, not an exclusion
        ("获得二等奖 -管理学院-校园要闻", []),
        ("开发区 -凌源", ["凌源"]),
        ("开发区 -凌源。", ["凌源。"]),  # at its end only: still an exclusion
        ("开发区 -COVID-19", ["COVID-19"]),  # a mark joining Latin letters or digits is part of the word
        ('开发区 -"凌源,北票"', ["凌源,北票"]),  # quoted: excluded as written
    ],
)
def test_a_dash_before_text_with_punctuation_inside_is_punctuation(text, excluded):
    assert [w.text for w in parse(text).excluded] == excluded


def test_empty_curly_quotes_are_punctuation_as_pasted_text_has():
    assert parse("造成同比增长99-104“” 凌钢「」").groups == [[Word("造成同比增长99-104")], [Word("凌钢")]]
    with pytest.raises(SearchError, match="quoted phrase has no letters"):
        parse('凌钢 ""')  # typed: an empty phrase is a mistake to point out


def test_a_curly_quote_without_its_pair_is_punctuation_as_pasted_text_has():
    assert parse("一片“荒园”如今").groups == [[Word("一片")], [Word("荒园", phrase=True)], [Word("如今")]]
    assert parse("这里是一片“荒园").groups == [[Word("这里是一片")], [Word("荒园")]]


def test_not_excludes_like_minus():
    assert parse("开发区 NOT 凌源").excluded == parse("开发区 -凌源").excluded == [Word("凌源")]


def test_intitle_and_site():
    parsed = parse("intitle:凌钢 site:www.chinanews.com.cn 开发区")
    assert parsed.groups == [[Word("凌钢", field="title")], [Word("开发区")]]
    assert parsed.filters.get("site") == ["chinanews.com.cn"]
    assert parse("source:chinanews.com.cn").filters.get("site") == ["chinanews.com.cn"]


@pytest.mark.parametrize(
    "text, message",
    [
        ('"装备制造', "Unbalanced quotes"),
        ('装备 "制造', "Unbalanced quotes"),
        ("OR 凌钢", "“OR” must stand between two words"),
        ("| 凌钢", "“|” must stand between two words"),
        ("凌钢 AND", "“AND” must stand between two words"),
        ("and 凌钢", "“and” must stand between two words"),
        ("凌钢 NOT", "“NOT” must stand between two words"),
        ("凌钢 OR", "“OR” must stand between two words"),
        ("凌钢 OR OR 鞍钢", "“OR” must stand between two words"),
        ("凌钢 OR -鞍钢", "“OR” cannot join an excluded word"),
        ("凌钢 -", "“-” must be followed by a word"),
        ("凌钢 - ", "“-” must be followed by a word"),
        ("凌钢 +", "“\\+” must be followed by a word"),
        ('"。，"', "no letters, digits or Chinese characters"),
        ("zone:", "needs a value"),
        ("year:20x0", "is not a year or a range"),
        ("year:2021-2019", "must run forwards"),
        ("-zone:凌源", "Filters cannot be excluded"),
        ("凌" * 600, "The query is too long"),
        (" ".join(["钢"] * 70), "Too many words"),
        ("凌钢\x00", "control characters"),
    ],
)
def test_bad_queries_get_a_clear_message(text, message):
    with pytest.raises(SearchError, match=message):
        parse(text)


# Punctuation and symbols (emoji included), without the characters the query language gives a meaning.
SYMBOLS = st.characters(categories=["P", "S"], exclude_characters='"“”「」|-+:：')


@given(st.lists(st.text(SYMBOLS, min_size=1, max_size=4), min_size=1, max_size=5).map(" ".join))
def test_a_query_of_symbols_alone_has_nothing_to_search_for(text):
    assume(not analysis.stream(text))
    with pytest.raises(SearchError, match=r"^Nothing to search for: the query has no letters, digits or Chinese"):
        parse(text)
    # beside words, or with filters to browse by, the symbols are only skipped
    assert parse(f"{text} 凌钢").groups == [[Word("凌钢")]]
    assert parse(text, Filters.of(zone=["凌源经济开发区"])).groups == []


# Values as typed → as the filters hold them (None: blank, skipped).
TYPED = {
    ("zone", "凌源"): "凌源经济开发区",
    ("zone", "喀左经济开发区"): "喀左经济开发区",
    ("industry", "新材料"): "新材料",
    ("year", "2020"): (2020, 2020),
    ("year", "2019-2021"): (2019, 2021),
    ("zone", ""): None,
    ("industry", "  "): None,
}


@given(st.lists(st.sampled_from(sorted(TYPED)), max_size=8))
def test_filters_from_pairs_hold_each_canonical_value_once_and_skip_blanks(pairs):
    expected: dict = {}
    for pair in pairs:
        if TYPED[pair] is not None and TYPED[pair] not in expected.setdefault(pair[0], []):
            expected[pair[0]].append(TYPED[pair])
    assert Filters.from_pairs(pairs).chosen == {f: v for f, v in expected.items() if v}
