"""The search page: a Flask app over the engine in `indexer` (no search logic lives here).

    create_app({"INDEX_DIR": "/abs/path/to/index"})

`search serve` serves it with waitress. The index is opened once, on first use, and shared by every
request (`indexer.search.Index` keeps one Whoosh searcher per thread).

Every request writes one logfmt line (method, path, status, latency; `web.logs`); an unexpected error's
traceback goes to the log only, the page says something went wrong and gives the request's id. Only GET
and HEAD are answered (405 otherwise), and query strings that are not UTF-8, over 8 KB or with more than 64
parameters are a 400 with a message before anything parses them (`views._check_request`).
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

from indexer.errors import SearchError

__all__ = ["IndexUnavailable", "create_app", "get_index"]

_EXTENSION = "chaoyang_search"


def create_app(config: dict | None = None) -> Flask:
    """The web app; `config` overrides the defaults (INDEX_DIR, PER_PAGE, CHART, RELATED)."""
    app = Flask(__name__)
    app.config.from_mapping(
        # Where the index lives; `search serve` passes an absolute path.
        INDEX_DIR=os.path.abspath(os.environ.get("SEARCH_INDEX_DIR", "index")),
        # Hits per page on the HTML page (the API takes `per_page`).
        PER_PAGE=10,
        # Draw the year × zone chart above the hits (from the page's own search: no extra cost).
        CHART=True,
        # How many related articles the article page lists.
        RELATED=5,
        # Never: the debugger would run code for anyone who can reach the page.
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    if config:
        app.config.from_mapping(config)
    app.debug = False
    app.json.ensure_ascii = False  # UTF-8 JSON, not \u escapes
    app.json.sort_keys = False  # keep the order of `export.results_json`
    app.extensions[_EXTENSION] = {"index": None, "lock": threading.Lock()}

    from . import logs, suggest, views

    logs.init_app(app)  # first: its timer starts before, and its line is written after, every other hook
    app.register_blueprint(views.bp)
    app.register_blueprint(suggest.bp)
    views.register_errors(app)
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
