"""What users type for pinyin: typed Latin text read as syllables, whole or still being typed, and mixed input.

Case, spaces, apostrophes (xi'an), tone marks (líng), tone numbers (ling2) and ü typed v, ü or u are all
taken; every way to cut the letters into syllables is found, best first. The syllables are those of
`pinyin.valid_syllables()`, written as `pinyin.readings` writes them, so a typed string matches a word when
one of its parses is one of the word's readings.

>>> parse("lingyuan")
[('ling', 'yuan'), ('ling', 'yu', 'an')]
>>> {parse(typed)[0] for typed in ("Ling Yuan", "líng yuán", "ling2yuan2", "LingYuan")}
{('ling', 'yuan')}
>>> parse("xian"), parse("xi'an")
([('xian',), ('xi', 'an')], [('xi', 'an'), ('xian',)])
>>> parse("nature"), parse("hello"), parse("5g")
([('na', 'tu', 're')], [], [])
>>> parse_prefix("kaz"), parse_prefix("ling ")
([(('ka',), 'z')], [(('ling',), '')])
>>> tokens("凌yuan 5G")
['凌', [('yuan',), ('yu', 'an')], '5g']
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
import unicodedata
from collections import defaultdict

from .pinyin import Reading, valid_syllables

_TONE_MARKS = frozenset("\u0300\u0301\u0304\u030c")  # grave, acute, macron, caron (NFD)
_SEPARATORS = frozenset(" \t\n'’‘`-·")
_MAX_STEPS = 20_000  # bounds the search of a long string, whatever `limit` asks for
# A Chinese character, or a run of Latin letters (with tone marks, full-width), digits, apostrophes and hyphens,
# spaces inside it.
_LATIN = "0-9A-Za-z\u00c0-\u024f\u0300-\u036f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_TOKEN = re.compile(
    f"([\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f])"
    f"|([{_LATIN}](?:[{_LATIN}'’‘`· -]*[{_LATIN}])?)"
)


@functools.cache
def _spellings() -> dict[str, tuple[tuple[str, int], ...]]:
    """How a syllable may be typed → (syllable, 1 if reading the letters as it is a guess).

    ü is typed v or ü, or u: after n and l, u could mean either, so nu → nv is a guess (nu is a syllable
    too); nue means nve. After j, q, x and y pinyin writes ü as u, and typing v there is a slip: jv → ju.
    """
    spelled = defaultdict(list)
    for syllable in valid_syllables():
        spelled[syllable].append((syllable, 0))
        if "v" in syllable:
            typed = syllable.replace("v", "u")
            spelled[typed].append((syllable, int(typed in valid_syllables())))
        elif syllable[0] in "jqxy" and "u" in syllable:
            spelled[syllable.replace("u", "v", 1)].append((syllable, 0))
    return {typed: tuple(found) for typed, found in spelled.items()}


@functools.cache
def _prefixes() -> dict[str, tuple[tuple[str, int], ...]]:
    """Every prefix of a typed syllable → the syllable prefixes it may mean (with the guess flag)."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for typed, meanings in _spellings().items():
        for end in range(1, len(typed) + 1):
            for syllable, guess in meanings:
                meant = found[typed[:end]]
                meant[syllable[:end]] = min(guess, meant.get(syllable[:end], 1))
    return {typed: tuple(meant.items()) for typed, meant in found.items()}


def _letters(text: str) -> tuple[str, list[bool], list[int]] | None:
    """Typed text as letters, whether a typed boundary comes before each position (a space, an apostrophe,
    a tone number or a capital after a small letter; one more than there are letters), and the tone marks on
    each letter; None if it is not pinyin."""
    letters: list[str] = []
    boundary = [False]
    marks: list[int] = []
    after_small = False
    for char in unicodedata.normalize("NFKD", text):
        if char.isascii() and char.isalpha():
            if char.isupper() and after_small:
                boundary[-1] = True
            after_small = char.islower()
            letters.append(char.lower())
            boundary.append(False)
            marks.append(0)
        elif char == "\u0308" and letters and letters[-1] == "u":
            letters[-1] = "v"
        elif char in _TONE_MARKS and letters:
            marks[-1] += 1
        elif char in _SEPARATORS or (char in "012345" and letters and not boundary[-1]):
            boundary[-1] = bool(letters)
            after_small = False
        elif not unicodedata.combining(char):
            return None
    return "".join(letters), boundary, marks


def _edges(letters: str, boundary: list[bool], marks: list[int], partial: bool):
    """From each position, the syllables (or, with `partial`, last syllable prefixes) typed there, with the
    cost of reading them so: (typed boundaries crossed and extra tone marks, syllables, a vowel-initial
    syllable after another without an apostrophe, ü guesses)."""
    table = _prefixes() if partial else _spellings()
    edges = []
    for start in range(len(letters)):
        found = []
        ends = [len(letters)] if partial else range(start + 1, min(len(letters), start + 6) + 1)
        for end in ends:
            for syllable, guess in table.get(letters[start:end], ()):
                crossed = sum(boundary[start + 1 : end]) + max(0, sum(marks[start:end]) - 1)
                unmarked = int(start > 0 and not boundary[start] and syllable[0] in "aoe")
                found.append((end, syllable, (crossed, 1, unmarked, guess)))
        edges.append(found)
    return edges


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b))


def _cheapest_paths(letters, boundary, marks, limit: int, partial: bool = False) -> list[Reading]:
    """Best-first (A*, guided by the exact cost of the cheapest completion) over the ways to cut `letters`;
    with `partial`, the last piece is the prefix of a syllable, a step from where it starts to n + 1."""
    n = len(letters)
    steps = _edges(letters, boundary, marks, False)  # start → [(end, syllable, cost)]
    if partial:
        for start, prefixes in enumerate(_edges(letters, boundary, marks, True)):
            steps[start] += [(n + 1, syllable, cost) for _, syllable, cost in prefixes]
    goal = n + 1 if partial else n
    zero = (0, 0, 0, 0)
    rest: list[tuple[int, ...] | None] = [None] * (n + 2)  # the cost from each position to the goal
    rest[goal] = zero
    for start in reversed(range(n)):
        rest[start] = min(
            (_add(cost, rest[end]) for end, _, cost in steps[start] if rest[end] is not None), default=None
        )
    if n == 0 or rest[0] is None:
        return []
    tie = itertools.count()
    queue: list[tuple] = [(rest[0], 0, next(tie), 0, zero, ())]  # ties: the furthest along first, so paths finish
    found: list[Reading] = []
    for _ in range(_MAX_STEPS):
        if not queue or len(found) >= limit:
            break
        _, _, _, at, spent, path = heapq.heappop(queue)
        if at == goal:
            found.append(path)
            continue
        for end, syllable, cost in steps[at]:
            if rest[end] is not None:
                so_far = _add(spent, cost)
                heapq.heappush(queue, (_add(so_far, rest[end]), -end, next(tie), end, so_far, (*path, syllable)))
    return found


def parse(text: str, limit: int = 64) -> list[Reading]:
    """Every way to read typed `text` as toneless pinyin syllables, best first, at most `limit`; [] if none.

    Case, spaces, apostrophes (xi'an), tone marks (líng), tone numbers (ling2) and ü as v, ü or u are taken.
    Best first: cuts at the typed spaces and apostrophes (and capitals and tone numbers), then fewer
    syllables, then no vowel-initial syllable run on without an apostrophe (fangan: fan gan before fang an).
    """
    return list(_parse(text, limit))


@functools.lru_cache(maxsize=4096)
def _parse(text: str, limit: int) -> tuple[Reading, ...]:
    typed = _letters(text)
    return tuple(_cheapest_paths(*typed, limit)) if typed else ()


def parse_prefix(text: str, limit: int = 64) -> list[tuple[Reading, str]]:
    """The ways to read `text` being typed: (complete syllables, prefix of the syllable being typed).

    The prefix is what the next syllable of a matching reading starts with ("kaz" → (("ka",), "z"): 喀左);
    "" when the text ends with a space or tone number, the last syllable then complete. "lin" gives
    ((), "lin") (lin, ling) before (("li",), "n"). Best first as in `parse`.
    """
    return list(_parse_prefix(text, limit))


@functools.lru_cache(maxsize=4096)
def _parse_prefix(text: str, limit: int) -> tuple[tuple[Reading, str], ...]:
    typed = _letters(text)
    if not typed or not typed[0]:
        return ()
    if typed[1][-1]:  # ends with a typed boundary: the last syllable is complete
        return tuple((path, "") for path in _cheapest_paths(*typed, limit))
    return tuple((path[:-1], path[-1]) for path in _cheapest_paths(*typed, limit, partial=True))


def tokens(text: str) -> list[str | list[Reading]]:
    """Mixed input (凌yuan) for matching: each Chinese character as itself, each run of Latin letters as its
    pinyin readings (a list, best first), or as itself in lower case when it is not pinyin (5G, CBA)."""
    found: list[str | list[Reading]] = []
    for match in _TOKEN.finditer(text):
        han, latin = match.groups()
        if han:
            found.append(han)
            continue
        if readings_of := parse(latin):
            found.append(readings_of)
            continue
        for word in latin.split():  # a run that is not pinyin as a whole may hold pinyin words
            found.append(parse(word) or unicodedata.normalize("NFKC", word).lower())
    return found
