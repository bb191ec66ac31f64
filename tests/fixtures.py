"""Helpers the tests import (pytest's fixtures stay in conftest.py, which uses these): the seeds, articles
written for a test, corpora of many small articles cut from the seeds' paragraphs in every format, the CLI run
in this process, web pages read as a user reads them, and a real `search serve` process that is ready when
handed over and always stopped and reaped. (`news.py` holds the real-looking news articles written for the
tests: data, not helpers.)"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import lzma
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
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from indexer.cli import cli

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
SIMPLIFIED_SEED = SEEDS / "000_2a1c0b8050bb07fb.txt"
TRADITIONAL_SEED = SEEDS / "002_08bfd12c8fa669a1.txt"
# The console script of the environment the tests run in.
SEARCH = pathlib.Path(sys.executable).with_name("search")
START_SECONDS = 60  # a server not answering by then failed to start


# Every article `articles()` makes says this, so a query for it counts the articles in the index.
MARKER = "朝阳开发区新闻"

# Queries of every kind (words, phrases, OR, NOT, one character, Latin, the headline, either script) over the
# seeds and `articles()`, for tests that compare two ways of answering them.
QUERIES = [
    "朝阳",
    "开发区 -凌源",
    "凌钢 OR 鞍钢",
    '"经济开发区"',
    "装备制造 凌钢",
    "中",
    "5g",
    "项目 建设 企业",
    MARKER,
    "第一版",
    "园区 OR 企业 -项目",
    "intitle:开发区",
    "朝陽經濟",
]


def write_articles(folder: pathlib.Path, texts: dict[str, str], encoding: str = "utf-8") -> pathlib.Path:
    """Write `{id: text}` as .txt articles (in `encoding`) into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in texts.items():
        (folder / f"{doc_id}.txt").write_bytes(text.encode(encoding))
    return folder


def encodable(seed: pathlib.Path, codec: str, chars: int | None = None) -> str:
    """The seed's paragraphs that `codec` can encode, in order; with `chars`, the first of them that make at
    least that many characters."""
    kept: list[str] = []
    for paragraph in seed.read_text(encoding="utf-8").strip().split("\n\n"):
        try:
            paragraph.encode(codec)
        except UnicodeEncodeError:
            continue
        kept.append(paragraph)
        if chars is not None and sum(map(len, kept)) >= chars:
            break
    return "\n\n".join(kept)


def paragraphs() -> list[str]:
    """The seeds' paragraphs of some length, in file order."""
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        found += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) >= 40]
    return found


def articles(n: int, start: int = 0, version: str = "第一版", size: int = 300) -> dict[str, str]:
    """`n` articles `art0000`… of about `size` characters, each a slice of a seed paragraph under a headline
    naming its number and `version`."""
    source = paragraphs()
    made = {}
    for i in range(start, start + n):
        paragraph = source[i % len(source)]
        offset = (i // len(source)) * 37 % max(1, len(paragraph) - size)
        made[f"art{i:04d}"] = (
            f"{MARKER}第{i}号 {version}\n\n{MARKER}。{version}。\n\n{paragraph[offset : offset + size].strip()}"
        )
    return made


def write_jsonl(path: pathlib.Path, records: list[dict]) -> pathlib.Path:
    """`records` as JSON Lines at `path`, compressed as its suffix says."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes({".gz": gzip.compress, ".xz": lzma.compress}.get(path.suffix, bytes)(data))
    return path


def records(texts: dict[str, str]) -> list[dict]:
    """Articles as JSON Lines records: the first line is the title."""
    return [{"id": doc_id, "title": text.split("\n")[0], "body": text} for doc_id, text in texts.items()]


# ---------------------------------------------------------------------------------------------- the CLI


def run(runner: CliRunner, *args: str, index_dir) -> Result:
    """`search --index-dir INDEX_DIR ARGS` through click's test runner."""
    return runner.invoke(cli, ["--index-dir", str(index_dir), *args])


def result_ids(results) -> list[str]:
    """The ids of a page of the engine's results (`search.search`), in order."""
    return [h.id for h in results.hits]


# ---------------------------------------------------------------------------------------------- web pages

# Seeds the web tests name: the two articles about 凌钢, and the one about all seven zones.
LINGGANG = ("001_f7b6dd57e2bee65a", "003_201a132a17332222")
ALL_ZONES_DOC = "003_201a132a17332222"


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    """The HTML page at `url` of a Flask test client, parsed, its status checked."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def hit_ids(soup: BeautifulSoup) -> list[str]:
    """The ids of the articles a search page lists, in order."""
    return [urlsplit(a["href"]).path.rsplit("/", 1)[-1] for a in soup.select(".hit-title a")]


def stats(soup: BeautifulSoup) -> str:
    """A search page's line of figures (how many results, how fast, which page), spaces squeezed."""
    return " ".join(soup.select_one(".stats-line").get_text().split())


def facet(soup: BeautifulSoup, field: str) -> dict[str, tuple[int, bool, str | None]]:
    """{value: (count, selected, toggle link)} of one facet in the sidebar."""
    out = {}
    for item in soup.select("#filters .facet-value"):
        if item.get("data-facet", field) != field:
            continue
        if item.name == "a":
            value = item["data-value"]
        else:  # chosen by a filter typed into the query: not a link
            value = item.select_one(".facet-label").get_text().removesuffix(" 年")
        out[value] = (int(item.select_one(".facet-count").get_text()), "is-selected" in item["class"], item.get("href"))
    return out


def visible_text(element) -> str:
    """The element's text as seen on screen: without visually hidden parts and the × sign, spaces squeezed."""
    copy = BeautifulSoup(str(element), "html.parser")
    for hidden in copy.select(".visually-hidden, [aria-hidden=true]"):
        hidden.decompose()
    return " ".join(copy.get_text(" ").split())


def query_of(url: str) -> dict[str, list[str]]:
    """The parameters of a link."""
    return parse_qs(urlsplit(url).query)


# ---------------------------------------------------------------------------------------------- a server


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
        process = subprocess.Popen(
            [str(SEARCH), "--index-dir", str(index_dir), "serve", "--port", "0", *args],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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
