"""Snippets and highlights: the query's strings marked in the article's own text and script.

Matching is plain string search in the folded text, which has the shown text's length, so no article is
re-analysed per hit. Fragments are cut at Chinese punctuation around the densest matches.

>>> snippet("凌源经济开发区。朝阳市凌源經濟開發區助力企业。", ["凌源经济开发区"], Marks("[", "]", str))
'[凌源经济开发区]。朝阳市[凌源經濟開發區]助力企业。'
"""

from __future__ import annotations

import bisect
import dataclasses
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


_SENTENCE_MARK = re.compile(f"[{re.escape(SENTENCE_END)}]")
_ANY_MARK = re.compile(f"[{re.escape(SENTENCE_END + CLAUSE_END)}]")


class _Boundaries:
    """Where `text` has sentence ends, and sentence or clause ends: sorted offsets, found once per text."""

    def __init__(self, text: str):
        self.sentence = [m.start() for m in _SENTENCE_MARK.finditer(text)]
        self.any = [m.start() for m in _ANY_MARK.finditer(text)]


def _last(offsets: list[int], lo: int, hi: int) -> int:
    """The last offset in [lo, hi), or -1 (what `max(text.rfind(c, lo, hi) for c in marks)` gives)."""
    i = bisect.bisect_left(offsets, hi) - 1
    return offsets[i] if i >= 0 and offsets[i] >= lo else -1


def snippet(text: str, terms: list[str], marks: Marks = HTML, max_chars: int = MAX_CHARS) -> str:
    """At most `max_chars` of `text` around its densest matches, in one or two fragments joined by …"""
    spans = find(text, terms)
    bounds = _Boundaries(text)
    if not spans:
        start, end = _window(text, 0, max_chars, bounds)
        return render(text[start:end], [], marks) + ("…" if end < len(text) else "")
    starts = [s for s, _ in spans]
    keys = [analysis.fold(text[s:e]) for s, e in spans]
    # A long article can match hundreds of times: a few dozen anchors spread over them find the densest part.
    anchors = starts[::-(-len(starts) // MAX_ANCHORS)]

    def inside(window: tuple[int, int]) -> range:
        first = bisect.bisect_left(starts, window[0])
        last = bisect.bisect_right(starts, window[1])
        while last > first and spans[last - 1][1] > window[1]:
            last -= 1
        return range(first, last)

    def score(window: tuple[int, int]) -> tuple[int, int]:
        found = inside(window)
        return len({keys[i] for i in found}), len(found)

    whole = max((_window(text, a, max_chars, bounds) for a in anchors), key=score)
    windows = [whole]
    if len(inside(whole)) < len(spans):
        halves = [_window(text, a, max_chars // 2, bounds) for a in anchors]
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
