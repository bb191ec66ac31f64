"""Hostile input to the web front: articles, facet values and request parameters carrying markup, path-like
ids, oversized requests and other methods. Whatever comes in is shown as text, never run; whatever cannot be
answered is a 4xx with a message, never a 500 or a traceback."""

from __future__ import annotations

import json
import pathlib
import re
from urllib.parse import parse_qs, quote, urlsplit

import markupsafe
import pytest
from bs4 import BeautifulSoup

import web
from indexer import index

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(1)">x</a>'
SVG = '"><svg onload=alert(1)>'
PAYLOADS = (SCRIPT, IMG, LINK, SVG)
# The markup a payload would add to the page if it were not escaped.
INJECTED = ("<script>alert", "<img src=x", 'href="javascript:', "<svg onload", "onerror=alert(1)>", "onload=alert(1)>")

JSONL_ID = "j-001"
JSONL = {
    "id": JSONL_ID,
    "title": f"{IMG}开发区新闻{SCRIPT}",
    "body": f"开发区招商引资成效显著，装备制造项目落地。{SCRIPT}营商环境持续优化。{LINK}凌源经济开发区新材料。",
    "zone": [SCRIPT, SVG, "凌源"],
    "industry": [IMG, LINK],
    "year": 2021,
    "date": "2021-05-01",
    "source": f"{SVG}日报",
}
# An id made of markup: its hits are listed (escaped), its page is not found (ids are file-name-like).
JSONL_HOSTILE_ID = {
    "id": SVG,
    "title": "标题里没有标记的开发区文章",
    "body": "开发区招商引资，装备制造项目。" * 3,
    "zone": "柳城",
    "year": 2020,
}
# Sources that must never become links: a script URL, and markup around a web address.
SCRIPT_SOURCE = "javascript:alert(1)//https://news.example.org/a.html"
JSONL_SCRIPT_SOURCE = {
    "id": "j-002",
    "title": "来源字段可疑的开发区文章",
    "body": "开发区新材料项目开工建设。" * 3,
    "source": SCRIPT_SOURCE,
    "date": "2022-02-02",
}
JSONL_MARKUP_URL = {
    "id": "j-003",
    "title": "来源网址带标记的开发区文章",
    "body": "开发区文化旅游项目签约。" * 3,
    "source": f"https://news.example.org/{SCRIPT}",
    "date": "2022-03-03",
}
TEXT_ARTICLES = {
    "001_xss": (
        f"{SCRIPT}凌源经济开发区招商引资再创新高\n\n"
        f"凌源经济开发区今年引进项目十二个。{SCRIPT}装备制造产业链不断延伸，{IMG}新材料项目加快建设。\n"
        f"开发区负责人表示，{LINK}将继续优化营商环境，{SVG}推动高质量发展。2021年，凌源经济开发区产值增长。\n"
    ),
    "002_xss": (
        f"{SVG}柳城经济开发区装备制造项目开工\n\n"
        f"2022年，柳城经济开发区装备制造项目开工，{IMG}总投资五亿元。{SCRIPT}\n"
        f"开发区坚持招商引资，{LINK}优化营商环境，推动装备制造产业集聚发展。\n"
    ),
    "003_xss": (
        f"{LINK}喀左经济开发区新材料产业园投产\n\n"
        f"2023年，喀左经济开发区新材料产业园投产。{SVG}{IMG}开发区招商引资成效显著。\n"
    ),
}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> pathlib.Path:
    source = tmp_path_factory.mktemp("hostile-articles")
    for doc_id, text in TEXT_ARTICLES.items():
        (source / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (source / "feed.jsonl").write_text(
        "".join(
            json.dumps(r, ensure_ascii=False) + "\n"
            for r in (JSONL, JSONL_HOSTILE_ID, JSONL_SCRIPT_SOURCE, JSONL_MARKUP_URL)
        ),
        encoding="utf-8",
    )
    path = tmp_path_factory.mktemp("hostile-index")
    report = index.update(path, [source])
    assert len(report.added) == 7, report.summary()
    return path


@pytest.fixture(scope="module")
def client(hostile_dir):
    return web.create_app({"INDEX_DIR": str(hostile_dir)}).test_client()


def get(client, url: str, status: int = 200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response


def assert_inert(html: str) -> BeautifulSoup:
    """No payload became markup: no injected tags, event handlers or javascript: links; every script is ours."""
    for injected in INJECTED:
        assert injected not in html, injected
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        assert element.name not in {"img", "iframe", "object", "embed"}, element
        for attr, value in element.attrs.items():
            assert not attr.lower().startswith("on"), element
            values = value if isinstance(value, list) else [value]
            assert not any(v.strip().lower().startswith("javascript:") for v in values), element
    assert all(s.get("src", "").startswith("/static/") and not s.get_text() for s in soup.find_all("script"))
    assert {tuple(s.get("class", [])) for s in soup.find_all("svg")} <= {
        ("brand-mark",),
        ("search-icon",),
        ("chart-svg",),
    }
    return soup


def texts(soup: BeautifulSoup, selector: str) -> list[str]:
    return [element.get_text() for element in soup.select(selector)]


# ---------------------------------------------------------------------------------------------- what is indexed


def test_the_core_keeps_unknown_explicit_facet_values_as_given(client):
    """What the engine does with markup given as a JSONL article's zones and industries: it keeps the values
    it cannot resolve as they are (a known short name, 凌源, becomes the canonical zone)."""
    data = get(client, f"/api/doc/{JSONL_ID}").get_json()
    assert data["zones"] == [SCRIPT, SVG, "凌源经济开发区"]
    assert data["industries"] == [IMG, LINK]
    assert data["title"] == JSONL["title"] and data["source"] == JSONL["source"]


# ---------------------------------------------------------------------------------------------- search page


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=开发区",
        "/?q=script",
        "/?q=alert onerror",
        "/?q=开发区&sort=date",
        "/?year=2021",
        "/?zone=凌源",
        "/?q=开发区&industry=新材料",
        "/?q=开发区&page=2",
    ],
)
def test_search_pages_show_markup_as_text(client, url):
    assert_inert(get(client, url).get_data(as_text=True))


def test_every_part_of_the_search_page_shows_the_payloads_as_text(client):
    soup = assert_inert(get(client, "/?q=开发区").get_data(as_text=True))
    titles = " ".join(texts(soup, ".hit-title"))
    assert SCRIPT in titles and SVG in titles and LINK in titles and IMG in titles
    snippets = " ".join(texts(soup, ".snippet"))
    assert SCRIPT in snippets
    for snippet in soup.select(".snippet"):
        assert {tag.name for tag in snippet.find_all(True)} <= {"mark"}
    badges = texts(soup, ".badge-zone") + texts(soup, ".badge-industry")
    assert {SCRIPT, SVG, IMG, LINK} <= set(badges)
    assert {b["title"] for b in soup.select(".badge-zone")} >= {SCRIPT, SVG}
    assert f"{SVG}日报" in texts(soup, ".hit-source")
    # Hit links are paths under /doc/, the markup id percent-encoded into one path segment.
    for link in soup.select(".hit-title a"):
        assert urlsplit(link["href"]).path.startswith("/doc/") and "<" not in link["href"]
    # The sidebar lists the values (as text, in attributes escaped), but cannot filter by values the filters
    # do not know: no link that would only answer "unknown zone".
    sidebar = soup.select_one("#filters")
    values = {v["data-value"]: v for v in sidebar.select(".facet-value[data-value]")}
    for value, field in [(SCRIPT, "zone"), (SVG, "zone"), (IMG, "industry"), (LINK, "industry")]:
        element = values[value]
        assert element.name == "span" and "is-unknown" in element["class"] and element["data-facet"] == field
        assert element.select_one(".facet-label").get_text() == value
    for link in sidebar.select("a[href]"):
        query = urlsplit(link["href"]).query
        assert "<" not in link["href"]
        if link.get("data-facet") == "site":  # the index's own publishers (a name as given): the filter works
            assert [
                h.get_text()
                for h in BeautifulSoup(get(client, link["href"]).get_data(as_text=True), "html.parser").select(
                    ".hit-title a"
                )
            ]
            continue
        assert not any(p in v for vs in parse_qs(query).values() for v in vs for p in PAYLOADS)
    # The known zone of the same article still filters.
    assert values["凌源经济开发区"].name == "a"


def test_chart_labels_and_tooltips_show_the_payloads_as_text(client):
    soup = assert_inert(get(client, "/?q=开发区").get_data(as_text=True))
    chart = soup.select_one("figure.chart")
    svg = chart.select_one("svg")
    assert SCRIPT in svg.desc.get_text()
    tooltips = " ".join(t.get_text() for t in svg.select("g.bar title"))
    assert SCRIPT in tooltips and SVG in tooltips
    legend = {li["title"]: li.select_one(".legend-label").get_text() for li in chart.select(".legend li")}
    assert legend[SCRIPT] == SCRIPT and legend[SVG] == SVG
    assert {
        tuple(li.select_one(".swatch")["class"]) for li in chart.select(".legend li") if li["title"] in PAYLOADS
    } == {("swatch", "zo")}  # zones the gazetteer does not know: one neutral colour
    table = chart.select_one("table").get_text()
    assert SCRIPT in table


def test_chips_and_errors_show_typed_markup_as_text(client):
    # Values no article carries are refused with the value shown as text.
    for url in [
        f"/?zone={quote(LINK)}",
        f"/?industry={quote(SCRIPT)}",
        f"/?q=industry:{quote(SCRIPT)}",
        f"/?q=开发区&year={quote(SVG)}",
    ]:
        soup = assert_inert(get(client, url, status=400).get_data(as_text=True))
        assert any(p in soup.select_one("[role=alert]").get_text() for p in PAYLOADS)
    # Values an article brought with it (the JSONL article's zones) filter, and their chips are text.
    for url in [f"/?zone={quote(SCRIPT)}", f"/?industry={quote(IMG)}"]:
        soup = assert_inert(get(client, url).get_data(as_text=True))
        assert [h.get_text() for h in soup.select(".hit-title a")]
    soup = assert_inert(get(client, "/?q=开发区&zone=凌源&industry=新材料").get_data(as_text=True))
    chips = soup.select("a.chip")
    assert len(chips) == 2 and all(urlsplit(c["href"]).path == "/" for c in chips)


@pytest.mark.parametrize("name", ["q", "zone", "year", "industry", "page", "sort", "per_page"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_any_parameter_is_shown_as_text_or_refused(client, name, payload):
    for path in ["/", "/doc/001_xss", "/api/search", "/api/doc/001_xss"]:
        url = f"{path}?{name}={quote(payload)}" + ("&q=开发区" if name != "q" else "")
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        if path.startswith("/api/"):
            assert response.mimetype == "application/json"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            data = response.get_json()
            if response.status_code == 400:
                assert isinstance(data["error"], str)
        else:
            assert response.mimetype == "text/html"
            assert_inert(response.get_data(as_text=True))
            if name == "q":  # the query typed is on the page (the box, the match bar, an error), escaped
                assert str(markupsafe.escape(payload)) in response.get_data(as_text=True), url
    # The query box gives the text back as typed (an attribute value, escaped).
    if name == "q":
        soup = BeautifulSoup(client.get(f"/?q={quote(payload)}").get_data(as_text=True), "html.parser")
        assert soup.select_one("input#q")["value"] == payload


# ---------------------------------------------------------------------------------------------- article page


@pytest.mark.parametrize("doc_id", ["001_xss", "002_xss", "003_xss", JSONL_ID])
@pytest.mark.parametrize("q", ["", "开发区", "script", SCRIPT])
def test_article_pages_show_markup_as_text(client, doc_id, q):
    response = get(client, f"/doc/{doc_id}" + (f"?q={quote(q)}" if q else ""))
    soup = assert_inert(response.get_data(as_text=True))
    title = soup.select_one("h1#doc-title").get_text()
    assert any(p in title for p in PAYLOADS)
    assert any(p in soup.title.get_text() for p in PAYLOADS)
    body = " ".join(texts(soup, ".doc-body p"))
    assert any(p in body for p in PAYLOADS)
    for paragraph in soup.select(".doc-body p"):
        assert {tag.name for tag in paragraph.find_all(True)} <= {"mark"}
    related = texts(soup, ".related-list a")
    assert related and any(p in " ".join(related) for p in PAYLOADS)
    if q:
        assert q in soup.select_one(".match-bar").get_text()


def test_article_page_of_unknown_facet_values(client):
    soup = assert_inert(get(client, f"/doc/{JSONL_ID}").get_data(as_text=True))
    zones = soup.select(".doc-meta .badge-zone")
    assert [z.get_text() for z in zones] == [SCRIPT, SVG, "凌源"]
    # Only the zone the filters know links to its results.
    assert [z.name for z in zones] == ["span", "span", "a"]
    assert [i.get_text() for i in soup.select(".doc-meta .badge-industry")] == [IMG, LINK]
    assert all(i.name == "span" for i in soup.select(".doc-meta .badge-industry"))
    assert f"{SVG}日报" in soup.select_one(".doc-meta").get_text()


def test_a_markup_id_is_listed_escaped_and_its_page_is_not_found(client):
    soup = assert_inert(get(client, "/?q=标题里没有标记").get_data(as_text=True))
    link = soup.select_one(".hit-title a")["href"]
    assert link.startswith("/doc/") and "<" not in link and '"' not in link
    assert get(client, link, status=404).mimetype == "text/html"
    assert get(client, f"/api/doc/{quote(SVG)}", status=404).get_json()["error"]


# ---------------------------------------------------------------------------------------------- API


def test_api_returns_the_payloads_as_plain_strings(client):
    response = get(client, "/api/search?q=开发区&per_page=20")
    assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    hits = {h["id"]: h for h in data["hits"]}
    assert hits[JSONL_ID]["title"] == JSONL["title"]  # as given: not escaped, not unescaped
    assert hits["001_xss"]["title"] == TEXT_ARTICLES["001_xss"].splitlines()[0]
    assert hits[JSONL_ID]["zones"] == [SCRIPT, SVG, "凌源经济开发区"]
    assert hits[JSONL_ID]["industries"] == [IMG, LINK]
    facet_values = {v["value"] for values in data["facets"].values() for v in values}
    assert {SCRIPT, SVG, IMG, LINK} <= facet_values
    for hit in data["hits"]:
        # Snippets are HTML: everything escaped but the engine's <mark>s.
        snippet = hit["snippet"]
        assert not re.search(r"<(?!/?mark>)", snippet), snippet
        fragment = BeautifulSoup(snippet, "html.parser")
        assert {tag.name for tag in fragment.find_all(True)} <= {"mark"}
    snippets = " ".join(BeautifulSoup(h["snippet"], "html.parser").get_text() for h in data["hits"])
    assert SCRIPT in snippets  # the text, once the HTML is read


def test_api_doc_returns_paragraphs_as_plain_strings(client):
    data = get(client, "/api/doc/001_xss").get_json()
    assert data["title"].startswith(SCRIPT)
    assert any(SCRIPT in p and IMG in p for p in data["paragraphs"])


# ---------------------------------------------------------------------------------------------- ids and paths


@pytest.mark.parametrize(
    "doc_id",
    [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f",
        "%2e%2e%2fetc%2fpasswd",
        "..%5c",
        "..%5c..%5cwindows",
        "....%5C....%5Cwindows",
        "..",
        "%2e%2e",
        ".",
        "%00",
        "001_xss%00",
        "a%00b",
        "%0a",
        "x" * 201,
        "a" * 300,
        "x" * 5000,
        "%C0%AE%C0%AE%2F",
        "%FF",
        "~root",
        "$HOME",
        "001_xss%2f",
        "C:%5cwindows",
        "%252e%252e%252f",
        "unknown",
        "seeds",
        "catalog.toml",  # no such article; names of the index's neighbours
    ],
)
@pytest.mark.parametrize("prefix", ["/doc/", "/api/doc/"])
def test_path_like_and_odd_ids_are_404(client, prefix, doc_id):
    response = client.get(prefix + doc_id)
    assert response.status_code == 404, (prefix + doc_id, response.status_code)
    text = response.get_data(as_text=True)
    assert "root:" not in text and "Traceback" not in text
    if prefix == "/api/doc/":
        assert response.mimetype == "application/json" and response.get_json()["error"]
    else:
        assert_inert(text)


# ---------------------------------------------------------------------------------------------- oversized requests


@pytest.mark.parametrize("path", ["/", "/api/search", "/doc/001_xss", "/api/doc/001_xss"])
def test_a_100_kb_query_is_a_400_with_a_message(client, path):
    for q in ["凌" * 35_000, "a" * 100_000]:
        response = client.get(path, query_string={"q": q})
        assert response.status_code == 400, (path, response.status_code)
        if path.startswith("/api/"):
            assert "too long" in response.get_json()["error"]
        else:
            soup = assert_inert(response.get_data(as_text=True))
            assert "请求地址过长" in soup.h1.get_text() and "太长" in soup.select_one(".error-page").get_text()


@pytest.mark.parametrize("path", ["/", "/api/search", "/doc/001_xss", "/api/doc/001_xss"])
def test_many_repeated_parameters_are_a_clear_400(client, path):
    for query in ["zone=凌源&" * 500, "zone=&" * 500, "&".join(f"p{i}=1" for i in range(65)), "year=2020&" * 100]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query[:20], response.status_code)
        if path.startswith("/api/"):
            assert "Too many parameters" in response.get_json()["error"]
        else:
            assert "参数过多" in BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text()
    # Every filter a page can make is well within the limits.
    zones = "&".join(f"zone={z}" for z in ["柳城", "凌源", "北票", "建平", "喀左", "朝阳经开区", "朝阳高新区"])
    assert client.get(f"{path}?q={'凌' * 512}&{zones}&year=2019-2021&year=2023&sort=date").status_code in (200, 400)
    assert client.get(f"/?q=开发区&{zones}&year=2019-2021&year=2023&sort=date&page=1").status_code == 200


def test_a_query_string_that_is_not_utf8_is_a_400_with_a_message(client):
    for path in ["/", "/api/search", "/doc/001_xss"]:
        response = client.get(path, environ_overrides={"QUERY_STRING": b"q=\xff\xfe".decode("latin-1")})
        assert response.status_code == 400
        if path.startswith("/api/"):
            assert response.get_json() == {"error": "The query string is not valid UTF-8."}
        else:
            assert "UTF-8" in response.get_data(as_text=True)
    # Percent-encoded invalid UTF-8 is read leniently: a search for what it decodes to.
    assert client.get("/api/search?q=%FF%FE凌源").status_code == 200


# ---------------------------------------------------------------------------------------------- methods


def _routes(app) -> list[str]:
    """A URL for every route of the app."""
    urls = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:\w+:)?doc_id>", "001_xss", rule.rule)
        url = re.sub(r"<(?:\w+:)?filename>", "style.css", url)
        url = re.sub(r"<(?:\w+:)?name>", "凌源", url)
        assert "<" not in url, f"no example for {rule.rule}"
        urls.append(url)
    return urls


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "FOO"])
def test_methods_other_than_get_and_head_are_405_on_every_route(client, method):
    urls = _routes(client.application)
    assert {"/", "/doc/001_xss", "/api/search", "/api/doc/001_xss", "/static/style.css"} <= set(urls)
    for url in urls:
        response = client.open(url, method=method, data=b"x=1")
        assert response.status_code == 405, (method, url, response.status_code)
        assert response.headers["Allow"] == "GET, HEAD"
        if url.startswith("/api/"):
            assert response.get_json()["error"]
        else:
            assert "不支持的请求方式" in response.get_data(as_text=True)


def test_get_and_head_work_on_every_route(client):
    for url in _routes(client.application):
        url += "?q=开发区"
        with client.get(url) as got, client.head(url) as head:
            assert got.status_code == head.status_code == 200, url
            assert head.data == b""
    # An unknown path stays a 404 whatever the method.
    assert client.post("/no/such/page").status_code == 404


# ------------------------------------------------------------------------------- sources, exports, feeds, zones


def test_only_web_addresses_become_source_links(client):
    soup = assert_inert(get(client, "/?q=开发区").get_data(as_text=True))
    sources = {s.get_text(): s for s in soup.select(".hit-source")}
    for text in (SCRIPT_SOURCE, JSONL_MARKUP_URL["source"], f"{SVG}日报"):
        assert sources[text].name == "span", text  # shown as text
    assert not soup.select("a.hit-source")
    for doc_id in ("j-002", "j-003"):
        page = assert_inert(get(client, f"/doc/{doc_id}").get_data(as_text=True))
        assert page.select_one(".doc-source dd").a is None


NEW_ROUTES = ["/search.csv", "/search.jsonl", "/search.atom", "/opensearch.xml", "/zone/凌源"]


@pytest.mark.parametrize("name", ["q", "zone", "year", "industry", "site", "company", "sort", "page", "_bom"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_any_parameter_of_exports_feeds_and_zone_pages(client, name, payload):
    import csv
    import io

    import feedparser

    for path in NEW_ROUTES:
        params = {name: payload, **({"q": "开发区"} if name != "q" else {})}
        response = client.get(path, query_string=params)
        assert response.status_code in (200, 400), (path, name, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.status_code == 400 or response.mimetype == "text/html":
            assert response.mimetype == "text/html"
            assert_inert(response.get_data(as_text=True))
        elif path == "/search.csv":
            rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline="")))
            assert all(row["id"] for row in rows)
        elif path == "/search.jsonl":
            assert all(json.loads(line)["id"] for line in response.get_data(as_text=True).splitlines())
        else:
            assert response.mimetype in ("application/atom+xml", "application/opensearchdescription+xml")
            assert not feedparser.parse(response.data).bozo or path == "/opensearch.xml"
            from xml.etree import ElementTree

            root = ElementTree.fromstring(response.data)  # well-formed: every text escaped
            assert not any(el.tag.endswith(("script", "svg", "img")) for el in root.iter())


def test_feeds_and_exports_carry_the_payloads_as_text(client):
    import csv
    import io

    import feedparser

    feed = feedparser.parse(get(client, "/search.atom?q=开发区").data)
    assert not feed.bozo
    titles = {e.id.rsplit("/", 1)[1]: e.title_detail for e in feed.entries}
    assert titles[JSONL_ID].type == "text/plain"
    from xml.etree import ElementTree

    raw = {
        e.findtext("{http://www.w3.org/2005/Atom}id").rsplit("/", 1)[1]: e.findtext(
            "{http://www.w3.org/2005/Atom}title"
        )
        for e in ElementTree.fromstring(get(client, "/search.atom?q=开发区").data).iter(
            "{http://www.w3.org/2005/Atom}entry"
        )
    }
    assert raw[JSONL_ID] == JSONL["title"]  # the title as given, read back from escaped XML
    links = [link.href for e in feed.entries for link in e.links]
    assert not any(href.lower().startswith("javascript:") for href in links)
    assert SCRIPT_SOURCE not in links and JSONL_MARKUP_URL["source"] not in links
    rows = {
        r["id"]: r
        for r in csv.DictReader(io.StringIO(get(client, "/search.csv?q=开发区").get_data(as_text=True), newline=""))
    }
    assert rows[JSONL_ID]["title"] == JSONL["title"] and rows["j-002"]["source"] == SCRIPT_SOURCE


@pytest.mark.parametrize("name", [SCRIPT, IMG, LINK, SVG, "../../etc/passwd", "%00", "凌源%0a", "x" * 5000])
def test_a_zone_page_for_any_name_is_inert(client, name):
    response = client.get("/zone/" + quote(name, safe="%"))
    assert response.status_code in (404, 400) or name == "凌源%0a", (name, response.status_code)  # 凌源 and a newline
    soup = assert_inert(response.get_data(as_text=True))
    assert "root:" not in soup.get_text()


def test_the_zone_page_of_an_index_with_markup_shows_it_as_text(client):
    soup = assert_inert(get(client, "/zone/凌源").get_data(as_text=True))
    latest = " ".join(texts(soup, ".zone-latest .hit-title"))
    assert SCRIPT in latest
    # The industries the JSONL article brought with it are counted, as text, without a link to filter by them.
    items = {li.span.get_text(): li for li in soup.select("#industries-heading + ul li") if li.span and not li.a}
    assert {IMG, LINK} <= set(items)
