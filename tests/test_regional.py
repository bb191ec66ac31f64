"""Regional word forms: mainland ↔ Taiwan/Hong Kong words on folded keys, from the shipped table."""

from __future__ import annotations

import itertools

import opencc
import pytest
from hypothesis import given, settings, strategies as st

from fixtures import SEEDS
from indexer import analysis, regional

PAIRS = [(analysis.fold(ours), analysis.fold(theirs)) for ours, theirs in regional.read_pairs(regional.TABLE)]
WORDS = sorted({w for pair in PAIRS for w in pair})
WRITTEN = sorted({w for pair in regional.read_pairs(regional.TABLE) for w in pair})
to_traditional = opencc.OpenCC("s2t").convert
to_simplified = opencc.OpenCC("t2s").convert

# The examples: (mainland, Taiwan), each as its region writes it.
EXAMPLES = [
    ("软件", "軟體"),
    ("信息", "資訊"),
    ("网络", "網路"),
    ("打印机", "印表機"),
    ("数据库", "資料庫"),
    ("服务器", "伺服器"),
    ("出租车", "計程車"),
    ("激光", "鐳射"),
    ("激光", "雷射"),
]


@pytest.mark.parametrize("mainland, taiwan", EXAMPLES)
def test_examples_in_both_directions_typed_in_either_script(mainland, taiwan):
    for ours in (mainland, to_traditional(mainland)):
        for theirs in (taiwan, to_simplified(taiwan)):
            assert analysis.fold(theirs) in regional.variants(analysis.fold(ours))
            assert analysis.fold(ours) in regional.variants(analysis.fold(theirs))
            assert taiwan in regional.alternatives(ours)
            assert mainland in regional.alternatives(theirs)


def test_a_regional_word_gives_its_other_regional_forms():
    assert analysis.fold("鐳射") in regional.variants(analysis.fold("雷射"))
    assert regional.variants(analysis.fold("计程车")) == (analysis.fold("出租车"),)


def test_alternatives_of_a_longer_query_replace_the_regional_words_in_it():
    assert regional.alternatives("信息安全") == ("資訊安全",)
    assert regional.alternatives("資訊安全") == ("信息安全",)
    assert regional.alternatives("网络信息安全") == ("網路資訊安全", "网络資訊安全", "網路信息安全")
    assert regional.alternatives("网络信息安全", limit=1) == ("網路資訊安全",)
    assert regional.alternatives("开发区") == ()


def test_shipped_table_is_current():
    assert regional.build_table()[0] == list(regional.read_pairs(regional.TABLE))


def test_no_variant_is_the_word_itself_or_a_single_character():
    for word in WORDS:
        forms = regional.variants(word)
        assert forms, word
        for form in forms:
            assert form != word and analysis.fold(form) == form and len(form) > 1
            assert analysis.fold(regional.written(form)) == form


def test_every_pair_is_measured_and_passes_the_rules():
    usage = regional.read_usage()
    assert set(WORDS) <= usage.keys()
    assert all(regional.judge(m, t, usage) is None for m, t in PAIRS)


@settings(max_examples=300)
@given(st.sampled_from(WORDS), st.sampled_from(WORDS))
def test_variants_are_symmetric(a, b):
    assert (a in regional.variants(b)) == (b in regional.variants(a))


@given(st.sampled_from(PAIRS))
def test_every_pair_relates_both_ways(pair):
    mainland, taiwan = pair
    assert taiwan in regional.variants(mainland) and mainland in regional.variants(taiwan)


# Text around the regional words: Chinese that is not in the table, digits, Latin, punctuation, spaces.
FILLER = st.text(st.sampled_from("开发区朝阳经济项目建设2022年5GCBA，。、“” "), max_size=8)
WRITTEN_EITHER_SCRIPT = st.sampled_from(WRITTEN).flatmap(
    lambda w: st.sampled_from([w, to_traditional(w), to_simplified(w)])
)


@st.composite
def queries(draw) -> str:
    words = draw(st.lists(WRITTEN_EITHER_SCRIPT, max_size=3))
    return draw(FILLER) + "".join(w + draw(FILLER) for w in words)


def assert_only_regional_words_change(text: str) -> None:
    """Every alternative is `text` with its regional words (as `expand` finds them) replaced by other forms,
    those that keep fewer words as typed first."""
    folded = analysis.fold(text)
    pieces, at = [], 0
    for start, end, forms in regional.expand(folded):
        assert start >= at and end - start > 1
        assert forms == regional.variants(folded[start:end])
        pieces += [[(text[at:start], 0)], [(regional.written(f), 0) for f in forms] + [(text[start:end], 1)]]
        at = end
    pieces.append([(text[at:], 0)])
    kept = {"".join(p for p, _ in c): sum(k for _, k in c) for c in itertools.product(*pieces)}
    del kept[text]
    alternatives = regional.alternatives(text)
    assert set(alternatives) <= kept.keys()
    assert [kept[a] for a in alternatives] == sorted(kept.values())[:4]
    assert len({analysis.fold(a) for a in alternatives} | {folded}) == len(alternatives) + 1


@settings(max_examples=300)
@given(queries())
def test_expansion_changes_only_regional_words(text):
    assert_only_regional_words_change(text)


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5))
def test_expand_finds_each_word_between_separators(words):
    text = "，".join(words)
    found = regional.expand(text)
    assert [text[start:end] for start, end, _ in found] == words
    assert [forms for _, _, forms in found] == [regional.variants(w) for w in words]


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_expansion_of_real_sentences_changes_only_regional_words(seed):
    for sentence in analysis.clean(seed.read_text(encoding="utf-8")).split("。"):
        assert_only_regional_words_change(sentence[:80])


COUNTS = st.integers(0, 100_000)


@given(
    st.sampled_from(PAIRS),
    st.builds(regional.Usage, COUNTS, COUNTS),
    st.builds(regional.Usage, COUNTS, COUNTS),
    COUNTS,
    COUNTS,
)
def test_more_use_on_the_wrong_side_never_keeps_a_dropped_pair(pair, ours, theirs, more_gazette, more_news):
    """The mainland form used more in Taiwan text, or the Taiwan form more in mainland text, can only drop."""
    mainland, taiwan = pair
    before = regional.judge(mainland, taiwan, {mainland: ours, taiwan: theirs})
    after = regional.judge(
        mainland,
        taiwan,
        {
            mainland: ours._replace(gazette=ours.gazette + more_gazette),
            taiwan: theirs._replace(news=theirs.news + more_news),
        },
    )
    assert before is None or after is not None


@given(st.sampled_from(WORDS), st.characters(categories=["Lo"]), st.booleans())
def test_single_characters_are_never_paired(word, char, mainland_side):
    pair = (char, word) if mainland_side else (word, char)
    assert regional.judge(*pair, {}) == "single character"
