"""Routes: the search page, the article page, and the JSON API. All searching is `indexer.search.search`;
this module only reads the request, calls the engine, and chooses what to show."""

from __future__ import annotations

import dataclasses
import re

from flask import Blueprint, Flask, Response, current_app, jsonify, make_response, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed

from indexer import analysis, metadata, record, snippets
from indexer.errors import SearchError
from indexer.export import marked_html, results_json
from indexer.query import Filters
from indexer.search import MAX_PAGE, search

from . import chart, get_index, IndexUnavailable, logs

bp = Blueprint("search", __name__)

FIELDS = record.FACET_NAMES
FIELD_LABELS = {f.name: f.label for f in record.FACETS}
SORT_LABELS = {"relevance": "相关度", "date": "时间"}
# Ids are what the indexer derived from file names; anything else is not worth a lookup.
_DOC_ID = re.compile(r"^[\w.\-]{1,200}$")
# The longest query string any page makes is a 256-character query and a few filters (under 4 KB encoded).
MAX_QUERY_STRING = 8192
# Parameters (q, sort, page, per_page and each filter value): the seven zones, every year and industry fit.
MAX_PARAMS = 64
METHODS = ("GET", "HEAD")


@bp.app_context_processor
def _helpers() -> dict:
    return {"zone_short": zone_short, "sort_labels": SORT_LABELS, "filterable": _filterable}


@bp.app_template_filter("marked")
def _marked_filter(snippet) -> Markup:
    """A snippet of the engine's as HTML: escaped, its matches marked."""
    return Markup(marked_html(snippet))


@bp.app_template_filter("zone_short")
def _zone_short_filter(name: str) -> str:
    return zone_short(name)


class BadInput(Exception):
    """A request parameter the engine never sees (a page that is not a number); the message is shown."""


# ---------------------------------------------------------------------------------------------- state

def zone_short(name: str) -> str:
    """凌源经济开发区 → 凌源 (what users type and what badges show)."""
    return next((z.short for z in metadata.gazetteer()[1] if z.name == name), name)


def year_text(span: tuple[int, int]) -> str:
    lo, hi = span
    return str(lo) if lo == hi else f"{lo}-{hi}"


def year_label(span: tuple[int, int]) -> str:
    lo, hi = span
    return f"{lo} 年" if lo == hi else f"{lo}–{hi} 年"


def _spans(years: set[int]) -> list[tuple[int, int]]:
    """Years as the fewest inclusive ranges: {2019, 2020, 2022} → [(2019, 2020), (2022, 2022)]."""
    spans: list[tuple[int, int]] = []
    for y in sorted(years):
        if spans and spans[-1][1] == y - 1:
            spans[-1] = (spans[-1][0], y)
        else:
            spans.append((y, y))
    return spans


@dataclasses.dataclass
class State:
    """What the search page shows, as read from its URL: the query, the filters chosen by clicking (not
    those typed into the query), the sort and the page. Builds the links that change one of them."""

    q: str = ""
    filters: Filters = dataclasses.field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "State":
        """Raises SearchError (from the engine's Filters) or BadInput."""
        filters = Filters()
        for field in FIELDS:
            for value in args.getlist(field):
                if value.strip():
                    filters.add(field, value)
        return cls(args.get("q", "").strip(), filters, args.get("sort") or "relevance", _int(args, "page", 1, "页码"))

    # -- links

    def params(self, *, filters: Filters | None = None, sort: str | None = None, page: int = 1,
               q: str | None = None) -> dict:
        filters = self.filters if filters is None else filters
        sort = self.sort if sort is None else sort
        q = self.q if q is None else q
        params: dict = {}
        if q:
            params["q"] = q
        for field in FIELDS:
            values = filters.get(field)
            if values:
                params[field] = [zone_short(v) if field == "zone" else year_text(v) if field == "year" else v
                                 for v in values]
        if sort != "relevance":
            params["sort"] = sort
        if page != 1:
            params["page"] = page
        return params

    def url(self, **changes) -> str:
        return url_for("search.index", **self.params(**changes))

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    def sort_url(self, sort: str) -> str:
        return self.url(sort=sort)

    def doc_url(self, doc_id: str) -> str:
        """The article page, carrying this search so that it can highlight and link back."""
        return url_for("search.document", doc_id=doc_id, **self.params(page=self.page))

    def back_url(self) -> str:
        return self.url(page=self.page)

    def with_filters(self, **lists) -> Filters:
        filters = self.filters.copy()
        for field, values in lists.items():
            filters = filters.replace(field, values)
        return filters

    def toggle_url(self, field: str, value: str) -> str:
        """The page with facet `value` added to or removed from the selection (back to page 1)."""
        if field == "year":
            years = self.filters.years()
            year = int(value)
            years = years - {year} if year in years else years | {year}
            return self.url(filters=self.with_filters(year=_spans(years)))
        chosen = list(self.filters.get(field))
        chosen = [v for v in chosen if v != value] if value in chosen else chosen + [value]
        return self.url(filters=self.with_filters(**{field: chosen}))

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
                chips.append({"field": field, "field_label": FIELD_LABELS[field], "label": label, "title": title,
                              "filters": self.with_filters(**{field: rest}),
                              "url": self.url(filters=self.with_filters(**{field: rest}))})
        return chips

    def clear_url(self) -> str:
        return self.url(filters=Filters())


def _int(args, name: str, default: int, label: str) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise BadInput(f"{label}必须是正整数（收到“{raw[:20]}”）。")
    return int(raw)


# ---------------------------------------------------------------------------------------------- pages

@bp.get("/")
def index():
    """The search page; with neither words nor filters, every article newest first."""
    state, results, error, suggestions, year_chart = State(), None, None, [], None
    try:
        state = State.from_args(request.args)
        ix = get_index()
        results = search(ix, state.q, state.filters, page=state.page, per_page=current_app.config["PER_PAGE"],
                         sort=state.sort, browse_all=True)
        if results.total == 0:
            suggestions = _suggestions(ix, state)
        if current_app.config["CHART"] and results.total:
            year_chart = chart.year_chart(results, state)
    except (SearchError, BadInput) as exc:
        error = str(exc)
    status = 400 if error else 200
    return render_template("search.html", state=state, results=results, error=error, suggestions=suggestions,
                           chart=year_chart, facets=_facets(state, results) if results else [],
                           pagination=_pagination(state, results) if results else None,
                           titles=_titles(results) if results else {}), status


def _titles(results) -> dict[str, Markup]:
    """Each hit's title with the query's words marked by the engine (which escapes the rest)."""
    return {hit.id: Markup(marked_html(hit.title)) for hit in results.hits}


def _facets(state: State, results) -> list[dict]:
    groups = []
    for field in FIELDS:
        values = []
        for fv in results.facets.get(field, []):
            chosen = state.is_chosen(field, fv.value)
            values.append({
                "value": fv.value,
                "label": fv.value if field != "year" else f"{fv.value} 年",
                "count": fv.count,
                "selected": fv.selected,
                # Chosen by a filter typed into the query (zone:凌源): only editing the query removes it.
                "from_query": fv.selected and not chosen,
                # None for a value given explicitly with an article that the filters do not know (the engine
                # keeps it as given): counted and shown, but a link to filter by it would only say "unknown".
                "url": state.toggle_url(field, fv.value) if _filterable(field, fv.value) else None,
            })
        groups.append({"field": field, "label": FIELD_LABELS[field], "values": values,
                       "selected": sum(v["selected"] for v in values)})
    return groups


def _filterable(field: str, value) -> bool:
    """Whether the filters accept `value` of facet `field` as it is stored (a link to filter by it works)."""
    value = str(value)
    if field == "zone":
        return metadata.resolve_zone(value) == value
    if field == "industry":
        return metadata.resolve_industry(value) == value
    if field == "company":
        return True  # names as extracted: the filter takes any value the index holds
    return value.isascii() and value.isdigit()


def _pagination(state: State, results) -> dict | None:
    last = min(results.pages, MAX_PAGE)
    if last <= 1 and state.page == 1:
        return None
    page = state.page
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    items, previous = [], 0
    for n in shown:
        if n - previous > 1:
            items.append(None)  # a gap: …
        items.append({"n": n, "url": state.page_url(n), "current": n == page})
        previous = n
    return {"items": items,
            "prev": state.page_url(page - 1) if 1 < page <= last + 1 else None,
            "next": state.page_url(page + 1) if page < last else None}


def _suggestions(ix, state: State) -> list[dict]:
    """For an empty page: each chosen filter, the link that drops it, and how many results that gives."""
    out = []
    for chip in state.chips()[:8]:
        try:
            total = search(ix, state.q, chip["filters"], per_page=1, sort=state.sort, browse_all=True).total
        except SearchError:
            continue
        out.append({**chip, "total": total})
    return out


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    """One article in full, the query's words marked, with a way back to the results and related articles."""
    if not _DOC_ID.match(doc_id):
        return _not_found()
    doc = get_index().document(doc_id)
    if doc is None:
        return _not_found()
    try:
        state = State.from_args(request.args)
    except (SearchError, BadInput):
        state = State(q=request.args.get("q", "").strip())
    marks = get_index().marks(state.q)
    paragraphs, matches = [], 0
    for text in analysis.paragraphs(doc.body):
        if text.strip() == doc.title.strip():
            continue  # the headline printed again at the top of the body
        marked = marked_html(snippets.highlight(text, marks))  # escaped; only <mark> added
        if marks and "<mark" in marked:
            if not matches:
                marked = marked.replace("<mark", '<mark id="first-match"', 1)
            matches += marked.count("<mark")
        paragraphs.append(Markup(marked))
    related = get_index().related(doc, current_app.config["RELATED"])
    has_search = bool(state.q or state.filters)
    return render_template("doc.html", doc=doc, state=state, paragraphs=paragraphs, matches=matches,
                           title=Markup(marked_html(snippets.highlight(doc.title, marks))), related=related,
                           has_search=has_search)


def _not_found():
    return render_template("404.html", status=404, heading="找不到这篇文章",
                           message="链接可能有误，或者这篇文章已从索引中移除。"), 404


# ---------------------------------------------------------------------------------------------- API

@bp.get("/api/search")
def api_search():
    """`export.results_json` for the same parameters as the page, plus `per_page`."""
    try:
        state = State.from_args(request.args)
        per_page = _int(request.args, "per_page", 10, "每页条数")
        results = search(get_index(), state.q, state.filters, page=state.page, per_page=per_page, sort=state.sort)
    except (SearchError, BadInput) as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(results_json(results))


@bp.get("/api/doc/<doc_id>")
def api_document(doc_id: str):
    doc = get_index().document(doc_id) if _DOC_ID.match(doc_id) else None
    if doc is None:
        return jsonify(error=f"No article with id “{doc_id[:200]}”."), 404
    return jsonify({**record.to_json(doc), "paragraphs": analysis.paragraphs(doc.body)})


# ---------------------------------------------------------------------------------------------- errors

_ERROR_TEXT = {
    400: ("请求有误", "请求的参数无法识别。"),
    404: ("找不到页面", "这个地址没有内容。请检查链接，或从首页重新搜索。"),
    405: ("不支持的请求方式", "这个地址只接受 GET 请求。"),
    500: ("服务器出错了", "处理请求时发生了意外错误，请稍后再试。"),
    503: ("索引暂不可用", "搜索索引尚未建立或无法打开，请稍后再试。"),
}


class BadRequestLine(BadRequest):
    """A query string that is not UTF-8, longer than any page makes, or with more parameters than it could
    use: a 400 before anything parses it, with a message (in English for the API, in Chinese on the page)."""

    def __init__(self, description: str, message: str, heading: str = "请求有误"):
        super().__init__(description)
        self.message = message
        self.heading = heading


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(status: int, description: str | None = None, message: str | None = None,
           heading: str | None = None) -> Response:
    """The error page (HTML), or `{"error": description}` for the API; `message` and `heading` replace the
    page's standard ones. Never any detail of the server's."""
    standard_heading, standard = _ERROR_TEXT.get(status, (f"错误 {status}", ""))
    heading = heading or standard_heading
    if _wants_json():
        return make_response(jsonify(error=description or heading), status)
    page = render_template([f"{status}.html", "error.html"], status=status, heading=heading,
                           message=message or standard, request_id=logs.request_id() if status >= 500 else None)
    return make_response(page, status)


def _check_request() -> None:
    """Before any route runs: only GET and HEAD (405 on every route, OPTIONS included), a UTF-8 query string
    and no request larger than a page would make (all 400, with a message saying which)."""
    if request.method not in METHODS and (request.url_rule is not None
                                         or isinstance(request.routing_exception, MethodNotAllowed)):
        raise MethodNotAllowed(valid_methods=list(METHODS))
    raw = request.query_string
    try:
        raw.decode("utf-8")  # raw (not percent-encoded) bytes that are not UTF-8: Werkzeug cannot read `args`
    except UnicodeDecodeError:
        raise BadRequestLine("The query string is not valid UTF-8.",
                             "地址中的参数不是有效的 UTF-8 编码，请从搜索框重新搜索。") from None
    params = raw.count(b"&") + 1 if raw else 0  # at most this many; count them only when it is too many
    if params > MAX_PARAMS:
        params = sum(len(values) for values in request.args.listvalues())
    if params > MAX_PARAMS:
        raise BadRequestLine(f"Too many parameters ({params}; at most {MAX_PARAMS}).",
                             f"参数过多（{params} 个，最多 {MAX_PARAMS} 个）。请减少筛选条件后再试。", "请求参数过多")
    if len(raw) > MAX_QUERY_STRING:
        raise BadRequestLine(f"The query string is too long ({len(raw)} bytes; at most {MAX_QUERY_STRING}).",
                             f"地址中的参数太长（{len(raw)} 字节，最多 {MAX_QUERY_STRING} 字节）。"
                             "请缩短搜索词或减少筛选条件后再试。", "请求地址过长")


def register_errors(app: Flask) -> None:
    app.before_request(_check_request)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, BadRequestLine):
            return _error(400, exc.description, exc.message, exc.heading)
        response = _error(exc.code or 500, exc.description if _wants_json() else None)
        if isinstance(exc, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(METHODS)
        return response

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(exc):
        return _error(503, "The search index is not available.")

    @app.errorhandler(Exception)
    def server_error(exc):
        # The traceback goes to the log only, with the id the page shows.
        app.logger.error("Unhandled error on %s %s (request %s)", request.method, logs.logfmt_value(request.path),
                         logs.request_id(), exc_info=exc)
        return _error(500, "Internal error.")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
