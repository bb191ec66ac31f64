"""Snippets and highlights: the query's strings marked in the article's own text and script.

Matching is plain string search in the folded text, which has the shown text's length, so no article is
re-analysed per hit; a snippet folds only the characters the terms are made of, which finds the same matches
in a fraction of the time. Fragments are cut at Chinese punctuation around the densest matches.

>>> snippet("凌源经济开发区。朝阳市凌源經濟開發區助力企业。", ["凌源经济开发区"], Marks("[", "]", str))
'[凌源经济开发区]。朝阳市[凌源經濟開發區]助力企业。'
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import functools
import html
import re
from collections.abc import Callable

from . import analysis

MAX_CHARS = 160
MAX_ANCHORS = 40
SENTENCE_END = "。！？；!?;"
CLAUSE_END = "，、,：:"


@dataclasses.dataclass(frozen=True)
class Marks:
    """How a match is wrapped and the rest escaped: HTML by default, readable markers in tests."""

    open: str = "<mark>"
    close: str = "</mark>"
    escape: Callable[[str], str] = html.escape


HTML = Marks()


def find(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of `terms` in `text`, longest term first where they overlap."""
    keys = sorted({analysis.fold(t) for t in terms if t}, key=len, reverse=True)
    if not keys:
        return []
    pattern = re.compile("|".join(map(re.escape, keys)))
    return [m.span() for m in pattern.finditer(analysis.fold(text))]


def render(text: str, spans: list[tuple[int, int]], marks: Marks = HTML) -> str:
    """`text` escaped, with every span wrapped in marks."""
    out, at = [], 0
    for start, end in spans:
        out += [marks.escape(text[at:start]), marks.open, marks.escape(text[start:end]), marks.close]
        at = end
    out.append(marks.escape(text[at:]))
    return "".join(out)


def highlight(text: str, terms: list[str], marks: Marks = HTML) -> str:
    """The whole of `text` with every match marked (the article page)."""
    return render(text, find(text, terms), marks)


@functools.cache
def _spellings() -> dict[str, str]:
    """The characters that fold to each folded character, besides itself: `analysis.fold`'s table inverted."""
    spellings = collections.defaultdict(str)
    for code, key in analysis._tables()[1].items():
        spellings[key] += chr(code)
    return dict(spellings)


def _fold_only(text: str, chars: set[str]) -> str:
    """`text` with just the characters that fold to one of `chars` folded: a few `str.replace` instead of
    `analysis.fold`'s lookup of every character, which cost most of a snippet.

    A string of `chars` occurs here exactly where it occurs in `analysis.fold(text)`, as long as each of
    `chars` folds to itself (folded text does: folding twice changes nothing)."""
    table = analysis._tables()[1]
    if any(ord(c) in table for c in chars):
        return analysis.fold(text)
    spellings = _spellings()
    for char in chars:
        for other in spellings.get(char, ""):
            text = text.replace(other, char)
    return text


def _matches(text: str, terms: list[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """`find(text, terms)` and the folded term each match is, folding only the characters of the terms."""
    keys = sorted({analysis.fold(t) for t in terms if t}, key=len, reverse=True)
    if not keys:
        return [], []
    pattern = re.compile("|".join(map(re.escape, keys)))  # `find`'s pattern
    found = list(pattern.finditer(_fold_only(text, set("".join(keys)))))
    return [m.span() for m in found], [m.group() for m in found]


def _window(text: str, anchor: int, size: int, marks: "_Boundaries | None" = None) -> tuple[int, int]:
    """A stretch of at most `size` characters around `anchor`, starting after a punctuation mark and
    ending on one where the text allows."""
    marks = marks or _Boundaries(text)
    start = max(0, anchor - size // 4)
    for ends in (marks.sentence, marks.any):
        cut = _last(ends, max(0, anchor - size // 2), anchor)
        if cut >= 0:
            start = cut + 1
            break
    end = min(len(text), start + size)
    if end < len(text):
        cut = _last(marks.any, anchor + 1, end)
        if cut > anchor:
            end = cut + 1
    return start, end


_ANY_MARK = re.compile(f"[{re.escape(SENTENCE_END + CLAUSE_END)}]")


class _Boundaries:
    """Where `text` has sentence ends, and sentence or clause ends: sorted offsets, found once per text.

    With `anchors`, only near them: `_window` around an anchor `a` with a size up to `size` looks only at
    [a - size // 2, a + size), and a long article's matches are often in a few parts of it."""

    def __init__(self, text: str, anchors: list[int] | None = None, size: int = 0):
        stretches = [[0, len(text)]] if anchors is None else []
        for anchor in anchors or []:  # sorted: overlapping stretches are merged, and scanned once
            lo, hi = max(0, anchor - size // 2), anchor + size
            if stretches and lo <= stretches[-1][1]:
                stretches[-1][1] = hi
            else:
                stretches.append([lo, hi])
        self.any = [m.start() for lo, hi in stretches for m in _ANY_MARK.finditer(text, lo, hi)]
        self.sentence = [i for i in self.any if text[i] in SENTENCE_END]


def _last(offsets: list[int], lo: int, hi: int) -> int:
    """The last offset in [lo, hi), or -1 (what `max(text.rfind(c, lo, hi) for c in marks)` gives)."""
    i = bisect.bisect_left(offsets, hi) - 1
    return offsets[i] if i >= 0 and offsets[i] >= lo else -1


def snippet(text: str, terms: list[str], marks: Marks = HTML, max_chars: int = MAX_CHARS) -> str:
    """At most `max_chars` of `text` around its densest matches, in one or two fragments joined by …"""
    spans, keys = _matches(text, terms)
    if not spans:
        start, end = _window(text, 0, max_chars, _Boundaries(text, [0], max(max_chars, 0)))
        return render(text[start:end], [], marks) + ("…" if end < len(text) else "")
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]  # sorted too: matches do not overlap
    # A long article can match hundreds of times: a few dozen anchors spread over them find the densest part.
    anchors = starts[::-(-len(starts) // MAX_ANCHORS)]
    bounds = _Boundaries(text, anchors, max(max_chars, 0))

    def inside(window: tuple[int, int]) -> range:
        """The matches that start and end in `window`."""
        first = bisect.bisect_left(starts, window[0])
        return range(first, max(first, bisect.bisect_right(ends, window[1])))

    def score(window: tuple[int, int]) -> tuple[int, int]:
        """How many different terms, then how many matches, `window` shows."""
        found = inside(window)
        return len(set(keys[found.start:found.stop])), len(found)

    def windows_around(size: int) -> list[tuple[int, int]]:
        """The anchors' windows, each once (nearby anchors often give the same one), in the anchors' order:
        `max` then picks the same first best window as over all of them."""
        return list(dict.fromkeys(_window(text, a, size, bounds) for a in anchors))

    whole = max(windows_around(max_chars), key=score)
    windows = [whole]
    if len(inside(whole)) < len(spans):
        halves = windows_around(max_chars // 2)
        first = max(halves, key=score)
        rest = [w for w in halves if w[1] <= first[0] or w[0] >= first[1]]
        if rest:
            second = max(rest, key=score)
            pair = [a + b for a, b in zip(score(first), score(second))]
            if pair > list(score(whole)):
                windows = sorted([first, second])
    parts = []
    for start, end in windows:
        parts.append(render(text[start:end], [(spans[i][0] - start, spans[i][1] - start) for i in inside((start, end))],
                            marks))
    prefix = "…" if windows[0][0] > 0 else ""
    suffix = "…" if windows[-1][1] < len(text) else ""
    return prefix + "…".join(parts) + suffix
