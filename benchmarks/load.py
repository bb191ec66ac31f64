"""Load test: many concurrent clients against a real `search serve` on loopback, optionally while
`search index` adds and changes articles.

    python benchmarks/load.py --index-dir /tmp/ix87k --clients 50 --seconds 60 \
        --update-corpus /work/shared/corpus/news_zh.jsonl.xz --out benchmarks/results/load

Starts the server itself on a free loopback port (`server_command`: the one place that says how), drives it
with a mix of searches, facet clicks, article pages and API calls, plus the worst-case queries
(`queries.WORST_CASES`: common characters, the landing page, page 1000, …) at 5% of requests, and reports
throughput, latency percentiles, errors, each kind of request's latency (the worst cases apart, also case by
case) and the server's RSS, with issue 16's targets (≥ 100 requests/s, p95 ≤ 1 s, no errors: for 50 clients
and `--workers 2` on the 87k index) marked met or missed. With
`--update-corpus`, a background `search index` adds new articles (each carrying a marker word) and changes
existing ones mid-run; the report says when the marker became searchable. Every request loop is bounded by
the deadline and a request timeout, and only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import lzma
import os
import pathlib
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import psutil

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from queries import QUERIES, WORST_CASES

SEARCH = pathlib.Path(sys.executable).with_name("search")
WORST_SHARE = 0.05  # of requests: a worst case, as a user would type it into the page
TARGETS = {"throughput_rps": 100, "p95_ms": 1000, "errors": 0}  # issue 16, 50 clients, 2 processes, 87k
ZONES = ["柳城", "凌源", "北票", "建平", "喀左", "朝阳经开区", "朝阳高新区"]
MARKER = "压测新增标记词"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(index_dir: str, port: int, threads: int, workers: int) -> list[str]:
    """How the server under test is started: the one place to change if the multi-process server does."""
    return [
        str(SEARCH),
        "--index-dir",
        index_dir,
        "serve",
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--workers",
        str(workers),
    ]


def start_server(index_dir: str, port: int, threads: int, workers: int = 1) -> subprocess.Popen:
    """The server (`server_command`) on 127.0.0.1:port, waiting until it answers."""
    log = open(pathlib.Path(tempfile.gettempdir()) / f"load-server-{port}.log", "wb")
    server = subprocess.Popen(server_command(index_dir, port, threads, workers), stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/search?q=%E5%BC%80%E5%8F%91%E5%8C%BA")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start: see {log.name}")


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """RSS of the server and its worker processes (pages they share, such as the mapped index, counted in each),
    and their PSS (a shared page counted once, in shares: the memory the server really takes)."""
    rss = pss = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            rss += p.memory_info().rss
            pss += getattr(p.memory_full_info(), "pss", 0)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return rss, pss


def query_text(spec) -> tuple[str, dict]:
    if isinstance(spec, dict):
        params = {"q": spec["q"]}
        if spec.get("year"):
            params["year"] = spec["year"]
        return spec["q"], params
    return spec, {"q": spec}


def worst_path(case: dict) -> str:
    """A worst case as the search page's URL (no words and no filter: the landing page)."""
    params = {k: v for k, v in (("q", case["q"]), ("year", case.get("year")), ("page", case.get("page"))) if v}
    return "/?" + urllib.parse.urlencode(params) if params else "/"


class Client(threading.Thread):
    """One user: a keep-alive connection sending a random mix of requests until the deadline."""

    def __init__(self, port: int, deadline: float, doc_ids: list[str], seed: int):
        super().__init__(daemon=True)
        self.port, self.deadline, self.doc_ids = port, deadline, doc_ids
        self.random = random.Random(seed)
        # (kind, worst case's label or "", HTTP status or 0 for no answer, seconds)
        self.samples: list[tuple[str, str, int, float]] = []

    def path(self) -> tuple[str, str, str]:
        """The next request: its kind, the worst case's label (or ""), its path."""
        r = self.random.random()
        if r < WORST_SHARE:
            case = self.random.choice(WORST_CASES)
            return "worst", case["label"], worst_path(case)
        kind, path = self.typical_path((r - WORST_SHARE) / (1 - WORST_SHARE))
        return kind, "", path

    def typical_path(self, r: float) -> tuple[str, str]:
        """The mix of issue 7's load test, `r` uniform in [0, 1)."""
        _, params = query_text(self.random.choice(QUERIES))
        if r < 0.45:
            return "search", "/?" + urllib.parse.urlencode(params)
        if r < 0.65:
            params = {**params, "zone": self.random.choice(ZONES)}
            if self.random.random() < 0.5:
                params["page"] = self.random.randint(1, 3)
            return "facet", "/?" + urllib.parse.urlencode(params)
        if r < 0.80:
            doc = self.random.choice(self.doc_ids)
            return "article", f"/doc/{urllib.parse.quote(doc)}?" + urllib.parse.urlencode({"q": params["q"]})
        if r < 0.95:
            return "api", "/api/search?" + urllib.parse.urlencode(params)
        return "api-doc", f"/api/doc/{urllib.parse.quote(self.random.choice(self.doc_ids))}"

    def run(self) -> None:
        conn = None
        while time.monotonic() < self.deadline:
            kind, label, path = self.path()
            started = time.perf_counter()
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn = None
            self.samples.append((kind, label, status, time.perf_counter() - started))


def sample_doc_ids(port: int, n: int = 200) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ids: list[str] = []
    for spec in QUERIES:
        _, params = query_text(spec)
        conn.request("GET", "/api/search?" + urllib.parse.urlencode({**params, "per_page": 20}))
        ids += [h["id"] for h in json.loads(conn.getresponse().read())["hits"]]
        if len(ids) >= n:
            break
    return ids or ["missing"]


def write_updates(corpus: str, folder: pathlib.Path, changed_ids: list[str], new: int) -> pathlib.Path:
    """A JSONL file of `new` new articles carrying MARKER, plus changed copies of `changed_ids`' articles
    (taken from the corpus itself, so nothing of it leaves the temporary folder)."""
    path = folder / "updates.jsonl"
    wanted = set(changed_ids)
    with (
        lzma.open(corpus, "rt", encoding="utf-8") if corpus.endswith(".xz") else open(corpus, encoding="utf-8") as src,
        path.open("w", encoding="utf-8") as out,
    ):
        made = 0
        for line in src:
            record = json.loads(line)
            if record["id"] in wanted:
                record["body"] += "\n\n（本文已更新。）"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                wanted.discard(record["id"])
            elif made < new and random.random() < 0.01:
                record["id"] = f"load-new-{made}"
                record["body"] = f"{MARKER}。" + record["body"]
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                made += 1
            if made >= new and not wanted:
                break
    return path


def loadavg() -> list[float]:
    """The machine's load average (1, 5, 15 min): it is shared, so the report says how busy it was."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


def marker_hits(port: int) -> int:
    """How many new articles the server finds; -1 when it does not answer within the timeout."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": f'"{MARKER}"'}))
        return json.loads(conn.getresponse().read())["total"]
    except (OSError, http.client.HTTPException):
        return -1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--workers", type=int, default=1, help="server processes (`search serve --workers`)")
    parser.add_argument("--update-corpus", help="JSONL corpus to take added/changed articles from")
    parser.add_argument("--new-articles", type=int, default=200)
    parser.add_argument("--out", help="write OUT.json and OUT.md")
    args = parser.parse_args(argv)

    load_before = loadavg()
    work = pathlib.Path(tempfile.mkdtemp(prefix="load-"))
    index_dir = args.index_dir
    if args.update_corpus:  # updates write to a copy, so the benchmark index stays as it was
        index_dir = str(work / "index")
        shutil.copytree(args.index_dir, index_dir)
    port = free_port()
    server = start_server(index_dir, port, args.threads, args.workers)
    proc = psutil.Process(server.pid)
    rss = [_tree_rss(proc)]
    doc_ids = sample_doc_ids(port)
    updater, update_log = None, {}
    deadline = time.monotonic() + args.seconds
    clients = [Client(port, deadline, doc_ids, seed) for seed in range(args.clients)]
    started = time.monotonic()
    try:
        for client in clients:
            client.start()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            rss.append(_tree_rss(proc))
            elapsed = time.monotonic() - started
            if args.update_corpus and updater is None and elapsed > args.seconds / 4:
                updates = write_updates(args.update_corpus, work, doc_ids[:20], args.new_articles)
                update_log["started_s"] = round(time.monotonic() - started, 1)
                updater = subprocess.Popen(
                    [str(SEARCH), "--index-dir", index_dir, "index", str(updates), "--quiet"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            if updater is not None and "committed_s" not in update_log and updater.poll() is not None:
                update_log["committed_s"] = round(time.monotonic() - started, 1)
                update_log["exit"] = updater.returncode
                update_log["stderr"] = updater.stderr.read().decode(errors="replace")[-500:]
            if "committed_s" in update_log and "visible_s" not in update_log and marker_hits(port) > 0:
                update_log["visible_s"] = round(time.monotonic() - started, 1)
        for client in clients:
            client.join(timeout=60)
        if args.update_corpus:
            update_log["marker_hits_at_end"] = marker_hits(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)

    samples = [s for c in clients for s in c.samples]
    latencies = [t * 1000 for _, _, _, t in samples]
    errors = [s for s in samples if s[2] != 200]

    def figures(times_s: list[float], statuses: list[int]) -> dict:
        times = [t * 1000 for t in times_s]
        return {
            "requests": len(times),
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "max_ms": round(max(times, default=0.0), 1),
            "errors": sum(s != 200 for s in statuses),
        }

    by_kind = {
        kind: figures([t for k, _, _, t in samples if k == kind], [s for k, _, s, _ in samples if k == kind])
        for kind in sorted({k for k, _, _, _ in samples})
    }
    by_worst_case = {
        case["label"]: figures(
            [t for _, label, _, t in samples if label == case["label"]],
            [s for _, label, s, _ in samples if label == case["label"]],
        )
        for case in WORST_CASES
    }
    report = {
        "clients": args.clients,
        "seconds": args.seconds,
        "threads": args.threads,
        "workers": args.workers,
        "server_command": " ".join(server_command(index_dir, port, args.threads, args.workers)),
        "worst_share": WORST_SHARE,
        "requests": len(samples),
        "throughput_rps": round(len(samples) / args.seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "errors": len(errors),
        "error_statuses": sorted({s for _, _, s, _ in errors}),
        "server_rss_mb": {"start": round(rss[0][0] / 2**20), "peak": round(max(r for r, _ in rss) / 2**20)},
        "server_pss_mb": {"start": round(rss[0][1] / 2**20), "peak": round(max(p for _, p in rss) / 2**20)},
        "by_kind": by_kind,
        "by_worst_case": by_worst_case,
        "update": update_log,
        "load_before": load_before,
        "load_after": loadavg(),
    }
    report["targets"] = {
        "throughput_rps": report["throughput_rps"] >= TARGETS["throughput_rps"],
        "p95_ms": report["p95_ms"] <= TARGETS["p95_ms"],
        "errors": report["errors"] <= TARGETS["errors"],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.out:
        pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.out + ".json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        pathlib.Path(args.out + ".md").write_text(markdown(report), encoding="utf-8")


def markdown(r: dict) -> str:
    met = {k: "✅" if v else "❌" for k, v in r["targets"].items()}
    lines = [
        f"Load test: {r['clients']} clients for {r['seconds']:.0f} s, {r.get('workers', 1)} server process(es) "
        f"with {r['threads']} waitress threads each (`{r['server_command']}`); worst-case queries are "
        f"{r['worst_share']:.0%} of requests. Targets (issue 16, for 50 clients and 2 processes on the 87k "
        f"index): ≥ {TARGETS['throughput_rps']} requests/s, p95 ≤ {TARGETS['p95_ms']} ms, "
        f"{TARGETS['errors']} errors. Load average before/after: {r['load_before']} / {r['load_after']}.",
        "",
        "| requests | throughput | p50 | p95 | p99 | errors | server RSS start → peak | server PSS start → peak |",
        "|---|---|---|---|---|---|---|---|",
        f"| {r['requests']} | {r['throughput_rps']} req/s {met['throughput_rps']} | {r['p50_ms']} ms | "
        f"{r['p95_ms']} ms {met['p95_ms']} | {r['p99_ms']} ms | {r['errors']} {met['errors']} | "
        f"{r['server_rss_mb']['start']} → {r['server_rss_mb']['peak']} MB | "
        f"{r['server_pss_mb']['start']} → {r['server_pss_mb']['peak']} MB |",
        "",
        "RSS counts the pages the processes share (the memory-mapped index above all) in each process; PSS "
        "counts a shared page once, in shares: the memory the server takes.",
        "",
        "| kind | requests | p50 | p95 | p99 | max | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, v: dict) -> str:
        return (
            f"| {name} | {v['requests']} | {v['p50_ms']} ms | {v['p95_ms']} ms | {v['p99_ms']} ms | "
            f"{v['max_ms']} ms | {v['errors']} |"
        )

    lines += [row(k, v) for k, v in r["by_kind"].items()]
    lines += [
        "",
        "Worst-case requests, case by case (the web page, as typed):",
        "",
        "| worst case | requests | p50 | p95 | p99 | max | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [row(k, v) for k, v in r["by_worst_case"].items() if v["requests"]]
    if r["update"]:
        u = r["update"]
        lines += [
            "",
            f"Update under load: `search index` started at {u.get('started_s')} s, committed at "
            f"{u.get('committed_s')} s (exit {u.get('exit')}), new articles searchable at "
            f"{u.get('visible_s')} s; {u.get('marker_hits_at_end')} new articles found at the end.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
