"""End to end: a real `search serve` (waitress) driven by Debian's headless Chromium through Playwright.

Never downloads a browser: skipped when /usr/bin/chromium is missing. With SCREENSHOTS=1 it also saves
the screenshots in docs/ (phone and desktop widths of the search page and an article page).
"""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer import index

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DOCS = REPO / "docs"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser_index_dir(tmp_path_factory) -> pathlib.Path:
    """The five seed articles, indexed once for this file."""
    path = tmp_path_factory.mktemp("browser-index")
    report = index.update(path, [SEEDS])
    assert len(report.added) == 5, report.summary()
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(browser_index_dir, tmp_path_factory):
    """`search serve` on a free port, as a user starts it; yields its base URL."""
    search = pathlib.Path(sys.executable).with_name("search")
    if not search.exists():
        pytest.fail(f"The `search` console script is not installed next to {sys.executable}")
    workdir = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = dict(os.environ)
    # The repository's own `web` package, even under an editable install made before web/ existed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    log_path = workdir / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(search), "--index-dir", str(browser_index_dir), "serve", "--port", str(port)],
                                   cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"search serve exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/?q=开发区".replace("开发区", "%E5%BC%80%E5%8F%91%E5%8C%BA"),
                                            timeout=5) as response:
                    if response.status == 200:
                        break  # and jieba is loaded: later timings are warm
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"search serve did not answer in 30 s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
                           return r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0; }""", selector)


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
    assert page.evaluate("getComputedStyle(document.querySelector('mark#first-match')).backgroundColor") \
        != "rgba(0, 0, 0, 0)"

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
    page.wait_for_function("() => { const r = document.querySelector('mark.is-current').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= innerHeight; }")
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


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to refresh docs/*.png")
def test_screenshots(server, new_page):
    """docs/search-{desktop,phone}.png and docs/article-{desktop,phone}.png."""
    DOCS.mkdir(exist_ok=True)
    for _ in range(16):  # every server thread has opened its searcher: the timings shown are warm ones
        with urllib.request.urlopen(server + "/?q=%E5%BC%80%E5%8F%91%E5%8C%BA", timeout=10) as response:
            response.read()
    shots = {
        "search": "/?q=%E5%BC%80%E5%8F%91%E5%8C%BA",  # 开发区
        "article": "/doc/003_201a132a17332222?q=%E5%BC%80%E5%8F%91%E5%8C%BA",
    }
    for name, path in shots.items():
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = new_page(viewport=viewport)
            page.goto(server + path)
            page.evaluate("document.fonts.ready")
            page.wait_for_timeout(200)
            target = DOCS / f"{name}-{size}.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 10_000
