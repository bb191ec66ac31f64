"""End to end: a real `search serve` (waitress) driven by Debian's headless Chromium through Playwright.

Never downloads a browser: skipped when /usr/bin/chromium is missing. With SCREENSHOTS=1 it also saves
the screenshots in docs/ (phone and desktop widths of the search, article and zone pages).
"""

from __future__ import annotations

import os
import pathlib
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, quote, urlsplit

import pytest

import fixtures
import news

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = pathlib.Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(served) -> str:
    """The base URL of `search serve`."""
    return served[0]


@pytest.fixture(scope="module")
def served(seed_index_dir, tmp_path_factory):
    """`search serve` on a free port over the seeds, as a user starts it; yields its base URL and the file its
    stdout and stderr go to."""
    yield from _serve(seed_index_dir, tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def news_server(news_index_dir, tmp_path_factory):
    """`search serve` over real-looking news with long URLs and long Latin words (tests/news.py)."""
    for base, _ in _serve(news_index_dir, tmp_path_factory.mktemp("serve-news")):
        yield base


def _serve(index_dir, workdir: pathlib.Path):
    """`search serve` over `index_dir` until the generator is closed (`fixtures.serve`: ready when it answers,
    always stopped and reaped); yields (base URL, log path)."""
    with fixtures.serve(index_dir, workdir) as server:
        yield server.url, server.log_path


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); never downloading a browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(viewport=DESKTOP, javascript=True):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
                           return r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0; }""",
        selector,
    )


def test_search_filter_read_and_come_back(server, new_page):
    page = new_page()
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#results-heading").inner_text() == "全部文章"

    # Type a query and submit it.
    page.locator("#q").fill("凌钢")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/?q=*")
    assert params(page.url) == {"q": ["凌钢"]}
    assert page.locator(".stats-line").inner_text().startswith("2 条结果")
    assert page.locator(".hit").count() == 2
    assert page.locator(".snippet mark", has_text="凌钢").first.is_visible()

    # Tick a zone in the sidebar.
    page.locator('#filters a.facet-value[data-value="喀左经济开发区"]').click()
    page.wait_for_url("**zone=*")
    assert params(page.url) == {"q": ["凌钢"], "zone": ["喀左"]}
    assert page.locator(".stats-line").inner_text().startswith("1 条结果")
    assert page.locator('#filters a.facet-value.is-selected[data-value="喀左经济开发区"]').is_visible()
    assert page.locator("a.chip", has_text="喀左").is_visible()
    assert page.locator("figure.chart svg[role=img]").is_visible()

    # Open the article: the match is marked and brought into view.
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/doc/003_201a132a17332222?*")
    first = page.locator("mark#first-match")
    first.wait_for(state="visible")
    assert first.inner_text() == "凌钢"
    page.wait_for_function("() => window.scrollY > 0")  # it is far down the article
    assert in_viewport(page, "mark#first-match")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('mark#first-match')).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )

    # Back to the results, with the query and the filter kept.
    page.locator("a.back-link").click()
    page.wait_for_url("**/?*")
    assert params(page.url) == {"q": ["凌钢"], "zone": ["喀左"]}
    assert page.locator("#q").input_value() == "凌钢"
    assert page.locator("a.chip", has_text="喀左").is_visible()
    assert page.locator(".stats-line").inner_text().startswith("1 条结果")

    # Remove the filter with one click on its chip.
    page.locator("a.chip", has_text="喀左").click()
    page.wait_for_url("**/?q=*")
    assert params(page.url) == {"q": ["凌钢"]}
    assert page.locator(".hit").count() == 2


def test_stepping_through_the_matches(server, new_page):
    page = new_page(viewport=PHONE)
    page.goto(server + "/doc/001_f7b6dd57e2bee65a?q=%E5%87%8C%E9%92%A2")  # 凌钢
    total = int(page.locator(".match-bar").get_attribute("data-matches"))
    assert total >= 2
    assert page.locator(".match-pos").inner_text() == f"第 1 / {total} 处"
    page.locator(".match-nav button", has_text="下一处").click()
    assert page.locator(".match-pos").inner_text() == f"第 2 / {total} 处"
    page.wait_for_function(
        "() => { const r = document.querySelector('mark.is-current').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    page.locator(".match-nav button", has_text="上一处").click()
    page.locator(".match-nav button", has_text="上一处").click()
    assert page.locator(".match-pos").inner_text() == f"第 {total} / {total} 处"  # wraps around


def test_a_chart_bar_filters_by_year(server, new_page):
    page = new_page()
    page.goto(server + "/?q=%E5%BC%80%E5%8F%91%E5%8C%BA")
    page.locator('figure.chart svg a[aria-label^="只看 2020 年"]').click()
    page.wait_for_url("**year=2020*")
    assert params(page.url) == {"q": ["开发区"], "year": ["2020"]}
    assert page.locator(".stats-line").inner_text().startswith("2 条结果")


def test_everything_works_without_javascript(server, new_page):
    page = new_page(javascript=False)
    page.goto(server + "/")
    page.locator("#q").fill("区位优势")
    page.locator("button.search-button").click()
    page.wait_for_url("**/?q=*")
    assert page.locator(".stats-line").is_visible()
    page.locator('.hit-title a[href^="/doc/002_08bfd12c8fa669a1"]').click()
    page.wait_for_url("**/doc/002_08bfd12c8fa669a1?*")
    assert page.locator("mark#first-match").inner_text() == "區位優勢"  # simplified finds traditional
    page.locator("a.match-jump").click()
    assert page.url.endswith("#first-match")
    assert in_viewport(page, "mark#first-match")


def test_phone_layout_has_no_sideways_scrolling(server, new_page):
    page = new_page(viewport=PHONE)
    for path in ["/?q=%E5%BC%80%E5%8F%91%E5%8C%BA", "/doc/003_201a132a17332222?q=%E5%87%8C%E9%92%A2", "/"]:
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    # The filters come after the results, reachable from the toolbar.
    page.goto(server + "/?q=%E5%BC%80%E5%8F%91%E5%8C%BA")
    results = page.locator(".results").bounding_box()
    facets = page.locator("#filters").bounding_box()
    assert facets["y"] > results["y"]
    assert page.locator("a.jump-filters").is_visible()


NEWS_PAGES = {
    "search": "/?q=" + quote("开发区"),
    "search, sources chosen": "/?q=" + quote("开发区") + "&site=example-news.com.cn&site=" + quote("朝阳日报"),
    "search, a long Latin word": "/?q=" + news.LONG_WORD,
    "landing": "/",
    "article with a long URL": "/doc/news-ev?q=" + quote("新能源汽车"),
    "article with a long URL, no query": "/doc/news-month",
    "zone": "/zone/" + quote("凌源"),
    "zone without articles": "/zone/" + quote("朝阳高新区"),
    "unknown zone": "/zone/" + quote("火星"),
    "unknown article": "/doc/" + "x" * 180,
    "bad query": "/?q=" + quote('"' + news.LONG_WORD),
    "bad parameter": "/?page=" + "9" * 40,
}


@pytest.mark.parametrize("name", NEWS_PAGES)
def test_no_sideways_scrolling_at_390px_over_news_with_long_urls(news_server, new_page, name):
    """Search, article, zone and error pages over articles with long source URLs and long Latin words: the
    page is never wider than a phone's screen, nor is anything in it."""
    page = new_page(viewport=PHONE)
    page.goto(news_server + NEWS_PAGES[name])
    widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right))})""")
    assert widths["page"] <= PHONE["width"], (name, widths)
    assert widths["widest"] <= PHONE["width"], (name, widths)


def test_jump_to_the_first_match_goes_to_what_was_typed(news_server, new_page):
    page = new_page(viewport=PHONE)
    page.goto(news_server + "/doc/news-ev?q=" + quote("新能源汽车"))
    assert page.locator(".match-count").inner_text() == "“新能源汽车”出现 3 处 · 另有 2 处部分匹配"
    assert page.locator(".match-pos").inner_text() == "第 1 / 3 处"  # stepping goes through the exact ones
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("a.match-jump").click()
    page.wait_for_function(
        "() => { const r = document.querySelector('mark.is-current').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert page.locator("mark.is-current").inner_text() == "新能源汽车"
    assert page.locator("mark.is-current").get_attribute("id") == "first-match"
    page.locator(".match-nav button", has_text="下一处").click()
    assert page.locator("mark.is-current").inner_text() == "新能源汽车"
    assert page.locator(".match-pos").inner_text() == "第 2 / 3 处"


def test_keyboard_focus_is_visible(server, new_page):
    page = new_page()
    page.goto(server + "/?q=%E5%BC%80%E5%8F%91%E5%8C%BA")
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    box_shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or box_shadow != "none"


@pytest.fixture(scope="module")
def shots_server(seed_index_dir, tmp_path_factory):
    """The server the screenshots are taken on: SCREENSHOT_INDEX_DIR (an index of real news built by hand,
    as below), else the seeds."""
    index_dir = os.environ.get("SCREENSHOT_INDEX_DIR") or seed_index_dir
    for base, _ in _serve(index_dir, tmp_path_factory.mktemp("serve-shots")):
        yield base


# The pages shot. docs/ holds them over the seeds and the news corpus's first 2,000 articles:
#   xz -dc news_zh.jsonl.xz | head -2000 > /tmp/news2000.jsonl
#   search --index-dir /tmp/shots index seeds /tmp/news2000.jsonl
#   SCREENSHOTS=1 SCREENSHOT_INDEX_DIR=/tmp/shots pytest tests/test_browser.py -k screenshot
SHOTS = {
    "search": os.environ.get("SCREENSHOT_SEARCH", "/?q=" + quote("开发区")),
    "article": os.environ.get("SCREENSHOT_ARTICLE", "/doc/003_201a132a17332222?q=" + quote("开发区")),
    "zone": os.environ.get("SCREENSHOT_ZONE", "/zone/" + quote("凌源")),
}


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to refresh docs/*.png")
def test_screenshots(shots_server, new_page):
    """docs/{search,article,zone}-{desktop,phone}.png."""
    DOCS.mkdir(exist_ok=True)
    import concurrent.futures

    def warm(_):
        with urllib.request.urlopen(shots_server + SHOTS["search"], timeout=30) as response:
            response.read()

    # Many at once, so that every server thread has opened its searcher: the timings shown are warm ones.
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(warm, range(64)))
    for name, path in SHOTS.items():
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = new_page(viewport=viewport)
            page.goto(shots_server + path)
            page.evaluate("document.fonts.ready")
            page.wait_for_timeout(200)
            target = DOCS / f"{name}-{size}.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 10_000


# ---------------------------------------------------------------------------------------------- the server


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serve_logs_one_line_per_request_on_stderr(served):
    base, log_path = served
    probe = f"log-probe-{os.getpid()}"
    assert _get(f"{base}/doc/{probe}")[0] == 404
    request = urllib.request.Request(f"{base}/api/doc/{probe}", method="DELETE")
    assert _get_request(request) == 405
    deadline = time.monotonic() + 10
    while True:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        mine = [line for line in lines if probe in line]
        if len(mine) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(mine) == 2, "\n".join(lines[-20:])  # once each: not again through waitress's root handler
    assert " INFO web.access: method=GET path=/doc/" + probe + " status=404 ms=" in mine[0]
    assert " INFO web.access: method=DELETE path=/api/doc/" + probe + " status=405 ms=" in mine[1]
    assert "Traceback" not in "\n".join(lines)


def _get_request(request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_fifty_concurrent_clients_are_all_answered(served):
    """The routes and parameters benchmarks/load.py uses, from 50 clients at once: every answer a 200, and
    the same as a lone request's."""
    import concurrent.futures
    import json
    import re
    from urllib.parse import quote

    base, log_path = served
    paths = [
        "/?q=" + quote("开发区"),
        "/?" + "q=" + quote("凌钢") + "&zone=" + quote("凌源"),
        "/?q=" + quote("开发区") + "&zone=" + quote("喀左") + "&page=1",
        "/doc/003_201a132a17332222?q=" + quote("凌钢"),
        "/api/search?q=" + quote("开发区") + "&per_page=20",
        "/api/search?q=" + quote("营商环境") + "&year=2020",
        "/api/doc/001_f7b6dd57e2bee65a",
    ]

    def normal(path: str, body: bytes) -> str:
        text = body.decode("utf-8")
        if path.startswith("/api/"):
            return json.dumps(json.loads(text), sort_keys=True)
        return re.sub(r"用时 \d+ 毫秒", "", text)

    expected = {}
    for path in paths:
        status, body = _get(base + path)
        assert status == 200, path
        expected[path] = normal(path, body)

    def client(seed: int) -> list[tuple[str, int, str]]:
        out = []
        for i in range(len(paths)):
            path = paths[(seed + i) % len(paths)]
            status, body = _get(base + path)
            out.append((path, status, normal(path, body) if status == 200 else ""))
        return out

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        answers = [a for batch in pool.map(client, range(50)) for a in batch]
    elapsed = time.monotonic() - started
    assert len(answers) == 50 * len(paths)
    assert all(status == 200 for _, status, _ in answers), sorted({s for _, s, _ in answers})
    for path, _, body in answers:
        assert body == expected[path], path
    assert elapsed < 60
    assert "Task queue depth" not in log_path.read_text(encoding="utf-8", errors="replace")
