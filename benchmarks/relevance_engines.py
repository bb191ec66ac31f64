"""The engines the relevance benchmark asks, each behind a tiny adapter: ours through its public API only
(`indexer.index.update`, `indexer.search.Index`, `indexer.search.search`), and the naive baseline of
``naive.py``. Nothing else in the benchmark calls an engine.
"""

from __future__ import annotations

import dataclasses
import pathlib
import time
from typing import Protocol

from whoosh import index as whoosh_index
from whoosh.qparser import AndGroup, MultifieldParser, QueryParserError

from benchmarks import naive
from indexer import index, search
from indexer.errors import SearchError

PAGE = 100  # results per page when paging through all results (the API's maximum)


@dataclasses.dataclass
class Page:
    """The first results of a query: their ids, and how many results there are in all."""

    ids: list[str]
    total: int


@dataclasses.dataclass
class Spot:
    """Where an article is among all the results of a query (None: absent; 0: present, rank not computed),
    and how many results there are."""

    position: int | None
    total: int


class Engine(Protocol):
    """What the benchmark asks of an engine: a tiny adapter per engine, nothing else is called."""

    name: str
    build_s: float

    def top(self, query: str, depth: int) -> Page | None:
        """The first `depth` results; None when the engine refuses the query."""

    def position(self, query: str, doc_id: str) -> Spot | None:
        """Where `doc_id` is among all the results; None when the engine refuses the query."""

    def close(self) -> None:
        """Release the open index."""


class Ours:
    """Our engine, through its public API only; a SearchError is a query it cannot answer."""

    name = "ours"

    def __init__(self, index_dir: pathlib.Path, source: pathlib.Path):
        started = time.perf_counter()
        report = index.update(index_dir, [source], rebuild=True)
        self.build_s = round(time.perf_counter() - started, 1)
        self.added = set(report.added)
        self.skipped = len(report.skipped)
        self.ix = search.Index(index_dir)

    def top(self, query: str, depth: int) -> Page | None:
        """The ids of the first `depth` results and the total; None when the engine refuses the query."""
        try:
            results = search.search(self.ix, query, per_page=depth, page=1)
        except SearchError:
            return None
        return Page([hit.id for hit in results.hits], results.total)

    def position(self, query: str, doc_id: str) -> Spot | None:
        """Where `doc_id` is among all the results, paging through them; None when the query is refused."""
        page = 1
        while True:
            try:
                results = search.search(self.ix, query, per_page=PAGE, page=page)
            except SearchError:
                return None
            ids = [hit.id for hit in results.hits]
            if doc_id in ids:
                return Spot((page - 1) * PAGE + ids.index(doc_id) + 1, results.total)
            if page * PAGE >= results.total or not ids:
                return Spot(None, results.total)
            page += 1

    def close(self) -> None:
        self.ix.close()


class Naive:
    """The baseline of ``naive.py``: MultifieldParser (AND) over title and body, Whoosh's BM25F; a query its
    parser rejects counts as refused."""

    name = "naive"

    def __init__(self, index_dir: pathlib.Path, source: pathlib.Path, docs: int):
        self.build_s = naive.build(source, docs, index_dir)["wall_s"]
        self.ix = whoosh_index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(list(naive.SEARCH_FIELDS), self.ix.schema, group=AndGroup)

    def top(self, query: str, depth: int) -> Page | None:
        try:
            q = self.parser.parse(query)
        except QueryParserError:
            return None
        results = self.searcher.search(q, limit=depth)
        return Page([hit["id"] for hit in results], len(results))

    def position(self, query: str, doc_id: str) -> Spot | None:
        # The baseline's whole match set: whether the article is in it is all recall needs (rank 0: in it).
        try:
            q = self.parser.parse(query)
        except QueryParserError:
            return None
        matched = set(self.searcher.docs_for_query(q))
        return Spot(0 if self.searcher.document_number(id=doc_id) in matched else None, len(matched))

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()
