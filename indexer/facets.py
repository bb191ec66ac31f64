"""Facets: filtering by zone, year and industry, and counting what each value would give.

Every facet value's documents are held as a set of document numbers, read once per index generation, so
filtering and counting are set intersections instead of Whoosh's per-document `groupedby`. Counts are
disjunctive: a facet's counts ignore that facet's own selection (values within a facet combine with OR,
facets with AND), so users see what adding a second zone would bring.
"""

from __future__ import annotations

import dataclasses

from .docsets import read_postings
from .index import FACETS
from .metadata import taxonomy, zone_names
from .query import Filters


@dataclasses.dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


class FacetSets:
    """Each facet value's document numbers in one searcher's view of the index."""

    def __init__(self, searcher):
        reader = searcher.reader()
        leaves = reader.leaf_readers()
        every: set[int] = set()
        for leaf, base in leaves:
            every.update(range(base, base + leaf.doc_count_all()))
            if leaf.has_deletions():
                every.difference_update(map(base.__add__, leaf.deleted_docs_set))
        self.all: frozenset[int] = frozenset(every)
        self.values: dict[str, dict[str, frozenset[int]]] = {}
        for field in FACETS:
            values = self.values[field] = {}
            for term in reader.lexicon(field):
                docs: set[int] = set()
                for leaf, base in leaves:
                    ids, _ = read_postings(leaf, field, term)
                    docs.update(map(base.__add__, ids) if base else ids)
                values[term.decode("utf-8")] = frozenset(docs) & self.all

    def selected(self, filters: Filters, field: str) -> list[str]:
        if field == "year":
            return [str(y) for y in sorted(filters.years())]
        return list(getattr(filters, field))

    def allowed(self, filters: Filters, skip: str | None = None) -> frozenset[int] | None:
        """Documents passing every facet's selection but `skip`'s; None when nothing is selected."""
        result = None
        for field in FACETS:
            chosen = self.selected(filters, field)
            if field == skip or not chosen:
                continue
            docs = frozenset().union(*(self.values[field].get(v, frozenset()) for v in chosen))
            result = docs if result is None else result & docs
        return result

    def count(self, matched: frozenset[int], filters: Filters) -> dict[str, list[FacetValue]]:
        """Each facet's values with the number of matching documents, given the other facets' selection."""
        counts = {}
        for field in FACETS:
            others = self.allowed(filters, skip=field)
            base = matched if others is None else matched & others
            chosen = set(self.selected(filters, field))
            values = [FacetValue(v, len(base & docs), v in chosen) for v, docs in self.values[field].items()]
            values = [fv for fv in values if fv.count or fv.selected]
            counts[field] = sorted(values, key=_ORDER[field])
        return counts


    def year_by_zone(self, matched: frozenset[int], filters: Filters) -> dict[str, dict[str, int]]:
        """Matching documents per year and zone (the chart of results), like the year facet ignoring the
        year selection; an article about several zones counts once in each."""
        others = self.allowed(filters, skip="year")
        base = matched if others is None else matched & others
        # zones first: a zone's documents are few, a year's and the matches many
        zone_hits = [(zone, hits) for zone, docs in self.values["zone"].items() if (hits := base & docs)]
        table = {}
        for year, year_docs in self.values["year"].items():
            if not base.isdisjoint(year_docs):
                table[year] = {zone: n for zone, hits in zone_hits if (n := len(hits & year_docs))}
        return table


def _canonical_rank(names: list[str]):
    rank = {name: i for i, name in enumerate(names)}
    return lambda fv: (-fv.count, rank.get(fv.value, len(rank)), fv.value)


_ORDER = {
    "zone": lambda fv: _canonical_rank(zone_names())(fv),
    "year": lambda fv: -int(fv.value) if fv.value.isdigit() else 0,
    "industry": lambda fv: _canonical_rank(list(taxonomy()[1]))(fv),
}
