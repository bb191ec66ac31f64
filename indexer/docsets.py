"""Match sets: which documents a query matches, from posting lists read whole and combined as sets.

Whoosh finds matches by stepping matchers one posting at a time (and a phrase through its span machinery);
the facet counts need every match, so `search` takes them from here instead: each term's posting list is
decoded a block at a time (`zlib` and `pickle` in C, ids by `itertools.accumulate`), And/Or/AndNot become
set operations, and a phrase is checked on the positions of the documents holding all its terms. The
matches are the same as Whoosh's; ranking stays Whoosh's, with `ExactPhrase` standing in for
`whoosh.query.Phrase` so that scoring a phrase visits only the documents found here.
"""

from __future__ import annotations

import bisect
import functools
import operator
import pickle
import zlib
from io import BytesIO
from itertools import accumulate, compress, repeat

from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import NullMatcher
from whoosh.matching.mcore import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint
from whoosh.util import make_binary_tree
from whoosh.util.numeric import byte_to_length

_POSITIONS_CACHE = 200_000


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
        buf = terms._postfile.get(offset, length)
        if buf[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"no posting list at {offset} for {fieldname}:{text!r}")
        view = memoryview(buf)
        stream = BytesIO(buf)
        ids: list[int] = []
        vals: list | None = [] if values else None
        at = 4
        while True:
            size = int.from_bytes(view[at:at + 4], "big", signed=True)
            at += 4
            last = size < 0
            end = at + (-size if last else size)
            stream.seek(at)
            count, _, _, compression, _, _ = pickle.load(stream)
            data = view[stream.tell():end]
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
_ONE_POSITION = 4096


@functools.cache
def _one_position() -> dict[bytes, int]:
    """Whoosh's `Positions` value of one occurrence at p (p < 4096) → p + _BIAS."""
    return {pack_uint(1) + pickle.dumps([p], 2): p + _BIAS for p in range(_ONE_POSITION)}


class _PositionsCache:
    """Decoded `Positions` values: the same bytes (a word at the same place) recur across documents."""

    def __init__(self):
        self._cache: dict[bytes, tuple[int, ...]] = {}

    def __call__(self, value: bytes) -> tuple[int, ...]:
        found = self._cache.get(value)
        if found is None:
            if len(self._cache) >= _POSITIONS_CACHE:
                self._cache.clear()
            raw = value[4:]
            if not raw.endswith(b"."):
                raw += b"."
            found = self._cache[value] = tuple(accumulate(pickle.loads(raw)))
        return found


_positions = _PositionsCache()


class LeafSets:
    """One leaf reader's term and phrase document sets (leaf document numbers), for one search: a query
    evaluated for its matches and then for its ranking reads each posting list once."""

    def __init__(self, leaf):
        self.leaf = leaf
        self.deleted = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
        self._terms: dict[tuple, frozenset[int]] = {}
        self._postings: dict[tuple, tuple[list[int], list[float]]] = {}
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

    def term(self, fieldname: str, text: bytes) -> frozenset[int]:
        key = (fieldname, text)
        found = self._terms.get(key)
        if found is None:
            found = frozenset(self.postings(fieldname, text)[0])
            if self.deleted:
                found -= self.deleted
            self._terms[key] = found
        return found

    def phrase(self, fieldname: str, words: tuple[bytes, ...]) -> list[int]:
        """Sorted document numbers where `words` occur at consecutive positions (Whoosh's `Phrase` with
        its default slop of 1).

        Each occurrence of the j-th word at position p in document d is the number d·2²⁴ + p − j: the phrase
        is where these sets of numbers meet, found by set intersections (a one-position value, the common
        case, is mapped to its number by a table lookup)."""
        key = (fieldname, words)
        found = self._phrases.get(key)
        if found is not None:
            return found
        data = {}
        for word in dict.fromkeys(words):
            ids, _, vals = self.postings(fieldname, word, values=True)
            if not ids:
                self._phrases[key] = []
                return []
            data[word] = (ids, vals)
        by_size = sorted(data.values(), key=lambda p: len(p[0]))
        common = set(by_size[0][0])
        for ids, _ in by_size[1:]:
            common.intersection_update(ids)
        if self.deleted:
            common -= self.deleted
        starts: set[int] | None = None
        for j, word in enumerate(words):
            if not common:
                break
            ids, vals = data[word]
            if len(ids) != len(common):
                keep = list(map(common.__contains__, ids))
                ids, vals = list(compress(ids, keep)), list(compress(vals, keep))
            shifted = list(map(_one_position().get, vals))
            if None in shifted:
                single = list(map(operator.is_not, shifted, repeat(None)))
                here = set(map((-j).__add__, map(operator.add, map(_DOC.__mul__, compress(ids, single)),
                                                 compress(shifted, single))))
                for d, value in zip(compress(ids, map(operator.not_, single)),
                                    compress(vals, map(operator.not_, single))):
                    here.update(map((d * _DOC - j + _BIAS).__add__, _positions(value)))
            else:
                here = set(map((-j).__add__, map(operator.add, map(_DOC.__mul__, ids), shifted)))
            starts = here if starts is None else starts & here
            if not starts:
                break
        found = sorted(set(map(operator.floordiv, starts, repeat(_DOC)))) if starts else []
        self._phrases[key] = found
        return found

    def every(self) -> frozenset[int]:
        return frozenset(range(self.leaf.doc_count_all())) - self.deleted


class MatchSets:
    """Evaluates the queries `indexer.query` builds on one searcher's leaves; caches per leaf."""

    def __init__(self, searcher):
        self.leaves = [(LeafSets(s.reader()), s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self._by_reader = {id(reader): sets for sets, reader, _ in self.leaves}

    def leaf(self, reader) -> LeafSets | None:
        return self._by_reader.get(id(reader))

    def docs(self, q: wq.Query) -> set[int]:
        """Every (top-level) document number `q` matches, deleted documents excepted."""
        found: set[int] = set()
        for sets, reader, offset in self.leaves:
            local = self._eval(q, sets, reader)
            found.update(local if not offset else (d + offset for d in local))
        return found

    def _eval(self, q: wq.Query, sets: LeafSets, reader) -> frozenset[int] | set[int]:
        if isinstance(q, wq.Term):
            field = reader.schema[q.fieldname] if q.fieldname in reader.schema else None
            if field is None:
                return frozenset()
            try:
                text = field.to_bytes(q.text)
            except ValueError:
                return frozenset()
            return sets.term(q.fieldname, text)
        if isinstance(q, wq.Phrase):
            if q.slop != 1 or q.fieldname not in reader.schema:
                return self._fallback(q, reader)
            field = reader.schema[q.fieldname]
            try:
                words = tuple(field.to_bytes(w) for w in q.words)
            except ValueError:
                return frozenset()
            if len(words) == 1:
                return sets.term(q.fieldname, words[0])
            return frozenset(sets.phrase(q.fieldname, words))
        if isinstance(q, wq.Prefix):
            out: set[int] = set()
            for text in reader.expand_prefix(q.fieldname, q.text):
                out |= sets.term(q.fieldname, text if isinstance(text, bytes) else text.encode("utf-8"))
            return out
        if isinstance(q, wq.And):
            parts = [self._eval(sub, sets, reader) for sub in q.subqueries]
            if not parts:
                return frozenset()
            parts.sort(key=len)
            out = set(parts[0])
            for part in parts[1:]:
                if not out:
                    break
                out &= part
            return out
        if isinstance(q, wq.Or):
            out = set()
            for sub in q.subqueries:
                out |= self._eval(sub, sets, reader)
            return out
        if isinstance(q, wq.AndNot):
            return set(self._eval(q.a, sets, reader)) - self._eval(q.b, sets, reader)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a, sets, reader)
        if isinstance(q, wq.Every):
            return sets.every()
        if q is wq.NullQuery:
            return frozenset()
        return self._fallback(q, reader)

    @staticmethod
    def _fallback(q: wq.Query, reader) -> frozenset[int]:
        """Any other query: Whoosh's own matcher."""
        from whoosh.searching import Searcher

        s = Searcher(reader, closereader=False)
        return frozenset(q.matcher(s).all_ids()) - (reader.deleted_docs_set if reader.has_deletions() else frozenset())


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


def _tree_sum(values: list[float]) -> float:
    """Sum in the order of `make_binary_tree`'s matchers (floating-point addition is not associative)."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return _tree_sum(values[:half]) + _tree_sum(values[half:])


class _Leaf:
    """What ranking needs of one leaf searcher."""

    def __init__(self, sets: LeafSets, searcher, offset: int, final: set[int], ordered: list[int] | None):
        self.sets, self.searcher, self.offset = sets, searcher, offset
        reader = searcher.reader()
        self.reader = reader
        if ordered is None:  # the only leaf
            self.final = final
        else:
            part = ordered[bisect.bisect_left(ordered, offset):bisect.bisect_left(ordered, offset + reader.doc_count_all())]
            self.final = set(map(operator.sub, part, repeat(offset))) if offset else set(part)
        self._lengths: dict[str, bytes] = {}
        self._weights: dict[tuple, dict[int, float]] = {}

    def sets_of(self, q: wq.Query) -> frozenset[int] | set[int]:
        """The leaf documents `q` matches."""
        return _MATCHER._eval(q, self.sets, self.reader)

    def lengths(self, fieldname: str) -> bytes:
        """Each document's length byte in `fieldname` (Whoosh's quantised field length)."""
        found = self._lengths.get(fieldname)
        if found is None:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            perdoc = self.reader._perdoc
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                found = b""
            else:
                found = column._dbfile.get(column._basepos, column._count)
            self._lengths[fieldname] = found
        return found

    def term_scores(self, fieldname: str, text: bytes) -> dict[int, float]:
        """Whoosh's score of the term in each final document that has it (leaf document numbers)."""
        key = (fieldname, text)
        found = self._weights.get(key)
        if found is not None:
            return found
        if (fieldname, text) not in self.reader:
            self._weights[key] = {}
            return {}
        ids, weights, _ = self.sets.postings(fieldname, text)
        final = self.final
        if not final.issuperset(ids):
            keep = list(map(final.__contains__, ids))
            ids = list(compress(ids, keep))
            weights = list(compress(weights, keep))
        scorer = self.searcher.weighting.scorer(self.searcher, fieldname, text)
        if not hasattr(scorer, "_score"):
            raise _Unsupported(type(scorer).__name__)
        lengths = self.lengths(fieldname)
        if ids and lengths and max(ids) >= len(lengths):
            raise _Unsupported("a document beyond the lengths column")
        if not lengths:
            lengths = bytes(max(ids) + 1) if ids else b""
        # A score depends only on the posting's weight and the document's length byte: score each pair once.
        lbytes = list(map(lengths.__getitem__, ids))
        if 0 in lbytes and self.lengths(fieldname):
            raise _Unsupported("a posting in a document without a length")
        if ids and weights.count(weights[0]) == len(weights):
            distinct = [weights[0]]
            keys = lbytes
        else:
            distinct = sorted(set(weights))
            # each posting's (weight, length byte) as one int: 256 * the weight's rank + the byte
            keys = list(map(operator.add, lbytes, map({w: 256 * i for i, w in enumerate(distinct)}.__getitem__,
                                                      weights)))
        table = [0.0] * (256 * len(distinct))
        for k in set(keys):
            lb = k & 255
            table[k] = scorer._score(distinct[k >> 8], byte_to_length(lb) if lb else 1)
        found = dict(zip(ids, map(table.__getitem__, keys)))
        self._weights[key] = found
        return found


def _approximate(q: wq.Query, leaf: _Leaf) -> dict[int, float]:
    """Scores (leaf document numbers) of the final documents `q` matches: Whoosh's formula on the same
    terms, summed as Whoosh's matchers sum them (but for the tree its And builds: within ~1e-15)."""
    if isinstance(q, wq.Term):
        schema = leaf.reader.schema
        if q.fieldname not in schema:
            return {}
        try:
            text = schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return {}
        return _boosted(leaf.term_scores(q.fieldname, text), q.boost)
    if isinstance(q, wq.Prefix):
        # Whoosh's MultiTerm: one expansion is scored as that plain term (the prefix's boost is not
        # applied); several are a constant-score Or, left to Whoosh.
        expanded = [t for t in leaf.reader.expand_prefix(q.fieldname, q.text) if t]
        if len(expanded) > 1:
            raise _Unsupported("prefix")
        return _approximate(wq.Term(q.fieldname, expanded[0]), leaf) if expanded else {}
    if isinstance(q, wq.Phrase):
        schema = leaf.reader.schema
        if q.slop != 1 or q.fieldname not in schema or len(q.words) < 2:
            raise _Unsupported("phrase")
        field = schema[q.fieldname]
        try:
            words = tuple(field.to_bytes(w) for w in q.words)
        except ValueError:
            return {}
        docs = [d for d in leaf.sets.phrase(q.fieldname, words) if d in leaf.final]
        per_word = [leaf.term_scores(q.fieldname, w) for w in words]
        return _boosted(dict(zip(docs, _tree_sums(per_word, docs))), q.boost)
    if isinstance(q, (wq.Or, wq.And)):
        parts = [_approximate(sub, leaf) for sub in q.subqueries]
        if not parts:
            return {}
        if isinstance(q, wq.And):
            keys = set(parts[0])
            for part in parts[1:]:
                keys.intersection_update(part)
            keys = list(keys)
            out = dict(zip(keys, _tree_sums(parts, keys)))
        else:
            out = _union(parts)
        return _boosted(out, q.boost)
    if isinstance(q, wq.AndMaybe):
        a, b = _approximate(q.a, leaf), _approximate(q.b, leaf)
        out = dict(a)
        both = list(a.keys() & b.keys())
        out.update(zip(both, map(operator.add, map(a.__getitem__, both), map(b.__getitem__, both))))
        return _boosted(out, q.boost)
    if isinstance(q, wq.AndNot):
        return _boosted(_approximate(q.a, leaf), q.boost)
    if q is wq.NullQuery:
        return {}
    raise _Unsupported(type(q).__name__)


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    """A wrapping matcher's boost: each score times `boost`."""
    if boost == 1.0:
        return scores
    return dict(zip(scores, map(boost.__mul__, scores.values())))


def _tree_sums(parts: list[dict[int, float]], keys: list[int]) -> list[float]:
    """For each of `keys`, its scores in `parts` summed as `make_binary_tree`'s matchers sum them."""
    if len(parts) == 1:
        return list(map(parts[0].__getitem__, keys))
    half = len(parts) // 2
    return list(map(operator.add, _tree_sums(parts[:half], keys), _tree_sums(parts[half:], keys)))


def _union(parts: list[dict[int, float]]) -> dict[int, float]:
    """Scores of a binary tree of union matchers: a document's score sums the branches that match it."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    a, b = _union(parts[:half]), _union(parts[half:])
    if not a or not b:
        return a or b
    out = {**b, **a}
    both = list(a.keys() & b.keys())
    out.update(zip(both, map(operator.add, map(a.__getitem__, both), map(b.__getitem__, both))))
    return out


def rank(searcher, q: wq.Query, final: set[int], limit: int, sets: MatchSets) -> list[tuple[int, float]] | None:
    """The first `limit` of `final` (top-level document numbers, all matching `q`) by Whoosh's score of `q`,
    in Whoosh's order (score descending, then document number), with their scores; None when `q` holds a
    query this does not score (then let Whoosh rank).

    Every document in `final` is scored from whole posting lists with Whoosh's scorer (`_approximate`);
    where two of the best are within rounding of each other, Whoosh's own matchers decide.
    """
    if not final:
        return []
    leaves = []
    approx: dict[int, float] = {}
    try:
        subsearchers = searcher.leaf_searchers()
        ordered = sorted(final) if len(subsearchers) > 1 else None
        for (leafsets, reader, offset), (subsearcher, _) in zip(sets.leaves, subsearchers):
            leaves.append(_Leaf(leafsets, subsearcher, offset, final, ordered))
        pruned = _prune(q, leaves, final, limit)
        if pruned is not None:
            approx = pruned
        else:
            for leaf in leaves:
                if leaf.final:
                    scores = _approximate(q, leaf)
                    offset = leaf.offset
                    approx.update(scores if not offset else zip(map(offset.__add__, scores), scores.values()))
            if len(approx) != len(final):  # a document scored twice or not at all: Whoosh will know better
                return None
    except _Unsupported:
        return None
    n = min(limit + 1, len(approx))
    cut = sorted(approx.values(), reverse=True)[n - 1]
    order = sorted(((d, v) for d, v in approx.items() if v >= cut), key=_by_score)
    # The scores above are Whoosh's up to the order of additions (its And matchers sum in a tree of their
    # own): equal to ~1e-15. Where two of the first `limit` (or the last of them and the next) are closer
    # than _NEAR but not equal, the order could differ from Whoosh's: those are scored by Whoosh's matchers.
    top = order[:limit + 1]
    near = set()
    for (d1, s1), (d2, s2) in zip(top, top[1:]):
        if s1 != s2 and s1 - s2 <= _NEAR * max(1.0, abs(s1)):
            near.update((d1, d2))
    if not near:
        return order[:limit]
    low = min(approx[d] for d in near) - _NEAR * max(1.0, abs(min(approx[d] for d in near)))
    candidates = sorted(d for d, s in approx.items() if s >= low)
    context = searcher.context()
    exact = []
    for leaf in leaves:
        local = [d - leaf.offset for d in candidates if leaf.offset <= d < leaf.offset + leaf.reader.doc_count_all()]
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
            exact.append((d + leaf.offset, m.score()))
    exact.sort(key=_by_score)
    return exact[:limit]


_NEAR = 1e-9
_PRUNE_ABOVE = 2000  # matches past which an OR first ranks the documents of its best branch only


def _prune(q: wq.Query, leaves: list[_Leaf], final: set[int], limit: int) -> dict[int, float] | None:
    """For an OR of many matches (a common word: its n-gram, word and headline-word terms): the scores of
    the documents of its highest-scoring branch only, when no document outside that branch can reach the
    `limit`-th of them (the other branches' most possible scores summed are lower; MaxScore). None when
    that cannot be shown: every match is scored then."""
    if not isinstance(q, wq.Or) or len(q.subqueries) < 2 or len(final) <= _PRUNE_ABOVE:
        return None
    children = q.subqueries
    bounds = [max((_bound(child, leaf) for leaf in leaves if leaf.final), default=0.0) for child in children]
    best = max(range(len(children)), key=bounds.__getitem__)
    rest = sum(b for i, b in enumerate(bounds) if i != best) * q.boost
    scored: dict[int, float] = {}
    for leaf in leaves:
        if not leaf.final:
            continue
        docs = leaf.sets_of(children[best]) & leaf.final
        if not docs:
            continue
        narrow = _Leaf(leaf.sets, leaf.searcher, leaf.offset, set(docs), None)
        narrow._lengths = leaf._lengths
        scores = _approximate(q, narrow)
        offset = leaf.offset
        scored.update(scores if not offset else zip(map(offset.__add__, scores), scores.values()))
    if len(scored) < limit + 1:
        return None
    cut = sorted(scored.values(), reverse=True)[limit]  # the (limit + 1)-th best among the branch's
    if rest >= cut - 1e-6 * max(1.0, abs(cut)):
        return None
    return scored


def _bound(q: wq.Query, leaf: _Leaf) -> float:
    """The most `q` can score in a document of `leaf` (Whoosh's quality bound of each term: its best
    weight at its shortest length)."""
    if isinstance(q, wq.Term):
        schema = leaf.reader.schema
        if q.fieldname not in schema:
            return 0.0
        try:
            text = schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return 0.0
        if (q.fieldname, text) not in leaf.reader:
            return 0.0
        scorer = leaf.searcher.weighting.scorer(leaf.searcher, q.fieldname, text)
        if not hasattr(scorer, "_score"):
            raise _Unsupported(type(scorer).__name__)
        return scorer.max_quality() * q.boost
    if isinstance(q, wq.Prefix):
        expanded = [t for t in leaf.reader.expand_prefix(q.fieldname, q.text) if t]
        if len(expanded) > 1:
            raise _Unsupported("prefix")
        return _bound(wq.Term(q.fieldname, expanded[0]), leaf) if expanded else 0.0
    if isinstance(q, wq.Phrase):
        return sum(_bound(wq.Term(q.fieldname, w), leaf) for w in q.words) * q.boost
    if isinstance(q, (wq.And, wq.Or)):
        return sum(_bound(sub, leaf) for sub in q.subqueries) * q.boost
    if isinstance(q, wq.AndMaybe):
        return (_bound(q.a, leaf) + _bound(q.b, leaf)) * q.boost
    if isinstance(q, wq.AndNot):
        return _bound(q.a, leaf) * q.boost
    raise _Unsupported(type(q).__name__)


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    """Whoosh's order of hits: score descending, then document number."""
    return -item[1], item[0]
