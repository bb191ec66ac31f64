"""The zone pages: any of a zone's names, what the archive says about it (chart, industries, companies and
projects, sources, latest articles, feed), and the links to them from hits, facets and articles."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import feedparser
import pytest

import web
from fixtures import page, write_articles
from indexer import index, metadata
from indexer.query import Filters
from indexer.search import Index, search

ZONES = metadata.gazetteer()[1]
LINGYUAN = next(z for z in ZONES if z.short == "凌源")


def zone_search(seed_index_dir, zone: str, **more):
    filters = Filters.of(zone=[zone])
    for field, value in more.items():
        filters.add(field, value)
    return search(Index(seed_index_dir), "", filters, browse_all=True, sort="date", per_page=100)


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.short)
def test_every_name_of_a_zone_opens_its_page(client, zone):
    pages = [page(client, f"/zone/{quote(name)}") for name in dict.fromkeys([zone.short, zone.name, *zone.names])]
    for soup in pages:
        assert soup.select_one("h1#zone-title").get_text() == zone.name
        assert soup.select_one("link[rel=canonical]")["href"] == f"http://localhost/zone/{quote(zone.short)}"
    assert len({str(p.select_one("main")) for p in pages}) == 1  # the same page whatever the name


def test_the_zone_page_shows_what_the_archive_says(client, seed_index_dir):
    soup = page(client, "/zone/凌源")
    everything = zone_search(seed_index_dir, LINGYUAN.name)
    assert f"档案中有 {everything.total} 篇相关文章" in soup.select_one(".zone-stats").get_text()
    # Articles per year: the chart of the zone's articles, its bars linking to the zone's search by year.
    svg = soup.select_one("figure.chart svg")
    years = {fv.value: fv.count for fv in everything.facets["year"]}
    for bar in svg.select("g.bar a"):
        year = parse_qs(urlsplit(bar["href"]).query)["year"][0]
        assert bar["aria-label"] == f"只看 {year} 年（{years[year]} 篇）"
        assert parse_qs(urlsplit(bar["href"]).query)["zone"] == ["凌源"]
    # Industries with the zone's counts, each a link to the search for the zone and that industry.
    industries = soup.select("#industries-heading + ul li")
    assert [li.a.get_text() for li in industries] == [fv.value for fv in everything.facets["industry"]]
    for li in industries:
        link = li.a["href"]
        assert parse_qs(urlsplit(link).query) == {"zone": ["凌源"], "industry": [li.a.get_text()]}
        count = int(li.select_one(".facet-count").get_text())
        assert zone_search(seed_index_dir, LINGYUAN.name, industry=li.a.get_text()).total == count
        assert client.get(link).status_code == 200
    # The latest articles, newest first, and a link to all of them.
    latest = [urlsplit(a["href"]).path.rsplit("/", 1)[1] for a in soup.select(".zone-latest .hit-title a")]
    assert latest == [h.id for h in everything.hits][: len(latest)] and latest
    assert parse_qs(urlsplit(soup.select_one(".zone-actions a.button")["href"]).query) == {"zone": ["凌源"]}


def test_companies_and_projects_link_to_their_search_or_the_page_says_none_are_known(client, seed_index_dir):
    soup = page(client, "/zone/凌源")
    companies = zone_search(seed_index_dir, LINGYUAN.name).facets["company"]
    items = soup.select("#companies-heading + ul li")
    if not companies:  # the extraction of company names has not run on this index
        assert not items
        assert "目前还不知道这个开发区的文章提到了哪些企业和项目" in soup.select_one(".zone-panels").get_text()
    for li in items:
        query = parse_qs(urlsplit(li.a["href"]).query)
        assert query["zone"] == ["凌源"] and query["company"] == [li.a.get_text()]
        total = zone_search(seed_index_dir, LINGYUAN.name, company=li.a.get_text()).total
        assert total == int(li.select_one(".facet-count").get_text())


def test_the_zone_feed_is_linked_and_holds_the_zones_articles(client, seed_index_dir):
    soup = page(client, "/zone/凌源")
    feed_url = soup.select_one('link[rel=alternate][type="application/atom+xml"]')["href"]
    assert soup.select_one("a.feed-link")["href"] == feed_url
    assert urlsplit(feed_url).path == "/search.atom" and parse_qs(urlsplit(feed_url).query) == {"zone": ["凌源"]}
    feed = feedparser.parse(client.get(feed_url).data)
    assert not feed.bozo and "凌源" in feed.feed.title
    ids = [e.id.rsplit("/", 1)[1] for e in feed.entries]
    assert ids == [h.id for h in zone_search(seed_index_dir, LINGYUAN.name).hits]


def test_a_zone_without_articles_says_so(tmp_path):
    write_articles(
        tmp_path / "src", {"only": "柳城经济开发区招商引资\n\n柳城经济开发区今年新签约项目九个，总投资三十亿元。"}
    )
    index.update(tmp_path / "ix", [tmp_path / "src"])
    client = web.create_app({"INDEX_DIR": str(tmp_path / "ix")}).test_client()
    soup = page(client, "/zone/凌源")
    assert "档案中还没有关于凌源经济开发区的文章" in soup.select_one(".zone-stats").get_text()
    assert soup.select_one("figure.chart") is None and not soup.select(".zone-latest .hit")
    assert "目前还不知道" in soup.get_text() and "没有识别出行业" in soup.get_text()


@pytest.mark.parametrize("name", ["火星", "凌", "开发区", "x" * 300, "%00", "..", "<script>"])
def test_an_unknown_zone_is_a_404_that_lists_the_zones(client, name):
    soup = page(client, f"/zone/{quote(name, safe='%')}", status=404)
    assert soup.h1.get_text() == "找不到这个开发区"
    assert "没有名为“" in soup.select_one(".error-page").get_text()
    assert [a.get_text() for a in soup.select(".zone-list a")] == [z.short for z in ZONES]
    assert all(urlsplit(a["href"]).path.startswith("/zone/") for a in soup.select(".zone-list a"))


def test_zone_badges_and_facet_entries_lead_to_the_zone_pages(client):
    """A zone badge on a hit opens the zone's page; in the sidebar the entry still toggles the filter and a
    small arrow beside it opens the page."""
    soup = page(client, "/?q=凌钢")
    badges = soup.select(".hit .badge-zone")
    assert badges and all(urlsplit(b["href"]).path.startswith("/zone/") for b in badges)
    entry = soup.select_one('#filters a.facet-value[data-value="凌源经济开发区"]')
    assert parse_qs(urlsplit(entry["href"]).query) == {"q": ["凌钢"], "zone": ["凌源"]}
    arrow = entry.find_next_sibling("a", class_="facet-page")
    assert arrow["href"] == "/zone/" + quote("凌源")
    # Other facets have no zone page.
    assert not soup.select('#filters a.facet-value[data-facet="industry"] ~ a.facet-page')
