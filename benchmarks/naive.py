"""The naive baseline: Whoosh + jieba's ChineseAnalyzer used the way their documentation shows.

Our engine is benchmarked against this: the same libraries, no tuning. One process, the default
``ix.writer()``, one commit; queries through ``MultifieldParser``, faceting through ``groupedby``,
highlighting through ``ContextFragmenter``. The baseline has no metadata extraction, so its facet
fields (zone, industry) get deterministic stand-ins picked by a hash of the id: counting them does
the same work as counting real values.

Usage::

    python benchmarks/naive.py /work/shared/corpus/news_zh.jsonl.xz --docs 2000 --out /tmp/naive2k

The corpus is read in place and never copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import lzma
import os
import pathlib
import shutil
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TextIO

import psutil

# `import jieba.analyse` leaks an unclosed file (ResourceWarning) and jieba logs its dictionary
# loading to stderr: noise in a benchmark report, so both are silenced here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ResourceWarning)
    import jieba
    import jieba.analyse
jieba.setLogLevel(logging.WARNING)

from whoosh import index  # noqa: E402  (after the jieba import above)
from whoosh.fields import ID, KEYWORD, TEXT, Schema  # noqa: E402
from whoosh.highlight import ContextFragmenter, HtmlFormatter  # noqa: E402
from whoosh.qparser import AndGroup, MultifieldParser  # noqa: E402
from whoosh.query import And, Every, Query, Term  # noqa: E402
from whoosh.searching import Results, Searcher  # noqa: E402
from whoosh.sorting import FieldFacet  # noqa: E402

# Stand-in facet values (the Chaoyang development zones and their industries).
ZONES: tuple[str, ...] = (
    "朝阳经开区",
    "朝阳高新区",
    "柳城经开区",
    "凌源经开区",
    "北票经开区",
    "建平经开区",
    "喀左经开区",
)
INDUSTRIES: tuple[str, ...] = (
    "有色金属",
    "新材料",
    "装备制造",
    "钢铁",
    "化工",
    "农产品加工",
    "新能源",
    "电子信息",
    "生物医药",
    "纺织服装",
    "建材",
    "现代物流",
    "文化旅游",
)
SEARCH_FIELDS: tuple[str, ...] = ("title", "body")
# The facets of a results page. allow_overlap because an article may belong to several zones or
# industries; note that Whoosh then rebuilds a per-document value list on every search.
FACETS = [FieldFacet("zone", allow_overlap=True), FieldFacet("year"), FieldFacet("industry", allow_overlap=True)]
FACET_NAMES: tuple[str, ...] = ("zone", "year", "industry")
RSS_INTERVAL_S = 0.1


# --------------------------------------------------------------------------- measuring


class PeakRss:
    """Peak resident memory of this process plus its children, sampled by a thread.

    A thread (not ``resource.getrusage``) because getrusage's maxrss cannot be reset between the
    build and query phases and does not add up live children.
    """

    def __init__(self, interval_s: float = RSS_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_bytes = 0

    def sample(self) -> int:
        """Current RSS of this process and all its descendants, in bytes."""
        total = self._process.memory_info().rss
        for child in self._process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # the child exited between listing and reading
                pass
        self.peak_bytes = max(self.peak_bytes, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()

    def __enter__(self) -> PeakRss:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / 2**20, 1)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds, rounded for the report."""
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


def dir_size_bytes(path: str | os.PathLike[str]) -> int:
    """Total size of the files under ``path``."""
    return sum(f.stat().st_size for f in pathlib.Path(path).rglob("*") if f.is_file())


# --------------------------------------------------------------------------- building


def naive_schema() -> Schema:
    """The schema a Whoosh + jieba tutorial would write: ChineseAnalyzer on title and body."""
    return Schema(
        id=ID(stored=True),
        title=TEXT(stored=True, analyzer=jieba.analyse.ChineseAnalyzer()),
        body=TEXT(stored=True, analyzer=jieba.analyse.ChineseAnalyzer()),
        zone=KEYWORD(stored=True, commas=True),
        year=ID(stored=True),
        industry=KEYWORD(stored=True, commas=True),
    )


def open_corpus(path: str | os.PathLike[str]) -> TextIO:
    """A text stream over a JSON Lines corpus, plain or xz-compressed."""
    if str(path).endswith(".xz"):
        return io.TextIOWrapper(lzma.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def read_records(path: str | os.PathLike[str], docs: int) -> Iterator[dict[str, Any]]:
    """The first ``docs`` records (non-blank lines) of the corpus, streamed."""
    with open_corpus(path) as lines:
        count = 0
        for line in lines:
            if count >= docs:
                return
            if line.strip():
                count += 1
                yield json.loads(line)


def _id_hash(doc_id: str) -> int:
    """A hash of the id that is stable across runs (unlike ``hash()``, which is salted per process)."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")


def stand_in_facets(doc_id: str) -> tuple[str, list[str]]:
    """Deterministic zone (one of 7) and industries (1–2 distinct of 13) for a document id."""
    h = _id_hash(doc_id)
    zone = ZONES[h % len(ZONES)]
    first = (h >> 8) % len(INDUSTRIES)
    industries = [INDUSTRIES[first]]
    if (h >> 16) % 2:
        step = 1 + (h >> 24) % (len(INDUSTRIES) - 1)
        industries.append(INDUSTRIES[(first + step) % len(INDUSTRIES)])
    return zone, industries


def to_document(record: Mapping[str, Any]) -> dict[str, str]:
    """The Whoosh document for one corpus record (year omitted when the date is unknown)."""
    doc_id = str(record["id"])
    zone, industries = stand_in_facets(doc_id)
    doc = {
        "id": doc_id,
        "title": record.get("title") or "",
        "body": record.get("body") or "",
        "zone": zone,
        "industry": ",".join(industries),
    }
    year = (record.get("date") or "")[:4]
    if year:
        doc["year"] = year
    return doc


def _fresh_index_dir(index_dir: str | os.PathLike[str]) -> pathlib.Path:
    """An empty directory for the index; refuses to clear a non-empty directory that is not one."""
    path = pathlib.Path(index_dir)
    if path.exists() and any(path.iterdir()):
        if not any(path.glob("_MAIN_*.toc")):
            raise FileExistsError(f"{path} is not empty and holds no Whoosh index; not clearing it")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def build(corpus_path: str | os.PathLike[str], docs: int, index_dir: str | os.PathLike[str]) -> dict:
    """Index the first ``docs`` articles the naive way and measure it.

    Wall time covers everything a user waits for: jieba's dictionary load, reading and decompressing
    the corpus, analysis, and the single commit (which merges the writer's in-memory segments).
    The phases are also reported separately.
    """
    path = _fresh_index_dir(index_dir)
    input_bytes = 0
    count = 0
    with PeakRss() as rss:
        start = time.perf_counter()
        jieba.initialize()
        jieba_s = time.perf_counter() - start
        ix = index.create_in(str(path), naive_schema())
        writer = ix.writer()
        add_s = 0.0
        for record in read_records(corpus_path, docs):
            doc = to_document(record)
            input_bytes += len(doc["title"].encode("utf-8")) + len(doc["body"].encode("utf-8"))
            t = time.perf_counter()
            writer.add_document(**doc)
            add_s += time.perf_counter() - t
            count += 1
        t = time.perf_counter()
        writer.commit()
        commit_s = time.perf_counter() - t
        wall_s = time.perf_counter() - start
        ix.close()
    return {
        "docs": count,
        "wall_s": round(wall_s, 2),
        "articles_per_s": round(count / wall_s, 1),
        "input_mb": round(input_bytes / 1e6, 2),
        "input_mb_per_s": round(input_bytes / 1e6 / wall_s, 3),
        "phases_s": {
            "jieba_init": round(jieba_s, 2),
            "add_document": round(add_s, 2),
            "commit": round(commit_s, 2),
            "read_and_other": round(wall_s - jieba_s - add_s - commit_s, 2),
        },
        "peak_rss_mb": rss.peak_mb,
        "index_mb": round(dir_size_bytes(path) / 1e6, 2),
    }


# --------------------------------------------------------------------------- querying

# Which extra work each timed mode adds to the top-10 search: (highlights, facets).
MODES: dict[str, tuple[bool, bool]] = {
    "top10": (False, False),
    "top10+highlights": (True, False),
    "top10+facets": (False, True),
    "full": (True, True),
}


def query_specs(
    queries: Sequence[str | Mapping[str, str]], filters: Sequence[Mapping[str, str] | None] | None = None
) -> list[dict[str, str]]:
    """Normalise queries to ``{"q", "zone"?, "year"?}`` dicts.

    Filters come from the query dicts themselves, or from ``filters`` (parallel to ``queries``;
    an entry there overrides the query's own).
    """
    if filters is not None and len(filters) != len(queries):
        raise ValueError("filters must be parallel to queries")
    specs = []
    for i, item in enumerate(queries):
        spec = {"q": item} if isinstance(item, str) else dict(item)
        if filters is not None and filters[i] is not None:
            spec = {"q": spec["q"], **filters[i]}
        specs.append(spec)
    return specs


def spec_label(spec: Mapping[str, str]) -> str:
    """A query spec as one readable string: the query, then its filters (``经济 [year=2019]``)."""
    extras = " ".join(f"{field}={spec[field]}" for field in ("zone", "year") if spec.get(field))
    return f"{spec['q']} [{extras}]" if extras else spec["q"]


def filter_query(spec: Mapping[str, str]) -> Query | None:
    """The zone/year restriction of a query spec (Term queries on the stand-in fields), if any."""
    terms = [Term(field, spec[field]) for field in ("zone", "year") if spec.get(field)]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(terms)


def run_one(
    searcher: Searcher, parser: MultifieldParser, spec: Mapping[str, str], highlights: bool, facets: bool
) -> tuple[Query, Results, dict[str, dict[str, int]]]:
    """One query as a results page needs it: parse, search, highlight the page's 10 hits, count facets.

    With ``groupedby`` Whoosh collects (and sorts) every match, so the Results hold all of them;
    only the page's hits are highlighted. ``spec["page"]`` (default 1) asks for a later page: the top
    ``10 × page`` are collected, as Whoosh's own ``search_page`` does. An empty ``q`` browses: every
    document (``Every``), newest year first (the baseline has no date field).
    """
    page = int(spec.get("page", 1))
    q = parser.parse(spec["q"]) if spec["q"] else Every()
    kwargs: dict[str, Any] = {"limit": 10 * page, "filter": filter_query(spec)}
    if not spec["q"]:
        kwargs["sortedby"] = FieldFacet("year", reverse=True)
    if facets:
        kwargs["groupedby"] = FACETS
    results = searcher.search(q, **kwargs)
    if highlights:
        results.fragmenter = ContextFragmenter()
        results.formatter = HtmlFormatter()
        for hit in results[10 * (page - 1) : 10 * page]:
            hit.highlights("title")
            hit.highlights("body")
    counts = facet_counts(results) if facets else {}
    return q, results, counts


def facet_counts(results: Results) -> dict[str, dict[str, int]]:
    """Every group's count for every facet (the default maptype maps each group to its docnums)."""
    return {name: {str(key): len(docs) for key, docs in results.groups(name).items()} for name in FACET_NAMES}


def time_mode(
    searcher: Searcher, parser: MultifieldParser, specs: Sequence[Mapping[str, str]], mode: str, repeats: int
) -> list[float]:
    """Latency in ms of every query in one mode, ``repeats`` times over the set."""
    highlights, facets = MODES[mode]
    samples = []
    for _ in range(repeats):
        for spec in specs:
            t = time.perf_counter()
            run_one(searcher, parser, spec, highlights, facets)
            samples.append((time.perf_counter() - t) * 1000)
    return samples


def query(
    index_dir: str | os.PathLike[str],
    queries: Sequence[str | Mapping[str, str]],
    filters: Sequence[Mapping[str, str] | None] | None = None,
    repeats: int = 1,
) -> dict:
    """Latency of the query set on a warm index, per mode, plus each query's hit count.

    The searcher is opened once and every query runs once untimed first (filling the year facet's
    cache and the OS page cache), so the figures are steady-state, not cold-start. The zone and
    industry facets (allow_overlap, no vectors or columns) are rebuilt over the whole index on every
    search by Whoosh itself: that cost stays in the figures, as it would for a naive user.
    """
    specs = query_specs(queries, filters)
    with PeakRss() as rss:
        t = time.perf_counter()
        ix = index.open_dir(str(index_dir))
        with ix.searcher() as searcher:
            parser = MultifieldParser(list(SEARCH_FIELDS), ix.schema, group=AndGroup)
            open_s = time.perf_counter() - t

            t = time.perf_counter()
            per_query = []
            for spec in specs:
                q, results, _ = run_one(searcher, parser, spec, highlights=True, facets=True)
                per_query.append({**spec, "parsed": str(q), "hits": len(results)})
            warmup_s = time.perf_counter() - t

            modes = {mode: time_mode(searcher, parser, specs, mode, repeats) for mode in MODES}
        ix.close()

    full = modes["full"]
    for i, entry in enumerate(per_query):
        entry["full_ms"] = round(percentile(full[i :: len(specs)], 50), 2)
    return {
        "queries": len(specs),
        "repeats": repeats,
        "open_s": round(open_s, 3),
        "warmup_s": round(warmup_s, 2),
        "latency": latency_summary(full),
        "p95_ms_by_mode": {mode: round(percentile(ms, 95), 2) for mode, ms in modes.items()},
        "latency_by_mode": {mode: latency_summary(ms) for mode, ms in modes.items()},
        "zero_hit_queries": [spec_label(e) for e in per_query if e["hits"] == 0],
        "peak_rss_mb": rss.peak_mb,
        "per_query": per_query,
    }


# --------------------------------------------------------------------------- command line


def _load_queries() -> list[str | dict[str, str]]:
    """The default query set, whether this file runs as a script or is imported as a module."""
    try:
        from benchmarks.queries import QUERIES
    except ImportError:
        from queries import QUERIES  # type: ignore[no-redef]  # run as `python benchmarks/naive.py`
    return QUERIES


def main(argv: Sequence[str] | None = None) -> None:
    """Build the naive index, run the query set, print one JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="JSON Lines corpus (.jsonl or .jsonl.xz)")
    parser.add_argument("--docs", type=int, default=2000, help="index the first N articles")
    parser.add_argument("--out", required=True, help="index directory (created; replaced if an index)")
    parser.add_argument("--repeats", type=int, default=1, help="timed passes over the query set")
    args = parser.parse_args(argv)

    report = {
        "engine": "naive whoosh+jieba",
        "corpus": os.path.basename(args.corpus),
        "build": build(args.corpus, args.docs, args.out),
        "query": query(args.out, _load_queries(), repeats=args.repeats),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
