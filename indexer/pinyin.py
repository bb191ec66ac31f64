"""Pinyin: the readings of Chinese words, and their near-homophones.

Pure functions (no index access) for pinyin queries, homophone corrections and suggestions as you type;
`pinyin_input.py` reads what users type. Syllables are toneless and lower case, ü written v (lv, nve), as
pypinyin's NORMAL style writes them. Readings come from pypinyin's own tables and phrase segmenter, read
directly because its API is slower; `data/readings.toml` ranks first the readings of the place and company
names it gets wrong.

>>> readings("朝阳市")[:2]
[('chao', 'yang', 'shi'), ('zhao', 'yang', 'shi')]
>>> readings("行长")[:3]
[('hang', 'zhang'), ('hang', 'chang'), ('xing', 'zhang')]
>>> key(("ling", "yuan")), initials(("ling", "yuan"))
('lingyuan', 'ly')
>>> near(("lin", "yuan"))
[('ling', 'yuan'), ('nin', 'yuan')]
>>> homophones("钢")[:3]
['刚', '港', '岗']
"""

from __future__ import annotations

import functools
import heapq
import importlib.util
import itertools
import pathlib
import tomllib
import unicodedata
from collections import defaultdict

DATA = pathlib.Path(__file__).with_name("data")
Reading = tuple[str, ...]

# Syllables of interjections without a vowel (嗯 n, 呣 m, 哼 hng): they would make strings of consonants
# ("mn", "hm") parse as pinyin and split every final -n in two, and nobody types them to find a word.
_VOWELLESS = frozenset({"m", "n", "ng", "hm", "hng"})


# ---------------------------------------------------------------------------------------------- tables


@functools.cache
def _pypinyin():
    """pypinyin's character and phrase tables, imported on first use (the import takes about 0.3 s)."""
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    return PINYIN_DICT, PHRASES_DICT


@functools.cache
def _phrase_segmenter():
    """pypinyin's own segmenter (forward maximum matching over its phrase table), as `lazy_pinyin` cuts."""
    from pypinyin.seg.mmseg import seg

    return seg


def _untoned(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with marks and the combining marks themselves → the letter without them (ü → v).
_UNTONE = {
    code: _untoned(chr(code))
    for code in itertools.chain(range(0xC0, 0x250), range(0x300, 0x370), range(0x1E00, 0x1F00))
}


def _toneless(marked: str) -> str:
    """'lǜ' → 'lv', 'ê̄' → 'e'."""
    return marked.translate(_UNTONE)


def _distinct(readings) -> tuple[str, ...]:
    return tuple(r for r in dict.fromkeys(readings) if r not in _VOWELLESS)


@functools.cache
def char_readings(char: str) -> tuple[str, ...]:
    """The toneless readings of one character, pypinyin's commonest first; () if it has none."""
    marked = _pypinyin()[0].get(ord(char))
    return _distinct(_toneless(m) for m in marked.split(",")) if marked else ()


@functools.cache
def valid_syllables() -> frozenset[str]:
    """Every toneless syllable a character can be read as (pypinyin's table, vowelless interjections out)."""
    return frozenset(
        s for marked in _pypinyin()[0].values() for m in marked.split(",") if (s := _toneless(m)) not in _VOWELLESS
    )


@functools.cache
def overrides() -> dict[str, Reading]:
    """Word → reading from `data/readings.toml`, checked: one known syllable per Chinese character."""
    found = {}
    for word, value in tomllib.loads((DATA / "readings.toml").read_text(encoding="utf-8")).items():
        reading = tuple(value.split()) if isinstance(value, str) else ()
        if len(reading) != len(word) or not all(char_readings(c) for c in word):
            raise ValueError(f"readings.toml: {word} = {value!r} must give one syllable per Chinese character.")
        if unknown := [s for s in reading if s not in valid_syllables()]:
            raise ValueError(f"readings.toml: {word} = {value!r}: {', '.join(unknown)} is not a pinyin syllable.")
        found[word] = reading
    return found


# ---------------------------------------------------------------------------------------------- readings


def key(syllables: Reading) -> str:
    """The syllables joined: ("ling", "yuan") → "lingyuan"."""
    return "".join(syllables)


def initials(syllables: Reading) -> str:
    """The first letter of each syllable: ("ling", "yuan") → "ly" (zh, ch, sh give z, c, s, as IMEs take them)."""
    return "".join(s[0] for s in syllables)


def readings(word: str, limit: int = 8) -> list[Reading]:
    """The toneless syllable sequences `word` can be read as, most likely first, at most `limit`.

    First the reading with `data/readings.toml`'s words, then pypinyin's phrase reading, then the other
    readings of polyphonic characters (fewest and commonest changes first). Runs of Latin letters or digits
    are one syllable each, lower case; other characters, and characters without a reading, are dropped.
    """
    return list(_readings(word, limit))


@functools.lru_cache(maxsize=1 << 16)
def _readings(word: str, limit: int) -> tuple[Reading, ...]:
    table = _pypinyin()[0]
    if _context_free().issuperset(word):  # each character read one way, whatever the phrase
        reading = tuple(r[0] for c in word if (r := char_readings(c)))
        return (reading,) if reading else ()
    slots: list[tuple[str, ...]] = []  # each syllable's alternatives, the first one the chosen reading
    plain: list[str] = []  # pypinyin's reading of the same syllables
    for run in _runs(word):
        if ord(run[0]) not in table:
            slots.append((run,))
            plain.append(run)
            continue
        for piece, override in _overridden(run):
            alternatives = [a for phrase in _phrase_segmenter().cut(piece) for a in _phrase_slots(phrase)]
            plain += (a[0] for a in alternatives if a)
            if override:
                alternatives = [_distinct((o, *a)) for o, a in zip(override, alternatives)]
            slots += (a for a in alternatives if a)
    if not slots:
        return ()
    if all(len(s) == 1 for s in slots):
        return (tuple(s[0] for s in slots),)
    found = dict.fromkeys([tuple(s[0] for s in slots), tuple(plain)])
    for reading in _cheapest(slots, limit):
        found[reading] = None
        if len(found) >= limit:
            break
    return tuple(itertools.islice(found, limit))


@functools.cache
def _context_free() -> frozenset[str]:
    """The characters pypinyin reads one way wherever they are: one toneless reading, in every phrase too.
    Words made of these alone (two words in five) need no phrase segmentation."""
    table, phrases = _pypinyin()
    single = {chr(code): _toneless(marked) for code, marked in table.items() if "," not in marked}
    single.update(
        (c, r[0]) for code, marked in table.items() if "," in marked and len(r := char_readings(c := chr(code))) == 1
    )
    for phrase, listed in phrases.items():
        for char, marked in zip(phrase, listed):
            if char in single and any(_toneless(m) != single[char] for m in marked):
                del single[char]
    return frozenset(single) - _override_starts()


@functools.cache
def _override_starts() -> frozenset[str]:
    return frozenset(word[0] for word in overrides())


def _runs(word: str) -> list[str]:
    """`word` cut into runs of characters with a reading and runs of Latin letters and digits (lower case)."""
    table = _pypinyin()[0]
    if all(ord(char) in table for char in word):  # most words
        return [word]
    runs: list[str] = []
    kind: str | None = None
    for char in word:
        this: str | None = "han"
        if ord(char) not in table:
            char = unicodedata.normalize("NFKC", char).lower()  # full-width letters and digits
            this = "latin" if char.isascii() and char.isalnum() else None
        if this is None:
            kind = None
        elif this == kind:
            runs[-1] += char
        else:
            runs.append(char)
            kind = this
    return runs


def _overridden(run: str) -> list[tuple[str, Reading | None]]:
    """`run` cut into the longest words of `readings.toml` (with their reading) and the text between."""
    table = overrides()
    if _override_starts().isdisjoint(run):
        return [(run, None)]
    longest = max(map(len, table))
    pieces: list[tuple[str, Reading | None]] = []
    start = at = 0
    while at < len(run):
        word = next((run[at:end] for end in range(min(len(run), at + longest), at, -1) if run[at:end] in table), None)
        if word is None:
            at += 1
            continue
        if start < at:
            pieces.append((run[start:at], None))
        pieces.append((word, table[word]))
        at = start = at + len(word)
    if start < len(run):
        pieces.append((run[start:], None))
    return pieces


@functools.lru_cache(maxsize=1 << 16)
def _phrase_slots(phrase: str) -> tuple[tuple[str, ...], ...]:
    """Each character's readings in one phrase of pypinyin's segmentation: those its phrase table gives the
    phrase, then the character's others."""
    listed = _pypinyin()[1].get(phrase)
    if listed is None or len(listed) != len(phrase):
        return tuple(char_readings(c) for c in phrase)
    return tuple(
        _distinct(itertools.chain(map(_toneless, marked), char_readings(c))) for c, marked in zip(phrase, listed)
    )


def _cheapest(slots: list[tuple[str, ...]], limit: int):
    """Readings that choose one alternative per slot, by the sum of the chosen alternatives' ranks."""
    reading = [s[0] for s in slots]
    varying = [(at, s) for at, s in enumerate(slots) if len(s) > 1]
    start = (0,) * len(varying)
    queue = [(0, *start)]  # (rank sum, rank of each varying slot's choice)
    seen = {start}
    for _ in range(limit):
        if not queue:
            break
        ranks = heapq.heappop(queue)[1:]
        for (at, alternatives), i in zip(varying, ranks):
            reading[at] = alternatives[i]
        yield tuple(reading)
        for v, i in enumerate(ranks):
            if i + 1 < len(varying[v][1]):
                after = (*ranks[:v], i + 1, *ranks[v + 1 :])
                if after not in seen:
                    seen.add(after)
                    heapq.heappush(queue, (sum(after), *after))


# ---------------------------------------------------------------------------------------------- typos

# An input method's fuzzy-pinyin confusions, closest first: the nasal finals -n/-ng (an/ang, en/eng, in/ing,
# and with them ian/iang, uan/uang), which most northern and southern speakers blur; l/n (south-west,
# Hunan, Cantonese); the flat and curled initials z/zh, c/ch, s/sh (most of the south). f/h and r/l, also
# offered by IMEs, are left out: they are regional, and each rule adds candidates to every suggestion.
_INITIAL_SWAPS = (("n", "l"), ("l", "n"), ("zh", "z"), ("ch", "c"), ("sh", "s"), ("z", "zh"), ("c", "ch"), ("s", "sh"))


@functools.cache
def _confusions(syllable: str) -> tuple[str, ...]:
    """The valid syllables one fuzzy-pinyin change away from `syllable`, closest first."""
    found = [syllable[:-1] if syllable.endswith("ng") else syllable + "g" if syllable.endswith("n") else ""]
    for typed, meant in _INITIAL_SWAPS:
        if syllable.startswith(typed) and not (typed in "zcs" and syllable[1:2] == "h"):
            found.append(meant + syllable[len(typed) :])
    return tuple(s for s in dict.fromkeys(found) if s in valid_syllables() and s != syllable)


def near(syllables: Reading, max_changes: int = 1, limit: int = 64) -> list[Reading]:
    """Near-homophones of `syllables`: up to `max_changes` fuzzy-pinyin changes (a change is -n/-ng, l/n,
    z/zh, c/ch or s/sh in one syllable), valid syllables only, fewest and closest changes first."""
    seen = {tuple(syllables)}
    level = [tuple(syllables)]
    found: list[Reading] = []
    for _ in range(max_changes):
        following = []
        for reading in level:
            for at, syllable in enumerate(reading):
                for other in _confusions(syllable):
                    changed = (*reading[:at], other, *reading[at + 1 :])
                    if changed not in seen:
                        seen.add(changed)
                        following.append(changed)
        found += following
        level = following
        if len(found) >= limit:
            break
    return found[:limit]


def homophones(char: str) -> list[str]:
    """Characters sharing a toneless reading with `char`, likeliest first: by how common the shared reading
    is for `char`, then those whose own commonest reading it is, then by how often the character occurs in
    the words of jieba's dictionary (weighted by their frequency); characters jieba never uses are left out."""
    frequency = _char_frequency()
    rank = {s: i for i, s in enumerate(char_readings(char))}
    found = dict.fromkeys(h for r in rank for h in _by_syllable().get(r, ()))
    found.pop(char, None)

    def likeliest(other: str) -> tuple[int, bool, int]:
        shared = min((rank[s], i > 0) for i, s in enumerate(char_readings(other)) if s in rank)
        return *shared, -frequency[other]

    return sorted(found, key=likeliest)


@functools.cache
def _by_syllable() -> dict[str, tuple[str, ...]]:
    """Toneless syllable → the characters read so that occur in jieba's dictionary."""
    frequency = _char_frequency()
    found = defaultdict(list)
    for code in _pypinyin()[0]:
        if chr(code) in frequency:
            for syllable in char_readings(chr(code)):
                found[syllable].append(chr(code))
    return {s: tuple(chars) for s, chars in found.items()}


@functools.cache
def _char_frequency() -> dict[str, int]:
    """Character → the summed frequency of the words of jieba's dictionary that contain it."""
    spec = importlib.util.find_spec("jieba")  # its dictionary file, read without importing jieba
    assert spec and spec.submodule_search_locations, "jieba is a dependency"
    frequency: dict[str, int] = defaultdict(int)
    path = pathlib.Path(spec.submodule_search_locations[0]) / "dict.txt"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, count, *_ = line.split()
            for char in set(word):
                frequency[char] += int(count)
    return dict(frequency)
