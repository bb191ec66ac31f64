"""Verbatim recall on text shaped like real news: any string of an article — Chinese broken by numbers and
Latin words, punctuation, full-width forms, either script — finds it, quoted and unquoted, and a quoted
string finds only articles that contain it (its stream: what clean-up leaves out may stand between)."""

from __future__ import annotations

import opencc
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fixtures
from indexer import analysis, index
from indexer.search import Index, search

S2T, T2S = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")

# Pieces news is made of (written for these tests): Chinese phrases, numbers with units, Latin words and
# acronyms, marks, full-width forms.
CHINESE = [
    "世界大学生运动会",
    "截至今年",
    "月底",
    "已经造成",
    "多万人死亡",
    "经济开发区",
    "项目建设",
    "凌钢集团",
    "首登",
    "中国大学生体育代表团",
    "成立",
    "同比增长",
    "亿元",
    "辽宁",
    "朝阳市",
    "智能制造",
    "新能源汽车",
    "的",
    "在",
    "發展",
    "經濟",
    "臺灣",
    "園區",
    "軟體",
    "第",
    "届",
    "级",
    "年",
    "月",
    "日",
]
NUMBERS = ["31", "2022", "6.8", "30", "1978", "99-104", "2023.11.27", "5:30", "15%", "１２３", "0.5"]
# Latin words whose pieces read as pinyin too (namin of Benjamin, ba of NBA, mo of MoMA): a piece cut with
# Chinese beside it is still a string of the article.
LATIN = [
    "5G",
    "CBA",
    "C罗",
    "Nature",
    "AI",
    "GDP",
    "iPhone",
    "ＡＢＣ",
    "x_y",
    "C++",
    "Benjamin",
    "NBA",
    "MoMA",
    "Takami",
]
MARKS = ["，", "。", "、", "“", "”", "《", "》", "（", "）", ",", ".", " ", "！", "——", "\n", "：", "·"]


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> tuple[Index, dict[str, str]]:
    """Sixty articles of generated news-like text (a fixed seed), and the seeds' paragraphs too."""
    import random

    rng = random.Random(12)
    pool = CHINESE + NUMBERS + LATIN + MARKS
    texts = {f"n{i:03d}": "".join(rng.choice(pool) for _ in range(rng.randint(20, 120))) for i in range(60)}
    texts.update(fixtures.articles(20))
    records = [{"id": k, "title": f"标题{k}", "body": v} for k, v in texts.items()]
    path = tmp_path_factory.mktemp("news")
    source = fixtures.write_jsonl(path / "in.jsonl", records)
    index.update(path / "ix", [source])
    return Index(path / "ix"), texts


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def cuts(draw, texts: dict[str, str]) -> tuple[str, str]:
    """An article's id and a string of two or more characters cut from its text anywhere."""
    doc_id = draw(st.sampled_from(sorted(texts)))
    text = texts[doc_id]
    start = draw(st.integers(0, len(text) - 2))
    end = draw(st.integers(start + 2, min(len(text), start + 14)))
    return doc_id, text[start:end]


def _found(ix: Index, query: str) -> set[str]:
    return {h.id for h in search(ix, query, per_page=100).hits}


@PROPERTY
@given(data=st.data())
def test_any_string_of_an_article_finds_it_quoted_and_unquoted(news, data):
    ix, texts = news
    doc_id, cut = data.draw(cuts(texts))
    if not analysis.stream(cut):
        return  # marks alone: nothing to search for (the query language says so)
    quoted = '"' + cut.replace('"', "") + '"'
    assert doc_id in _found(ix, quoted), cut
    unquoted = " ".join(cut.replace('"', " ").split()) or cut
    if analysis.stream(unquoted) and not unquoted.lstrip().startswith(("-", "+", "|")):
        assert doc_id in _found(ix, unquoted), cut


@PROPERTY
@given(data=st.data())
def test_a_quoted_string_finds_only_articles_containing_it(news, data):
    ix, texts = news
    _, cut = data.draw(cuts(texts))
    chars = analysis.stream(cut.replace('"', ""))
    if not chars:
        return
    expected = {
        k for k, text in texts.items() if chars in analysis.stream(text) or chars in analysis.stream(f"标题{k}")
    }
    assert _found(ix, '"' + cut.replace('"', "") + '"') == expected, cut


@PROPERTY
@given(data=st.data())
def test_a_string_in_the_other_script_finds_the_same_articles(news, data):
    ix, texts = news
    _, cut = data.draw(cuts(texts))
    cut = cut.replace('"', "")
    if not analysis.stream(cut):
        return
    twin = T2S.convert(cut) if S2T.convert(cut) == cut else S2T.convert(cut)
    assert _found(ix, f'"{cut}"') == _found(ix, f'"{twin}"'), (cut, twin)


@pytest.mark.parametrize(
    "q",
    [
        '"第31届"',
        '"截至今年6月底"',
        '"已经造成30多万人死亡"',
        "首登Nature",
        '"首登Nature"',
        '"6.8亿"',
        "C罗",
        '"2023.11.27"',
    ],
)
def test_the_issues_examples(tmp_path, q):
    text = (
        "成都第31届世界大学生运动会。截至今年6月底，已经造成30多万人死亡。"
        "C罗首登《Nature》。投资6.8亿元。2023.11.27发布。"
    )
    source = fixtures.write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": "x", "title": "t", "body": text}, {"id": "y", "title": "t", "body": "投资68亿元，第3届，1届。"}],
    )
    index.update(tmp_path / "ix", [source])
    assert _found(Index(tmp_path / "ix"), q) == {"x"}
