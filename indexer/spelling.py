"""Did you mean: homophone and near-homophone typos (凌原 for 凌源, 凌刚 for 凌钢, 海棉铝 for 海绵铝).

People type Chinese through pinyin input methods, so their typos are mostly another character of the same
reading, or of a reading the IME's fuzzy pinyin confuses (l/n, an/ang, en/eng, in/ing …: `pinyin.near`).
For each unquoted word of a query that is not itself a word the articles use (a typed word found in
`MIN_REAL_DF` articles is meant as typed), the corrections are the index's vocabulary words (`lexicon`) that
read like the whole word or like a run of two to four of its characters, with one or two characters
changed; the likeliest few (by document frequency) are counted verbatim in the index (the evaluator, with the
query's filters), and the one found in most articles is suggested when it is found in at least `FAR` times
as many articles as the word typed. A query that finds nothing is then searched as corrected
(`search.Results.searched_instead`).

Queries that spell out their logic (OR, -, quotes) are taken as typed; so are queries typed in pinyin (the
pinyin reading already chose vocabulary words).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import itertools
import math
import pathlib
import re

import numpy as np

from . import analysis, execute, lexicon as lexicon_module, pinyin, plan
from .metadata import gazetteer, taxonomy
from .query import ParsedQuery, quote_words

# A typed word that is a word of at least this many articles is meant as typed.
MIN_REAL_DF = 5
# A typed word whose characters occur verbatim in at least this many articles is taken as meant (and the
# vocabulary is not even loaded for it: most compounds of frequent words, 经济发展, are no single word).
PLENTY = 20
# A correction is suggested when found in at least this many times as many articles as the typed word.
FAR = 5
CANDIDATES = 6  # corrections counted per word, the likeliest first
MAX_CHANGED = 2  # characters changed in a word
SPAN = 4  # the longest run of characters replaced by one vocabulary word (or the whole word, up to LONGEST)
LONGEST = 8
MAX_CHARS = 16  # longer words are not corrected
NEAR_COST = 2.5  # a near-homophone is this much less likely (log scale, e^2.5: 12 times) than a homophone
# A correction is less likely by this for one character changed, and for two: typing one wrong character is
# the common slip (an IME's whole wrong word is itself a word, and not corrected).
CHANGE_COSTS = {1: 2.5, 2: 7.5}
READING_COST = 3.0  # and a word's other readings than its likeliest, per step (as pinyin_query reads them)
BUDGET_SECONDS = 0.2  # for counting one text (a phrase of two to sixteen characters: milliseconds)


@dataclasses.dataclass
class Correction:
    """A better query: the query with some of its words corrected, and which ((typed, corrected), …)."""

    query: str
    changes: list[tuple[str, str]]


def correct(index, found) -> Correction | None:
    """The better query for the search `found` (the core's `_Found`: its parsed query, searcher, facet sets
    and total), or None when the query is fine as typed."""
    parsed: ParsedQuery = found.parsed
    if parsed.operators or getattr(found, "pinyin", None):
        return None
    searcher = found.searcher
    reader = searcher.reader()
    live: list = []

    def count(text: str) -> int:
        """In how many articles (of those the filters allow) `text` occurs verbatim."""
        if not live:
            allowed = found.sets.allowed(parsed.filters)
            live.append(found.sets.all if allowed is None else found.sets.all & allowed)
        node = plan.verbatim(text)
        if node is None:
            return 0
        budget = execute.Budget.of(BUDGET_SECONDS)  # the index's cache of posting lists, as its searches use
        return int((execute.run(node, searcher, budget, getattr(index, "postings", None)).matched & live[0]).sum())

    changes = []
    for word in parsed.positive_words:
        typed = analysis.stream(word.text)
        if (
            word.phrase
            or not 2 <= len(typed) <= MAX_CHARS
            or not analysis.HAN_RUN.fullmatch(typed)
            or reader.doc_frequency("words", typed) >= MIN_REAL_DF
        ):
            continue
        if typed in _names():
            continue  # a name of the data files (凌钢, 建平): meant as typed, even where no article has it
        typed_count = count(typed)
        if typed_count and ((typed_count >= PLENTY and found.total) or in_dictionary(typed)):
            continue  # found often, or a word of the dictionary that the articles use: meant as typed
        lexicon = lexicon_module.for_searcher(index, searcher)
        if typed_count and lexicon.is_name(typed):
            continue
        best = None
        as_typed = "".join(c for c in word.text if analysis.is_han(c))  # before folding: 著 is zhu, 着 is not
        for penalty, text, boost in candidates(lexicon, typed, as_typed)[:CANDIDATES]:
            n = count(text)
            if n and (best is None or math.log(n * boost) - penalty > best[0]):
                best = (math.log(n * boost) - penalty, n, text)
        if best is not None and best[1] >= FAR * typed_count:
            changes.append((word.text, best[2]))
    if not changes:
        return None
    query = parsed.text
    for typed, corrected in changes:
        query = _replace_word(query, typed, corrected)
    return Correction(query, changes) if query != parsed.text else None


def _replace_word(query: str, typed: str, corrected: str) -> str:
    """`query` with the first `typed` that stands as a word (or a filter's value) replaced by `corrected`."""
    return re.sub(rf"(^|[\s:：]){re.escape(typed)}(?=\s|$)", lambda m: m.group(1) + corrected, query, count=1)


def candidates(lexicon, typed: str, as_typed: str = "") -> list[tuple[float, str, int]]:
    """Corrections of `typed` (folded Chinese characters; `as_typed`: the same before folding, whose readings
    count too), likeliest first: (penalty, corrected text, weight of a name: `lexicon.NAME_WEIGHT`, else 1).

    A run of `typed` is replaced by a vocabulary word or name of the same reading (or a near one) that differs
    from it in one or two characters; the penalty counts the changes, a near reading, a rarer reading. They
    are ordered by the replacing word's weight in the lexicon less the penalty (log scale)."""
    found: dict[str, tuple[float, float, int]] = {}
    spans = [(i, j) for i in range(len(typed)) for j in range(i + 2, min(len(typed), i + SPAN) + 1)]
    if len(typed) <= LONGEST and (0, len(typed)) not in spans:
        spans.append((0, len(typed)))
    for i, j in spans:
        run = typed[i:j]
        for cost, key in _keys(run, as_typed[i:j] if len(as_typed) == len(typed) else run):
            for word, count, rank, name in lexicon.words_read(key, len(run)):
                changed = sum(a != b for a, b in zip(word, run))
                if 1 <= changed <= MAX_CHANGED:
                    text = typed[:i] + word + typed[j:]
                    penalty = cost + CHANGE_COSTS[changed] + READING_COST * rank
                    likelihood = math.log(lexicon_module.weight(count, name)) - penalty
                    if text not in found or likelihood > found[text][0]:
                        found[text] = (likelihood, penalty, lexicon_module.NAME_WEIGHT if name else 1)
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return [(penalty, text, boost) for text, (_, penalty, boost) in ranked]


@functools.cache
def _dictionary() -> np.ndarray:
    """The words of jieba's dictionary and of the user dictionary, 2 to `MAX_CHARS` characters, sorted."""
    spec = importlib.util.find_spec("jieba")  # its dictionary file, read without importing jieba
    assert spec and spec.submodule_search_locations, "jieba is a dependency"
    with (pathlib.Path(spec.submodule_search_locations[0]) / "dict.txt").open(encoding="utf-8") as lines:
        words = [w for line in lines if 2 <= len(w := line.split(" ", 1)[0]) <= MAX_CHARS]
    words += [w for w, _, _ in analysis.user_words()]
    return np.unique(np.array(words, dtype=np.str_))


@functools.cache
def _names() -> frozenset[str]:
    """The words of the data files — the user dictionary, the gazetteer, the industries and their keywords —
    checked before the larger dictionaries are read."""
    zones = {name for zone in gazetteer()[1] for name in (zone.name, zone.short, *zone.names, *zone.places)}
    industries = {word for name, words in taxonomy()[1].items() for word in (name, *words)}
    return frozenset(w for w, _, _ in analysis.user_words()) | {analysis.fold(w) for w in zones | industries}


def in_dictionary(word: str) -> bool:
    """Whether `word` is a word of jieba's dictionary or of the user dictionary (a real word, if rare here)."""
    words = _dictionary()
    at = int(np.searchsorted(words, np.array(word, dtype=words.dtype))) if len(word) <= MAX_CHARS else len(words)
    return at < len(words) and words[at] == word


def _keys(run: str, as_typed: str) -> list[tuple[float, str]]:
    """The readings of `run` as lookup keys, each with a cost: every combination of its characters' readings
    (and of the characters as typed), a rarer reading costing `READING_COST` a step; then near-homophones."""
    options = [
        list(enumerate(list(dict.fromkeys(pinyin.char_readings(t) + pinyin.char_readings(c)))[:6]))
        for c, t in zip(run, as_typed)
    ]
    if not all(options):
        return []
    keys: dict[str, float] = {}
    for combination in itertools.islice(itertools.product(*options), 36):
        key = " ".join(s for _, s in combination)
        keys[key] = min(keys.get(key, math.inf), READING_COST * sum(rank for rank, _ in combination))
    for key, cost in sorted(keys.items(), key=lambda item: item[1])[:2]:
        for other in pinyin.near(tuple(key.split())):
            keys.setdefault(" ".join(other), cost + NEAR_COST)
    return [(cost, key) for key, cost in keys.items()]


def literal_query(typed: str, corrected: str) -> str:
    """The query `typed` with the words that `corrected` changed quoted, so that it is searched as typed: the
    page's "search 凌原 anyway" link (a correction replaces whole words, so the words line up)."""
    before, after = typed.split(), corrected.split()
    if len(before) != len(after):
        return f'"{typed}"'
    changed = [re.sub(r"^[^:：]+[:：]", "", a) for a, b in zip(before, after) if a != b and '"' not in a]
    return quote_words(typed, changed)


def note(results) -> str | None:
    """What the command line says on stderr about a correction (None: nothing to say)."""
    if results.searched_instead:
        return (
            f"Showing results for {results.suggestion}: nothing was found for {results.searched_instead}. "
            f"To search for it anyway: search '{literal_query(results.searched_instead, results.suggestion)}'"
        )
    if results.suggestion:
        return f"Did you mean: {results.suggestion}"
    return None
