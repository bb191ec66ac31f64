"""The query language: what users type, parsed (`indexer.plan` turns it into a query the index answers).

    装备制造 凌钢            both words (AND; `AND`, `and` and `+凌钢` say the same)
    凌钢 OR 鞍钢             either word (also `or`, and `|` as Baidu reads it)
    开发区 -凌源             the first without the second (also `NOT 凌源`)
    "装备制造"               that exact sequence of characters (also “…” and 「…」)
    intitle:凌钢             in the headline
    zone:凌源 year:2019-2021 industry:新材料 company:凌钢集团 site:chinanews.com.cn
                             filters, like the --zone/--year/--industry/--company/--site options

>>> parse('凌钢 | 鞍钢 -"北票" intitle:钢铁 zone:凌源').groups
[[Word(text='凌钢', phrase=False, field=None), Word(text='鞍钢', phrase=False, field=None)], \
[Word(text='钢铁', phrase=False, field='title')]]
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from . import analysis, metadata, record
from .errors import SearchError

# Long enough for any headline pasted whole; what a long query costs is bounded by the search's time budget.
MAX_QUERY_CHARS = 512
MAX_WORDS = 64
# Words and phrases in the query as typed, quotes and operators apart.
_TOKEN = re.compile(
    r"""([-+]?)(?:([^\s"“”「」|:：]+)[:：])?(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|([^\s"“”「」|]+))|(\|)|(["“”「」])"""
)
_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:[-–~至到]\s*(\d{4}))?\s*$")
OR_WORDS = ("OR", "or", "|")
AND_WORDS = ("AND", "and")
NOT_WORDS = ("NOT",)
TITLE_FIELDS = ("intitle", "title")
# Names a query may give a filter: each facet's name and aliases, any case.
FILTER_NAMES = {name.lower(): f.name for f in record.FACETS for name in (f.name, *f.aliases)}


@dataclasses.dataclass(frozen=True)
class Word:
    """A word or quoted phrase of a query; `field` "title" when it must be in the headline."""

    text: str
    phrase: bool = False
    field: str | None = None


@dataclasses.dataclass
class Filters:
    """Chosen facet values (`record.FACETS`): values within a facet combine with OR, facets with AND. Years
    are inclusive ranges; the other values are as the index holds them."""

    chosen: dict[str, list] = dataclasses.field(default_factory=dict)
    # Values the search checks against the index's own before it runs: zones and industries outside the
    # gazetteer and taxonomy (articles may bring their own), and every company and source.
    unknown: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return any(self.chosen.values())

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Filters:
        """Filters from (facet, value) pairs as users type them (command-line options, URL parameters):
        checked and made canonical by `add`; blank values are skipped, as an empty form field is.

        >>> Filters.from_pairs([("zone", "凌源"), ("year", "2019-2021"), ("zone", " "), ("zone", "凌源")]).chosen
        {'zone': ['凌源经济开发区'], 'year': [(2019, 2021)]}
        """
        filters = cls()
        for facet, value in pairs:
            if value.strip():
                filters.add(facet, value)
        return filters

    @classmethod
    def of(cls, **chosen: list) -> Filters:
        """Filters with these canonical values: `Filters.of(zone=["凌源经济开发区"], year=[(2020, 2021)])`."""
        return cls({facet: list(values) for facet, values in chosen.items()})

    def get(self, facet: str) -> list:
        return self.chosen.get(facet, [])

    def add(self, facet: str, value: str) -> None:
        """Add a value as typed by a user, checked and made canonical."""
        value = value.strip()
        if not value:
            raise SearchError("“{facet}:” needs a value, e.g. zone:凌源.", facet=facet)
        if facet == "year":
            _append_new(self.chosen.setdefault("year", []), parse_years(value))
            return
        canonical = _canonical(facet, value)
        if facet not in ("zone", "industry"):  # the index's own values: checked against it
            canonical = canonical or value
            _append_new(self.unknown, (facet, canonical))
        elif canonical is None:
            _append_new(self.unknown, (facet, value))
        _append_new(self.chosen.setdefault(facet, []), canonical or value)

    def years(self) -> set[int]:
        return {y for lo, hi in self.get("year") for y in range(lo, hi + 1)}

    def selected(self, facet: str) -> list[str]:
        """The chosen values as the index holds them (years one by one)."""
        return [str(y) for y in sorted(self.years())] if facet == "year" else list(self.get(facet))

    def replace(self, facet: str, values: list) -> Filters:
        """A copy with `facet`'s values replaced."""
        chosen = {f: list(v) for f, v in self.chosen.items()}
        chosen[facet] = list(values)
        return Filters(chosen, [u for u in self.unknown if u[0] != facet or u[1] in values])

    def copy(self) -> Filters:
        return Filters({f: list(v) for f, v in self.chosen.items()}, list(self.unknown))


def _canonical(facet: str, value: str) -> str | None:
    """The value a user means, if the data files know it (None: to be checked against the index)."""
    if facet == "zone":
        return metadata.resolve_zone(value)
    if facet == "industry":
        return metadata.resolve_industry(value)
    if facet == "site":
        return record.site_of(value if "://" in value else f"http://{value}") if "." in value else None
    if facet == "company":
        from .companies import display

        return display(value)  # the one form names are indexed in (either script typed)
    return None


def unknown_value(facet: str, value: str) -> SearchError:
    """The error for a filter value that neither the data files nor any article knows."""
    if facet == "zone":
        known = ", ".join(z.short for z in metadata.gazetteer()[1])
        return SearchError("Unknown zone “{value}”. Zones: {known}.", value=value[:40], known=known)
    if facet == "industry":
        return SearchError(
            "Unknown industry “{value}”. Industries: {known}.",
            value=value[:40],
            known=", ".join(metadata.taxonomy()[1]),
        )
    return SearchError("No article has {facet} “{value}”.", facet=facet, value=value[:40])


def _append_new(values: list, value) -> None:
    if value not in values:
        values.append(value)


def parse_years(value: str) -> tuple[int, int]:
    """`2020` or `2019-2021` as an inclusive range."""
    m = _YEAR_RANGE.match(value)
    if not m:
        raise SearchError("Year “{value}” is not a year or a range like 2019-2021.", value=value[:40])
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (1900 <= lo <= hi <= 2100):
        raise SearchError("Year range “{value}” must run forwards between 1900 and 2100.", value=value[:40])
    return lo, hi


def _punctuated(text: str) -> bool:
    """Whether `text` has punctuation inside (not at its ends), other than a mark joining two Latin letters or
    digits (COVID-19)."""
    alnum = [i for i, c in enumerate(text) if c.isalnum()]
    return bool(alnum) and any(
        not text[i].isalnum() and not (_ascii_alnum(text[i - 1]) and _ascii_alnum(text[i + 1]))
        for i in range(alnum[0] + 1, alnum[-1])
    )


def _ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def quote_words(query: str, words: list[str]) -> str:
    """`query` with each of `words` quoted where it first stands as a word (after a space, the start or a
    field's colon), so that it is searched as typed: the "search it as typed" links of pinyin and corrections.

    >>> quote_words("lingyuan zone:凌源 intitle:凌原", ["lingyuan", "凌原"])
    '"lingyuan" zone:凌源 intitle:"凌原"'
    """
    for word in words:
        query = re.sub(rf"(^|[\s:：])({re.escape(word)})(?=\s|$)", r'\1"\2"', query, count=1)
    return query


def phrase_of(*quoted: str | None) -> str | None:
    """The text of whichever kind of quotes matched, if any."""
    return next((q for q in quoted if q is not None), None)


@dataclasses.dataclass
class ParsedQuery:
    """A query as typed: an AND of OR-groups of words, words to exclude, and filters."""

    text: str
    groups: list[list[Word]]
    excluded: list[Word]
    filters: Filters
    # Whether the query spells out its logic (OR, AND, NOT, |, +, -): it is then taken literally.
    operators: bool = False

    @property
    def positive_words(self) -> list[Word]:
        return [w for group in self.groups for w in group]


def parse(text: str, filters: Filters | None = None) -> ParsedQuery:
    """Parse a query; filters written in it are added to `filters`. Raises SearchError on bad input."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(
            "The query is too long ({length} characters; at most {limit}).", length=len(text), limit=MAX_QUERY_CHARS
        )
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise SearchError("The query contains control characters; type words, phrases or filters.")
    filters = filters if filters is not None else Filters()
    groups: list[list[Word]] = []
    excluded: list[Word] = []
    pending: str | None = None  # an operator waiting for the word after it: "OR", "AND" or "NOT"
    operators = False
    symbols = False  # a word of symbols alone was skipped
    for m in _TOKEN.finditer(text.replace("\u3000", " ")):
        sign, field, quoted, curly, corner, bare, bar, stray_quote = m.groups()
        glued = m.start() > 0 and not text[m.start() - 1].isspace()
        if sign and (glued or (bare or "").startswith(("-", "+")) or _punctuated(bare or "")):
            # Not an operator: a dash glued to what precedes it (”--南开要闻), a run of dashes (-- …), or one
            # before text with punctuation inside, as a pasted headline has (校园开放日 -化学学院,物理学院-校园要闻).
            sign, bare = "", bare.lstrip("-+") if bare else bare
            if not bare and phrase_of(quoted, curly, corner) is None:
                continue
        if stray_quote == '"':
            raise SearchError("Unbalanced quotes: close the phrase with a second quote mark.")
        if stray_quote:  # a curly quote or corner bracket without its pair, as pasted text has: punctuation
            continue
        phrase = phrase_of(quoted, curly, corner)
        key = (field or "").lower()
        if key in FILTER_NAMES:
            if sign == "-":
                raise SearchError(
                    "Filters cannot be excluded (“-{field}:”); choose the values to keep instead.", field=field
                )
            filters.add(FILTER_NAMES[key], phrase if phrase is not None else bare or "")
            continue
        if field and key not in TITLE_FIELDS:  # not a filter: the colon was part of a word (e.g. 5:30)
            if phrase is None:
                bare = f"{field}:{bare or ''}"
            else:
                phrase = f"{field}:{phrase}"
        operator = bar or (bare if phrase is None and not sign and not field else None)
        if operator in OR_WORDS + AND_WORDS + NOT_WORDS:
            name = "OR" if operator in OR_WORDS else "AND" if operator in AND_WORDS else "NOT"
            if pending or (not groups and name != "NOT"):
                raise SearchError(
                    "“{operator}” must stand between two words, e.g. 凌钢 {operator} 鞍钢.", operator=operator
                )
            pending, operators = name, True
            continue
        if bare and bare[-1:] in ":：" and bare[:-1].lower() in FILTER_NAMES:
            raise SearchError("“{facet}:” needs a value, e.g. zone:凌源.", facet=bare[:-1])
        if bare and set(bare) <= {"-", "+"}:
            if not text[m.end() :].strip():  # a sign with nothing after it: what was it for?
                raise SearchError("“{sign}” must be followed by a word, e.g. -凌源.", sign=bare[0])
            continue  # a dash standing between words, as in a pasted headline (A - B): punctuation
        word = Word(
            phrase if phrase is not None else bare, phrase is not None, "title" if key in TITLE_FIELDS else None
        )
        if not analysis.stream(word.text):
            if quoted is not None:  # "" typed: an empty phrase; “” and 「」 with nothing inside are pasted text
                raise SearchError("The quoted phrase has no letters, digits or Chinese characters to search for.")
            pending = None if pending == "AND" else pending
            symbols = True
            continue  # punctuation on its own: nothing to search
        operators = operators or bool(sign)
        if sign == "-" or pending == "NOT":
            if pending == "OR":
                raise SearchError("“OR” cannot join an excluded word; write 凌钢 OR 鞍钢 -凌源.")
            excluded.append(word)
        elif pending == "OR":
            groups[-1].append(word)
        else:
            groups.append([word])
        pending = None
    if pending:
        raise SearchError("“{operator}” must stand between two words, e.g. 凌钢 {operator} 鞍钢.", operator=pending)
    if symbols and not groups and not excluded and not filters:
        raise SearchError("Nothing to search for: the query has no letters, digits or Chinese characters.")
    if sum(map(len, groups)) + len(excluded) > MAX_WORDS:
        raise SearchError("Too many words (at most {limit}).", limit=MAX_WORDS)
    return ParsedQuery(text, groups, excluded, filters, operators)
