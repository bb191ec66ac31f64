"""Help with typing on the web: suggestions as you type (`/api/suggest`, JSON or the OpenSearch suggestions
format browsers ask for), and what the search page says when it read pinyin or corrected a typo.

All of it is `indexer.suggest`, `indexer.pinyin_query` and `indexer.spelling`; this module reads the request
and shapes the answer. The search box's combobox is `static/suggest.js`.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request, url_for

from indexer import pinyin_query, spelling
from indexer.errors import SearchError
from indexer.suggest import suggest

from . import get_index

bp = Blueprint("suggest", __name__)

FORMATS = ("json", "opensearch")
# What each kind of suggestion is, in the OpenSearch format's descriptions (a browser may show them).
KIND_LABELS = {
    "zone": "开发区",
    "place": "地名",
    "company": "企业",
    "word": "词语",
    "phrase": "短语",
    "headline": "标题",
}
# Suggestions change only when the index does: a browser may keep them this long (seconds).
MAX_AGE = 300


@bp.get("/api/suggest")
def api_suggest():
    """`?q=PREFIX` → {"query": …, "suggestions": [{"text", "kind"}, …]}; with `&format=opensearch`,
    [query, [completions], [descriptions], [search URLs]] as `application/x-suggestions+json`."""
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        return jsonify(error=str(SearchError("Format must be one of: {formats}.", formats=", ".join(FORMATS)))), 400
    query = request.args.get("q", "")
    try:
        found = suggest(get_index(), query)
    except SearchError as exc:
        return jsonify(error=str(exc)), 400
    if fmt == "opensearch":
        body = [
            query,
            [s.text for s in found],
            [KIND_LABELS[s.kind] for s in found],
            [url_for("search.index", q=s.text, _external=True) for s in found],
        ]
        response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/x-suggestions+json")
    else:
        response = jsonify({"query": query, "suggestions": [{"text": s.text, "kind": s.kind} for s in found]})
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.app_template_global()
def literal_query(results) -> str | None:
    """The query as typed, quoted where it was read as pinyin or corrected: the "仍然搜索" link's query."""
    if results.pinyin:
        return pinyin_query.literal_query(results.query, results.pinyin["typed"].split())
    if results.searched_instead:
        return spelling.literal_query(results.searched_instead, results.suggestion)
    return None
