"""Serving the app on a socket the caller has bound: waitress in this process, or gunicorn's pre-fork server
for several processes (Python runs one process's threads on one core at a time).

    serve(create_app, listener, threads=8, workers=2, ready=lambda: print("ready"))

Both keep a request small before the app sees it (every route is GET: a body is never read), and the app
logs one line per request (`web.logs`). `ready` is called once the server answers: with gunicorn, only when
every worker has loaded the app and entered its accept loop.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

# waitress: every route is GET, so a body is never needed and need not be buffered (its default is 1 GB).
WAITRESS_OPTIONS = {"ident": "chaoyang-search", "max_request_body_size": 64 * 1024}
# gunicorn: the longest request line it allows (8190 bytes, its maximum) holds the app's longest query string
# (`web.views.MAX_QUERY_STRING`), so that the app answers an oversized one with its own message; headers keep
# gunicorn's limits (100 fields of at most 8190 bytes). It never reads a body the app does not read.
GUNICORN_OPTIONS = {
    "limit_request_line": 8190,
    "limit_request_fields": 100,
    "limit_request_field_size": 8190,
    # Its own log keeps to warnings (a worker killed or timed out): the app logs every request itself.
    "loglevel": "warning",
    "accesslog": None,
    # A stopped server finishes the requests in flight, for at most this many seconds.
    "graceful_timeout": 10,
    # A per-user control socket (in $HOME or $XDG_RUNTIME_DIR) would be shared by every server of the user.
    "control_socket_disable": True,
    "proc_name": "search-serve",
}


def serve(
    app_factory: Callable[[], Flask],
    listener: socket.socket,
    threads: int,
    workers: int = 1,
    ready: Callable[[], None] = lambda: None,
) -> None:
    """Serve `app_factory()` on `listener` (bound and listening) until stopped: in this process with waitress
    (`workers` 1), else with gunicorn's arbiter in this process and `workers` worker processes of `threads`
    threads each. Returns when the server stops (gunicorn exits the process with its status)."""
    if workers == 1:
        import waitress

        app = app_factory()
        # SIGTERM stops it as Ctrl-C does: waitress then finishes the requests in flight (for up to 5 s).
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        ready()
        waitress.serve(app, sockets=[listener], threads=threads, **WAITRESS_OPTIONS)
        return
    _Gunicorn(app_factory, listener, threads, workers, ready).run()


class _Gunicorn(BaseApplication):
    """gunicorn configured in code (its documented "custom application"), on an inherited socket."""

    def __init__(
        self,
        app_factory: Callable[[], Flask],
        listener: socket.socket,
        threads: int,
        workers: int,
        ready: Callable[[], None],
    ):
        self.app_factory = app_factory
        # gunicorn takes the descriptor over (`fd://`) and closes it when it stops: detach it from our object.
        self.fd = listener.detach()
        self.threads, self.workers, self.ready = threads, workers, ready
        # Workers that have loaded the app, counted across processes (shared memory made before they fork).
        self.booted = multiprocessing.get_context("fork").Value("i", 0)
        super().__init__()

    def load_config(self) -> None:
        settings = {
            **GUNICORN_OPTIONS,
            "bind": [f"fd://{self.fd}"],
            "workers": self.workers,
            "worker_class": "gthread",
            "threads": self.threads,
            # The app is made once, before the workers fork (each opens the index on first use).
            "preload_app": True,
            "post_worker_init": self._worker_booted,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.app_factory()

    def _worker_booted(self, worker) -> None:
        """In each worker, after it loaded the app and before it accepts: the last of the first `workers`
        says the server is ready (a worker restarted later counts past it and says nothing)."""
        with self.booted.get_lock():
            self.booted.value += 1
            last = self.booted.value == self.workers
        if last:
            self.ready()
