"""The article page: the article in its paragraphs, the query's matches marked and counted, the way back."""

from __future__ import annotations

from urllib.parse import urlsplit

from fixtures import ALL_ZONES_DOC, LINGGANG, page, query_of, visible_text


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


def test_404_page(client):
    soup = page(client, "/doc/nope", status=404)
    assert soup.select_one(".error-code").get_text() == "404"
    assert soup.select_one(".error-page a")["href"] == "/"
    assert "找不到" in page(client, "/no/such/page", status=404).h1.get_text()


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
