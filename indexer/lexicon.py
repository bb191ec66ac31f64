"""The index's own vocabulary, for help with typing: words with their readings, headline phrases, headlines.

Pinyin is never indexed for article text. Instead every segment carries, in a file of its own written by the
builder's worker processes (`LexiconRecorder`, like the facets' file), its `words` terms made of Chinese
characters with their document frequency and readings (`pinyin.readings`), the frequent word n-grams of its
headlines ("phrases") with theirs, its headlines, and the readings of its company names. A segment without
such a file (one Whoosh merged from others) is read from its terms and stored titles, its words' readings
taken from the other segments or read when the lexicon is made; so are those of a small segment, which is
written without readings (`READ_FROM`).

An index generation's segments are merged into one `Lexicon` in memory (`for_searcher`: made on first use,
cached per generation like `Index.facet_sets`): entries — zone, place and company names, words, phrases,
headlines — with a kind and a count, and sorted arrays over their texts, readings (syllables joined by
spaces, "ling yuan") and initials ("ly") answering exact and prefix lookups by bisection. Arrays, not Python
objects: a 10,000-article index's lexicon is made in a fraction of a second.
"""

from __future__ import annotations

import pickle
import threading
import weakref
from collections import Counter

import numpy as np

from . import analysis, codec, pinyin
from .metadata import gazetteer

EXTENSION = ".lex"
VERSION = 3
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
# In an index of at least this many articles, words found in one article only (half the vocabulary: names
# cut wrongly, typos, rare compounds) are left out: they would double the memory and are never a better
# guess than a word found twice. A small index keeps them all.
HAPAX_FROM = 2000
# A segment of fewer articles (a small update, built in the indexer's own process) is written without
# readings: reading its words would first load pypinyin's tables (about a second), and most of them are
# read already in the larger segments; `Lexicon` reads the rest when it is made.
READ_FROM = 400

# A name (zone, place, company) weighs this many times the articles it is in when typed pinyin or a typo is
# read: the archive is about these places and companies (柳城 before 流程 for liucheng).
NAME_WEIGHT = 50

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
    """"ling yuan" → "ly"."""
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


class _Keys:
    """Readings of texts as parallel arrays: key (ASCII bytes), initials, which text (a number), rank."""

    def __init__(self, keys: list[list[str] | None]):
        flat = [(k, i, r) for i, ks in enumerate(keys) for r, k in enumerate(ks or ())]
        self.keys = np.array([k.encode() for k, _, _ in flat] or [b""], dtype=np.bytes_)[:len(flat)]
        self.initials = np.array([initials_of(k).encode() for k, _, _ in flat] or [b""], dtype=np.bytes_)[:len(flat)]
        self.text = np.array([i for _, i, _ in flat], dtype=np.int32)
        self.rank = np.array([r for _, _, r in flat], dtype=np.int8)

    def to_dict(self) -> dict:
        return {"keys": self.keys, "initials": self.initials, "text": self.text, "rank": self.rank}


def _texts(values) -> np.ndarray:
    return np.array(list(values) or [""], dtype=np.str_)[:len(values)]


# ---------------------------------------------------------------------------------------------- per segment

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
        """The segment's data, with readings if it has `READ_FROM` articles or more."""
        return pickle.dumps(self.data(readings=len(self.title_docs) >= READ_FROM), 5)

    def data(self, readings: bool) -> dict:
        """The segment's data (without `readings`, no readings: `Lexicon` finds them)."""
        phrases = sorted(p for p, n in self.phrases.items() if n >= PHRASE_MIN)
        names = sorted({n for n in self.companies | {name for name, _, _ in gazetteer_names()} |
                        {name for name, _ in dictionary_names()} if is_word(n)})
        return {
            "version": VERSION,
            # The readings were made with these corrections of pypinyin (`_fresh` redoes those that an edit of
            # readings.toml changes since).
            "overrides": dict(pinyin.overrides()),
            "read": readings,
            "words": _texts(self.words),
            "df": np.array(self.dfs, dtype=np.int32),
            "word_keys": _Keys([keys_of(w) for w in self.words] if readings else []).to_dict(),
            "phrases": _texts(phrases),
            "phrase_count": np.array([self.phrases[p] for p in phrases], dtype=np.int32),
            "phrase_keys": _Keys([keys_of(p, 1) for p in phrases] if readings else []).to_dict(),
            "titles": self.titles,
            # What a typed prefix is matched with: the headline folded (either script), its start.
            "title_keys": _texts([analysis.fold(t)[:HEADLINE_CHARS] for t in self.titles]),
            "title_docs": np.array(self.title_docs, dtype=np.int32),
            "names": {n: keys_of(n) for n in names} if readings else {},
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
                phrase = "".join(run[i:i + n])
                if len(phrase) <= MAX_CHARS:
                    found.append(phrase)
    return found


def segment_data(leaf) -> dict:
    """A segment's lexicon data: its own file, or else (a segment Whoosh merged) read from its terms and
    stored headlines, without readings."""
    raw = codec.read_extra(leaf, EXTENSION)
    data = pickle.loads(raw) if raw is not None else None
    if data is not None and data.get("version") == VERSION:
        return data
    recorder = LexiconRecorder()
    if "words" in leaf.schema:
        for term in leaf.lexicon("words"):
            recorder.word(term.decode("utf-8"), leaf.doc_frequency("words", term))
    for docnum in range(leaf.doc_count_all()):
        fields = leaf.stored_fields(docnum)
        recorder.add(docnum, {"title": fields.get("title"), "company": fields.get("company")})
    return recorder.data(readings=False)


def _fresh(data: dict) -> None:
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
            old, new = data[name], _Keys(keys).to_dict()
            keep = ~stale[old["text"]]
            data[name] = {k: np.concatenate([old[k][keep], new[k]]) for k in old}
    data["names"] = {n: keys_of(n) if any(w in n for w in changed) else k for n, k in data["names"].items()}
    data["overrides"] = dict(now)


# ---------------------------------------------------------------------------------------------- merged

class _Sorted:
    """Sorted strings (or bytes), each a key of an entry, with the entry's number and the key's rank among
    the entry's: exact and prefix lookups by bisection."""

    def __init__(self, keys: np.ndarray, ids: np.ndarray, ranks: np.ndarray | None = None):
        order = np.argsort(keys, kind="stable")
        self.keys, self.ids = keys[order], ids[order].astype(np.int32)
        self.ranks = (np.zeros(len(keys), dtype=np.int8) if ranks is None else ranks)[order]

    def _range(self, key: str, prefix: bool) -> slice:
        """Where `key` (or, with `prefix`, the keys that start with it) is in the sorted keys."""
        if not key:
            return slice(0, len(self.keys) if prefix else 0)
        ascii_keys = self.keys.dtype.kind == "S"  # readings and initials: bytes, a quarter of the memory
        if ascii_keys and not key.isascii():
            return slice(0, 0)
        value: str | bytes = key.encode() if ascii_keys else key
        if len(value) > self.keys.dtype.itemsize // (1 if ascii_keys else 4):  # longer than every key
            return slice(0, 0)
        end = value[:-1] + bytes([value[-1] + 1]) if isinstance(value, bytes) else value[:-1] + chr(ord(value[-1]) + 1)
        # The values in the keys' own dtype: searchsorted would otherwise convert the whole array each time.
        lo = int(np.searchsorted(self.keys, np.array(value, dtype=self.keys.dtype), "left"))
        hi = np.searchsorted(self.keys, np.array(end if prefix else value, dtype=self.keys.dtype),
                             "left" if prefix else "right")
        return slice(lo, int(hi))

    def exact(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The entries with this key, and the key's rank for each."""
        found = self._range(key, False)
        return self.ids[found], self.ranks[found]

    def prefix(self, start: str) -> tuple[np.ndarray, np.ndarray]:
        """The entries with a key that starts with `start`, and the key's rank for each."""
        found = self._range(start, True)
        return self.ids[found], self.ranks[found]


class Lexicon:
    """One index generation's vocabulary: entries (text, kind, count) and sorted lookups over them."""

    def __init__(self, searcher, facets: dict[str, dict[str, int]] | None = None,
                 segments: dict[str, dict] | None = None, read: dict[str, list[str]] | None = None):
        """The lexicon of `searcher`'s view of the index. `facets`: the zones' and companies' article counts
        ({"zone": {name: count}, "company": …}); `segments`: the data of segments already loaded, by segment
        id (added to); `read`: readings made for earlier lexicons of the index (added to)."""
        reader = searcher.reader()
        facets, segments, read = facets or {}, {} if segments is None else segments, {} if read is None else read
        self.docs = max(1, reader.doc_count())
        datas, deleted = [], []
        for leaf, _ in reader.leaf_readers():
            name = leaf.segment().segment_id()
            data = segments.get(name) or segment_data(leaf)
            if not data["read"]:  # read from the terms, not a file: kept, not to be read again
                segments[name] = data
            _fresh(data)
            datas.append(data)
            deleted.append(leaf.deleted_docs_set if leaf.has_deletions() else set())

        # Words: document frequencies summed over the segments.
        words, df, word_keys = _merged(datas, "words", "df", "word_keys", read, READINGS)
        word_df = dict(zip(words.tolist(), df.tolist()))

        # Names: the gazetteer's (zones counted by the zone facet), the user dictionary's places and
        # organisations found in the articles, and the company facet's values (counted by the facet).
        zones = facets.get("zone", {})
        names = {n: (n, kind, zones.get(z, 0) if kind == ZONE else word_df.get(n, 0))
                 for n, kind, z in gazetteer_names()}
        for name, kind in dictionary_names():
            if word_df.get(name) and name not in names:
                names[name] = (name, kind, word_df[name])
        for name, count in facets.get("company", {}).items():
            if is_word(name) and (name not in names or names[name][1] != ZONE):
                names[name] = (name, COMPANY, max(count, names.get(name, ("", 0, 0))[2]))
        known = {n: k for d in datas for n, k in d["names"].items()}
        name_list = list(names.values())
        name_keys = _Keys([known.get(n) or read.get(n) or read.setdefault(n, keys_of(n)) for n, _, _ in name_list])

        # Hapaxes are left out of a large index, but for names.
        keep = (df >= (2 if self.docs >= HAPAX_FROM else 1)) | np.isin(words, _texts(list(names)))
        words, df, word_keys = words[keep], df[keep], _kept(word_keys, keep)
        phrases, phrase_count, phrase_keys = _merged(datas, "phrases", "phrase_count", "phrase_keys", read, 1)
        keep = ~np.isin(phrases, words) & ~np.isin(phrases, _texts(list(names)))
        phrases, phrase_count, phrase_keys = phrases[keep], phrase_count[keep], _kept(phrase_keys, keep)

        # Headlines, once each, of live articles.
        titles: dict[str, str] = {}
        for data, gone in zip(datas, deleted):
            for title, folded, doc in zip(data["titles"], data["title_keys"].tolist(), data["title_docs"].tolist()):
                if doc not in gone:
                    titles.setdefault(title, folded)
        self.headlines = list(titles)
        title_keys = _texts(list(titles.values()))

        # Entries: names, words, phrases (their texts in one array), then headlines.
        self.small = np.concatenate([_texts([n for n, _, _ in name_list]), words, phrases])
        base_words, base_phrases = len(name_list), len(name_list) + len(words)
        self.kinds = np.concatenate([np.array([k for _, k, _ in name_list], dtype=np.int8),
                                     np.full(len(words), WORD, np.int8), np.full(len(phrases), PHRASE, np.int8),
                                     np.full(len(self.headlines), HEADLINE, np.int8)])
        self.counts = np.concatenate([np.array([c for _, _, c in name_list], dtype=np.int64), df, phrase_count,
                                      np.zeros(len(self.headlines), dtype=np.int64)])
        self.by_text = _Sorted(self.small, np.arange(len(self.small)))
        self.by_headline = _Sorted(title_keys, np.arange(len(title_keys)) + len(self.small))
        keys = [(name_keys, 0), (word_keys, base_words), (phrase_keys, base_phrases)]
        ids = np.concatenate([k.text.astype(np.int64) + base for k, base in keys])
        ranks = np.concatenate([k.rank for k, _ in keys])
        self.by_key = _Sorted(np.concatenate([k.keys for k, _ in keys]), ids, ranks)
        self.by_initials = _Sorted(np.concatenate([k.initials for k, _ in keys]), ids, ranks)

    def __len__(self) -> int:
        return len(self.kinds)

    def text(self, i: int) -> str:
        return str(self.small[i]) if i < len(self.small) else self.headlines[i - len(self.small)]

    def df(self, word: str) -> int:
        """In how many articles `word` is a word or name (0 when none, or a hapax left out)."""
        ids, _ = self.by_text.exact(word)
        ids = ids[self.kinds[ids] <= WORD]
        return int(self.counts[ids].max()) if len(ids) else 0

    def is_name(self, text: str) -> bool:
        """Whether `text` is a zone's, a place's or a company's name."""
        ids, _ = self.by_text.exact(text)
        return bool((self.kinds[ids] < WORD).any())

    def words_read(self, key: str, length: int | None = None) -> list[tuple[str, int, int]]:
        """The words and names with reading `key` ("ling yuan"): (text, weight, which of its readings this
        is: 0 for its likeliest), heaviest first. A word weighs the articles it is in, a name `NAME_WEIGHT`
        times as much (the archive is about these places and companies)."""
        ids, ranks = self.by_key.exact(key)
        kinds = self.kinds[ids]
        useful = kinds <= WORD
        ids, ranks, kinds = ids[useful].tolist(), ranks[useful].tolist(), kinds[useful].tolist()
        found: dict[str, tuple[str, int, int]] = {}
        for i, rank, kind in zip(ids, ranks, kinds):
            text = str(self.small[i])
            if length is not None and len(text) != length:
                continue
            weight = int(self.counts[i]) if kind == WORD else max(1, int(self.counts[i])) * NAME_WEIGHT
            if text not in found or (weight, -rank) > (found[text][1], -found[text][2]):
                found[text] = (text, weight, rank)
        return sorted(found.values(), key=lambda f: (-f[1], f[2], f[0]))


def _merged(datas: list[dict], texts: str, counts: str, keys: str, read: dict, limit: int):
    """The segments' texts (each once, sorted), their counts summed, and their readings (from the first
    segment with readings that has the text, else `read`, else read now)."""
    every = np.concatenate([d[texts] for d in datas]) if datas else _texts([])
    merged, inverse = np.unique(every, return_inverse=True)
    total = np.bincount(inverse, weights=np.concatenate([d[counts] for d in datas]) if datas else None,
                        minlength=len(merged)).astype(np.int64)
    owner = np.full(len(merged), -1, dtype=np.int64)  # the first segment with readings that has the text
    starts = np.cumsum([0] + [len(d[texts]) for d in datas])
    for s in reversed(range(len(datas))):
        if datas[s]["read"]:
            owner[inverse[starts[s]:starts[s + 1]]] = s
    parts = []
    for s, data in enumerate(datas):
        part = data[keys]
        if data["read"] and len(part["text"]):
            text = inverse[starts[s] + part["text"]]
            mine = owner[text] == s
            parts.append({"keys": part["keys"][mine], "initials": part["initials"][mine],
                          "text": text[mine], "rank": part["rank"][mine]})
    unread = np.flatnonzero(owner < 0)
    if len(unread):
        new = _Keys([read.get(t) or read.setdefault(t, keys_of(t, limit)) for t in merged[unread].tolist()])
        parts.append({"keys": new.keys, "initials": new.initials, "text": unread[new.text], "rank": new.rank})
    result = _Keys([])
    for name in ("keys", "initials", "text", "rank"):
        setattr(result, name, np.concatenate([getattr(result, name)] + [p[name] for p in parts]))
    return merged, total, result


def _kept(keys: _Keys, keep: np.ndarray) -> _Keys:
    """The readings of the texts kept, renumbered."""
    number = np.cumsum(keep) - 1
    mine = keep[keys.text]
    result = _Keys([])
    result.keys, result.initials, result.rank = keys.keys[mine], keys.initials[mine], keys.rank[mine]
    result.text = number[keys.text[mine]].astype(np.int32)
    return result


class _Cache:
    """An index's lexicons by generation, the data of its segments without a file by segment id (a segment's
    data never changes: its deletions are applied when a lexicon is made) and the readings made when
    lexicons were."""

    def __init__(self):
        self.lock = threading.Lock()
        self.lexicons: dict[int, Lexicon] = {}
        self.segments: dict[str, dict] = {}
        self.read: dict[str, list[str]] = {}


# By index, weakly: a closed and dropped index frees its lexicons.
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def for_searcher(index, searcher=None) -> Lexicon:
    """The lexicon of the generation that `searcher` (or the index's current searcher) sees, made on first
    use and kept while that generation is the current one or the one before."""
    searcher = searcher or index.searcher()
    generation = searcher.reader().generation()
    with _CACHES_LOCK:
        cache = _CACHES.get(index)
        if cache is None:
            cache = _CACHES[index] = _Cache()
    with cache.lock:
        lexicon = cache.lexicons.get(generation)
        if lexicon is None:
            lexicon = Lexicon(searcher, _facet_counts(index.facet_sets(searcher)), cache.segments, cache.read)
            cache.lexicons = {generation: lexicon, **{g: x for g, x in cache.lexicons.items() if g > generation - 2}}
            live = {leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers()}
            cache.segments = {name: data for name, data in cache.segments.items() if name in live}
        return lexicon


def _facet_counts(sets) -> dict[str, dict[str, int]]:
    """The zone and company facets' values with their live articles (the FacetSets of the generation)."""
    found = {}
    for facet in ("zone", "company"):
        values = sets.values.get(facet, [])
        counts = sets.counts(facet, sets.all).tolist() if values else []
        found[facet] = {v: n for v, n in zip(values, counts) if n}
    return found
