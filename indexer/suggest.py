"""Suggestions as you type: completions of what is typed so far, in characters (`凌`, `喀左经`), in pinyin
(`ling`, `kaz`, `ling yuan`) or as the initials of a name (`lyjj` → 凌源经济开发区).

Completions come from the index's own vocabulary (`lexicon.Lexicon`): the zones' names and places of the
gazetteer, company names (the company facet's values), the archive's words and headline phrases, and its
headlines; ranked by kind (in `lexicon.KINDS` order: names first), then by how the text matched (characters
or full pinyin before initials), then by frequency, with a few of each kind at most so that every kind has a
place, the rest filling up to the limit. Words of one character are never suggested.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from . import analysis, lexicon as lexicon_module
from .errors import SearchError
from .lexicon import COMPANY, HEADLINE, KINDS, PHRASE, PLACE, WORD, ZONE
from .pinyin_input import parse_prefix

LIMIT = 10
MAX_CHARS = 64
# At most this many suggestions of each kind come first; the others fill the rest.
PER_KIND = {ZONE: 3, PLACE: 3, COMPANY: 3, WORD: 5, PHRASE: 3, HEADLINE: 2}
PARSES = 4  # readings of typed pinyin tried
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f0-5' ]+$")
_INITIALS = re.compile(r"^[A-Za-z]{2,}$")
_TEXT, _PINYIN, _INITIAL = 0, 0, 1  # how a completion matched: its characters or pinyin, or its initials


@dataclasses.dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # one of lexicon.KINDS


def check(prefix: str) -> str:
    """The prefix to complete, stripped; raises SearchError for one that cannot be completed."""
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in prefix):
        raise SearchError("The text to complete contains control characters.")
    text = " ".join(prefix.split())
    if not text:
        raise SearchError("Give the beginning of a query to complete, e.g. q=凌 or q=ling.")
    if len(text) > MAX_CHARS:
        raise SearchError(
            "The text to complete is too long ({length} characters; at most {limit}).",
            length=len(text),
            limit=MAX_CHARS,
        )
    return text


def suggest(index, prefix: str, limit: int = LIMIT) -> list[Suggestion]:
    """Up to `limit` completions of `prefix` (the start of a query), best first. Words typed before the last
    one are kept as typed: `凌源 经` → `凌源 经济开发区`."""
    text = check(prefix)
    lexicon = lexicon_module.for_searcher(index)
    head, found = "", _complete(lexicon, text)
    if not any(len(ids) for (ids, _), _ in found) and " " in text:
        head, last = text.rsplit(" ", 1)
        head, found = head + " ", _complete(lexicon, last)
    return [Suggestion(head + t, KINDS[k]) for t, k in _ranked(lexicon, found, limit)]


def _complete(lexicon, text: str) -> list[tuple[tuple[np.ndarray, np.ndarray], int]]:
    """The entries completing `text`, as (entry numbers, ranks of the readings matched) with how they matched."""
    folded = analysis.fold(text)
    if any(analysis.is_han(c) for c in folded):
        folded = folded.replace(" ", "")  # 凌源 经 → 凌源经济开发区 (else the last word is completed)
        return [(lexicon.by_text.prefix(folded), _TEXT), (lexicon.by_headline.prefix(folded), _TEXT)]
    found = []
    if _LATIN.match(text):
        for syllables, partial in parse_prefix(text)[:PARSES]:
            key = " ".join(syllables + ((partial,) if partial else ()))
            if partial:
                found.append((lexicon.by_key.prefix(key), _PINYIN))
            else:  # the last syllable typed whole (a space or tone number after it): no longer syllable
                found += [(lexicon.by_key.exact(key), _PINYIN), (lexicon.by_key.prefix(key + " "), _PINYIN)]
    if _INITIALS.match(text):
        found.append((lexicon.by_initials.prefix(text.lower()), _INITIAL))
    if not any(len(ids) for (ids, _), _ in found):  # Latin words of headlines
        found.append((lexicon.by_headline.prefix(folded), _TEXT))
    return found


def _ranked(lexicon, found: list[tuple[tuple[np.ndarray, np.ndarray], int]], limit: int) -> list[tuple[str, int]]:
    """The best `limit` distinct texts of the entries found: by kind, how they matched (a rarer reading of a
    polyphonic character after the likeliest), then frequency."""
    candidates: list[tuple[int, int, int, int]] = []  # (kind, how, -count, entry)
    for (ids, ranks), how in found:
        if not len(ids):
            continue
        order = np.lexsort((ranks, ids))  # each entry once, by its likeliest reading matched
        ids, ranks = ids[order], ranks[order]
        first = np.ones(len(ids), dtype=bool)
        first[1:] = ids[1:] != ids[:-1]
        ids, ranks = ids[first], ranks[first]
        kinds, counts = lexicon.kinds[ids], lexicon.counts[ids]
        for kind in PER_KIND:
            mine = kinds == kind
            if not mine.any():
                continue
            chosen, chosen_counts, chosen_ranks = ids[mine], counts[mine], ranks[mine]
            keep = 4 * limit  # enough to fill the list after dropping duplicates and single characters
            if len(chosen) > keep:
                top = np.lexsort((-chosen_counts, chosen_ranks > 0))[:keep]
                chosen, chosen_counts, chosen_ranks = chosen[top], chosen_counts[top], chosen_ranks[top]
            candidates += [
                (kind, 2 * how + (r > 0), -n, i)
                for i, n, r in zip(chosen.tolist(), chosen_counts.tolist(), chosen_ranks.tolist())
            ]
    candidates.sort()
    seen: set[str] = set()
    first_texts: list[tuple[str, int]] = []
    rest: list[tuple[str, int]] = []
    taken = dict.fromkeys(PER_KIND, 0)
    for kind, _, _, i in candidates:
        text = lexicon.text(i)
        if text in seen or (kind == WORD and len(text) < 2):
            continue
        seen.add(text)
        if taken[kind] < PER_KIND[kind]:
            taken[kind] += 1
            first_texts.append((text, kind))
        else:
            rest.append((text, kind))
    return (first_texts + rest)[:limit]
