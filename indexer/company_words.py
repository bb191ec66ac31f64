"""What a word is to a company or project name (`companies.py` scans names word by word, right to left from
their suffix): the rules of `data/companies.toml`, compiled, and each word's class by those rules, the user
dictionary and jieba's.

>>> word_class("辽宁"), word_class("有限"), word_class("的")
('place', 'common', 'stop')
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib

from .analysis import DATA, _jieba, fold, simplify, user_words
from .mentions import Text

# What a word is to a name: it ends the name (STOP), or is a place, a proper name (NAME: the dictionary
# says so; UNKNOWN: a word jieba's dictionary does not have, as most brand names are), a common word, or
# a bracketed place inside a name (中玻（朝阳）新材料).
STOP, PLACE, NAME, UNKNOWN, COMMON, BRACKET = "stop", "place", "name", "unknown", "common", "bracket"
PROPER = (NAME, UNKNOWN)

Word = tuple[int, int, str]  # (start, end, class) of one word of a name in the text


@dataclasses.dataclass(frozen=True)
class Rules:
    """`data/companies.toml`, compiled."""

    settings: dict
    kinds: dict[str, str]  # folded suffix → "strong", "weak" or "project"
    suffixes: re.Pattern  # any suffix, in folded text
    closing: frozenset[str]  # folded suffixes that end a name met on its left (not `inside` ones)
    words: dict[str, frozenset[str]]  # each list of words in the file, simplified
    quantity: re.Pattern  # a capacity, matched in reversed folded text from where it ends
    phase: re.Pattern
    user_tags: dict[str, str]  # user dictionary word → its tag


@functools.cache
def rules() -> Rules:
    """The rules, from `data/companies.toml` and the user dictionary."""
    data = tomllib.loads((DATA / "companies.toml").read_text(encoding="utf-8"))
    kinds = {fold(s): kind for kind in ("strong", "weak", "project") for s in data[kind]}
    suffixes = re.compile("|".join(map(re.escape, sorted(kinds, key=len, reverse=True))))

    def reversed_alternation(key: str) -> str:
        return "|".join(re.escape(fold(w)[::-1]) for w in sorted(data[key], key=len, reverse=True))

    quantity = re.compile(
        f"(?:{reversed_alternation('quantity_units')})[万亿千百十0-9.]*[约达超]?"
        f"(?:{reversed_alternation('quantity_verbs')})"
    )
    lists = {
        key: frozenset(map(simplify, value))
        for key, value in data.items()
        if isinstance(value, list) and all(isinstance(v, str) for v in value)
    }
    return Rules(
        data,
        kinds,
        suffixes,
        frozenset(kinds) - {fold(s) for s in data["inside"]},
        lists,
        quantity,
        re.compile(f"\\(?{data['phase']}\\)?$"),
        {word: tag or "" for word, _, tag in user_words()},
    )


@functools.lru_cache(maxsize=65536)
def word_class(word: str) -> str:
    """What a (simplified) word is to a name: by the rules' lists, the user dictionary, jieba's dictionary."""
    r = rules()
    if not word or not all(is_name_char(c) for c in word) or word in r.words["stop_words"]:
        return STOP
    tag = r.user_tags.get(word)
    if tag is not None:
        return {"nt": NAME, "ns": PLACE}.get(tag, COMMON)
    if word in r.words["generic"] or word in r.words["name_verbs"]:
        return COMMON
    settings = r.settings
    if word in settings["admin_units"]:
        return PLACE  # 凌源/市
    tags = _jieba().tag(word, False)
    if len(tags) != 1:  # a word jieba's dictionary does not have: its HMM joined the characters
        if word[0] in settings["function_chars"]:
            return UNKNOWN  # the scan takes the name after the function word (对红人库)
        if (
            word[0] in settings["quantifiers"]
            or word[-1] in settings["function_chars"]
            or (word[0] in settings["numerals"] and word[1] in settings["measures"])
        ):
            return STOP  # 多座, 十国, 这是: a number of things or a function word, not a name
        return PLACE if word[-1] in settings["admin_units"] else UNKNOWN
    tag = tags[0][1]
    if tag == "ns":
        return PLACE if len(word) > 1 else COMMON  # 美, 泰: a country's abbreviation starts no name
    if tag in r.words["proper_tags"]:
        return NAME if len(word) > 1 else COMMON  # one character is no name (睿|珠宝, 中|泰|化学)
    if tag in r.words["stop_tags"]:
        return STOP
    return COMMON


def prefix_class(prefix: str, whole: str, r: Rules) -> str:
    """What the part before the suffix of one word that ends with it is (金达集团, 美国广播公司, 扩建工厂):
    a name if the user dictionary has the whole as one; a part jieba does not know is a proper name unless
    the whole is a common word of its dictionary (美国广播公司 and 鑫炜厂, not 扩建工厂)."""
    if r.user_tags.get(whole) == "nt":
        return NAME
    cls = word_class(prefix)
    tags = _jieba().tag(whole, False)
    if cls == UNKNOWN and len(tags) == 1 and tags[0][1] != "nt":
        return COMMON  # part of a common word of jieba's dictionary
    return cls


def is_place(prefix: str) -> bool:
    """Whether every word of `prefix` is a place (辽宁朝阳)."""
    return all(word_class(w) == PLACE for w in _jieba().cut(prefix, True))


def bracket_class(text: Text, close: int) -> str:
    """A bracketed place inside a name (中玻（朝阳）, 法马（辽宁）) is part of it; other brackets end it.
    (Folded text has ASCII brackets only.)"""
    open_at = text.folded.rfind("(", max(0, close - 8), close)
    inside = simplify(text.shown[open_at + 1 : close])
    if open_at >= 0 and inside and is_place(inside):
        return BRACKET
    return STOP


def is_name_char(char: str) -> bool:
    """Whether `char` is a Chinese character (of the basic block or extension A): names are written in them."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
