"""The search page: hits, facets, chips, filters, pagination, sorting, empty results and bad input, sources
and what the page says of the search, through Flask's test client, asserting on what is shown."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

import web
from fixtures import ALL_ZONES_DOC, LINGGANG, facet, hit_ids, page, query_of, stats, visible_text, write_articles
from indexer import index


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
    assert query_of(second.select_one(".pagination a[rel=prev]")["href"]) == {
        "q": ["开发区"],
        "zone": ["凌源"],
        "sort": ["date"],
    }
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


@pytest.mark.parametrize(
    "url, message",
    [
        ('/?q="unbalanced', "引号不成对：请用第二个引号把短语括完整。"),
        ("/?zone=火星", "没有名为“火星”的开发区。可选的开发区：柳城, 凌源, 北票, 建平, 喀左, 朝阳经开区, 朝阳高新区。"),
        ("/?year=20x0", "“20x0”不是年份，也不是 2019-2021 这样的年份范围。"),
        ("/?q=凌钢&sort=best", "排序方式只能是：relevance, date。"),
        ("/?q=凌钢&page=abc", "页码必须是 1 到 1000 之间的整数。"),
        ("/?q=凌钢&page=1001", "页码必须是 1 到 1000 之间的整数。"),
        ("/?q=" + "凌" * 513, "搜索词太长（513 个字符，最多 512 个）。"),
        ("/?site=无此报社", "没有文章的来源是“无此报社”。"),
    ],
)
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
            "error": "Page must be between 1 and 1000."
        }  # the API keeps the engine's English
        assert client.get(f"/api/search?q=凌钢&per_page={value}").get_json() == {
            "error": "Results per page must be between 1 and 100."
        }
    else:
        page(client, f"/?q=凌钢&page={value}")  # blank: the first page


def test_the_query_stays_in_the_box_after_an_error(client):
    soup = page(client, '/?q="unbalanced', status=400)
    assert soup.select_one("input#q")["value"] == '"unbalanced'


def test_only_the_engines_marks_and_paragraph_breaks_are_added_to_snippets(client):
    soup = page(client, "/?q=凌钢")
    for snippet in soup.select(".snippet"):
        for tag in snippet.find_all(True):
            assert (tag.name, tag.attrs) in [
                ("mark", {}),
                ("mark", {"class": ["partial"]}),
                ("span", {"class": ["para-break"], "aria-hidden": "true"}),
            ], tag


def test_the_search_page_works_without_javascript(client):
    """Everything is a plain form or link: the search box submits to / with GET."""
    soup = page(client, "/?zone=凌源")
    form = soup.select_one("form.search-form")
    assert form["method"] == "get" and form["action"] == "/"
    assert form.select_one("input[name=q]") and form.select_one("button[type=submit]")
    other = soup.select_one('#filters a.facet-value[data-value="柳城经济开发区"]')["href"]
    assert re.fullmatch(r"/\?zone=.+&zone=.+", other)


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
    assert {v: c for v, (c, _, _) in sites.items()} == {
        "example-news.com.cn": 1,
        "news.example.org": 1,
        "朝阳日报": 1,
        "example.com.cn": 1,
    }
    chosen = page(news_client, sites["朝阳日报"][2])
    assert hit_ids(chosen) == ["news-year"] and facet(chosen, "site")["朝阳日报"][1]
    article = page(news_client, "/doc/news-ev")
    source = article.select_one(".doc-source a")
    assert source["href"] == news.LONG_URL and source.get_text() == news.LONG_URL
    assert source["rel"] == ["noopener", "noreferrer"]


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


def test_a_searchs_sidebar_and_chart_are_kept_until_the_index_changes(tmp_path, monkeypatch):
    """The sidebar and chart are rendered once per search (`web.fragments`): the same search shows them again,
    an update of the index that changes the counts shows new ones, and only the last fit in `KEPT_BYTES`."""
    from web import fragments

    write_articles(tmp_path / "src", {"a1": "凌源经济开发区新闻\n\n2021年，凌源经济开发区新签约项目九个。"})
    index.update(tmp_path / "ix", [tmp_path / "src"])
    app = web.create_app({"INDEX_DIR": str(tmp_path / "ix")})
    client = app.test_client()

    def shown(url: str = "/?q=项目") -> tuple[dict, str]:
        soup = page(client, url)
        years = {a["data-value"]: a.select_one(".facet-count").get_text() for a in soup.select("a[data-facet=year]")}
        return years, soup.select_one("figure.chart desc").get_text()

    assert shown() == shown() == ({"2021": "1"}, "2021 年 1 篇：凌源 1。")
    write_articles(tmp_path / "src", {"a2": "北票经济开发区新闻\n\n2022年，北票经济开发区新签约项目三个。"})
    index.update(tmp_path / "ix", [tmp_path / "src"])
    assert shown() == ({"2022": "1", "2021": "1"}, "2021 年 1 篇：凌源 1；2022 年 1 篇：北票 1。")
    kept = app.extensions["chaoyang_search"]["fragments"]
    one = kept.nbytes // len(kept)
    kept.clear()
    app.extensions["chaoyang_search"]["fragments"] = kept = fragments.cache(2 * one + one // 2)
    for url in ["/?q=新闻", "/?q=凌源", "/?q=北票"]:
        shown(url)
    assert len(kept) == 2 and kept.nbytes <= kept.limit
