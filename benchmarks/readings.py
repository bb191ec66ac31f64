"""Speed of `indexer.pinyin.readings` on real words, beside pypinyin's own API on the same words.

    python benchmarks/readings.py /work/shared/corpus/news_zh.jsonl.xz --docs 2000

The words are the distinct jieba words (`indexer.analysis.words`) of the first `--docs` articles, what an
index's vocabulary holds. Each figure is the best of `--repeats` passes with every cache emptied, so each
word is read as at index time: once. Prints figures only (JSON), never a word of the corpus.
"""

from __future__ import annotations

import argparse
import itertools
import json
import lzma
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from indexer import pinyin
from indexer.analysis import words


def vocabulary(corpus: str, docs: int) -> list[str]:
    opener = lzma.open if corpus.endswith(".xz") else open
    found: dict[str, None] = {}
    with opener(corpus, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, docs):
            record = json.loads(line)
            found.update(dict.fromkeys(words(record.get("title", "") + "\n" + record["body"])))
    return list(found)


def per_second(vocab: list[str], read, clear, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        clear()
        start = time.perf_counter()
        for word in vocab:
            read(word)
        best = min(best, time.perf_counter() - start)
    return round(len(vocab) / best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from pypinyin import Style, lazy_pinyin, pinyin as pypinyin_heteronyms

    vocab = vocabulary(args.corpus, args.docs)
    pinyin.readings("预热")  # loads the tables once, as a long-running indexer has
    caches = (pinyin._readings, pinyin._phrase_slots)

    def clear():
        for cache in caches:
            cache.cache_clear()

    figures = {
        "words": len(vocab),
        "readings_per_s": per_second(vocab, pinyin.readings, clear, args.repeats),
        "first_reading_per_s": per_second(vocab, lambda w: pinyin.readings(w, 1), clear, args.repeats),
        "pypinyin_lazy_pinyin_per_s": per_second(vocab, lazy_pinyin, lambda: None, args.repeats),
        "pypinyin_heteronym_per_s": per_second(
            vocab, lambda w: pypinyin_heteronyms(w, style=Style.NORMAL, heteronym=True), lambda: None, args.repeats
        ),
        "mean_readings_per_word": round(sum(len(pinyin.readings(w)) for w in vocab) / len(vocab), 2),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
