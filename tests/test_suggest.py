"""Suggestions as you type (indexer/suggest.py, /api/suggest) and what the page and the command line say
about pinyin read and typos corrected (web/suggest.py, web/templates/_typing.html, the CLI's stderr)."""

from __future__ import annotations

import functools
import json

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

from indexer import analysis, lexicon, pinyin
from indexer.cli import cli
from indexer.errors import SearchError
from indexer.suggest import KINDS, LIMIT, suggest

PROPERTY = settings(max_examples=100, deadline=None)


def texts(found) -> list[str]:
    return [s.text for s in found]


@pytest.mark.parametrize(
    "typed, first",
    [
        ("凌", "凌源经济开发区"),
        ("喀左经", "喀左经济开发区"),
        ("ling", "凌源经济开发区"),
        ("kaz", "喀左经济开发区"),
        ("lyjj", "凌源经济开发区"),
        ("ling yuan", "凌源经济开发区"),
        ("凌源 经", "凌源经济开发区"),
        ("淩", "凌源经济开发区"),
        ("bp", "北票经济开发区"),
        ("海绵", "海绵铝"),
    ],
)
def test_completions_of_characters_pinyin_and_initials(seed_index, typed, first):
    found = suggest(seed_index, typed)
    assert found[0].text == first
    assert 1 <= len(found) <= LIMIT and len(set(texts(found))) == len(found)


def test_names_come_first_then_words_by_frequency(seed_index):
    found = suggest(seed_index, "ling")
    kinds = [s.kind for s in found]
    assert kinds[:3] == ["zone", "zone", "place"] and "word" in kinds
    assert {"凌钢", "领导"} <= set(texts(found))
    assert [KINDS.index(k) for k in kinds] == sorted(KINDS.index(k) for k in kinds)


def test_bad_prefixes_are_sentences(seed_index):
    for bad in ("", "   ", "a" * 65, "凌\x00"):
        with pytest.raises(SearchError):
            suggest(seed_index, bad)
    assert suggest(seed_index, "zzzzqqq") == []


@functools.cache
def _entries(seed_index) -> list[str]:
    lx = lexicon.for_searcher(seed_index)
    return sorted({lx.text(i) for i in range(len(lx)) if lx.kinds[i] < lexicon.HEADLINE and len(lx.text(i)) >= 2})


@PROPERTY
@given(data=st.data())
def test_every_suggestion_completes_what_was_typed(seed_index, data):
    """Typed: the start of a word or name in characters, in pinyin or as initials; every suggestion starts
    with those characters, or reads (one of its readings) starting with that pinyin or those initials."""
    word = data.draw(st.sampled_from(_entries(seed_index)))
    syllables = pinyin.readings(word)[0]
    form = data.draw(st.sampled_from(["chars", "pinyin", "initials"]))
    n = data.draw(st.integers(1, len(word)))
    typed = {"chars": word[:n], "pinyin": "".join(syllables)[: n + 1], "initials": pinyin.initials(syllables)[: n + 1]}[
        form
    ]
    found = suggest(seed_index, typed)
    assert len(found) <= LIMIT and len(set(texts(found))) == len(found)
    for s in found:
        if form == "chars":
            assert s.kind == "headline" or analysis.fold(s.text).startswith(analysis.fold(typed))
        else:
            keys = ["".join(r) for r in pinyin.readings(s.text)] + [pinyin.initials(r) for r in pinyin.readings(s.text)]
            # ü may be typed u: lu is lu or lü (履)
            assert any(k.replace("v", "u").startswith(typed.replace("v", "u")) for k in keys) or s.kind == "headline"


# ---------------------------------------------------------------------------------------------- the API


def test_api_json_and_opensearch(client):
    response = client.get("/api/suggest?q=ling")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["query"] == "ling"
    assert data["suggestions"][0] == {"text": "凌源经济开发区", "kind": "zone"}
    assert all(set(s) == {"text", "kind"} for s in data["suggestions"])
    response = client.get("/api/suggest?q=ling&format=opensearch")
    assert response.status_code == 200 and response.mimetype == "application/x-suggestions+json"
    query, completions, descriptions, urls = json.loads(response.get_data(as_text=True))
    assert query == "ling" and completions == [s["text"] for s in data["suggestions"]]
    assert descriptions[0] == "开发区" and len(urls) == len(completions)
    assert urls[0] == "http://localhost/?q=%E5%87%8C%E6%BA%90%E7%BB%8F%E6%B5%8E%E5%BC%80%E5%8F%91%E5%8C%BA"
    assert response.headers["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/suggest", "Give the beginning of a query to complete, e.g. q=凌 or q=ling."),
        ("/api/suggest?q=%20", "Give the beginning of a query to complete, e.g. q=凌 or q=ling."),
        ("/api/suggest?q=" + "a" * 65, "The text to complete is too long (65 characters; at most 64)."),
        ("/api/suggest?q=ling&format=xml", "Format must be one of: json, opensearch."),
        ("/api/suggest?q=%01", "The text to complete contains control characters."),
    ],
)
def test_api_bad_input_is_a_400_with_a_sentence(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and response.get_json() == {"error": message}


def test_api_only_reads(client):
    assert client.post("/api/suggest?q=ling").status_code == 405
    assert client.head("/api/suggest?q=ling").status_code == 200


# ---------------------------------------------------------------------------------------------- the page


def note(client, url: str) -> BeautifulSoup | None:
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    return soup.select_one("p.typing-note")


def test_the_page_says_it_searched_pinyin_and_links_to_the_letters(client):
    p = note(client, "/?q=lingyuan")
    assert " ".join(p.get_text().split()) == "按拼音搜索：凌源 · 仍然搜索 lingyuan"
    assert p.a["href"] == "/?q=%22lingyuan%22"
    assert note(client, p.a["href"]) is None  # the letters, as typed


def test_the_page_says_it_searched_the_correction_and_links_to_the_typo(client):
    p = note(client, "/?q=凌原&zone=凌源")
    assert " ".join(p.get_text().split()) == "已显示“凌源”的结果。仍然搜索：凌原"
    assert p.a["href"] == "/?q=%22%E5%87%8C%E5%8E%9F%22&zone=%E5%87%8C%E6%BA%90"  # the filters kept
    assert note(client, p.a["href"]) is None


def test_the_search_box_is_a_combobox(client):
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    box = soup.select_one("input#q")
    assert (box["role"], box["aria-autocomplete"], box["aria-expanded"], box["aria-controls"]) == (
        "combobox",
        "list",
        "false",
        "q-suggestions",
    )
    listbox = soup.select_one("#q-suggestions")
    assert listbox["role"] == "listbox" and listbox.has_attr("hidden") and box["data-suggest"] == "/api/suggest"
    assert soup.select_one('script[src$="suggest.js"]') is not None


# ---------------------------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize(
    "typed, line",
    [
        ("lingyuan", "Searched by pinyin: 凌源 for lingyuan. To search for lingyuan itself: search '\"lingyuan\"'"),
        ("凌原", "Showing results for 凌源: nothing was found for 凌原. To search for it anyway: search '\"凌原\"'"),
        ("凌刚", "Showing results for 凌钢: nothing was found for 凌刚. To search for it anyway: search '\"凌刚\"'"),
        (
            "海棉铝",
            "Showing results for 海绵铝: nothing was found for 海棉铝. To search for it anyway: search '\"海棉铝\"'",
        ),
    ],
)
def test_the_command_line_says_so_on_stderr(runner, seed_index_dir, typed, line):
    result = runner.invoke(cli, ["--index-dir", str(seed_index_dir), typed])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == line
    assert "1–" in result.stdout
    data = json.loads(runner.invoke(cli, ["--index-dir", str(seed_index_dir), typed, "--json"]).stdout)
    assert data.get("pinyin") or (data["suggestion"], data["searched_instead"]) == (line.split()[3][:-1], typed)
