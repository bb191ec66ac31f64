"""The search box's suggestions in Chromium (web/static/suggest.js): a real `search serve`, typed into as a
user types. Uses test_browser's server and browser fixtures; skipped without /usr/bin/chromium."""

from __future__ import annotations

import pytest

import test_browser
from test_browser import params

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# test_browser's fixtures: a `search serve` of the seeds, Chromium, pages.
served, server = test_browser.served, test_browser.server
browser, new_page = test_browser.browser, test_browser.new_page


def open_list(page, typed: str) -> None:
    box = page.locator("#q")
    box.click()
    box.press_sequentially(typed, delay=30)
    page.locator("#q-suggestions [role=option]").first.wait_for(state="visible")


def test_type_pinyin_pick_with_the_keyboard(server, new_page):
    page = new_page()
    page.goto(server + "/")
    box = page.locator("#q")
    listbox = page.locator("#q-suggestions")
    # Screen-reader roles: a combobox controlling a listbox, collapsed until there are options.
    assert (box.get_attribute("role"), box.get_attribute("aria-expanded")) == ("combobox", "false")
    assert box.get_attribute("aria-controls") == "q-suggestions" and listbox.get_attribute("role") == "listbox"
    assert listbox.is_hidden()

    open_list(page, "ling")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option]")
    assert options.count() >= 3
    assert options.first.locator(".suggestion-text").inner_text() == "凌源经济开发区"
    assert box.get_attribute("aria-activedescendant") is None  # focus stays in the box, nothing chosen yet

    # Arrow down: the first option is active (aria-activedescendant, aria-selected); again: the second.
    box.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    assert box.get_attribute("aria-activedescendant") == first_id
    assert options.nth(0).get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "false"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first_id
    assert page.evaluate("document.activeElement.id") == "q"

    # Enter searches the active option.
    box.press("Enter")
    page.wait_for_url("**/?q=*")
    assert params(page.url) == {"q": ["凌源经济开发区"]}
    assert page.locator(".stats-line").inner_text().split()[0] != "0"


def test_escape_closes_and_the_mouse_picks(server, new_page):
    page = new_page()
    page.goto(server + "/")
    box = page.locator("#q")
    open_list(page, "凌")
    box.press("ArrowDown")
    box.press("Escape")
    assert page.locator("#q-suggestions").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "凌"  # Escape closes the list, leaves the text

    box.press("ArrowDown")  # opens it again
    assert box.get_attribute("aria-expanded") == "true"
    option = page.locator("#q-suggestions [role=option]", has_text="凌钢").first
    value = option.locator(".suggestion-text").inner_text()
    option.click()
    page.wait_for_url("**/?q=*")
    assert params(page.url) == {"q": [value]}


def test_typed_pinyin_and_typos_are_explained(server, new_page):
    page = new_page()
    page.goto(server + "/?q=lingyuan")
    note = page.locator("p.typing-note")
    assert " ".join(note.inner_text().split()) == "按拼音搜索：凌源 · 仍然搜索 lingyuan"
    note.locator("a").click()
    page.wait_for_url("**/?q=*")
    assert params(page.url) == {"q": ['"lingyuan"']}
    assert page.locator("p.typing-note").count() == 0


def test_without_javascript_the_box_is_a_plain_search_box(server, new_page):
    page = new_page(javascript=False)
    page.goto(server + "/")
    page.locator("#q").fill("lingyuan")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/?q=*")
    assert page.locator("#q-suggestions").is_hidden()
    assert page.locator(".stats-line").inner_text().split()[0] != "0"
