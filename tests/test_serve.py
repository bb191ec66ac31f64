"""`search serve` as a real process: several server processes on one port, how they stop, and a port that
is taken."""

from __future__ import annotations

import concurrent.futures
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow

SEARCH = pathlib.Path(sys.executable).with_name("search")
QUERY = "/?q=%E5%BC%80%E5%8F%91%E5%8C%BA"  # 开发区


def start(index_dir, tmp_path, *args) -> tuple[subprocess.Popen, str, pathlib.Path]:
    """`search serve --port 0 ARGS` (the system picks the port it prints); its process, base URL and log."""
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(SEARCH), "--index-dir", str(index_dir), "serve", "--port", "0", *args],
                                   cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not (found := re.search(r"Serving on (http://127\.0\.0\.1:\d+)/", log_path.read_text(errors="replace"))):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"search serve did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)
    return process, found.group(1), log_path


def children(pid: int) -> set[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return {int(p) for p in f.read().split()}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not pathlib.Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def wait_gone(pids, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status


def test_workers_share_the_port_and_stop_together(seed_index_dir, tmp_path):
    process, base, log = start(seed_index_dir, tmp_path, "--workers", "2")
    try:
        workers = children(process.pid)
        assert len(workers) == 2
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            assert set(pool.map(get, [base + QUERY] * 40)) == {200}
        assert "with 2 processes" in log.read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert wait_gone(workers)
    finally:
        process.kill()


def test_a_dead_worker_stops_the_server(seed_index_dir, tmp_path):
    process, base, log = start(seed_index_dir, tmp_path, "--workers", "2")
    try:
        workers = children(process.pid)
        os.kill(min(workers), signal.SIGKILL)
        assert process.wait(timeout=10) == 1
        assert wait_gone(workers)
        assert "stopping the others" in log.read_text()
    finally:
        process.kill()


def test_workers_stop_when_the_server_is_killed(seed_index_dir, tmp_path):
    process, base, _ = start(seed_index_dir, tmp_path, "--workers", "2")
    workers = children(process.pid)
    assert get(base + QUERY) == 200
    process.kill()
    process.wait()
    assert wait_gone(workers), "orphaned server processes kept running"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_a_message(seed_index_dir, tmp_path, workers):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = subprocess.run([str(SEARCH), "--index-dir", str(seed_index_dir), "serve", "--port", port,
                                 "--workers", workers], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use." in result.stderr
    assert "Traceback" not in result.stderr
