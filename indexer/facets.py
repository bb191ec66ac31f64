"""Facets: filtering by zone, year and industry, and counting what each value would give.

Every facet value's documents are held as a boolean array over document numbers (and as bits, for
counting), read once per index generation, so filtering and counting are array operations instead of
Whoosh's per-document `groupedby`.
Counts are disjunctive: a facet's counts ignore that facet's own selection (values within a facet combine
with OR, facets with AND), so users see what adding a second zone would bring.
"""

from __future__ import annotations

import dataclasses

import numpy as np

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
    """Each facet value's documents in one searcher's view of the index, as boolean arrays over its
    document numbers (deleted documents False)."""

    def __init__(self, searcher):
        reader = searcher.reader()
        leaves = reader.leaf_readers()
        self.all: np.ndarray = np.ones(reader.doc_count_all(), dtype=bool)
        for leaf, base in leaves:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                self.all[deleted + base] = False
        self.values: dict[str, dict[str, np.ndarray]] = {}
        for field in FACETS:
            values = self.values[field] = {}
            for term in reader.lexicon(field):
                docs = np.zeros(len(self.all), dtype=bool)
                for leaf, base in leaves:
                    ids, _ = read_postings(leaf, field, term)
                    docs[np.array(ids, dtype=np.int64) + base] = True
                values[term.decode("utf-8")] = docs & self.all
        # Each facet's values as the rows of one bit matrix, 64 documents to a number: a facet's counts
        # are one AND and one population count over it.
        self._bits: dict[str, np.ndarray] = {
            field: _bits(np.array(list(values.values()), dtype=bool).reshape(len(values), len(self.all)))
            for field, values in self.values.items()}

    def selected(self, filters: Filters, field: str) -> list[str]:
        if field == "year":
            return [str(y) for y in sorted(filters.years())]
        return list(getattr(filters, field))

    def allowed(self, filters: Filters, skip: str | None = None) -> np.ndarray | None:
        """Documents passing every facet's selection but `skip`'s; None when nothing is selected."""
        result = None
        for field in FACETS:
            chosen = self.selected(filters, field)
            if field == skip or not chosen:
                continue
            docs = np.zeros(len(self.all), dtype=bool)
            for value in chosen:
                if value in self.values[field]:
                    docs |= self.values[field][value]
            result = docs if result is None else result & docs
        return result

    def count(self, matched: np.ndarray, filters: Filters) -> dict[str, list[FacetValue]]:
        """Each facet's values with the number of matching documents, given the other facets' selection."""
        counts = {}
        for field in FACETS:
            others = self.allowed(filters, skip=field)
            base = matched if others is None else matched & others
            chosen = set(self.selected(filters, field))
            found = self._counts(field, base)
            values = [FacetValue(v, n, v in chosen) for v, n in zip(self.values[field], found)]
            values = [fv for fv in values if fv.count or fv.selected]
            counts[field] = sorted(values, key=_ORDER[field])
        return counts

    def year_by_zone(self, matched: np.ndarray, filters: Filters) -> dict[str, dict[str, int]]:
        """Matching documents per year and zone (the chart of results), like the year facet ignoring the
        year selection; an article about several zones counts once in each."""
        others = self.allowed(filters, skip="year")
        base = _bits(matched if others is None else matched & others)
        in_zone = self._bits["zone"] & base  # zones × words
        table = np.bitwise_count(self._bits["year"][:, None, :] & in_zone[None, :, :]).sum(axis=2, dtype=np.int64)
        in_year = self._counts("year", base)
        zones = list(self.values["zone"])
        return {year: {zones[z]: n for z, n in enumerate(row) if n}
                for year, row, total in zip(self.values["year"], table.tolist(), in_year) if total}

    def _counts(self, field: str, base: np.ndarray) -> list[int]:
        """How many documents of `base` (a boolean array, or its `_bits`) each of the field's values has."""
        if base.dtype == bool:
            base = _bits(base)
        return np.bitwise_count(self._bits[field] & base).sum(axis=-1, dtype=np.int64).tolist()


def _bits(rows: np.ndarray) -> np.ndarray:
    """Boolean arrays (along the last axis) as bits, 64 documents to a number."""
    packed = np.packbits(rows, axis=-1)
    pad = -packed.shape[-1] % 8
    if pad:
        packed = np.concatenate([packed, np.zeros(packed.shape[:-1] + (pad,), dtype=np.uint8)], axis=-1)
    return np.ascontiguousarray(packed).view(np.uint64)


def _canonical_rank(names: list[str]):
    rank = {name: i for i, name in enumerate(names)}
    return lambda fv: (-fv.count, rank.get(fv.value, len(rank)), fv.value)


_ORDER = {
    "zone": lambda fv: _canonical_rank(zone_names())(fv),
    "year": lambda fv: -int(fv.value) if fv.value.isdigit() else 0,
    "industry": lambda fv: _canonical_rank(list(taxonomy()[1]))(fv),
}
