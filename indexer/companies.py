"""Company and project names an article names, for the `company` facet: found at their suffix, with evidence.

A name ends in a legal form, a group or a project (辽宁亿联盛新材料有限公司, 凌钢集团, 华祥新材料项目) or is
one of the user dictionary's organisation names (`data/userdict.txt`, tag nt). It extends to the left from
its suffix over jieba's words until a word that cannot be part of a name, starts at its first place or
proper name, and must hold a proper name (or a place and what the company does). `data/companies.toml`
holds the suffixes, stop words and caps, and says why. Precision comes first: a facet of categories (科技
公司, 重点项目) would be worse than a short one.

>>> from indexer.mentions import prepare
>>> body = prepare("总投资10亿元的华祥新材料项目开工，该公司是辽宁华锐新材料有限公司的。")
>>> found = extract_companies(prepare(""), body)
>>> found.names
['华祥新材料', '华祥新材料项目', '华锐新材料', '辽宁华锐新材料有限公司']
>>> found.rejected
[('该公司', 'not a name: 该 before 公司')]
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re

from .analysis import fold, simplify, user_words
from .company_words import (
    BRACKET,
    COMMON,
    NAME,
    PLACE,
    PROPER,
    STOP,
    UNKNOWN,
    Rules,
    Word,
    bracket_class,
    is_name_char,
    is_place,
    prefix_class,
    rules,
    word_class,
)
from .industries import about_economy
from .mentions import Text, find, matcher, tally

_BRACKETS = str.maketrans("()", "（）")
_SENTENCE_END = re.compile(r"[。！？!?；;]")


@dataclasses.dataclass
class CompanyTags:
    """The companies and projects of one article: names in order of first mention, how each was found
    (its suffix, or "dictionary" → occurrences), and the candidates rejected with the reason."""

    names: list[str]
    evidence: dict[str, dict[str, int]]
    rejected: list[tuple[str, str]]


@functools.cache
def _dictionary_names() -> tuple[str, ...]:
    """The user dictionary's organisation names (tag nt)."""
    return tuple(word for word, _, tag in user_words() if tag == "nt")


@functools.cache
def _aliases() -> dict[str, str]:
    """Folded short form → the user dictionary's full name it stands for: a name the dictionary also lists
    with more after it (凌钢 → 凌钢集团, 华锐 → 华锐新材料), when that is one name only."""
    names = _dictionary_names()
    longer = {fold(n): [m for m in names if m != n and m.startswith(n)] for n in names}
    return {short: full[0] for short, full in longer.items() if len(full) == 1}


def display(name: str) -> str:
    """A name's one display form: simplified, brackets full-width, no spaces or commas (the facet's
    separator).

    >>> display("中玻(朝陽)新材料有限公司")
    '中玻（朝阳）新材料有限公司'
    """
    return re.sub(r"[\s,，]+", "", simplify(name).translate(_BRACKETS))


def extract_companies(title: Text, body: Text, about_zone: bool = False) -> CompanyTags:
    """The companies and projects named in `title` and `body` (prepared by `mentions.prepare`, so with
    jieba's word boundaries): names found at a suffix and the user dictionary's names, in order of first
    mention. The dictionary's names are Chaoyang's companies: outside an article `about_zone` they count
    only in a sentence about business (尤尼斯 is also a town in Gaza), and short ones not at all (宏源 in
    申万宏源 is another company)."""
    evidence: dict[str, dict[str, int]] = {}
    keys: dict[str, str] = {}  # folded name → display name
    rejected: list[tuple[str, str]] = []
    aliases = _aliases()
    dictionary = matcher(_dictionary_names())
    for text in (title, body):
        found = _suffixed(text, about_zone)
        mentions = find(dictionary, text)[0]
        in_economy = about_economy(text) if mentions and not about_zone else None
        short = rules().settings["short_dictionary_name"]
        for m in mentions:
            if in_economy is None or (len(m.name) > short and in_economy(m.start)):
                found.append((m.start, aliases.get(m.name, dictionary.spelling[m.name]), "", "dictionary"))
            else:
                why = (
                    "a short dictionary name outside an article about a zone"
                    if len(m.name) <= short
                    else "a dictionary name in a sentence without an economy word"
                )
                found.append((m.start, text.shown[m.start : m.end], why, "dictionary"))
        for _, name, why, how in sorted(found, key=lambda f: f[0]):
            if why:
                rejected.append((name, why))
                continue
            name = keys.setdefault(fold(name), display(name))
            hits = evidence.setdefault(name, {})
            hits[how] = hits.get(how, 0) + 1
    for part, whole in _merged(list(evidence)).items():
        for how, n in evidence.pop(part).items():
            evidence[whole][how] = evidence[whole].get(how, 0) + n
    return CompanyTags(list(evidence), evidence, tally(rejected))


def _merged(names: list[str]) -> dict[str, str]:
    """Each of `names` that another repeats after a place (亿联盛新材料有限公司 beside
    辽宁亿联盛新材料有限公司) → that longer form, which stands for both."""
    merged = {}
    for name in names:
        longer = [o for o in names if len(o) > len(name) and o.endswith(name) and is_place(o[: -len(name)])]
        if longer:
            merged[name] = max(longer, key=len)
    return merged


def _suffixed(text: Text, about_zone: bool) -> list[tuple[int, str, str, str]]:
    """(offset, name, "", suffix) for each name found at a suffix, (offset, candidate, reason, suffix) for
    each candidate rejected that could have been a name; company names are found first, then projects
    (which may be named after them)."""
    r = rules()
    found = []
    matches = [m for m in r.suffixes.finditer(text.folded) if m.end() in text.edges]  # not 公司法, 项目部
    brands: set[str] = set()  # the proper names of the companies found, for projects named after them
    followed = {m.start() for m in matches}
    for project in (False, True):
        for m in matches:
            if (r.kinds[m.group()] == "project") != project or m.end() in followed:
                continue  # a suffix before another (集团 in 集团有限公司) is part of the longer name
            name, why, words = _name_at(text, m.start(), m.end(), r, brands, about_zone)
            if not why:
                brands.update(_simple(text, a, b) for a, b, cls in words if cls in PROPER)
            if name:
                found.append((m.start(), name, why, m.group()))
    return found


def _simple(text: Text, start: int, end: int) -> str:
    return simplify(text.shown[start:end])


def _name_at(
    text: Text, start: int, end: int, r: Rules, brands: set[str], about_zone: bool
) -> tuple[str, str, list[Word]]:
    """The name whose suffix is text[start:end], or the candidate and why it is not a name (no candidate
    when nothing before the suffix could be part of a name), and the name's words."""
    kind = r.kinds[text.folded[start:end]]
    project = kind == "project"
    cap = r.settings["max_project_length" if project else "max_length"]
    words, left_out, pos, too_long = _words_before(text, start, end, project, cap, r)
    written = text.shown[start:end]
    if too_long:
        return display(text.shown[max(pos, end - 12) : end]), f"longer than {cap} characters without a break", words
    if not words:
        stop = text.shown[_word_start(text, pos) : pos] if pos else ""
        if project or not stop or not is_name_char(stop[0]):
            return "", "nothing before the suffix", words
        return display(stop + written), f"not a name: {stop} before {written}", words
    # The name starts at its first place or proper name: common words before it describe it (龙头企业…).
    first = next(
        (
            i
            for i, (a, b, cls) in enumerate(words)
            if cls != COMMON and not (b - a == 1 and text.shown[a] in r.settings["admin_units"])
        ),
        len(words),
    )
    kept = words[first:]
    shown = _shown(text, (kept or words)[0][0], end, left_out)
    if not kept:
        return shown, f"common words before {written}, no proper name or place", words
    if shown in r.words["never"]:
        return shown, "a generic phrase (never a name in companies.toml)", kept
    if kept[0][2] == BRACKET:
        return shown, "starts with a bracket: what is before it is not a name", kept
    if any(c in shown for c in r.settings["anonymous"]):
        return shown, "an anonymised name", kept
    proper = [_simple(text, a, b) for a, b, cls in kept if cls in PROPER]
    places = sum(cls == PLACE for _, _, cls in kept) + any(cls == BRACKET for _, _, cls in kept)
    common = any(cls == COMMON for _, _, cls in kept)
    if project:
        return shown, _project_judgement(text, start, kept, proper, places, r, brands, about_zone), kept
    if kind == "weak" and written.endswith("股份") and kept[-1][2] not in PROPER:
        # a share holding (土地股份, 增持股份), not a listed company's short name (马钢股份)
        return shown, f"common words before {written}: a holding, not a company", kept
    if proper or (kind == "strong" and (common or places > 1)):
        # before a legal form, a place and what the company does is a name (中国石油化工集团); so are two
        # places, where the second is the brand jieba takes for a place (广州市莲香楼有限公司)
        return shown, "", kept
    what = "a place" if not common else "common words" if not places else "a place and common words"
    return shown, f"{what} before {written}, no proper name", kept


def _words_before(
    text: Text, start: int, end: int, project: bool, cap: int, r: Rules
) -> tuple[list[Word], list[tuple[int, int]], int, bool]:
    """The words before a suffix that may be part of a name, left to right; the parts of a project's name
    left out (quantities, phases, building verbs); where the scan stopped; whether it reached the cap."""
    words: list[Word] = []  # right to left while scanning
    left_out: list[tuple[int, int]] = []
    pos, joined = start, None
    while pos > 0:
        if project and (filler := _project_filler(text, pos, r)) is not None:
            left_out.append((filler, pos))
            pos = filler
            continue
        word_start = _word_start(text, pos)
        word = _simple(text, word_start, pos)
        if word == ")":
            cls = bracket_class(text, word_start)
            word_start = text.folded.rfind("(", 0, word_start) if cls == BRACKET else word_start
        elif pos == start and start not in text.edges:  # the suffix ends a longer word (金达集团, 上市公司)
            cls = prefix_class(word, _simple(text, word_start, end), r)
        else:
            cls = word_class(word)
        if cls == UNKNOWN and word[0] in r.settings["function_chars"]:
            # jieba's HMM joined function words to the name after them (对红人库, 已由恒大, 和益普索): the name
            # starts after them, unless what is left is no name (对省)
            rest = word.lstrip(r.settings["function_chars"])
            rest_class = word_class(rest) if rest else STOP
            if rest_class != STOP and not (len(rest) == 1 and rest in r.settings["admin_units"]):
                generic = rest in r.words["generic"] or rest in r.words["name_verbs"]
                words.append((pos - len(rest), pos, COMMON if generic else UNKNOWN))
                pos -= len(rest)
            break
        if (
            cls == STOP
            or fold(word) in r.closing
            or (
                words
                and words[-1][2] == PLACE
                and not _before_place(word, cls, _simple(text, words[-1][0], words[-1][1]), r)
            )
        ):
            # a stop; or a place starts the name already (what is before it describes it: 新疆油田|中国石油…)
            if cls == STOP and project and word in r.words["joiners"] and joined is None and not _proper(words):
                joined = len(words)  # look past 及 for the proper name the project is of
                words.append((word_start, pos, COMMON))
                pos = word_start
                continue
            break
        if end - word_start - sum(b - a for a, b in left_out) > cap:
            return words[::-1], left_out, pos, True
        words.append((word_start, pos, cls))
        pos = word_start
    if joined is not None and not _proper(words[joined:]):
        words = words[:joined]  # nothing proper before 及: the name is what follows it
    return _joined_characters(words[::-1], text, r), left_out, pos, False


def _before_place(word: str, cls: str, place: str, r: Rules) -> bool:
    """Whether `word` may be part of a name before the place that follows it: a place (辽宁|朝阳市), a brand
    (国能|新疆化工), or one character of a place jieba cut short (龙|南市)."""
    if cls in (PLACE, BRACKET, NAME, UNKNOWN):
        return True
    return len(word) == 1 and cls == COMMON and place[-1] in r.settings["admin_units"]


def _joined_characters(words: list[Word], text: Text, r: Rules) -> list[Word]:
    """`words` with each run of one-character words and words jieba does not know made one proper name: a
    brand jieba cut into characters (琨/鑫 → 琨鑫, 鑫/锐炜 → 鑫锐炜), unless the run is a generic word."""
    out: list[list] = []  # [start, end, class, joinable, parts]
    for i, (a, b, cls) in enumerate(words):
        if (
            b - a == 1
            and cls == COMMON
            and i + 1 < len(words)
            and words[i + 1][2] == PLACE
            and text.shown[words[i + 1][1] - 1] in r.settings["admin_units"]
        ):
            cls = PLACE  # 龙|南市: one place, which jieba cut short
        joinable = cls == UNKNOWN or (
            b - a == 1 and cls in (COMMON, NAME) and text.shown[a] not in r.settings["admin_units"]
        )
        if joinable and out and out[-1][3]:
            out[-1][1] = b
            out[-1][4] += 1
        else:
            out.append([a, b, cls, joinable, 1])
    merged: list[list] = []
    for item in out:  # a place's first character and the rest of it
        if merged and merged[-1][2] == PLACE and item[2] == PLACE and merged[-1][1] - merged[-1][0] == 1:
            merged[-1][1] = item[1]
        else:
            merged.append(item)
    joined = []
    for a, b, cls, _, parts in merged:
        if parts > 1:
            word = _simple(text, a, b)
            cls = COMMON if word in r.words["generic"] or word in r.words["name_verbs"] else UNKNOWN
        joined.append((a, b, cls))
    return joined


def _project_judgement(
    text: Text,
    start: int,
    kept: list[Word],
    proper: list[str],
    places: int,
    r: Rules,
    brands: set[str],
    about_zone: bool,
) -> str:
    """Why a project's candidate name is not a name ("" if it is). A project is named after a company the
    dictionary or this article names; or, in a sentence about investment, after a place and a proper name
    (北票宏发…项目); or, in an article about a zone, after a place and what is built (凌源智能制造产业园项目:
    general news names too many projects so, 山东省重点装备制造业项目). Its words must say what is built
    (not 中国铁建医疗机构合作项目)."""
    commons = [_simple(text, a, b) for a, b, cls in kept if cls == COMMON]
    if commons and all(word in r.words["project_generic"] for word in commons):
        return "the project's name says nothing of what is built"
    if any(r.user_tags.get(p) == "nt" or p in brands for p in proper):
        return ""
    after_place = any(cls in PROPER and i and kept[i - 1][2] == PLACE for i, (_, _, cls) in enumerate(kept))
    if not (after_place or (about_zone and places and commons and not proper)):
        return "no company or place named in the project's name"
    sentence = _sentence(text, start)
    if not any(word in sentence for word in r.words["project_context"]):
        return "not an investment: no investment word in its sentence"
    return ""


def _sentence(text: Text, offset: int, reach: int = 200) -> str:
    """The sentence of `text` around `offset` (at most `reach` characters either side)."""
    before = text.shown[max(0, offset - reach) : offset]
    ends = list(_SENTENCE_END.finditer(before))
    after = _SENTENCE_END.search(text.shown, offset, offset + reach)
    return simplify(before[ends[-1].end() :] if ends else before) + simplify(
        text.shown[offset : after.start() if after else offset + reach]
    )


def _proper(words: list[Word]) -> bool:
    return any(cls in PROPER for _, _, cls in words)


def _shown(text: Text, start: int, end: int, left_out: list[tuple[int, int]]) -> str:
    """The display form of text[start:end] without the parts left out (quantities, phases, verbs)."""
    pieces, at = [], start
    for a, b in sorted(left_out):
        if a >= start:
            pieces.append(text.shown[at:a])
            at = b
    pieces.append(text.shown[at:end])
    return display("".join(pieces))


def _project_filler(text: Text, pos: int, r: Rules) -> int | None:
    """Where a quantity, a phase or a building verb that ends at `pos` starts (left out of a project's
    name: 华锐新材料年产5000吨海绵铝项目 is 华锐新材料海绵铝项目), or None."""
    before = text.folded[max(0, pos - 16) : pos]
    m = r.quantity.match(before[::-1])
    if m is not None:
        return pos - m.end()
    m = r.phase.search(before)
    if m is not None:
        return pos - (len(before) - m.start())
    verb = next((v for v in r.words["project_verbs"] if before.endswith(fold(v))), None)
    return pos - len(verb) if verb and (pos - len(verb)) in text.edges else None


def _word_start(text: Text, pos: int) -> int:
    """The start of the word that ends at `pos`, or of the part before `pos` of the word that holds it."""
    i = bisect.bisect_left(text.starts, pos) - 1
    return text.starts[i] if i >= 0 else 0
