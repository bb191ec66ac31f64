"""Benchmark our engine against the naive baseline on a JSON Lines corpus, and write the report.

Usage::

    python benchmarks/run.py /work/shared/corpus/news_zh.jsonl.xz               # every article
    python benchmarks/run.py CORPUS --docs 5000 --out /tmp/bench5k               # the first 5,000
    python benchmarks/run.py CORPUS --docs 1000 --quick --out /tmp/smoke         # CI's smoke run

Measured, for ours and for the naive baseline (``benchmarks/naive.py``) in the same run, so the report
gives ratios:

* index build: wall time, articles/s, input MB/s (title + body, UTF-8), peak RSS of the build's whole
  process tree (workers included; sampled every 50 ms), index size on disk;
* warm query latency p50/p95/p99 over the typical query set (``benchmarks/queries.py``), each query
  returning the top 10 with snippets (highlights) and every facet count, on an open index after one untimed
  pass;
* the worst cases (``queries.WORST_CASES``, run by ``benchmarks/worst.py``), each timed warm, median and
  max, with its total and whether the answer was partial; each case bounded in time;
* cold start: ``search --json QUERY`` as a new process on the built index (the naive baseline: a new
  process that opens its index and runs one full query), and ``search --help``;
* incremental update: one changed article indexed into the built index (``search index FILE``, a new
  process).

Each phase runs in a fresh process. The corpus is read in place; for ``--docs N`` its first N records are
streamed once into a temporary file (under ``--workdir``, deleted at the end) that both engines read, so
they index the same input. Results (``OUT.json`` and ``OUT.md``) hold figures and the benchmark's own
query strings only, never corpus text.
"""

from __future__ import annotations

import argparse
import datetime
import json
import lzma
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import worst  # noqa: E402  (after the path above)
from benchmarks.queries import WORST_QUICK  # noqa: E402

# The targets (2-core machine, full corpus): issue 16's for build, size and queries, issue 7's for cold
# start, help and incremental updates.
TARGETS = {
    "build_ratio": 0.25,  # ours' build wall time ≤ 0.25 × the baseline's, in the same run
    "build_peak_rss_mb": 1024,
    "index_size_ratio": 2.0,  # ours' index on disk ≤ 2 × the baseline's
    "query_p50_ms": 10,  # the typical set (queries.QUERIES)
    "query_p95_ms": 30,
    "worst_ms": worst.TARGET_MS,  # every worst case (queries.WORST_CASES): its slowest run, complete answers
    "cold_query_s": 0.8,
    "help_s": 0.3,
    "incremental_s": 2.0,
}
# Cold-start queries: a common word, a phrase, a two-word AND, a very common word, a rare word.
COLD_QUERIES = ["经济", '"高质量发展"', "人工智能 芯片", "发展", "喀左"]
RSS_INTERVAL_S = 0.05


# --------------------------------------------------------------------------- running phases


def _tree_memory(proc) -> tuple[int, int]:
    """The resident memory of `proc` and its descendants, summed: RSS (what each process has resident: pages
    that forked workers share with their parent are counted in each) and PSS (each shared page divided among
    the processes sharing it: the memory the machine gives them)."""
    import psutil

    rss = pss = 0
    try:
        processes = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return rss, pss
    for p in processes:
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += info.pss
    return rss, pss


def run_phase(args: Sequence[str], timeout: float | None = None) -> dict:
    """Run `run.py --phase ...` in a new process; its JSON result plus the process tree's peak RSS and the
    process's wall time as seen from here."""
    import psutil

    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), *args]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    ps = psutil.Process(proc.pid)
    peak = peak_pss = 0
    while proc.poll() is None:
        rss, pss = _tree_memory(ps)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        try:
            proc.wait(timeout=RSS_INTERVAL_S)
        except subprocess.TimeoutExpired:
            pass
        if timeout and time.perf_counter() - started > timeout:
            proc.kill()
            raise RuntimeError(f"phase {args[:2]} timed out after {timeout} s")
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"phase {' '.join(args[:2])} failed ({proc.returncode}):\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    if err.strip():
        result["stderr"] = err.strip()[-3000:]
    result["process_wall_s"] = round(wall, 3)
    result["peak_rss_mb"] = round(peak / 2**20, 1)
    result["peak_pss_mb"] = round(peak_pss / 2**20, 1)
    return result


def time_command(cmd: Sequence[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    return time.perf_counter() - started, done


def search_command() -> list[str]:
    """The installed `search` console script beside this interpreter, else the same entry point via -c."""
    script = pathlib.Path(sys.executable).with_name("search")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from indexer.cli import main; main()"]


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# --------------------------------------------------------------------------- phases (child processes)


def phase_naive_build(opts) -> dict:
    from benchmarks import naive

    return naive.build(opts.input, opts.docs, opts.index)


def phase_ours_build(opts) -> dict:
    started = time.perf_counter()
    from indexer import index

    report = index.update(opts.index, [opts.input], rebuild=True, wait=0)
    wall = time.perf_counter() - started
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(opts.index)
    # From the table of contents: a reader would open (and Whoosh copy into memory) every segment file,
    # which is no part of the build.
    segments = ix._segments()
    doc_count = sum(s.doc_count() for s in segments)
    segments = len(segments)
    return {
        "wall_s": round(wall, 2),
        "added": len(report.added),
        "skipped": len(report.skipped),
        "doc_count": doc_count,
        "segments": segments,
        "index_mb": round(_dir_size(opts.index) / 1e6, 2),
    }


def _specs() -> list[dict]:
    from benchmarks import naive
    from benchmarks.queries import QUERIES

    return naive.query_specs(QUERIES)


def phase_naive_query(opts) -> dict:
    from benchmarks import naive
    from benchmarks.queries import QUERIES

    result = naive.query(opts.index, QUERIES, repeats=opts.repeats)
    result.pop("peak_rss_mb", None)
    return result


def phase_ours_query(opts) -> dict:
    from benchmarks import naive
    from indexer import search
    from indexer.query import Filters

    specs = _specs()
    started = time.perf_counter()
    index = search.Index(opts.index)
    open_s = time.perf_counter() - started

    def run(spec):
        filters = Filters()
        for facet in ("zone", "year"):
            if spec.get(facet):
                filters.add(facet, spec[facet])
        return search.search(index, spec["q"], filters)

    started = time.perf_counter()
    per_query = []
    for spec in specs:
        t = time.perf_counter()
        results = run(spec)
        per_query.append(
            {
                **spec,
                "hits": results.total,
                "first_ms": round((time.perf_counter() - t) * 1000, 2),
                "facet_values": sum(len(v) for v in results.facets.values()),
            }
        )
    warmup_s = time.perf_counter() - started
    samples: list[list[float]] = [[] for _ in specs]
    for _ in range(opts.repeats):
        for i, spec in enumerate(specs):
            t = time.perf_counter()
            run(spec)
            samples[i].append((time.perf_counter() - t) * 1000)
    every = [ms for per in samples for ms in per]
    for entry, per in zip(per_query, samples):
        entry["full_ms"] = round(statistics.median(per), 2)
    index.close()
    return {
        "queries": len(specs),
        "repeats": opts.repeats,
        "open_s": round(open_s, 3),
        "warmup_s": round(warmup_s, 2),
        "latency": naive.latency_summary(every),
        "zero_hit_queries": [naive.spec_label(e) for e in per_query if e["hits"] == 0],
        "per_query": per_query,
    }


def phase_naive_cold(opts) -> dict:
    """One full query (parse, top 10, highlights, facets) in this new process, on the naive index."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import AndGroup, MultifieldParser

    from benchmarks import naive

    ix = whoosh_index.open_dir(opts.index)
    with ix.searcher() as searcher:
        parser = MultifieldParser(list(naive.SEARCH_FIELDS), ix.schema, group=AndGroup)
        _, results, _ = naive.run_one(searcher, parser, {"q": opts.query}, highlights=True, facets=True)
        return {"hits": len(results)}


def phase_ours_incremental(opts) -> dict:
    """update() with one changed article, timed inside this process (no interpreter start-up)."""
    started = time.perf_counter()
    from indexer import index

    report = index.update(opts.index, [opts.input], wait=10)
    return {
        "wall_s": round(time.perf_counter() - started, 3),
        "summary": report.summary(),
        "updated": len(report.updated),
        "added": len(report.added),
    }


PHASES = {
    "naive-build": phase_naive_build,
    "ours-build": phase_ours_build,
    "naive-query": phase_naive_query,
    "ours-query": phase_ours_query,
    "naive-cold": phase_naive_cold,
    "ours-incremental": phase_ours_incremental,
}


# --------------------------------------------------------------------------- the input


def _dir_size(path) -> int:
    return sum(f.stat().st_size for f in pathlib.Path(path).rglob("*") if f.is_file())


def _open(path: pathlib.Path):
    if path.name.endswith(".xz"):
        return lzma.open(path, "rb")
    return open(path, "rb")


def prepare_input(corpus: pathlib.Path, docs: int | None, workdir: pathlib.Path) -> tuple[pathlib.Path, dict]:
    """The file both engines index: the corpus itself (every record), or its first `docs` records streamed
    into a temporary file. Also what the input holds: records, title + body bytes."""
    records = text_bytes = 0
    target = corpus if not docs else workdir / "input.jsonl"
    out = open(target, "wb") if docs else None
    try:
        with _open(corpus) as lines:
            for line in lines:
                if docs and records >= docs:
                    break
                if not line.strip():
                    continue
                record = json.loads(line)
                records += 1
                text_bytes += len((record.get("title") or "").encode()) + len((record.get("body") or "").encode())
                if out:
                    out.write(line if line.endswith(b"\n") else line + b"\n")
    finally:
        if out:
            out.close()
    return target, {"records": records, "input_mb": round(text_bytes / 1e6, 2)}


def changed_article(corpus_input: pathlib.Path, workdir: pathlib.Path) -> pathlib.Path:
    """A one-line JSONL file: the input's first article with a sentence added (same id)."""
    with _open(corpus_input) as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                break
    record["body"] = record["body"] + "\n本文于基准测试中作了一处修改。"
    path = workdir / "changed.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- report


def _ratio(a, b) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _met(value, limit) -> bool | None:
    return None if value is None or limit is None else value <= limit


def assess(result: dict) -> list[dict]:
    """Each target: ours, the baseline, the ratio, the limit, met or not."""
    ours, naive = result["ours"], result.get("naive") or {}
    ob, nb = ours["build"], naive.get("build", {})
    oq, nq = ours["query"]["latency"], naive.get("query", {}).get("latency", {})
    rows = []

    def row(name, unit, o, n, limit, limit_text, value_for_limit=None):
        value = o if value_for_limit is None else value_for_limit
        rows.append(
            {
                "metric": name,
                "unit": unit,
                "ours": o,
                "naive": n,
                "ratio": _ratio(o, n),
                "target": limit_text,
                "met": _met(value, limit),
            }
        )

    build_limit = TARGETS["build_ratio"] * nb["wall_s"] if nb.get("wall_s") else None
    row("build wall time", "s", ob["wall_s"], nb.get("wall_s"), build_limit, f"≤ {TARGETS['build_ratio']}× naive")
    row("build throughput", "articles/s", ob["articles_per_s"], nb.get("articles_per_s"), None, "")
    row("build input throughput", "MB/s", ob["input_mb_per_s"], nb.get("input_mb_per_s"), None, "")
    row(
        "build peak RSS (all processes)",
        "MB",
        ob["peak_rss_mb"],
        nb.get("peak_rss_mb"),
        TARGETS["build_peak_rss_mb"],
        f"≤ {TARGETS['build_peak_rss_mb']} MB",
    )
    row("build peak PSS (shared pages counted once)", "MB", ob.get("peak_pss_mb"), nb.get("peak_pss_mb"), None, "")
    size_limit = TARGETS["index_size_ratio"] * nb["index_mb"] if nb.get("index_mb") else None
    row(
        "index size on disk",
        "MB",
        ob["index_mb"],
        nb.get("index_mb"),
        size_limit,
        f"≤ {TARGETS['index_size_ratio']:g}× naive",
    )
    row(
        "query p50 (top 10 + snippets + facets)",
        "ms",
        oq["p50_ms"],
        nq.get("p50_ms"),
        TARGETS["query_p50_ms"],
        f"≤ {TARGETS['query_p50_ms']} ms",
    )
    row(
        "query p95 (top 10 + snippets + facets)",
        "ms",
        oq["p95_ms"],
        nq.get("p95_ms"),
        TARGETS["query_p95_ms"],
        f"≤ {TARGETS['query_p95_ms']} ms",
    )
    row("query p99 (top 10 + snippets + facets)", "ms", oq["p99_ms"], nq.get("p99_ms"), None, "")
    if ours.get("worst"):
        ow, nw = worst.summary(ours["worst"]), worst.summary(naive["worst"]) if naive.get("worst") else {}
        rows.append(
            {
                "metric": f"worst cases ≤ {TARGETS['worst_ms']} ms with exact totals",
                "unit": "cases",
                "ours": f"{ow['met']} of {ow['cases']}",
                "naive": f"{nw['met']} of {nw['cases']}" if nw else None,
                "ratio": None,
                "target": f"all {ow['cases']}",
                "met": ow["met"] == ow["cases"],
            }
        )
        # "> 60 s" where a case was stopped: no ratio then
        o_slow, n_slow = ow["slowest"], nw.get("slowest")
        numeric = isinstance(o_slow, float) and isinstance(n_slow, float)
        rows.append(
            {
                "metric": "worst case: slowest run of the slowest case",
                "unit": "ms",
                "ours": o_slow,
                "naive": n_slow,
                "ratio": _ratio(o_slow, n_slow) if numeric else None,
                "target": f"≤ {TARGETS['worst_ms']} ms each (table below)",
                "met": None,
            }
        )
    oc, nc = ours["cold"], naive.get("cold", {})
    row(
        "cold query, new process (median)",
        "s",
        oc["query_median_s"],
        nc.get("query_median_s"),
        TARGETS["cold_query_s"],
        f"≤ {TARGETS['cold_query_s']} s",
    )
    row("cold query, new process (worst)", "s", oc["query_max_s"], nc.get("query_max_s"), None, "")
    row("`search --help` (median)", "s", oc["help_median_s"], None, TARGETS["help_s"], f"≤ {TARGETS['help_s']} s")
    inc = ours.get("incremental")
    if inc:
        row(
            "incremental update, 1 changed article (new process)",
            "s",
            inc["process_s"],
            None,
            TARGETS["incremental_s"],
            f"≤ {TARGETS['incremental_s']} s",
        )
        row("incremental update, 1 changed article (update() call)", "s", inc["update_s"], None, None, "")
    return rows


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 1 else f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown(result: dict) -> str:
    meta = result["meta"]
    lines = [
        f"# Benchmark: ours vs naive Whoosh + jieba ({meta['docs']:,} articles)",
        "",
        f"Corpus `{meta['corpus']}`, first {meta['docs']:,} records ({meta['input_mb']} MB of title + body); "
        f"{meta['cpus']} CPUs; Python {meta['python']}; run {meta['date']} at commit `{meta['commit']}`; "
        f"{meta['repeats']} timed passes over {result['ours']['query']['queries']} typical queries; "
        f"load average before/after: {meta['load_before']} / {meta['load_after']}.",
        "",
        "| metric | unit | ours | naive | ours/naive | target | met |",
        "|---|---|---:|---:|---:|---|:-:|",
    ]
    for r in result["assessment"]:
        met = "" if r["met"] is None else "✅" if r["met"] else "❌"
        lines.append(
            f"| {r['metric']} | {r['unit']} | {_fmt(r['ours'])} | {_fmt(r['naive'])} | "
            f"{_fmt(r['ratio'])} | {r['target']} | {met} |"
        )
    naive = result.get("naive")
    if naive:
        lines += [
            "",
            "Naive baseline p95 by mode (ms): "
            + ", ".join(f"{mode} {v}" for mode, v in naive["query"]["p95_ms_by_mode"].items())
            + ".",
        ]
    if result["ours"].get("worst"):
        lines += [
            "",
            "## Worst cases",
            "",
            f"Each case warm (one untimed run first), then timed {meta['worst_repeats']}× (fewer when a run "
            f"takes longer than the {meta['case_limit_s']:g} s limit; a case whose untimed run exceeds it is "
            f"stopped); the page's 10 hits with snippets and every facet count. Met: the slowest timed run "
            f"≤ {TARGETS['worst_ms']} ms, the answer complete (not partial) and its total the same in "
            f"every run.",
            "",
            *worst.markdown(result["ours"]["worst"], (naive or {}).get("worst")),
            "",
            "The baseline: jieba's analyzer drops 的, 了 and 和 as stop words (so `的` finds nothing and "
            "`的 是` is `是`), and single characters match only where jieba left them as words; with no "
            "date field it browses newest year first (`Every()` sorted by year).",
        ]
    ob = result["ours"]["build"]
    lines += [
        "",
        f"Ours: {ob['doc_count']:,} documents in {ob['segments']} segment(s); "
        f"zero-hit queries: {', '.join(result['ours']['query']['zero_hit_queries']) or 'none'}.",
    ]
    if naive:
        lines += [f"Naive: zero-hit queries: {', '.join(naive['query']['zero_hit_queries']) or 'none'}."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "indexer", "benchmarks"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except OSError:
        return "unknown"


def cold_starts(index_dir: pathlib.Path, rounds: int, naive_index: pathlib.Path | None) -> tuple[dict, dict]:
    search = search_command()
    # As installed: byte-code caches written and used (pip compiles what it installs), the OS's file cache
    # warm (one untimed run of each command first). Cold means a new process.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    ours_q, helps, naive_q = [], [], []
    queries = COLD_QUERIES if rounds > 1 else COLD_QUERIES[:2]
    time_command([*search, "--index-dir", str(index_dir), queries[0], "--json"], env)
    time_command([*search, "--help"], env)

    def naive_cold(query: str) -> list[str]:
        """The command of a cold query to the baseline: this script in a new process."""
        here = str(pathlib.Path(__file__).resolve())
        return [sys.executable, here, "--phase", "naive-cold", "--index", str(naive_index), "--query", query]

    if naive_index is not None:
        time_command(naive_cold(queries[0]), env)
    for _ in range(rounds):
        for q in queries:
            seconds, done = time_command([*search, "--index-dir", str(index_dir), q, "--json"], env)
            if done.returncode != 0:
                raise RuntimeError(f"search {q!r} failed: {done.stderr[-2000:]}")
            json.loads(done.stdout)
            ours_q.append(seconds)
            if naive_index is not None:
                seconds, done = time_command(naive_cold(q), env)
                if done.returncode != 0:
                    raise RuntimeError(f"naive cold query {q!r} failed: {done.stderr[-2000:]}")
                naive_q.append(seconds)
        seconds, done = time_command([*search, "--help"], env)
        if done.returncode != 0:
            raise RuntimeError(f"search --help failed: {done.stderr[-2000:]}")
        helps.append(seconds)

    def summary(samples):
        return (
            {
                "query_median_s": round(statistics.median(samples), 3),
                "query_max_s": round(max(samples), 3),
                "runs": len(samples),
            }
            if samples
            else {}
        )

    ours = {**summary(ours_q), "help_median_s": round(statistics.median(helps), 3), "help_max_s": round(max(helps), 3)}
    return ours, summary(naive_q)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", help="JSON Lines corpus (.jsonl or .jsonl.xz)")
    parser.add_argument("--docs", type=int, default=0, help="index the first N articles (default: all)")
    parser.add_argument(
        "--out",
        default=str(HERE / "results" / "latest"),
        help="write OUT.json and OUT.md (default: benchmarks/results/latest)",
    )
    parser.add_argument(
        "--workdir",
        help="where the indexes are built (default: a new folder under the "
        "system's temporary folder, removed at the end)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (indexes, input slice)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes over the query set")
    parser.add_argument("--cold-rounds", type=int, default=3, help="rounds over the cold-start queries")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 timed pass, 1 cold round, 7 of the worst cases with a 20 s limit",
    )
    parser.add_argument("--worst-repeats", type=int, help="timed runs of each worst case (default: --repeats)")
    parser.add_argument(
        "--case-limit",
        type=float,
        default=60.0,
        help="seconds a worst case's untimed run may take before it is stopped (default 60)",
    )
    parser.add_argument(
        "--worst-budget",
        type=float,
        default=1200.0,
        help="seconds each engine's worst cases may take in all; the rest are skipped (1200)",
    )
    parser.add_argument("--no-worst", action="store_true", help="skip the worst cases (development only)")
    parser.add_argument("--no-naive", action="store_true", help="skip the baseline (development only)")
    # Internal: run one phase in this process and print its JSON.
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--query", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)

    if opts.phase:
        result = PHASES[opts.phase](opts)
        print(json.dumps(result, ensure_ascii=False))
        return 0
    if not opts.corpus:
        parser.error("the corpus path is required")
    corpus = pathlib.Path(opts.corpus)
    if not corpus.is_file():
        parser.error(f"no such corpus file: {corpus}")
    worst_cases = worst.select()
    if opts.quick:
        opts.repeats, opts.cold_rounds = 1, 1
        opts.case_limit, opts.worst_budget = min(opts.case_limit, 20.0), min(opts.worst_budget, 120.0)
        worst_cases = worst.select(WORST_QUICK)
    opts.worst_repeats = opts.worst_repeats or opts.repeats

    own_workdir = opts.workdir is None
    workdir = pathlib.Path(opts.workdir or tempfile.mkdtemp(prefix="chaoyang-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        load_before = loadavg()
        log(f"preparing the input ({opts.docs or 'all'} articles) in {workdir}")
        source, info = prepare_input(corpus, opts.docs, workdir)
        docs = info["records"]
        ours_ix, naive_ix = workdir / "ours", workdir / "naive"
        for path in (ours_ix, naive_ix):
            shutil.rmtree(path, ignore_errors=True)
        result: dict[str, Any] = {"ours": {}, "naive": None}

        def throughput(build: dict) -> None:
            build["articles_per_s"] = round(docs / build["wall_s"], 1)
            build["input_mb"] = info["input_mb"]
            build["input_mb_per_s"] = round(info["input_mb"] / build["wall_s"], 3)

        if not opts.no_naive:
            log("naive: building")
            nb = run_phase(
                ["--phase", "naive-build", "--input", str(source), "--index", str(naive_ix), "--docs", str(docs)]
            )
            nb["load_after"] = loadavg()
            result["naive"] = {"build": nb}
            log(f"naive: built in {nb['wall_s']} s, peak RSS {nb['peak_rss_mb']} MB")
        log("ours: building")
        ob = run_phase(["--phase", "ours-build", "--input", str(source), "--index", str(ours_ix)])
        ob["load_after"] = loadavg()
        throughput(ob)
        if ob["doc_count"] != docs - ob["skipped"]:
            raise RuntimeError(f"ours indexed {ob['doc_count']} documents of {docs} (skipped {ob['skipped']})")
        result["ours"]["build"] = ob
        # Beside the index, for `scale.py --index-dir WORKDIR/ours` (with --keep): its build figures.
        (workdir / "ours.build.json").write_text(json.dumps(ob) + "\n", encoding="utf-8")
        log(f"ours: built in {ob['wall_s']} s, peak RSS {ob['peak_rss_mb']} MB, {ob['segments']} segment(s)")

        if result["naive"]:
            log("naive: querying")
            nq = run_phase(["--phase", "naive-query", "--index", str(naive_ix), "--repeats", str(opts.repeats)])
            result["naive"]["query"] = nq
            log(f"naive: p95 {nq['latency']['p95_ms']} ms")
        log("ours: querying")
        oq = run_phase(["--phase", "ours-query", "--index", str(ours_ix), "--repeats", str(opts.repeats)])
        result["ours"]["query"] = oq
        log(f"ours: p50 {oq['latency']['p50_ms']} ms, p95 {oq['latency']['p95_ms']} ms")

        if not opts.no_worst:
            for engine, index_dir in (("naive", naive_ix), ("ours", ours_ix)):
                if engine == "naive" and not result["naive"]:
                    continue
                log(f"{engine}: {len(worst_cases)} worst cases")
                result[engine]["worst"] = worst.run_cases(
                    engine, index_dir, worst_cases, opts.worst_repeats, opts.case_limit, opts.worst_budget, log
                )

        log("cold starts")
        ours_cold, naive_cold = cold_starts(ours_ix, opts.cold_rounds, None if opts.no_naive else naive_ix)
        result["ours"]["cold"] = ours_cold
        if result["naive"]:
            result["naive"]["cold"] = naive_cold
        log(f"cold: ours {ours_cold['query_median_s']} s, --help {ours_cold['help_median_s']} s")

        log("incremental update of one changed article")
        changed = changed_article(source, workdir)
        seconds, done = time_command([*search_command(), "--index-dir", str(ours_ix), "index", str(changed), "--quiet"])
        if done.returncode != 0:
            raise RuntimeError(f"search index failed: {done.stderr[-2000:]}")
        (workdir / "changed.jsonl").write_text(
            (workdir / "changed.jsonl").read_text(encoding="utf-8").replace("作了一处修改", "又作了一处修改"),
            encoding="utf-8",
        )
        inc = run_phase(["--phase", "ours-incremental", "--input", str(changed), "--index", str(ours_ix)])
        if inc["updated"] != 1:
            raise RuntimeError(f"the incremental update did not update one article: {inc['summary']}")
        result["ours"]["incremental"] = {
            "process_s": round(seconds, 3),
            "update_s": inc["wall_s"],
            "update_process_s": inc["process_wall_s"],
            "peak_rss_mb": inc["peak_rss_mb"],
        }
        log(f"incremental: {seconds:.2f} s as a new process, {inc['wall_s']} s in update()")

        result["meta"] = {
            "corpus": corpus.name,
            "docs": docs,
            "input_mb": info["input_mb"],
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "repeats": opts.repeats,
            "cold_rounds": opts.cold_rounds,
            "load_before": load_before,
            "worst_repeats": opts.worst_repeats,
            "case_limit_s": opts.case_limit,
            "worst_budget_s": opts.worst_budget,
            "load_after": loadavg(),
            "total_s": round(time.perf_counter() - started, 1),
        }
        result["targets"] = TARGETS
        result["assessment"] = assess(result)
        out = pathlib.Path(opts.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
        log(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}")
        print(markdown(result))
        return 0
    finally:
        if own_workdir and not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif opts.docs and not opts.keep:
            # never leave corpus text behind: the input slice and the changed article
            for name in ("input.jsonl", "changed.jsonl"):
                try:
                    (workdir / name).unlink()
                except FileNotFoundError:
                    pass


if __name__ == "__main__":
    sys.exit(main())
