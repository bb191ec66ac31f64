"""The web front: every route and error case, through Flask's test client, asserting on what is shown."""

from __future__ import annotations

import importlib
import json
import pathlib
import re
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from indexer import index
from indexer.search import Index, search

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
LINGGANG = ("001_f7b6dd57e2bee65a", "003_201a132a17332222")
ALL_ZONES_DOC = "003_201a132a17332222"


def import_web():
    """The `web` package. An editable install made while web/ had no __init__.py maps `web` to a namespace
    package (without create_app); the repository's own copy is the one under test either way."""
    module = sys.modules.get("web")
    if module is not None and getattr(module, "__file__", None) is None:
        del sys.modules["web"]
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    return importlib.import_module("web")


web = import_web()


@pytest.fixture(scope="session")
def web_index_dir(tmp_path_factory) -> pathlib.Path:
    """The five seed articles, indexed once for this file."""
    path = tmp_path_factory.mktemp("web-index")
    report = index.update(path, [SEEDS])
    assert len(report.added) == 5, report.summary()
    return path


@pytest.fixture(scope="session")
def app(web_index_dir):
    return web.create_app({"INDEX_DIR": str(web_index_dir)})


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
    for item in soup.select(f"#filters .facet-value"):
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


def test_pagination_keeps_query_and_filters(web_index_dir):
    client = web.create_app({"INDEX_DIR": str(web_index_dir), "PER_PAGE": 2}).test_client()
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
    ('/?q="unbalanced', "Unbalanced quotes"),
    ("/?zone=火星", "Unknown zone"),
    ("/?year=20x0", "is not a year"),
    ("/?q=凌钢&sort=best", "Sort must be one of"),
    ("/?q=凌钢&page=abc", "页码必须是正整数"),
    ("/?q=凌钢&page=1001", "Page must be between 1 and 1000"),
    ("/?q=" + "凌" * 257, "too long"),
])
def test_bad_input_shows_the_page_with_the_message(client, url, message):
    soup = page(client, url, status=400)
    alert = soup.select_one("[role=alert]")
    assert message in alert.get_text()
    assert soup.select_one("input#q") is not None
    assert soup.select_one("details.syntax-help").has_attr("open")


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


def test_only_the_engines_marks_are_added_to_snippets(client):
    soup = page(client, "/?q=凌钢")
    for snippet in soup.select(".snippet"):
        assert {tag.name for tag in snippet.find_all(True)} <= {"mark"}
        assert all(not tag.attrs for tag in snippet.find_all(True))


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


def test_chart_counts_match_the_engine(client, web_index_dir):
    """Each bar's zone counts are what the engine finds for that zone and year."""
    idx = Index(web_index_dir)
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


def test_chart_is_not_stacked_when_the_query_itself_names_a_zone(client):
    """Per-zone counts come from one search per zone, which a zone typed into the query would widen."""
    svg = page(client, "/?q=zone:凌源 开发区").select_one("figure.chart svg")
    assert svg.title.get_text() == "各年份结果数"
    assert {tuple(r["class"]) for r in svg.select("rect.seg")} == {("seg", "zall")}


def test_no_chart_without_results(client):
    assert page(client, "/?q=量子计算机").select_one("figure.chart") is None


# ---------------------------------------------------------------------------------------------- article page

def test_article_page_shows_the_article_with_matches_marked(client):
    soup = page(client, f"/doc/{ALL_ZONES_DOC}?q=凌钢&zone=喀左&year=2025")
    assert soup.select_one("h1#doc-title").get_text() == "朝阳7家省级开发区何以强势崛起"
    first = soup.select_one(".doc-body mark#first-match")
    assert first is not None and first.get_text() == "凌钢"
    assert len(soup.select(".doc-body mark")) == int(soup.select_one(".match-bar")["data-matches"])
    assert soup.select_one("a.match-jump")["href"] == "#first-match"
    assert [a.get_text() for a in soup.select(".doc-meta .badge-zone")] == ["柳城", "凌源", "北票", "建平", "喀左",
                                                                            "朝阳经开区", "朝阳高新区"]
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

def test_api_search_is_the_engines_json(client, web_index_dir):
    response = client.get("/api/search?q=凌钢")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "凌钢".encode() in response.data and b"\\u" not in response.data  # UTF-8, not escaped
    data = response.get_json()
    expected = search(Index(web_index_dir), "凌钢").to_json()
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
    assert set(data) == {"id", "title", "zones", "year", "industries", "date", "source", "paragraphs"}
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

def test_the_index_is_opened_once_and_shared(web_index_dir, monkeypatch):
    import indexer.search

    opened = []
    real = indexer.search.Index

    def counting(path):
        opened.append(path)
        return real(path)

    monkeypatch.setattr(indexer.search, "Index", counting)
    client = web.create_app({"INDEX_DIR": str(web_index_dir)}).test_client()
    assert opened == []  # lazily
    for url in ["/?q=凌钢", "/", f"/doc/{LINGGANG[0]}", "/api/search?q=凌钢"]:
        assert client.get(url).status_code == 200
    assert opened == [str(web_index_dir)]


def test_config_defaults_and_overrides(web_index_dir):
    app = web.create_app()
    assert app.config["PER_PAGE"] == 10 and app.config["CHART"] is True and not app.debug
    app = web.create_app({"INDEX_DIR": str(web_index_dir), "CHART": False})
    assert app.config["INDEX_DIR"] == str(web_index_dir)
    assert page(app.test_client(), "/?q=开发区").select_one("figure.chart") is None


def test_a_missing_index_is_a_503_page_not_a_crash(tmp_path):
    client = web.create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/?q=凌钢")
    assert response.status_code == 503
    assert "索引暂不可用" in response.get_data(as_text=True)
    assert str(tmp_path) not in response.get_data(as_text=True)  # no server paths shown
    assert client.get("/api/search?q=凌钢").status_code == 503
    assert client.get("/api/search?q=凌钢").mimetype == "application/json"


def test_an_unexpected_error_is_a_500_page(web_index_dir, monkeypatch):
    from web import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "search", broken)
    app = web.create_app({"INDEX_DIR": str(web_index_dir)})
    response = app.test_client().get("/?q=凌钢")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "服务器出错了" in text and "boom" not in text and "Traceback" not in text
    assert app.test_client().get("/api/search?q=凌钢").get_json() == {"error": "Internal error."}


def test_pages_are_self_contained_and_send_safety_headers(client):
    response = client.get("/?q=凌钢")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for tag, attr in [("link", "href"), ("script", "src"), ("img", "src")]:
        for element in soup.find_all(tag):
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
