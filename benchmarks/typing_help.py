"""How well the engine helps people who type imprecisely (issue 14): pinyin queries, homophone typos and
suggestions as you type, on an index of part of the news corpus and the seeds. Not a test: figures.

    python benchmarks/typing_help.py /work/shared/corpus/news_zh.jsonl.xz                      # lines 40,000–50,000
    python benchmarks/typing_help.py CORPUS --start 0 --docs 2000 --out /tmp/typing-smoke       # a quick run
    python benchmarks/typing_help.py CORPUS --index-dir /tmp/ix                                 # an index built before

The corpus is read in place: the records chosen are streamed once into a temporary file, indexed with the
seeds into a temporary index (both deleted at the end, unless `--index-dir` names an index to keep or reuse).

The intended words (the cases) are drawn from that index and the seeds, never written out:

* names: the zones' full and short names and their places (the gazetteer), and company names — the company
  facet's values (`--companies N`: N of them, drawn), and the user dictionary's organisation names (`nt`) —
  that occur in the index;
* frequent words: `--words` words of two to four characters drawn (seeded) from those in at least
  `--min-df` articles.

Measured:

* **pinyin success@1** — each intended word typed as its first reading's syllables run together
  (`lingyuan`), and names also as `Ling Yuan` (capitalised syllables, spaces): a success when the query is
  read as pinyin and the first (likeliest) text searched is the intended word itself (`Results.pinyin
  ["searched"][0] == word`). success@3: among the texts searched (at most three). Words that another word of
  the same reading outnumbers (true homophones: 实验/试验) are counted like the rest.
* **suggestion MRR** — names typed as their initials (`lyjjkfq` → 凌源经济开发区: the first 2 to 4 letters), and
  every intended word typed as a pinyin prefix (the first syllable and the next syllable's first letter:
  `lingy`): the reciprocal rank of the word among the suggestions (10 at most; 0 when absent).
* **correction top-1** — each intended word with one character replaced by a homophone (`pinyin.homophones`,
  one of its five likeliest, drawn at random): a success when the search's suggestion is the intended word.
  A typo that is itself a real word — a word of `spelling.MIN_REAL_DF` articles or more, or a word of
  jieba's or the user dictionary found in the index — cannot be told from the word meant without the
  context: such draws are counted apart and left out.
* **unwanted suggestions** — each intended word typed correctly: the share of searches that suggest
  something else, search something else instead, or read it as pinyin. Also on `--words` words found in
  2 to `--min-df` − 1 articles (rare but real words), reported apart.
* latency: suggestions (warm; p50/p95/p99 over every prefix typed above plus one- and two-character
  prefixes of the words), the same through `GET /api/suggest` (Flask's test client: request and JSON
  included, no network), pinyin and corrected searches (top 10 with snippets and facets); the lexicon's
  load time and memory (tracemalloc, Python allocations).

Writes OUT.json and OUT.md (figures only).
"""

from __future__ import annotations

# Not `typing.py`: a script's folder comes first on sys.path, and the other benchmarks' imports of the
# standard library's `typing` would find it.
import argparse
import datetime
import gc
import itertools
import json
import lzma
import os
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from indexer import analysis, index as index_module, lexicon, pinyin, spelling  # noqa: E402
from indexer.search import Index, search  # noqa: E402
from indexer.suggest import suggest  # noqa: E402

TARGETS = {"pinyin_success_at_1": 0.9, "correction_top_1": 0.8, "unwanted_rate": 0.01, "suggest_p95_ms": 20}


def prepare(corpus: pathlib.Path, start: int, docs: int, workdir: pathlib.Path) -> pathlib.Path:
    """Records start … start + docs of the corpus, streamed into a temporary JSON Lines file."""
    target = workdir / "input.jsonl"
    opener = lzma.open if corpus.name.endswith(".xz") else open
    with opener(corpus, "rb") as lines, open(target, "wb") as out:
        for line in itertools.islice(lines, start, start + docs):
            out.write(line if line.endswith(b"\n") else line + b"\n")
    return target


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return (
        {
            "n": len(ordered),
            "p50_ms": at(0.5),
            "p95_ms": at(0.95),
            "p99_ms": at(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        }
        if ordered
        else {"n": 0}
    )


def cases(
    ix: Index, lx: lexicon.Lexicon, rng: random.Random, n_words: int, min_df: int, n_companies: int | None = None
) -> dict[str, list[str]]:
    """The intended words: names and frequent words, and rarer real words (see the module's docstring); at most
    `n_companies` company names, drawn (a large index names tens of thousands)."""
    reader = ix.searcher().reader()

    def occurs(text: str) -> bool:
        return search(ix, f'"{text}"', per_page=1).total > 0

    gazetteer = [n for n, _, _ in lexicon.gazetteer_names()]
    facet_companies = list(ix.facet_sets(ix.searcher()).values.get("company", []))
    user_companies = [w for w, _, tag in analysis.user_words() if tag == "nt"]
    if n_companies is not None and len(facet_companies) > n_companies:
        facet_companies = rng.sample(sorted(facet_companies), n_companies)
    names = [
        n
        for n in dict.fromkeys(gazetteer + facet_companies + user_companies)
        if lexicon.is_word(n) and len(n) >= 2 and occurs(n)
    ]
    words = [lx.text(i) for i in range(len(lx)) if lx.kinds[i] == lexicon.WORD and 2 <= len(lx.text(i)) <= 4]
    frequent = sorted(w for w in words if reader.doc_frequency("words", w) >= min_df)
    rare = sorted(w for w in words if 2 <= reader.doc_frequency("words", w) < min_df)
    frequent = rng.sample(frequent, min(n_words, len(frequent)))
    rare = rng.sample(rare, min(n_words, len(rare)))
    return {
        "names": names,
        "frequent": [w for w in frequent if w not in names],
        "rare": rare,
        "companies": [n for n in names if n in facet_companies or n in user_companies],
    }


def typed_pinyin(word: str, spaced: bool) -> str:
    syllables = pinyin.readings(word)[0]
    return " ".join(s.capitalize() for s in syllables) if spaced else "".join(syllables)


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def measure_pinyin(ix, targets: list[str], names: set[str]) -> tuple[dict, list[float]]:
    hits1 = hits3 = total = 0
    times = []
    for word in targets:
        forms = [typed_pinyin(word, False)] + ([typed_pinyin(word, True)] if word in names else [])
        for typed in forms:
            results, seconds = timed(search, ix, typed)
            times.append(seconds)
            searched = (results.pinyin or {}).get("searched", [])
            total += 1
            hits1 += bool(searched) and searched[0] == word
            hits3 += word in searched[:3]
    return {
        "cases": total,
        "success_at_1": round(hits1 / max(1, total), 4),
        "success_at_3": round(hits3 / max(1, total), 4),
    }, times


def reciprocal_rank(ix, typed: str, word: str, times: list[float]) -> float:
    found, seconds = timed(suggest, ix, typed)
    times.append(seconds)
    texts = [s.text for s in found]
    return 1 / (texts.index(word) + 1) if word in texts else 0.0


def measure_suggest(ix, names: list[str], words: list[str]) -> tuple[dict, list[float]]:
    times: list[float] = []
    initials, prefixes = [], []
    for name in names:
        letters = pinyin.initials(pinyin.readings(name)[0])
        for n in range(2, min(4, len(letters)) + 1):
            initials.append(reciprocal_rank(ix, letters[:n], name, times))
    for word in names + words:
        syllables = pinyin.readings(word)[0]
        prefixes.append(reciprocal_rank(ix, syllables[0] + syllables[1][:1], word, times))
    for word in words:  # character prefixes: timed only
        for n in (1, 2):
            times.append(timed(suggest, ix, word[:n])[1])
    return {
        "initials_cases": len(initials),
        "initials_mrr": round(statistics.fmean(initials or [0]), 4),
        "prefix_cases": len(prefixes),
        "prefix_mrr": round(statistics.fmean(prefixes or [0]), 4),
        "mrr": round(statistics.fmean(initials + prefixes or [0]), 4),
    }, times


def measure_http(index_dir: pathlib.Path, prefixes: list[str]) -> list[float]:
    """`GET /api/suggest?q=…` through the Flask app (no network): the engine, the request and the JSON."""
    import urllib.parse

    import web

    client = web.create_app({"INDEX_DIR": str(index_dir)}).test_client()
    client.get("/api/suggest?q=l")
    times = []
    for prefix in prefixes:
        response, seconds = timed(client.get, "/api/suggest?q=" + urllib.parse.quote(prefix))
        assert response.status_code == 200, response.status_code
        times.append(seconds)
    return times


def measure_corrections(ix, targets: list[str], rng: random.Random) -> tuple[dict, list[float]]:
    reader = ix.searcher().reader()
    right = wrong = missed = real = 0
    times = []
    for word in targets:
        at = rng.randrange(len(word))
        choices = list(pinyin.homophones(word[at])[:5])
        if not choices:
            continue
        typo = word[:at] + rng.choice(choices) + word[at + 1 :]
        if reader.doc_frequency("words", typo) >= spelling.MIN_REAL_DF or (
            spelling.in_dictionary(typo) and search(ix, f'"{typo}"', per_page=1).total
        ):
            real += 1  # another real word: no typo to be found without the context
            continue
        results, seconds = timed(search, ix, typo)
        times.append(seconds)
        if results.suggestion == word:
            right += 1
        elif results.suggestion:
            wrong += 1
        else:
            missed += 1
    cases = right + wrong + missed
    return {
        "cases": cases,
        "top_1": round(right / max(1, cases), 4),
        "wrong": wrong,
        "none": missed,
        "typo_is_a_real_word": real,
    }, times


def measure_unwanted(ix, targets: list[str]) -> dict:
    unwanted = 0
    for word in targets:
        results = search(ix, word)
        unwanted += bool(results.suggestion or results.searched_instead or results.pinyin)
    return {"cases": len(targets), "unwanted": unwanted, "rate": round(unwanted / max(1, len(targets)), 4)}


def measure_lexicon(ix: Index) -> dict:
    searcher = ix.searcher()
    facets = lexicon._facet_counts(ix.facet_sets(searcher))
    pinyin.readings("朝阳")  # pypinyin's tables, loaded by any query that reads pinyin
    gc.collect()
    tracemalloc.start()
    lx, seconds = timed(lexicon.Lexicon, searcher, facets)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del lx
    gc.collect()
    loads = [timed(lexicon.Lexicon, searcher, facets)[1] for _ in range(3)]
    return {
        "load_s_median": round(statistics.median(loads), 3),
        "load_s_traced": round(seconds, 3),
        "memory_mb": round(current / 1e6, 1),
        "peak_mb": round(peak / 1e6, 1),
    }


def markdown(result: dict) -> str:
    p, s, c, u, r = (result[k] for k in ("pinyin", "suggest", "correction", "unwanted", "unwanted_rare"))
    rows = [
        ("pinyin success@1", p["success_at_1"], f"≥ {TARGETS['pinyin_success_at_1']}", p["cases"]),
        ("pinyin success@3", p["success_at_3"], "", p["cases"]),
        ("suggestion MRR (initials and pinyin prefixes)", s["mrr"], "", s["initials_cases"] + s["prefix_cases"]),
        ("  initials of names", s["initials_mrr"], "", s["initials_cases"]),
        ("  pinyin prefixes", s["prefix_mrr"], "", s["prefix_cases"]),
        ("correction top-1 (one homophone typo)", c["top_1"], f"≥ {TARGETS['correction_top_1']}", c["cases"]),
        ("unwanted suggestions, names and frequent words", u["rate"], f"≤ {TARGETS['unwanted_rate']}", u["cases"]),
        ("unwanted suggestions, rare real words", r["rate"], "", r["cases"]),
        ("suggest p50 (ms)", result["latency"]["suggest"]["p50_ms"], "", result["latency"]["suggest"]["n"]),
        (
            "suggest p95 (ms)",
            result["latency"]["suggest"]["p95_ms"],
            f"≤ {TARGETS['suggest_p95_ms']}",
            result["latency"]["suggest"]["n"],
        ),
        (
            "GET /api/suggest p50 / p95 (ms)",
            f"{result['latency']['suggest_http']['p50_ms']} / {result['latency']['suggest_http']['p95_ms']}",
            f"p95 ≤ {TARGETS['suggest_p95_ms']}",
            result["latency"]["suggest_http"]["n"],
        ),
        (
            "pinyin search p50 / p95 (ms)",
            f"{result['latency']['pinyin_search']['p50_ms']} / {result['latency']['pinyin_search']['p95_ms']}",
            "",
            result["latency"]["pinyin_search"]["n"],
        ),
        (
            "corrected search p50 / p95 (ms)",
            f"{result['latency']['correction_search']['p50_ms']} / {result['latency']['correction_search']['p95_ms']}",
            "",
            result["latency"]["correction_search"]["n"],
        ),
        ("lexicon load (s, median of 3)", result["lexicon"]["load_s_median"], "", ""),
        ("lexicon memory (MB, Python allocations)", result["lexicon"]["memory_mb"], "", ""),
    ]
    lines = [
        f"# Typing help: pinyin, homophone typos, suggestions ({result['articles']:,} articles)",
        "",
        (
            f"An index given with --index-dir ({result['index_dir']}); "
            if result.get("index_dir")
            else f"Corpus records {result['start']:,}–{result['start'] + result['docs']:,} and the seeds; "
        )
        + f"{result['lexicon_entries']:,} lexicon entries; run {result['run']}; commit `{result['commit']}`; "
        f"seed {result['seed']}. Cases: {result['cases']['names']} names ({result['cases']['companies']} "
        f"companies), {result['cases']['frequent']} frequent words (≥ {result['min_df']} articles), "
        f"{result['cases']['rare']} rare real words. Definitions: `benchmarks/typing_help.py`.",
        "",
        "| measure | value | target | cases |",
        "|---|---:|---|---:|",
    ]
    lines += [f"| {name} | {value} | {target} | {n} |" for name, value, target, n in rows]
    lines += [
        "",
        f"Corrections: {c['wrong']} wrong suggestions, {c['none']} without one; "
        f"{c['typo_is_a_real_word']} draws were real words and left out.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=pathlib.Path)
    parser.add_argument("--start", type=int, default=40_000)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=300, help="frequent (and rare) words drawn")
    parser.add_argument("--min-df", type=int, default=20, help="articles a frequent word is in")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--companies", type=int, help="at most N of the company facet's names (default: all)")
    parser.add_argument("--index-dir", type=pathlib.Path, help="keep the index here (reused if it exists)")
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "results" / "typing")
    args = parser.parse_args()

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="typing-bench-"))
    try:
        index_dir = args.index_dir or workdir / "index"
        if not index_module.exists(index_dir):
            source = prepare(args.corpus, args.start, args.docs, workdir)
            report = index_module.update(index_dir, [source, REPO / "seeds"])
            print(f"indexed: {report.summary()}", file=sys.stderr)
            source.unlink()
        ix = Index(index_dir)
        rng = random.Random(args.seed)
        lexicon_figures = measure_lexicon(ix)
        lx = lexicon.for_searcher(ix)
        chosen = cases(ix, lx, rng, args.words, args.min_df, args.companies)
        targets = chosen["names"] + chosen["frequent"]
        measure_unwanted(ix, targets[:20])  # warm: jieba, pypinyin, parsing tables, the page's code paths
        for prefix in ("l", "凌", "ling"):
            suggest(ix, prefix)
        pinyin_figures, pinyin_times = measure_pinyin(ix, targets, set(chosen["names"]))
        suggest_figures, suggest_times = measure_suggest(ix, chosen["names"], chosen["frequent"])
        correction_figures, correction_times = measure_corrections(ix, targets, rng)
        prefixes = [w[:n] for w in chosen["frequent"] for n in (1, 2)]
        prefixes += ["".join(pinyin.readings(w)[0])[:n] for w in targets for n in (2, 4)]
        http_times = measure_http(index_dir, prefixes)
        result = {
            "run": datetime.datetime.now().isoformat(timespec="seconds"),
            "commit": os.popen(f"git -C {REPO} rev-parse --short HEAD").read().strip(),
            "articles": ix.searcher().reader().doc_count(),
            "start": args.start,
            "docs": args.docs,
            "index_dir": str(args.index_dir) if args.index_dir else None,
            "seed": args.seed,
            "min_df": args.min_df,
            "lexicon_entries": len(lx),
            "cases": {k: len(v) for k, v in chosen.items()},
            "pinyin": pinyin_figures,
            "suggest": suggest_figures,
            "correction": correction_figures,
            "unwanted": measure_unwanted(ix, targets),
            "unwanted_rare": measure_unwanted(ix, chosen["rare"]),
            "latency": {
                "suggest": percentiles(suggest_times),
                "suggest_http": percentiles(http_times),
                "pinyin_search": percentiles(pinyin_times),
                "correction_search": percentiles(correction_times),
            },
            "lexicon": lexicon_figures,
            "targets": TARGETS,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
