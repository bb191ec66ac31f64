"""Results as data: the JSON of `search --json` and `/api/search`, and every matching article as CSV or
JSON Lines (`search --format`, and the web's `.csv` / `.jsonl` links). The shapes come from
`indexer.record`; this module knows only how each format writes them.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Iterator

from . import record
from .errors import SearchError
from .record import Article
from .search import Hit, Results
from .snippets import Snippet

FORMATS = ("csv", "jsonl")


def marked_html(snippet: Snippet) -> str:
    """A snippet as HTML: the text escaped, each match in `<mark>` (class "partial" for a partial match)."""
    return snippet.render(
        lambda text, exact: (
            f"<mark>{html.escape(text)}</mark>" if exact else f'<mark class="partial">{html.escape(text)}</mark>'
        ),
        html.escape,
    )


def hit_json(hit: Hit) -> dict:
    data = record.to_json(hit.article)
    data["score"] = round(hit.score, 4)
    data["snippet"] = marked_html(hit.snippet)
    if hit.missing:
        data["missing"] = hit.missing
    return data


def results_json(results: Results) -> dict:
    """The JSON shape shared by `search --json` and `/api/search`."""
    data = {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "timed_out": results.timed_out,
    }
    for name in ("relaxed", "also", "suggestion", "searched_instead", "pinyin"):
        value = getattr(results, name, None)
        if value:
            data[name] = value
    data["hits"] = [hit_json(h) for h in results.hits]
    data["facets"] = {
        name: [{"value": v.value, "count": v.count} for v in values] for name, values in results.facets.items()
    }
    return data


def error_json(error: SearchError) -> dict:
    return {"error": str(error)}


# The columns of a CSV export: the record's JSON fields (lists joined by "; "), then the text's start.
CSV_FIELDS = (*record.JSON_FIELDS, "lead")
LEAD_CHARS = 200


def _row(article: Article) -> dict:
    from .search import snippet_text

    data = record.to_json(article)
    data["lead"] = snippet_text(article.body, marked=False)[:LEAD_CHARS].replace("\n", " ")
    return data


def csv_lines(articles: Iterable[Article], bom: bool = False) -> Iterator[str]:
    """Articles as CSV (RFC 4180, a header row first), a line at a time; with `bom`, a UTF-8 byte-order mark
    first, so that Excel reads Chinese correctly."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    first = ("\ufeff" if bom else "") + out.getvalue()
    yield first
    for article in articles:
        out.seek(0)
        out.truncate()
        row = _row(article)
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()})
        yield out.getvalue()


def jsonl_lines(articles: Iterable[Article]) -> Iterator[str]:
    """Articles as JSON Lines, one object per line (the record's fields and the text)."""
    for article in articles:
        data = record.to_json(article)
        data["body"] = article.body
        yield json.dumps(data, ensure_ascii=False) + "\n"


def lines(fmt: str, articles: Iterable[Article], bom: bool = False) -> Iterator[str]:
    if fmt == "csv":
        return csv_lines(articles, bom)
    if fmt == "jsonl":
        return jsonl_lines(articles)
    raise SearchError("Format must be one of: {formats}.", formats=", ".join(FORMATS))
