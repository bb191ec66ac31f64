"""The search core, shared by the CLI and the web: `search(index, query, filters, page) -> Results`."""

from __future__ import annotations

import dataclasses
import os
import threading
import time

from whoosh import sorting

from . import analysis, docsets, index as index_module, query as query_module, snippets
from .errors import SearchError
from .facets import FacetSets, FacetValue
from .query import Filters

MAX_PAGE = 1000
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")
RELATED_CHARS = 1000


@dataclasses.dataclass
class Hit:
    id: str
    title: str
    zones: list[str]
    year: int | None
    industries: list[str]
    score: float
    snippet: str
    date: str | None = None
    source: str | None = None


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
    terms: list[str] = dataclasses.field(default_factory=list)
    # Matching articles per year and zone, for the chart of results: {"2020": {"凌源经济开发区": 2}}.
    year_zone: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict:
        """The JSON shape shared by `search --json` and `/api/search`."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [{"id": h.id, "title": h.title, "zones": h.zones, "year": h.year,
                      "industries": h.industries, "score": round(h.score, 4), "snippet": h.snippet}
                     for h in self.hits],
            "facets": {field: [{"value": v.value, "count": v.count} for v in values]
                       for field, values in self.facets.items()},
        }


@dataclasses.dataclass
class Document:
    """One stored article, for the article page."""

    id: str
    title: str
    body: str
    zones: list[str]
    year: int | None
    industries: list[str]
    date: str | None
    source: str | None
    docnum: int

    def paragraphs(self) -> list[str]:
        return analysis.paragraphs(self.body)

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "zones": self.zones, "year": self.year,
                "industries": self.industries, "date": self.date, "source": self.source,
                "paragraphs": self.paragraphs()}


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _document(fields: dict, docnum: int) -> Document:
    return Document(fields["id"], fields["title"], fields["body"], _split(fields.get("zone")),
                    int(fields["year"]) if fields.get("year") else None, _split(fields.get("industry")),
                    fields.get("date"), fields.get("source"), docnum)


class Index:
    """An open index: one Whoosh searcher per thread, refreshed when an update commits, and each index
    generation's facet sets computed once and shared."""

    def __init__(self, index_dir: str | os.PathLike):
        self.dir = index_dir
        self.ix = index_module.open_index(index_dir)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._facets: dict[int, FacetSets] = {}

    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
        elif not s.up_to_date():
            # A fresh searcher, not Searcher.refresh(): that reuses segment readers and misses deletions.
            s.close()
            s = self._local.searcher = self.ix.searcher()
        return s

    def facet_sets(self, searcher) -> FacetSets:
        generation = searcher.reader().generation()
        with self._lock:
            if generation not in self._facets:
                self._facets = {generation: FacetSets(searcher), **{
                    g: f for g, f in self._facets.items() if g > generation - 2}}
            return self._facets[generation]

    def vocabulary(self, searcher=None) -> query_module.Vocabulary:
        """Whether a word occurs in the indexed articles' words: queries are cut into these."""
        reader = (searcher or self.searcher()).reader()
        return lambda word: ("words", word) in reader

    def document(self, doc_id: str) -> Document | None:
        """The stored article with this id, or None."""
        searcher = self.searcher()
        docnum = searcher.document_number(id=doc_id)
        return None if docnum is None else _document(searcher.stored_fields(docnum), docnum)

    def related(self, doc: Document, limit: int = 5) -> list[Document]:
        """Articles like `doc`, by Whoosh's more_like_this over its words."""
        searcher = self.searcher()
        # The words of its headline and lead, cut against the vocabulary: enough to pick key terms, and
        # the server never loads jieba.
        lead = analysis.clean(doc.title + "\n" + doc.body)[:RELATED_CHARS]
        text = " ".join(analysis.query_words(lead, self.vocabulary(searcher)))
        results = searcher.more_like(doc.docnum, "words", text=text, top=limit)
        return [_document(hit.fields(), hit.docnum) for hit in results]

    def close(self) -> None:
        s = getattr(self._local, "searcher", None)
        if s is not None:
            s.close()
            self._local.searcher = None


def search(index: Index, query: str = "", filters: Filters | None = None, page: int = 1,
           per_page: int = 10, sort: str = "relevance", browse_all: bool = False) -> Results:
    """Search `index`: words of the query language, plus filters; one page of hits with snippets and
    disjunctive facet counts. With no words, lists the filtered articles newest first (all of them when
    `browse_all`); raises SearchError for input it cannot answer."""
    started = time.perf_counter()
    if sort not in SORTS:
        raise SearchError(f"Sort must be one of: {', '.join(SORTS)}.")
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(f"Page must be between 1 and {MAX_PAGE}.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchError(f"Results per page must be between 1 and {MAX_PER_PAGE}.")
    filters = dataclasses.replace(filters) if filters else Filters()
    filters.zone, filters.year, filters.industry, filters.unknown = (
        list(filters.zone), list(filters.year), list(filters.industry), list(filters.unknown))
    parsed = query_module.parse(query, filters)
    searcher = index.searcher()
    known = index.vocabulary(searcher)
    q = query_module.to_whoosh(parsed, known)
    if q is None and not filters and not browse_all:
        raise SearchError("Type something to search for, or choose a zone, year or industry.")

    sets = index.facet_sets(searcher)
    for field, value in filters.unknown:
        if value not in sets.values[field]:
            raise query_module.unknown_value(field, value)
    # Every match (for the total and the facet counts) as a boolean array over document numbers, from whole
    # posting lists; the ranking below is Whoosh's BM25F on the same arrays, and where Whoosh itself scores,
    # its phrases visit only the documents found here.
    match_sets = docsets.MatchSets(searcher)
    matched = sets.all if q is None else match_sets.docs(q) & sets.all
    if q is not None:
        q = docsets.exact_phrases(q, match_sets)
    allowed = sets.allowed(filters)
    final = matched if allowed is None else matched & allowed
    total = int(final.sum())
    facets = sets.count(matched, filters)

    limit = page * per_page
    if not total:  # Whoosh reads an empty filter as no filter at all
        results = []
    elif q is None or sort == "date":
        sortedby = sorting.FieldFacet("sortdate", reverse=True)
        results = searcher.search(q or _every(), filter=_docnums(final), limit=limit, sortedby=sortedby)
    else:
        ranked = docsets.rank(searcher, q, final, limit, match_sets)
        if ranked is None:  # a query the fast ranking does not score: Whoosh's collector
            results = searcher.search(q, filter=_docnums(final), limit=limit)
        else:
            results = [_Ranked(searcher, docnum, score) for docnum, score in ranked]
    terms = query_module.highlight_terms(parsed, known)
    hits = []
    for hit in results[(page - 1) * per_page:limit]:
        doc = _document(hit.fields(), hit.docnum)
        hits.append(Hit(doc.id, doc.title, doc.zones, doc.year, doc.industries, float(hit.score or 0.0),
                        snippets.snippet(_snippet_text(doc.body, terms), terms), doc.date, doc.source))
    return Results(query, total, page, per_page, hits, facets, filters, sort,
                   time.perf_counter() - started, terms, sets.year_by_zone(matched, filters))


def _docnums(docs) -> set[int]:
    """A boolean array of documents as the set of document numbers Whoosh's `filter` takes."""
    return set(docs.nonzero()[0].tolist())


def _snippet_text(body: str, terms: list[str]) -> str:
    """The text a snippet is cut from: the whole article, or without words to show, its lead (the first
    real paragraph, past the headline lines the body opens with)."""
    if terms:
        return analysis.clean(body)
    paragraphs = analysis.paragraphs(body)
    start = next((i for i, p in enumerate(paragraphs) if len(p) >= 40), 0)
    return analysis.clean("\n".join(paragraphs[start:]))


@dataclasses.dataclass
class _Ranked:
    """A ranked document, read like a Whoosh hit."""

    searcher: object
    docnum: int
    score: float

    def fields(self) -> dict:
        return self.searcher.stored_fields(self.docnum)


def _every():
    from whoosh.query import Every

    return Every()
