"""The query language: parsing what users type, and turning it into a Whoosh query.

    装备制造 凌钢          both words (AND)
    凌钢 OR 鞍钢           either word
    开发区 -凌源           the first without the second
    "装备制造"             that exact sequence of characters
    zone:凌源 year:2019-2021 industry:新材料     filters, like the --zone/--year/--industry options

A word matches wherever it occurs verbatim (character n-grams; recall does not depend on word cutting) or
where its jieba words all occur; verbatim and headline matches rank higher. Both scripts match alike.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from whoosh import query as wq

from . import analysis, metadata
from .errors import SearchError

MAX_QUERY_CHARS = 256
MAX_WORDS = 24
FILTER_FIELDS = {"zone": "zone", "year": "year", "industry": "industry",
                 "园区": "zone", "開發區": "zone", "开发区": "zone", "年份": "year", "行业": "industry"}
_TOKEN = re.compile(r'''(-?)(?:([\w\u4e00-\u9fff]+):)?(?:"([^"]*)"|“([^”]*)”|([^\s"“”]+))|(["“”])''')
_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:[-–~至到]\s*(\d{4}))?\s*$")
# Whether a word is in the index's vocabulary (of the `words` field).
Vocabulary = Callable[[str], bool]
# A verbatim match is worth more than the same words scattered.
VERBATIM_BOOST = 10.0

@dataclasses.dataclass(frozen=True)
class Word:
    text: str
    phrase: bool = False


@dataclasses.dataclass
class Filters:
    """Selected facet values: values within a facet combine with OR, facets with AND."""

    zone: list[str] = dataclasses.field(default_factory=list)
    year: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    industry: list[str] = dataclasses.field(default_factory=list)
    unknown: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.zone or self.year or self.industry)

    def add(self, field: str, value: str) -> None:
        """Add a value as typed by a user, checked and made canonical. A zone or industry outside the
        gazetteer and taxonomy is kept as typed, for the search to check against the index's own values
        (articles may bring their own); `unknown` lists them."""
        value = value.strip()
        if field == "year":
            _append_new(self.year, parse_years(value))
            return
        canonical = metadata.resolve_zone(value) if field == "zone" else metadata.resolve_industry(value)
        if not canonical and not value:
            raise SearchError(f"“{field}:” needs a value, e.g. zone:凌源.")
        if not canonical:
            _append_new(self.unknown, (field, value))
        _append_new(getattr(self, field), canonical or value)

    def years(self) -> set[int]:
        return {y for lo, hi in self.year for y in range(lo, hi + 1)}


def unknown_value(field: str, value: str) -> SearchError:
    """The error for a zone or industry that neither the data files nor any article knows."""
    if field == "zone":
        known = ", ".join(z.short for z in metadata.gazetteer()[1])
        return SearchError(f"Unknown zone “{value[:40]}”. Zones: {known}.")
    return SearchError(f"Unknown industry “{value[:40]}”. Industries: {', '.join(metadata.taxonomy()[1])}.")


def _append_new(values: list, value) -> None:
    if value not in values:
        values.append(value)


def parse_years(value: str) -> tuple[int, int]:
    """`2020` or `2019-2021` as an inclusive range."""
    m = _YEAR_RANGE.match(value)
    if not m:
        raise SearchError(f"Year “{value}” is not a year or a range like 2019-2021.")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (1900 <= lo <= hi <= 2100):
        raise SearchError(f"Year range “{value}” must run forwards between 1900 and 2100.")
    return lo, hi


@dataclasses.dataclass
class ParsedQuery:
    """A query as typed: an AND of OR-groups of words, words to exclude, and filters."""

    text: str
    groups: list[list[Word]]
    excluded: list[Word]
    filters: Filters

    @property
    def positive_words(self) -> list[Word]:
        return [w for group in self.groups for w in group]


def parse(text: str, filters: Filters | None = None) -> ParsedQuery:
    """Parse a query; filters written in it are added to `filters`. Raises SearchError on bad input."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"The query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS}).")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise SearchError("The query contains control characters; type words, phrases or filters.")
    filters = filters if filters is not None else Filters()
    groups: list[list[Word]] = []
    excluded: list[Word] = []
    pending_or = False
    for m in _TOKEN.finditer(text.replace("\u3000", " ")):
        minus, field, quoted, curly, bare, stray_quote = m.groups()
        if stray_quote:
            raise SearchError("Unbalanced quotes: close the phrase with a second quote mark.")
        phrase = quoted if quoted is not None else curly
        if bare and bare.endswith(":") and bare[:-1].lower() in FILTER_FIELDS:
            field, bare = bare[:-1], ""
        if bare and set(bare) == {"-"}:
            raise SearchError("“-” must be followed by a word to exclude, e.g. -凌源.")
        if field and field.lower() in FILTER_FIELDS and minus:
            raise SearchError(f"Filters cannot be excluded (“-{field}:”); choose the values to keep instead.")
        if field and field.lower() in FILTER_FIELDS:
            value = phrase if phrase is not None else bare
            if not (value or "").strip():
                raise SearchError(f"“{field}:” needs a value, e.g. zone:凌源.")
            filters.add(FILTER_FIELDS[field.lower()], value)
            continue
        if field:  # not a filter: the colon was part of a word (e.g. 5:30)
            bare = f"{field}:{bare if bare is not None else ''}" if phrase is None else None
            phrase = phrase if phrase is None else f"{field}:{phrase}"
        if bare == "OR" and not minus:
            if pending_or or not groups:
                raise SearchError("“OR” must stand between two words, e.g. 凌钢 OR 鞍钢.")
            pending_or = True
            continue
        word = Word(phrase if phrase is not None else bare, phrase is not None)
        if not analysis.query_grams(word.text):
            if word.phrase:
                raise SearchError("The quoted phrase has no letters, digits or Chinese characters to search for.")
            continue  # punctuation on its own: nothing to search
        if minus:
            if pending_or:
                raise SearchError("“OR” cannot join an excluded word; write 凌钢 OR 鞍钢 -凌源.")
            excluded.append(word)
        elif pending_or:
            groups[-1].append(word)
            pending_or = False
        else:
            groups.append([word])
    if pending_or:
        raise SearchError("“OR” must stand between two words, e.g. 凌钢 OR 鞍钢.")
    if sum(map(len, groups)) + len(excluded) > MAX_WORDS:
        raise SearchError(f"Too many words (at most {MAX_WORDS}).")
    return ParsedQuery(text, groups, excluded, filters)


# ---------------------------------------------------------------------------------------------- to Whoosh

def verbatim(text: str) -> wq.Query:
    """Articles containing `text` as a consecutive run (after clean-up and folding)."""
    grams = analysis.query_grams(analysis.clean(text))
    if len(grams) == 1:
        gram = grams[0]
        # A lone character is a bigram's first half or a run's closing unigram.
        return wq.Prefix("grams", gram) if analysis.is_han(gram) else wq.Term("grams", gram)
    return wq.Phrase("grams", grams)


def word_query(word: Word, known: Vocabulary) -> wq.Query:
    """One word or phrase as typed: verbatim, or (unquoted) its indexed words anywhere, headline boosted."""
    exact = verbatim(word.text)
    if word.phrase:
        return exact
    words = analysis.query_words(analysis.clean(word.text), known)
    alternatives = [_with_boost(exact, VERBATIM_BOOST)]
    for field in ("words", "title_words"):
        terms = [wq.Term(field, w) for w in words]
        if terms:
            alternatives.append(terms[0] if len(terms) == 1 else wq.And(terms))
    return wq.Or(alternatives)


def _with_boost(q: wq.Query, boost: float) -> wq.Query:
    q.boost = boost
    return q


def to_whoosh(parsed: ParsedQuery, known: Vocabulary) -> wq.Query | None:
    """The Whoosh query for the words of `parsed`, cut into words `known` to the index; None when it has
    none (filters only: browse)."""
    if not parsed.groups and not parsed.excluded:
        return None
    required = [wq.Or([word_query(w, known) for w in group]) if len(group) > 1 else word_query(group[0], known)
                for group in parsed.groups]
    if not required:
        q: wq.Query = wq.Every()
    elif len(required) == 1:
        q = required[0]
    else:
        q = wq.And(required)
        # Several single words typed side by side: an article with them side by side ranks first.
        together = "".join(w.text for w in parsed.positive_words)
        if all(len(group) == 1 for group in parsed.groups) and len(analysis.query_grams(together)) > 1:
            q = wq.AndMaybe(q, _with_boost(verbatim(together), VERBATIM_BOOST))
    if parsed.excluded:
        q = wq.AndNot(q, wq.Or([verbatim(w.text) for w in parsed.excluded]))
    return q


def highlight_terms(parsed: ParsedQuery, known: Vocabulary) -> list[str]:
    """The strings to mark in snippets: each word as typed, and for unquoted words their indexed words."""
    terms: list[str] = []
    for word in parsed.positive_words:
        text = analysis.clean(word.text)
        terms.append(text)
        if not word.phrase:
            terms.extend(w for w in analysis.query_words(text, known) if len(w) > 1 or len(text) == 1)
    return list(dict.fromkeys(t for t in terms if t))
