"""A segment's share of the index's vocabulary (`lexicon.Lexicon`): its words made of Chinese characters with
their document frequency and readings, its headlines' frequent word n-grams ("phrases"), its headlines and
the readings of its names, in a file of our own inside the segment (like the facets' file).

`LexiconRecorder` collects them as `segment.SegmentBuilder` writes the segment — in the builder's worker
processes, so an update costs only its new segment; the readings (`pinyin.readings`) are the costly part.
`segment_data` reads the file back, or, for a segment Whoosh merged from others (no file), reads the same
from the segment's terms and stored titles, without readings (`lexicon.Lexicon` finds them).
"""

from __future__ import annotations

import pickle
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import analysis, codec, pinyin
from .metadata import gazetteer

EXTENSION = ".lex"
VERSION = 5
# Words and phrases up to this many characters get readings (the longest place name has 11).
MAX_CHARS = 12
# Readings kept per word: every reading of a polyphonic character, most likely first, up to this many.
READINGS = 4
# Headline phrases: runs of 2–4 adjacent words, kept in a segment's file when this many of its headlines
# have them (most runs occur once; the file would hold every headline again).
PHRASE_WORDS = (2, 3, 4)
PHRASE_MIN = 2
# Headlines are matched on their first this many characters.
HEADLINE_CHARS = 24
# A segment of fewer articles (a small update, built in the indexer's own process) is written without
# readings: reading its words would first load pypinyin's tables (about a second), and most of them are
# read already in the larger segments; `Lexicon` reads the rest when it is made.
READ_FROM = 400

# Kinds of entry, in the order suggestions rank them.
KINDS = ("zone", "place", "company", "word", "phrase", "headline")
ZONE, PLACE, COMPANY, WORD, PHRASE, HEADLINE = range(len(KINDS))


def is_word(text: str) -> bool:
    """Whether `text` is made of Chinese characters only, up to `MAX_CHARS` (what gets readings)."""
    return 0 < len(text) <= MAX_CHARS and analysis.HAN_RUN.fullmatch(text) is not None


def keys_of(text: str, limit: int = READINGS) -> list[str]:
    """`text`'s readings as lookup keys: syllables joined by spaces ("ling yuan"), most likely first."""
    return [" ".join(r) for r in pinyin.readings(text, limit)]


def initials_of(key: str) -> str:
    """ "ling yuan" → "ly"."""
    return "".join(s[0] for s in key.split())


def gazetteer_names() -> list[tuple[str, int, str]]:
    """The zones' full and short names and their places in simplified script (the index folds the others to
    them): (name, ZONE or PLACE, the zone's full name)."""
    found: dict[str, tuple[str, int, str]] = {}
    for zone in gazetteer()[1]:
        for name in (zone.name, zone.short):
            found.setdefault(name, (name, ZONE, zone.name))
        for place in zone.places:
            if analysis.fold(place) == place:
                found.setdefault(place, (place, PLACE, zone.name))
    return list(found.values())


def dictionary_names() -> list[tuple[str, int]]:
    """The user dictionary's place and organisation names (parts of speech ns, nt): (name, PLACE or COMPANY)."""
    kinds = {"ns": PLACE, "nt": COMPANY}
    return [(word, kinds[tag]) for word, _, tag in analysis.user_words() if tag in kinds and is_word(word)]


class Keys:
    """Readings of texts as parallel arrays: key (ASCII bytes), initials, which text (a number), rank."""

    def __init__(self, keys: Iterable[list[str] | None], packed: bool = False):
        """`packed`: keys and initials as `strings` packs them for a file (no arrays made on the way)."""
        # Built a text at a time (`keys` may be a generator): a segment's words have a few hundred thousand.
        encoded: list[bytes] = []
        initials: list[bytes] = []
        text, rank = array("i"), array("b")
        for i, ks in enumerate(keys):
            for r, k in enumerate(ks or ()):
                encoded.append(k.encode())
                initials.append(initials_of(k).encode())
                text.append(i)
                rank.append(r)
        self.keys: Any = strings(encoded, packed, "S")
        self.initials: Any = strings(initials, packed, "S")
        self.text = np.frombuffer(text, dtype=np.int32).copy() if len(text) else np.zeros(0, dtype=np.int32)
        self.rank = np.frombuffer(rank, dtype=np.int8).copy() if len(rank) else np.zeros(0, dtype=np.int8)

    def to_dict(self) -> dict:
        return {"keys": self.keys, "initials": self.initials, "text": self.text, "rank": self.rank}


def texts(values) -> np.ndarray:
    return strings(list(values))


def strings(values: list, packed: bool = False, kind: str = "U"):
    """Strings (or bytes) as a numpy array, or `packed` for a segment's file: joined, since a fixed-width
    array takes its longest string's room for each (five times the bytes; it was a build's peak memory).
    `kind`: "U" for str, "S" for bytes."""
    if packed:
        return ("joined", kind, (_SEPARATOR.encode() if kind == "S" else _SEPARATOR).join(values), len(values))
    return np.array(values or [""], dtype=np.bytes_ if kind == "S" else np.str_)[: len(values)]


class LexiconRecorder:
    """Collects a new segment's headlines, phrases and company names document by document, and its words
    with their document frequency as the builder writes the `words` field; `dump` adds the readings."""

    def __init__(self):
        self.titles: list[str] = []
        self.title_docs: list[int] = []
        self.phrases: Counter = Counter()
        self.companies: set[str] = set()
        self.words: list[str] = []
        self.dfs: list[int] = []

    def add(self, docnum: int, fields: dict) -> None:
        title = (fields.get("title") or "").strip()
        if title:
            self.titles.append(title)
            self.title_docs.append(docnum)
            self.phrases.update(set(headline_phrases(title, fields.get("title_words"))))
        self.companies.update(v for v in (fields.get("company") or "").split(",") if v)

    def word(self, term: str, df: int) -> None:
        """A term of the `words` field and its document frequency (terms come in order, each once)."""
        if is_word(term):
            self.words.append(term)
            self.dfs.append(df)

    def dump(self) -> bytes:
        """The segment's data, with readings if it has `READ_FROM` articles or more, for its file."""
        return pickle.dumps(self.data(readings=len(self.title_docs) >= READ_FROM, packed=True), 5)

    def data(self, readings: bool, packed: bool = False) -> dict:
        """The segment's data (without `readings`, no readings: `Lexicon` finds them); `packed`: its strings
        as `strings` packs them for the file."""
        phrases = sorted(p for p, n in self.phrases.items() if n >= PHRASE_MIN)
        names = {
            n
            for n in self.companies
            | {name for name, _, _ in gazetteer_names()}
            | {name for name, _ in dictionary_names()}
            if is_word(n)
        }
        return {
            "version": VERSION,
            # The readings were made with these corrections of pypinyin (`_fresh` redoes those that an edit of
            # readings.toml changes since).
            "overrides": dict(pinyin.overrides()),
            "read": readings,
            "words": strings(self.words, packed),
            "df": np.array(self.dfs, dtype=np.int32),
            # Readings of the words found in two articles or more, and of names: a large index leaves its
            # hapaxes out (`Lexicon`), and a word found once here and once in another segment is read then.
            "word_keys": Keys(
                (keys_of(w) if df >= 2 or w in names else None for w, df in zip(self.words, self.dfs))
                if readings
                else [],
                packed,
            ).to_dict(),
            "phrases": strings(phrases, packed),
            "phrase_count": np.array([self.phrases[p] for p in phrases], dtype=np.int32),
            "phrase_keys": Keys([keys_of(p, 1) for p in phrases] if readings else [], packed).to_dict(),
            "titles": self.titles,
            # What a typed prefix is matched with: the headline folded (either script), its start.
            "title_keys": strings(
                [analysis.fold(t)[:HEADLINE_CHARS].replace(_SEPARATOR, " ") for t in self.titles], packed
            ),
            "title_docs": np.array(self.title_docs, dtype=np.int32),
            "names": {n: keys_of(n) for n in sorted(names)} if readings else {},
        }


def headline_phrases(title: str, tokens: list[str] | str | None = None) -> list[str]:
    """Runs of 2–4 adjacent words of a headline made of Chinese characters (not across punctuation).

    `tokens` are the headline's words as `analysis.words` gives them (cut again when not given)."""
    simple = analysis.fold(analysis.simplify(title))
    if tokens is None:
        tokens = analysis.words(title)
    elif isinstance(tokens, str):
        tokens = tokens.split()
    runs: list[list[str]] = []
    at = 0
    for token in tokens:
        start = simple.find(token, at)
        if start < 0:
            continue
        if not is_word(token) or start != at or not runs:
            runs.append([])
        if is_word(token):
            runs[-1].append(token)
        at = start + len(token)
    found = []
    for run in runs:
        for n in PHRASE_WORDS:
            for i in range(len(run) - n + 1):
                phrase = "".join(run[i : i + n])
                if len(phrase) <= MAX_CHARS:
                    found.append(phrase)
    return found


_SEPARATOR = "\0"


def _unpacked(data):
    if isinstance(data, dict):
        return {k: _unpacked(v) for k, v in data.items()}
    if isinstance(data, tuple) and len(data) == 4 and data[0] == "joined":
        _, kind, joined, count = data
        values = joined.split(_SEPARATOR if kind == "U" else _SEPARATOR.encode()) if count else []
        return np.array(values or [""], dtype=np.str_ if kind == "U" else np.bytes_)[:count]
    return data


def segment_data(leaf) -> dict:
    """A segment's lexicon data: its own file, or else (a segment Whoosh merged) read from its terms and
    stored headlines, without readings."""
    raw = codec.read_extra(leaf, EXTENSION)
    data = pickle.loads(raw) if raw is not None else None
    if data is not None and data.get("version") == VERSION:
        return _unpacked(data)
    recorder = LexiconRecorder()
    if "words" in leaf.schema:
        for term in leaf.lexicon("words"):
            recorder.word(term.decode("utf-8"), leaf.doc_frequency("words", term))
    for docnum in range(leaf.doc_count_all()):
        fields = leaf.stored_fields(docnum)
        recorder.add(docnum, {"title": fields.get("title"), "company": fields.get("company")})
    return recorder.data(readings=False)


def fresh(data: dict) -> None:
    """Redo the readings of a segment's data that an edit of readings.toml has changed since it was written
    (readings.toml shapes no index field, so editing it re-indexes nothing)."""
    now = pinyin.overrides()
    then = data["overrides"]
    if then == now or not data["read"]:
        return
    changed = [w for w in then.keys() | now.keys() if then.get(w) != now.get(w)]
    for texts, name, limit in ((data["words"], "word_keys", READINGS), (data["phrases"], "phrase_keys", 1)):
        stale = np.zeros(len(texts), dtype=bool)
        for word in changed:
            stale |= np.strings.find(texts, word) >= 0
        if stale.any():
            keys: list[list[str] | None] = [None] * len(texts)
            for i in np.flatnonzero(stale).tolist():
                keys[i] = keys_of(str(texts[i]), limit)
            old, new = data[name], Keys(keys).to_dict()
            keep = ~stale[old["text"]]
            data[name] = {k: np.concatenate([old[k][keep], new[k]]) for k in old}
    data["names"] = {n: keys_of(n) if any(w in n for w in changed) else k for n, k in data["names"].items()}
    data["overrides"] = dict(now)
