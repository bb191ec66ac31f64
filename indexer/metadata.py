"""Metadata extraction: which zones an article is about, its year and its industries, with the evidence.

The rules read their names and thresholds from data files a curator can edit (`data/zones.toml`,
`data/industries.toml`), and a catalog beside the articles (`catalog.toml`) overrides what is inferred.
All matching is on folded text, so traditional and simplified spellings count alike.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import pathlib
import re
import tomllib
from collections import Counter

from .analysis import DATA, clean, fold
from .articles import Article

CATALOG_NAME = "catalog.toml"
# The data files the rules read (an edit re-indexes every article).
INDEXING_DATA = (DATA / "zones.toml", DATA / "industries.toml")


@dataclasses.dataclass(frozen=True)
class Zone:
    name: str
    short: str
    names: tuple[str, ...]
    places: tuple[str, ...]


@dataclasses.dataclass
class Metadata:
    """What was extracted for one article and why (`explain` prints it)."""

    zones: list[str]
    year: int | None
    industries: list[str]
    zone_evidence: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    zone_scores: dict[str, float] = dataclasses.field(default_factory=dict)
    zone_rule: str = ""
    year_source: str = ""
    industry_evidence: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)

    @property
    def year_inferred(self) -> bool:
        return self.year_source.startswith("inferred")


# ---------------------------------------------------------------------------------------------- data files

@functools.cache
def gazetteer() -> tuple[dict, tuple[Zone, ...]]:
    """The rule's settings and the zones, from `data/zones.toml`."""
    data = tomllib.loads((DATA / "zones.toml").read_text(encoding="utf-8"))
    zones = tuple(
        Zone(z["name"], z["short"], tuple(dict.fromkeys(z["names"])), tuple(dict.fromkeys(z["places"])))
        for z in data.pop("zone")
    )
    return data, zones


@functools.cache
def taxonomy() -> tuple[dict, dict[str, tuple[str, ...]]]:
    """The rule's settings and industry → keywords, from `data/industries.toml`."""
    data = tomllib.loads((DATA / "industries.toml").read_text(encoding="utf-8"))
    return data, {name: tuple(words) for name, words in data.pop("industry").items()}


def zone_names() -> list[str]:
    """Canonical zone names, in gazetteer order."""
    return [z.name for z in gazetteer()[1]]


def resolve_zone(value: str) -> str | None:
    """The canonical zone a user means by `value`: its full name, short form or any printed name."""
    key = fold(clean(value))
    for zone in gazetteer()[1]:
        if key in {fold(n) for n in (zone.name, zone.short, *zone.names)}:
            return zone.name
    return None


def resolve_industry(value: str) -> str | None:
    """The canonical industry a user means by `value` (either script)."""
    key = fold(clean(value))
    return next((name for name in taxonomy()[1] if fold(name) == key), None)


def load_catalog(folder: pathlib.Path) -> dict[str, dict]:
    """Known metadata per article id from `folder/catalog.toml` (empty if there is none)."""
    path = folder / CATALOG_NAME
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- zones

@functools.cache
def _zone_pattern() -> tuple[re.Pattern, dict[str, tuple[str, str]]]:
    """One alternation of every folded name and place, longest first, so a zone's full name is never
    also counted as its place (凌源经济开发区 is not 凌源)."""
    owners: dict[str, tuple[str, str]] = {}
    for zone in gazetteer()[1]:
        for kind, names in (("places", zone.places), ("names", (zone.name, *zone.names))):
            for name in names:
                owners[fold(name)] = (zone.name, kind)
    alternation = "|".join(map(re.escape, sorted(owners, key=len, reverse=True)))
    return re.compile(alternation), owners


def _count(pattern: re.Pattern, title: str, body: str, title_weight: int) -> Counter:
    counts: Counter = Counter(m.group() for m in pattern.finditer(body))
    for m in pattern.finditer(title):
        counts[m.group()] += title_weight
    return counts


def extract_zones(title: str, body: str) -> tuple[list[str], dict, dict, str]:
    """(zones, evidence per zone, score per zone, the rule that decided).

    A zone counts its own names (weight `name_weight`) and its county's place names (`place_weight`); a
    headline mention counts `title_weight` times. A zone is tagged when its score reaches `min_score` and
    `min_share` of the best zone's score. An article that names `survey_zones` or more zones is a survey
    of them: every zone it names is tagged.
    """
    settings, zones = gazetteer()
    pattern, owners = _zone_pattern()
    counts = _count(pattern, fold(clean(title)), fold(clean(body)), settings["title_weight"])
    evidence: dict[str, dict[str, int]] = {}
    scores: dict[str, float] = {}
    named: set[str] = set()
    for key, n in counts.items():
        zone, kind = owners[key]
        evidence.setdefault(zone, {})[key] = n
        scores[zone] = scores.get(zone, 0) + n * settings[f"{kind[:-1]}_weight"]
        if kind == "names":
            named.add(zone)
    best = max(scores.values(), default=0)
    chosen = {z for z, s in scores.items() if s >= settings["min_score"] and s >= settings["min_share"] * best}
    rule = f"score ≥ {settings['min_score']} and ≥ {settings['min_share']:.0%} of the best ({best:g})"
    if len(named) >= settings["survey_zones"]:
        chosen |= named
        rule = f"survey: {len(named)} zones named (≥ {settings['survey_zones']}), every named zone tagged"
    return [z.name for z in zones if z.name in chosen], evidence, scores, rule


# ---------------------------------------------------------------------------------------------- years

_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年")
# A year written as a whole past period: “2019年,…”, “2021年全年”, “2019年共…”.
_YEAR_AS_PAST = r"{y}年(?:[,，、]|全年|共|度|实现|累计)"
_TARGET = re.compile(r"(?:到|至|于|在)$")


def infer_year(body: str, today: datetime.date | None = None) -> tuple[int | None, str]:
    """The publication year the text implies, and why: the latest plausible year written (not in the
    future, not a target such as 到2035年), plus one when the text treats that year as a finished period
    and speaks of 去年/今年 (so it was written the year after)."""
    today = today or datetime.date.today()
    text = fold(clean(body))
    years = []
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        if 1949 <= year <= today.year and not _TARGET.search(text[max(0, m.start() - 1):m.start()]):
            years.append(year)
    if not years:
        return None, "inferred: no year written in the text"
    latest = max(years)
    relative = [w for w in ("去年", "今年") if w in text]
    if relative and latest < today.year and re.search(_YEAR_AS_PAST.format(y=latest), text):
        return latest + 1, (f"inferred: latest year written is {latest}, told as a finished year while the "
                            f"text says {'/'.join(relative)} → {latest + 1}")
    return latest, f"inferred: latest year written is {latest}"


# ---------------------------------------------------------------------------------------------- industries

def extract_industries(title: str, body: str) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Industries whose keywords occur `min_hits` times or more and `min_share` as often as the article's
    leading industry (headline hits weigh `title_weight`)."""
    settings, industries = taxonomy()
    title_key, body_key = fold(clean(title)), fold(clean(body))
    evidence = {}
    for name, pattern in _industry_patterns().items():
        counts = _count(pattern, title_key, body_key, settings["title_weight"])
        if counts:
            evidence[name] = dict(counts.most_common())
    totals = {name: sum(counts.values()) for name, counts in evidence.items()}
    floor = max(settings["min_hits"], settings["min_share"] * max(totals.values(), default=0))
    return [name for name in industries if totals.get(name, 0) >= floor], evidence


@functools.cache
def _industry_patterns() -> dict[str, re.Pattern]:
    return {name: re.compile("|".join(map(re.escape, sorted({fold(k) for k in keywords}, key=len, reverse=True))))
            for name, keywords in taxonomy()[1].items()}


# ---------------------------------------------------------------------------------------------- all

def extract(article: Article, catalog_entry: dict | None = None) -> Metadata:
    """All metadata of `article`: explicit values and the catalog win over extraction."""
    entry = catalog_entry or {}
    zones, zone_evidence, scores, rule = extract_zones(article.title, article.body)
    if article.zones:
        zones = [resolve_zone(z) or z for z in article.zones]
        rule = "given with the article"
    industries, industry_evidence = extract_industries(article.title, article.body)
    if article.industries:
        industries = [resolve_industry(i) or i for i in article.industries]
    if "year" in entry:
        year, source = int(entry["year"]), f"catalog: {entry.get('evidence', 'no evidence recorded')}"
    elif article.year:
        year, source = article.year, "given with the article"
    elif article.date and article.date[:4].isdigit():
        year, source = int(article.date[:4]), f"date {article.date}"
    else:
        year, source = infer_year(article.body)
    return Metadata(zones, year, industries, zone_evidence, scores, rule, source, industry_evidence)
