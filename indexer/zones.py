"""Zone tags: which of Chaoyang's development zones an article is about, the evidence, and what was rejected.

The gazetteer and the rule's settings are in `data/zones.toml`. Names count only as words (`mentions`); a
bare short place name (建平, 北票) counts only when the article corroborates it and it is not a person's
given name; an article that names only a zone's county must be about the county's industry.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib

from .analysis import DATA, clean, fold
from .mentions import Matcher, Text, find, matcher, reason, tally


@dataclasses.dataclass(frozen=True)
class Zone:
    name: str
    short: str
    names: tuple[str, ...]
    places: tuple[str, ...]
    short_places: tuple[str, ...]


@dataclasses.dataclass
class ZoneTags:
    """The zones of one article and why: evidence and score per zone, the rule applied, what was rejected."""

    zones: list[str]
    evidence: dict[str, dict[str, int]]
    scores: dict[str, float]
    rule: str
    rejected: list[tuple[str, str]]


@functools.cache
def gazetteer() -> tuple[dict, tuple[Zone, ...]]:
    """The rule's settings and the zones, from `data/zones.toml`."""
    data = tomllib.loads((DATA / "zones.toml").read_text(encoding="utf-8"))
    zones = tuple(
        Zone(z["name"], z["short"], *(tuple(dict.fromkeys(z[key])) for key in ("names", "places", "short_places")))
        for z in data.pop("zone")
    )
    return data, zones


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


@functools.cache
def _names() -> tuple[Matcher, dict[str, tuple[str, str]]]:
    """A matcher of every zone's names and places, and folded name → (zone, kind), kind one of "name",
    "place", "short"."""
    owners: dict[str, tuple[str, str]] = {}
    for zone in gazetteer()[1]:
        for kind, names in (("name", (zone.name, *zone.names)), ("place", zone.places), ("short", zone.short_places)):
            for name in names:
                owners.setdefault(fold(name), (zone.name, kind))
    every = (name for zone in gazetteer()[1] for name in (zone.name, *zone.names, *zone.places, *zone.short_places))
    return matcher(tuple(every)), owners


def _words(key: str) -> tuple[str, ...]:
    return tuple(gazetteer()[0][key])


def extract_zones(title: Text, body: Text) -> ZoneTags:
    """The zones `title` and `body` are about.

    A zone counts its own names (weight `name_weight`) and its county's place names (`place_weight`); a
    headline mention counts `title_weight` times. A zone is tagged when its score reaches `min_score` and
    `min_share` of the best zone's score. An article that names `survey_zones` or more zones is a survey
    of them: every zone it names is tagged. Short place names and place-only evidence have stricter rules
    (see `data/zones.toml`).
    """
    settings = gazetteer()[0]
    names, owners = _names()
    rejected: list[tuple[str, str]] = []
    counted: list[tuple[str, str, str, int]] = []  # (zone, kind, name, weight) per mention
    surnames = _surnames()
    for text, weight in ((title, settings["title_weight"]), (body, 1)):
        found, missed = find(names, text)
        rejected += [(text.shown[m.start : m.end], reason(m, text)) for m in missed]
        for m in found:
            zone, kind = owners[m.name]
            before = text.folded[max(0, m.start - 2) : m.start]
            surname = next((s for s in (before, before[-1:]) if s in surnames), None) if kind == "short" else None
            if surname:
                rejected.append((text.shown[m.start : m.end], f"a person's name: after the surname {surname}"))
            else:
                counted.append((zone, kind, names.spelling[m.name], weight))

    # A short place counts only beside its zone's name or full place name, or the region's name.
    corroborated = {zone for zone, kind, _, _ in counted if kind != "short"}
    if any(kind == "short" and zone not in corroborated for zone, kind, _, _ in counted) and any(
        find(matcher(_words("anchors")), text)[0] for text in (title, body)
    ):
        corroborated = set(zone_names())
    for zone, kind, name, _ in counted:
        if kind == "short" and zone not in corroborated:
            rejected.append(
                (
                    name,
                    "a short name without corroboration: no zone name, full place name or "
                    f"{'/'.join(_words('anchors'))} in the article",
                )
            )
    counted = [c for c in counted if c[1] != "short" or c[0] in corroborated]

    # An article naming a zone's places but not the zone is about it only if it is about industry.
    named = {zone for zone, kind, _, _ in counted if kind == "name"}
    if any(zone not in named for zone, _, _, _ in counted):
        context = _context(title, body)
        if len(context) < settings["min_place_context"]:
            for zone, _kind, name, _ in counted:
                if zone not in named:
                    rejected.append(
                        (
                            name,
                            f"a place, and the article is not about its industry: "
                            f"{len(context)} of {settings['min_place_context']} context words "
                            f"({'、'.join(context) or 'none'})",
                        )
                    )
            counted = [c for c in counted if c[0] in named]

    evidence: dict[str, dict[str, int]] = {}
    scores: dict[str, float] = {}
    for zone, kind, name, weight in counted:
        hits = evidence.setdefault(zone, {})
        hits[name] = hits.get(name, 0) + weight
        scores[zone] = scores.get(zone, 0) + weight * settings[f"{'name' if kind == 'name' else 'place'}_weight"]
    best = max(scores.values(), default=0)
    chosen = {z for z, s in scores.items() if s >= settings["min_score"] and s >= settings["min_share"] * best}
    rule = f"score ≥ {settings['min_score']} and ≥ {settings['min_share']:.0%} of the best ({best:g})"
    if len(named) >= settings["survey_zones"]:
        chosen |= named
        rule = f"survey: {len(named)} zones named (≥ {settings['survey_zones']}), every named zone tagged"
    return ZoneTags([z for z in zone_names() if z in chosen], evidence, scores, rule, tally(rejected))


@functools.cache
def _surnames() -> frozenset[str]:
    return frozenset(map(fold, _words("surnames")))


def _context(title: Text, body: Text) -> list[str]:
    """The distinct place-context words in the article (as words), in order of first use."""
    words = matcher(_words("place_context"))
    return list(dict.fromkeys(m.name for text in (title, body) for m in find(words, text)[0]))
