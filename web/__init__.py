"""The search page: a Flask app over the engine in `indexer` (no search logic lives here).

    create_app({"INDEX_DIR": "/abs/path/to/index"})

`search serve` serves it with waitress. The index is opened once, on first use, and shared by every
request (`indexer.search.Index` keeps one Whoosh searcher per thread).

Every request writes one logfmt line (method, path, status, latency; `web.logs`); an unexpected error's
traceback goes to the log only, the page says something went wrong and gives the request's id. Only GET
and HEAD are answered (405 otherwise), and query strings that are not UTF-8, over 8 KB or with more than 64
parameters are a 400 with a message before anything parses them (`errors._check_request`).

Modules, one per concept: `state` (a search's URL), `search_page`, `article`, `zone`, `api` (JSON),
`exports` (CSV, JSON Lines), `feeds` (Atom, OpenSearch), `errors`, `i18n` (the Chinese catalog), `text`
(snippets and links as HTML), `chart`, `fragments` (a search's sidebar and chart, kept once
rendered), `logs`.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app
from flask.json.provider import DefaultJSONProvider

from indexer.errors import SearchError
from indexer.search import BUDGET_SECONDS

__all__ = ["IndexUnavailable", "create_app", "get_index"]

_EXTENSION = "chaoyang_search"


class _JSON(DefaultJSONProvider):
    """Flask's JSON as UTF-8 (not \\u escapes), keys in the order they were put (`export.results_json`)."""

    ensure_ascii = False
    sort_keys = False


def create_app(config: dict | None = None) -> Flask:
    """The web app; `config` overrides the defaults (INDEX_DIR, PER_PAGE, CHART, SEARCH_BUDGET, RELATED, SITE_TITLE,
    SITE_TAGLINE, FEED_SIZE, ZONE_LATEST, TAG_AUTHORITY, TAG_DATE, WARM)."""
    app = Flask(__name__)
    app.config.from_mapping(
        # Where the index lives; `search serve` passes an absolute path.
        INDEX_DIR=os.path.abspath(os.environ.get("SEARCH_INDEX_DIR", "index")),
        # Hits per page on the HTML page (the API takes `per_page`).
        PER_PAGE=10,
        # Draw the year × zone chart above the hits (from the page's own search: no extra cost).
        CHART=True,
        # Seconds a search may work before answering with what it found (the page says so).
        SEARCH_BUDGET=BUDGET_SECONDS,
        # How many related articles the article page lists.
        RELATED=5,
        # What the site is (the landing page, titles, the OpenSearch name, feeds): an archive of other news
        # says so with SEARCH_SITE_TITLE / SEARCH_SITE_TAGLINE.
        SITE_TITLE=os.environ.get("SEARCH_SITE_TITLE", "朝阳开发区新闻检索"),
        SITE_TAGLINE=os.environ.get(
            "SEARCH_SITE_TAGLINE",
            "辽宁朝阳七个省级开发区的新闻：柳城、凌源、北票、建平、喀左、朝阳经开区、朝阳高新区——"
            "按开发区、年份、行业筛选，简体繁体都能搜到。",
        ),
        # Entries in a search's Atom feed (newest first), and latest articles on a zone's page.
        FEED_SIZE=20,
        ZONE_LATEST=8,
        # Feed entry ids are tag URIs: tag:AUTHORITY,DATE:article/ID (default authority: the request's host).
        TAG_AUTHORITY=os.environ.get("SEARCH_TAG_AUTHORITY", ""),
        TAG_DATE="2025",
        # Open the index and load its facets and vocabulary when the app is made, not on the first requests
        # (`search serve` does; tests make many apps).
        WARM=False,
        # Never: the debugger would run code for anyone who can reach the page.
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    if config:
        app.config.from_mapping(config)
    app.debug = False
    app.json = _JSON(app)
    from . import api, article, errors, exports, feeds, fragments, i18n, logs, search_page, state, suggest, text, zone

    # paths: `state.link`'s URL paths, built once per process; fragments: parts of search pages (`fragments`).
    app.extensions[_EXTENSION] = {"index": None, "lock": threading.Lock(), "paths": {}, "fragments": fragments.cache()}

    i18n.translations()  # compiled now: a broken catalog stops the app at start, not a page later
    logs.init_app(app)  # first: its timer starts before, and its line is written after, every other hook
    for module in (search_page, article, zone, api, exports, feeds, suggest):
        app.register_blueprint(module.bp)
    errors.register(app)
    app.jinja_env.globals.update(
        _=i18n.template_gettext,
        zone_short=state.zone_short,
        zone_url=zone.zone_url,
        filterable=state.filterable,
        sort_labels=state.SORT_LABELS,
        source_url=text.source_url,
        path_for=state.path_for,
        link=state.link,
    )
    app.jinja_env.filters.update(marked=text.marked, zone_short=state.zone_short)

    @app.context_processor
    def site() -> dict:
        return {"site_title": app.config["SITE_TITLE"], "site_tagline": app.config["SITE_TAGLINE"]}

    if app.config["WARM"]:
        with app.app_context():
            try:
                get_index().warm()
            except IndexUnavailable:
                pass  # the pages say so (503) until there is an index
    return app


class IndexUnavailable(Exception):
    """There is no index to search (yet): the pages answer 503; the detail goes to the log only."""


def get_index():
    """The app's open `Index`, opened on first use and then shared; raises IndexUnavailable when it cannot
    be opened (and tries again on the next request)."""
    from indexer.search import Index

    state = current_app.extensions[_EXTENSION]
    index = state["index"]
    if index is None:
        with state["lock"]:
            index = state["index"]
            if index is None:
                try:
                    index = state["index"] = Index(current_app.config["INDEX_DIR"])
                except SearchError as exc:
                    current_app.logger.error("%s", exc)
                    raise IndexUnavailable(str(exc)) from exc
                except Exception as exc:  # a corrupt or unreadable index: log it, answer 503
                    current_app.logger.exception("Cannot open the index in %s", current_app.config["INDEX_DIR"])
                    raise IndexUnavailable(str(exc)) from exc
    return index
