"""Snippets and highlights: where the query's strings occur in an article's own text and script, as spans.

The core never returns markup: a `Snippet` is text with spans, and each front end renders it (HTML marks on
the web page, colour on a terminal). A span is exact when it is a word of the query as typed (found on the
stream, so the spaces and punctuation it leaves out may stand inside the match) and partial when it is one
of the indexed words an unquoted word was cut into.

Matching is on folded text, which has the shown text's length, so no article is re-analysed per hit.
Fragments are cut at Chinese punctuation and at paragraph ends around the densest matches.

>>> s = snippet("凌源经济开发区。朝阳市凌源經濟開發區助力企业。", [Mark("凌源经济开发区")])
>>> s.render(lambda text, exact: f"[{text}]")
'[凌源经济开发区]。朝阳市[凌源經濟開發區]助力企业。'
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Callable

from . import analysis
from .plan import Mark

MAX_CHARS = 160
MAX_ANCHORS = 40
# Where a fragment may start and end: paragraph breaks ("\n" in a snippet's text) and sentence ends first.
SENTENCE_END = "\n。！？；!?;"
CLAUSE_END = "，、,：:"
PARAGRAPH = "\n"

Span = tuple[int, int, bool]  # start, end, exact


@dataclasses.dataclass
class Snippet:
    """Text (paragraph breaks as "\\n") with the spans of the matches in it; `cut_before` / `cut_after` when
    text of the article precedes or follows it."""

    text: str
    spans: list[Span]
    cut_before: bool = False
    cut_after: bool = False

    def render(
        self,
        mark: Callable[[str, bool], str],
        escape: Callable[[str], str] = str,
        paragraph: str = " ¶ ",
        ellipsis: str = "…",
    ) -> str:
        """The text with each match as `mark(text, exact)` and the rest as `escape(text)`; paragraph breaks
        and cuts shown as `paragraph` and `ellipsis`."""
        out, at = [], 0
        for start, end, exact in self.spans:
            out += [escape(self.text[at:start]), mark(self.text[start:end], exact)]
            at = end
        out.append(escape(self.text[at:]))
        body = "".join(out).replace(PARAGRAPH, paragraph).replace("\0", ellipsis)
        return (ellipsis if self.cut_before else "") + body + (ellipsis if self.cut_after else "")

    def count(self, exact: bool) -> int:
        return sum(1 for s in self.spans if s[2] == exact)


@functools.lru_cache(maxsize=256)
def _patterns(marks: tuple[Mark, ...]) -> tuple[re.Pattern | None, re.Pattern | None]:
    """A pattern finding the exact marks' streams in a stream (longest first), and one finding the partial
    marks in folded text."""
    exact = sorted({analysis.stream(m.text) for m in marks if m.exact} - {""}, key=len, reverse=True)
    partial = sorted({analysis.fold(m.text) for m in marks if not m.exact and m.text}, key=len, reverse=True)
    return (
        re.compile("|".join(map(re.escape, exact))) if exact else None,
        re.compile("|".join(map(re.escape, partial))) if partial else None,
    )


def find(text: str, marks: list[Mark]) -> list[Span]:
    """Non-overlapping spans of `marks` in `text`, in order: exact matches (found on the text's stream, as
    the index finds them) first, partial ones between."""
    exact, partial = _patterns(tuple(marks))
    folded = analysis.fold(text)
    spans: list[Span] = []
    if exact:
        chars, where = analysis.located_stream(folded)
        spans = [(where[m.start()], where[m.end() - 1] + 1, True) for m in exact.finditer(chars)]
    if partial:
        starts = [s for s, _, _ in spans]
        for m in partial.finditer(folded):
            i = bisect.bisect_right(starts, m.start())
            if (i == 0 or spans[i - 1][1] <= m.start()) and (i == len(spans) or m.end() <= spans[i][0]):
                spans.insert(i, (m.start(), m.end(), False))
                starts.insert(i, m.start())
    return spans


def highlight(text: str, marks: list[Mark]) -> Snippet:
    """The whole of `text` with every match (the article page)."""
    return Snippet(text, find(text, marks))


def _window(text: str, anchor: int, size: int, bounds: _Boundaries) -> tuple[int, int]:
    """A stretch of at most `size` characters around `anchor`, starting after a punctuation mark and
    ending on one where the text allows."""
    start = max(0, anchor - size // 4)
    for ends in (bounds.sentence, bounds.any):
        cut = _last(ends, max(0, anchor - size // 2), anchor)
        if cut >= 0:
            start = cut + 1
            break
    end = min(len(text), start + size)
    if end < len(text):
        cut = _last(bounds.any, anchor + 1, end)
        if cut > anchor:
            end = cut + (0 if text[cut] == PARAGRAPH else 1)
    return start, end


_ANY_MARK = re.compile(f"[{re.escape(SENTENCE_END + CLAUSE_END)}]")


class _Boundaries:
    """Where `text` has sentence ends, and sentence or clause ends, near the anchors: sorted offsets.

    `_window` around an anchor `a` with a size up to `size` looks only at [a - size // 2, a + size), and a
    long article's matches are often in a few parts of it."""

    def __init__(self, text: str, anchors: list[int], size: int):
        stretches: list[list[int]] = []
        for anchor in anchors:  # sorted: overlapping stretches are merged, and scanned once
            lo, hi = max(0, anchor - size // 2), anchor + size
            if stretches and lo <= stretches[-1][1]:
                stretches[-1][1] = hi
            else:
                stretches.append([lo, hi])
        self.any = [m.start() for lo, hi in stretches for m in _ANY_MARK.finditer(text, lo, hi)]
        self.sentence = [i for i in self.any if text[i] in SENTENCE_END]


def _last(offsets: list[int], lo: int, hi: int) -> int:
    """The last offset in [lo, hi), or -1."""
    i = bisect.bisect_left(offsets, hi) - 1
    return offsets[i] if i >= 0 and offsets[i] >= lo else -1


def snippet(text: str, marks: list[Mark], max_chars: int = MAX_CHARS) -> Snippet:
    """At most `max_chars` of `text` around its densest matches, in one or two fragments ("\\0" between)."""
    spans = find(text, marks)
    if not spans:
        start, end = _window(text, 0, max_chars, _Boundaries(text, [0], max(max_chars, 0)))
        return Snippet(text[start:end].strip(PARAGRAPH), [], start > 0, end < len(text))
    starts = [s for s, _, _ in spans]
    ends = [e for _, e, _ in spans]  # sorted too: matches do not overlap
    keys = [analysis.fold(text[s:e]) for s, e, _ in spans]
    # A long article can match hundreds of times: a few dozen anchors spread over them find the densest part.
    anchors = starts[:: -(-len(starts) // MAX_ANCHORS)]
    bounds = _Boundaries(text, anchors, max(max_chars, 0))

    def inside(window: tuple[int, int]) -> range:
        """The matches that start and end in `window`."""
        first = bisect.bisect_left(starts, window[0])
        return range(first, max(first, bisect.bisect_right(ends, window[1])))

    @functools.cache  # the best halves are picked among windows already scored
    def score(window: tuple[int, int]) -> tuple[int, int, int]:
        """How many exact matches, different terms and matches `window` shows."""
        found = inside(window)
        return sum(spans[i][2] for i in found), len(set(keys[found.start : found.stop])), len(found)

    def windows_around(size: int) -> list[tuple[int, int]]:
        """The anchors' windows, each once, in the anchors' order (`max` picks the first best)."""
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
    parts, shown, at = [], [], 0
    for n, (start, end) in enumerate(windows):
        if n:
            parts.append("\0")  # rendered as an ellipsis
            at += 1
        shown += [(s - start + at, e - start + at, x) for s, e, x in (spans[i] for i in inside((start, end)))]
        parts.append(text[start:end])
        at += end - start
    return Snippet("".join(parts), shown, windows[0][0] > 0, windows[-1][1] < len(text))
