"""One catalog for the page's messages: every message id in the code has a Chinese translation with the same
fields, the catalog has no stale ids, and every message a bad query gets is shown in Chinese on the page
while the API keeps the English."""

from __future__ import annotations

import re
import string

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

from indexer import query
from indexer.errors import SearchError
from web import i18n

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalog():
    return i18n.read_catalog()


@pytest.fixture(scope="module")
def code_ids() -> set[str]:
    return {m.id for m in i18n.extracted() if m.id}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_in_the_code_is_translated(catalog, code_ids):
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(code_ids - translated)
    assert not missing, f"untranslated (run `python -m web.i18n`, then translate): {missing}"


def test_the_catalog_has_no_stale_ids(catalog, code_ids):
    stale = sorted({m.id for m in catalog if m.id} - code_ids)
    assert not stale, f"no longer in the code (run `python -m web.i18n`): {stale}"
    assert not catalog.obsolete


def test_translations_keep_the_fields_of_their_ids(catalog):
    for m in catalog:
        if m.id:
            assert fields(m.string) == fields(m.id), m.id
            assert HAN.search(m.string), m.id  # Chinese, not a copy of the English


def test_the_extractor_finds_every_message_the_engine_raises(code_ids):
    """Messages are literal templates (an f-string cannot be a catalog id): those of the engine's query
    language, search and index are all found."""
    for template in [
        "Unbalanced quotes: close the phrase with a second quote mark.",
        "Page must be between 1 and {last}.",
        "No index in {index_dir}: run `search index` first.",
        "Unknown zone “{value}”. Zones: {known}.",
    ]:
        assert template in code_ids


def test_the_catalog_is_compiled_in_memory_and_fills_the_fields():
    error = SearchError("Too many words (at most {limit}).", limit=24)
    assert str(error) == "Too many words (at most 24)."
    assert i18n.message(error) == "词语太多（最多 24 个）。"
    # A facet's name is shown as its label.
    assert (
        i18n.message(SearchError("No article has {facet} “{value}”.", facet="site", value="x"))
        == "没有文章的来源是“x”。"
    )


QUERY_PARTS = st.sampled_from(
    [
        '"',
        "“",
        "」",
        "OR",
        "or",
        "|",
        "AND",
        "+",
        "-",
        "NOT",
        "zone:",
        "year:",
        "industry:",
        "-zone:凌源",
        "year:20x0",
        "year:2030-2020",
        "zone:火星",
        "凌钢",
        "开发区",
        "intitle:",
        "\x07",
        "！",
        " ",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(QUERY_PARTS, min_size=1, max_size=8))
def test_every_query_error_is_chinese_on_the_page_and_english_in_the_api(client, parts):
    q = " ".join(parts)
    try:
        query.parse(q)
        return
    except SearchError as raised:
        error = raised
    expected = i18n.message(error)
    response = client.get("/", query_string={"q": q})
    if response.status_code == 200:  # a filter the engine accepts (its values are checked later)
        return
    assert response.status_code == 400
    shown = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".alert-message").get_text()
    assert shown == expected and HAN.search(shown)
    assert i18n.translations().gettext(error.template) != error.template  # from the catalog
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 400 and api.get_json()["error"] == str(error)
