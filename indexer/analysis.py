"""Chinese text analysis: clean → simplify → jieba → fold, and character n-grams for exact recall.

Two token streams are indexed for every article:

* `words`: jieba's words (with the user dictionary of local names), for ranking;
* `grams`: overlapping character bigrams of each run of Chinese characters (the run's last character alone
  closes it) and whole Latin/digit tokens; any string typed that occurs in the text occurs among these as a
  phrase, so recall never depends on where jieba happens to cut.

Both streams are folded: full-width forms to ASCII, lower case, and traditional/simplified variants to one
search key per character (`data/fold.tsv`), so a query in either script matches articles in either script.
Folding keeps the length of the text, so offsets found in folded text are offsets in the text shown.

>>> words("朝陽北票經濟開發區")
['朝阳', '北票', '经济', '开发区']
>>> grams("凌钢集团 5G")
['凌钢', '钢集', '集团', '团', '5g']
"""

from __future__ import annotations

import functools
import io
import logging
import pathlib
import re
from collections.abc import Callable

DATA = pathlib.Path(__file__).with_name("data")
USER_DICT = DATA / "userdict.txt"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Characters that print layouts separate with stray spaces and line breaks: ideographs, CJK punctuation,
# full-width forms and curly quotes.
_CJK_TEXT = _HAN + "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d"
HAN_RUN = re.compile(f"[{_HAN}]+")
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK_TEXT}])\\s+(?=[{_CJK_TEXT}])")
_SPACES = re.compile(r"[^\S\n]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_GRAM_TOKEN = re.compile(f"[{_HAN}]+|[0-9a-z]+(?:[.][0-9]+)*")


def is_han(char: str) -> bool:
    """Whether `char` is a Chinese ideograph."""
    return HAN_RUN.fullmatch(char) is not None


# ---------------------------------------------------------------------------------------------- clean-up

def clean(text: str) -> str:
    """Undo print-layout artefacts: no whitespace between CJK characters, other runs of spaces collapsed.

    Line breaks between Latin words or digits stay (as one space), so the text keeps its word boundaries.

    >>> clean("朝 阳市凌源经济开发区\\n凌钢集团 钢焦一体 and 5G")
    '朝阳市凌源经济开发区凌钢集团钢焦一体 and 5G'
    """
    text = _SPACE_IN_CJK.sub("", text)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def paragraphs(text: str) -> list[str]:
    """Split an article body into cleaned paragraphs, for display."""
    return [p for p in (clean(block) for block in _PARAGRAPH_BREAK.split(text)) if p]


# ---------------------------------------------------------------------------------------------- folding

def _width_table() -> dict[int, str]:
    table = {0xFF01 + i: chr(0x21 + i) for i in range(0x5E)}
    table[0x3000] = " "
    return table


@functools.cache
def _tables() -> tuple[dict[int, str], dict[int, str]]:
    """(simplify, fold) translation tables; both map one character to one character."""
    simplify = _width_table()
    fold = {k: v.lower() for k, v in simplify.items()}
    fold.update({c: chr(c).lower() for c in range(ord("A"), ord("Z") + 1)})
    for line in (DATA / "fold.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, key, simple = line.split("\t")
            fold[ord(char)] = key
            if simple != char:
                simplify[ord(char)] = simple
    for table in (simplify, fold):
        assert all(len(v) == 1 for v in table.values()), "folding must keep the text's length"
    return simplify, fold


def simplify(text: str) -> str:
    """Rewrite traditional-only characters and full-width forms as jieba's dictionary spells them."""
    return text.translate(_tables()[0])


def fold(text: str) -> str:
    """The search key of `text`: width, case and script folded, same length as `text`.

    >>> fold("智慧園區 ＡＢＣ") == fold("智慧园区 abc")
    True
    """
    return text.translate(_tables()[1])


# ---------------------------------------------------------------------------------------------- tokens

@functools.cache
def _jieba():
    """A jieba tokenizer with the user dictionary, loaded once (about half a second) on first use."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it logs "Building prefix dict…" on every load otherwise
    tokenizer = jieba.Tokenizer()
    lines = USER_DICT.read_text(encoding="utf-8").splitlines()
    tokenizer.load_userdict(io.StringIO("\n".join(l for l in lines if not l.startswith("#"))))
    return tokenizer


def words(text: str) -> list[str]:
    """jieba's words of `text`, folded; spaces and punctuation dropped. A word's position is its index."""
    return _cut(simplify(text))


def query_words(text: str, known: Callable[[str], bool], longest: int = 8) -> list[str]:
    """The indexed words a query is made of: each Chinese run cut by longest match against `known` (the
    index's vocabulary), Latin and digit tokens whole.

    Cutting the query against what was indexed, on its search key, means a query is cut the way its
    articles were and the same in either script; and no dictionary has to be loaded to answer it.

    >>> query_words("朝陽北票經濟開發區", {"朝阳", "北票", "经济", "开发区", "开发"}.__contains__)
    ['朝阳', '北票', '经济', '开发区']
    """
    found: list[str] = []
    for match in _GRAM_TOKEN.finditer(fold(text)):
        token = match.group()
        if not is_han(token[0]):
            found.append(token)
            continue
        at = 0
        while at < len(token):
            size = next((n for n in range(min(longest, len(token) - at), 1, -1) if known(token[at:at + n])), 1)
            found.append(token[at:at + size])
            at += size
    return found


def _cut(text: str) -> list[str]:
    found = []
    for word in _jieba().cut(text):
        key = fold(word).strip()
        if key and (key.isalnum() or HAN_RUN.search(key)):
            found.append(key)
    return found


def grams(text: str) -> list[str]:
    """Character bigrams of each Chinese run (closed by its last character alone) and Latin/digit tokens."""
    found: list[str] = []
    for match in _GRAM_TOKEN.finditer(fold(text)):
        token = match.group()
        if is_han(token[0]):
            found.extend(token[i:i + 2] for i in range(len(token)))
        else:
            found.append(token)
    return found


def query_grams(text: str) -> list[str]:
    """The grams a phrase must match consecutively: like `grams` but without the closing unigram of a run,
    which in an article is followed by more characters when the run continues there."""
    found: list[str] = []
    for match in _GRAM_TOKEN.finditer(fold(text)):
        token = match.group()
        if is_han(token[0]) and len(token) > 1:
            found.extend(token[i:i + 2] for i in range(len(token) - 1))
        else:
            found.append(token)
    return found
