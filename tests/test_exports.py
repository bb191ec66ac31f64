"""A search's other forms: its canonical URL, CSV and JSON Lines of every matching article, its Atom feed
(read with feedparser, as a feed reader would), and the OpenSearch description."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, unquote, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

import news
import web
from fixtures import SEEDS
from indexer import index, metadata
from indexer.export import CSV_FIELDS
from indexer.query import Filters
from indexer.search import Index, search

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def app(seed_index_dir):
    return web.create_app({"INDEX_DIR": str(seed_index_dir), "PER_PAGE": 2})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def all_ids(index_dir, q: str = "", sort: str = "relevance", **filters) -> list[str]:
    """Every match of a search, page by page through the engine: the export's oracle."""
    ix, chosen, ids, page = Index(index_dir), Filters(), [], 1
    for field, values in filters.items():
        for value in values:
            chosen.add(field, value)
    while True:
        results = search(ix, q, chosen, page=page, per_page=100, sort=sort, browse_all=True)
        ids += [h.id for h in results.hits]
        if page >= results.pages:
            return ids
        page += 1


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------------------------------------- canonical URL

ZONE_FORMS = [(z.name, [z.name, z.short, *z.names]) for z in metadata.gazetteer()[1]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    zones=st.lists(st.sampled_from(ZONE_FORMS), max_size=3, unique_by=lambda z: z[0]),
    forms=st.lists(st.integers(0, 20), min_size=3, max_size=3),
    years=st.lists(st.sampled_from(["2020", "2023", "2019-2021"]), max_size=2, unique=True),
    q=st.sampled_from(["", "开发区", "凌钢 OR 鞍钢"]),
    sort=st.sampled_from(["", "relevance", "date"]),
    order=st.randoms(use_true_random=False),
)
def test_every_search_has_one_canonical_url(client, zones, forms, years, q, sort, order):
    """However a search's parameters are spelt and ordered, its page names one URL: q, zones by their short
    names, years, then sort (not when it is relevance), in that order; the format links use the same."""
    params = [("zone", names[n % len(names)]) for (_, names), n in zip(zones, forms)]
    params += [("year", y) for y in years] + ([("q", q)] if q else []) + ([("sort", sort)] if sort else [])
    order.shuffle(params)
    response = client.get("/", query_string=params)
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    canonical = soup.select_one("link[rel=canonical]")["href"]
    assert canonical.startswith("http://localhost/?") or canonical == "http://localhost/"
    short = {z.name: z.short for z in metadata.gazetteer()[1]}
    expected = ([("q", q)] if q else []) + [("zone", short[metadata.resolve_zone(v)]) for k, v in params if k == "zone"]
    expected += [("year", y) for k, y in params if k == "year"] + ([("sort", "date")] if sort == "date" else [])
    pairs = [
        tuple(unquote(x.replace("+", " ")) for x in p.split("=", 1)) for p in urlsplit(canonical).query.split("&") if p
    ]
    assert pairs == expected
    # Every format link is the same search on another path.
    same = parse_qs(urlsplit(canonical).query)
    for link in soup.select("link[rel=alternate]"):
        query = parse_qs(urlsplit(link["href"]).query)
        if "atom" in link["type"]:
            same_but_sort = {k: v for k, v in same.items() if k != "sort"}
            assert query == same_but_sort, link  # a feed is newest first whatever the sort
        else:
            assert query == same, link


def test_the_page_links_its_other_formats(client):
    soup = BeautifulSoup(client.get("/?q=开发区&zone=凌源&sort=date").get_data(as_text=True), "html.parser")
    alternates = {link["type"]: link["href"] for link in soup.select("link[rel=alternate]")}
    assert set(alternates) == {"text/csv", "application/jsonl", "application/json", "application/atom+xml"}
    assert urlsplit(alternates["text/csv"]).path == "/search.csv"
    assert urlsplit(alternates["application/json"]).path == "/api/search"
    visible = {a.get_text(strip=True): a["href"] for a in soup.select(".formats a")}
    assert set(visible) == {"CSV", "CSV（Excel）", "JSON Lines", "JSON", "Atom 订阅"}
    assert parse_qs(urlsplit(visible["CSV（Excel）"]).query)["_bom"] == ["1"]
    assert (
        soup.select_one('link[rel=search][type="application/opensearchdescription+xml"]')["href"] == "/opensearch.xml"
    )


# ---------------------------------------------------------------------------------------------- CSV, JSON Lines


@pytest.mark.parametrize(
    "url, q, sort, filters",
    [
        ("/search.csv?q=开发区", "开发区", "relevance", {}),
        ("/search.csv?q=开发区&sort=date", "开发区", "date", {}),
        ("/search.csv?zone=凌源", "", "relevance", {"zone": ["凌源"]}),
        ("/search.csv", "", "relevance", {}),
        ("/search.csv?q=开发区&page=2", "开发区", "relevance", {}),  # the page does not matter: every article
    ],
)
def test_csv_has_every_matching_article_in_the_searchs_order(client, seed_index_dir, url, q, sort, filters):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert not response.data.startswith(BOM)
    rows = csv_rows(response.data)
    assert list(rows[0]) == list(CSV_FIELDS)
    expected = all_ids(seed_index_dir, q, sort, **filters)
    assert [r["id"] for r in rows] == expected and len(expected) > 2  # more than the page's 2 hits
    assert response.headers["X-Search-Total"] == str(len(expected))
    assert "X-Search-Partial" not in response.headers
    by_id = {r["id"]: r for r in rows}
    doc = Index(seed_index_dir).document(expected[0])
    assert by_id[doc.id]["title"] == doc.title and by_id[doc.id]["zones"] == "; ".join(doc.zones)


@pytest.mark.parametrize("typed, meant", [("凌原", "凌源"), ("lingyuan", "凌源"), ("海棉铝", "海绵铝")])
def test_exports_hold_what_the_page_shows_for_a_typo_or_pinyin(client, typed, meant):
    """A typo searched as its correction, and pinyin read as words, export what the page lists."""
    shown = client.get("/api/search", query_string={"q": typed, "per_page": 100}).get_json()
    assert shown["total"] > 0 and (shown.get("searched_instead") == typed or shown.get("pinyin"))
    for url in ("/search.csv", "/search.jsonl"):
        exported = client.get(url, query_string={"q": typed})
        assert exported.data == client.get(url, query_string={"q": meant}).data, url
    assert [r["id"] for r in csv_rows(client.get("/search.csv", query_string={"q": typed}).data)] == [
        h["id"] for h in shown["hits"]
    ]


def test_csv_with_a_byte_order_mark_for_excel(client):
    plain, marked = client.get("/search.csv?q=开发区"), client.get("/search.csv?q=开发区&_bom=1")
    assert marked.data.startswith(BOM) and marked.data[3:] == plain.data
    assert csv_rows(marked.data) == csv_rows(plain.data)
    assert "开发区".encode() in plain.data  # UTF-8, not escaped


def test_csv_is_an_attachment_named_after_the_search(client):
    disposition = client.get("/search.csv?q=凌钢&zone=凌源").headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="search')
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert name == "search-凌钢-凌源.csv"
    assert client.get("/search.jsonl").headers["Content-Disposition"].endswith("search-all.jsonl")


def test_csv_is_streamed(client):
    response = client.get("/search.csv?q=开发区")
    assert response.is_streamed


def test_jsonl_has_every_matching_article_with_its_text(client, seed_index_dir):
    response = client.get("/search.jsonl?q=开发区")
    assert response.status_code == 200 and response.mimetype == "application/jsonl"
    lines = response.get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == all_ids(seed_index_dir, "开发区")
    ix = Index(seed_index_dir)
    assert all(r["body"] == ix.document(r["id"]).body for r in records)


def test_a_search_cut_short_by_its_time_budget_says_so(seed_index_dir):
    """With no time to search, the export holds what was found (nothing), and says so in a header, the file
    name and, in a CSV, a last row a spreadsheet user reads in the first column."""
    client = web.create_app({"INDEX_DIR": str(seed_index_dir), "SEARCH_BUDGET": 0}).test_client()
    response = client.get("/search.csv?q=开发区")
    assert response.status_code == 200 and response.headers["X-Search-Partial"] == "1"
    assert "不完整" in unquote(response.headers["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0] == list(CSV_FIELDS)
    note = rows[-1]
    assert note[0].startswith("结果不完整") and "0 篇" in note[0] and set(note[1:]) == {""}
    assert len(note) == len(CSV_FIELDS)
    jsonl = client.get("/search.jsonl?q=开发区")
    assert jsonl.headers["X-Search-Partial"] == "1" and jsonl.data == b""
    page = BeautifulSoup(client.get("/?q=开发区").get_data(as_text=True), "html.parser")
    assert "结果不完整" in page.select_one(".notice-partial").get_text()


@pytest.mark.parametrize(
    "url", ['/search.csv?q="x', "/search.jsonl?zone=火星", "/search.atom?year=20x0", "/search.csv?q=凌钢&sort=best"]
)
def test_exports_of_a_bad_search_are_a_400_page_in_chinese(client, url):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "text/html"
    message = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".error-page").get_text()
    assert any(word in message for word in ("引号", "开发区", "年份", "排序"))


# ---------------------------------------------------------------------------------------------- Atom


def entry_ids(feed) -> list[str]:
    return [e.id.rsplit(":", 1)[1].removeprefix("article/") for e in feed.entries]


def test_the_feed_reads_as_a_feed_reader_reads_it(news_client, news_index_dir):
    response = news_client.get("/search.atom?q=开发区&sort=relevance")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert "开发区" in feed.feed.title and feed.feed.language == "zh-CN"
    # Newest first, whatever the page's sort; every match (there are fewer than FEED_SIZE).
    assert entry_ids(feed) == all_ids(news_index_dir, "开发区", "date")
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert feed.feed.updated_parsed == dates[0]
    for entry in feed.entries:
        assert entry.id.startswith("tag:localhost,2025:article/")
        assert entry.link.startswith("http://localhost/doc/") and "q=" in entry.link
        assert entry.title and "<mark" not in entry.summary and entry.summary_detail.type == "text/plain"
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link.startswith("http://localhost/search.atom?") and "sort" not in self_link


def test_feed_dates_come_from_the_articles(news_client):
    """A day (midnight, China time), a month (its first day), a year alone (January 1), none (1970)."""
    feed = feedparser.parse(news_client.get("/search.atom?q=开发区").data)
    updated = {entry_ids(feed)[i]: e.updated for i, e in enumerate(feed.entries)}
    assert updated == {
        "news-ev": "2024-03-18T00:00:00+08:00",
        "news-equip": "2023-11-02T00:00:00+08:00",
        "news-year": "2022-01-01T00:00:00+08:00",
        "news-month": "2021-07-01T00:00:00+08:00",
        "news-undated": "1970-01-01T00:00:00+00:00",
    }


def test_feed_entries_say_where_the_article_comes_from(news_client):
    feed = feedparser.parse(news_client.get("/search.atom?q=新能源汽车").data)
    (entry,) = feed.entries
    assert entry.author == "example-news.com.cn"
    assert next(link.href for link in entry.links if link.rel == "via") == news.LONG_URL
    assert {t.term for t in entry.tags} >= {"凌源经济开发区", "新能源"}
    assert "新能源汽车" in entry.summary


def test_feed_ids_survive_a_reindex(seed_index_dir, tmp_path, client):
    """Entry ids are made of the article ids: a fresh index of the same articles gives the same ids."""
    index.update(tmp_path / "again", [SEEDS], rebuild=True)
    again = web.create_app({"INDEX_DIR": str(tmp_path / "again")}).test_client()
    first = feedparser.parse(client.get("/search.atom?zone=凌源").data)
    second = feedparser.parse(again.get("/search.atom?zone=凌源").data)
    assert [e.id for e in first.entries] == [e.id for e in second.entries] and first.entries
    assert first.feed.id == second.feed.id


def test_feed_tag_authority_is_a_setting(seed_index_dir):
    client = web.create_app({"INDEX_DIR": str(seed_index_dir), "TAG_AUTHORITY": "news.example.org"}).test_client()
    feed = feedparser.parse(client.get("/search.atom", base_url="http://127.0.0.1:5000").data)
    assert all(e.id.startswith("tag:news.example.org,2025:article/") for e in feed.entries)
    assert all(e.link.startswith("http://127.0.0.1:5000/doc/") for e in feed.entries)


def test_feed_size_bounds_the_entries(seed_index_dir):
    client = web.create_app({"INDEX_DIR": str(seed_index_dir), "FEED_SIZE": 2}).test_client()
    feed = feedparser.parse(client.get("/search.atom").data)
    assert len(feed.entries) == 2


# ---------------------------------------------------------------------------------------------- OpenSearch

NS = {"os": "http://a9.com/-/spec/opensearch/1.1/"}


def test_opensearch_description(seed_index_dir):
    client = web.create_app({"INDEX_DIR": str(seed_index_dir)}).test_client()
    response = client.get("/opensearch.xml", base_url="https://search.example.org:8443")
    assert response.status_code == 200 and response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    assert root.findtext("os:ShortName", namespaces=NS) == "朝阳开发区新闻检索"
    assert root.findtext("os:InputEncoding", namespaces=NS) == "UTF-8"
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", NS)}
    assert urls["text/html"] == "https://search.example.org:8443/?q={searchTerms}"
    assert urls["application/opensearchdescription+xml"] == "https://search.example.org:8443/opensearch.xml"
    assert (
        urls["application/x-suggestions+json"]
        == "https://search.example.org:8443/api/suggest?q={searchTerms}&format=opensearch"
    )  # web/suggest.py


def test_opensearch_points_at_the_suggestion_endpoint_when_the_app_has_one(seed_index_dir):
    app = web.create_app({"INDEX_DIR": str(seed_index_dir)})
    if not any(rule.rule == "/api/suggest" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/api/suggest", "suggest", lambda: "[]")
    root = ET.fromstring(app.test_client().get("/opensearch.xml").data)
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", NS)}
    assert urls["application/x-suggestions+json"] == "http://localhost/api/suggest?q={searchTerms}&format=opensearch"


@pytest.mark.parametrize(
    "path", ["/", "/?q=凌钢", "/doc/001_f7b6dd57e2bee65a", "/zone/凌源", "/no/such/page", "/?q=%22x"]
)
def test_every_page_links_the_opensearch_description(client, path):
    soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    link = soup.select_one('link[rel=search][type="application/opensearchdescription+xml"]')
    assert link["href"] == "/opensearch.xml" and link["title"]
