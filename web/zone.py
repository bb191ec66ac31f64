"""A page per zone (`/zone/<name>`, any of its names): what the archive says about it — its articles per
year, its industries, the companies and projects its articles name most, the latest articles, its feed.

Everything comes from one browse of the zone's articles (`search` with the zone filter, newest first): the
facet counts are the zone's, and each value links to the search page filtered to the zone and that value.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from indexer import metadata
from indexer.errors import SearchError
from indexer.query import Filters
from indexer.search import search

from . import chart, get_index
from .i18n import N_, _, message
from .state import State, filterable, link, zone_short
from .text import marked

bp = Blueprint("zone", __name__)


def zone_url(zone: str, _external: bool = False) -> str | None:
    """The page of a zone the gazetteer knows (None for a zone an article brought with it)."""
    return link("zone.page", {}, _external, name=zone_short(zone)) if filterable("zone", zone) else None


@bp.get("/zone/<name>")
def page(name: str):
    """The zone's page; a name no zone has is a 404 that lists the zones."""
    zone = metadata.resolve_zone(name)
    if zone is None:
        error = SearchError("No zone is called “{name}”.", name=name[:40])
        return render_template(
            "error.html", status=404, heading=_(N_("Zone not found")), message=message(error), zones=_zones()
        ), 404
    info = next(z for z in metadata.gazetteer()[1] if z.name == zone)
    state = State(filters=Filters.of(zone=[zone]), sort="date")
    results = search(
        get_index(),
        "",
        state.filters,
        per_page=current_app.config["ZONE_LATEST"],
        sort="date",
        browse_all=True,
        budget=current_app.config["SEARCH_BUDGET"],
    )
    return render_template(
        "zone.html",
        zone=zone,
        info=info,
        state=state,
        results=results,
        chart=chart.year_chart(results, state, stack=False) if results.total else None,
        industries=_values(state, results, "industry"),
        companies=_values(state, results, "company"),
        sites=_values(state, results, "site"),
        zones=_zones(),
        titles={hit.id: marked(hit.title) for hit in results.hits},
        years=sorted(int(fv.value) for fv in results.facets.get("year", []) if fv.value.isdigit()),
        feed_url=state.url("feeds.atom", sort="relevance"),
        all_url=state.url(sort="relevance"),
    )


def _values(state: State, results, field: str) -> list[dict]:
    """A facet's values among the zone's articles, most frequent first, each with the search it links to."""
    return [
        {
            "value": fv.value,
            "count": fv.count,
            "url": state.url(filters=state.with_filters(**{field: [fv.value]}), sort="relevance")
            if filterable(field, fv.value)
            else None,
        }
        for fv in results.facets.get(field, [])
        if fv.count
    ]


def _zones() -> list[dict]:
    return [
        {"name": z.name, "short": z.short, "url": url_for("zone.page", name=z.short)} for z in metadata.gazetteer()[1]
    ]
