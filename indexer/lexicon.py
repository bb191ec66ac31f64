"""The index's own vocabulary, for help with typing: words with their readings, names, headline phrases,
headlines — never pinyin indexed for article text.

Every segment carries its share (`lexicon_segment`: written when the segment is built, or read from its
terms for a segment Whoosh merged). An index generation's segments are merged into one `Lexicon` in memory
(`for_searcher`: made on first use, cached per generation like `Index.facet_sets`): entries — zone, place
and company names, words, phrases, headlines — with a kind and a count, and sorted arrays over their texts,
readings (syllables joined by spaces, "ling yuan") and initials ("ly") answering exact and prefix lookups
by bisection. Arrays, not Python objects: a 10,000-article index's lexicon is made in a fraction of a second.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from .lexicon_segment import (
    COMPANY,
    EXTENSION,
    HEADLINE,
    KINDS,
    MAX_CHARS,
    PHRASE,
    PLACE,
    READINGS,
    WORD,
    ZONE,
    Keys,
    dictionary_names,
    fresh,
    gazetteer_names,
    is_word,
    keys_of,
    segment_data,
    texts,
)

__all__ = [
    "COMPANY",
    "EXTENSION",
    "HEADLINE",
    "KINDS",
    "MAX_CHARS",
    "PHRASE",
    "PLACE",
    "WORD",
    "ZONE",
    "Lexicon",
    "dictionary_names",
    "for_searcher",
    "gazetteer_names",
    "is_word",
    "keys_of",
]

# In an index of at least this many articles, words found in one article only (half the vocabulary: names
# cut wrongly, typos, rare compounds) are left out: they would double the memory and are never a better
# guess than a word found twice. A small index keeps them all (and names are always kept).
HAPAX_FROM = 2000
# A name (zone, place, company) weighs this many times the articles it is in when typed pinyin or a typo is
# read: the archive is about these places and companies (柳城 before 流程 for liucheng).
NAME_WEIGHT = 50


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
        hi = np.searchsorted(
            self.keys, np.array(end if prefix else value, dtype=self.keys.dtype), "left" if prefix else "right"
        )
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

    def __init__(
        self,
        searcher,
        facets: dict[str, dict[str, int]] | None = None,
        segments: dict[str, dict] | None = None,
        read: dict[str, list[str]] | None = None,
    ):
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
            fresh(data)
            datas.append(data)
            deleted.append(leaf.deleted_docs_set if leaf.has_deletions() else set())

        # Words: document frequencies summed over the segments; hapaxes are left out of a large index, but for
        # names (the gazetteer's, the user dictionary's, the companies'), so they need no readings.
        min_df = 2 if self.docs >= HAPAX_FROM else 1
        candidates = texts(
            [n for n, _, _ in gazetteer_names()]
            + [n for n, _ in dictionary_names()]
            + [n for n in facets.get("company", {}) if is_word(n)]
        )
        words, df, word_keys = _merged(
            datas,
            "words",
            "df",
            "word_keys",
            read,
            READINGS,
            needed=lambda merged, total: (total >= min_df) | np.isin(merged, candidates),
        )
        word_df = dict(zip(words.tolist(), df.tolist()))

        # Names: the gazetteer's (zones counted by the zone facet), the user dictionary's places and
        # organisations found in the articles, and the company facet's values (counted by the facet).
        zones = facets.get("zone", {})
        names = {
            n: (n, kind, zones.get(z, 0) if kind == ZONE else word_df.get(n, 0)) for n, kind, z in gazetteer_names()
        }
        for name, kind in dictionary_names():
            if word_df.get(name) and name not in names:
                names[name] = (name, kind, word_df[name])
        for name, count in facets.get("company", {}).items():
            if is_word(name) and (name not in names or names[name][1] != ZONE):
                names[name] = (name, COMPANY, max(count, names.get(name, ("", 0, 0))[2]))
        known = {n: k for d in datas for n, k in d["names"].items()}
        name_list = list(names.values())
        name_keys = Keys([known.get(n) or read.get(n) or read.setdefault(n, keys_of(n)) for n, _, _ in name_list])

        # Hapaxes are left out of a large index, but for names.
        keep = (df >= min_df) | np.isin(words, texts(list(names)))
        words, df, word_keys = words[keep], df[keep], _kept(word_keys, keep)
        phrases, phrase_count, phrase_keys = _merged(datas, "phrases", "phrase_count", "phrase_keys", read, 1)
        keep = ~np.isin(phrases, words) & ~np.isin(phrases, texts(list(names)))
        phrases, phrase_count, phrase_keys = phrases[keep], phrase_count[keep], _kept(phrase_keys, keep)

        # Headlines, once each, of live articles.
        titles: dict[str, str] = {}
        for data, gone in zip(datas, deleted):
            for title, folded, doc in zip(data["titles"], data["title_keys"].tolist(), data["title_docs"].tolist()):
                if doc not in gone:
                    titles.setdefault(title, folded)
        self.headlines = list(titles)
        title_keys = texts(list(titles.values()))

        # Entries: names, words, phrases (their texts in one array), then headlines.
        self.small = np.concatenate([texts([n for n, _, _ in name_list]), words, phrases])
        base_words, base_phrases = len(name_list), len(name_list) + len(words)
        self.kinds = np.concatenate(
            [
                np.array([k for _, k, _ in name_list], dtype=np.int8),
                np.full(len(words), WORD, np.int8),
                np.full(len(phrases), PHRASE, np.int8),
                np.full(len(self.headlines), HEADLINE, np.int8),
            ]
        )
        self.counts = np.concatenate(
            [
                np.array([c for _, _, c in name_list], dtype=np.int64),
                df,
                phrase_count,
                np.zeros(len(self.headlines), dtype=np.int64),
            ]
        )
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

    def words_read(self, key: str, length: int | None = None) -> list[tuple[str, int, int, bool]]:
        """The words and names with reading `key` ("ling yuan"): (text, articles, which of its readings this
        is: 0 for its likeliest, whether it is a name), heaviest first (`weight`)."""
        ids, ranks = self.by_key.exact(key)
        kinds = self.kinds[ids]
        useful = kinds <= WORD
        ids, ranks, kinds = ids[useful].tolist(), ranks[useful].tolist(), kinds[useful].tolist()
        found: dict[str, tuple[str, int, int, bool]] = {}
        for i, rank, kind in zip(ids, ranks, kinds):
            text = str(self.small[i])
            if length is not None and len(text) != length:
                continue
            entry = (text, int(self.counts[i]), rank, kind != WORD)
            old = found.get(text)
            if old is None or (weight(entry[1], entry[3]), -rank) > (weight(old[1], old[3]), -old[2]):
                found[text] = entry
        return sorted(found.values(), key=lambda f: (-weight(f[1], f[3]), f[2], f[0]))


def weight(count: int, name: bool) -> int:
    """How likely a text is meant, as articles: a name counts `NAME_WEIGHT` times (at least once)."""
    return max(1, count) * NAME_WEIGHT if name else count


def _merged(datas: list[dict], field: str, counts: str, keys: str, read: dict, limit: int, needed=None):
    """The segments' texts (`field`: each once, sorted), their counts summed, and their readings (from the
    first segment that has readings of the text, else `read`, else read now — of the texts `needed(texts,
    counts)`, a boolean array, says need them: segments leave out their hapaxes' readings)."""
    every = np.concatenate([d[field] for d in datas]) if datas else texts([])
    merged, inverse = np.unique(every, return_inverse=True)
    total = np.bincount(
        inverse, weights=np.concatenate([d[counts] for d in datas]) if datas else None, minlength=len(merged)
    ).astype(np.int64)
    owner = np.full(len(merged), -1, dtype=np.int64)  # the first segment with readings that has the text
    starts = np.cumsum([0] + [len(d[field]) for d in datas])
    for s in reversed(range(len(datas))):
        if datas[s]["read"]:
            owner[inverse[starts[s] + datas[s][keys]["text"]]] = s
    parts = []
    for s, data in enumerate(datas):
        part = data[keys]
        if data["read"] and len(part["text"]):
            text = inverse[starts[s] + part["text"]]
            mine = owner[text] == s
            parts.append(
                {
                    "keys": part["keys"][mine],
                    "initials": part["initials"][mine],
                    "text": text[mine],
                    "rank": part["rank"][mine],
                }
            )
    unread = np.flatnonzero((owner < 0) & (True if needed is None else needed(merged, total)))
    if len(unread):
        new = Keys([read.get(t) or read.setdefault(t, keys_of(t, limit)) for t in merged[unread].tolist()])
        parts.append({"keys": new.keys, "initials": new.initials, "text": unread[new.text], "rank": new.rank})
    result = Keys([])
    for name in ("keys", "initials", "text", "rank"):
        setattr(result, name, np.concatenate([getattr(result, name)] + [p[name] for p in parts]))
    return merged, total, result


def _kept(keys: Keys, keep: np.ndarray) -> Keys:
    """The readings of the texts kept, renumbered."""
    number = np.cumsum(keep) - 1
    mine = keep[keys.text]
    result = Keys([])
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
