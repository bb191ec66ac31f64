"""`search serve` as a real process, with one process (waitress) and with two (gunicorn): ready when it says
so, its request limits and logging, how it stops, a worker that dies, and a port that is taken.

Run them again and again to see they hold: `pytest tests/test_serve.py --count 20`."""

from __future__ import annotations

import concurrent.futures
import http.client
import os
import re
import signal
import socket
import subprocess
import urllib.parse

import pytest

from fixtures import SEARCH, alive, children, get, serve, wait_gone

pytestmark = pytest.mark.slow

QUERY = "/?q=" + urllib.parse.quote("开发区")


@pytest.fixture(params=[1, 2], ids=["1-process", "2-processes"])
def server(request, seed_index_dir, tmp_path):
    """A running `search serve --workers N` over the seed index."""
    with serve(seed_index_dir, tmp_path, "--workers", str(request.param), "--threads", "4") as running:
        running.processes = request.param
        yield running


def test_ready_means_every_worker_is_up_and_answers(server):
    first_line = server.log().splitlines()[0]
    if server.processes == 1:
        assert first_line == f"Serving on {server.url}/ (Ctrl-C to stop)"
        assert server.workers == set()
    else:
        assert first_line == f"Serving on {server.url}/ with 2 processes (Ctrl-C to stop)"
        assert len(server.workers) == 2 and all(alive(p) for p in server.workers)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: get(server.url + QUERY), range(40)))
    assert {status for status, _ in answers} == {200}
    assert all("凌源经济开发区" in body for _, body in answers)


def test_each_request_is_one_log_line(server):
    for path in ("/", QUERY, "/api/search?q=%E5%87%8C%E9%92%A2", "/nope"):
        get(server.url + path)
    lines = [line for line in server.log().splitlines() if " web.access: " in line]
    assert [re.search(r"method=(\w+) path=(\S+) status=(\d+) ms=[\d.]+ id=\w+$", line).groups() for line in lines] == [
        ("GET", "/", "200"),
        ("GET", "/", "200"),
        ("GET", "/", "200"),
        ("GET", "/api/search", "200"),
        ("GET", "/nope", "404"),
    ]  # the fixture's own first GET /, then the test's four


def test_a_large_body_is_refused_and_the_server_goes_on(server):
    body = b"x" * (1 << 20)
    conn = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=30)
    try:
        conn.request("POST", "/", body=body, headers={"Content-Type": "application/octet-stream"})
        status = conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):  # refused before the body was all sent
        status = None
    finally:
        conn.close()
    assert status in (None, 405, 413)
    assert get(server.url + QUERY)[0] == 200


def test_an_oversized_query_string_is_refused(server):
    status, body = get(server.url + "/api/search?q=" + "x" * 9000)
    if server.processes == 1:  # waitress hands it to the app, which says why
        assert status == 400 and "The query string is too long (9002 bytes; at most 8192)" in body
    else:  # gunicorn refuses a request line over 8190 bytes itself
        assert status == 414
    assert get(server.url + QUERY)[0] == 200


def test_sigterm_stops_the_server_and_its_workers(server):
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=20) == 0
    assert wait_gone(server.workers)


@pytest.mark.parametrize("server", [2], indirect=True, ids=["2-processes"])
def test_a_killed_worker_is_replaced(server):
    victim = min(server.workers)
    os.kill(victim, signal.SIGKILL)
    assert wait_gone([victim])
    for _ in range(200):
        now = children(server.process.pid)
        if len(now) == 2 and victim not in now:
            break
        get(server.url + QUERY)
    assert len(now) == 2 and victim not in now
    assert get(server.url + QUERY)[0] == 200
    assert server.process.poll() is None


@pytest.mark.parametrize("server", [2], indirect=True, ids=["2-processes"])
def test_workers_stop_when_the_server_is_killed(server):
    assert get(server.url + QUERY)[0] == 200
    server.process.kill()
    server.process.wait()
    assert wait_gone(server.workers), "orphaned server processes kept running"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_a_message(seed_index_dir, tmp_path, workers):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [str(SEARCH), "--index-dir", str(seed_index_dir), "serve", "--port", port, "--workers", workers],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr == f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use.\n"
    assert result.stdout == ""
