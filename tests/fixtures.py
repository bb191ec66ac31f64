"""Helpers the tests import (pytest's fixtures stay in conftest.py): the seeds, articles written for a test,
and a real `search serve` process that is ready when handed over and always stopped and reaped."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
# The console script of the environment the tests run in.
SEARCH = pathlib.Path(sys.executable).with_name("search")
START_SECONDS = 60  # a server not answering by then failed to start


def write_articles(folder: pathlib.Path, articles: dict[str, str]) -> pathlib.Path:
    """Write `{id: text}` as .txt articles into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in articles.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return folder


def children(pid: int) -> set[int]:
    """The processes `pid` started (its direct children)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return {int(p) for p in f.read().split()}
    except FileNotFoundError:
        return set()


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie does not)."""
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_gone(pids, seconds: float = 10) -> bool:
    """Wait until none of `pids` runs; False if some still do after `seconds`."""
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def get(url: str, timeout: float = 30) -> tuple[int, str]:
    """The status and body (text) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


@dataclasses.dataclass
class Server:
    """A `search serve` process: its base URL ("http://127.0.0.1:PORT"), its log (stdout and stderr) and the
    worker processes it had when it said it was ready."""

    process: subprocess.Popen
    url: str
    log_path: pathlib.Path
    workers: set[int]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(index_dir: pathlib.Path, cwd: pathlib.Path, *args: str) -> Iterator[Server]:
    """Run `search --index-dir INDEX_DIR serve --port 0 ARGS` in `cwd` (the system picks a free port, which
    the server prints); hand it over once it has said so and answers a page, then stop it (SIGTERM, then
    SIGKILL) and reap it, whatever the test did. Its workers are killed too if they outlive it."""
    log_path = cwd / f"serve-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(SEARCH), "--index-dir", str(index_dir), "serve", "--port", "0", *args],
                                   cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (found := re.search(r"Serving on (http://127\.0\.0\.1:\d+)/", log_path.read_text(errors="replace"))):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"search serve did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)
        workers = children(process.pid)
        server = Server(process, found.group(1), log_path, set(workers))
        status, body = get(server.url + "/")
        if status != 200:
            raise RuntimeError(f"search serve answered {status}:\n{body[:500]}\n{server.log()}")
        yield server
    finally:
        _stop(process, workers)


def _stop(process: subprocess.Popen, workers: set[int]) -> None:
    workers |= children(process.pid)  # those started since it was ready (a worker replaced) too
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()
    if not wait_gone(workers, 5):
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
