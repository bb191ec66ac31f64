"""Parts of the search page kept once rendered: its sidebar (facets) and chart, which are most of a page's
rendering, and which the next pages of a search, or the same search asked again, show unchanged.

What they show is a function of `search_key`: the search (query, chosen filters, sort; not the page: their
links go to page 1), what the engine counted for it (facet values and counts, articles per year and zone, the
filters it applied), and where the app is mounted (their links' paths). An update of the index changes the
counts, hence the key, so nothing needs invalidating; past `KEPT_BYTES` the least recently used go. Parts
are kept as UTF-8: half the memory of a Python string holding Chinese text.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from markupsafe import Markup

from indexer.lru import SizedLRU

from . import _EXTENSION

# The memory kept per process: a search's parts take some 10 KB on the 87k-article index (45 KB at most), so
# about 500 searches.
KEPT_BYTES = 5 << 20


def cache(limit: int = KEPT_BYTES) -> SizedLRU:
    """An app's store of rendered parts (any one search's are kept, however large)."""
    return SizedLRU(limit, largest=limit)


def search_key(state, results) -> tuple:
    """What a search's sidebar and chart are made of (`state`: the page's `State`; `results`: its `Results`)."""

    def frozen(chosen: dict) -> tuple:
        return tuple((field, tuple(values)) for field, values in chosen.items())

    counts = tuple((f, tuple((v.value, v.count, v.selected) for v in values)) for f, values in results.facets.items())
    years = tuple((year, tuple(zones.items())) for year, zones in results.year_zone.items())
    return (
        request.script_root,
        state.q,
        state.sort,
        frozen(state.filters.chosen),
        frozen(results.filters.chosen),
        results.total,
        counts,
        years,
    )


def kept(key: tuple, render: Callable[[], list[str]], keep: bool = True) -> list[Markup]:
    """`render()`'s parts (HTML), rendered once for `key` and then kept; `keep` False: rendered, not kept (a
    search cut short by its time budget has partial counts that the next one will not repeat)."""
    parts: SizedLRU = current_app.extensions[_EXTENSION]["fragments"]
    found = parts.get(key)
    if found is None:
        found = [html.encode() for html in render()]
        if keep:
            parts.put(key, found, sum(map(len, found)))
    return [Markup(html.decode()) for html in found]
