"""The article page (`/doc/<id>`): the article in full, its paragraphs as written, the query's matches marked
and counted (what was typed, and the partial matches apart), a way back to the search, related articles."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, request

from indexer import analysis, snippets
from indexer.errors import SearchError

from . import get_index
from .errors import not_found
from .i18n import N_
from .state import State
from .text import marked, source_url

bp = Blueprint("article", __name__)

# Ids are what the indexer derived from file names; anything else is not worth a lookup.
DOC_ID = re.compile(r"^[\w.\-]{1,200}$")
FIRST_MATCH = "first-match"


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    """One article in full, the query's words marked, with a way back to the results and related articles."""
    doc = get_index().document(doc_id) if DOC_ID.match(doc_id) else None
    if doc is None:
        return not_found(SearchError("No article with id “{id}”.", id=doc_id[:200]), N_("Article not found"))
    try:
        state = State.from_args(request.args)
    except SearchError:
        state = State(q=request.args.get("q", "").strip())
    marks = get_index().marks(state.q)
    shown = [p for p in analysis.paragraphs(doc.body) if p.strip() != doc.title.strip()]  # not the headline again
    found = [snippets.highlight(text, marks) for text in shown]
    exact = sum(s.count(True) for s in found)
    partial = sum(s.count(False) for s in found)
    # "Jump to the first match" goes to the first match of what was typed, when there is one.
    first = next((i for i, s in enumerate(found) if s.count(True) or (not exact and s.spans)), None)
    paragraphs = [marked(s, FIRST_MATCH if i == first else None) for i, s in enumerate(found)]
    related = get_index().related(doc, current_app.config["RELATED"])
    return render_template(
        "doc.html",
        doc=doc,
        state=state,
        paragraphs=paragraphs,
        exact=exact,
        partial=partial,
        title=marked(snippets.highlight(doc.title, marks)),
        related=related,
        has_search=bool(state.q or state.filters),
        source=source_url(doc.source),
    )
