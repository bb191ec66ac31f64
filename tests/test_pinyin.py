"""Readings of words, near-homophones (indexer/pinyin.py) and typed pinyin (indexer/pinyin_input.py): the
examples of issue 14, a comparison with pypinyin's own API on the seeds' words, and properties over words
drawn from the seeds."""

from __future__ import annotations

import functools
import tomllib
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st
from pypinyin import lazy_pinyin

from fixtures import SEEDS
from indexer import pinyin
from indexer.analysis import DATA, words
from indexer.pinyin import homophones, initials, key, near, readings
from indexer.pinyin_input import parse, parse_prefix, tokens

PROPERTY = settings(max_examples=200, deadline=None)  # the first call loads pypinyin's tables (~0.5 s)
SEED_TEXT = "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


@functools.cache
def seed_chars() -> list[str]:
    return sorted({c for c in SEED_TEXT if pinyin.char_readings(c)})


@functools.cache
def seed_words() -> list[str]:
    """jieba's words of the seeds made of Chinese characters only."""
    return sorted({w for w in words(SEED_TEXT) if all(pinyin.char_readings(c) for c in w)})


def han_words(max_size: int = 6):
    return st.lists(st.sampled_from(seed_chars()), min_size=1, max_size=max_size).map("".join)


def gazetteer_names() -> list[str]:
    zones = tomllib.loads((DATA / "zones.toml").read_text(encoding="utf-8"))["zone"]
    names = [n for z in zones for n in (z["name"], z["short"], *z["names"], *z["places"])]
    names += [
        line.split()[0]
        for line in (DATA / "userdict.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------------- the examples


@pytest.mark.parametrize(
    "typed, word",
    [
        ("lingyuan", "凌源"),
        ("Ling Yuan", "凌源"),
        ("líng yuán", "凌源"),
        ("ling2 yuan2", "凌源"),
        ("ling2yuan2", "凌源"),
        ("LINGYUAN", "凌源"),
        ("kazuo", "喀左"),
        ("beipiao jingjikaifaqu", "北票经济开发区"),
        ("chaoyang", "朝阳"),
        ("Chaoyang Shi", "朝阳市"),
        ("jianping", "建平"),
        ("liucheng", "柳城"),
        ("haimianlü", "海绵铝"),
        ("haimianlv", "海绵铝"),
    ],
)
def test_typed_pinyin_reads_as_the_words_reading(typed, word):
    assert parse(typed)[0] == readings(word)[0]


def test_chaoyang_the_place_reads_chao_and_keeps_pypinyins_reading_next():
    assert lazy_pinyin("朝阳") == ["zhao", "yang"]  # what pypinyin says, and why readings.toml exists
    assert readings("朝阳")[:2] == [("chao", "yang"), ("zhao", "yang")]
    assert readings("朝阳经济技术开发区")[0] == ("chao", "yang", "jing", "ji", "ji", "shu", "kai", "fa", "qu")
    assert readings("朝阳产业")[0][:2] == ("zhao", "yang")  # the longer word in the file wins


@pytest.mark.parametrize("typo, meant", [("凌刚", "凌钢"), ("海棉铝", "海绵铝"), ("凌原", "凌源")])
def test_homophone_typos_share_a_key(typo, meant):
    assert key(readings(typo)[0]) == key(readings(meant)[0])
    wrong, right = next((a, b) for a, b in zip(typo, meant) if a != b)
    assert wrong in homophones(right)[:15]


def test_key_and_initials():
    assert key(readings("凌源经济开发区")[0]) == "lingyuanjingjikaifaqu"
    assert initials(readings("凌源经济开发区")[0]) == "lyjjkfq"
    assert initials(readings("朝阳")[0]) == "cy"


def test_latin_and_digits_pass_through_and_punctuation_is_dropped():
    assert readings("5G基站") == [("5g", "ji", "zhan")]
    assert readings("ＣＢＡ联赛")[0] == ("cba", "lian", "sai")
    assert readings("凌钢·集团")[0] == ("ling", "gang", "ji", "tuan")
    assert readings("，。") == []


@pytest.mark.parametrize("text", ["cba", "5g", "hello", "gdp", "ipo", "ling!yuan", "凌源", "", "  ", "ling 5g"])
def test_what_is_not_pinyin_parses_to_nothing(text):
    assert parse(text) == []


def test_ambiguous_cuts_come_best_first():
    assert parse("xian") == [("xian",), ("xi", "an")]
    assert parse("xi'an") == [("xi", "an"), ("xian",)]  # the apostrophe decides
    assert parse("fangan")[:2] == [("fan", "gan"), ("fang", "an")]  # pinyin writes fang'an
    assert parse("nüer")[0] == parse("nver")[0] == ("nv", "er")
    assert parse("nuer") == [("nu", "er"), ("nv", "er")]  # nu is a syllable, nü a guess
    assert parse("hai mian lu")[:2] == [("hai", "mian", "lu"), ("hai", "mian", "lv")]
    assert parse("lue")[0] == ("lve",)
    assert parse("jvzi") == [("ju", "zi")]


def test_long_input_is_bounded():
    assert len(parse("xian" * 60)) == 64
    assert len(parse("xian" * 60, limit=5)) == 5
    assert parse("a" * 300)[0] == ("a",) * 300
    assert len(parse_prefix("xian" * 60)) <= 64


def test_parse_prefix_for_suggestions():
    assert parse_prefix("kaz") == [(("ka",), "z")]
    assert parse_prefix("lin")[:2] == [((), "lin"), (("li",), "n")]
    assert parse_prefix("ling ") == [(("ling",), "")]
    assert parse_prefix("lingyuanj")[0] == (("ling", "yuan"), "j")
    assert ((), "nv") in parse_prefix("nu")  # a word read nü… starts so
    assert parse_prefix("") == parse_prefix("5") == []


def test_tokens_of_mixed_input():
    assert tokens("凌yuan") == ["凌", parse("yuan")]
    assert tokens("凌源 CBA") == ["凌", "源", "cba"]
    assert tokens("lingyuan 5G") == [parse("lingyuan"), "5g"]
    assert tokens("朝yang经济") == ["朝", parse("yang"), "经", "济"]


def test_near_homophones_of_the_ime_confusions():
    assert near(("lin", "yuan")) == [("ling", "yuan"), ("nin", "yuan")]
    assert ("hai", "mian", "lv") not in near(("hai", "mian", "lv"))
    assert ("lan", "zhou") in near(("nang", "zhou"), max_changes=2)
    assert ("chao", "yang") in near(("cao", "yan"), max_changes=2)


# ---------------------------------------------------------------------------------------------- data file


def test_every_override_corrects_pypinyin_and_is_valid():
    table = pinyin.overrides()
    assert table["朝阳"] == ("chao", "yang")
    for word, reading in table.items():
        # An entry corrects pypinyin, or a shorter entry inside it (朝阳产业 is not the place).
        shorter = [(word.find(w), r) for w, r in table.items() if w != word and w in word]
        corrects = tuple(lazy_pinyin(word)) != reading
        assert corrects or any(reading[at : at + len(r)] != r for at, r in shorter), f"{word} is read so already"
        assert len(reading) == len(word)


def test_overrides_apply_to_the_gazetteers_names():
    table = pinyin.overrides()
    names = [n for n in gazetteer_names() if any(w in n for w in table)]
    assert len(names) > 10
    for name in names:
        first = readings(name)[0]
        for word, reading in table.items():
            at = name.find(word)
            if at >= 0 and not any(len(w) > len(word) and word in w and w in name for w in table):
                assert first[at : at + len(word)] == reading, name


def test_a_bad_readings_file_is_a_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(pinyin, "DATA", tmp_path)
    try:
        for text, message in [
            ('"凌源" = "ling"', "one syllable per Chinese character"),
            ('"凌源" = "ling yuen"', "yuen is not a pinyin syllable"),
            ('"凌源" = 3', "one syllable per Chinese character"),
        ]:
            (tmp_path / "readings.toml").write_text(text, encoding="utf-8")
            pinyin.overrides.cache_clear()
            with pytest.raises(ValueError, match=message):
                pinyin.overrides()
    finally:
        pinyin.overrides.cache_clear()


# ---------------------------------------------------------------------------------------------- against pypinyin


def test_first_reading_is_pypinyins_on_the_seeds_words():
    """The fast path (pypinyin's tables read directly) against pypinyin's own API."""
    table = pinyin.overrides()
    checked = 0
    for word in seed_words():
        expected = tuple(s for s in lazy_pinyin(word) if s in pinyin.valid_syllables())
        found = readings(word)
        if any(w in word for w in table):
            assert expected in found, word
        else:
            assert found[0] == expected, word
            checked += 1
    assert checked > 1000


@PROPERTY
@given(han_words(8))
def test_readings_use_each_characters_readings(word):
    found = readings(word)
    assert 1 <= len(found) <= 8 and len(set(found)) == len(found)
    first = tuple(s for s in lazy_pinyin(word) if s in pinyin.valid_syllables())
    assert first in found
    for reading in found:
        assert len(reading) == len(word)
        for char, syllable in zip(word, reading):
            assert syllable in pinyin.char_readings(char) or any(char in w for w in pinyin.overrides())


# ---------------------------------------------------------------------------------------------- typed forms


def _marked(syllable: str, tone: int) -> str:
    """The syllable with its tone mark where pinyin puts it (a, e, the o of ou, else the last vowel)."""
    if tone == 5:
        return syllable.replace("v", "ü")
    vowel = next((v for v in ("a", "e", "ou") if v in syllable), None)
    at = syllable.index(vowel) if vowel else max(syllable.rfind(v) for v in "iouv")
    mark = "\u0304\u0301\u030c\u0300"[tone - 1]
    text = syllable[: at + 1] + mark + syllable[at + 1 :]
    return unicodedata.normalize("NFC", text.replace("v", "ü"))


TYPED_FORMS = {
    "joined": lambda r, tones: key(r),
    "spaced": lambda r, tones: " ".join(r),
    "upper": lambda r, tones: key(r).upper(),
    "title": lambda r, tones: " ".join(s.title() for s in r),
    "camel": lambda r, tones: "".join(s.title() for s in r),
    "tone numbers": lambda r, tones: "".join(f"{s}{t}" for s, t in zip(r, tones)),
    "tone marks": lambda r, tones: "".join(_marked(s, t) for s, t in zip(r, tones)),
    "marks, spaced": lambda r, tones: " ".join(_marked(s, t) for s, t in zip(r, tones)),
}


@PROPERTY
@given(
    han_words(), st.sampled_from(sorted(TYPED_FORMS)), st.lists(st.integers(1, 5), min_size=8, max_size=8), st.data()
)
def test_every_reading_typed_any_way_parses_back(word, form, tones, data):
    reading = data.draw(st.sampled_from(readings(word)))
    typed = TYPED_FORMS[form](reading, tones)
    assert reading in parse(typed), typed


@PROPERTY
@given(han_words(), st.data())
def test_what_is_being_typed_leads_to_the_reading(word, data):
    reading = data.draw(st.sampled_from(readings(word)))
    typed = key(reading)
    cut = data.draw(st.integers(1, len(typed)))
    ends = [sum(map(len, reading[: i + 1])) for i in range(len(reading))]
    done = next(i for i, end in enumerate(ends) if end >= cut)  # the syllable being typed
    start = ends[done] - len(reading[done])
    assert (reading[:done], reading[done][: cut - start]) in parse_prefix(typed[:cut]), typed[:cut]
    assert (reading[: done + 1], "") in parse_prefix(" ".join(reading[: done + 1]) + " ")


@PROPERTY
@given(han_words(), st.data())
def test_mixed_input_keeps_characters_and_reads_the_latin_runs(word, data):
    reading = readings(word)[0]
    latin = data.draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    typed = "".join(s if is_latin else c for c, s, is_latin in zip(word, reading, latin))
    expected: list = []
    for char, syllable, is_latin in zip(word, reading, latin):
        if not is_latin:
            expected.append(char)
        elif expected and isinstance(expected[-1], tuple):
            expected[-1] += (syllable,)
        else:
            expected.append((syllable,))
    found = tokens(typed)
    assert len(found) == len(expected), typed
    for got, want in zip(found, expected):
        assert got == want if isinstance(want, str) else want in got, typed


@PROPERTY
@given(st.text())
def test_parse_never_fails_on_any_text_and_gives_only_syllables(text):
    valid = pinyin.valid_syllables()
    for reading in parse(text):
        assert reading and all(s in valid for s in reading)
    for complete, partial in parse_prefix(text):
        assert all(s in valid for s in complete)
        assert partial == "" or any(s.startswith(partial) for s in valid)
    for token in tokens(text):
        assert isinstance(token, str) or all(s in valid for reading in token for s in reading)


@PROPERTY
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzü' 12345ABC", max_size=40))
def test_parse_of_letters_cuts_the_letters_and_nothing_else(text):
    letters = "".join(c for c in text.lower() if c.isalpha()).replace("ü", "v")
    for reading in parse(text):
        assert key(reading).replace("v", "u") == letters.replace("v", "u")


# ---------------------------------------------------------------------------------------------- typos


def _swapped(syllable: str) -> set[str]:
    """The l/n, -n/-ng and z/zh, c/ch, s/sh changes of `syllable` that are syllables."""
    changed = {syllable[:-1]} if syllable.endswith("ng") else {syllable + "g"} if syllable.endswith("n") else set()
    for a, b in [("l", "n"), ("n", "l"), ("zh", "z"), ("ch", "c"), ("sh", "s")]:
        if syllable.startswith(a):
            changed.add(b + syllable[len(a) :])
        elif syllable.startswith(b) and not syllable.startswith(b + "h") and b in "zcs":
            changed.add(a + syllable[len(b) :])
    return changed & pinyin.valid_syllables()


@PROPERTY
@given(han_words(4), st.integers(1, 2))
def test_near_gives_valid_syllables_and_every_single_confusion(word, changes):
    reading = readings(word)[0]
    found = near(reading, max_changes=changes, limit=10_000)
    assert reading not in found and len(set(found)) == len(found)
    for other in found:
        assert len(other) == len(reading) and all(s in pinyin.valid_syllables() for s in other)
        assert 1 <= sum(a != b for a, b in zip(reading, other)) <= changes
    for at, syllable in enumerate(reading):
        for swap in _swapped(syllable):
            assert (*reading[:at], swap, *reading[at + 1 :]) in found


@PROPERTY
@given(st.sampled_from(seed_chars()))
def test_homophones_share_a_reading(char):
    sounds = set(pinyin.char_readings(char))
    found = homophones(char)
    assert char not in found
    assert all(sounds & set(pinyin.char_readings(h)) for h in found)
    same = [pinyin.char_readings(h)[0] == pinyin.char_readings(char)[0] for h in found]
    assert same == sorted(same, reverse=True)  # characters commonly read as `char` commonly is come first
