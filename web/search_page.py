"""The search page (`/`): the hits of one search, its facets, chart, pagination, and links to the same search
in other formats. All searching is `indexer.search.search`; this module reads the request and chooses what
to show."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from indexer.errors import SearchError
from indexer.search import MAX_PAGE, search

from . import chart, fragments, get_index
from .i18n import message
from .state import FIELD_LABELS, FIELDS, State, filterable
from .text import marked
from .zone import zone_url

bp = Blueprint("search", __name__)


@bp.get("/")
def index():
    """The search page; with neither words nor filters, every article newest first."""
    state, results, error, suggestions = State(), None, None, []
    try:
        state = State.from_args(request.args)
        ix = get_index()
        results = search(
            ix,
            state.q,
            state.filters,
            page=state.page,
            per_page=current_app.config["PER_PAGE"],
            sort=state.sort,
            browse_all=True,
            budget=current_app.config["SEARCH_BUDGET"],
        )
        if results.total == 0:
            suggestions = _suggestions(results, state)
    except SearchError as exc:
        error = message(exc)
        if not state.q:  # a parameter beside the query was refused: the query stays in the box
            state = State(q=request.args.get("q", "").strip())
    status = 400 if error else 200
    chips = state.chips()  # the chosen filters: the page shows them, counts them and links to clear them
    sidebar, drawn = None, None
    if results:
        sidebar, drawn = fragments.kept(
            fragments.search_key(state, results),
            lambda: _sidebar_and_chart(state, results, chips),
            keep=not results.timed_out,
        )
    return render_template(
        "search.html",
        state=state,
        results=results,
        error=error,
        suggestions=suggestions,
        chips=chips,
        chart=drawn or None,
        sidebar=sidebar,
        pagination=_pagination(state, results) if results else None,
        titles=_titles(results) if results else {},
        formats=formats(state) if results else [],
    ), status


def _sidebar_and_chart(state: State, results, chips: list) -> list[str]:
    """The sidebar's HTML and the chart's ("" without a chart): `fragments.kept` keeps them per search."""
    year_chart = chart.year_chart(results, state) if current_app.config["CHART"] and results.total else None
    return [
        render_template("_facets.html", state=state, chips=chips, facets=facets(state, results)),
        render_template("_chart.html", chart=year_chart) if year_chart else "",
    ]


def formats(state: State) -> list[dict]:
    """The same search in other formats: every matching article, not one page (the JSON: the API's page)."""
    return [
        {
            "label": "CSV",
            "title": "全部结果，CSV 表格（UTF-8）",
            "type": "text/csv",
            "download": True,
            "url": state.format_url("exports.csv"),
            "bom_url": state.format_url("exports.csv", _bom=1),
        },
        {
            "label": "JSON Lines",
            "title": "全部结果，每行一篇的 JSON（含正文）",
            "type": "application/jsonl",
            "download": True,
            "url": state.format_url("exports.jsonl"),
        },
        {
            "label": "JSON",
            "title": "本页结果的 JSON 接口",
            "type": "application/json",
            "url": state.format_url("api.search"),
        },
        {
            "label": "Atom 订阅",
            "title": "最新文章的 Atom 订阅源",
            "type": "application/atom+xml",
            "url": state.url("feeds.atom", sort="relevance"),
            "feed": True,
        },
    ]


def _titles(results) -> dict[str, Markup]:
    """Each hit's title with the query's words marked by the engine (which escapes the rest)."""
    return {hit.id: marked(hit.title) for hit in results.hits}


@dataclasses.dataclass(slots=True)
class FacetLink:
    """One value in the sidebar. (Objects, not dicts: Jinja reads `v.url` as an attribute first, and a dict's
    failed attribute lookup, an exception each time, was a good part of the sidebar's cost.)"""

    value: str
    label: str
    count: int
    selected: bool
    # Chosen by a filter typed into the query (zone:凌源): only editing the query removes it.
    from_query: bool
    # None for a value given explicitly with an article that the filters do not know (the engine keeps it as
    # given): counted and shown, but a link to filter by it would only say "unknown".
    url: str | None
    # A zone the gazetteer knows has a page of its own: its URL.
    page: str | None


@dataclasses.dataclass(slots=True)
class FacetGroup:
    field: str
    label: str
    values: list[FacetLink]
    selected: int  # how many of its values are selected


def facets(state: State, results, fields=FIELDS) -> list[FacetGroup]:
    """The sidebar: each facet's values, counts and the links that toggle them."""
    groups = []
    for field in fields:
        toggle = state.toggle_urls(field)
        values = []
        for fv in results.facets.get(field, []):
            known = filterable(field, fv.value)
            values.append(
                FacetLink(
                    value=fv.value,
                    label=fv.value if field != "year" else f"{fv.value} 年",
                    count=fv.count,
                    selected=fv.selected,
                    from_query=fv.selected and not state.is_chosen(field, fv.value),
                    url=toggle(fv.value) if known else None,
                    page=zone_url(fv.value) if field == "zone" and known else None,
                )
            )
        groups.append(FacetGroup(field, FIELD_LABELS[field], values, sum(v.selected for v in values)))
    return groups


def _pagination(state: State, results) -> dict | None:
    last = min(results.pages, MAX_PAGE)
    if last <= 1 and state.page == 1:
        return None
    page = state.page
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    items: list[dict | None] = []  # None: a gap (…)
    previous = 0
    for n in shown:
        if n - previous > 1:
            items.append(None)  # a gap: …
        items.append({"n": n, "url": state.page_url(n), "current": n == page})
        previous = n
    return {
        "items": items,
        "prev": state.page_url(page - 1) if 1 < page <= last + 1 else None,
        "next": state.page_url(page + 1) if page < last else None,
    }


def _suggestions(results, state: State) -> list[dict]:
    """For an empty page: each chosen filter, the link that drops it, and how many results that gives (the
    engine counts them with the page's own search)."""
    out = []
    for chip in state.chips()[:8]:
        total = results.without.get((chip["field"], chip["value"]))
        if total is not None:
            out.append({**chip, "total": total})
    return out
