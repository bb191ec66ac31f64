"""The web app as a whole: its settings, the index opened once and shared by every thread, a missing index
and unexpected errors, pages that stand alone with safety headers."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

import web
from fixtures import ALL_ZONES_DOC, LINGGANG, page


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
        "error": "An unexpected error occurred; please try again later."
    }


def test_many_threads_share_one_index_and_agree(seed_index_dir, opened):
    """Requests on many threads at once (as waitress runs them): one Index for the app, a Whoosh searcher per
    thread, and every answer the same as a lone request's."""
    import concurrent.futures

    app = web.create_app({"INDEX_DIR": str(seed_index_dir)})
    urls = [
        "/api/search?q=凌钢",
        "/api/search?q=开发区&zone=凌源",
        "/api/search?zone=喀左&year=2025",
        f"/api/doc/{LINGGANG[0]}",
        "/?q=开发区",
        f"/doc/{ALL_ZONES_DOC}?q=凌钢",
    ]

    def fetch(url):
        with app.test_client() as client:  # one client per request: nothing shared but the app
            response = client.get(url)
            body = response.get_data(as_text=True)
            if url.startswith("/api/search"):
                data = json.loads(body)
                body = json.dumps(data, sort_keys=True)
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


def test_the_site_title_and_tagline_are_settings(news_index_dir, monkeypatch):
    client = web.create_app(
        {"INDEX_DIR": str(news_index_dir), "SITE_TITLE": "地方新闻档案", "SITE_TAGLINE": "本地报纸三十年"}
    ).test_client()
    soup = page(client, "/")
    assert soup.select_one(".hero h1").get_text() == "地方新闻档案" and soup.title.get_text() == "地方新闻档案"
    assert soup.select_one(".hero p").get_text() == "本地报纸三十年"
    assert "朝阳" not in soup.select_one(".site-header").get_text() + soup.select_one(".hero").get_text()
    monkeypatch.setenv("SEARCH_SITE_TITLE", "环境变量里的标题")
    monkeypatch.setenv("SEARCH_SITE_TAGLINE", "环境变量里的标语")
    soup = page(web.create_app({"INDEX_DIR": str(news_index_dir)}).test_client(), "/")
    assert soup.select_one(".hero h1").get_text() == "环境变量里的标题"
    assert soup.select_one(".hero p").get_text() == "环境变量里的标语"


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


def test_a_warm_app_opens_its_index_and_loads_what_searches_need_when_it_is_made(seed_index_dir):
    from indexer import lexicon

    app = web.create_app({"INDEX_DIR": str(seed_index_dir), "WARM": True})
    index = app.extensions["chaoyang_search"]["index"]
    assert index is not None and index._facets  # facet sets of the current generation
    assert index in lexicon._CACHES  # the vocabulary, loaded
    assert web.create_app({"INDEX_DIR": "/nonexistent", "WARM": True})  # no index yet: the pages say so later


def test_links_follow_where_the_app_is_mounted_and_its_host(client):
    """Links' paths are built once per process (`state._base`) and the sidebar once per search (`fragments`),
    for each mount point and host: the same app served under a prefix, or asked on another host, links to
    itself there."""

    def hrefs(base_url: str) -> list[str]:
        html = client.get("/?q=开发区&zone=凌源", base_url=base_url).get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        return [a["href"] for a in soup.select("a[href], link[href]") if not a["href"].startswith("#")]

    for _ in range(2):  # the second time from what was kept
        at_root, mounted = hrefs("http://localhost/"), hrefs("http://localhost/news/")
        other_host = hrefs("https://other.example/")
        assert len(at_root) == len(mounted) > 40
        assert all(not h.startswith("/news") for h in at_root)
        assert all(h.startswith(("/news/", "http://localhost/news/")) or "://" in h for h in mounted)
        assert sum(h.startswith("/news/") for h in mounted) > 40
        assert "http://localhost/news/?q=" in " ".join(mounted)  # the canonical URL
        assert "https://other.example/?q=" in " ".join(other_host)
