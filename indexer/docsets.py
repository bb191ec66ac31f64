"""Match sets: which documents a query matches, and how Whoosh would score them, from whole posting lists.

Whoosh finds matches by stepping matchers one posting at a time (and a phrase through its span machinery);
the facet counts need every match, so `search` takes them from here instead: each term's posting list is
decoded a block at a time (`zlib` and `pickle` in C), a set of documents is a boolean array, And/Or/AndNot
are array operations, and a phrase is checked on the positions of the documents holding all its terms.
The top hits are ranked by Whoosh's BM25F formula computed on arrays for every match (`rank`), with ties
within rounding left to Whoosh's matchers; `ExactPhrase` stands in for `whoosh.query.Phrase` so that
Whoosh, where it does score, visits only the documents found here. The matches and the order are
Whoosh's (tests/test_build.py compares them).
"""

from __future__ import annotations

import bisect
import functools
import pickle
import zlib
from io import BytesIO
from itertools import accumulate, chain, compress

import numpy as np
from whoosh import query as wq, scoring
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import NullMatcher
from whoosh.matching.mcore import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util import make_binary_tree
from whoosh.util.numeric import byte_to_length

_BLOCK_INFO = 128  # bytes enough for a block's info tuple (six numbers, pickled)


class _ViewFile:
    """A read-only file over a buffer that does not copy it, as `io.BytesIO` does a memoryview."""

    def __init__(self, buf):
        self._buf = buf
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), start + n)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        i = bytes(self._buf[start:end]).find(b"\n")
        return self.read((i + 1) if i >= 0 else end - start)

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = pos if whence == 0 else self._pos + pos if whence == 1 else len(self._buf) + pos
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._buf = b""


def _no_copy(init):
    def __init__(self, buf, name=None, onclose=None):
        init(self, b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewFile(buf)
    return __init__


# Whoosh opens each file of a compound segment as a BufferFile over the segment's memory map, whose BytesIO
# copies the file: a search process would read the whole index into memory when it opens it (over a second,
# and the index's size in memory, at 87,000 articles). The same object, reading the map in place:
if not getattr(BufferFile.__init__, "_no_copy", False):
    BufferFile.__init__ = _no_copy(BufferFile.__init__)
    BufferFile.__init__._no_copy = True


def _raw(matcher):
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def read_postings(leaf, fieldname: str, text: bytes, values: bool = False,
                  weights: list | None = None) -> tuple[list[int], list | None]:
    """A term's document numbers in `leaf` (deleted ones included), and its raw posting values if asked;
    its weights are appended to `weights` if given.

    A posting list in a segment of Whoosh's W3 format is read whole from the terms reader: the list in one
    slice, then block by block (info, zlib, pickle) without Whoosh's matcher machinery."""
    terms = getattr(leaf, "_terms", None)
    if isinstance(terms, W3TermsReader) and fieldname in leaf.schema:
        fixed = leaf.schema[fieldname].format.fixed_value_size()
        try:
            info = terms.term_info(fieldname, text)
        except TermNotFound:
            return [], [] if values else None
        if info.is_inlined():
            ids_, weights_, values_ = info.inlined_postings()
            if weights is not None:
                weights.extend(weights_ if weights_ else [1.0] * len(ids_))
            return list(ids_), ((list(values_) if values_ else [b""] * len(ids_)) if values else None)
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct.unpack's tuple
            length = length[0]
        postfile = terms._postfile
        mapped = getattr(postfile, "_buf", None)  # a compound segment's memory map (see `_no_copy`)
        if isinstance(mapped, memoryview):
            view = mapped[offset:offset + length]
        else:
            view = memoryview(postfile.get(offset, length))
        if view[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"no posting list at {offset} for {fieldname}:{text!r}")
        ids: list[int] = []
        vals: list | None = [] if values else None
        at = 4
        while True:
            size = int.from_bytes(view[at:at + 4], "big", signed=True)
            at += 4
            last = size < 0
            end = at + (-size if last else size)
            head = BytesIO(bytes(view[at:min(end, at + _BLOCK_INFO)]))  # the block's info: a short pickle
            count, _, _, compression, _, _ = pickle.load(head)
            data = view[at + head.tell():end]
            deltas, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
            ids.extend(accumulate(deltas))
            if weights is not None:
                if block_weights is None:
                    weights.extend([1.0] * count)
                elif isinstance(block_weights, float):
                    weights.extend([block_weights] * count)
                else:
                    weights.extend(block_weights)
            if values:
                vals.extend(_values(block_values, count, fixed))
            if last:
                return ids, vals
            at = end
    try:
        m = _raw(leaf.postings(fieldname, text))
    except TermNotFound:
        return [], [] if values else None
    ids, vals = [], []
    while m.is_active():
        ids.append(m.id())
        if values:
            vals.append(m.value())
        if weights is not None:
            weights.append(m.weight())
        m.next()
    return ids, (vals if values else None)


def _values(raw, count: int, fixed: int | None) -> list:
    """A block's posting values as a list (Whoosh stores fixed-size ones joined, empty ones as nothing)."""
    if fixed is None or fixed < 0:
        return list(raw)
    if fixed == 0 or not raw:
        return [b""] * count
    return [raw[i:i + fixed] for i in range(0, len(raw), fixed)]


_DOC = 1 << 24  # a document's share of the numbers `LeafSets.phrase` intersects (positions are below)
_BIAS = 1 << 12  # keeps p - j positive for any phrase of fewer words
_PICKLE_LIST = b"\x80\x02]q\x00"  # how each `Positions` value's pickle of position deltas begins


def _positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Each of Whoosh's `Positions` values (a count, then a pickled list of position deltas) decoded:
    how many positions each holds, and all of them in order.

    The values' lists become the items of one pickled list, so a single `pickle.loads` (in C) decodes them
    all; a value of another shape is decoded alone."""
    lists = None
    if values and values[0][4:9] == _PICKLE_LIST:
        joined = b"".join([v[6:-1] if v[-1:] == b"." else v[6:] for v in values])
        try:
            lists = pickle.loads(_PICKLE_LIST + b"(" + joined + b"e.")
        except pickle.UnpicklingError:
            pass
    if lists is None or len(lists) != len(values):
        lists = [pickle.loads(v[4:] if v[-1:] == b"." else v[4:] + b".") for v in values]
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    deltas = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    # positions are running sums of deltas within each value: one running sum, less each value's start
    running = np.cumsum(deltas)
    ends = np.cumsum(counts)
    before = np.concatenate(([0], running[ends[:-1] - 1])) if len(counts) else running[:0]
    return counts, running - np.repeat(before, counts)


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def _within(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Whether each of `needles` is in the sorted array `haystack`."""
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool)
    at = np.minimum(np.searchsorted(haystack, needles), len(haystack) - 1)
    return haystack[at] == needles


class LeafSets:
    """One leaf reader's term and phrase document sets (leaf document numbers), for one search: a query
    evaluated for its matches and then for its ranking reads each posting list once. A set is a boolean
    array over the leaf's document numbers (deleted documents False), so And/Or/Not are array operations."""

    def __init__(self, leaf):
        self.leaf = leaf
        self.size = leaf.doc_count_all()
        self.deleted = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
        self.live = np.ones(self.size, dtype=bool)
        if self.deleted:
            self.live[np.fromiter(self.deleted, dtype=np.int64, count=len(self.deleted))] = False
        self._terms: dict[tuple, np.ndarray] = {}
        self._postings: dict[tuple, tuple[list[int], list[float], list | None]] = {}
        self._arrays: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._phrases: dict[tuple, list[int]] = {}

    def postings(self, fieldname: str, text: bytes, values: bool = False) -> tuple[list[int], list[float], list | None]:
        """The term's document numbers, weights and (if asked) raw values, deleted documents included."""
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is None or (values and found[2] is None):
            weights: list[float] = []
            ids, vals = read_postings(self.leaf, fieldname, text, values=values, weights=weights)
            found = self._postings[key] = (ids, weights, vals)
        return found

    def arrays(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
        """The term's document numbers and weights as arrays, deleted documents included."""
        key = (fieldname, text)
        found = self._arrays.get(key)
        if found is None:
            ids, weights, _ = self.postings(fieldname, text)
            found = self._arrays[key] = (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64))
        return found

    def mask(self, docs) -> np.ndarray:
        """The live documents among `docs` (leaf document numbers) as a boolean array."""
        found = np.zeros(self.size, dtype=bool)
        found[docs] = True
        if self.deleted:
            found &= self.live
        return found

    def term(self, fieldname: str, text: bytes) -> np.ndarray:
        """The live documents holding the term (a cached array: never modify it)."""
        key = (fieldname, text)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = self.mask(self.arrays(fieldname, text)[0])
        return found

    def phrase(self, fieldname: str, words: tuple[bytes, ...]) -> list[int]:
        """Sorted document numbers where `words` occur at consecutive positions (Whoosh's `Phrase` with
        its default slop of 1).

        Each occurrence of the j-th word at position p in document d is the number d·2²⁴ + p − j: the phrase
        is where these numbers meet. A word's numbers come out sorted (documents, then positions, ascending),
        so they are intersected by binary search, the rarest word's first; each word is read only in the
        documents still in the running."""
        key = (fieldname, words)
        found = self._phrases.get(key)
        if found is not None:
            return found
        for word in words:  # with their positions, read once for the sets below too
            self.postings(fieldname, word, values=True)
        candidates = functools.reduce(np.logical_and, [self.term(fieldname, w) for w in dict.fromkeys(words)])
        starts = None
        for j in sorted(range(len(words)), key=lambda j: len(self.arrays(fieldname, words[j])[0])):
            ids = self.arrays(fieldname, words[j])[0]
            keep = candidates[ids]
            if not keep.any():
                starts = None
                break
            counts, positions = _positions(list(compress(self.postings(fieldname, words[j], values=True)[2],
                                                         keep.tolist())))
            numbers = np.repeat(ids[keep] * _DOC + (_BIAS - j), counts) + positions
            starts = numbers if starts is None else starts[_within(numbers, starts)]
            if not len(starts):
                break
            candidates = self.mask(_distinct(starts // _DOC))
        found = [] if starts is None else _distinct(starts // _DOC).tolist()
        self._phrases[key] = found
        return found

    def phrase_mask(self, fieldname: str, words: tuple[bytes, ...]) -> np.ndarray:
        """`phrase` as a boolean array (cached: never modify it)."""
        key = ("mask", fieldname, words)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = self.mask(np.array(self.phrase(fieldname, words), dtype=np.int64))
        return found


class MatchSets:
    """Evaluates the queries `indexer.query` builds on one searcher's leaves; caches per leaf."""

    def __init__(self, searcher):
        self.size = searcher.doc_count_all()
        self.leaves = [(LeafSets(s.reader()), s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self._by_reader = {id(reader): sets for sets, reader, _ in self.leaves}

    def leaf(self, reader) -> LeafSets | None:
        return self._by_reader.get(id(reader))

    def docs(self, q: wq.Query) -> np.ndarray:
        """The (top-level) documents `q` matches, deleted documents excepted, as a boolean array."""
        found = np.zeros(self.size, dtype=bool)
        for sets, reader, offset in self.leaves:
            found[offset:offset + sets.size] = self._eval(q, sets, reader)
        return found

    def _eval(self, q: wq.Query, sets: LeafSets, reader) -> np.ndarray:
        """The leaf documents `q` matches (an array that may be cached: never modify it)."""
        if isinstance(q, wq.Term):
            field = reader.schema[q.fieldname] if q.fieldname in reader.schema else None
            if field is None:
                return np.zeros(sets.size, dtype=bool)
            try:
                text = field.to_bytes(q.text)
            except ValueError:
                return np.zeros(sets.size, dtype=bool)
            return sets.term(q.fieldname, text)
        if isinstance(q, wq.Phrase):
            if q.slop != 1 or q.fieldname not in reader.schema:
                return self._fallback(q, sets, reader)
            field = reader.schema[q.fieldname]
            try:
                words = tuple(field.to_bytes(w) for w in q.words)
            except ValueError:
                return np.zeros(sets.size, dtype=bool)
            if len(words) == 1:
                return sets.term(q.fieldname, words[0])
            return sets.phrase_mask(q.fieldname, words)
        if isinstance(q, wq.Prefix):
            out = np.zeros(sets.size, dtype=bool)
            for text in reader.expand_prefix(q.fieldname, q.text):
                out |= sets.term(q.fieldname, text if isinstance(text, bytes) else text.encode("utf-8"))
            return out
        if isinstance(q, wq.And):
            parts = [self._eval(sub, sets, reader) for sub in q.subqueries]
            return functools.reduce(np.logical_and, parts) if parts else np.zeros(sets.size, dtype=bool)
        if isinstance(q, wq.Or):
            parts = [self._eval(sub, sets, reader) for sub in q.subqueries]
            return functools.reduce(np.logical_or, parts) if parts else np.zeros(sets.size, dtype=bool)
        if isinstance(q, wq.AndNot):
            return self._eval(q.a, sets, reader) & ~self._eval(q.b, sets, reader)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a, sets, reader)
        if isinstance(q, wq.Every):
            return sets.live
        if q is wq.NullQuery:
            return np.zeros(sets.size, dtype=bool)
        return self._fallback(q, sets, reader)

    @staticmethod
    def _fallback(q: wq.Query, sets: LeafSets, reader) -> np.ndarray:
        """Any other query: Whoosh's own matcher."""
        from whoosh.searching import Searcher

        s = Searcher(reader, closereader=False)
        return sets.mask(np.fromiter(q.matcher(s).all_ids(), dtype=np.int64))


# ---------------------------------------------------------------------------------------------- scoring


_MATCHER = MatchSets.__new__(MatchSets)  # its `_eval` needs no state


class ExactPhrase(wq.Phrase):
    """`whoosh.query.Phrase` (slop 1) whose matcher visits only the documents `MatchSets` found it in; a
    document's score is Whoosh's phrase score (its terms' scores summed, times the boost)."""

    def __init__(self, phrase: wq.Phrase, sets: MatchSets):
        super().__init__(phrase.fieldname, phrase.words, slop=phrase.slop, boost=phrase.boost,
                         char_ranges=phrase.char_ranges)
        self._sets = sets

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        sets = self._sets.leaf(reader)
        fieldname = self.fieldname
        if sets is None or self.slop != 1 or fieldname not in searcher.schema or len(self.words) < 2:
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        try:
            words = tuple(field.to_bytes(w) for w in self.words)
        except ValueError:
            return NullMatcher()
        docs = sets.phrase(fieldname, words)
        if not docs:
            return NullMatcher()
        terms = [wq.Term(fieldname, w).matcher(searcher, context) for w in words]
        from whoosh.matching import IntersectionMatcher

        return _DocsMatcher(make_binary_tree(IntersectionMatcher, terms), docs, self.boost)


class _DocsMatcher(Matcher):
    """The documents `docs` (sorted), scored by `child` (a matcher on a superset of them)."""

    def __init__(self, child, docs: list[int], boost: float = 1.0, i: int = 0):
        self.child = child
        self.docs = docs
        self.boost = boost
        self.i = i

    def __repr__(self):
        return f"_DocsMatcher({len(self.docs)} docs)"

    def is_active(self):
        return self.i < len(self.docs)

    def reset(self):
        self.i = 0
        self.child.reset()

    def id(self):
        return self.docs[self.i]

    def all_ids(self):
        return iter(self.docs[self.i:])

    def next(self):
        self.i += 1

    def skip_to(self, id):
        if self.i < len(self.docs) and self.docs[self.i] < id:
            self.i = bisect.bisect_left(self.docs, id, self.i)

    def copy(self):
        return _DocsMatcher(self.child.copy(), self.docs, self.boost, self.i)

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

    # Quality (the most a match can score) is the child's: it matches a superset, and scores the same.
    def supports_block_quality(self):
        return self.child.supports_block_quality()

    def max_quality(self):
        return self.child.max_quality() * self.boost

    def block_quality(self):
        self._sync()
        return self.child.block_quality() * self.boost

    def skip_to_quality(self, minquality):
        self._sync()
        skipped = self.child.skip_to_quality(minquality / self.boost)
        if not self.child.is_active():
            self.i = len(self.docs)
        elif self.docs[self.i] < self.child.id():
            self.i = bisect.bisect_left(self.docs, self.child.id(), self.i)
        return skipped

    def supports(self, astype):
        return self.child.supports(astype)

    def _sync(self):
        doc = self.docs[self.i]
        child = self.child
        if child.id() < doc:
            child.skip_to(doc)

    def value(self):
        self._sync()
        return self.child.value()

    def value_as(self, astype):
        self._sync()
        return self.child.value_as(astype)

    def weight(self):
        self._sync()
        w = self.child.weight()
        return w * self.boost if self.boost != 1.0 else w

    def score(self):
        self._sync()
        s = self.child.score()
        return s * self.boost if self.boost != 1.0 else s

    def spans(self):
        raise NotImplementedError("ExactPhrase matches carry no spans")


def exact_phrases(q: wq.Query, sets: MatchSets) -> wq.Query:
    """`q` with every `Phrase` in it an `ExactPhrase`."""
    if isinstance(q, wq.Phrase) and not isinstance(q, ExactPhrase):
        return ExactPhrase(q, sets)
    return q.apply(lambda sub: exact_phrases(sub, sets)) if not q.is_leaf() else q


# ---------------------------------------------------------------------------------------------- ranking


class _Unsupported(Exception):
    """A query node `rank` does not score itself: Whoosh ranks the query instead."""


_Scored = tuple[np.ndarray, np.ndarray]  # for each of a leaf's final documents: its score, and whether it matches


class _Leaf:
    """What ranking needs of one leaf searcher: its final documents (`docs`, leaf numbers) and, per term,
    Whoosh's score in each of them."""

    def __init__(self, sets: LeafSets, searcher, docs: np.ndarray):
        self.sets, self.searcher, self.docs = sets, searcher, docs
        self.reader = searcher.reader()
        self._lengths: dict[str, np.ndarray | None] = {}
        self._scores: dict[tuple, _Scored] = {}

    def matches(self, q: wq.Query) -> np.ndarray:
        """Whether each final document matches `q`."""
        return _MATCHER._eval(q, self.sets, self.reader)[self.docs]

    def nothing(self) -> _Scored:
        return np.zeros(len(self.docs)), np.zeros(len(self.docs), dtype=bool)

    def lengths(self, fieldname: str) -> np.ndarray | None:
        """Each document's length byte in `fieldname` (Whoosh's quantised field length)."""
        if fieldname not in self._lengths:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            column = self.reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._lengths[fieldname] = None if column is None else np.frombuffer(
                column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        return self._lengths[fieldname]

    def term_scores(self, fieldname: str, text: bytes) -> _Scored:
        """Whoosh's score of the term in each final document (0 where it does not occur)."""
        key = (fieldname, text)
        found = self._scores.get(key)
        if found is not None:
            return found
        if (fieldname, text) not in self.reader:
            found = self._scores[key] = self.nothing()
            return found
        ids, weights = self.sets.arrays(fieldname, text)
        scorer = self.searcher.weighting.scorer(self.searcher, fieldname, text)
        if not hasattr(scorer, "_score"):
            raise _Unsupported(type(scorer).__name__)
        lengths = self.lengths(fieldname)
        if lengths is None:
            lbytes = np.zeros(len(ids), dtype=np.uint8)
        else:
            if len(ids) and ids.max() >= len(lengths):
                raise _Unsupported("a document beyond the lengths column")
            lbytes = lengths[ids]
            if not lbytes.all():
                raise _Unsupported("a posting in a document without a length")
        dense = np.zeros(self.sets.size)
        dense[ids] = _scores(scorer, weights, _LENGTHS[lbytes])
        found = self._scores[key] = (dense[self.docs], self.sets.term(fieldname, text)[self.docs])
        return found


# A document's field length from its length byte (a byte of 0, no length recorded, counts as 1).
_LENGTHS = np.array([byte_to_length(b) if b else 1 for b in range(256)], dtype=np.float64)


def _scores(scorer, weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """`scorer._score(weight, length)` of each pair: Whoosh's BM25F formula as array arithmetic, in the
    same order of operations (so the same floating-point results), or the scorer called on each distinct
    pair for any other weighting."""
    if type(scorer) is scoring.BM25FScorer:
        idf, B, K1, tf = scorer.idf, scorer.B, scorer.K1, weights
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / scorer.avgfl)))
    pairs, pair_of = np.unique(np.stack([weights, lengths]), axis=1, return_inverse=True)
    table = np.array([scorer._score(w, l) for w, l in pairs.T.tolist()], dtype=np.float64)
    return table[pair_of.reshape(-1)]



def _approximate(q: wq.Query, leaf: _Leaf) -> _Scored:
    """Scores of `q` in the leaf's final documents: Whoosh's formula on the same terms, summed as Whoosh's
    matchers sum them (but for the tree its And builds: within ~1e-15); 0 where `q` does not match."""
    if isinstance(q, wq.Term):
        schema = leaf.reader.schema
        if q.fieldname not in schema:
            return leaf.nothing()
        try:
            text = schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return leaf.nothing()
        return _boosted(leaf.term_scores(q.fieldname, text), q.boost)
    if isinstance(q, wq.Prefix):
        # Whoosh's MultiTerm: one expansion is scored as that plain term (the prefix's boost is not
        # applied); several are a constant-score Or, left to Whoosh.
        expanded = [t for t in leaf.reader.expand_prefix(q.fieldname, q.text) if t]
        if len(expanded) > 1:
            raise _Unsupported("prefix")
        return _approximate(wq.Term(q.fieldname, expanded[0]), leaf) if expanded else leaf.nothing()
    if isinstance(q, wq.Phrase):
        schema = leaf.reader.schema
        if q.slop != 1 or q.fieldname not in schema or len(q.words) < 2:
            raise _Unsupported("phrase")
        field = schema[q.fieldname]
        try:
            words = tuple(field.to_bytes(w) for w in q.words)
        except ValueError:
            return leaf.nothing()
        matched = leaf.sets.phrase_mask(q.fieldname, words)[leaf.docs]
        summed = _tree_sum([leaf.term_scores(q.fieldname, w)[0] for w in words])
        return _boosted((np.where(matched, summed, 0.0), matched), q.boost)
    if isinstance(q, (wq.Or, wq.And)):
        parts = [_approximate(sub, leaf) for sub in q.subqueries]
        if not parts:
            return leaf.nothing()
        # Scores are 0 where a part does not match, so a sum is a union's sum of the matching parts.
        summed = _tree_sum([scores for scores, _ in parts])
        if isinstance(q, wq.And):
            matched = functools.reduce(np.logical_and, [m for _, m in parts])
            summed = np.where(matched, summed, 0.0)
        else:
            matched = functools.reduce(np.logical_or, [m for _, m in parts])
        return _boosted((summed, matched), q.boost)
    if isinstance(q, wq.AndMaybe):
        (a, matched), (b, _) = _approximate(q.a, leaf), _approximate(q.b, leaf)
        return _boosted((np.where(matched, a + b, 0.0), matched), q.boost)
    if isinstance(q, wq.AndNot):
        a, matched = _approximate(q.a, leaf)
        matched = matched & ~leaf.matches(q.b)
        return _boosted((np.where(matched, a, 0.0), matched), q.boost)
    if q is wq.NullQuery:
        return leaf.nothing()
    raise _Unsupported(type(q).__name__)


def _boosted(scored: _Scored, boost: float) -> _Scored:
    """A wrapping matcher's boost: each score times `boost`."""
    return scored if boost == 1.0 else (scored[0] * boost, scored[1])


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """`parts` summed in the order of `make_binary_tree`'s matchers (floating-point addition is not
    associative): exactly Whoosh's sums where a part is 0, and where it is not, the tree of its And."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def rank(searcher, q: wq.Query, final: np.ndarray, limit: int, sets: MatchSets) -> list[tuple[int, float]] | None:
    """The first `limit` of `final` (top-level documents as a boolean array, all matching `q`) by Whoosh's
    score of `q`, in Whoosh's order (score descending, then document number), with their scores; None when
    `q` holds a query this does not score (then let Whoosh rank).

    Every document in `final` is scored from whole posting lists with Whoosh's scorer (`_approximate`,
    array arithmetic); where two of the best are within rounding of each other, Whoosh's matchers decide.
    """
    docs: list[np.ndarray] = []
    values: list[np.ndarray] = []
    leaves = []
    try:
        for (leafsets, reader, offset), (subsearcher, _) in zip(sets.leaves, searcher.leaf_searchers()):
            local = np.flatnonzero(final[offset:offset + leafsets.size])
            if not len(local):
                continue
            leaf = _Leaf(leafsets, subsearcher, local)
            scores, matched = _approximate(q, leaf)
            if not matched.all():  # a document `q` does not score: Whoosh will know better
                return None
            leaves.append((leaf, offset))
            docs.append(local + offset)
            values.append(scores)
    except _Unsupported:
        return None
    if not docs:
        return []
    docs_all, scores_all = np.concatenate(docs), np.concatenate(values)
    n = min(limit + 1, len(docs_all))
    if len(docs_all) > n:
        cut = np.partition(scores_all, len(scores_all) - n)[len(scores_all) - n]
        keep = scores_all >= cut
        docs_all, scores_all = docs_all[keep], scores_all[keep]
    order = np.lexsort((docs_all, -scores_all))
    ranked = list(zip(docs_all[order].tolist(), scores_all[order].tolist()))
    # The scores above are Whoosh's up to the order of additions (its And matchers sum in a tree of their
    # own): equal to ~1e-15. Where two of the first `limit` (or the last of them and the next) are closer
    # than _NEAR but not equal, the order could differ from Whoosh's: those are scored by Whoosh's matchers.
    top = ranked[:limit + 1]
    near = set()
    for (d1, s1), (d2, s2) in zip(top, top[1:]):
        if s1 != s2 and s1 - s2 <= _NEAR * max(1.0, abs(s1)):
            near.update((d1, d2))
    if not near:
        return ranked[:limit]
    lowest = min(s for d, s in top if d in near)
    low = lowest - _NEAR * max(1.0, abs(lowest))
    context = searcher.context()
    exact = []
    for (leaf, offset), leaf_docs, leaf_scores in zip(leaves, docs, values):
        local = sorted((leaf_docs[leaf_scores >= low] - offset).tolist())
        if not local:
            continue
        m = q.matcher(leaf.searcher, context)
        for d in local:
            if not m.is_active():
                return None
            if m.id() < d:
                m.skip_to(d)
            if not m.is_active() or m.id() != d:
                return None
            exact.append((d + offset, m.score()))
    exact.sort(key=_by_score)
    return exact[:limit]


_NEAR = 1e-9


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    """Whoosh's order of hits: score descending, then document number."""
    return -item[1], item[0]
