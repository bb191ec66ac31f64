"""Facets: filtering by zone, year, industry, company and source, and counting what each value would give.

Every segment carries its documents' facet values and sort keys in a file of its own (`FacetRecorder`,
written when the segment is built; a segment Whoosh merged is read from its postings instead), so an index
generation's `FacetSets` load with one read per segment. A facet is two arrays — the document and the value
of each (document, value) pair — so filtering is a mask and counting one `bincount`, whatever the number of
values (companies run to tens of thousands).

Counts are disjunctive: a facet's counts ignore that facet's own selection (values within a facet combine
with OR, facets with AND), so users see what adding a second zone would bring.
"""

from __future__ import annotations

import dataclasses
import functools
import pickle

import numpy as np

from . import codec, record
from .metadata import taxonomy, zone_names
from .query import Filters

EXTENSION = ".fct"
# High-cardinality facets list their most frequent values only (selected ones always).
SHOWN = {"company": 12, "site": 12}


@dataclasses.dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


def sort_key(sortdate: str) -> int:
    """ "2023-06-30" → 20230630, "2023" → 20230000, "" → 0: newest first is largest first."""
    digits = (sortdate or "").replace("-", "")
    return int(digits.ljust(8, "0")[:8]) if digits.isdigit() else 0


class FacetRecorder:
    """Collects a new segment's facet values and sort keys, document by document, for `FacetSets`."""

    def __init__(self):
        self.values: dict[str, dict[str, int]] = {name: {} for name in record.FACET_NAMES}
        self.pairs: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in record.FACET_NAMES}
        self.sortkeys: list[int] = []

    def add(self, docnum: int, fields: dict) -> None:
        for facet in record.FACETS:
            raw = fields.get(facet.name) or ""
            values = [v for v in raw.split(",") if v] if facet.multiple else ([raw] if raw else [])
            ids = self.values[facet.name]
            docs, which = self.pairs[facet.name]
            for value in values:
                docs.append(docnum)
                which.append(ids.setdefault(value, len(ids)))
        self.sortkeys.append(sort_key(fields.get("sortdate") or ""))

    def dump(self) -> bytes:
        return pickle.dumps(
            {
                "values": {name: list(ids) for name, ids in self.values.items()},
                "pairs": {
                    name: (np.array(d, dtype=np.int32), np.array(w, dtype=np.int32))
                    for name, (d, w) in self.pairs.items()
                },
                "sortkeys": np.array(self.sortkeys, dtype=np.int64),
            },
            5,
        )


def _segment_data(leaf) -> dict:
    """A segment's facet data: from its own file, or else from its postings and sort column."""
    raw = codec.read_extra(leaf, EXTENSION)
    if raw is not None:
        return pickle.loads(raw)
    values: dict[str, list[str]] = {}
    pairs = {}
    for name in record.FACET_NAMES:
        terms = list(leaf.lexicon(name)) if name in leaf.schema else []
        values[name] = [t.decode("utf-8") for t in terms]
        docs = [codec.Postings.read(leaf, name, t).ids for t in terms]
        pairs[name] = (
            np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, dtype=np.int32),
            np.repeat(np.arange(len(terms), dtype=np.int32), [len(d) for d in docs]),
        )
    column = leaf.column_reader("sortdate") if leaf.has_column("sortdate") else None
    keys = [sort_key(v.decode("utf-8") if isinstance(v, bytes) else v) for v in column] if column else []
    return {"values": values, "pairs": pairs, "sortkeys": np.array(keys or [0] * leaf.doc_count_all(), dtype=np.int64)}


class FacetSets:
    """Each facet's (document, value) pairs over one searcher's view of the index, its live documents and
    sort keys."""

    def __init__(self, searcher):
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.all = np.ones(self.size, dtype=bool)
        self.values: dict[str, list[str]] = {name: [] for name in record.FACET_NAMES}
        ids: dict[str, dict[str, int]] = {name: {} for name in record.FACET_NAMES}
        docs: dict[str, list[np.ndarray]] = {name: [] for name in record.FACET_NAMES}
        which: dict[str, list[np.ndarray]] = {name: [] for name in record.FACET_NAMES}
        keys = []
        for leaf, base in reader.leaf_readers():
            if leaf.has_deletions():
                self.all[np.fromiter(leaf.deleted_docs_set, dtype=np.int64) + base] = False
            data = _segment_data(leaf)
            for name in record.FACET_NAMES:
                known = ids[name]
                local = np.array(
                    [known.setdefault(v, len(known)) for v in data["values"].get(name, [])], dtype=np.int32
                )
                d, w = data["pairs"].get(name, (np.zeros(0, np.int32), np.zeros(0, np.int32)))
                docs[name].append(d.astype(np.int64) + base)
                which[name].append(local[w] if len(w) else w)
            keys.append(data["sortkeys"])
        self.sortkeys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        self.docs: dict[str, np.ndarray] = {}
        self.which: dict[str, np.ndarray] = {}
        for name in record.FACET_NAMES:
            self.values[name] = list(ids[name])
            d = np.concatenate(docs[name]) if docs[name] else np.zeros(0, dtype=np.int64)
            w = np.concatenate(which[name]) if which[name] else np.zeros(0, dtype=np.int32)
            live = self.all[d]
            self.docs[name], self.which[name] = d[live], w[live]
        self._index = {name: {v: i for i, v in enumerate(values)} for name, values in self.values.items()}
        self._masks: dict[tuple, np.ndarray] = {}
        # Of each facet with one value a document at most (year, site): every document's value (the number of
        # values where it has none), so that counting gathers the matches' values only.
        self.value_of: dict[str, np.ndarray] = {}
        for name in record.FACET_NAMES:
            d = self.docs[name]
            if len(d) and len(np.unique(d)) == len(d):
                self.value_of[name] = np.full(self.size, len(self.values[name]), dtype=np.intp)
                self.value_of[name][d] = self.which[name]

    def has(self, facet: str, value: str) -> bool:
        return value in self._index[facet]

    def _mask(self, facet: str, values: tuple[str, ...]) -> np.ndarray:
        """The documents with any of `values` (cached: never modify it)."""
        key = (facet, values)
        mask = self._masks.get(key)
        if mask is None:
            wanted = [self._index[facet][v] for v in values if v in self._index[facet]]
            mask = np.zeros(self.size, dtype=bool)
            mask[self.docs[facet][np.isin(self.which[facet], wanted)]] = True
            if len(self._masks) >= 256:
                self._masks.clear()
            self._masks[key] = mask
        return mask

    def allowed(self, filters: Filters, skip: str | None = None) -> np.ndarray | None:
        """Documents passing every facet's selection but `skip`'s; None when nothing is selected."""
        result = None
        for name in record.FACET_NAMES:
            chosen = filters.selected(name)
            if name == skip or not chosen:
                continue
            mask = self._mask(name, tuple(chosen))
            result = mask if result is None else result & mask
        return result

    def counts(self, facet: str, base: np.ndarray) -> np.ndarray:
        """How many documents of `base` (a boolean array) each of the facet's values has."""
        n = len(self.values[facet])
        if facet in self.value_of:
            return np.bincount(self.value_of[facet][base], minlength=n + 1)[:n]
        return np.bincount(self.which[facet][base[self.docs[facet]]], minlength=n)

    def count(self, matched: np.ndarray, filters: Filters) -> dict[str, list[FacetValue]]:
        """Each facet's values with the number of matching documents, given the other facets' selection."""
        result = {}
        for name in record.FACET_NAMES:
            others = self.allowed(filters, skip=name)
            base = matched if others is None else matched & others
            chosen = set(filters.selected(name))
            found = self.counts(name, base)
            shown = SHOWN.get(name)
            if shown is None:
                candidates = np.flatnonzero(found)
            else:  # thousands of values: only the most frequent are shown, so only they are sorted
                candidates = np.flatnonzero(found)
                if len(candidates) > shown:
                    cut = np.partition(found[candidates], len(candidates) - shown)[len(candidates) - shown]
                    candidates = candidates[found[candidates] >= cut]
            names, counts = self.values[name], found.tolist()
            values = [FacetValue(names[i], counts[i], names[i] in chosen) for i in candidates.tolist()]
            listed = {fv.value for fv in values}
            index = self._index[name]
            values += [FacetValue(v, counts[index[v]], True) for v in chosen if v in index and v not in listed]
            values.sort(key=_ORDER.get(name, _by_count))
            if shown is not None and len(values) > shown:
                values = values[:shown] + [v for v in values[shown:] if v.selected]
            result[name] = values
        return result

    def year_by_zone(self, matched: np.ndarray, filters: Filters) -> dict[str, dict[str, int]]:
        """Matching documents per year and zone (the chart of results), like the year facet ignoring the
        year selection; an article about several zones counts once in each."""
        others = self.allowed(filters, skip="year")
        base = matched if others is None else matched & others
        years, zones = self.values["year"], self.values["zone"]
        docs, which = self.docs["zone"], self.which["zone"]
        zone_year = self._zone_year
        keep = base[docs] & (zone_year < len(years))
        table = np.bincount(zone_year[keep] * len(zones) + which[keep], minlength=len(years) * len(zones)).reshape(
            len(years), len(zones)
        )
        in_year = self.counts("year", base)
        return {
            year: {zones[z]: int(n) for z, n in enumerate(row) if n}
            for year, row, total in zip(years, table.tolist(), in_year)
            if total
        }

    @functools.cached_property
    def _zone_year(self) -> np.ndarray:
        """The year of each (document, zone) pair's document (the number of years where it has none)."""
        year_of = np.full(self.size, len(self.values["year"]), dtype=np.intp)
        year_of[self.docs["year"]] = self.which["year"]
        return year_of[self.docs["zone"]]

    @functools.cached_property
    def newest_first(self) -> np.ndarray:
        """Every document number, newest first (then by document number, last first)."""
        order = np.lexsort((np.arange(self.size), self.sortkeys))
        return order[::-1]


def _canonical_rank(names: list[str]):
    rank = {name: i for i, name in enumerate(names)}
    return lambda fv: (-fv.count, rank.get(fv.value, len(rank)), fv.value)


def _by_count(fv: FacetValue):
    return -fv.count, fv.value


_ORDER = {
    "zone": lambda fv: _canonical_rank(zone_names())(fv),
    "year": lambda fv: -int(fv.value) if fv.value.isdigit() else 0,
    "industry": lambda fv: _canonical_rank(list(taxonomy()[1]))(fv),
}
