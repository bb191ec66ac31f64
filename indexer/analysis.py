"""Chinese text analysis: clean → fold → the searchable stream (character n-grams) and jieba's words.

Three token streams are indexed for every article (`indexer.record` names the fields):

* words: jieba's words (its dictionary and `data/userdict.txt`, cut by jieba-rs), folded, for ranking;
* grams: the overlapping character bigrams of the article's *stream* — its Chinese characters and the letters
  and digits of any script in order, with the spaces and punctuation that clean-up removes left out (a mark
  between two digits or letters stays: 6.8 is not 68) — so any string typed that occurs in the text, whatever
  its mix of scripts and whatever jieba makes of it, is a phrase of these bigrams;
* chars: the distinct characters of the stream, for a query of one character.

Folding maps full-width forms, case (of any alphabet) and traditional/simplified variants to one search key
per character
(`data/fold.tsv`), so a query in either script matches articles in either script. Folding keeps the length of
the text, so offsets found in folded text are offsets in the text shown.

>>> words("朝陽北票經濟開發區")
['朝阳', '北票', '经济', '开发区']
>>> stream("第31屆 世界大學生運動會，C羅首登Nature！6.8億")
'第31届世界大学生运动会c罗首登nature6.8亿'
>>> grams("凌钢5G")
['凌钢', '钢5', '5g']
"""

from __future__ import annotations

import bisect
import functools
import pathlib
import re
from collections.abc import Callable
from itertools import accumulate

DATA = pathlib.Path(__file__).with_name("data")
USER_DICT = DATA / "userdict.txt"
FOLD_TABLE = DATA / "fold.tsv"
# The data files that shape what is indexed (an edit re-indexes every article).
INDEXING_DATA = (USER_DICT, FOLD_TABLE)

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Characters that print layouts separate with stray spaces and line breaks: ideographs, CJK punctuation,
# full-width forms and curly quotes.
_CJK_TEXT = HAN + "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d"
HAN_RUN = re.compile(f"[{HAN}]+")
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK_TEXT}])\\s+(?=[{_CJK_TEXT}])")
_SPACES = re.compile(r"[^\S\n]+")

# The stream of folded text: ideographs, and the letters and digits of any script ("searchable": what the
# regular expression \w matches, but "_"), and a joining mark where it stands alone between two letters or
# digits (6.8, 99-104, 5:30); the rest is left out.
SEARCHABLE = r"^\W_"  # a negated class: [SEARCHABLE] is a letter, digit or ideograph
_ALNUM = f"^\\W_{HAN}"  # a letter or digit that is not an ideograph
_JOINERS = r".\-_/:+&@#'"
_KEPT = re.compile(f"[{SEARCHABLE}]+|(?<=[{_ALNUM}])[{_JOINERS}](?=[{_ALNUM}])")
_WORD = re.compile(f"[{HAN}]+|[{_ALNUM}]+")


def is_han(char: str) -> bool:
    """Whether `char` is a Chinese ideograph."""
    return HAN_RUN.fullmatch(char) is not None


# ---------------------------------------------------------------------------------------------- clean-up


@functools.lru_cache(maxsize=16)  # one article's text is cleaned and folded by several readers of it
def clean(text: str) -> str:
    """Undo print-layout artefacts: no whitespace between CJK characters, other runs of spaces collapsed.

    Line breaks between Latin words or digits stay (as one space), so the text keeps its word boundaries.

    >>> clean("朝 阳市凌源经济开发区\\n凌钢集团 钢焦一体 and 5G")
    '朝阳市凌源经济开发区凌钢集团钢焦一体 and 5G'
    """
    text = _SPACE_IN_CJK.sub("", text)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


# A line this long that does not end a sentence was cut by the print layout: the paragraph goes on below it.
WRAPPED_LINE = 40
_PARAGRAPH_END = "。！？!?；;…：:”’」』）)"
_CLOSING = "”’」』）)，,、。！？!?；;：:"


def paragraphs(text: str) -> list[str]:
    """An article body's paragraphs, cleaned, for display: each line is one, except that a line goes on in the
    next where the print layout cut it (seed 001 is printed in columns): a long line that does not end a
    sentence, a line with a quotation mark left open, or a next line that opens with closing punctuation.

    >>> paragraphs("标题\\n本报讯 记者报道\\n" + "长" * 40 + "\\n\\n续完。")
    ['标题', '本报讯记者报道', '长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长续完。']
    """
    found: list[str] = []
    goes_on = False
    for line in text.splitlines():
        line = clean(line)
        if not line:
            continue
        if found and (goes_on or line[0] in _CLOSING):
            found[-1] = clean(found[-1] + "\n" + line)
        else:
            found.append(line)
        last = found[-1]
        goes_on = (
            (len(last) >= WRAPPED_LINE and last[-1] not in _PARAGRAPH_END)
            or last.count('"') % 2 == 1
            or last.count("“") > last.count("”")
        )
    return found


# ---------------------------------------------------------------------------------------------- folding


def _width_table() -> dict[int, str]:
    table = {0xFF01 + i: chr(0x21 + i) for i in range(0x5E)}
    table[0x3000] = " "
    return table


@functools.cache
def tables() -> tuple[dict[int, str], dict[int, str]]:
    """(simplify, fold) translation tables; both map one character to one character."""
    simplify_ = _width_table()
    fold_ = {k: v.lower() for k, v in simplify_.items()}
    fold_.update({c: chr(c).lower() for c in range(ord("A"), ord("Z") + 1)})
    # Case in other alphabets (Latin with accents, Greek, Cyrillic …), where lower case is one character too.
    fold_.update(
        {c: chr(c).lower() for c in range(0x80, 0x2000) if chr(c).lower() != chr(c) and len(chr(c).lower()) == 1}
    )
    for line in FOLD_TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, key, simple = line.split("\t")
            fold_[ord(char)] = key
            if simple != char:
                simplify_[ord(char)] = simple
    for table in (simplify_, fold_):
        assert all(len(v) == 1 for v in table.values()), "folding must keep the text's length"
    return simplify_, fold_


def simplify(text: str) -> str:
    """Rewrite traditional-only characters and full-width forms as jieba's dictionary spells them."""
    return text.translate(tables()[0])


@functools.lru_cache(maxsize=16)
def fold(text: str) -> str:
    """The search key of `text`: width, case and script folded, same length as `text`.

    >>> fold("智慧園區 ＡＢＣ") == fold("智慧园区 abc")
    True
    """
    if len(text) < _LONG_TEXT:
        return text.translate(tables()[1])
    # str.translate looks each character up in a dict: an article (a snippet's text) is folded five times as
    # fast as an array of code points.
    import numpy as np  # here: the command line's quick paths never load it

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _fold_codes()
    inside = codes < len(table)
    folded = np.where(inside, table[np.where(inside, codes, 0)], codes)
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


_LONG_TEXT = 64


@functools.cache
def _fold_codes():
    """The fold table as an array: each code point's folded one (those past its end fold to themselves)."""
    import numpy as np

    table = tables()[1]
    codes = np.arange(max(table) + 1, dtype=np.uint32)
    codes[list(table)] = [ord(v) for v in table.values()]
    return codes


# ---------------------------------------------------------------------------------------------- the stream


def stream(text: str) -> str:
    """The searchable characters of `text`, folded: what recall is defined on (see the module docstring)."""
    return "".join(_KEPT.findall(fold(clean(text))))


def bigrams(chars: str) -> list[str]:
    """Overlapping pairs of characters: what a string of two or more must match, consecutively."""
    return list(map(str.__add__, chars, chars[1:]))


def grams(*texts: str) -> list[str]:
    """The bigrams of each text's stream, one after the other (none spans two texts: a phrase cannot run from
    a headline into the body)."""
    found: list[str] = []
    for text in texts:
        found += bigrams(stream(text))
    return found


def chars(*texts: str) -> list[str]:
    """The distinct ideographs, digits and letters of the texts' streams, in order of first occurrence."""
    return list(dict.fromkeys(_SEARCHABLE_CHAR.findall("".join(map(stream, texts)))))


_SEARCHABLE_CHAR = re.compile(f"[{SEARCHABLE}]")


def located_stream(folded: str) -> tuple[str, Located]:
    """The stream of already folded (and cleaned) text, and where in it each of the stream's characters is:
    a string found in the stream is found in the text, with the left-out marks between its characters.

    >>> chars, where = located_stream(fold("首登《Nature》"))
    >>> chars, [where[i] for i in range(len(chars))]
    ('首登nature', [0, 1, 3, 4, 5, 6, 7, 8])
    """
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    at = 0
    for m in _KEPT.finditer(folded):
        piece = m.group()
        pieces.append(piece)
        starts.append(at)
        origins.append(m.start())
        at += len(piece)
    return "".join(pieces), Located(starts, origins)


class Located:
    """Where each character of a text's stream is in the text. The stream is runs of the text's characters,
    so a run's start in each is kept (an offset per character took most of a snippet's time)."""

    def __init__(self, starts: list[int], origins: list[int]):
        self._starts, self._origins = starts, origins

    def __getitem__(self, i: int) -> int:
        run = bisect.bisect_right(self._starts, i) - 1
        return self._origins[run] + i - self._starts[run]


# ---------------------------------------------------------------------------------------------- words


@functools.cache
def _jieba():
    """jieba-rs with the user dictionary, loaded once (a fraction of a second) on first use.

    jieba-rs gives jieba's own words for Chinese text at about 14 times its speed (it differs only in how it
    groups digits and letters joined by `.`, `-` or `_`); tests/test_analysis.py checks it against jieba."""
    import rjieba

    tokenizer = rjieba.Jieba()
    for word, freq, tag in user_words():
        tokenizer.add_word(word, freq, tag)
    return tokenizer


def user_words() -> list[tuple[str, int | None, str | None]]:
    """The user dictionary's entries: (word, frequency or None, part of speech or None), as jieba reads them."""
    entries = []
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = next((int(p) for p in parts[1:] if p.isdigit()), None)
        tag = next((p for p in parts[1:] if not p.isdigit()), None)
        entries.append((parts[0], freq, tag))
    return entries


def segment(text: str) -> list[str]:
    """jieba's words of `text` (accurate mode with its HMM), which concatenate back to `text`."""
    return _jieba().cut(simplify(text), True)


def word_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets in `text` of each of jieba's words (the segmentation `words` uses), spaces and
    punctuation included, so the spans tile `text`.

    >>> word_spans("福建平潭")
    [(0, 2), (2, 4)]
    """
    return cut(text)[1]


def words(text: str) -> list[str]:
    """jieba's words of `text`, folded; spaces and punctuation dropped. A word's position is its index."""
    return cut(text)[0]


def cut(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """`words(text)` and `word_spans(text)` from one segmentation (the indexer needs both)."""
    simple = simplify(text)
    folded = fold(simple)  # the same length: a word's key is the folded text at the word's offsets
    ends = list(accumulate(map(len, _jieba().cut(simple, True))))
    starts = [0, *ends[:-1]]
    keys = list(map(folded.__getitem__, map(slice, starts, ends)))
    word = _WORD_KEY.fullmatch
    found = []
    for k in keys:  # (one match per word: a build cuts millions)
        if word(k):
            found.append(k)
        elif (stripped := k.strip()) != k and word(stripped):
            found.append(stripped)
    return found, list(zip(starts, ends))


def release() -> None:
    """Free the segmenter's dictionary (a worker that has cut its last article needs the memory)."""
    _jieba.cache_clear()


# A word worth indexing: letters and digits (any script's: `str.isalnum`) or containing an ideograph.
_WORD_KEY = re.compile(f"[^\\W_]+|.*[{HAN}].*", re.S)


def query_words(text: str, known: Callable[[str], bool], longest: int = 8) -> list[str]:
    """The indexed words a query is made of: each Chinese run cut by longest match against `known` (the
    index's vocabulary), Latin and digit tokens whole.

    Cutting the query against what was indexed, on its search key, means a query is cut the way its
    articles were and the same in either script; and no dictionary has to be loaded to answer it.

    >>> query_words("朝陽北票經濟開發區", {"朝阳", "北票", "经济", "开发区", "开发"}.__contains__)
    ['朝阳', '北票', '经济', '开发区']
    """
    found: list[str] = []
    for match in _WORD.finditer(fold(clean(text))):
        token = match.group()
        if not is_han(token[0]):
            found.append(token)
            continue
        at = 0
        while at < len(token):
            size = next((n for n in range(min(longest, len(token) - at), 1, -1) if known(token[at : at + n])), 1)
            found.append(token[at : at + size])
            at += size
    return found
