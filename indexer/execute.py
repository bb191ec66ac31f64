"""Evaluating a query (`indexer.plan`) on the index: which documents match, and their scores, together.

Each segment is evaluated on arrays over its documents: a term's posting list is read whole (`codec.Postings`)
and scored with Whoosh's BM25F formula for all its documents at once; And/Or/AndNot combine a node's parts'
scores and matches as array operations, as Whoosh's matchers would document by document; a phrase is found
on the positions of the documents holding all its terms, the rarest term read first and the others only in
the blocks that can hold a candidate. The scores are Whoosh's (tests/test_execute.py compares them with its
searcher's).

A `Budget` bounds the work: past its deadline, evaluation stops at the next term and the caller answers with
the segments evaluated so far, marked partial.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from itertools import compress

import numpy as np
from whoosh import scoring

from . import codec
from .lru import SizedLRU, frozen
from .plan import And, AndMaybe, AndNot, AtLeast, Every, Node, Or, Phrase, Prefix, Term

MAX_EXPANSIONS = 256
# A relaxed query ranks articles with more of its words first: each word matched adds this to the score.
COVERAGE_STEP = 1e6
_DOC = 1 << 32  # a document's share of the numbers a phrase intersects (positions are below)
_BIAS = 1 << 12  # keeps p - j positive for any phrase of fewer words

Scored = tuple[np.ndarray, np.ndarray]  # per document of a segment: its score, and whether it matches


class TimeUp(Exception):
    """The budget ran out: answer with what was found so far."""


@dataclasses.dataclass
class Budget:
    """A deadline for a search's work (`time.perf_counter()` seconds); None: no limit."""

    deadline: float | None = None

    @classmethod
    def of(cls, seconds: float | None) -> Budget:
        return cls(None if seconds is None else time.perf_counter() + seconds)

    def check(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise TimeUp


@dataclasses.dataclass
class Decoded:
    """A term's postings in one segment as the evaluator uses them: document numbers, weights (None: all 1.0)
    and, when read for a phrase, their positions: the packed values as read (`values`), or, for a list kept
    in a cache, how many positions each posting has and all of them in order (`counts`, `positions`)."""

    ids: np.ndarray
    weights: np.ndarray | None
    values: list[bytes] | None = None
    counts: np.ndarray | None = None
    positions: np.ndarray | None = None
    starts: np.ndarray | None = None  # where each posting's positions start in `positions`

    @classmethod
    def unpacked(cls, postings: codec.Postings) -> Decoded:
        """A whole list to keep: its positions unpacked once, not by each phrase that reads it."""
        if postings.values is None:
            return cls(postings.ids, postings.weights)
        counts, positions = codec.unpack_positions(postings.values)
        # 32 bits are enough for a count and a position (a document's text is far shorter): half the memory.
        starts = np.cumsum(counts) - counts
        return cls(postings.ids, postings.weights, None, counts.astype(np.int32), positions.astype(np.int32), starts)

    @property
    def has_values(self) -> bool:
        return self.values is not None or self.positions is not None

    def numbers(self, keep: np.ndarray, j: int) -> np.ndarray:
        """For the postings `keep` selects, each position p of document d as d·2³² + p − j (see `phrase`)."""
        if self.positions is None:  # values as read: only those of the documents kept are unpacked
            assert self.values is not None
            counts, positions = codec.unpack_positions(list(compress(self.values, keep.tolist())))
        else:
            assert self.counts is not None and self.starts is not None
            # The kept postings' positions by index, not by a mask over all of them: the candidates after a
            # phrase's rarest word are few, and a common word's positions many.
            counts = self.counts[keep]
            ends = np.cumsum(counts)
            at = np.arange(ends[-1] if len(ends) else 0) + np.repeat(self.starts[keep] - (ends - counts), counts)
            positions = self.positions[at]
        return np.repeat(self.ids[keep] * _DOC + (_BIAS - j), counts) + positions

    @property
    def nbytes(self) -> int:
        arrays = (self.ids, self.weights, self.counts, self.positions, self.starts)
        return 200 + sum(a.nbytes for a in arrays if a is not None)


class Segment:
    """One segment (leaf reader) of a searcher, for one search: its postings are read at most once.

    With a `cache` (an `lru.SizedLRU` of the index), whole posting lists are read and kept there for later
    searches, by the segment's id (a segment never changes); their documents' scores too, by the index
    generation as well (a term's statistics are the whole index's). Without one, a phrase's words after the
    first are read only in the blocks that can hold a candidate."""

    def __init__(
        self,
        leaf,
        searcher,
        offset: int,
        budget: Budget,
        scorers: dict | None = None,
        cache: SizedLRU | None = None,
        generation: int | None = None,
    ):
        self.leaf, self.searcher, self.offset, self.budget = leaf, searcher, offset, budget
        self.size = leaf.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        self.deletions = leaf.has_deletions()
        if self.deletions:
            self.live[np.fromiter(leaf.deleted_docs_set, dtype=np.int64)] = False
        # Each term's scorer (its statistics are the whole index's): shared by the segments of one search.
        self._scorers = {} if scorers is None else scorers
        self.cache = cache if hasattr(leaf, "segment") else None
        self._segment_id = leaf.segment().segment_id() if self.cache is not None else None
        self._generation = generation
        self._postings: dict[tuple, Decoded] = {}
        self._scores: dict[tuple, Scored] = {}
        self._lengths: dict[str, np.ndarray | None] = {}

    def nothing(self) -> Scored:
        return np.zeros(self.size), np.zeros(self.size, dtype=bool)

    def postings(self, field: str, text: str, values: bool = False, wanted: np.ndarray | None = None) -> Decoded:
        key = (field, text)
        found = self._postings.get(key)
        if found is None or (values and not found.has_values):
            self.budget.check()
            if self.cache is None:
                postings = codec.Postings.read(self.leaf, field, text.encode("utf-8"), values, wanted)
                found = Decoded(postings.ids, postings.weights, postings.values)
            else:
                found = self._cached(field, text, values)
            if wanted is None or self.cache is not None:
                self._postings[key] = found
        return found

    def _cached(self, field: str, text: str, values: bool) -> Decoded:
        """The whole posting list, from the index's cache or read and put there."""
        assert self.cache is not None
        key = ("postings", self._segment_id, field, text)
        found = self.cache.get(key)
        if found is None or (values and not found.has_values):
            found = Decoded.unpacked(codec.Postings.read(self.leaf, field, text.encode("utf-8"), values))
            frozen(found.ids, found.weights, found.counts, found.positions, found.starts)
            self.cache.put(key, found, found.nbytes)
        return found

    def doc_frequency(self, field: str, text: str) -> int:
        """How many postings the term has here (deleted documents included), from its list when kept."""
        if self.cache is not None:
            found = self.cache.get(("postings", self._segment_id, field, text))
            if found is not None:
                return len(found.ids)
        return self.leaf.doc_frequency(field, text)

    def lengths(self, field: str) -> np.ndarray | None:
        if field not in self._lengths:
            self._lengths[field] = codec.field_lengths(self.leaf, field)
        return self._lengths[field]

    def term(self, field: str, text: str) -> Scored:
        """Whoosh's BM25F score of the term in each document (0 where it does not occur)."""
        key = (field, text)
        found = self._scores.get(key)
        if found is None:
            found = self._scores[key] = self._score(field, text, self.postings(field, text))
        return found

    def _score(self, field: str, text: str, postings: Decoded) -> Scored:
        scores, matched = self.nothing()
        ids = postings.ids
        if not len(ids):
            return scores, matched
        if self.cache is None:  # postings may be a part of the list: nothing is kept
            scores[ids] = self._posting_scores(field, text, postings)
        else:
            key = ("scores", self._segment_id, self._generation, field, text)
            values = self.cache.get(key)
            if values is None:
                values = self._posting_scores(field, text, postings)
                frozen(values)
                self.cache.put(key, values, 100 + values.nbytes)
            scores[ids] = values
        matched[ids] = True
        if self.deletions:
            dead = ids[~self.live[ids]]
            matched[dead] = False
            scores[dead] = 0.0
        return scores, matched

    def _posting_scores(self, field: str, text: str, postings: Decoded) -> np.ndarray:
        """Whoosh's BM25F score of each of `postings` (deleted documents included)."""
        ids = postings.ids
        scorer = self._scorers.get((field, text))
        if scorer is None:
            scorer = self._scorers[field, text] = self.searcher.weighting.scorer(self.searcher, field, text)
        weights = np.ones(len(ids)) if postings.weights is None else postings.weights
        if not isinstance(scorer, scoring.BM25FScorer):  # a field without lengths: Whoosh scores the weight
            return np.asarray(weights, dtype=np.float64)
        lengths = self.lengths(field)
        length = codec.LENGTHS[lengths[ids]] if lengths is not None else np.ones(len(ids))
        idf, B, K1 = scorer.idf, scorer.B, scorer.K1
        # Whoosh's BM25F (`scoring.bm25`), in its order of operations: the same floating-point results.
        return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * length / scorer.avgfl)))

    def phrase(self, field: str, words: tuple[str, ...]) -> Scored:
        """Documents holding `words` at consecutive positions (Whoosh's `Phrase`, slop 1), scored as Whoosh
        scores a phrase: the sum of its terms' scores. With a cache, the documents are kept there (by the
        generation too: deletions change them): a word of several characters is a phrase of its bigrams."""
        if self.cache is None:
            docs, read = self._phrase_docs(field, words)
            if not len(docs):
                return self.nothing()
            # Every word's postings read include the documents still in the running at its turn.
            parts = [self._score(field, w, read[j])[0] for j, w in enumerate(words)]
        else:
            key = ("phrase", self._segment_id, self._generation, field, words)
            docs = self.cache.get(key)
            if docs is None:
                docs = self._phrase_docs(field, words)[0]
                frozen(docs)
                self.cache.put(key, docs, 100 + docs.nbytes)
            if not len(docs):
                return self.nothing()
            parts = [self.term(field, w)[0] for w in words]
        candidates = np.zeros(self.size, dtype=bool)
        candidates[docs] = True
        return np.where(candidates, _tree_sum(parts), 0.0), candidates

    def _phrase_docs(self, field: str, words: tuple[str, ...]) -> tuple[np.ndarray, dict[int, Decoded]]:
        """The documents holding the phrase (ascending), and each word's postings as read.

        Each occurrence of the j-th word at position p in document d is the number d·2³² + p − j: the phrase
        is where these numbers meet. A word's numbers come out sorted, so they are intersected by binary
        search, the rarest word's first; without a cache, each next word is read only in blocks holding a
        candidate."""
        order = sorted(range(len(words)), key=lambda j: self.doc_frequency(field, words[j]))
        candidates = self.live
        starts = None
        read: dict[int, Decoded] = {}
        none = np.zeros(0, dtype=np.int64)
        for j in order:
            postings = read[j] = self.postings(field, words[j], values=True, wanted=candidates)
            keep = candidates[postings.ids]
            if not keep.any():
                return none, read
            numbers = postings.numbers(keep, j)
            starts = numbers if starts is None else starts[_within(numbers, starts)]
            if not len(starts):
                return none, read
            candidates = np.zeros(self.size, dtype=bool)
            candidates[starts // _DOC] = True
        return np.flatnonzero(candidates), read

    def expand(self, field: str, prefix: str) -> list[str]:
        terms = []
        for term in self.leaf.expand_prefix(field, prefix):
            terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
            if len(terms) >= MAX_EXPANSIONS:
                break
        return terms


def _within(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Whether each of `needles` is in the sorted array `haystack`."""
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool)
    at = np.minimum(np.searchsorted(haystack, needles), len(haystack) - 1)
    return haystack[at] == needles


def evaluate(q: Node, seg: Segment) -> Scored:
    """The scores of `q` in each document of the segment (0 where it does not match), and its matches."""
    if isinstance(q, Term):
        if q.field not in seg.leaf.schema:
            return seg.nothing()
        return _boosted(seg.term(q.field, q.text), q.boost)
    if isinstance(q, Phrase):
        if q.field not in seg.leaf.schema:
            return seg.nothing()
        return _boosted(seg.phrase(q.field, q.words), q.boost)
    if isinstance(q, Prefix):
        # Whoosh scores one expansion as that term, several as a constant-score Or (here: their sum).
        terms = seg.expand(q.field, q.text)
        return (
            evaluate(
                Term(q.field, terms[0], boost=q.boost)
                if len(terms) == 1
                else Or(tuple(Term(q.field, t) for t in terms), boost=q.boost),
                seg,
            )
            if terms
            else seg.nothing()
        )
    if isinstance(q, (And, Or, AtLeast)):
        parts = [evaluate(sub, seg) for sub in q.parts]
        if not parts:
            return seg.nothing()
        # Scores are 0 where a part does not match, so a sum is a union's sum of the matching parts.
        summed = _tree_sum([scores for scores, _ in parts])
        if isinstance(q, And):
            matched = functools.reduce(np.logical_and, [m for _, m in parts])
            summed = np.where(matched, summed, 0.0)
        elif isinstance(q, Or):
            matched = functools.reduce(np.logical_or, [m for _, m in parts])
        else:
            count = np.sum([m for _, m in parts], axis=0)
            matched = count >= q.k
            summed = np.where(matched, summed + COVERAGE_STEP * count, 0.0)
        return _boosted((summed, matched), q.boost)
    if isinstance(q, AndMaybe):
        (a, matched), (b, _) = evaluate(q.required, seg), evaluate(q.optional, seg)
        return _boosted((np.where(matched, a + b, 0.0), matched), q.boost)
    if isinstance(q, AndNot):
        a, matched = evaluate(q.positive, seg)
        matched = matched & ~evaluate(q.negative, seg)[1]
        return _boosted((np.where(matched, a, 0.0), matched), q.boost)
    if isinstance(q, Every):
        return np.zeros(seg.size), seg.live.copy()
    raise TypeError(f"not a query node: {q!r}")


def _boosted(scored: Scored, boost: float) -> Scored:
    return scored if boost == 1.0 else (scored[0] * boost, scored[1])


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """`parts` summed in the order of Whoosh's binary tree of matchers (floating-point addition is not
    associative, and the tests compare scores with Whoosh's)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


@dataclasses.dataclass
class Evaluated:
    """A query's scores and matches over all documents of a searcher (index document numbers), and whether
    the budget stopped it before the last segment."""

    scores: np.ndarray
    matched: np.ndarray
    timed_out: bool = False


def run(q: Node, searcher, budget: Budget | None = None, cache: SizedLRU | None = None) -> Evaluated:
    """Evaluate `q` on every segment of `searcher`; past the budget's deadline, the segments not evaluated
    match nothing and the result says so. With a `cache`, posting lists and scores are kept there (see
    `Segment`): it must be used with the searchers of one index only."""
    budget = budget or Budget()
    total = searcher.doc_count_all()
    scores, matched = np.zeros(total), np.zeros(total, dtype=bool)
    timed_out = False
    scorers: dict = {}
    generation = searcher.reader().generation() if cache is not None else None
    for leaf_searcher, offset in searcher.leaf_searchers():
        segment = Segment(leaf_searcher.reader(), leaf_searcher, offset, budget, scorers, cache, generation)
        try:
            s, m = evaluate(q, segment)
        except TimeUp:
            timed_out = True
            break
        scores[offset : offset + segment.size] = s
        matched[offset : offset + segment.size] = m
    return Evaluated(scores, matched, timed_out)


def top(scores: np.ndarray, docs: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The first `limit` of `docs` (a boolean array) by score, then document number (Whoosh's order)."""
    candidates = np.flatnonzero(docs)
    if not len(candidates) or limit <= 0:
        return []
    values = scores[candidates]
    if len(candidates) > limit:
        cut = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= cut
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))[:limit]
    return list(zip(candidates[order].tolist(), values[order].tolist()))
