"""The web front: every route and error case, through Flask's test client, asserting on what is shown."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

import web
from conftest import write_articles
from indexer import index, record
from indexer.export import results_json
from indexer.search import Index, search

LINGGANG = ("001_f7b6dd57e2bee65a", "003_201a132a17332222")
ALL_ZONES_DOC = "003_201a132a17332222"


@pytest.fixture(scope="session")
def app(seed_index_dir):
    return web.create_app({"INDEX_DIR": str(seed_index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def hit_ids(soup: BeautifulSoup) -> list[str]:
    return [urlsplit(a["href"]).path.rsplit("/", 1)[-1] for a in soup.select(".hit-title a")]


def stats(soup: BeautifulSoup) -> str:
    return " ".join(soup.select_one(".stats-line").get_text().split())


def facet(soup: BeautifulSoup, field: str) -> dict[str, tuple[int, bool, str | None]]:
    """{value: (count, selected, toggle link)} of one facet in the sidebar."""
    out = {}
    for item in soup.select("#filters .facet-value"):
        if item.get("data-facet", field) != field:
            continue
        if item.name == "a":
            value = item["data-value"]
        else:  # chosen by a filter typed into the query: not a link
            value = item.select_one(".facet-label").get_text().removesuffix(" 年")
        out[value] = (int(item.select_one(".facet-count").get_text()), "is-selected" in item["class"], item.get("href"))
    return out


def visible_text(element) -> str:
    """The element's text as seen on screen: without visually hidden parts and the × sign, spaces squeezed."""
    copy = BeautifulSoup(str(element), "html.parser")
    for hidden in copy.select(".visually-hidden, [aria-hidden=true]"):
        hidden.decompose()
    return " ".join(copy.get_text(" ").split())


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# ---------------------------------------------------------------------------------------------- search page

def test_landing_page_lists_every_article_newest_first_with_facets(client):
    soup = page(client, "/")
    assert soup.html["lang"] == "zh-CN"
    assert soup.select_one(".hero h1")
    assert soup.select_one("#results-heading").get_text(strip=True) == "全部文章"
    assert stats(soup).startswith("5 条结果 · 用时")
    assert "毫秒" in stats(soup)
    years = [int(b.get_text().removesuffix(" 年")) for b in soup.select(".hit .badge-year")]
    assert years == sorted(years, reverse=True) and len(years) == 5
    assert facet(soup, "zone")["凌源经济开发区"][0] == 3
    assert set(facet(soup, "year")) == {"2025", "2023", "2022", "2020"}
    assert facet(soup, "industry")
    assert soup.select_one("input#q")["value"] == ""


def test_a_word_finds_its_articles_with_marked_snippets(client):
    soup = page(client, "/?q=凌钢")
    assert sorted(hit_ids(soup)) == sorted(LINGGANG)
    assert stats(soup).startswith("2 条结果 · 用时")
    assert "<mark>凌钢</mark>" in str(soup.select_one(".hits"))
    assert soup.select_one("input#q")["value"] == "凌钢"
    assert soup.title.get_text().startswith("凌钢")
    # Every hit shows its zone, year and industry badges.
    first = soup.select_one(".hit")
    assert first.select(".badge-zone") and first.select(".badge-year") and first.select(".badge-industry")


def test_hit_links_carry_the_query_and_filters_to_the_article(client):
    soup = page(client, "/?q=凌钢&zone=凌源&sort=date")
    link = soup.select_one(".hit-title a")["href"]
    assert urlsplit(link).path.startswith("/doc/")
    assert query_of(link) == {"q": ["凌钢"], "zone": ["凌源"], "sort": ["date"]}


def test_zone_filter_and_disjunctive_zone_counts(client):
    soup = page(client, "/?zone=凌源")
    assert stats(soup).startswith("3 条结果")
    zones = facet(soup, "zone")
    assert zones["凌源经济开发区"][:2] == (3, True)
    # The other zones are still offered, with what choosing them too would give.
    assert zones["柳城经济开发区"][:2] == (2, False)
    assert zones["北票经济开发区"][:2] == (2, False)
    assert len(zones) == 7
    assert query_of(zones["柳城经济开发区"][2])["zone"] == ["凌源", "柳城"]
    assert "zone" not in query_of(zones["凌源经济开发区"][2])  # clicking a chosen value removes it
    # The other facets count within the chosen zone.
    assert sum(count for count, _, _ in facet(soup, "year").values()) == 3


def test_zone_values_or_together(client):
    soup = page(client, "/?zone=喀左&zone=建平&q=开发区")
    assert hit_ids(soup) == [ALL_ZONES_DOC]
    assert stats(soup).startswith("1 条结果")
    zones = facet(soup, "zone")
    assert zones["喀左经济开发区"][1] and zones["建平经济开发区"][1]


def test_chips_show_the_chosen_filters_each_removable(client):
    soup = page(client, "/?q=开发区&zone=凌源&zone=柳城&industry=新材料")
    chips = {visible_text(a): a["href"] for a in soup.select(".chips a.chip")}
    assert set(chips) == {"开发区 凌源", "开发区 柳城", "行业 新材料"}
    assert query_of(chips["开发区 凌源"]) == {"q": ["开发区"], "zone": ["柳城"], "industry": ["新材料"]}
    assert all("点击移除" in a.get_text() for a in soup.select(".chips a.chip"))  # said to screen readers
    assert query_of(soup.select_one(".chips .clear-all")["href"]) == {"q": ["开发区"]}


def test_year_filters_single_years_and_ranges(client):
    soup = page(client, "/?year=2019-2021")
    assert stats(soup).startswith("2 条结果")
    assert [visible_text(a) for a in soup.select("a.chip")] == ["年份 2019–2021 年"]
    years = facet(soup, "year")
    assert years["2020"][:2] == (2, True)
    # Unticking 2020 keeps the rest of the range.
    assert query_of(years["2020"][2])["year"] == ["2019", "2021"]
    assert query_of(years["2023"][2])["year"] == ["2019-2021", "2023"]


def test_filters_typed_in_the_query_show_as_chosen_but_not_toggleable(client):
    soup = page(client, "/?q=zone:凌源 开发区")
    assert stats(soup).startswith("3 条结果")
    locked = soup.select("#filters .facet-value.is-locked")
    assert [visible_text(s) for s in locked] == ["凌源经济开发区 3"]
    assert not soup.select("a.chip")


def test_pagination_keeps_query_and_filters(seed_index_dir):
    client = web.create_app({"INDEX_DIR": str(seed_index_dir), "PER_PAGE": 2}).test_client()
    first = page(client, "/?q=开发区&zone=凌源&sort=date")
    assert stats(first).startswith("3 条结果") and "第 1 / 2 页" in stats(first)
    next_link = first.select_one(".pagination a[rel=next]")["href"]
    assert query_of(next_link) == {"q": ["开发区"], "zone": ["凌源"], "sort": ["date"], "page": ["2"]}
    second = page(client, next_link)
    assert second.select_one(".pagination [aria-current=page]").get_text() == "2"
    assert query_of(second.select_one(".pagination a[rel=prev]")["href"]) == {"q": ["开发区"], "zone": ["凌源"],
                                                                            "sort": ["date"]}
    ids = hit_ids(first) + hit_ids(second)
    assert len(ids) == len(set(ids)) == 3
    # The hidden fields of the search box keep the filters for the next query.
    hidden = {(i["name"], i["value"]) for i in second.select(".search-form input[type=hidden]")}
    assert hidden == {("zone", "凌源"), ("sort", "date")}
    # A page past the end says so and links back.
    past = page(client, "/?q=开发区&zone=凌源&page=5")
    assert "第 5 页没有结果" in past.get_text()
    assert not hit_ids(past)


def test_sort_by_date_and_the_sort_switch(client):
    soup = page(client, "/?q=开发区&sort=date")
    years = [int(b.get_text().removesuffix(" 年")) for b in soup.select(".hit .badge-year")]
    assert years == sorted(years, reverse=True)
    assert soup.select_one(".sort [aria-current]").get_text() == "时间"
    other = soup.select_one(".sort a.sort-option")
    assert other.get_text() == "相关度" and query_of(other["href"]) == {"q": ["开发区"]}
    assert page(client, "/?q=开发区").select_one(".sort [aria-current]").get_text() == "相关度"


def test_an_empty_result_suggests_dropping_each_filter(client):
    soup = page(client, "/?q=凌钢&zone=北票&year=2020")
    assert stats(soup).startswith("0 条结果")
    assert not soup.select(".hit")  # none of the articles the filters ruled out
    suggestions = {visible_text(li): li.a["href"] for li in soup.select(".suggestions li")}
    # 凌钢 is in 2023 and 2025 (one of them about 北票): only dropping the year helps.
    assert query_of(suggestions["去掉开发区“北票” （0 条结果）"]) == {"q": ["凌钢"], "year": ["2020"]}
    assert query_of(suggestions["去掉年份“2020 年” （1 条结果）"]) == {"q": ["凌钢"], "zone": ["北票"]}
    assert query_of(suggestions["去掉全部筛选条件"]) == {"q": ["凌钢"]}


def test_an_empty_result_without_filters_suggests_other_words(client):
    soup = page(client, "/?q=量子计算机")
    assert stats(soup).startswith("0 条结果")
    assert "OR" in soup.select_one(".empty").get_text()


@pytest.mark.parametrize("url, message", [
    ('/?q="unbalanced', "引号不成对：请用第二个引号把短语括完整。"),
    ("/?zone=火星", "没有名为“火星”的开发区。可选的开发区：柳城, 凌源, 北票, 建平, 喀左, 朝阳经开区, 朝阳高新区。"),
    ("/?year=20x0", "“20x0”不是年份，也不是 2019-2021 这样的年份范围。"),
    ("/?q=凌钢&sort=best", "排序方式只能是：relevance, date。"),
    ("/?q=凌钢&page=abc", "页码必须是 1 到 1000 之间的整数。"),
    ("/?q=凌钢&page=1001", "页码必须是 1 到 1000 之间的整数。"),
    ("/?q=" + "凌" * 513, "搜索词太长（513 个字符，最多 512 个）。"),
    ("/?site=无此报社", "没有文章的来源是“无此报社”。"),
])
def test_bad_input_shows_the_page_with_the_message_in_chinese(client, url, message):
    soup = page(client, url, status=400)
    alert = soup.select_one("[role=alert]")
    assert alert.select_one(".alert-message").get_text() == message
    assert soup.select_one("input#q") is not None
    assert soup.select_one("details.syntax-help").has_attr("open")


@pytest.mark.parametrize("value", ["0", "-1", "1001", "abc", "1.5", "１", "99999999", " "])
def test_the_same_bad_page_gets_the_same_message_whatever_its_value(client, value):
    expected = "页码必须是 1 到 1000 之间的整数。"
    if value.strip():
        soup = page(client, f"/?q=凌钢&page={value}", status=400)
        assert soup.select_one(".alert-message").get_text() == expected
        assert client.get(f"/api/search?q=凌钢&page={value}").get_json() == {
            "error": "Page must be between 1 and 1000."}  # the API keeps the engine's English
        assert client.get(f"/api/search?q=凌钢&per_page={value}").get_json() == {
            "error": "Results per page must be between 1 and 100."}
    else:
        page(client, f"/?q=凌钢&page={value}")  # blank: the first page


def test_the_query_stays_in_the_box_after_an_error(client):
    soup = page(client, '/?q="unbalanced', status=400)
    assert soup.select_one("input#q")["value"] == '"unbalanced'


def test_query_text_is_escaped_everywhere(client):
    for url in ["/?q=<script>alert(1)</script>", '/?q="<script>alert(1)</script>',
                f"/doc/{LINGGANG[0]}?q=<script>alert(1)</script>"]:
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        soup = BeautifulSoup(html, "html.parser")
        assert all(s.get("src", "").startswith("/static/") for s in soup.find_all("script"))


def test_only_the_engines_marks_and_paragraph_breaks_are_added_to_snippets(client):
    soup = page(client, "/?q=凌钢")
    for snippet in soup.select(".snippet"):
        for tag in snippet.find_all(True):
            assert (tag.name, tag.attrs) in [("mark", {}), ("mark", {"class": ["partial"]}),
                                             ("span", {"class": ["para-break"], "aria-hidden": "true"})], tag


# ---------------------------------------------------------------------------------------------- chart

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


# ---------------------------------------------------------------------------------------------- article page

def test_article_page_shows_the_article_with_matches_marked(client):
    soup = page(client, f"/doc/{ALL_ZONES_DOC}?q=凌钢&zone=喀左&year=2025")
    assert soup.select_one("h1#doc-title").get_text() == "朝阳7家省级开发区何以强势崛起"
    first = soup.select_one(".doc-body mark#first-match")
    assert first is not None and first.get_text() == "凌钢"
    assert len(soup.select(".doc-body mark:not(.partial)")) == int(soup.select_one(".match-bar")["data-matches"])
    assert soup.select_one("a.match-jump")["href"] == "#first-match"
    badges = soup.select(".doc-meta .badge-zone")
    assert [a.get_text() for a in badges] == ["柳城", "凌源", "北票", "建平", "喀左", "朝阳经开区", "朝阳高新区"]
    assert [a["href"] for a in badges][:2] == ["/zone/%E6%9F%B3%E5%9F%8E", "/zone/%E5%87%8C%E6%BA%90"]
    assert "2025 年" in soup.select_one(".doc-meta").get_text()
    assert len(soup.select(".doc-body p")) > 10
    back = soup.select_one("a.back-link")
    assert "返回搜索结果" in back.get_text()
    assert query_of(back["href"]) == {"q": ["凌钢"], "zone": ["喀左"], "year": ["2025"]}
    related = soup.select(".related-list a")
    assert related and all(urlsplit(a["href"]).path.startswith("/doc/") for a in related)
    assert ALL_ZONES_DOC not in {urlsplit(a["href"]).path.rsplit("/", 1)[-1] for a in related}
    assert query_of(related[0]["href"])["q"] == ["凌钢"]  # the way back survives a detour


def test_article_page_in_traditional_script_marks_a_simplified_query(client):
    soup = page(client, "/doc/002_08bfd12c8fa669a1?q=区位优势")
    assert soup.select_one(".doc-body mark#first-match").get_text() == "區位優勢"


def test_article_page_without_a_query(client):
    soup = page(client, f"/doc/{LINGGANG[0]}")
    assert not soup.select("mark") and soup.select_one(".match-bar") is None
    assert soup.select_one("a.back-link")["href"] == "/"


def test_article_page_with_an_unparseable_query_still_shows_the_article(client):
    soup = page(client, f'/doc/{LINGGANG[0]}?q="unbalanced&zone=火星')
    assert not soup.select(".doc-body mark")
    assert soup.select_one("h1#doc-title")


@pytest.mark.parametrize("path", [
    "/doc/unknown", "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/../../etc/passwd", "/doc/%2e%2e", "/doc/..",
    "/doc/....%5C....%5Cwindows", "/doc/%00", "/doc/" + "a" * 300, "/doc/seeds", "/doc/catalog.toml",
])
def test_unknown_or_path_like_ids_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.get_data(as_text=True)


def test_404_page(client):
    soup = page(client, "/doc/nope", status=404)
    assert soup.select_one(".error-code").get_text() == "404"
    assert soup.select_one(".error-page a")["href"] == "/"
    assert "找不到" in page(client, "/no/such/page", status=404).h1.get_text()


# ---------------------------------------------------------------------------------------------- API

def test_api_search_is_the_engines_json(client, seed_index_dir):
    response = client.get("/api/search?q=凌钢")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "凌钢".encode() in response.data and b"\\u" not in response.data  # UTF-8, not escaped
    data = response.get_json()
    expected = results_json(search(Index(seed_index_dir), "凌钢"))
    assert list(data) == list(expected)
    assert list(data["hits"][0]) == list(expected["hits"][0])
    assert list(data["facets"]) == list(expected["facets"])
    assert {h["id"] for h in data["hits"]} == set(LINGGANG)
    assert data["total"] == 2 and data["query"] == "凌钢"
    assert "<mark>凌钢</mark>" in data["hits"][0]["snippet"]


def test_api_search_takes_the_page_parameters(client):
    data = client.get("/api/search?q=开发区&zone=凌源&zone=喀左&per_page=2&page=2&sort=date").get_json()
    assert (data["total"], data["page"], data["per_page"], len(data["hits"])) == (3, 2, 2, 1)
    assert client.get("/api/search?zone=凌源").get_json()["total"] == 3


@pytest.mark.parametrize("url", [
    "/api/search", "/api/search?q=", '/api/search?q="x', "/api/search?q=凌钢&per_page=101",
    "/api/search?q=凌钢&per_page=0", "/api/search?q=凌钢&page=x", "/api/search?zone=火星",
])
def test_api_search_bad_input_is_a_400_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error, str) and error.endswith(("。", "."))


def test_api_search_empty_result_has_no_hits(client):
    data = client.get("/api/search?q=凌钢&zone=北票&year=2020").get_json()
    assert data["total"] == 0 and data["hits"] == []


def test_api_doc(client):
    response = client.get(f"/api/doc/{LINGGANG[0]}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == LINGGANG[0] and data["title"] == "营商环境优 发展势头足"
    assert set(data) == set(record.JSON_FIELDS) | {"paragraphs"}
    for path in ["/api/doc/unknown", "/api/doc/..%2F..%2Fetc%2Fpasswd", "/api/nothing"]:
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert response.get_json()["error"]


@pytest.mark.parametrize("path", ["/", "/api/search", f"/doc/{LINGGANG[0]}", f"/api/doc/{LINGGANG[0]}"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_only_get_is_allowed(client, path, method):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


# ---------------------------------------------------------------------------------------------- the app

@pytest.fixture
def opened(monkeypatch) -> list:
    """The index folders the app opens, in order."""
    import indexer.search

    paths = []
    real = indexer.search.Index

    def counting(path):
        paths.append(path)
        return real(path)

    monkeypatch.setattr(indexer.search, "Index", counting)
    return paths


def test_the_index_is_opened_once_and_shared(seed_index_dir, opened):
    client = web.create_app({"INDEX_DIR": str(seed_index_dir)}).test_client()
    assert opened == []  # lazily
    for url in ["/?q=凌钢", "/", f"/doc/{LINGGANG[0]}", "/api/search?q=凌钢"]:
        assert client.get(url).status_code == 200
    assert opened == [str(seed_index_dir)]


def test_config_defaults_and_overrides(seed_index_dir):
    app = web.create_app()
    assert app.config["PER_PAGE"] == 10 and app.config["CHART"] is True and not app.debug
    app = web.create_app({"INDEX_DIR": str(seed_index_dir), "CHART": False})
    assert app.config["INDEX_DIR"] == str(seed_index_dir)
    assert page(app.test_client(), "/?q=开发区").select_one("figure.chart") is None


def test_a_missing_index_is_a_503_page_not_a_crash(tmp_path):
    client = web.create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/?q=凌钢")
    assert response.status_code == 503
    assert "索引暂不可用" in response.get_data(as_text=True)
    assert str(tmp_path) not in response.get_data(as_text=True)  # no server paths shown
    assert client.get("/api/search?q=凌钢").status_code == 503
    assert client.get("/api/search?q=凌钢").mimetype == "application/json"


def test_an_unexpected_error_is_a_500_page(seed_index_dir, monkeypatch):
    from web import api, search_page

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(search_page, "search", broken)
    monkeypatch.setattr(api, "search", broken)
    app = web.create_app({"INDEX_DIR": str(seed_index_dir)})
    response = app.test_client().get("/?q=凌钢")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "服务器出错了" in text and "boom" not in text and "Traceback" not in text
    assert app.test_client().get("/api/search?q=凌钢").get_json() == {
        "error": "An unexpected error occurred; please try again later."}


# ---------------------------------------------------------------------------------------------- logs

def access_records(caplog) -> list:
    return [r for r in caplog.records if r.name == "web.access"]


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/?q=凌钢", 200), ("GET", "/?zone=火星", 400), ("GET", "/api/search?q=凌钢", 200),
    ("GET", f"/doc/{LINGGANG[0]}?q=凌钢", 200), ("GET", "/api/doc/nope", 404), ("GET", "/no/such/page", 404),
    ("POST", "/", 405), ("OPTIONS", "/api/search", 405), ("HEAD", "/?q=凌钢", 200),
    ("GET", "/static/style.css", 200), ("GET", "/?" + "zone=&" * 100, 400),
])
def test_each_request_logs_one_line_with_method_path_status_and_latency(client, caplog, method, url, status):
    caplog.set_level(logging.INFO, logger="web")
    with client.open(url, method=method) as response:
        assert response.status_code == status
    records = access_records(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    record = records[0]
    path = urlsplit(url).path
    assert (record.method, record.path, record.status) == (method, path, status)
    assert isinstance(record.ms, float) and 0 <= record.ms < 10_000
    assert record.levelno == logging.INFO
    line = record.getMessage()
    assert "\n" not in line
    fields = dict(part.split("=", 1) for part in line.split())
    assert fields["method"] == method and fields["status"] == str(status) and float(fields["ms"]) == record.ms
    assert fields["path"] == path or json.loads(fields["path"]) == path  # quoted when it is not plain
    assert re.fullmatch(r"[0-9a-f]{8}", fields["id"])


def test_a_log_line_cannot_be_split_or_forged_by_the_path(client, caplog):
    caplog.set_level(logging.INFO, logger="web")
    client.get('/doc/x%0Amethod=GET path=/ status=200 "')
    client.get("/doc/" + "长" * 2000)
    first, second = (r.getMessage() for r in access_records(caplog))
    # The path is one quoted value, its newline and quotes escaped; the real fields follow it.
    assert "\n" not in first and 'path="/doc/x\\nmethod=GET path=/ status=200 \\"" status=404 ' in first
    assert re.fullmatch(r'method=GET path="(?:[^"\\]|\\.)*" status=404 ms=[\d.]+ id=[0-9a-f]{8}', first)
    assert len(second) < 1000 and "status=404" in second  # an oversized path is cut


def test_an_unexpected_error_is_logged_with_its_traceback_and_shown_without(seed_index_dir, monkeypatch, caplog):
    from web import api, search_page

    def broken(*args, **kwargs):
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr(search_page, "search", broken)
    monkeypatch.setattr(api, "search", broken)
    caplog.set_level(logging.INFO, logger="web")
    client = web.create_app({"INDEX_DIR": str(seed_index_dir)}).test_client()
    response = client.get("/?q=凌钢")
    assert response.status_code == 500
    page_text = response.get_data(as_text=True)
    assert "secret detail" not in page_text and "Traceback" not in page_text and "search_page.py" not in page_text

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    error = errors[0]
    assert error.name == "web" and error.exc_info and error.exc_info[0] is RuntimeError
    logged = caplog.text
    assert "Traceback (most recent call last)" in logged and "RuntimeError: boom: secret detail" in logged
    assert "broken" in logged  # the frame that raised

    # One access line with status 500, whose id is the one in the error record and on the page.
    access = access_records(caplog)
    assert len(access) == 1 and access[0].status == 500
    request_id = access[0].request_id
    assert request_id in error.getMessage()
    soup = BeautifulSoup(page_text, "html.parser")
    assert soup.select_one(".error-id code").get_text() == request_id

    caplog.clear()
    api = client.get("/api/search?q=凌钢")
    assert api.status_code == 500 and api.get_json() == {"error": "An unexpected error occurred; please try again later."}
    assert "boom" not in api.get_data(as_text=True)
    assert len(access_records(caplog)) == 1 and "RuntimeError: boom" in caplog.text


def test_without_logging_configured_the_app_logs_to_stderr(tmp_path):
    """As under `search serve`: nothing configured logging, so the app writes its lines to stderr itself,
    once each (not again through the root handler waitress adds), and keeps waitress's queue warnings down."""
    import subprocess
    import sys

    script = f"""
import logging, sys
import web
app = web.create_app({{"INDEX_DIR": {str(tmp_path / "none")!r}}})
logging.basicConfig()  # what waitress.serve does after the app is made
client = app.test_client()
client.get("/api/doc/x")
web.create_app({{"INDEX_DIR": {str(tmp_path / "none")!r}}}).test_client().get("/nope")  # a second app: no second handler
logging.getLogger("waitress.queue").warning("Task queue depth is 3")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    access = [line for line in lines if "web.access" in line]
    assert len(access) == 2, result.stderr  # not printed again by the root handler ("INFO:web.access:…")
    assert re.fullmatch(r"\S+ \S+ INFO web\.access: method=GET path=/api/doc/x status=503 ms=[\d.]+ id=\w+",
                        access[0]), access[0]
    assert "method=GET path=/nope status=404" in access[1]
    assert any("ERROR web: " in line for line in lines)  # why the index is unavailable, on the server only
    assert "Task queue depth" not in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------- concurrency

def test_many_threads_share_one_index_and_agree(seed_index_dir, opened):
    """Requests on many threads at once (as waitress runs them): one Index for the app, a Whoosh searcher per
    thread, and every answer the same as a lone request's."""
    import concurrent.futures

    app = web.create_app({"INDEX_DIR": str(seed_index_dir)})
    urls = ["/api/search?q=凌钢", "/api/search?q=开发区&zone=凌源", "/api/search?zone=喀左&year=2025",
            f"/api/doc/{LINGGANG[0]}", "/?q=开发区", f"/doc/{ALL_ZONES_DOC}?q=凌钢"]

    def fetch(url):
        with app.test_client() as client:  # one client per request: nothing shared but the app
            response = client.get(url)
            body = response.get_data(as_text=True)
            if url.startswith("/api/search"):
                data = json.loads(body)
                body = json.dumps({k: v for k, v in data.items()}, sort_keys=True)
            else:
                body = re.sub(r"用时 \d+ 毫秒", "", body)  # the one thing that differs
            return url, response.status_code, body

    expected = {url: fetch(url)[1:] for url in urls}
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(fetch, urls * 20))
    assert len(answers) == len(urls) * 20
    for url, status, body in answers:
        assert (status, body) == expected[url], url
    assert opened == [str(seed_index_dir)]


def test_pages_are_self_contained_and_send_safety_headers(client):
    response = client.get("/?q=凌钢")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for tag, attr in [("link", "href"), ("script", "src"), ("img", "src")]:
        for element in soup.find_all(tag):
            if element.get("rel") == ["canonical"]:  # the page's own address, absolute
                assert element[attr].startswith("http://localhost/"), element
                continue
            assert element[attr].startswith("/"), element  # no CDN, no external fonts
    assert not soup.find_all(style=True)  # no inline styles (the CSP forbids them)
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    assert '"Noto Sans CJK SC"' in css and "@import" not in css and "url(http" not in css
    for path in ["/static/app.js", "/static/favicon.svg"]:
        with client.get(path) as response:
            assert response.status_code == 200


def test_json_is_utf8(client):
    raw = client.get(f"/api/doc/{LINGGANG[0]}").data
    assert json.loads(raw.decode("utf-8"))["title"] == "营商环境优 发展势头足"
    assert "营商环境优".encode() in raw


def test_the_search_page_works_without_javascript(client):
    """Everything is a plain form or link: the search box submits to / with GET."""
    soup = page(client, "/?zone=凌源")
    form = soup.select_one("form.search-form")
    assert form["method"] == "get" and form["action"] == "/"
    assert form.select_one("input[name=q]") and form.select_one("button[type=submit]")
    other = soup.select_one('#filters a.facet-value[data-value="柳城经济开发区"]')["href"]
    assert re.fullmatch(r"/\?zone=.+&zone=.+", other)


# ---------------------------------------------------------------------------------------------- real-looking news

@pytest.fixture(scope="module")
def news_client(news_index_dir):
    return web.create_app({"INDEX_DIR": str(news_index_dir)}).test_client()


def test_sources_are_links_and_a_facet(news_client):
    import news

    soup = page(news_client, "/?q=开发区")
    links = {a["href"]: a for a in soup.select("a.hit-source")}
    assert news.LONG_URL in links
    assert all(a["rel"] == ["noopener", "noreferrer"] for a in links.values())
    assert links[news.LONG_URL].get_text() == "example-news.com.cn"
    # A publisher's name is text, not a link.
    assert "朝阳日报" in [s.get_text() for s in soup.select("span.hit-source")]
    sites = facet(soup, "site")
    assert {v: c for v, (c, _, _) in sites.items()} == {"example-news.com.cn": 1, "news.example.org": 1,
                                                         "朝阳日报": 1, "example.com.cn": 1}
    chosen = page(news_client, sites["朝阳日报"][2])
    assert hit_ids(chosen) == ["news-year"] and facet(chosen, "site")["朝阳日报"][1]
    article = page(news_client, "/doc/news-ev")
    source = article.select_one(".doc-source a")
    assert source["href"] == news.LONG_URL and source.get_text() == news.LONG_URL
    assert source["rel"] == ["noopener", "noreferrer"]


def test_the_match_counter_counts_what_was_typed_and_partial_matches_apart(news_client):
    soup = page(news_client, "/doc/news-ev?q=新能源汽车")
    bar = soup.select_one(".match-bar")
    assert visible_text(bar.select_one(".match-count")) == "“新能源汽车”出现 3 处 · 另有 2 处部分匹配"
    assert (bar["data-matches"], bar["data-partial"]) == ("3", "2")
    assert len(soup.select(".doc-body mark:not(.partial)")) == 3
    assert [m.get_text() for m in soup.select(".doc-body mark.partial")] == ["汽车", "汽车"]
    # The first mark in the text is a partial one (汽车零部件); the jump goes to the first exact one.
    assert "partial" in soup.select_one(".doc-body mark")["class"]
    first = soup.select_one("#first-match")
    assert first.get_text() == "新能源汽车" and not first.get("class")


def test_the_article_page_shows_paragraphs_as_written(news_client):
    soup = page(news_client, "/doc/news-ev")
    paragraphs = [p.get_text() for p in soup.select(".doc-body p")]
    assert paragraphs[0] == "本报记者王明李华报道"  # the headline is the page's title, not repeated
    assert len(paragraphs) == 4


def test_snippets_show_paragraph_breaks(news_client):
    soup = page(news_client, "/?q=记者")
    snippet = soup.select_one(".snippet")
    breaks = snippet.select(".para-break")
    assert breaks and all(b.get_text() == "¶" for b in breaks)
    # Text on each side of a break is from different paragraphs, not glued together.
    assert "报道三月" not in snippet.get_text().replace("¶", "|")


def test_relaxed_results_say_so_and_each_hit_what_it_lacks(news_client):
    soup = page(news_client, "/?q=凌源 火星探测")
    assert "没有文章同时包含全部词语" in soup.select_one(".notice-relaxed").get_text()
    assert [p.get_text(strip=True) for p in soup.select(".hit-missing")] == ["缺少：火星探测"]
    assert page(news_client, "/?q=凌源").select_one(".notice-relaxed") is None


def test_other_spellings_searched_are_said(news_index_dir, monkeypatch):
    """`results.also` (regional word forms the engine searched too) is shown above the hits."""
    from web import search_page

    real = search_page.search

    def with_variants(*args, **kwargs):
        results = real(*args, **kwargs)
        results.also = ["軟體", "軟件"]
        return results

    monkeypatch.setattr(search_page, "search", with_variants)
    client = web.create_app({"INDEX_DIR": str(news_index_dir)}).test_client()
    assert page(client, "/?q=开发区").select_one(".notice-also").get_text(strip=True) == "也搜索了：軟體、軟件"


def test_the_site_title_and_tagline_are_settings(news_index_dir, monkeypatch):
    client = web.create_app({"INDEX_DIR": str(news_index_dir), "SITE_TITLE": "地方新闻档案",
                             "SITE_TAGLINE": "本地报纸三十年"}).test_client()
    soup = page(client, "/")
    assert soup.select_one(".hero h1").get_text() == "地方新闻档案" and soup.title.get_text() == "地方新闻档案"
    assert soup.select_one(".hero p").get_text() == "本地报纸三十年"
    assert "朝阳" not in soup.select_one(".site-header").get_text() + soup.select_one(".hero").get_text()
    monkeypatch.setenv("SEARCH_SITE_TITLE", "环境变量里的标题")
    monkeypatch.setenv("SEARCH_SITE_TAGLINE", "环境变量里的标语")
    soup = page(web.create_app({"INDEX_DIR": str(news_index_dir)}).test_client(), "/")
    assert soup.select_one(".hero h1").get_text() == "环境变量里的标题"
    assert soup.select_one(".hero p").get_text() == "环境变量里的标语"


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


@settings(max_examples=200, deadline=None)
@given(q=st.text(max_size=20), zones=st.lists(st.text(max_size=6), max_size=3), page=st.integers(1, 1000))
def test_links_are_what_url_for_builds(q, zones, page):
    """`state.link` builds the path once per request and the query itself: the same URLs as `url_for`."""
    from flask import url_for

    from web.state import link

    app = web.create_app({"INDEX_DIR": "/nonexistent"})
    params = {"q": q, "zone": zones, "page": page}
    with app.test_request_context("/"):
        for endpoint, path in (("search.index", {}), ("article.document", {"doc_id": "a-1"})):
            assert link(endpoint, params, **path) == url_for(endpoint, **path, **params)
            assert link(endpoint, params, True, **path) == url_for(endpoint, _external=True, **path, **params)
