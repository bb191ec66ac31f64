"""Where names occur as words: a name counts only where it starts and ends on jieba's word boundaries.

A name may span several words (凌源/经济/开发区) but may not start or end inside one: 建平 in 翁建平 or
across 福建/平潭, 化工 across 标准化/工作. Matching is on folded text, so either script counts alike;
what a rejected match was inside of is quoted from the article's own (cleaned) text.

>>> text = prepare("福建平潭与建平县")
>>> found, rejected = find(matcher(("建平", "建平县")), text)
>>> [(m.name, m.start) for m in found], [(m.name, reason(m, text)) for m in rejected]
([('建平县', 5)], [('建平', 'across the words 福建/平潭')])
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from collections import Counter
from collections.abc import Sequence

from .analysis import clean, fold, word_spans


@dataclasses.dataclass(frozen=True)
class Text:
    """One field of an article ready for matching: its cleaned text, folded key and jieba's word edges."""

    shown: str
    folded: str
    edges: frozenset[int]  # every offset where a word starts or ends
    starts: tuple[int, ...]  # each word's start, ascending (to find the words around an offset)


@dataclasses.dataclass(frozen=True)
class Mention:
    """One occurrence of a name in a text (offsets in the text's folded key, which are its cleaned text's)."""

    name: str
    start: int
    end: int


def prepare(text: str, spans: Sequence[tuple[int, int]] | None = None) -> Text:
    """`text` cleaned and folded, with the edges of its jieba words (`spans`, of `clean(text)`, when the
    caller has them already)."""
    shown = clean(text)
    if spans is None:
        spans = word_spans(shown)
    elif (spans[-1][1] if spans else 0) != len(shown):
        raise ValueError("the spans are not of this text: they must be word_spans(clean(text))")
    starts = [start for start, _ in spans]
    edges = set(starts)
    edges.add(len(shown))
    return Text(shown, fold(shown), frozenset(edges), tuple(starts))


@dataclasses.dataclass(frozen=True)
class Matcher:
    """Folded names to look for, longest first, and one pattern that finds where any of them starts."""

    names: tuple[str, ...]
    by_first: dict[str, tuple[str, ...]]
    pattern: re.Pattern
    spelling: dict[str, str]  # folded name → the name as first given (evidence shows 炼钢, not its key 链钢)


@functools.cache
def matcher(names: tuple[str, ...]) -> Matcher:
    """A matcher of `names` (a tuple; folded here; cached, since the rules' names are fixed)."""
    spelling: dict[str, str] = {}
    for name in names:
        spelling.setdefault(fold(name), name)
    folded = tuple(sorted(spelling, key=len, reverse=True))
    by_first: dict[str, list[str]] = {}
    for name in folded:
        by_first.setdefault(name[0], []).append(name)
    # A lookahead finds every position where a name starts, overlapping ones too (福建平潭建平县); the
    # first-character class before it lets the engine skip other positions fast (ten times faster).
    first = "".join(map(re.escape, sorted(by_first)))
    alternatives = "|".join(map(re.escape, folded))
    pattern = re.compile(f"(?=[{first}])(?=({alternatives}))") if folded else re.compile("(?!)")
    return Matcher(folded, {k: tuple(v) for k, v in by_first.items()}, pattern, spelling)


def find(
    names: Matcher, text: Text, heads: frozenset[str] = frozenset(), overlapping: bool = False
) -> tuple[list[Mention], list[Mention]]:
    """(mentions on word boundaries, the longest where several start at one offset; rejected matches that
    start or end inside a word and overlap no accepted mention).

    A mention hides the names inside it (朝阳柳城经济开发区 is not also 柳城经济开发区) unless `overlapping`,
    for a caller that sorts them itself. With `heads`, a name may also be part of one word of a compound:
    its end (电动汽车, 石油化工: a kind of the thing named), or its start when the rest of that word is one
    of `heads` (旅游业, 装备/制造业).
    """
    found: list[Mention] = []
    rejected: list[Mention] = []
    folded = text.folded
    taken = 0  # the end of the accepted mentions so far: what starts before it is part of one
    refused = 0  # the end of the last rejected match: its shorter names need no second report
    for m in names.pattern.finditer(folded):
        start = m.start()
        if start < taken and not overlapping:
            continue
        name = next(
            (
                n
                for n in names.by_first[folded[start]]
                if folded.startswith(n, start) and _fits(text, start, start + len(n), heads)
            ),
            None,
        )
        if name is not None:
            found.append(Mention(name, start, start + len(name)))
            taken = max(taken, start + len(name))
            # a rejected match this one overlaps was part of a word boundary mix-up, not a mention
            while rejected and rejected[-1].end > start:
                rejected.pop()
        elif start >= refused and start >= taken:
            longest = m.group(1)
            rejected.append(Mention(longest, start, start + len(longest)))
            refused = start + len(longest)
    return found, rejected


def _fits(text: Text, start: int, end: int, heads: frozenset[str]) -> bool:
    edges = text.edges
    if start in edges:
        return end in edges or (bool(heads) and text.folded[end : _word_end(text, end)] in heads)
    return bool(heads) and _word_end(text, start) == end


def _word_end(text: Text, offset: int) -> int:
    """The end of the word that holds `offset`."""
    i = bisect.bisect_right(text.starts, offset)
    return text.starts[i] if i < len(text.starts) else len(text.shown)


def _words_around(text: Text, start: int, end: int) -> list[str]:
    """The article's words that overlap offsets start…end."""
    first = bisect.bisect_right(text.starts, start) - 1
    last = bisect.bisect_left(text.starts, end)
    bounds = [*text.starts[first:last], text.starts[last] if last < len(text.starts) else len(text.shown)]
    return [text.shown[a:b] for a, b in itertools.pairwise(bounds)]


def reason(mention: Mention, text: Text) -> str:
    """Why a match is not a mention: the word it is inside of, or the words it cuts across."""
    words = _words_around(text, mention.start, mention.end)
    if len(words) == 1:
        return f"inside the word {words[0]}"
    return f"across the words {'/'.join(words)}"


def tally(rejected: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each (name, reason) once, in order, with how often it occurred when more than once."""
    counts = Counter(rejected)
    return [
        (name, f"{why} ×{counts[name, why]}" if counts[name, why] > 1 else why) for name, why in dict.fromkeys(rejected)
    ]
