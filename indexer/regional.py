"""Regional word forms: mainland words and the words Taiwan and Hong Kong write instead (软件/軟體, 信息/資訊).

Folding (`analysis.fold`) makes 網絡 and 网络 one search key, but Taiwan writes other words: 軟體 for 软件,
網路 for 网络, 印表機 for 打印机. This module relates such words on their folded keys, in both directions: a
mainland word gives its Taiwan/Hong Kong forms, a Taiwan/Hong Kong word its mainland forms and their other
regional forms (計程車 → 出租车; 雷射 → 激光, 鐳射).

The pairs come from OpenCC's phrase dictionaries and from `data/regional_extra.tsv` (edited by hand).
`TWPhrases` maps mainland words (in traditional script) to Taiwan's, `TWPhrasesRev` the other way round (it
adds Hong Kong's 的士); `HKVariantsPhrases`, `HKVariantsRevPhrases` and `TWVariantsRevPhrases` hold character
variants (一口喫成, 大欖涌) that folding already unifies, and the character tables (`TWVariants`, `HKVariants`)
relate single characters, which folding handles. A pair is kept unless

* folding already makes its two forms one key;
* either form is a single character (硅/矽, 端口/埠): it would expand every word that contains it;
* one form is also a common word on the other side, where it means something else. Judged on real text, the
  document counts in `data/regional_usage.tsv` (mainland news, Taiwan gazette; `benchmarks/regional.py`): the
  mainland form is in at least a tenth as many gazette documents as the Taiwan form (項目 "item", 程序
  "procedure", 通過 "pass a bill"), or the Taiwan form in at least a tenth as many news documents as the
  mainland form (建立, 執行, 資料 "materials"), in 10 documents or more;
* searched as a string, a form mostly finds other words: it straddles a boundary of jieba's words in over half
  of its occurrences (进制 in 引进制度, 的士 in 目的士兵, 合同 in 符合同法) in the news, or, for the mainland
  form, in the gazette;
* `regional_extra.tsv` removes it: mainland words whose everyday sense the Taiwan term lacks, read in news
  contexts (刷新 breaks records, 调试 commissions machines: 重新整理 and 除錯 only refresh and debug).

Run `python -m indexer.regional` after upgrading OpenCC or editing the extra file; a test checks the shipped
table is current.
"""

from __future__ import annotations

import functools
import itertools
import pathlib
from collections.abc import Iterator
from typing import NamedTuple

from . import analysis

DATA = pathlib.Path(__file__).with_name("data")
TABLE = DATA / "regional.tsv"
EXTRA = DATA / "regional_extra.tsv"
USAGE = DATA / "regional_usage.tsv"
# (dictionary, True when its keys are the mainland forms)
OPENCC_PHRASES = (
    ("TWPhrases", True),
    ("TWPhrasesRev", False),
    ("HKVariantsPhrases", True),
    ("HKVariantsRevPhrases", False),
    ("TWVariantsRevPhrases", False),
)
SHARE = 10  # "common on the other side": at least 1/SHARE of the documents of the word it replaces...
MIN_DOCUMENTS = 10  # ...and at least this many documents
MIN_SAMPLED = 5  # occurrences needed to judge word boundaries


# ------------------------------------------------------------------------------------------- the table


class Match(NamedTuple):
    """A regional word found in a folded text: `text[start:end]` and its other forms (folded)."""

    start: int
    end: int
    variants: tuple[str, ...]


class _Relations(NamedTuple):
    variants: dict[str, tuple[str, ...]]
    written: dict[str, str]
    starts: frozenset[str]  # the first two characters of every word: most positions of a text start none
    longest: int


@functools.cache
def _relations() -> _Relations:
    """The shipped table as folded word → other forms, and folded word → the word as its region writes it."""
    mainland: dict[str, set[str]] = {}  # mainland key → its regional keys
    regional: dict[str, set[str]] = {}  # regional key → its mainland keys
    written: dict[str, str] = {}
    for ours, theirs in read_pairs(TABLE):
        m, t = analysis.fold(ours), analysis.fold(theirs)
        mainland.setdefault(m, set()).add(t)
        regional.setdefault(t, set()).add(m)
        written.setdefault(m, ours)
        written[t] = theirs  # a word written on both sides is shown as Taiwan writes it
    variants: dict[str, set[str]] = {}
    for m, forms in mainland.items():
        variants.setdefault(m, set()).update(forms)
    for t, forms in regional.items():
        # the mainland forms, and their other regional forms (雷射 → 激光 → 鐳射)
        variants.setdefault(t, set()).update(forms, *(mainland[m] for m in forms))
    table = {word: tuple(sorted(forms - {word})) for word, forms in variants.items()}
    return _Relations(table, written, frozenset(w[:2] for w in table), max(map(len, table), default=0))


def variants(folded_word: str) -> tuple[str, ...]:
    """The other regional forms (folded) of a folded word; empty if it has none.

    >>> variants(analysis.fold("軟體"))
    ('软件',)
    """
    return _relations().variants.get(folded_word, ())


def written(folded_word: str) -> str:
    """A folded regional word as its region writes it (软体 → 軟體, 软件 → 软件); other text unchanged."""
    return _relations().written.get(folded_word, folded_word)


def expand(folded_text: str) -> list[Match]:
    """The regional words in a folded text, leftmost-longest and not overlapping, with their other forms."""
    table, _, starts, longest = _relations()
    found = []
    at = 0
    while at < len(folded_text) - 1:
        if folded_text[at : at + 2] not in starts:
            at += 1
            continue
        for size in range(min(longest, len(folded_text) - at), 1, -1):
            forms = table.get(folded_text[at : at + size])
            if forms:
                found.append(Match(at, at + size, forms))
                at += size
                break
        else:
            at += 1
    return found


def alternatives(text: str, limit: int = 4) -> tuple[str, ...]:
    """Up to `limit` other forms of the whole `text`, each regional word replaced by another form as its region
    writes it and the rest of `text` kept as typed: 信息安全 → 資訊安全. The forms that replace every regional
    word come first, then those that keep one as typed, and so on. Empty when `text` holds no regional word.

    >>> alternatives("激光打印机", limit=3)
    ('鐳射印表機', '雷射印表機', '激光印表機')
    """
    return tuple(itertools.islice(_alternatives(text), limit))


def _alternatives(text: str) -> Iterator[str]:
    found = expand(analysis.fold(text))
    between = [text[a.end : b.start] for a, b in zip([Match(0, 0, ()), *found], [*found, Match(len(text), 0, ())])]
    others = [[written(form) for form in match.variants] for match in found]
    for kept in range(len(found)):
        for keep in itertools.combinations(range(len(found)), kept):
            options = [[text[m.start : m.end]] if i in keep else others[i] for i, m in enumerate(found)]
            for choice in itertools.product(*options):
                yield between[0] + "".join(word + rest for word, rest in zip(choice, between[1:]))


# ------------------------------------------------------------------------------------------ generating


def read_pairs(path: pathlib.Path) -> Iterator[tuple[str, str]]:
    """(mainland, regional) word pairs of a table file, as written; lines starting with `-` are skipped."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "-")):
            ours, _, theirs = line.partition("\t")
            for form in theirs.split():
                yield ours, form


def _opencc_pairs() -> Iterator[tuple[str, str]]:
    """(mainland, regional) pairs from OpenCC's phrase dictionaries, the mainland form in simplified script."""
    import opencc

    folder = pathlib.Path(opencc.__file__).with_name("dictionary")
    simplified = opencc.OpenCC("t2s").convert
    for name, keys_are_mainland in OPENCC_PHRASES:
        for line in (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            for value in values.split():
                ours, theirs = (key, value) if keys_are_mainland else (value, key)
                yield simplified(ours), theirs


def _removed() -> set[tuple[str, str]]:
    """The folded pairs `regional_extra.tsv` removes."""
    lines = EXTRA.read_text(encoding="utf-8").splitlines()
    pairs = (line[1:].split("\t") for line in lines if line.startswith("-"))
    return {(analysis.fold(ours), analysis.fold(theirs)) for ours, theirs in pairs}


def candidates() -> dict[tuple[str, str], tuple[str, str]]:
    """Every pair from OpenCC and the extra file whose forms fold apart: folded pair → pair as written."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for ours, theirs in itertools.chain(_opencc_pairs(), read_pairs(EXTRA)):
        key = analysis.fold(ours), analysis.fold(theirs)
        if key[0] != key[1]:
            found.setdefault(key, (ours, theirs))
    return found


class Usage(NamedTuple):
    """How a folded word is used in real text (`data/regional_usage.tsv`)."""

    news: int = 0  # mainland news documents containing it
    gazette: int = 0  # Taiwan gazette documents containing it
    news_sampled: int = 0  # its occurrences in the news looked at...
    news_straddling: int = 0  # ...and how many cross a boundary of jieba's words around them
    gazette_sampled: int = 0  # the same in the gazette
    gazette_straddling: int = 0


def read_usage(path: pathlib.Path = USAGE) -> dict[str, Usage]:
    """The measured usage of each word, by folded word."""
    usage = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, *counts = line.split("\t")
            usage[word] = Usage(*map(int, counts))
    return usage


def judge(mainland: str, regional: str, usage: dict[str, Usage]) -> str | None:
    """Why a folded pair is not kept (see the module's docstring), or None to keep it."""
    if min(len(mainland), len(regional)) < 2:
        return "single character"
    ours, theirs = usage.get(mainland, Usage()), usage.get(regional, Usage())
    if ours.gazette >= max(MIN_DOCUMENTS, theirs.gazette / SHARE):
        return "mainland form common in Taiwan text"
    if theirs.news >= max(MIN_DOCUMENTS, ours.news / SHARE):
        return "regional form common in mainland text"
    # jieba's dictionary is the mainland's: in Taiwan text it cuts Taiwan's own words unreliably.
    for sampled, straddling in (
        (ours.news_sampled, ours.news_straddling),
        (ours.gazette_sampled, ours.gazette_straddling),
        (theirs.news_sampled, theirs.news_straddling),
    ):
        if sampled >= MIN_SAMPLED and 2 * straddling > sampled:
            return "mostly inside other words"
    return None


def build_table(usage: dict[str, Usage] | None = None) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The pairs to ship, as written and sorted by folded form, and how many were dropped for each reason."""
    usage = read_usage() if usage is None else usage
    removed = _removed()
    kept: list[tuple[str, str]] = []
    dropped: dict[str, int] = {}
    for key, pair in sorted(candidates().items()):
        reason = "removed by regional_extra.tsv" if key in removed else judge(*key, usage)
        if reason:
            dropped[reason] = dropped.get(reason, 0) + 1
        else:
            kept.append(pair)
    return kept, dropped


def write_table(path: pathlib.Path = TABLE) -> tuple[int, dict[str, int]]:
    """Write `mainland<TAB>regional` lines; return the number of pairs and the drops by reason."""
    kept, dropped = build_table()
    header = (
        "# Generated by `python -m indexer.regional` from OpenCC's phrase dictionaries and regional_extra.tsv;"
        " do not edit by hand.\n# mainland<TAB>Taiwan/Hong Kong form, each as its region writes it\n"
    )
    path.write_text(header + "".join(f"{ours}\t{theirs}\n" for ours, theirs in kept), encoding="utf-8")
    return len(kept), dropped


if __name__ == "__main__":
    count, dropped = write_table()
    print(f"{count} pairs written to {TABLE}; dropped: " + ", ".join(f"{n} {why}" for why, n in dropped.items()))
    unmeasured = {w for pair in candidates() for w in pair} - read_usage().keys()
    if unmeasured:
        print(f"{len(unmeasured)} words have no usage counts: run `python benchmarks/regional.py usage`")
