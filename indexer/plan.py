"""From a parsed query to the one query the index answers (`indexer.execute` evaluates it).

A query is a tree of the few kinds of node below; every search, of any kind, is one tree, whose
evaluation gives the matching documents and their scores together. Each node also says what Whoosh query
would mean the same (`to_whoosh`), which the tests run against Whoosh's own searcher.

How a typed word becomes a query (`word_query`): it matches where its characters occur verbatim (a phrase of
the stream's bigrams, so recall never depends on word cutting; `chars` for one character), or — unquoted —
where all its indexed words occur (cut against the index's vocabulary, so either script cuts alike).
Verbatim matches weigh more; headline matches (BM25F, and the query's whole text as a headline phrase)
more again.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Self

from whoosh import query as wq

from . import analysis
from .query import ParsedQuery, Word

# Whether a word occurs in the indexed articles' words: queries are cut into these.
Vocabulary = Callable[[str], bool]
# A verbatim match is worth more than the same words scattered; words typed apart found side by side more,
# and in a headline more again.
VERBATIM_BOOST = 10.0
SIDE_BY_SIDE_BOOST = 20.0
TITLE_VERBATIM_BOOST = 40.0
# A relaxed query (when no article has every word) asks for at least this share of its words.
RELAXED_SHARE = 0.5


# ---------------------------------------------------------------------------------------------- nodes


@dataclasses.dataclass(frozen=True)
class Node:
    """A query node; `boost` multiplies its scores (a keyword argument of every node: `Term(f, t, boost=2)`)."""

    boost: float = dataclasses.field(default=1.0, kw_only=True)

    def to_whoosh(self) -> wq.Query:
        raise NotImplementedError

    def boosted(self, boost: float) -> Self:
        """The same node, its scores multiplied by `boost`."""
        return dataclasses.replace(self, boost=self.boost * boost)


@dataclasses.dataclass(frozen=True)
class Term(Node):
    """Documents holding a term of a field."""

    field: str
    text: str

    def to_whoosh(self):
        return wq.Term(self.field, self.text, boost=self.boost)


@dataclasses.dataclass(frozen=True)
class Phrase(Node):
    """Documents holding the terms at consecutive positions (a stream's bigrams: a string)."""

    field: str
    words: tuple[str, ...]

    def to_whoosh(self):
        return wq.Phrase(self.field, list(self.words), boost=self.boost)


@dataclasses.dataclass(frozen=True)
class Prefix(Node):
    """Documents holding a term that starts with `text` (at most `MAX_EXPANSIONS` terms are tried)."""

    field: str
    text: str

    def to_whoosh(self):
        return wq.Prefix(self.field, self.text, boost=self.boost)


@dataclasses.dataclass(frozen=True)
class And(Node):
    parts: tuple[Node, ...]

    def to_whoosh(self):
        return wq.And([p.to_whoosh() for p in self.parts], boost=self.boost)


@dataclasses.dataclass(frozen=True)
class Or(Node):
    parts: tuple[Node, ...]

    def to_whoosh(self):
        return wq.Or([p.to_whoosh() for p in self.parts], boost=self.boost)


@dataclasses.dataclass(frozen=True)
class AtLeast(Node):
    """Documents matching at least `k` of the parts, scored by the ones they match."""

    parts: tuple[Node, ...]
    k: int

    def to_whoosh(self):
        import itertools

        return wq.Or(
            [wq.And([p.to_whoosh() for p in chosen]) for chosen in itertools.combinations(self.parts, self.k)],
            boost=self.boost,
        )


@dataclasses.dataclass(frozen=True)
class AndNot(Node):
    positive: Node
    negative: Node

    def to_whoosh(self):
        return _with_boost(wq.AndNot(self.positive.to_whoosh(), self.negative.to_whoosh()), self.boost)


@dataclasses.dataclass(frozen=True)
class AndMaybe(Node):
    """The documents of `required`; those also matching `optional` score its score too."""

    required: Node
    optional: Node

    def to_whoosh(self):
        return _with_boost(wq.AndMaybe(self.required.to_whoosh(), self.optional.to_whoosh()), self.boost)


@dataclasses.dataclass(frozen=True)
class Every(Node):
    """Every document (browsing)."""

    def to_whoosh(self):
        return wq.Every()


def _with_boost(q: wq.Query, boost: float) -> wq.Query:
    q.boost = boost
    return q


def either(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def both(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


# ---------------------------------------------------------------------------------------------- compiling


@dataclasses.dataclass(frozen=True)
class Mark:
    """A string the snippets mark: the query's words as typed (`exact`), or the indexed words an unquoted
    word was cut into, which match apart (`exact` False)."""

    text: str
    exact: bool = True


@dataclasses.dataclass
class Plan:
    """A query to evaluate, and what the page says about it."""

    query: Node | None
    marks: list[Mark]
    # The words a document may lack in a relaxed query, each with the query that finds it.
    units: list[tuple[str, Node]] = dataclasses.field(default_factory=list)
    # Other spellings searched as well: regional word forms (信息 → 資訊).
    also: list[str] = dataclasses.field(default_factory=list)


def verbatim(text: str, title: bool = False) -> Node | None:
    """Articles (or headlines) containing `text`'s stream as a consecutive run; None if it has nothing
    searchable."""
    chars = analysis.stream(text)
    if not chars:
        return None
    if len(chars) == 1:
        return Prefix("title_grams", chars) if title else Term("chars", chars)
    grams = analysis.bigrams(chars)
    field = "title_grams" if title else "grams"
    return Term(field, grams[0]) if len(grams) == 1 else Phrase(field, tuple(grams))


def word_query(word: Word, known: Vocabulary) -> Node | None:
    """One word or phrase as typed: verbatim, or (unquoted) its indexed words anywhere."""
    title = word.field == "title"
    exact = verbatim(word.text, title)
    if exact is None or word.phrase:
        return exact
    words = analysis.query_words(word.text, known)
    alternatives = [exact.boosted(VERBATIM_BOOST)]
    # Its words anywhere, when they are all indexed words (otherwise they cannot all occur): ranked by how
    # often each occurs, in the headline above all (BM25F).
    if words and all(map(known, words)):
        for field in ("title_words",) if title else ("words", "title_words"):
            alternatives.append(both([Term(field, w) for w in words]))
    return either(alternatives)


def compile_query(
    parsed: ParsedQuery, known: Vocabulary, variants: Callable[[str], Sequence[str]] | None = None
) -> Plan:
    """The query for the words of `parsed` (None when it has none: filters only, browse) and its marks.

    `variants(word)` gives other spellings of an unquoted word to search as well (regional word forms)."""
    marks: list[Mark] = []
    also: list[str] = []
    groups: list[Node] = []
    for group in parsed.groups:
        alternatives = []
        for word in group:
            node = word_query(word, known)
            if node is None:
                continue
            others = [] if word.phrase or variants is None else variants(word.text)
            for other in others:
                extra = word_query(Word(other, field=word.field), known)
                if extra is not None:
                    node = Or((node, extra))
                    also.append(other)
            alternatives.append(node)
            marks += _marks(word, known) + [m for other in others for m in _marks(Word(other), known)]
        if alternatives:
            groups.append(either(alternatives))
    excluded = [n for n in (verbatim(w.text, w.field == "title") for w in parsed.excluded) if n is not None]
    if not groups and not excluded:
        return Plan(None, [])
    q: Node = Every() if not groups else both(groups)
    together = "".join(w.text for w in parsed.positive_words)
    joined = analysis.stream(together)
    if groups and len(joined) > 1 and all(len(g) == 1 for g in parsed.groups):
        # The words typed side by side, in a headline above all: an article headed so ranks first.
        bonus: list[Node] = [
            Phrase("title_grams", tuple(analysis.bigrams(joined)), boost=TITLE_VERBATIM_BOOST)
            if len(joined) > 2
            else Term("title_grams", joined, boost=TITLE_VERBATIM_BOOST)
        ]
        # (never None here: `together` has two searchable characters or more)
        if len(parsed.groups) > 1 and (side_by_side := verbatim(together)) is not None:
            bonus.append(side_by_side.boosted(SIDE_BY_SIDE_BOOST))
        q = AndMaybe(q, either(bonus))
    if excluded:
        q = AndNot(q, either(excluded))
    marks = list(dict.fromkeys(m for m in marks if m.text))
    return Plan(q, marks, _units(parsed, known), list(dict.fromkeys(also)))


def _marks(word: Word, known: Vocabulary) -> list[Mark]:
    text = analysis.clean(word.text)
    marks = [Mark(text)]
    if not word.phrase:
        parts = analysis.query_words(text, known)
        if len(parts) > 1:
            marks += [Mark(w, exact=False) for w in parts if len(w) > 1]
    return marks


def _units(parsed: ParsedQuery, known: Vocabulary) -> list[tuple[str, Node]]:
    """The words a relaxed query counts: each quoted phrase whole, each unquoted word's indexed words (with
    the characters between them that are no indexed word kept together)."""
    units: list[tuple[str, Node]] = []
    for word in parsed.positive_words:
        parts = [word.text] if word.phrase else _joined_singles(analysis.query_words(word.text, known))
        for part in parts:
            node = verbatim(part, word.field == "title")
            if node is not None and part not in dict(units):
                units.append((part, node))
    return units


def _joined_singles(words: list[str]) -> list[str]:
    """Runs of single characters (no indexed word) joined: 首 登 nature → 首登 nature."""
    joined: list[str] = []
    single = False  # whether the last of `joined` is a run of single characters
    for word in words:
        alone = len(word) == 1 and analysis.is_han(word)
        if alone and single:
            joined[-1] += word
        else:
            joined.append(word)
        single = alone or (single and alone)
    return joined


def relaxed(plan: Plan, parsed: ParsedQuery) -> Node | None:
    """The plan's query asking for only some of its words (at least `RELAXED_SHARE` of them), ranked by how
    many each article has; None when there is nothing to relax (one word, or operators typed)."""
    if parsed.operators or len(plan.units) < 2 or plan.query is None:
        return None
    k = max(1, math.ceil(RELAXED_SHARE * len(plan.units)))
    q: Node = AtLeast(tuple(node for _, node in plan.units), k)
    q = AndMaybe(q, plan.query)
    excluded = [n for n in (verbatim(w.text) for w in parsed.excluded) if n is not None]
    return AndNot(q, either(excluded)) if excluded else q
