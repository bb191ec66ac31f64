"""How zone and industry tags hold on general news: extraction over a slice of a JSON Lines corpus.

Not a test: it prints figures and, for reading by a person, every zone-tagged article's id, title and
evidence, and a random sample of industry tags with their evidence. Corpus text goes to stdout only; never
commit what it prints.

    python benchmarks/tags.py /work/shared/corpus/news_zh.jsonl.xz                        # lines 0–10,000
    python benchmarks/tags.py CORPUS --start 40000 --docs 10000                           # held out
    python benchmarks/tags.py CORPUS --sample 30 --seed 1                                 # 30 industry tags to judge
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import lzma
import pathlib
import random
import re
import sys
import time
from collections import Counter

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from indexer import metadata
from indexer.articles import Article


def read(path: pathlib.Path, start: int, docs: int) -> list[Article]:
    """Lines `start` to `start + docs` of a JSON Lines file (plain, .gz or .xz) as articles."""
    opener = {".xz": lzma.open, ".gz": gzip.open}.get(path.suffix, open)
    with opener(path, "rt", encoding="utf-8") as f:
        return [
            Article(str(r["id"]), r.get("title") or "", r["body"])
            for r in map(json.loads, itertools.islice(f, start, start + docs))
        ]


def evidence(hits: dict[str, int]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in hits.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=pathlib.Path)
    parser.add_argument("--start", type=int, default=0, help="first line (0-based)")
    parser.add_argument("--docs", type=int, default=10_000, help="number of lines")
    parser.add_argument("--sample", type=int, default=30, help="industry tags to print for judging")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the sample")
    parser.add_argument("--rejected", action="store_true", help="also list articles with a rejected zone name")
    args = parser.parse_args()

    articles = read(args.corpus, args.start, args.docs)
    metadata.extract(Article("warm-up", "凌源", "凌源经济开发区"))  # loads the dictionary outside the timing
    started = time.perf_counter()
    metas = [metadata.extract(a) for a in articles]
    seconds = time.perf_counter() - started
    print(
        f"{len(articles)} articles, lines {args.start}–{args.start + len(articles)} of {args.corpus.name}; "
        f"extraction {seconds / len(articles) * 1000:.2f} ms per article"
    )

    zoned = [(a, m) for a, m in zip(articles, metas) if m.zones]
    print(f"\n## Zones: {len(zoned)} articles with a zone tag")
    for zone, n in Counter(z for m in metas for z in m.zones).most_common():
        print(f"  {zone}: {n}")
    for article, meta in zoned:
        print(f"\n{article.id} · {article.title}\n  tagged {', '.join(meta.zones)} ({meta.zone_rule})")
        for line in metadata.explain_lines(meta, parts=("zones",)):
            print(f"  {line}")
    rejected = [(a, m) for a, m in zip(articles, metas) if m.rejected]
    print(f"\n{len(rejected)} articles with a rejected zone candidate; reasons:")
    for reason, n in Counter(_kind(r) for _, m in rejected for _, r in m.rejected).most_common():
        print(f"  {n:5d}  {reason}")
    if args.rejected:
        for article, meta in rejected:
            print(
                f"  {article.id} · {article.title}: " + "; ".join(f"{name}: {reason}" for name, reason in meta.rejected)
            )

    tags = [(a, m, i) for a, m in zip(articles, metas) for i in m.industries]
    print(f"\n## Industries: {len(tags)} tags on {sum(bool(m.industries) for m in metas)} articles")
    for industry, n in Counter(i for _, _, i in tags).most_common():
        print(f"  {industry}: {n}")
    print(f"\n## A random sample of {min(args.sample, len(tags))} industry tags (seed {args.seed})")
    for article, meta, industry in random.Random(args.seed).sample(tags, min(args.sample, len(tags))):
        zones = ", ".join(meta.zones) or "no zone"
        print(
            f"\n{article.id} · {article.title}\n  {industry} ({zones}): "
            f"{evidence(meta.industry_evidence.get(industry, {}))}"
        )


def _kind(reason: str) -> str:
    """A reason without the words it names and its count, for counting."""
    return re.sub(r"(the words?|surname|context words) .*| ×[0-9]+$", r"\1 …", reason)


if __name__ == "__main__":
    main()
