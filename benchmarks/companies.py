"""How company and project names hold on general news: extraction over a slice of a JSON Lines corpus.

Not a test: it prints figures (names per article, distinct names, the most named, the cost per article) and,
for judging by hand, a random sample of extracted names, each with the sentence it was found in. Corpus text
goes to stdout only; never commit what it prints.

    python benchmarks/companies.py /work/shared/corpus/news_zh.jsonl.xz                   # lines 0–10,000
    python benchmarks/companies.py CORPUS --start 40000 --docs 10000 --seed 2             # held out
    python benchmarks/companies.py CORPUS --sample 50 --rejected 30                       # and rejections
"""

from __future__ import annotations

import argparse
import pathlib
import random
import re
import sys
import time
from collections import Counter

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks.tags import read
from indexer import analysis
from indexer.companies import CompanyTags, extract_companies
from indexer.mentions import Text, prepare
from indexer.zones import extract_zones


def context(text: Text, name: str, width: int = 30) -> str:
    """The name's first occurrence in `text` with `width` characters either side (quantities left out of a
    project's name are not in it: then its suffix's last occurrence)."""
    shown = analysis.simplify(text.shown).replace("(", "（").replace(")", "）")
    at = shown.find(name)
    if at < 0:
        at = max(0, shown.find(name[-2:]) - len(name))
    return shown[max(0, at - width) : at + len(name) + width]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=pathlib.Path)
    parser.add_argument("--start", type=int, default=0, help="first line (0-based)")
    parser.add_argument("--docs", type=int, default=10_000, help="number of lines")
    parser.add_argument("--sample", type=int, default=50, help="extracted names to print for judging")
    parser.add_argument("--rejected", type=int, default=0, help="rejected candidates to print")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the samples")
    parser.add_argument("--top", type=int, default=20, help="most named names to list")
    args = parser.parse_args()

    articles = read(args.corpus, args.start, args.docs)
    # The indexer segments each text once and passes the spans to every extractor: segment outside the
    # timing, as it does.
    texts = [(prepare(a.title), prepare(a.body)) for a in articles]
    zoned = [bool(extract_zones(title, body).zones) for title, body in texts]  # as metadata.extract does
    extract_companies(prepare("凌钢集团"), prepare("辽宁华锐新材料有限公司"))  # loads the rules
    started = time.perf_counter()
    found: list[CompanyTags] = [
        extract_companies(title, body, about_zone) for (title, body), about_zone in zip(texts, zoned)
    ]
    seconds = time.perf_counter() - started
    chars = sum(len(body.shown) for _, body in texts)
    print(
        f"{len(articles)} articles, lines {args.start}–{args.start + len(articles)} of {args.corpus.name}; "
        f"extraction {seconds / len(articles) * 1000:.3f} ms per article "
        f"({seconds / chars * 1e6 * 1000:.1f} µs per 1,000 characters)"
    )

    per_article = Counter(n for tags in found for n in tags.names)
    how = Counter(
        "dictionary" if set(tags.evidence[n]) == {"dictionary"} else "suffix" for tags in found for n in tags.names
    )
    kinds = Counter(_kind(n) for tags in found for n in tags.names)
    named = sum(bool(tags.names) for tags in found)
    total = sum(per_article.values())
    print(f"{sum(zoned)} articles about a zone")
    print(
        f"{total} names on {named} articles ({total / len(articles):.2f} per article, "
        f"{total / max(named, 1):.2f} per article that names one); {len(per_article)} distinct names"
    )
    print(f"  found by: {dict(how)}; kinds: {dict(kinds)}")
    rejected = Counter(_reason(why) for tags in found for _, why in tags.rejected)
    print(f"  rejected candidates (distinct per article): {sum(rejected.values())}")
    for reason, n in rejected.most_common():
        print(f"    {n:6d}  {reason}")

    print(f"\n## The {args.top} names most articles name")
    for name, n in per_article.most_common(args.top):
        print(f"  {n:5d}  {name}")

    pairs = [(i, n) for i, tags in enumerate(found) for n in tags.names]
    rng = random.Random(args.seed)
    print(f"\n## A random sample of {min(args.sample, len(pairs))} extracted names (seed {args.seed})")
    for k, (i, name) in enumerate(rng.sample(pairs, min(args.sample, len(pairs))), 1):
        title, body = texts[i]
        text = body if name in analysis.simplify(body.shown) or name not in analysis.simplify(title.shown) else title
        print(
            f"{k:3d}. {name}  [{', '.join(found[i].evidence[name])}]  {articles[i].id}\n       …{context(text, name)}…"
        )
    if args.rejected:
        losses = [(i, n, why) for i, tags in enumerate(found) for n, why in tags.rejected]
        print(f"\n## A random sample of {min(args.rejected, len(losses))} rejected candidates")
        for i, name, why in rng.sample(losses, min(args.rejected, len(losses))):
            print(f"  {name}: {why}  ({articles[i].id})")


def _kind(name: str) -> str:
    return next((s for s in ("项目", "公司", "集团", "厂", "合作社", "股份") if name.endswith(s)), "dictionary")


def _reason(reason: str) -> str:
    """A reason without the words it quotes and its count, for counting."""
    reason = re.sub(r" ×[0-9]+$", "", reason)
    return re.sub(r"(not a name: ).*( before ).*|(before ).*(, no proper name)", r"\1…\2…\3…\4", reason)


if __name__ == "__main__":
    main()
