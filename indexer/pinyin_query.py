"""Pinyin queries: words typed in pinyin (`lingyuan`, `Ling Yuan`, `líng yuán`, `凌yuan`) searched as the
indexed words they read as.

A typed word whose Latin letters parse as pinyin (`pinyin_input`) is read against the index's own
vocabulary (`lexicon.Lexicon`): its syllables are cut into vocabulary words whose readings match (all
readings of polyphonic characters), the likeliest cut first — each word's likelihood its document frequency,
a syllable read as a character alone heavily penalised, a worse parse of the letters (`xian` as xi an) a
little. Consecutive words typed apart (`Ling Yuan`, `beipiao jingjikaifaqu`) are read together; Chinese
characters typed among the letters match as themselves. A Latin word that is a word of the articles (`nature`)
is searched as itself unless its reading is far more frequent. Quoted words are never read as pinyin: a
quoted `"lingyuan"` searches the letters.

The rewrite replaces the words of the parsed query before it is compiled, so the one query path evaluates
it, highlights the characters and counts the facets; `rewrite` says what it did for the page.

>>> # rewrite(index, searcher, parse("lingyuan")) → {"typed": "lingyuan", "searched": ["凌源"]}
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import re

from . import analysis, execute, lexicon as lexicon_module, pinyin, plan
from .pinyin_input import parse, tokens
from .query import ParsedQuery, Word, quote_words

# A syllable read as a character on its own costs as much as a word found in 1 article in e^8 (~3,000):
# a cut into words wins over characters unless the words are very rare.
SINGLE_COST = 8.0
# A word read by another than its likeliest reading costs this per step down its readings: e^3, 20 times
# less likely (the other readings of polyphonic characters are mostly rare: 接受 read jie dao).
READING_COST = 3.0
# Each step down the ranked parses of the typed letters (ling yuan → ling yu an) costs this (e^2: 7 times
# less likely).
PARSE_COST = 2.0
PARSES = 3  # parses tried per run of letters
COMBINATIONS = 8  # parses of several runs of letters tried together
BEST = 4  # cuts kept per position
LONGEST = 8  # characters of the longest word a cut may use, but for the whole text typed
# Other readings are searched as well (an OR) when at least this likely beside the first, up to this many.
ALTERNATIVE_SHARE = 0.3
MAX_ALTERNATIVES = 3
# A Latin word of the articles is searched as itself when its document frequency is at least this share of
# the pinyin reading's.
LITERAL_SHARE = 0.2
# A word's verbatim count (is it typed as the articles write it?) is given this long at most.
LITERAL_SECONDS = 0.2
_LETTER = re.compile("[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]")


@dataclasses.dataclass(frozen=True)
class Reading:
    """Typed pinyin read as indexed words: the characters, how unlikely (lower is better) and the document
    frequency of its rarest word."""

    text: str
    cost: float
    df: int


def is_pinyin(word: Word) -> bool:
    """Whether a word of a query may be typed pinyin: unquoted, with letters, each run of letters pinyin."""
    if word.phrase or not _LETTER.search(word.text):
        return False
    return all(not isinstance(t, str) or analysis.is_han(t) for t in tokens(word.text))


def read(lexicon: lexicon_module.Lexicon, typed: str) -> list[Reading]:
    """The ways to read `typed` (pinyin, maybe with characters) as the lexicon's words, likeliest first."""
    items = tokens(typed)
    if not any(isinstance(t, list) for t in items):
        return []
    lookups: dict = {}
    found: dict[str, Reading] = {}
    for penalty, slots in _combinations(items):
        for cost, words in _cuts(lexicon, slots, lookups):
            text = "".join(w for w, _ in words)
            if max(len(w) for w, _ in words) < 2:  # characters one by one: no reading, just noise
                continue
            reading = Reading(text, cost + penalty, min(df for _, df in words))
            if text not in found or reading.cost < found[text].cost:
                found[text] = reading
    return sorted(found.values(), key=lambda r: (r.cost, r.text))


def _combinations(items: list) -> list[tuple[float, list[tuple[str, str]]]]:
    """The typed items as slots — ("han", character) or ("syllable", s) — for the best few combinations of
    the parses of each run of letters, with the cost of the parses chosen."""
    choices = [
        [(0, [("han", analysis.fold(t))])]
        if isinstance(t, str)
        else [(rank, [("syllable", s) for s in parse]) for rank, parse in enumerate(t[:PARSES])]
        for t in items
    ]
    combos = heapq.nsmallest(COMBINATIONS, itertools.product(*choices), key=lambda c: sum(rank for rank, _ in c))
    return [(PARSE_COST * sum(rank for rank, _ in combo), [s for _, slots in combo for s in slots]) for combo in combos]


def _cuts(lexicon, slots: list[tuple[str, str]], lookups: dict) -> list[tuple[float, tuple]]:
    """The `BEST` cheapest cuts of the slots into words: (cost, ((word, df), …))."""
    n = len(slots)
    best: list[list[tuple[float, tuple]]] = [[] for _ in range(n + 1)]
    best[0] = [(0.0, ())]
    log_docs = math.log(lexicon.docs)
    for start in range(n):
        if not best[start]:
            continue
        ends = range(start + 1, min(n, start + LONGEST) + 1)
        if start == 0 and LONGEST < n <= lexicon_module.MAX_CHARS:
            ends = range(start + 1, n + 1)  # a long name (凌源钢铁集团有限公司) typed whole
        for end in ends:
            for word, df, rank, name in _words(lexicon, tuple(slots[start:end]), lookups):
                if name and end - start == n:  # a name typed whole weighs more; as part of a longer text, not
                    df = lexicon_module.weight(df, name)
                cost = log_docs - math.log(df + 0.5) + READING_COST * rank
                if len(word) == 1 and slots[start][0] == "syllable":
                    cost += SINGLE_COST
                for spent, words in best[start]:
                    best[end].append((spent + cost, (*words, (word, df))))
            if best[end]:
                best[end] = heapq.nsmallest(BEST, best[end], key=lambda c: c[0])
    return best[n]


def _words(lexicon, span: tuple[tuple[str, str], ...], lookups: dict) -> list[tuple[str, int, int, bool]]:
    """The lexicon's words and names matching a span of slots (its syllables read, its characters as typed):
    (text, document frequency, rank of the reading, whether it is a name)."""
    if span in lookups:
        return lookups[span]
    if len(span) == 1 and span[0][0] == "han":
        char = span[0][1]
        found = [(char, max(1, lexicon.df(char)), 0, False)]  # a typed character is itself, a word or not
    else:
        options = [(s,) if kind == "syllable" else pinyin.char_readings(s)[:4] or ("",) for kind, s in span]
        found_by_word: dict[str, tuple[str, int, int, bool]] = {}
        for syllables in itertools.islice(itertools.product(*options), 16):
            for word, df, rank, name in lexicon.words_read(" ".join(syllables), len(span)):
                if all(kind == "syllable" or word[i] == s for i, (kind, s) in enumerate(span)) and (
                    word not in found_by_word or rank < found_by_word[word][2]
                ):
                    found_by_word[word] = (word, df, rank, name)
        found = list(found_by_word.values())
    lookups[span] = found
    return found


def rewrite(index, searcher, parsed: ParsedQuery) -> dict | None:
    """Replace in `parsed` the words typed in pinyin by the indexed words they read as (an OR of the likeliest
    few); {"typed": the words as typed, "searched": the words searched} when any was, else None. The lexicon
    is loaded only for a query with pinyin in it."""
    if not any(is_pinyin(w) for w in parsed.positive_words + parsed.excluded):
        return None
    lexicon = lexicon_module.for_searcher(index, searcher)
    reader = searcher.reader()
    cache: dict[str, list[Reading]] = {}
    counts: dict[tuple[str, bool], int] = {}
    typed: list[str] = []
    searched: list[str] = []

    def read_once(text: str) -> list[Reading]:
        if text not in cache:
            cache[text] = read(lexicon, text)
        return cache[text]

    def verbatim(text: str, title: bool) -> int:
        """In how many articles `text` occurs verbatim."""
        if (text, title) not in counts:
            node = plan.verbatim(text, title)
            budget = execute.Budget.of(LITERAL_SECONDS)
            counts[text, title] = int(execute.run(node, searcher, budget).matched.sum()) if node else 0
        return counts[text, title]

    def literal(word: Word) -> int:
        """In how many articles `word` occurs as typed: as a word, else verbatim (a piece of a Latin word
        that reads as pinyin, `namin` of Benjamin, `BA` of NBA: a string of the articles must find them)."""
        return reader.doc_frequency("words", analysis.fold(word.text)) or verbatim(word.text, word.field == "title")

    def joins(word: Word) -> bool:
        """Whether `word` is pinyin to read with its neighbours: not itself a word of the articles as frequent
        as its own reading (such a word breaks a run: `nature lingyuan`). One syllable always joins (`Jian
        Ping`): as a Latin word of the articles it is mostly pinyin too."""
        if not is_pinyin(word):
            return False
        if not literal(word) or [len(p) for p in parse(word.text, 1)] == [1]:
            return True
        found = read_once(word.text)
        return bool(found) and literal(word) < LITERAL_SHARE * found[0].df

    def replaced(words: list[Word], most: int = MAX_ALTERNATIVES) -> list[Word]:
        """The words to search for `words` typed together ([]: search them as typed)."""
        found = read_once(" ".join(w.text for w in words))
        if not found or ((least := min(map(literal, words))) > 0 and least >= LITERAL_SHARE * found[0].df):
            return []
        # A word that occurs as typed (verbatim) is searched as typed too, so that what occurs in an article
        # finds it; alone, when its reading is not found verbatim as often (namin在电影节: 那民在电影节).
        title = words[0].field == "title"
        kept = [words[0]] if len(words) == 1 and least and words[0].text != found[0].text else []
        if kept and least >= LITERAL_SHARE * verbatim(found[0].text, title):
            return []
        chosen = [r.text for r in found[:most] if math.exp(found[0].cost - r.cost) >= ALTERNATIVE_SHARE]
        typed.extend(w.text for w in words)
        searched.extend(chosen)
        return [Word(t, field=words[0].field) for t in chosen] + kept

    groups: list[list[Word]] = []
    i = 0
    while i < len(parsed.groups):
        end = i  # a run of single words typed in pinyin (in the same field) is read together
        while (
            end < len(parsed.groups)
            and len(parsed.groups[end]) == 1
            and joins(parsed.groups[end][0])
            and parsed.groups[end][0].field == parsed.groups[i][0].field
        ):
            end += 1
        if end > i:
            run = [g[0] for g in parsed.groups[i:end]]
            groups += [new] if (new := replaced(run)) else [[w] for w in run]
            i = end
        else:  # an OR group: each word alone
            groups.append([n for w in parsed.groups[i] for n in (is_pinyin(w) and replaced([w])) or [w]])
            i += 1
    excluded = [n for w in parsed.excluded for n in (is_pinyin(w) and replaced([w], 1)) or [w]]
    if not searched:
        return None
    parsed.groups, parsed.excluded = groups, excluded
    return {"typed": " ".join(typed), "searched": searched}


def literal_query(query: str, typed: list[str]) -> str:
    """`query` with each of the `typed` words quoted (no pinyin reading, no correction): the page's "search
    lingyuan instead" link."""
    return quote_words(query, typed)


def note(results) -> str | None:
    """What the command line says on stderr about a pinyin reading (None: nothing to say)."""
    if not results.pinyin:
        return None
    typed = results.pinyin["typed"]
    return (
        f"Searched by pinyin: {' / '.join(results.pinyin['searched'])} for {typed}. "
        f"To search for {typed} itself: search '{literal_query(results.query, typed.split())}'"
    )
