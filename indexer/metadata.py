"""Metadata extraction: which zones an article is about, its year, its industries and the companies and
projects it names, with the evidence.

The rules read their names and thresholds from data files a curator can edit (`data/zones.toml`,
`data/industries.toml`, `data/companies.toml`; the rules themselves are in `zones.py`, `industries.py` and
`companies.py`), and a catalog beside the articles (`catalog.toml`) overrides what is inferred. All
matching is on folded text, so traditional and simplified spellings count alike, and only on jieba's word
boundaries (`mentions.py`).
"""

from __future__ import annotations

import dataclasses
import datetime
import pathlib
import re
import tomllib
from collections.abc import Callable, Sequence

from .analysis import DATA, clean, fold
from .articles import Article
from .companies import display as company_display, extract_companies
from .industries import extract_industries, resolve_industry, taxonomy
from .mentions import prepare
from .zones import extract_zones, gazetteer, resolve_zone, zone_names

__all__ = [
    "Metadata",
    "explain_lines",
    "extract",
    "gazetteer",
    "infer_year",
    "load_catalog",
    "resolve_industry",
    "resolve_zone",
    "taxonomy",
    "zone_names",
]

CATALOG_NAME = "catalog.toml"
# The data files the rules read (an edit re-indexes every article).
INDEXING_DATA = (DATA / "zones.toml", DATA / "industries.toml", DATA / "companies.toml")


@dataclasses.dataclass
class Metadata:
    """What was extracted for one article and why (`explain_lines` renders it)."""

    zones: list[str]
    year: int | None
    industries: list[str]
    zone_evidence: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    zone_scores: dict[str, float] = dataclasses.field(default_factory=dict)
    zone_rule: str = ""
    year_source: str = ""
    industry_evidence: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    # Zone names found in the text that did not count, and why ("inside the word 翁建平", …).
    rejected: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # Industry keywords found in the text that did not count, and why.
    industry_rejected: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # Companies and projects named (the `company` facet), how each was found, where the list comes from,
    # and the candidates that were no name, with the reason.
    companies: list[str] = dataclasses.field(default_factory=list)
    company_evidence: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    company_source: str = ""
    company_rejected: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def year_inferred(self) -> bool:
        return self.year_source.startswith("inferred")


def load_catalog(folder: pathlib.Path) -> dict[str, dict]:
    """Known metadata per article id from `folder/catalog.toml` (empty if there is none)."""
    path = folder / CATALOG_NAME
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


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
        if 1949 <= year <= today.year and not _TARGET.search(text[max(0, m.start() - 1) : m.start()]):
            years.append(year)
    if not years:
        return None, "inferred: no year written in the text"
    latest = max(years)
    relative = [w for w in ("去年", "今年") if w in text]
    if relative and latest < today.year and re.search(_YEAR_AS_PAST.format(y=latest), text):
        return latest + 1, (
            f"inferred: latest year written is {latest}, told as a finished year while the "
            f"text says {'/'.join(relative)} → {latest + 1}"
        )
    return latest, f"inferred: latest year written is {latest}"


# ---------------------------------------------------------------------------------------------- all

Spans = Sequence[tuple[int, int]]


def extract(article: Article, catalog_entry: dict | None = None, spans: tuple[Spans, Spans] | None = None) -> Metadata:
    """All metadata of `article`: explicit values and the catalog win over extraction.

    `spans` are the title's and the body's jieba words, `analysis.word_spans(clean(title))` and
    `analysis.word_spans(clean(body))`, for a caller that has segmented them already; computed when None.
    """
    entry = catalog_entry or {}
    title_spans, body_spans = spans or (None, None)
    title, body = prepare(article.title, title_spans), prepare(article.body, body_spans)
    zoned = extract_zones(title, body)
    zones, rule = zoned.zones, zoned.rule
    if article.zones:
        zones = [resolve_zone(z) or z for z in article.zones]
        rule = "given with the article"
    found = extract_industries(title, body, about_zone=bool(zones))
    industries = found.industries
    if article.industries:
        industries = [resolve_industry(i) or i for i in article.industries]
    named = extract_companies(title, body, about_zone=bool(zones))
    companies, company_source = named.names, "extracted"
    if article.companies:
        companies = list(dict.fromkeys(filter(None, map(company_display, article.companies))))
        company_source = "given with the article"
    year: int | None
    if "year" in entry:
        year, source = int(entry["year"]), f"catalog: {entry.get('evidence', 'no evidence recorded')}"
    elif article.year:
        year, source = article.year, "given with the article"
    elif article.date and article.date[:4].isdigit():
        year, source = int(article.date[:4]), f"date {article.date}"
    else:
        year, source = infer_year(article.body)
    return Metadata(
        zones,
        year,
        industries,
        zoned.evidence,
        zoned.scores,
        rule,
        source,
        found.evidence,
        zoned.rejected,
        found.rejected,
        companies,
        named.evidence,
        company_source,
        named.rejected,
    )


def explain_lines(meta: Metadata, parts: Sequence[str] = ("zones", "year", "industries", "companies")) -> list[str]:
    """What `search index --explain` prints for an article: each tag with its evidence, and every name
    or keyword found that did not count, with the reason."""
    lines = []
    if "zones" in parts:
        lines += _tag_lines(
            f"Zones: {', '.join(meta.zones) or 'none'}  ({meta.zone_rule})",
            meta.zones,
            meta.zone_evidence,
            lambda zone, hits: f"score {meta.zone_scores[zone]:g} from {_hits(hits)}",
            meta.rejected,
        )
    if "year" in parts:
        lines.append(f"Year: {meta.year or 'unknown'}  ({meta.year_source})")
    if "industries" in parts:
        lines += _tag_lines(
            f"Industries: {', '.join(meta.industries) or 'none'}",
            meta.industries,
            meta.industry_evidence,
            lambda _, hits: f"{sum(hits.values())} hits: {_hits(hits)}",
            meta.industry_rejected,
        )
    if "companies" in parts:
        lines += _tag_lines(
            f"Companies and projects: {', '.join(meta.companies) or 'none'}  ({meta.company_source})",
            meta.companies,
            meta.company_evidence,
            lambda _, hits: _hits(hits),
            meta.company_rejected,
        )
    return lines


def _tag_lines(
    header: str,
    chosen: Sequence[str],
    evidence: dict[str, dict[str, int]],
    describe: Callable[[str, dict[str, int]], str],
    rejected: Sequence[tuple[str, str]],
) -> list[str]:
    """A tag's lines for --explain: the tags, each candidate with its evidence (✓ when tagged), the rejected."""
    lines = [header]
    for name, hits in evidence.items():
        lines.append(f"  {'✓' if name in chosen else ' '} {name}: {describe(name, hits)}")
    return lines + [f"  ✗ {name}: {why}" for name, why in rejected]


def _hits(hits: dict[str, int]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in hits.items())
