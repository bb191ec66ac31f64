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
import hashlib
import io
import logging
import marshal
import math
import mmap
import os
import pathlib
import re
import threading
from collections.abc import Callable

DATA = pathlib.Path(__file__).with_name("data")
USER_DICT = DATA / "userdict.txt"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Characters that print layouts separate with stray spaces and line breaks: ideographs, CJK punctuation,
# full-width forms and curly quotes.
_CJK_TEXT = _HAN + "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d"
HAN_RUN = re.compile(f"[{_HAN}]+")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK_TEXT}])\\s+(?=[{_CJK_TEXT}])")
_SPACES = re.compile(r"[^\S\n]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_GRAM_TOKEN = re.compile(f"[{_HAN}]+|[0-9a-z]+(?:[.][0-9]+)*")


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


@functools.lru_cache(maxsize=16)
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
    """jieba's words of `text`, folded; spaces and punctuation dropped. A word's position is its index.

    The words are jieba's accurate mode with its HMM for unknown words (`jieba.Tokenizer.cut`), computed by
    `_Segmenter`, which gives the same words in about half the time.
    """
    text = simplify(text)
    folded = fold(text)  # the same length: a word's key is the folded text at the word's offsets
    found = []
    at = 0
    han = HAN_RUN.search
    for word in _segmenter().cut(text):
        end = at + len(word)
        key = folded[at:end].strip()
        at = end
        if key and (key.isalnum() or han(key)):
            found.append(key)
    return found


def word_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets in `text` of each of jieba's words (the segmentation `words` uses), spaces and
    punctuation included, so the spans tile `text`.

    >>> word_spans("福建平潭")
    [(0, 2), (2, 4)]
    """
    spans = []
    at = 0
    for word in _segmenter().cut(simplify(text)):
        spans.append((at, at + len(word)))
        at += len(word)
    return spans


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
    """`words` the plain way, through jieba's own `cut` (the reference `_Segmenter` is tested against)."""
    found = []
    for word in _jieba().cut(text):
        key = fold(word).strip()
        if key and (key.isalnum() or HAN_RUN.search(key)):
            found.append(key)
    return found


# jieba's split of a text into blocks it segments (ideographs, Latin letters, digits and a few joiners) and
# the rest, cut into whitespace runs and single characters (`jieba.re_han_default`, `jieba.re_skip_default`).
_JIEBA_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
_JIEBA_SKIP = re.compile(r"(\r\n|\s)")


class _Segmenter:
    """jieba's accurate-mode segmentation with HMM (`Tokenizer.cut(text)`), word for word, in fewer steps.

    jieba builds a DAG of the dictionary words starting at each character, then picks the most probable
    route right to left (`log(freq) - log(total)` summed; ties go to the longer word) and hands runs of
    single characters that are not a word to its HMM (`jieba.finalseg`). Here the DAG and the route are one
    pass over a dictionary of log probabilities, and the HMM's answers are cached.

    The dictionary (jieba's, with the user dictionary) is computed once and kept in a cache file
    (`_Dictionary`), cut by first character and loaded by the characters a text holds: cutting one article
    neither imports jieba nor loads its 350,000 words. `tests/test_build.py` checks the words against
    jieba's own on every kind of text.
    """

    _NOT_A_WORD = 1.0  # a prefix of dictionary words that is not a word itself (no log probability is > 0)
    _HMM_CACHE = 50_000

    def __init__(self, dictionary: "_Dictionary"):
        self._dictionary = dictionary
        self._logp = dictionary.logp
        self._logtotal = dictionary.logtotal
        self._hmm_cache: dict[str, list[str]] = {}

    def _unknown(self, run: str) -> list[str]:
        """jieba's handling of a run of single characters between dictionary words."""
        if len(run) == 1:
            return [run]
        lp = self._logp.get(run)
        if lp is not None and lp <= 0.0:  # a word after all (jieba: FREQ.get(buf) is truthy)
            return list(run)
        cached = self._hmm_cache.get(run)
        if cached is None:
            if len(self._hmm_cache) >= self._HMM_CACHE:
                self._hmm_cache.clear()
            cached = self._hmm_cache[run] = self._dictionary.hmm().cut(run)
        return cached

    def _block(self, sentence: str, out: list[str]) -> None:
        logp = self._logp.get
        n = len(sentence)
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        fallback = 0.0 - self._logtotal  # jieba: log(FREQ.get(char) or 1) - logtotal
        for start in range(n - 1, -1, -1):
            best = None
            best_end = start
            i = start
            lp = logp(sentence[start])
            while lp is not None:
                if lp <= 0.0:
                    s = lp + score[i + 1]
                    if best is None or s >= best:
                        best, best_end = s, i
                i += 1
                if i >= n:
                    break
                lp = logp(sentence[start:i + 1])
            if best is None:
                best = fallback + score[start + 1]
            score[start] = best
            end[start] = best_end
        at = 0
        run = ""
        while at < n:
            stop = end[at] + 1
            if stop - at == 1:
                run += sentence[at]
            else:
                if run:
                    out.extend(self._unknown(run))
                    run = ""
                out.append(sentence[at:stop])
            at = stop
        if run:
            out.extend(self._unknown(run))

    def cut(self, text: str) -> list[str]:
        """jieba's words of `text`, which concatenate back to `text`."""
        self._dictionary.require(text)
        out: list[str] = []
        for block in _JIEBA_BLOCK.split(text):
            if not block:
                continue
            if _JIEBA_BLOCK.match(block):
                self._block(block, out)
            else:
                for part in _JIEBA_SKIP.split(block):
                    if _JIEBA_SKIP.match(part):
                        out.append(part)
                    else:
                        out.extend(part)
        return out


@functools.cache
def _segmenter() -> _Segmenter:
    return _Segmenter(_Dictionary.load())


def release() -> None:
    """Drop the segmenter's dictionary (reloaded when words are cut again)."""
    _segmenter.cache_clear()
    _jieba.cache_clear()


class _Dictionary:
    """jieba's dictionary with the user dictionary, as `_Segmenter` needs it: word → log probability (or
    `_Segmenter._NOT_A_WORD` for prefixes), loaded by first character as texts need them.

    Made from jieba once (a second or two) and cached in a file beside jieba's own cache, named by what it
    is made of (jieba's version and dictionary, the user dictionary, this format), so an edit of any of them
    makes a new one. Without a writable cache folder it is made in memory each time.
    """

    _FORMAT = b"chaoyang-search segmenter dictionary 1\n"

    def __init__(self, logtotal: float, shards: dict[str, tuple[int, int]], data, force_split: frozenset[str],
                 hmm_model: tuple):
        self.logtotal = logtotal
        self.logp: dict[str, float] = {}
        self._shards = shards
        self._data = data
        self._loaded: set[str] = set()
        self._lock = threading.Lock()
        self._force_split = force_split
        self._hmm_model = hmm_model
        self._hmm: _Hmm | None = None

    def require(self, text: str) -> None:
        """Load the words starting with any character of `text`."""
        if self._loaded.issuperset(text):
            return
        with self._lock:
            for char in set(text).difference(self._loaded):
                span = self._shards.get(char)
                if span:
                    self.logp.update(marshal.loads(self._data[span[0]:span[1]]))
                self._loaded.add(char)

    def hmm(self) -> "_Hmm":
        if self._hmm is None:
            self._hmm = _Hmm(*self._hmm_model, self._force_split)
        return self._hmm

    @classmethod
    def load(cls) -> "_Dictionary":
        path = cls._cache_path()
        if path is not None:
            try:
                with open(path, "rb") as f:
                    data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                if data[:len(cls._FORMAT)] == cls._FORMAT:
                    head = len(cls._FORMAT) + 8
                    size = int.from_bytes(data[len(cls._FORMAT):head], "big")
                    logtotal, shards, force_split, model = marshal.loads(data[head:head + size])
                    return cls(logtotal, shards, data, frozenset(force_split), model)
            except (OSError, ValueError, EOFError, TypeError):
                pass
        blob = cls._make()
        if path is not None:
            try:
                temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                temp.write_bytes(blob)
                os.replace(temp, path)
            except OSError:
                pass
        head = len(cls._FORMAT) + 8
        size = int.from_bytes(blob[len(cls._FORMAT):head], "big")
        logtotal, shards, force_split, model = marshal.loads(blob[head:head + size])
        return cls(logtotal, shards, blob, frozenset(force_split), model)

    @classmethod
    def _cache_path(cls) -> pathlib.Path | None:
        import importlib.metadata
        import importlib.util
        import tempfile

        try:
            spec = importlib.util.find_spec("jieba")
            main_dict = pathlib.Path(spec.origin).with_name("dict.txt").stat()
            version = importlib.metadata.version("jieba")
        except (ImportError, AttributeError, OSError, ValueError):
            return None
        digest = hashlib.sha1(cls._FORMAT + f"{version}\0{main_dict.st_size}\0{main_dict.st_mtime_ns}\0".encode()
                              + USER_DICT.read_bytes()).hexdigest()[:16]
        return pathlib.Path(tempfile.gettempdir()) / f"chaoyang-search-words-{digest}.bin"

    @classmethod
    def _make(cls) -> bytes:
        """The cache file's bytes, from jieba."""
        from jieba import finalseg

        tokenizer = _jieba()
        tokenizer.check_initialized()
        logtotal = math.log(tokenizer.total)
        not_a_word = _Segmenter._NOT_A_WORD
        by_first: dict[str, dict[str, float]] = {}
        for word, freq in tokenizer.FREQ.items():
            if word:
                # the very float jieba computes: the same operations in the same order
                by_first.setdefault(word[0], {})[word] = math.log(freq) - logtotal if freq else not_a_word
        shards, blobs, at = {}, [], 0
        for char, words_ in by_first.items():
            blob = marshal.dumps(words_)
            shards[char] = (at, at + len(blob))
            blobs.append(blob)
            at += len(blob)
        model = (finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
        head = marshal.dumps((logtotal, shards, sorted(finalseg.Force_Split_Words), model))
        offset = len(cls._FORMAT) + 8 + len(head)
        shards = {char: (a + offset, b + offset) for char, (a, b) in shards.items()}
        head = marshal.dumps((logtotal, shards, sorted(finalseg.Force_Split_Words), model))
        # the header's size does not change with the offsets' values only if they marshal alike: recompute
        offset2 = len(cls._FORMAT) + 8 + len(head)
        if offset2 != offset:
            shards = {char: (a - offset + offset2, b - offset + offset2) for char, (a, b) in shards.items()}
            head = marshal.dumps((logtotal, shards, sorted(finalseg.Force_Split_Words), model))
            assert len(cls._FORMAT) + 8 + len(head) == offset2
        _jieba.cache_clear()  # jieba's own dictionary is not needed any more
        return cls._FORMAT + len(head).to_bytes(8, "big") + head + b"".join(blobs)


class _Hmm:
    """jieba's HMM for runs of characters its dictionary does not cut (`jieba.finalseg.cut`), the same
    algorithm on the same model (copied into the dictionary cache, so jieba need not be imported)."""

    _MIN_FLOAT = -3.14e100
    _PREV = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}
    _HAN = re.compile("([\u4E00-\u9FD5]+)")
    _SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")

    def __init__(self, start_p: dict, trans_p: dict, emit_p: dict, force_split: frozenset[str]):
        self.start_p, self.trans_p, self.emit_p, self.force_split = start_p, trans_p, emit_p, force_split

    def _viterbi(self, obs: str) -> list[str]:
        start_p, trans_p, emit_p, floor, prev = self.start_p, self.trans_p, self.emit_p, self._MIN_FLOAT, self._PREV
        states = "BMES"
        v = [{}]
        path = {}
        for y in states:
            v[0][y] = start_p[y] + emit_p[y].get(obs[0], floor)
            path[y] = [y]
        for t in range(1, len(obs)):
            v.append({})
            newpath = {}
            for y in states:
                em_p = emit_p[y].get(obs[t], floor)
                prob, state = max([(v[t - 1][y0] + trans_p[y0].get(y, floor) + em_p, y0) for y0 in prev[y]])
                v[t][y] = prob
                newpath[y] = path[state] + [y]
            path = newpath
        _, state = max((v[len(obs) - 1][y], y) for y in "ES")
        return path[state]

    def _cut_han(self, sentence: str) -> list[str]:
        out = []
        begin = nexti = 0
        for i, (char, pos) in enumerate(zip(sentence, self._viterbi(sentence))):
            if pos == "B":
                begin = i
            elif pos == "E":
                out.append(sentence[begin:i + 1])
                nexti = i + 1
            elif pos == "S":
                out.append(char)
                nexti = i + 1
        if nexti < len(sentence):
            out.append(sentence[nexti:])
        return out

    def cut(self, sentence: str) -> list[str]:
        out: list[str] = []
        for block in self._HAN.split(sentence):
            if self._HAN.match(block):
                for word in self._cut_han(block):
                    if word in self.force_split:
                        out.extend(word)
                    else:
                        out.append(word)
            else:
                out.extend(x for x in self._SKIP.split(block) if x)
        return out


def grams(text: str) -> list[str]:
    """Character bigrams of each Chinese run (closed by its last character alone) and Latin/digit tokens."""
    found: list[str] = []
    han = _HAN_CHAR.match
    for token in _GRAM_TOKEN.findall(fold(text)):
        if han(token):
            found += map(str.__add__, token, token[1:])
            found.append(token[-1])
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
