"""A search as the web reads it from a URL and writes it back: query, filters, sort and page.

Every search has one canonical URL: `q`, then each facet's values in `record.FACETS` order (zones by their
short names, years as compact ranges), then `sort` when it is not relevance and `page` when it is not 1. The
same parameters, on another path, give the search in another format (`/search.csv`, `/search.atom`, …), as
Datasette does; options that only a format knows start with an underscore (`_bom`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from urllib.parse import urlencode

from flask import current_app, has_request_context, request, url_for

from indexer import metadata, record
from indexer.errors import SearchError
from indexer.query import Filters
from indexer.search import MAX_PAGE, MAX_PER_PAGE

from . import _EXTENSION

FIELDS = record.FACET_NAMES
FIELD_LABELS = {f.name: f.label for f in record.FACETS}
SORT_LABELS = {"relevance": "相关度", "date": "时间"}
# The parameters of a search's URL in their canonical order (`State.params`).
_ORDER = ["q", *FIELDS, "sort", "page"]


# How `url_for` encodes a query string (Werkzeug's rules: `urlencode` with the WHATWG's safe characters).
_QUERY_SAFE = "!$'()*,/:;?@"


# Paths built once per process (see `_base`); past this many (article paths are as many as articles), start over.
PATHS_KEPT = 4096


def _base(endpoint: str, external: bool, path: tuple) -> str:
    """`url_for(endpoint, _external=external, **dict(path))`, kept for the process: the app's URL rules never
    change once it serves, and the rest of a URL depends on where the app is mounted (its script root) or, for
    an absolute URL, also its scheme and host: all are in the key, so nothing else invalidates it."""
    if not has_request_context():
        return url_for(endpoint, _external=external, **dict(path))
    where = request.url_root if external else request.script_root
    cache = current_app.extensions[_EXTENSION]["paths"]
    key = (endpoint, external, path, where)
    base = cache.get(key)
    if base is None:
        if len(cache) >= PATHS_KEPT:
            cache.clear()
        base = cache[key] = url_for(endpoint, _external=external, **dict(path))
    return base


def path_for(endpoint: str, _external: bool = False, **path) -> str:
    """`url_for` for links without query parameters (the stylesheet, the feeds, an article's JSON): built once
    per process (`_base`), as every page's layout has ten of them."""
    return _base(endpoint, _external, tuple(path.items()))


def query_string(params: dict) -> str:
    """`params` as `url_for` encodes them into a query string (a list: the parameter repeated; None: left out)."""
    items = [
        (k, v)
        for k, values in params.items()
        if values is not None
        for v in (values if isinstance(values, (list, tuple)) else [values])
    ]
    return urlencode(items, safe=_QUERY_SAFE)


def link(endpoint: str, params: dict, external: bool = False, **path) -> str:
    """`url_for(endpoint, **path, **params)`, the same URL, with the path built once (`_base`): a page has a
    hundred links that differ only in their query (Werkzeug's URL building was an eighth of a page's time)."""
    base = _base(endpoint, external, tuple(path.items()))
    query = query_string(params)
    return f"{base}?{query}" if query else base


def zone_short(name: str) -> str:
    """凌源经济开发区 → 凌源 (what users type, what badges show, and the zone page's path)."""
    return next((z.short for z in metadata.gazetteer()[1] if z.name == name), name)


def year_text(span: tuple[int, int]) -> str:
    lo, hi = span
    return str(lo) if lo == hi else f"{lo}-{hi}"


def year_label(span: tuple[int, int]) -> str:
    lo, hi = span
    return f"{lo} 年" if lo == hi else f"{lo}–{hi} 年"


def spans(years: set[int]) -> list[tuple[int, int]]:
    """Years as the fewest inclusive ranges: {2019, 2020, 2022} → [(2019, 2020), (2022, 2022)]."""
    out: list[tuple[int, int]] = []
    for y in sorted(years):
        if out and out[-1][1] == y - 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


@functools.lru_cache(maxsize=8192)  # a page asks for each of its facet values (a pure function of them)
def filterable(field: str, value) -> bool:
    """Whether a link filtering by facet `field`'s stored `value` works (and says what it shows): zones and
    industries only when the data files know them (an article may bring its own, kept as given), years when
    they are years; companies and sources are the index's own values, filterable as stored."""
    value = str(value)
    if field == "zone":
        return metadata.resolve_zone(value) == value
    if field == "industry":
        return metadata.resolve_industry(value) == value
    if field == "year":
        return value.isascii() and value.isdigit()
    try:
        filters = Filters()
        filters.add(field, value)
    except SearchError:
        return False
    return filters.get(field) == [value]


def int_param(args, name: str, default: int) -> int:
    """An integer parameter (`page`, `per_page`): anything but a whole number in range gets the engine's
    message for that parameter, whatever the value was, so page=0, page=-1 and page=x read alike."""
    limits = {
        "page": (MAX_PAGE, "Page must be between 1 and {last}."),
        "per_page": (MAX_PER_PAGE, "Results per page must be between 1 and {last}."),
    }
    last, template = limits[name]
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= last):
        raise SearchError(template, last=last)
    return int(raw)


@dataclasses.dataclass
class State:
    """What a search page shows, as read from its URL: the query, the filters chosen by clicking (not those
    typed into the query), the sort and the page. Builds the links that change one of them."""

    q: str = ""
    filters: Filters = dataclasses.field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> State:
        """Raises SearchError for a parameter the engine or the page cannot use."""
        filters = Filters.from_pairs((field, value) for field in FIELDS for value in args.getlist(field))
        return cls(args.get("q", "").strip(), filters, args.get("sort") or "relevance", int_param(args, "page", 1))

    # -- links

    def params(
        self, *, filters: Filters | None = None, sort: str | None = None, page: int = 1, q: str | None = None
    ) -> dict:
        """The canonical parameters of this search with the given changes (page 1 unless given)."""
        filters = self.filters if filters is None else filters
        sort = self.sort if sort is None else sort
        q = self.q if q is None else q
        params: dict = {}
        if q:
            params["q"] = q
        for field in FIELDS:
            values = filters.get(field)
            if values:
                params[field] = [
                    zone_short(v) if field == "zone" else year_text(v) if field == "year" else v for v in values
                ]
        if sort != "relevance":
            params["sort"] = sort
        if page != 1:
            params["page"] = page
        return params

    def url(self, endpoint: str = "search.index", _external: bool = False, **changes) -> str:
        return link(endpoint, self.params(**changes), _external)

    def canonical_url(self) -> str:
        """This page's one absolute URL (parameters in canonical order and form)."""
        return self.url(_external=True, page=self.page)

    def format_url(self, endpoint: str, _external: bool = False, **extra) -> str:
        """The whole search (every page) in another format: `exports.csv`, `exports.atom`, `api.search`."""
        return link(endpoint, {**self.params(), **extra}, _external)

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    def sort_url(self, sort: str) -> str:
        return self.url(sort=sort)

    def doc_url(self, doc_id: str, _external: bool = False) -> str:
        """The article page, carrying this search so that it can highlight and link back."""
        base = _base("article.document", _external, (("doc_id", doc_id),))
        return f"{base}?{self._article_query}" if self._article_query else base

    @functools.cached_property
    def _article_query(self) -> str:
        """The query string of `doc_url`: the same for every hit of a page, so encoded once (a State is not
        changed once made: nothing invalidates it)."""
        return query_string(self.params(page=self.page))

    def back_url(self) -> str:
        return self.url(page=self.page)

    def with_filters(self, **lists) -> Filters:
        filters = self.filters.copy()
        for field, values in lists.items():
            filters = filters.replace(field, values)
        return filters

    def toggle_url(self, field: str, value: str) -> str:
        """The page with facet `value` added to or removed from the selection (back to page 1)."""
        return self.toggle_urls(field)(value)

    def toggle_urls(self, field: str) -> Callable[[str], str]:
        """`toggle_url` for many values of one facet (the sidebar's, the chart's years): the parameters around
        `field` are encoded once, so that each link only encodes `field`'s own values."""
        at = _ORDER.index(field)
        params = self.params()
        before = query_string({k: v for k, v in params.items() if _ORDER.index(k) < at})
        after = query_string({k: v for k, v in params.items() if _ORDER.index(k) > at})
        base = _base("search.index", False, ())

        def url(value: str) -> str:
            if field == "year":
                years = self.filters.years()
                years = years ^ {int(value)}
                shown = [year_text(span) for span in spans(years)]
            else:
                chosen = list(self.filters.get(field))
                chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
                shown = [zone_short(v) for v in chosen] if field == "zone" else chosen
            query = "&".join(part for part in (before, query_string({field: shown}), after) if part)
            return f"{base}?{query}" if query else base

        return url

    def is_chosen(self, field: str, value: str) -> bool:
        if field == "year":
            return value.isdigit() and int(value) in self.filters.years()
        return value in self.filters.get(field)

    def chips(self) -> list[dict]:
        """The chosen filters, each with the link that removes it."""
        chips = []
        for field in FIELDS:
            for value in self.filters.get(field):
                rest = [v for v in self.filters.get(field) if v != value]
                if field == "zone":
                    label, title = zone_short(value), value
                elif field == "year":
                    label, title = year_label(value), year_label(value)
                else:
                    label, title = value, value
                chips.append(
                    {
                        "field": field,
                        "value": value,
                        "field_label": FIELD_LABELS[field],
                        "label": label,
                        "title": title,
                        "filters": self.with_filters(**{field: rest}),
                        "url": self.url(filters=self.with_filters(**{field: rest})),
                    }
                )
        return chips

    def clear_url(self) -> str:
        return self.url(filters=Filters())

    def slug(self) -> str:
        """A short name for files of this search: its words and filter values (no path characters)."""
        words = [self.q] + [v for values in self.params(q="").values() if isinstance(values, list) for v in values]
        text = "-".join(w for w in words if w)
        text = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._-")
        return text[:60] or "all"
