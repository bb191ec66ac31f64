"""Known-item cases for the relevance benchmark, drawn with a fixed seed from the indexed documents.

Each case is a query a user would type and the article it should find; ``relevance.py`` asks both engines.
The case types (our own names; only these names and figures reach the reports, never corpus text):

* ``headline-spaces``: an article's title with its punctuation replaced by spaces;
* ``headline-pasted``: the title as pasted, punctuation and all;
* ``run-han``: 6–12 consecutive Chinese characters cut from a body line at random;
* ``run-mixed``: 6–12 characters of a body line mixing Chinese with digits or Latin letters (``第31届``);
* ``rare-mixed``: a mixed run that occurs in at most 3 documents of the set.

Runs are cut at character boundaries as a user selects text: some cuts fall at the edge of a number or Latin
word (``edge="whole"``: ``第31届``), others inside one (``edge="split"``: ``1届世界大``); the draw takes the
two about equally often so that each is measured.

Which articles "contain" a run is decided on `normalise`d text (NFKC, traditional characters to simplified
one by one with OpenCC's character tables, case-folded, whitespace removed): the benchmark's own rule,
independent of the engine's clean-up and folding. (The gazette writes 台北 and 臺北 alike.)
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import pathlib
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
ALNUM = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"  # ASCII and full-width digits and letters
_HAN_CHAR = re.compile(f"[{HAN}]")
_ALNUM_CHAR = re.compile(f"[{ALNUM}]")
# A number or Latin word, with decimal points inside numbers (6.8亿): where a cut counts as "inside".
_TOKEN = re.compile(f"[{ALNUM}]+(?:[.．][0-9０-９]+)*")
_HAN_SPAN = re.compile(f"[{HAN}]+")
# What a user selects as one mixed string: Chinese, digits, Latin letters, and the joiners found between
# them in numbers and names (a space, a decimal point, a per cent sign).
_MIXED_SPAN = re.compile(f"[{HAN}{ALNUM}][{HAN}{ALNUM} .．%％]*[{HAN}{ALNUM}%％]")
_DECIMAL_POINT = re.compile(r"(?<=[0-9０-９])[.．](?=[0-9０-９])")
_WHITESPACE = re.compile(r"\s+")

MIN_TITLE_CHARS = 4
RUN_CHARS = (6, 12)
RARE_MAX_DOCS = 3
KINDS = ("headline-spaces", "headline-pasted", "run-han", "run-mixed", "rare-mixed")
EDGES = ("whole", "split")


@dataclasses.dataclass(frozen=True)
class Doc:
    """One indexed document: its id, title and body as given to both engines."""

    id: str
    title: str
    body: str


@dataclasses.dataclass(frozen=True)
class Case:
    """A query and the article it was made from; `edge` tells mixed runs cut inside a number/word apart."""

    kind: str
    query: str
    doc_id: str
    edge: str | None = None


@functools.cache
def _simplified() -> dict[int, str]:
    """Traditional characters and their Taiwan/Hong Kong variants to simplified, one character for one.

    From OpenCC's character tables, first candidate: context-free, unlike OpenCC's phrase conversion, so a
    run and the text it was cut from convert alike.
    """
    import opencc

    folder = pathlib.Path(opencc.__file__).with_name("dictionary")

    def pairs(name: str) -> dict[str, str]:
        found = {}
        for line in (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            value = values.split(" ")[0]
            if len(key) == 1 and len(value) == 1:
                found[key] = value
        return found

    to_simple = pairs("TSCharacters")
    variants = {**pairs("TWVariantsRev"), **pairs("HKVariantsRev")}  # variant -> standard traditional
    table = {ord(k): to_simple.get(v, v) for k, v in variants.items()}
    table.update({ord(k): v for k, v in to_simple.items()})
    return table


def normalise(text: str) -> str:
    """The text containment is checked on: NFKC (full-width to ASCII), simplified script, case-folded,
    whitespace removed."""
    text = unicodedata.normalize("NFKC", text).translate(_simplified())
    return _WHITESPACE.sub("", text.casefold())


def has_han(text: str) -> bool:
    """Whether `text` holds a Chinese ideograph."""
    return _HAN_CHAR.search(text) is not None


def has_alnum(text: str) -> bool:
    """Whether `text` holds an ASCII or full-width digit or Latin letter."""
    return _ALNUM_CHAR.search(text) is not None


def spaced_title(title: str) -> str:
    """A title typed with its punctuation (and symbols) replaced by spaces; decimal points in numbers stay."""
    kept = _DECIMAL_POINT.sub("\0", title)
    typed = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in kept).replace("\0", ".")
    return " ".join(typed.split())


def body_lines(body: str) -> list[str]:
    """The body's lines as shown, each with runs of whitespace collapsed to one space."""
    return [" ".join(line.split()) for line in body.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------- headlines


def headline_cases(docs: Sequence[Doc], rng: random.Random, limit: int) -> tuple[list[Case], int]:
    """Both headline cases for up to `limit` titles drawn at random, and how many titles were too short."""
    eligible = [d for d in docs if len(d.title.strip()) >= MIN_TITLE_CHARS]
    chosen = rng.sample(eligible, min(limit, len(eligible)))
    cases = []
    for kind in ("headline-spaces", "headline-pasted"):
        for doc in chosen:
            query = spaced_title(doc.title) if kind == "headline-spaces" else doc.title.strip()
            cases.append(Case(kind, query, doc.id))
    return cases, len(docs) - len(eligible)


# ---------------------------------------------------------------------------------------------- body runs


def edge_of(line: str, start: int, end: int) -> str:
    """`split` when the cut [start, end) begins or ends strictly inside a number or Latin word, else `whole`."""
    for token in _TOKEN.finditer(line):
        if token.start() < start < token.end() or token.start() < end < token.end():
            return "split"
    return "whole"


def _spans(doc: Doc, pattern: re.Pattern[str], mixed: bool) -> list[tuple[str, int, int]]:
    """(line, start, end) of the selectable spans of a body long enough for a run (mixed ones mixed)."""
    found = []
    for line in body_lines(doc.body):
        for m in pattern.finditer(line):
            span = m.group()
            if len(span) >= RUN_CHARS[0] and (not mixed or (has_han(span) and has_alnum(span))):
                found.append((line, m.start(), m.end()))
    return found


def _cut(rng: random.Random, spans: list[tuple[str, int, int]], mixed: bool) -> tuple[str, str] | None:
    """One run cut at random from one of `spans` (longer spans more often), with its edge; None if the
    cut is not a valid run (a mixed run must hold both Chinese and digits/Latin, and start and end on one)."""
    line, lo, hi = rng.choices(spans, weights=[e - s for _, s, e in spans])[0]
    size = rng.randint(RUN_CHARS[0], min(RUN_CHARS[1], hi - lo))
    start = rng.randint(lo, hi - size)
    run = line[start : start + size]
    if mixed and not (has_han(run) and has_alnum(run) and _MIXED_SPAN.fullmatch(run)):
        return None
    return run, edge_of(line, start, start + size) if mixed else "whole"


def run_cases(
    docs: Sequence[Doc],
    kind: str,
    rng: random.Random,
    limit: int,
    accept: Callable[[str], bool] = lambda run: True,
    tries: int = 400,
) -> Iterator[Case]:
    """Up to `limit` runs of `kind` (``run-han``, or mixed: ``run-mixed``/``rare-mixed``) cut from random
    documents; mixed runs alternate between the two edges. `accept(run)` may reject a run (rarity)."""
    mixed = kind != "run-han"
    pattern = _MIXED_SPAN if mixed else _HAN_SPAN
    candidates = [d for d in docs if _spans(d, pattern, mixed)]
    for made in range(limit if candidates else 0):
        wanted = EDGES[made % 2]
        for attempt in range(tries):
            doc = rng.choice(candidates)
            cut = _cut(rng, _spans(doc, pattern, mixed), mixed)
            if cut is None:
                continue
            run, edge = cut
            # Insist on the wanted edge for half the draws only: a set may hold few runs of one kind.
            if mixed and edge != wanted and attempt < tries // 2:
                continue
            if accept(run):
                yield Case(kind, run, doc.id, edge if mixed else None)
                break
        else:
            return  # no more runs of this kind to be found


# ---------------------------------------------------------------------------------------------- containment


class Texts:
    """Every document's normalised title and body, for "which documents contain this string"."""

    def __init__(self, docs: Iterable[Doc]):
        self.keys: dict[str, str] = {}
        starts = []
        parts = []
        at = 0
        for doc in docs:
            # A separator no normalised text holds, so no match runs from one document into the next.
            key = normalise(doc.title) + "\n" + normalise(doc.body)
            self.keys[doc.id] = key
            starts.append(at)
            parts.append(key + "\n")
            at += len(key) + 1
        self._starts = starts
        self._all = "".join(parts)

    def contains(self, doc_id: str, text: str) -> bool:
        """Whether the document holds `text` (normalised on both sides)."""
        return normalise(text) in self.keys.get(doc_id, "")

    def doc_count(self, text: str, stop: int) -> int:
        """How many documents hold `text`, counting up to `stop`."""
        needle = normalise(text)
        found: set[int] = set()
        at = self._all.find(needle)
        while at >= 0 and len(found) < stop:
            which = bisect.bisect_right(self._starts, at) - 1
            found.add(which)
            # Skip to the next document: one hit per document is enough.
            next_start = self._starts[which + 1] if which + 1 < len(self._starts) else len(self._all)
            at = self._all.find(needle, next_start)
        return len(found)


def draw(docs: Sequence[Doc], texts: Texts, seed: str, limit: int) -> tuple[list[Case], dict]:
    """Every case type for one set, up to `limit` cases each, in random order; and what was skipped."""

    def rng(kind: str) -> random.Random:
        return random.Random(f"{seed}/{kind}")

    headlines, short = headline_cases(docs, rng("headline"), limit)
    cases = list(headlines)
    cases += run_cases(docs, "run-han", rng("run-han"), limit)
    cases += run_cases(docs, "run-mixed", rng("run-mixed"), limit)
    cases += run_cases(
        docs,
        "rare-mixed",
        rng("rare-mixed"),
        limit,
        accept=lambda run: texts.doc_count(run, RARE_MAX_DOCS + 1) <= RARE_MAX_DOCS,
    )
    return cases, {"titles_too_short": short, "min_title_chars": MIN_TITLE_CHARS}
