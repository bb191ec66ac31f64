"""The search core, shared by the CLI and the web: `search(index, query, filters, page) -> Results`.

One path from a typed query to ranked documents: the query language (`indexer.query`) is compiled into one
query (`indexer.plan`), evaluated for its matches and scores together (`indexer.execute`), filtered and
counted by facet (`indexer.facets`); the page's hits get snippets as spans (`indexer.snippets`). Browsing
(filters alone) and sorting by date use the same matches, ordered by the date key instead of the score.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from . import (
    analysis,
    execute,
    index as index_module,
    pinyin_query,
    plan as plan_module,
    query as query_module,
    record,
    regional,
    spelling,
)
from .errors import SearchError
from .facets import FacetSets, FacetValue
from .lru import SizedLRU
from .plan import Mark
from .query import Filters
from .record import Article
from .snippets import Snippet, highlight, snippet

if TYPE_CHECKING:
    from whoosh.searching import Searcher

MAX_PAGE = 1000
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")
RELATED_CHARS = 1000
RELATED_KEPT = 4096
RELATED_WORDS = 12
# The memory an open index may keep decoded posting lists and scores in (per process): on the 87k-article
# benchmark index the typical queries' take 23 MB, the worst cases' as many again.
CACHE_BYTES = 64 << 20
# No search works longer than this (seconds) before answering with what it found (`Results.timed_out`).
BUDGET_SECONDS = 1.0


@dataclasses.dataclass
class Hit:
    """An article found, its score, the snippet and headline with the matches, and the query's words it
    lacks (in a relaxed search)."""

    article: Article
    score: float
    snippet: Snippet
    title: Snippet
    missing: list[str] = dataclasses.field(default_factory=list)

    @property
    def id(self) -> str:
        return self.article.id


@dataclasses.dataclass
class Results:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    filters: Filters
    sort: str = "relevance"
    seconds: float = 0.0
    marks: list[Mark] = dataclasses.field(default_factory=list)
    # Matching articles per year and zone, for the chart of results: {"2020": {"凌源经济开发区": 2}}.
    year_zone: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    # The time budget ran out: the total, facets and hits count what was found until then.
    timed_out: bool = False
    # No article has every word: these have most of them (each hit says which it lacks).
    relaxed: bool = False
    # Other spellings searched as well (regional word forms).
    also: list[str] = dataclasses.field(default_factory=list)
    # When nothing passes the filters: how many would with each chosen value dropped, {(facet, value): n}.
    without: dict[tuple[str, object], int] = dataclasses.field(default_factory=dict)
    # Words typed in pinyin and the words searched for them: {"typed": "lingyuan", "searched": ["凌源"]}.
    pinyin: dict | None = None
    # A better query (homophone typos corrected), and the query as typed when the better one was searched
    # instead (the typed one found nothing).
    suggestion: str | None = None
    searched_instead: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class Index:
    """An open index: one Whoosh searcher per thread, refreshed when an update commits, and each index
    generation's facet sets computed once and shared."""

    def __init__(self, index_dir: str | os.PathLike, cache_bytes: int = CACHE_BYTES):
        self.dir = index_dir
        self.ix = index_module.open_index(index_dir)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._facets: dict[int, FacetSets] = {}
        # Decoded posting lists and their scores, shared by this index's searches (see `execute.Segment`).
        self.postings = SizedLRU(cache_bytes) if cache_bytes else None
        # Related articles depend on the article and the index generation alone: kept for the pages viewed.
        self._related: collections.OrderedDict[tuple[int, str, int], list[Article]] = collections.OrderedDict()

    def searcher(self):
        """This thread's searcher, of the newest generation when an update has been committed since.

        The searcher it replaces stays open until the next replacement: work of this thread that began on it
        (and asks for the searcher again, say for an article's number) must not find its files closed."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher(weighting=index_module.WEIGHTING)
        elif not s.up_to_date():
            old = getattr(self._local, "previous", None)
            if old is not None:
                old.close()
            self._local.previous = s
            # A fresh searcher, not Searcher.refresh(): that reuses segment readers and misses deletions.
            s = self._local.searcher = self.ix.searcher(weighting=index_module.WEIGHTING)
        return s

    def facet_sets(self, searcher) -> FacetSets:
        generation = searcher.reader().generation()
        with self._lock:
            if generation not in self._facets:
                self._facets = {
                    generation: FacetSets(searcher),
                    **{g: f for g, f in self._facets.items() if g > generation - 2},
                }
            return self._facets[generation]

    def vocabulary(self, searcher=None) -> plan_module.Vocabulary:
        """Whether a word occurs in the indexed articles' words: queries are cut into these."""
        reader = (searcher or self.searcher()).reader()
        return lambda word: ("words", word) in reader

    def document(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        searcher = self.searcher()
        docnum = self.docnum(doc_id, searcher)
        return None if docnum is None else record.from_stored(searcher.stored_fields(docnum))

    def marks(self, query: str) -> list[Mark]:
        """What a search for `query` marks in an article (none for a query that cannot be parsed)."""
        if not query.strip():
            return []
        try:
            parsed = query_module.parse(query)
            pinyin_query.rewrite(self, self.searcher(), parsed)  # typed pinyin marks the words it read as
            return plan_module.compile_query(parsed, self.vocabulary(), variants=regional.alternatives).marks
        except SearchError:
            return []

    def docnum(self, doc_id: str, searcher=None) -> int | None:
        return (searcher or self.searcher()).document_number(id=doc_id)

    def warm(self) -> None:
        """Load now what the first searches would otherwise wait for: the generation's facets and vocabulary,
        and the dictionary corrections consult (a server does this before it says it is ready)."""
        from . import lexicon, spelling

        searcher = self.searcher()
        self.facet_sets(searcher)
        lexicon.for_searcher(self, searcher)
        spelling.in_dictionary("")

    def related(self, doc: Article, limit: int = 5) -> list[Article]:
        """Articles like `doc`: those sharing most of the rarer words of its headline and lead (remembered for
        the last `RELATED_KEPT` articles asked about in this index generation)."""
        searcher = self.searcher()
        key = (searcher.reader().generation(), doc.id, limit)
        with self._lock:
            if key in self._related:
                self._related.move_to_end(key)
                return self._related[key]
        found = self._find_related(searcher, doc, limit)
        with self._lock:
            self._related[key] = found
            while len(self._related) > RELATED_KEPT:
                self._related.popitem(last=False)
        return found

    def _find_related(self, searcher, doc: Article, limit: int) -> list[Article]:
        reader = searcher.reader()
        lead = analysis.clean(doc.title + "\n" + doc.body)[:RELATED_CHARS]
        words = [w for w in analysis.query_words(lead, self.vocabulary(searcher)) if len(w) > 1]
        counts: dict[str, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        total = max(1, reader.doc_count())
        weight = {w: n * np.log(total / (1 + reader.doc_frequency("words", w))) for w, n in counts.items()}
        chosen = sorted(weight, key=lambda w: -weight[w])[:RELATED_WORDS]
        if not chosen:
            return []
        q = plan_module.Or(tuple(plan_module.Term("words", w) for w in chosen))
        found = execute.run(q, searcher, execute.Budget.of(BUDGET_SECONDS), self.postings)
        sets = self.facet_sets(searcher)
        docs = found.matched & sets.all
        me = self.docnum(doc.id, searcher)
        if me is not None:
            docs[me] = False
        return [record.from_stored(searcher.stored_fields(d)) for d, _ in execute.top(found.scores, docs, limit)]

    def close(self) -> None:
        for name in ("searcher", "previous"):
            s = getattr(self._local, name, None)
            if s is not None:
                s.close()
                setattr(self._local, name, None)


@dataclasses.dataclass
class _Found:
    """A query's matches over the index (before and after the filters), scores and what the page says."""

    searcher: Searcher
    sets: FacetSets
    parsed: query_module.ParsedQuery
    plan: plan_module.Plan
    scores: np.ndarray
    matched: np.ndarray
    final: np.ndarray
    timed_out: bool = False
    relaxed: bool = False
    pinyin: dict | None = None

    @property
    def total(self) -> int:
        return int(self.final.sum())

    def count(self, filters: Filters) -> int:
        """How many matches other filters would let through."""
        allowed = self.sets.allowed(filters)
        return int(self.matched.sum() if allowed is None else (self.matched & allowed).sum())

    def ranked(self, sort: str, limit: int | None = None) -> list[tuple[int, float]]:
        """The first `limit` matches (all: None), best first or newest first."""
        if self.plan.query is None or sort == "date":
            order = self.sets.newest_first
            chosen = order[self.final[order]][:limit].tolist()
            return [(d, float(self.scores[d])) for d in chosen]
        return execute.top(self.scores, self.final, self.total if limit is None else limit)


def _find(
    index: Index, query: str, filters: Filters | None, sort: str, browse_all: bool, budget: float | None
) -> _Found:
    """Evaluate a query with its filters: one path for every search."""
    if sort not in SORTS:
        raise SearchError("Sort must be one of: {sorts}.", sorts=", ".join(SORTS))
    filters = filters.copy() if filters else Filters()
    parsed = query_module.parse(query, filters)
    searcher = index.searcher()
    known = index.vocabulary(searcher)
    typed = pinyin_query.rewrite(index, searcher, parsed)  # words typed in pinyin → the words they read as
    plan = plan_module.compile_query(parsed, known, variants=regional.alternatives)
    if plan.query is None and not filters and not browse_all:
        raise SearchError("Type something to search for, or choose a zone, year or industry.")

    sets = index.facet_sets(searcher)
    for facet, value in filters.unknown:
        if not sets.has(facet, value):
            raise query_module.unknown_value(facet, value)
    allowed = sets.allowed(filters)
    deadline = execute.Budget.of(budget)
    if plan.query is None:
        return _Found(
            searcher,
            sets,
            parsed,
            plan,
            np.zeros(sets.size),
            sets.all,
            sets.all if allowed is None else sets.all & allowed,
        )
    found = execute.run(plan.query, searcher, deadline, index.postings)
    matched = found.matched & sets.all
    final = matched if allowed is None else matched & allowed
    result = _Found(searcher, sets, parsed, plan, found.scores, matched, final, found.timed_out)
    # No article has every word (filters aside: those the page offers to drop): ask for most of them.
    loose = plan_module.relaxed(plan, parsed) if not matched.any() and not found.timed_out else None
    if loose is not None:
        found = execute.run(loose, searcher, deadline, index.postings)
        matched = found.matched & sets.all
        final = matched if allowed is None else matched & allowed
        result = _Found(searcher, sets, parsed, plan, found.scores, matched, final, found.timed_out, True)
    result.pinyin = typed
    return result


def _find_or_correct(
    index: Index, query: str, filters: Filters | None, sort: str, browse_all: bool, budget: float | None
) -> tuple[_Found, spelling.Correction | None, str | None]:
    """`_find`, then for a homophone typo the better query: searched instead when this found nothing (or only
    by relaxing it). Returns what was found, the correction to suggest, and the query it replaced, if any."""
    found = _find(index, query, filters, sort, browse_all, budget)
    better = spelling.correct(index, found)
    if better is not None and (not found.total or found.relaxed):
        corrected = _find(index, better.query, filters, sort, browse_all, budget)
        if corrected.total and not corrected.relaxed:
            return corrected, better, query
        return found, None, None
    return found, better, None


def search(
    index: Index,
    query: str = "",
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = 10,
    sort: str = "relevance",
    browse_all: bool = False,
    budget: float | None = BUDGET_SECONDS,
) -> Results:
    """Search `index`: words of the query language, plus filters; one page of hits with snippets and
    disjunctive facet counts. With no words, lists the filtered articles newest first (all of them when
    `browse_all`). Works at most `budget` seconds (None: no limit); raises SearchError for input it cannot
    answer."""
    started = time.perf_counter()
    if not 1 <= page <= MAX_PAGE:
        raise SearchError("Page must be between 1 and {last}.", last=MAX_PAGE)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchError("Results per page must be between 1 and {last}.", last=MAX_PER_PAGE)
    found, better, instead = _find_or_correct(index, query, filters, sort, browse_all, budget)
    total = found.total
    ranked = found.ranked(sort, page * per_page)[(page - 1) * per_page :]
    hits = [_hit(found.searcher, docnum, score, found.plan, found.relaxed) for docnum, score in ranked]
    filters = found.parsed.filters
    without = {}  # no results: what each filter's removal would give
    if not total:
        without = {
            (facet, value): found.count(filters.replace(facet, [v for v in values if v != value]))
            for facet, values in filters.chosen.items()
            for value in values
        }
    return Results(
        query,
        total,
        page,
        per_page,
        hits,
        found.sets.count(found.matched, filters),
        filters,
        sort,
        time.perf_counter() - started,
        found.plan.marks,
        found.sets.year_by_zone(found.matched, filters),
        found.timed_out,
        found.relaxed,
        found.plan.also,
        without,
        found.pinyin,
        better.query if better else None,
        instead,
    )


def articles(
    index: Index,
    query: str = "",
    filters: Filters | None = None,
    sort: str = "relevance",
    budget: float | None = BUDGET_SECONDS,
) -> tuple[int, bool, Iterator[Article]]:
    """Every article a search finds, in its order (for exports): how many, whether the budget cut the search
    short, and the articles, read from the index as they are iterated."""
    found, _, _ = _find_or_correct(index, query, filters, sort, True, budget)  # what the page shows
    searcher = found.searcher
    docnums = [d for d, _ in found.ranked(sort)]
    return found.total, found.timed_out, (record.from_stored(searcher.stored_fields(d)) for d in docnums)


def _hit(searcher, docnum: int, score: float, plan: plan_module.Plan, relaxed: bool) -> Hit:
    article = record.from_stored(searcher.stored_fields(docnum))
    text = snippet_text(article.body, bool(plan.marks))
    missing = []
    if relaxed:
        stream = analysis.stream(article.title + article.body)
        missing = [unit for unit, _ in plan.units if analysis.stream(unit) not in stream]
    return Hit(article, score, snippet(text, plan.marks), highlight(article.title, plan.marks), missing)


def snippet_text(body: str, marked: bool = True) -> str:
    """The text a snippet is cut from: the article's paragraphs ("\\n" between), or, with no words to show,
    from its lead (the first real paragraph, past the headline lines the body opens with)."""
    paragraphs = analysis.paragraphs(body)
    if not marked:
        start = next((i for i, p in enumerate(paragraphs) if len(p) >= 40), 0)
        paragraphs = paragraphs[start:]
    return "\n".join(paragraphs)
