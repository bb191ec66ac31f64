"""How our engine's cost grows with the archive: build time, index size, peak RSS and query latency at
several sizes, written as a markdown table and JSON.

Usage::

    python benchmarks/scale.py /work/shared/corpus/news_zh.jsonl.xz                        # 10k, 30k, all, 4×
    python benchmarks/scale.py CORPUS --sizes 10000,30000                                   # one or a few sizes
    python benchmarks/scale.py CORPUS --sizes 4x --workdir /tmp/scale --keep                # keep the index …
    python benchmarks/scale.py CORPUS --sizes 4x --workdir /tmp/scale --reuse               # … and re-query it
    python benchmarks/scale.py CORPUS --base 2000 --sizes 2000,2x --out /tmp/scale-smoke    # a smoke run

A size is a number of articles, ``all`` (the whole base) or ``Nx`` (N times the base). The base is the
corpus's first ``--base`` records (default: all of them). Sizes beyond the base are SYNTHETIC: the base
again and again, each repeat's ids suffixed ``-r1``, ``-r2``, … so that every article is distinct; the
report says so. Only our engine is measured (the baseline's figures are in ``run.py``'s report).

Per size, each in a fresh process: the build (``index.update(..., rebuild=True)``; wall time, the process
tree's peak RSS, the index's size on disk), then the typical query set's p50/p95 (``run.py``'s query phase,
top 10 + snippets + every facet count, warm), then every worst case (``worst.py``, warm; their slowest
timed run). The input slice and the index live under ``--workdir`` and are deleted after each size
unless ``--keep``. Results accumulate in ``OUT.json`` (one row per size, replaced when measured again)
and ``OUT.md`` is rewritten from all of them, so sizes can be run one at a time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import run as bench, worst  # noqa: E402  (after the path above)

DEFAULT_SIZES = "10000,30000,all,4x"
ONE_MILLION = 1_000_000


def count_records(corpus: pathlib.Path) -> int:
    """Non-blank lines of the corpus."""
    with bench._open(corpus) as lines:
        return sum(1 for line in lines if line.strip())


def parse_sizes(text: str, base: int) -> list[int]:
    """`10000,all,4x` → article counts, in the order given, without repeats."""
    sizes: list[int] = []
    for token in (t.strip().lower() for t in text.split(",") if t.strip()):
        if token == "all":
            n = base
        elif token.endswith("x"):
            n = round(float(token[:-1]) * base)
        else:
            n = int(token)
        if n < 1:
            raise ValueError(f"a size must be at least 1 article: {token}")
        if n not in sizes:
            sizes.append(n)
    return sizes


def write_slice(corpus: pathlib.Path, base: int, size: int, path: pathlib.Path) -> dict:
    """The first `size` articles of the base repeated as often as needed (repeat k's ids end in `-rk`)
    written to `path`; what it holds: records, title + body MB, repeats."""
    written = text_bytes = 0
    repeat = 0
    with open(path, "wb") as out:
        while written < size:
            taken = 0
            with bench._open(corpus) as lines:
                for line in lines:
                    if written >= size or taken >= base:
                        break
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    taken += 1
                    written += 1
                    text_bytes += len((record.get("title") or "").encode()) + len((record.get("body") or "").encode())
                    if repeat:
                        record["id"] = f"{record['id']}-r{repeat}"
                        line = json.dumps(record, ensure_ascii=False).encode()
                    out.write(line.rstrip(b"\n") + b"\n")
            if not taken:
                raise ValueError(f"{corpus} has no records")
            repeat += 1
    return {"records": written, "input_mb": round(text_bytes / 1e6, 2), "repeats": repeat}


def indexed_documents(index_dir: pathlib.Path) -> int:
    """How many documents an index holds, from its table of contents (without opening its segments)."""
    from whoosh import index as whoosh_index

    return sum(segment.doc_count() for segment in whoosh_index.open_dir(str(index_dir))._segments())


def measure(
    corpus: pathlib.Path,
    base: int,
    size: int,
    index_dir: pathlib.Path,
    workdir: pathlib.Path,
    opts,
    previous: dict | None,
    log,
) -> dict:
    """One size's row: build (unless reusing an index), typical queries, worst cases."""
    row: dict = {"docs": size, "synthetic": size > base, "repeats_of_base": -(-size // base), "repeats": opts.repeats}
    build_json = index_dir.with_name(index_dir.name + ".build.json")
    reuse = index_dir.is_dir() and any(index_dir.iterdir()) and (opts.reuse or opts.index_dir)
    if reuse:
        held = indexed_documents(index_dir)
        if held != size:
            raise RuntimeError(f"{index_dir} holds {held:,} documents, not {size:,}")
        log(f"{size:,}: reusing the index in {index_dir}")
        if build_json.is_file():
            row["build"] = json.loads(build_json.read_text(encoding="utf-8"))
        elif previous and previous.get("build"):
            row["build"] = previous["build"]
        row["reused_index"] = True
    else:
        source = workdir / f"input-{size}.jsonl"
        try:
            log(f"{size:,}: writing the input" + (" (synthetic repeats of the base)" if size > base else ""))
            info = write_slice(corpus, base, size, source)
            shutil.rmtree(index_dir, ignore_errors=True)
            log(f"{size:,}: building")
            build = bench.run_phase(["--phase", "ours-build", "--input", str(source), "--index", str(index_dir)])
        finally:
            source.unlink(missing_ok=True)  # never leave corpus text behind
        if build["doc_count"] != size:
            raise RuntimeError(f"the index of {size} articles holds {build['doc_count']} documents")
        build.update(
            input_mb=info["input_mb"], articles_per_s=round(size / build["wall_s"], 1), load_after=bench.loadavg()
        )
        build.pop("stderr", None)
        build_json.write_text(json.dumps(build) + "\n", encoding="utf-8")
        row["build"] = build
        log(f"{size:,}: built in {build['wall_s']} s, {build['index_mb']} MB, peak RSS {build['peak_rss_mb']} MB")
    log(f"{size:,}: typical queries")
    query = bench.run_phase(["--phase", "ours-query", "--index", str(index_dir), "--repeats", str(opts.repeats)])
    row["query"] = {**query["latency"], "open_s": query["open_s"], "peak_rss_mb": query["peak_rss_mb"]}
    log(f"{size:,}: p50 {query['latency']['p50_ms']} ms, p95 {query['latency']['p95_ms']} ms; worst cases")
    cases = worst.run_cases(
        "ours",
        index_dir,
        worst.select(),
        opts.repeats,
        opts.case_limit,
        opts.worst_budget,
        lambda message: log(f"{size:,}: {message}"),
    )
    row["worst"] = {
        **worst.summary(cases),
        "case_limit_s": opts.case_limit,
        "cases_detail": [
            {k: c.get(k) for k in ("label", "status", "total", "median_ms", "max_ms", "partial", "met")} for c in cases
        ],
    }
    row["load_after"] = bench.loadavg()
    return row


def extrapolate(rows: list[dict]) -> str | None:
    """A line through the two largest built sizes, to a million articles (build time, index size)."""
    built = sorted((r for r in rows if r.get("build")), key=lambda r: r["docs"])
    if len(built) < 2 or built[-1]["docs"] == built[-2]["docs"]:
        return None
    a, b = built[-2], built[-1]
    span = b["docs"] - a["docs"]

    def at_million(key: str) -> float:
        slope = (b["build"][key] - a["build"][key]) / span
        return b["build"][key] + slope * (ONE_MILLION - b["docs"])

    if at_million("wall_s") <= b["build"]["wall_s"] or at_million("index_mb") <= b["build"]["index_mb"]:
        return (
            f"The two largest sizes ({a['docs']:,} and {b['docs']:,}) do not grow steadily enough to "
            f"extrapolate to {ONE_MILLION:,} articles."
        )
    return (
        f"A straight line through the two largest sizes ({a['docs']:,} and {b['docs']:,}) gives, for "
        f"{ONE_MILLION:,} articles, a build of about {at_million('wall_s') / 60:,.0f} min and an index of "
        f"about {at_million('index_mb') / 1000:,.1f} GB (an extrapolation, not a measurement)."
    )


def _cell(value, fmt: str = "{:,.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def markdown(doc: dict) -> str:
    """The scaling table over every measured size."""
    rows = sorted(doc["rows"].values(), key=lambda r: r["docs"])
    meta = doc["meta"]
    lines = [
        "# Scaling: our engine at several archive sizes",
        "",
        f"Corpus `{meta['corpus']}`, base {meta['base']:,} articles; {meta['cpus']} CPUs; Python {meta['python']}; "
        f"last run {meta['date']} at commit `{meta['commit']}`. Each build and each query phase in a fresh "
        f"process; queries warm, top 10 + snippets + every facet count. Sizes marked *synthetic* are the base "
        f"repeated with distinct ids (`-r1`, `-r2`, …): the same texts again, not new news.",
        "",
        "| articles | input | build s | articles/s | index MB | KB / article | build peak RSS MB | "
        f"typical p50 ms | typical p95 ms | worst case: slowest run | worst cases ≤ {worst.TARGET_MS} ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        b, q, w = r.get("build") or {}, r["query"], r["worst"]
        kind = f"synthetic ({r['repeats_of_base']}× base)" if r["synthetic"] else "real"
        slowest = f"{w['slowest_max_ms']:,.0f} ms ({w['slowest_label']})" if w["slowest_max_ms"] is not None else "–"
        for status, said in (
            ("timeout", f"stopped at {w['case_limit_s']:g} s"),
            ("skipped", "skipped"),
            ("error", "failed"),
        ):
            labels = [c["label"] for c in w["cases_detail"] if c["status"] == status]
            if labels:
                slowest += f"; {said}: {', '.join(labels)}"
        per_article = b["index_mb"] * 1000 / r["docs"] if b.get("index_mb") else None
        lines.append(
            f"| {r['docs']:,} | {kind}{' (index reused)' if r.get('reused_index') else ''} | "
            f"{_cell(b.get('wall_s'))} | {_cell(b.get('articles_per_s'), '{:,.0f}')} | "
            f"{_cell(b.get('index_mb'), '{:,.0f}')} | {_cell(per_article)} | "
            f"{_cell(b.get('peak_rss_mb'), '{:,.0f}')} | "
            f"{q['p50_ms']:,.1f} | {q['p95_ms']:,.1f} | {slowest} | {w['met']} of {w['cases']} |"
        )
    line = extrapolate(rows)
    if line:
        lines += ["", line]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="JSON Lines corpus (.jsonl or .jsonl.xz), read in place")
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated article counts, `all` or `Nx` (default {DEFAULT_SIZES})",
    )
    parser.add_argument("--base", type=int, default=0, help="the base: the corpus's first N articles (default all)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the typical set and each worst case")
    parser.add_argument("--case-limit", type=float, default=60.0, help="seconds a worst case may take (60)")
    parser.add_argument("--worst-budget", type=float, default=900.0, help="seconds for all worst cases of a size")
    parser.add_argument("--workdir", help="input slices and indexes (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep each size's index (WORKDIR/ours-N)")
    parser.add_argument(
        "--reuse", action="store_true", help="query WORKDIR/ours-N (and keep it) instead of building it, if it exists"
    )
    parser.add_argument("--index-dir", help="with one size: query this existing index instead of building")
    parser.add_argument("--out", default=str(HERE / "results" / "scale"), help="OUT.json and OUT.md")
    opts = parser.parse_args(argv)

    corpus = pathlib.Path(opts.corpus)
    if not corpus.is_file():
        parser.error(f"no such corpus file: {corpus}")
    records = count_records(corpus)
    base = min(opts.base or records, records)
    sizes = parse_sizes(opts.sizes, base)
    if opts.index_dir and len(sizes) != 1:
        parser.error("--index-dir measures one size: give one in --sizes")
    own_workdir = opts.workdir is None
    workdir = pathlib.Path(opts.workdir or tempfile.mkdtemp(prefix="chaoyang-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    out = pathlib.Path(opts.out)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    doc = {"rows": {}}
    if out.with_suffix(".json").is_file():
        doc = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        if (doc["meta"]["corpus"], doc["meta"]["base"]) != (corpus.name, base):
            log(f"{out.with_suffix('.json')} was measured on another corpus or base: starting it afresh")
            doc = {"rows": {}}
    log(f"sizes {', '.join(f'{n:,}' for n in sizes)} (base {base:,} articles); work folder {workdir}")

    try:
        for size in sizes:
            index_dir = pathlib.Path(opts.index_dir) if opts.index_dir else workdir / f"ours-{size}"
            # An index given or reused stays; one built here goes unless --keep.
            keep = opts.keep or opts.index_dir or (opts.reuse and index_dir.is_dir() and any(index_dir.iterdir()))
            try:
                doc["rows"][str(size)] = measure(
                    corpus, base, size, index_dir, workdir, opts, doc["rows"].get(str(size)), log
                )
            finally:
                if not keep:
                    shutil.rmtree(index_dir, ignore_errors=True)
                    index_dir.with_name(index_dir.name + ".build.json").unlink(missing_ok=True)
            doc["meta"] = {
                "corpus": corpus.name,
                "base": base,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "date": datetime.datetime.now().isoformat(timespec="seconds"),
                "commit": bench._git_commit(),
            }
            out.parent.mkdir(parents=True, exist_ok=True)
            out.with_suffix(".json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            out.with_suffix(".md").write_text(markdown(doc), encoding="utf-8")
            log(f"wrote {out.with_suffix('.md')}")
        print(markdown(doc))
        return 0
    finally:
        if own_workdir and not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
