"""Errors and request checks for every route: error pages in Chinese (the API: `{"error": "…"}` in English),
the checks that run before any route, and the security headers of every answer."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed

from indexer.errors import SearchError

from . import IndexUnavailable, logs
from .i18n import N_, _, message

# The longest query string any page makes is a 512-character query (9 bytes a character, percent-encoded)
# and a few filters.
MAX_QUERY_STRING = 8192
# Parameters (q, sort, page, per_page and each filter value): the seven zones, every year and industry fit.
MAX_PARAMS = 64
METHODS = ("GET", "HEAD")

# Each status's heading and explanation (message ids: English for the API, translated on the page).
STATUS_TEXT = {
    400: (N_("Bad request"), N_("The request's parameters could not be read.")),
    404: (
        N_("Page not found"),
        N_("There is nothing at this address. Check the link, or search again from the home page."),
    ),
    405: (N_("Method not allowed"), N_("This address answers GET requests only.")),
    500: (N_("Something went wrong on the server"), N_("An unexpected error occurred; please try again later.")),
    503: (
        N_("The search index is not available"),
        N_("The search index has not been built yet or cannot be opened; please try again later."),
    ),
}


class BadRequestLine(BadRequest):
    """A query string that is not UTF-8, longer than any page makes, or with more parameters than it could
    use: a 400 before anything parses it, with a message (in English for the API, in Chinese on the page)."""

    def __init__(self, error: SearchError, heading: str = N_("Bad request")):
        super().__init__(str(error))
        self.error = error
        self.heading = heading


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, error: SearchError | None = None, heading: str | None = None) -> Response:
    """The error page (HTML), or `{"error": "…"}` for the API: `error`'s message, or the status's own. Never
    any detail of the server's."""
    standard_heading, standard = STATUS_TEXT.get(status, (N_("Error"), ""))
    heading = heading or standard_heading
    if wants_json():
        return make_response(jsonify(error=str(error) if error else standard or heading), status)
    page = render_template(
        [f"{status}.html", "error.html"],
        status=status,
        heading=_(heading),
        message=message(error) if error else _(standard) if standard else "",
        request_id=logs.request_id() if status >= 500 else None,
    )
    return make_response(page, status)


def not_found(error: SearchError, heading: str) -> Response:
    """A 404 that says what was not found (an article, a zone)."""
    return error_response(404, error, heading)


def _check_request() -> None:
    """Before any route runs: only GET and HEAD (405 on every route, OPTIONS included), a UTF-8 query string
    and no request larger than a page would make (all 400, with a message saying which)."""
    if request.method not in METHODS and (
        request.url_rule is not None or isinstance(request.routing_exception, MethodNotAllowed)
    ):
        raise MethodNotAllowed(valid_methods=list(METHODS))
    raw = request.query_string
    try:
        raw.decode("utf-8")  # raw (not percent-encoded) bytes that are not UTF-8: Werkzeug cannot read `args`
    except UnicodeDecodeError:
        raise BadRequestLine(SearchError("The query string is not valid UTF-8.")) from None
    params = raw.count(b"&") + 1 if raw else 0  # at most this many; count them only when it is too many
    if params > MAX_PARAMS:
        params = sum(len(values) for values in request.args.listvalues())
    if params > MAX_PARAMS:
        raise BadRequestLine(
            SearchError("Too many parameters ({count}; at most {limit}).", count=params, limit=MAX_PARAMS),
            N_("Too many parameters"),
        )
    if len(raw) > MAX_QUERY_STRING:
        raise BadRequestLine(
            SearchError(
                "The query string is too long ({length} bytes; at most {limit}).",
                length=len(raw),
                limit=MAX_QUERY_STRING,
            ),
            N_("The address is too long"),
        )


def register(app: Flask) -> None:
    """Install the checks, the error handlers and the security headers on `app`."""
    app.before_request(_check_request)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, BadRequestLine):
            return error_response(400, exc.error, exc.heading)
        response = error_response(exc.code or 500)
        if isinstance(exc, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(METHODS)
        return response

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(exc):
        return error_response(503)

    @app.errorhandler(Exception)
    def server_error(exc):
        # The traceback goes to the log only, with the id the page shows.
        app.logger.error(
            "Unhandled error on %s %s (request %s)",
            request.method,
            logs.logfmt_value(request.path),
            logs.request_id(),
            exc_info=exc,
        )
        return error_response(500)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
