"""Request logging: one logfmt line per request on the `web.access` logger, tracebacks on `web` (the app's
logger), both server-side only.

    2025-01-02 10:11:12,345 INFO web.access: method=GET path=/api/search status=200 ms=12.4 id=3f9c2a1b

Every request gets a short id, in its log line, in the traceback logged for a 500, and on the 500 page, so
that a user's report can be matched with the log without showing them any detail. The line's fields are
also on the log record (`record.method`, `.path`, `.status`, `.ms`, `.request_id`).

When nothing in the process has configured logging (as under `search serve`), `init_app` gives the `web`
logger a handler of its own on stderr; when something has (a test runner, an embedding application), the
records go to its handlers instead.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time

from flask import Flask, g, request

ACCESS = logging.getLogger("web.access")
APP = logging.getLogger("web")  # Flask's `app.logger` for an app made by `web.create_app`

MAX_PATH_CHARS = 300  # a logged path is cut here: an oversized URL must not make an oversized log line
_SIMPLE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:%")


class StderrHandler(logging.StreamHandler):
    """A StreamHandler on whatever `sys.stderr` is when a record is written (not when it was made)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def logfmt_value(value) -> str:
    """`value` as a logfmt value: bare when it is plain, else quoted with escapes (no raw newlines or
    quotes from a request can forge or split a log line)."""
    text = str(value)
    if text and all(c in _SIMPLE for c in text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in escaped)
    return f'"{escaped}"'


def _logged_path() -> str:
    path = request.path
    return path if len(path) <= MAX_PATH_CHARS else path[:MAX_PATH_CHARS] + "…"


def request_id() -> str:
    """This request's short id (made when it started)."""
    rid = g.get("request_id")
    if rid is None:
        rid = g.request_id = secrets.token_hex(4)
    return rid


def _configure_handlers() -> None:
    """A stderr handler for the `web` loggers when nothing would show their INFO records (no handler on them
    or their ancestors): the case under `search serve`. Not propagating then, so that the root handler
    waitress adds afterwards (`logging.basicConfig`) does not print every line twice. Waitress's own
    "Task queue depth" warnings, one per queued request under load, are kept to errors."""
    if APP.level == logging.NOTSET:
        APP.setLevel(logging.INFO)
    if any(isinstance(h, StderrHandler) for h in APP.handlers):
        return
    logger: logging.Logger | None = APP
    while logger is not None:
        if any(h.level <= logging.INFO for h in logger.handlers):
            return  # someone configured logging: use theirs
        logger = logger.parent if logger.propagate else None
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    APP.addHandler(handler)
    APP.propagate = False
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def init_app(app: Flask) -> None:
    """Log one line per request of `app` (whatever its status, 404, 405 and 500 included)."""
    _configure_handlers()

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        fields = {
            "method": request.method,
            "path": _logged_path(),
            "status": response.status_code,
            "ms": round(ms, 1),
            "id": request_id(),
        }
        ACCESS.info(
            " ".join(f"{k}={logfmt_value(v)}" for k, v in fields.items()),
            extra={
                "method": fields["method"],
                "path": fields["path"],
                "status": fields["status"],
                "ms": fields["ms"],
                "request_id": fields["id"],
            },
        )
        return response
