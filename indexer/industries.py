"""Industry tags: which industries of the taxonomy an article is about, the evidence, and what was rejected.

The taxonomy and the rule's settings are in `data/industries.toml`. Keywords count as words or as parts of
a compound word (`mentions.find` with the economy words as heads); a generic keyword (汽车, 旅游, 黄金)
counts only where it is used about industry: in a sentence with an economy word.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
import tomllib
from collections.abc import Callable

from .analysis import DATA, clean, fold
from .mentions import Matcher, Text, find, matcher, reason, tally

# Where a sentence ends: the context a generic keyword's economy word must share.
_SENTENCE_END = re.compile(r"[。！？!?；;]")


@dataclasses.dataclass
class IndustryTags:
    """The industries of one article and why: keyword hits per industry, and the keywords not counted."""

    industries: list[str]
    evidence: dict[str, dict[str, int]]
    rejected: list[tuple[str, str]]


@functools.cache
def taxonomy() -> tuple[dict, dict[str, tuple[str, ...]]]:
    """The rule's settings and industry → keywords, from `data/industries.toml`."""
    data = tomllib.loads((DATA / "industries.toml").read_text(encoding="utf-8"))
    return data, {name: tuple(words) for name, words in data.pop("industry").items()}


def resolve_industry(value: str) -> str | None:
    """The canonical industry a user means by `value` (either script)."""
    key = fold(clean(value))
    return next((name for name in taxonomy()[1] if fold(name) == key), None)


@functools.cache
def _keywords() -> tuple[Matcher, dict[str, tuple[str, ...]]]:
    """A matcher of every keyword, and folded keyword → the industries it shows."""
    owners: dict[str, tuple[str, ...]] = {}
    for name, keywords in taxonomy()[1].items():
        for key in dict.fromkeys(map(fold, keywords)):
            owners[key] = (*owners.get(key, ()), name)
    return matcher(tuple(k for keywords in taxonomy()[1].values() for k in keywords)), owners


@functools.cache
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    """(economy words, generic keywords), folded."""
    settings = taxonomy()[0]
    return frozenset(map(fold, settings["economy"])), frozenset(map(fold, settings["generic"]))


def extract_industries(title: Text, body: Text, about_zone: bool) -> IndustryTags:
    """Industries whose keywords occur `min_hits` times or more and `min_share` as often as the article's
    leading industry (headline hits weigh `title_weight`).

    In an article about a zone, that is all: the zone's industries are what it lists. Elsewhere a generic
    keyword counts only in a sentence with an economy word, and the industry must be the article's
    subject: in its headline, or `min_density` body hits per 1,000 characters.
    """
    settings = taxonomy()[0]
    economy, generic = _lists()
    evidence: dict[str, dict[str, int]] = {}
    in_title: set[str] = set()
    in_body: dict[str, int] = {}
    rejected: list[tuple[str, str]] = []
    keywords, owners = _keywords()
    for text, weight in ((title, settings["title_weight"]), (body, 1)):
        in_economy = None if about_zone else _economy_sentences(text, economy)
        found, missed = find(keywords, text, heads=economy, overlapping=True)
        rejected += [(text.shown[m.start : m.end], reason(m, text)) for m in missed]
        # Mentions may overlap: 环保装备制造 is 环保装备 (环保) and 装备制造 (装备制造); within one industry
        # the first (longest) counts.
        ends: dict[str, int] = {}
        for m in found:
            # a keyword that starts a word with an economy word (汽车产业) is used about industry itself
            if in_economy and m.name in generic and m.end in text.edges and not in_economy(m.start):
                rejected.append((text.shown[m.start : m.end], "a generic word, no economy word in its sentence"))
                continue
            for industry in owners[m.name]:
                if m.start < ends.get(industry, 0):
                    continue
                ends[industry] = m.end
                hits = evidence.setdefault(industry, {})
                key = keywords.spelling[m.name]
                hits[key] = hits.get(key, 0) + weight
                if text is title:
                    in_title.add(industry)
                else:
                    in_body[industry] = in_body.get(industry, 0) + 1
    evidence = {name: dict(sorted(hits.items(), key=lambda kv: -kv[1])) for name, hits in evidence.items()}
    totals = {name: sum(hits.values()) for name, hits in evidence.items()}
    floor = max(settings["min_hits"], settings["min_share"] * max(totals.values(), default=0))
    chosen = [name for name in taxonomy()[1] if totals.get(name, 0) >= floor]
    if not about_zone:
        for name in list(chosen):
            density = in_body.get(name, 0) * 1000 / max(len(body.shown), 1)
            if name not in in_title and density < settings["min_density"]:
                chosen.remove(name)
                rejected.append(
                    (
                        name,
                        f"not the article's subject: not in the headline, {density:.1f} hits per "
                        f"1,000 characters (needs {settings['min_density']:g})",
                    )
                )
    return IndustryTags(chosen, evidence, tally(rejected))


def about_economy(text: Text) -> Callable[[int], bool]:
    """A test of whether the sentence around an offset of `text` holds an economy word (the taxonomy's)."""
    return _economy_sentences(text, _lists()[0])


def _economy_sentences(text: Text, economy: frozenset[str]) -> Callable[[int], bool]:
    """A test of whether the sentence around an offset of `text` holds an economy word."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text.shown)]
    words = [m.start for m in find(matcher(tuple(sorted(economy))), text, heads=economy)[0]]

    def in_economy(offset: int) -> bool:
        i = bisect.bisect_left(ends, offset)
        start = ends[i - 1] + 1 if i else 0
        end = ends[i] if i < len(ends) else len(text.shown)
        j = bisect.bisect_left(words, start)
        return j < len(words) and words[j] < end

    return in_economy
