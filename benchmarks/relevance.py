"""Findability of our engine and the naive baseline: known-item MRR@10 and recall, on news and gazette sets.

Usage::

    python benchmarks/relevance.py                                  # 5,000 news + 2,000 gazette
    python benchmarks/relevance.py --docs 500 --cases 100 --out /tmp/rel-smoke/relevance   # a quick run

Two sets, each indexed by both engines from the same temporary JSON Lines file (under ``--workdir``, deleted
at the end): news articles of ``news_zh.jsonl.xz`` after its first 40,000 lines (those were used for tuning)
and the first documents of the traditional-script ``gazette_zh_hant.jsonl.xz``. The cases are drawn with a
fixed seed from the indexed documents (``relevance_cases.py``):

* headlines typed with spaces for punctuation, and pasted: MRR@10 of the article (or of the first result
  with the same title, when several articles share it);
* 6–12 character runs of the body, Chinese only and mixed with digits or Latin letters: MRR@10 of the first
  result that contains the run (on normalised text, see ``relevance_cases.normalise``);
* rare mixed strings (in at most 3 documents), quoted and unquoted: recall, i.e. the share whose own article
  is among all the results (ours paged through 100 at a time).

Both engines get every case by default: without highlights and facets the baseline answers in milliseconds
on sets this size. ``--naive-cases N`` asks it only the first N of each metric's cases (they are in random
order); ours is then also scored on those, which is what "above the baseline" compares. ``OUT.md`` and
``OUT.json`` hold figures and our own case-type names only, never corpus text.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import pathlib
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import naive  # noqa: E402
from benchmarks.relevance_cases import Case, Doc, Texts, draw  # noqa: E402
from benchmarks.relevance_engines import Engine, Naive, Ours  # noqa: E402
from benchmarks.run import _git_commit, loadavg  # noqa: E402

CORPUS_DIR = "/work/shared/corpus"


@dataclasses.dataclass(frozen=True)
class SetSpec:
    """Where a set's documents come from: a corpus file, the lines skipped, how many documents."""

    corpus: str
    skip_lines: int
    docs: int


SETS = {
    "news": SetSpec("news_zh.jsonl.xz", 40_000, 5000),
    "gazette": SetSpec("gazette_zh_hant.jsonl.xz", 0, 2000),
}
TARGETS = {"headline_mrr": 0.95, "run_mrr": 0.95, "rare_recall": 1.0}
DEPTH = 10  # MRR@10
DIAGNOSE_DEPTH = 100  # how deep a miss is looked for, for the failure list
FAILURES_KEPT = 20


@dataclasses.dataclass(frozen=True)
class Metric:
    """One figure of the report: which cases, how the query is typed, MRR@10 or recall."""

    name: str
    kind: str
    measure: str  # "mrr" or "recall"
    target: str
    quoted: bool = False


METRICS = (
    Metric("headline MRR@10, punctuation as spaces", "headline-spaces", "mrr", "headline_mrr"),
    Metric("headline MRR@10, pasted with punctuation", "headline-pasted", "mrr", "headline_mrr"),
    Metric("body run MRR@10, Chinese only", "run-han", "mrr", "run_mrr"),
    Metric("body run MRR@10, mixed", "run-mixed", "mrr", "run_mrr"),
    Metric("rare mixed string recall, quoted", "rare-mixed", "recall", "rare_recall", quoted=True),
    Metric("rare mixed string recall, unquoted", "rare-mixed", "recall", "rare_recall"),
)


# --------------------------------------------------------------------------- asking


@dataclasses.dataclass
class Outcome:
    """One case's answer: whether it counts as found, the rank (None: not in what was looked at), the total
    number of results, and whether the engine refused the query."""

    found: bool
    rank: int | None
    hits: int
    refused: bool = False


def ask_known_item(engine: Engine, query: str, relevant: Callable[[str], bool], diagnose: bool) -> Outcome:
    """Rank of the first relevant result in the top 10 (deeper, up to 100, when `diagnose` and missed)."""
    for depth in (DEPTH, DIAGNOSE_DEPTH) if diagnose else (DEPTH,):
        page = engine.top(query, depth)
        if page is None:
            return Outcome(False, None, 0, refused=True)
        rank = next((i + 1 for i, doc_id in enumerate(page.ids) if relevant(doc_id)), None)
        if rank is not None:
            return Outcome(rank <= DEPTH, rank, page.total)
    return Outcome(False, None, page.total)


def ask_recall(engine: Engine, query: str, doc_id: str) -> Outcome:
    """Whether the case's own article is among all the results."""
    spot = engine.position(query, doc_id)
    if spot is None:
        return Outcome(False, None, 0, refused=True)
    return Outcome(spot.position is not None, spot.position, spot.total)


def relevance(case: Case, docs: dict[str, Doc], texts: Texts) -> Callable[[str], bool]:
    """Which results count as the known item: the same title for a headline, containing the run for a run."""
    if case.kind.startswith("headline"):
        title = docs[case.doc_id].title.strip()
        return lambda doc_id: doc_id in docs and docs[doc_id].title.strip() == title
    return lambda doc_id: texts.contains(doc_id, case.query)


def evaluate(
    engine: Engine,
    metric: Metric,
    cases: Sequence[Case],
    docs: dict[str, Doc],
    texts: Texts,
    log: Callable[[str], None],
) -> list[Outcome]:
    """Every case of `metric` put to `engine`, in order."""
    outcomes: list[Outcome] = []
    misses = 0
    started = time.perf_counter()
    for i, case in enumerate(cases, 1):
        if metric.measure == "recall":
            outcome = ask_recall(engine, f'"{case.query}"' if metric.quoted else case.query, case.doc_id)
        else:
            outcome = ask_known_item(engine, case.query, relevance(case, docs, texts), diagnose=misses < FAILURES_KEPT)
        misses += not outcome.found
        outcomes.append(outcome)
        if i % 250 == 0 or i == len(cases):
            log(f"  {engine.name}: {metric.name}: {i}/{len(cases)} ({time.perf_counter() - started:.0f} s)")
    return outcomes


# --------------------------------------------------------------------------- scoring


def score(metric: Metric, outcomes: Sequence[Outcome]) -> float | None:
    """MRR@10 or recall over `outcomes` (None when there are none)."""
    if not outcomes:
        return None
    if metric.measure == "recall":
        return round(sum(o.found for o in outcomes) / len(outcomes), 4)
    return round(sum(1 / o.rank for o in outcomes if o.found) / len(outcomes), 4)


def failures(metric: Metric, cases: Sequence[Case], outcomes: Sequence[Outcome]) -> list[dict]:
    """The first misses as figures: case type, query length in characters, rank (None: not found), hits."""
    kept = []
    for case, outcome in zip(cases, outcomes):
        if not outcome.found and len(kept) < FAILURES_KEPT:
            kept.append(
                {
                    "case": case.kind + (f"/{case.edge}" if case.edge else ""),
                    "query_chars": len(case.query),
                    "rank": outcome.rank,
                    "hits": outcome.hits,
                    "refused": outcome.refused,
                }
            )
    return kept


def summarise(metric: Metric, cases: Sequence[Case], ours: Sequence[Outcome], theirs: Sequence[Outcome]) -> dict:
    """One metric's figures for the report, with the target assessed."""
    shared = len(theirs)
    entry = {
        "metric": metric.name,
        "case_type": metric.kind,
        "measure": metric.measure,
        "quoted": metric.quoted,
        "cases": len(cases),
        "naive_cases": shared,
        "ours": score(metric, ours),
        "naive": score(metric, theirs),
        "ours_on_naive_cases": score(metric, ours[:shared]),
        "ours_refused": sum(o.refused for o in ours),
        "naive_refused": sum(o.refused for o in theirs),
        # Queries answered with no result at all: the worst miss.
        "ours_no_results": sum(o.hits == 0 and not o.refused for o in ours),
        "naive_no_results": sum(o.hits == 0 and not o.refused for o in theirs),
    }
    edges = sorted({c.edge for c in cases if c.edge})
    if edges:
        entry["by_edge"] = {
            edge: {
                "cases": sum(c.edge == edge for c in cases),
                "ours": score(metric, [o for c, o in zip(cases, ours) if c.edge == edge]),
                "naive_cases": sum(c.edge == edge for c in cases[:shared]),
                "naive": score(metric, [o for c, o in zip(cases, theirs) if c.edge == edge]),
            }
            for edge in edges
        }
    limit = TARGETS[metric.target]
    entry["target"] = f"≥ {limit:.0%}" if metric.measure == "recall" else f"≥ {limit}"
    met = entry["ours"] is not None and entry["ours"] >= limit
    if metric.target == "headline_mrr":
        entry["target"] += " and above naive"
        met = met and (entry["naive"] is None or entry["ours_on_naive_cases"] > entry["naive"])
    entry["met"] = met if entry["ours"] is not None else None
    entry["failures"] = {"ours": failures(metric, cases, ours), "naive": failures(metric, cases, theirs)}
    return entry


# --------------------------------------------------------------------------- a set


def write_set(corpus: pathlib.Path, skip_lines: int, docs: int, target: pathlib.Path) -> list[Doc]:
    """Stream `docs` documents of `corpus` after its first `skip_lines` lines into `target` (JSON Lines, the
    lines as in the corpus) and return them.

    Lines without an id or body, or repeating an id, are passed over, so both engines index the same
    documents.
    """
    kept: list[Doc] = []
    seen: set[str] = set()
    with naive.open_corpus(corpus) as lines, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(lines):
            if len(kept) >= docs:
                break
            if number < skip_lines or not line.strip():
                continue
            record = json.loads(line)
            doc_id, body = str(record.get("id") or ""), record.get("body") or ""
            if not doc_id or not body.strip() or doc_id in seen:
                continue
            seen.add(doc_id)
            kept.append(Doc(doc_id, record.get("title") or "", body))
            out.write(line if line.endswith("\n") else line + "\n")
    return kept


def run_set(
    name: str, spec: SetSpec, docs: int, opts: argparse.Namespace, workdir: pathlib.Path, log: Callable[[str], None]
) -> dict:
    """Build both engines' indexes of one set, draw its cases, ask both, and summarise."""
    folder = workdir / name
    folder.mkdir()
    source = folder / "input.jsonl"
    log(f"{name}: reading {docs:,} documents of {spec.corpus} after its first {spec.skip_lines:,} lines")
    documents = write_set(pathlib.Path(opts.corpus_dir) / spec.corpus, spec.skip_lines, docs, source)
    engines: list[Engine] = []
    try:
        if not opts.no_naive:
            log(f"{name}: naive: building")
            engines.append(Naive(folder / "naive", source, len(documents)))
            log(f"{name}: naive: built in {engines[-1].build_s} s")
        log(f"{name}: ours: building")
        ours = Ours(folder / "ours", source)
        engines.insert(0, ours)
        log(f"{name}: ours: built in {ours.build_s} s ({len(ours.added):,} added, {ours.skipped} skipped)")
        # Cases only from what both engines indexed.
        documents = [d for d in documents if d.id in ours.added]
        texts = Texts(documents)
        by_id = {d.id: d for d in documents}
        cases, drawn = draw(documents, texts, f"{opts.seed}/{name}", opts.cases)
        log(
            f"{name}: {len(cases):,} cases drawn ({drawn['titles_too_short']} titles under "
            f"{drawn['min_title_chars']} characters skipped)"
        )
        metrics, seconds = [], {e.name: 0.0 for e in engines}
        for metric in METRICS:
            chosen = [c for c in cases if c.kind == metric.kind]
            answers = {}
            for engine in engines:
                subset = chosen if engine is ours else chosen[: opts.naive_cases]
                started = time.perf_counter()
                answers[engine.name] = evaluate(engine, metric, subset, by_id, texts, log)
                seconds[engine.name] += time.perf_counter() - started
            metrics.append(summarise(metric, chosen, answers["ours"], answers.get("naive", [])))
            log(f"{name}: {metric.name}: ours {metrics[-1]['ours']}, naive {metrics[-1]['naive']}")
        return {
            "corpus": spec.corpus,
            "skipped_lines": spec.skip_lines,
            "docs": len(documents),
            "skipped_by_ours": ours.skipped,
            "titles_too_short": drawn["titles_too_short"],
            "min_title_chars": drawn["min_title_chars"],
            "build_s": {e.name: e.build_s for e in engines},
            "query_s": {engine: round(s, 1) for engine, s in seconds.items()},
            "metrics": metrics,
        }
    finally:
        for engine in engines:
            engine.close()
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the report


def _figure(value: float | None, measure: str) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if measure == "recall" else f"{value:.3f}"


def markdown(result: dict) -> str:
    """One table per set: metric, cases, ours, naive, target, met."""
    meta = result["meta"]
    lines = [
        "# Relevance: ours vs naive Whoosh + jieba",
        "",
        f"Run {meta['date']} at commit `{meta['commit']}`, seed {meta['seed']}, {meta['total_s']:.0f} s in all; "
        f"up to {meta['cases']:,} cases per metric and set"
        + (
            "."
            if meta["naive_cases"] >= meta["cases"]
            else f", the baseline asked the first {meta['naive_cases']:,} of them (in random order; ours on those "
            "same cases in brackets)."
        )
        + " A body run counts as found at the first result containing it (compared as NFKC, simplified "
        "script, case-folded, whitespace removed); a headline at the first result with the same title; a rare "
        "string only at its own article, anywhere in the results. A query an engine refuses counts as not "
        "found. The baseline's quoted phrases of two or more words rarely match: jieba's `ChineseTokenizer` "
        "gives each token its character offset as its position, consecutive only for one-character words.",
    ]
    for name, entry in result["sets"].items():
        where = f"from line {entry['skipped_lines'] + 1:,} on" if entry["skipped_lines"] else "from its start"
        lines += [
            "",
            f"## {name}: {entry['docs']:,} documents of `{entry['corpus']}` {where}",
            "",
            "| metric | cases (naive) | ours | naive | target | met |",
            "|---|---:|---:|---:|---|:-:|",
        ]
        for m in entry["metrics"]:
            ours = _figure(m["ours"], m["measure"])
            if m["naive_cases"] and m["naive_cases"] < m["cases"]:
                ours += f" ({_figure(m['ours_on_naive_cases'], m['measure'])})"
            met = "–" if m["met"] is None else "✅ met" if m["met"] else "❌ missed"
            lines.append(
                f"| {m['metric']} | {m['cases']:,} ({m['naive_cases']:,}) | {ours} | "
                f"{_figure(m['naive'], m['measure'])} | {m['target']} | {met} |"
            )
            for edge, e in m.get("by_edge", {}).items():
                label = "cut at number/word edges" if edge == "whole" else "cut inside a number/word"
                lines.append(
                    f"| … {label} | {e['cases']:,} ({e['naive_cases']:,}) | "
                    f"{_figure(e['ours'], m['measure'])} | {_figure(e['naive'], m['measure'])} | | |"
                )

        def label(m: dict) -> str:
            return m["case_type"] + (" quoted" if m["quoted"] else "")

        refused = ", ".join(f"{label(m)} {m['ours_refused']}" for m in entry["metrics"] if m["ours_refused"])
        empty = ", ".join(f"{label(m)} {m['ours_no_results']:,} / {m['naive_no_results']:,}" for m in entry["metrics"])
        lines += [
            "",
            (
                f"Titles under {entry['min_title_chars']} characters skipped: {entry['titles_too_short']}. "
                f"Queries ours refused (SearchError): {refused or 'none'}. "
                f"Queries with no result at all, ours / naive: {empty}. "
                f"Build: ours {entry['build_s'].get('ours')} s, naive {entry['build_s'].get('naive', '–')} s; "
                f"asking: ours {entry['query_s'].get('ours')} s, naive {entry['query_s'].get('naive', '–')} s."
            ),
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        default=str(HERE / "results" / "relevance"),
        help="write OUT.md and OUT.json (default: benchmarks/results/relevance)",
    )
    parser.add_argument("--cases", type=int, default=3000, help="at most N cases per metric and set (default 3000)")
    parser.add_argument(
        "--naive-cases", type=int, help="ask the baseline only the first N of each metric's cases (default: all)"
    )
    parser.add_argument("--docs", type=int, help="at most N documents per set (default: 5,000 news, 2,000 gazette)")
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(SETS), help="which sets")
    parser.add_argument(
        "--corpus-dir",
        default=CORPUS_DIR,
        help=f"where {' and '.join(s.corpus for s in SETS.values())} are (default {CORPUS_DIR})",
    )
    parser.add_argument("--seed", default="12", help="seed of the case draw (default 12)")
    parser.add_argument(
        "--workdir",
        help="where the temporary input and indexes go (a new folder inside it, "
        "removed at the end; default: the system's temporary folder)",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the baseline (development only)")
    opts = parser.parse_args(argv)

    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    # The work folder holds corpus text: a plain `kill` must reach the `finally` that removes it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    load_before = loadavg()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="chaoyang-relevance-", dir=opts.workdir))
    try:
        sets = {
            name: run_set(name, SETS[name], min(opts.docs or SETS[name].docs, SETS[name].docs), opts, workdir, log)
            for name in opts.sets
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # it holds corpus text: never left behind
    result = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "seed": opts.seed,
            "cases": opts.cases,
            "naive_cases": 0 if opts.no_naive else opts.naive_cases or opts.cases,
            "python": platform.python_version(),
            "load_before": load_before,
            "load_after": loadavg(),
            "total_s": round(time.perf_counter() - started, 1),
        },
        "targets": TARGETS,
        "sets": sets,
    }
    out = pathlib.Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    log(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
