"""The search page's chart of results by year and zone: an accessible SVG with a table beside it, drawn from
the page's one search."""

from __future__ import annotations

import web
from fixtures import page, query_of, write_articles
from indexer import index
from indexer.search import Index, search


def test_chart_is_an_accessible_svg_with_year_links(client):
    soup = page(client, "/?q=开发区")
    svg = soup.select_one("figure.chart svg[role=img]")
    assert svg.title.get_text() == "各年份结果数（按开发区着色）"
    desc = svg.desc.get_text()
    assert "2020 年 2 篇：柳城 1、凌源 1" in desc and "2025 年 1 篇" in desc
    links = {a.get("aria-label"): a["href"] for a in svg.find_all("a")}
    assert query_of(links["只看 2020 年（2 篇）"]) == {"q": ["开发区"], "year": ["2020"]}
    assert "只看 2021 年（0 篇）" not in links  # a year without articles is drawn but not linked
    # Stacked by zone, one colour per zone.
    bar_2020 = next(a for a in svg.find_all("a") if "2020" in a["aria-label"])
    assert {tuple(r["class"]) for r in bar_2020.select("rect.seg")} == {("seg", "z0"), ("seg", "z1")}
    # The same numbers as text, for screen readers and without SVG.
    table = soup.select_one("figure.chart .visually-hidden table")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]
    assert ["2020 年", "2", "柳城 1、凌源 1"] in rows


def test_chart_marks_chosen_years_and_their_bars_unchoose(client):
    soup = page(client, "/?q=开发区&year=2020")
    svg = soup.select_one("figure.chart svg")
    chosen = svg.select("g.bar.is-selected a")
    assert len(chosen) == 1 and chosen[0]["aria-label"].startswith("取消筛选 2020 年")
    assert query_of(chosen[0]["href"]) == {"q": ["开发区"]}
    assert svg.select("g.bar.is-dim")


def test_chart_counts_match_the_engine(client, seed_index_dir):
    """Each bar's zone counts are what the engine finds for that zone and year."""
    idx = Index(seed_index_dir)
    from indexer.query import Filters

    soup = page(client, "/?q=开发区")
    for row in soup.select("figure.chart table tbody tr"):
        year = row.th.get_text(strip=True).split()[0]
        for part in row.find_all("td")[1].get_text(strip=True).split("、"):
            short, count = part.split()
            filters = Filters()
            filters.add("zone", short)
            filters.add("year", year)
            assert search(idx, "开发区", filters).total == int(count), (year, short)


def test_chart_is_stacked_by_the_chosen_zones_even_when_typed_in_the_query(client):
    """With zones chosen (clicked or typed: zone:凌源), the segments are those zones only."""
    for url in ["/?q=zone:凌源 开发区", "/?q=开发区&zone=凌源"]:
        svg = page(client, url).select_one("figure.chart svg")
        assert svg.title.get_text() == "各年份结果数（按开发区着色）", url
        assert {tuple(r["class"]) for r in svg.select("rect.seg")} == {("seg", "z1")}, url
        assert "柳城" not in svg.desc.get_text()


def test_chart_is_drawn_from_the_pages_one_search(seed_index_dir, monkeypatch):
    """Bars and segments come from the page's own `Results` (year facet and year_zone): one search a page."""
    from web import search_page

    calls = []
    real = search_page.search

    def counting(*args, **kwargs):
        calls.append(args[1:3])
        return real(*args, **kwargs)

    monkeypatch.setattr(search_page, "search", counting)
    client = web.create_app({"INDEX_DIR": str(seed_index_dir)}).test_client()
    soup = page(client, "/?q=开发区&industry=新材料")
    assert soup.select_one("figure.chart svg rect.seg") is not None
    assert len(calls) == 1


def test_chart_bar_heights_are_articles_and_segments_split_shared_ones(client):
    """The bar is as tall as the year's articles; an article about several zones splits its colour."""
    soup = page(client, "/?q=凌钢")
    svg = soup.select_one("figure.chart svg")
    desc = svg.desc.get_text()
    # 2025's one article names all seven zones: one article, seven segments, the note says why.
    assert "2025 年 1 篇：柳城 1、凌源 1、北票 1、建平 1、喀左 1、朝阳经开区 1、朝阳高新区 1" in desc
    bar = next(a for a in svg.find_all("a") if a["aria-label"].startswith("只看 2025 年"))
    segs = bar.select("rect.seg")
    assert len(segs) == 7
    heights = [float(r["height"]) for r in segs]
    tops = [float(r["y"]) for r in segs]
    bar_top = min(tops)
    assert abs(sum(heights) - (max(t + h for t, h in zip(tops, heights)) - bar_top)) < 0.1
    assert soup.select_one("figure.chart .chart-note")


def test_no_chart_without_results(client):
    assert page(client, "/?q=量子计算机").select_one("figure.chart") is None


def test_the_chart_legend_lists_only_zones_that_have_articles(tmp_path):
    """Over an archive of general news (few articles about a zone), the bars are not coloured by zone: no
    legend of zones for a handful of articles; with most articles about zones, only zones with articles."""
    general = {f"g{i}": f"城市新闻第{i}条\n\n2021年，本市举办第{i}届读书节，市民踊跃参加。" for i in range(12)}
    general["z1"] = "凌源经济开发区新闻\n\n2021年，凌源经济开发区新签约项目九个。"
    write_articles(tmp_path / "general", general)
    index.update(tmp_path / "general-ix", [tmp_path / "general"])
    soup = page(web.create_app({"INDEX_DIR": str(tmp_path / "general-ix")}).test_client(), "/")
    assert soup.select_one("figure.chart svg") is not None and soup.select_one(".legend") is None
    seeds = page(web.create_app({"INDEX_DIR": str(tmp_path / "general-ix")}).test_client(), "/?zone=凌源")
    assert [li["title"] for li in seeds.select(".legend li")] == ["凌源经济开发区"]
