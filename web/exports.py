"""A whole search as a file: `/search.csv` and `/search.jsonl` take the page's parameters and stream every
matching article (not one page) in the search's order, as `search QUERY --format csv|jsonl` prints them.

The engine's time budget bounds the search: when it ran out (`timed_out`), the file holds what was found by
then, the answer has the header `X-Search-Partial: 1`, the file name says 不完整 (a spreadsheet shows the
file name as the sheet's name), and a CSV ends with a row saying so in its first column.
"""

from __future__ import annotations

import csv
import io
import urllib.parse

from flask import Blueprint, Response, current_app, request

from indexer import export
from indexer.errors import SearchError
from indexer.search import articles

from . import get_index
from .errors import error_response
from .i18n import _
from .state import State

bp = Blueprint("exports", __name__)

MIMETYPES = {"csv": "text/csv", "jsonl": "application/jsonl"}
TRUE = ("1", "true", "on", "yes")


@bp.get("/search.csv", endpoint="csv")
def csv_file():
    """Every matching article as CSV (UTF-8; `_bom=1` starts it with a byte-order mark for Excel)."""
    return _export("csv")


@bp.get("/search.jsonl", endpoint="jsonl")
def jsonl_file():
    """Every matching article as JSON Lines, text included."""
    return _export("jsonl")


def _export(fmt: str) -> Response:
    try:
        state = State.from_args(request.args)
        total, timed_out, found = articles(
            get_index(), state.q, state.filters, sort=state.sort, budget=current_app.config["SEARCH_BUDGET"]
        )
    except SearchError as exc:
        return error_response(400, exc)
    bom = request.args.get("_bom", "").strip().lower() in TRUE
    lines = export.lines(fmt, found, bom)
    if timed_out and fmt == "csv":
        lines = _then(lines, partial_row(total))
    response = Response((line.encode("utf-8") for line in lines), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = disposition(f"search-{state.slug()}{'-不完整' if timed_out else ''}", fmt)
    response.headers["X-Search-Total"] = str(total)
    if timed_out:
        response.headers["X-Search-Partial"] = "1"
    return response


def _then(lines, last: str):
    yield from lines
    yield last


def partial_row(found: int) -> str:
    """The CSV's last row when the search was cut short: the note in the first column (`id`), where a
    spreadsheet user reading down the sheet meets it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(
        [
            _(
                "Partial results: the search stopped at its time limit after finding {count} articles; "
                "narrow the search to export them all.",
                count=found,
            )
        ]
        + [""] * (len(export.CSV_FIELDS) - 1)
    )
    return out.getvalue()


def disposition(stem: str, ext: str) -> str:
    """`attachment` with the file's name: `filename*` in UTF-8 (RFC 6266) and an ASCII `filename` for old
    clients (the name's ASCII letters and digits)."""
    ascii_stem = "".join(c for c in stem if c.isascii() and (c.isalnum() or c in "-_.")).strip("-_.") or "search"
    quoted = urllib.parse.quote(f"{stem}.{ext}", safe="")
    return f"attachment; filename=\"{ascii_stem}.{ext}\"; filename*=UTF-8''{quoted}"
