"""The JSON API: `/api/search` (what `search --json` prints) and `/api/doc/<id>`. Errors are `{"error": …}` in
English, as on the command line."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from indexer import analysis, record
from indexer.errors import SearchError
from indexer.export import results_json
from indexer.search import search

from . import get_index
from .article import DOC_ID
from .state import State, int_param

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search", endpoint="search")
def search_json():
    """`export.results_json` for the same parameters as the page, plus `per_page`."""
    try:
        state = State.from_args(request.args)
        per_page = int_param(request.args, "per_page", 10)
        results = search(
            get_index(),
            state.q,
            state.filters,
            page=state.page,
            per_page=per_page,
            sort=state.sort,
            budget=current_app.config["SEARCH_BUDGET"],
        )
    except SearchError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(results_json(results))


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    """An article's metadata and paragraphs."""
    doc = get_index().document(doc_id) if DOC_ID.match(doc_id) else None
    if doc is None:
        return jsonify(error=str(SearchError("No article with id “{id}”.", id=doc_id[:200]))), 404
    return jsonify({**record.to_json(doc), "paragraphs": analysis.paragraphs(doc.body)})
