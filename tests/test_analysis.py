"""Clean-up, script folding and tokenisation."""

import opencc
import pytest
from hypothesis import given, settings, strategies as st

from fixtures import SEEDS
from indexer import analysis, foldtable


def test_clean_removes_layout_spaces_between_cjk_only():
    assert analysis.clean("朝 阳市凌源经济开发区") == "朝阳市凌源经济开发区"
    assert analysis.clean("凌钢集团 钢焦一体\n及配套") == "凌钢集团钢焦一体及配套"
    assert analysis.clean("投资 1.5 亿元 the 5G  base") == "投资 1.5 亿元 the 5G base"
    assert analysis.clean("“亲”  “清”") == "“亲”“清”"


def test_paragraphs_are_lines_except_where_print_columns_cut_them():
    text = "标题一行\n本报讯 记者某某\n第一段 的 文字\n接着\n\n\n第二段\n\n   \n"
    assert analysis.paragraphs(text) == ["标题一行", "本报讯记者某某", "第一段的文字", "接着", "第二段"]
    long_line = "这是一个在印刷版面中被切断的很长的句子" * 3
    assert analysis.paragraphs(f"{long_line}\n\n还没有说完。\n下一段。") == [long_line + "还没有说完。", "下一段。"]
    assert analysis.paragraphs("“引号没有关上\n这里关上”。\n下一段") == ["“引号没有关上这里关上”。", "下一段"]
    assert analysis.paragraphs("一句话\n，接着说") == ["一句话，接着说"]


def test_fold_keeps_length_and_joins_scripts_widths_and_case():
    for trad, simp in [
        ("智慧園區", "智慧园区"),
        ("朝陽北票經濟開發區", "朝阳北票经济开发区"),
        ("ＡＢＣ１２３", "abc123"),
    ]:
        assert analysis.fold(trad) == analysis.fold(simp)
        assert len(analysis.fold(trad)) == len(trad)


def test_a_long_text_folds_as_the_table_translates_it():
    """Long texts are folded as arrays of code points: the same as `str.translate`, for every code point
    (surrogates included) and a text of them all in a row."""
    every = "".join(map(chr, range(0x110000)))
    assert analysis.fold(every) == every.translate(analysis.tables()[1])
    for at in range(0, len(every), 0x8000):
        piece = every[at : at + 100]
        assert analysis.fold(piece) == piece.translate(analysis.tables()[1])


def test_fold_never_breaks_simplified_text_apart():
    # OpenCC's t2s turns 破坏 into 破坯; folding must keep 破坏 and 破壞 equal instead.
    assert analysis.fold("破坏") == analysis.fold("破壞")
    assert analysis.fold("沈吟") == analysis.fold("沈吟")


@pytest.mark.parametrize("text", ["瞭望点位", "乾隆皇帝", "头发", "理发", "干部", "乾净", "著名", "里面", "后来"])
def test_fold_agrees_with_opencc_both_ways(text):
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    assert analysis.fold(s2t.convert(text)) == analysis.fold(text)
    assert analysis.fold(t2s.convert(s2t.convert(text))) == analysis.fold(text)


def test_shipped_fold_table_is_current():
    shipped = {}
    for line in foldtable.TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, key, simple = line.split("\t")
            shipped[char] = (key, simple)
    rebuilt = {c: v for c, v in foldtable.build_table().items() if v != (c, c)}
    assert shipped == rebuilt


def test_words_use_the_user_dictionary_and_fold_traditional_text():
    assert "凌钢集团" in analysis.words("凌钢集团钢焦一体")
    assert "亿联盛" in analysis.words("辽宁亿联盛新材料有限公司")
    assert analysis.words("朝陽北票經濟開發區") == ["朝阳", "北票", "经济", "开发区"]
    assert analysis.words("高登賽鋰電池") == analysis.words("高登赛锂电池")


def test_words_drop_spaces_and_punctuation():
    assert analysis.words("开发区，“凌钢”。 5G") == ["开发区", "凌钢", "5g"]


def test_the_stream_leaves_out_spaces_and_punctuation_but_not_inside_numbers():
    assert analysis.stream("第31屆 世界大學生運動會，C羅首登《Nature》！") == "第31届世界大学生运动会c罗首登nature"
    assert analysis.stream("6.8亿 99-104 5:30 a. b New York") == "6.8亿99-1045:30abnewyork"
    assert analysis.stream("。，！") == ""


def test_grams_are_the_bigrams_of_each_texts_stream():
    assert analysis.grams("凌钢集团") == ["凌钢", "钢集", "集团"]
    assert analysis.grams("年产5000吨AZF") == ["年产", "产5", "50", "00", "00", "0吨", "吨a", "az", "zf"]
    assert analysis.grams("标题", "正文") == ["标题", "正文"]  # no bigram from a headline into the body
    assert analysis.chars("凌钢 5G，凌") == ["凌", "钢", "5", "g"]


def test_query_words_cut_by_the_vocabulary():
    known = {"凌钢", "集团", "5g"}.__contains__
    assert analysis.query_words("凌钢集团5G基站", known) == ["凌钢", "集团", "5g", "基", "站"]


def _jieba_words(text: str) -> list[str]:
    """`analysis.words` the plain way: jieba itself with the user dictionary (the oracle)."""
    import io

    import jieba

    tokenizer = jieba.Tokenizer()
    lines = analysis.USER_DICT.read_text(encoding="utf-8").splitlines()
    tokenizer.load_userdict(io.StringIO("\n".join(line for line in lines if not line.startswith("#"))))
    found = []
    for word in tokenizer.cut(analysis.simplify(text)):
        key = analysis.fold(word).strip()
        if key and analysis.HAN_RUN.search(key):
            found.append(key)
    return found


def test_words_are_jiebas_words_on_the_seeds():
    """jieba-rs cuts Chinese as jieba does (it groups digits and letters joined by . - _ its own way)."""
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert [w for w in analysis.words(text) if analysis.HAN_RUN.search(w)] == _jieba_words(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "朝阳",
                "北票經濟開發區",
                "翁建平",
                "说",
                "，",
                "。",
                " ",
                "5G",
                "CBA",
                "2022年",
                "凌钢集团",
                "福建平潭",
                "標準化工作",
                "ＡＢＣ",
                "\n",
                "“",
                "”",
                "智慧園區",
            ]
        ),
        max_size=12,
    )
)
def test_word_spans_tile_the_text_and_give_the_words(parts):
    text = "".join(parts)
    spans = analysis.word_spans(text)
    assert "".join(text[a:b] for a, b in spans) == text and all(a < b for a, b in spans)
    assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]]
    folded = analysis.fold(analysis.simplify(text))
    keys = [folded[a:b].strip() for a, b in spans]
    assert [k for k in keys if k and (k.isalnum() or analysis.HAN_RUN.search(k))] == analysis.words(text)
