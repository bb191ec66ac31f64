"""The article record and the list of its facets: defined once, and the index's schema, its stored fields,
the JSON, CSV and feed shapes and the filters are derived from them.

An `Article` is what a reader makes of a file or a JSON line (its explicit metadata, if any, in `zones`,
`year`, `industries`: None when not given), what the indexer stores (metadata extracted), and what a search
reads back from the index.
"""

from __future__ import annotations

import dataclasses
import urllib.parse


@dataclasses.dataclass
class Article:
    """One article: its text, its date and source, and what it is about."""

    id: str
    title: str
    body: str
    path: str = ""
    date: str | None = None
    # Where the article comes from, as given: a URL or a publisher's name.
    source: str | None = None
    zones: list[str] | None = None
    year: int | None = None
    industries: list[str] | None = None
    # Companies and projects the article names (extracted at index time).
    companies: list[str] | None = None
    # Digest of the source (see `articles.read_articles`); "" for an article not read by it.
    digest: str = dataclasses.field(default="", compare=False, repr=False)

    @property
    def site(self) -> str | None:
        """Who published it: the host of a source URL (without www.), or the source as given."""
        return site_of(self.source)


def site_of(source: str | None) -> str | None:
    """The source facet's value for a source: a URL's host without "www.", else the source itself.

    >>> site_of("https://www.chinanews.com.cn/gn/2023/06-30/1.shtml"), site_of("朝阳日报"), site_of(None)
    ('chinanews.com.cn', '朝阳日报', None)
    """
    if not source or not source.strip():
        return None
    source = source.strip()
    if "://" in source:
        host = (urllib.parse.urlsplit(source).hostname or "").lower()
        return host.removeprefix("www.") or None
    return source[:80]


@dataclasses.dataclass(frozen=True)
class Facet:
    """A facet: an index field (also the filter's name in URLs, options and `name:value` in queries), the
    `Article` attribute it comes from, and its label on the page."""

    name: str
    attribute: str
    label: str
    multiple: bool = True
    # Other names a query may use for it (`site:`, `开发区:`).
    aliases: tuple[str, ...] = ()


FACETS = (
    Facet("zone", "zones", "开发区", aliases=("园区", "開發區", "开发区")),
    Facet("year", "year", "年份", multiple=False, aliases=("年份",)),
    Facet("industry", "industries", "行业", aliases=("行业",)),
    Facet("company", "companies", "企业与项目", aliases=("企业", "公司", "项目")),
    Facet("site", "site", "来源", multiple=False, aliases=("source", "来源")),
)
FACET_NAMES = tuple(f.name for f in FACETS)
FACET = {f.name: f for f in FACETS}


def facet_values(article: Article, facet: Facet) -> list[str]:
    """An article's values of a facet, as the index holds them (strings)."""
    value = getattr(article, facet.attribute)
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# Stored with every article besides its facets' values: what a hit, the article page and exports show.
STORED = ("id", "title", "body", "date", "source")


def stored_fields(article: Article) -> dict:
    """The fields the index stores for an article."""
    fields = {name: getattr(article, name) for name in STORED}
    for facet in FACETS:
        if facet.attribute != "site":
            fields[facet.name] = ",".join(facet_values(article, facet))
    return fields


def from_stored(fields: dict) -> Article:
    """The article the index stored (`stored_fields`)."""

    def listed(name: str) -> list[str]:
        return [v for v in (fields.get(name) or "").split(",") if v]

    year = fields.get("year")
    return Article(
        fields["id"],
        fields.get("title") or "",
        fields.get("body") or "",
        date=fields.get("date"),
        source=fields.get("source"),
        zones=listed("zone"),
        year=int(year) if year else None,
        industries=listed("industry"),
        companies=listed("company"),
    )


# The article's fields in JSON (the API, `search --json`, JSON Lines exports), CSV and feeds, in this order.
JSON_FIELDS = ("id", "title", "zones", "year", "industries", "companies", "date", "source", "site")


def to_json(article: Article) -> dict:
    """The article's metadata as JSON (its text is added by the caller where wanted)."""
    return {name: getattr(article, name) for name in JSON_FIELDS}
