"""Fuzzing the query parser, the search core and the CLI with arbitrary text: results or a clear message,
never a traceback or a hang."""

import json
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from indexer.cli import cli
from indexer.errors import SearchError
from indexer.export import results_json
from indexer.query import Filters, parse
from indexer.search import search

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=300)  # surrogates and controls too
SOUP = st.lists(
    st.sampled_from(
        [
            '"',
            "“",
            "”",
            "OR",
            "or",
            "-",
            "--",
            "zone:",
            "year:",
            "industry:",
            "凌源",
            "开发区",
            "智慧園區",
            " ",
            "\u3000",
            "(",
            ")",
            "*",
            ":",
            "\\",
            "\x00",
            "\n",
            "2019-2021",
            "新材料",
            "<script>",
            "&",
            "ＡＢＣ",
            "\ud800",
            "🙂",
            "钢" * 50,
        ]
    ),
    max_size=40,
).map("".join)
QUERIES = st.one_of(ANY_TEXT, SOUP, st.text(min_size=250, max_size=3000))
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@FUZZ
@given(QUERIES)
def test_parser_returns_a_query_or_a_clear_message(text):
    try:
        parse(text)
    except SearchError as exc:
        assert str(exc).endswith((".", "。")) and len(str(exc)) < 300


@FUZZ
@given(
    QUERIES,
    st.lists(ANY_TEXT, max_size=2),
    st.lists(ANY_TEXT, max_size=2),
    st.lists(ANY_TEXT, max_size=2),
    st.integers(-5, 2000),
    st.sampled_from(["relevance", "date", "random"]),
)
def test_search_core_never_fails_otherwise(seed_index, text, zones, years, industries, page, sort):
    try:
        filters = Filters()
        for field, values in (("zone", zones), ("year", years), ("industry", industries)):
            for value in values:
                filters.add(field, value)
        results = search(seed_index, text, filters, page=page, sort=sort)
    except SearchError as exc:
        assert str(exc)
    else:
        assert results.total >= len(results.hits)
        json.dumps(results_json(results), ensure_ascii=False)


@FUZZ
@given(
    st.lists(
        st.one_of(
            QUERIES,
            st.sampled_from(
                ["-z", "--zone", "-y", "-i", "-n", "-p", "--sort", "--json", "--page", "0", "-1", "99999", "凌源"]
            ),
        ),
        max_size=6,
    )
)
def test_cli_exits_with_a_meaning_and_no_traceback(runner, seed_index_dir, args):
    result = runner.invoke(cli, ["--index-dir", str(seed_index_dir), "query", *args])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------- the web

_WEB_APPS: dict = {}
WEB_SECONDS = 10  # a request taking longer is a hang (they take milliseconds)


def _web_client(index_dir):
    """A test client of one app per index for the whole module (an app compiles its templates and opens its
    index once: a new one per example would measure that)."""
    if index_dir not in _WEB_APPS:
        _WEB_APPS[index_dir] = _make_web_app(index_dir)
    return _WEB_APPS[index_dir].test_client()


def _make_web_app(index_dir):
    import importlib
    import pathlib
    import sys

    repo = str(pathlib.Path(__file__).resolve().parent.parent)
    module = sys.modules.get("web")
    if module is not None and getattr(module, "__file__", None) is None:
        del sys.modules["web"]  # a namespace package, left by an old editable install
    if repo not in sys.path:
        sys.path.insert(0, repo)
    return importlib.import_module("web").create_app({"INDEX_DIR": str(index_dir)})


def _percent(data: bytes) -> bytes:
    return "".join(f"%{b:02X}" for b in data).encode("ascii")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# Query strings as the bytes a client sends (the WSGI server hands them on as latin-1 text). A parameter
# value is percent-encoded UTF-8 of any text (controls and lone surrogates too), any bytes percent-encoded
# (invalid UTF-8), raw bytes as a careless client sends them, or a plausible value.
_RAW_BYTES = st.binary(max_size=40).map(lambda b: b.replace(b"&", b"").replace(b"#", b""))
URL_VALUES = st.one_of(
    QUERIES.map(lambda t: _percent(_utf8(t))),
    SOUP.map(lambda t: _utf8(t).replace(b"&", b"%26").replace(b"#", b"%23")),
    st.binary(max_size=40).map(_percent),
    _RAW_BYTES,
    st.sampled_from(
        [
            "",
            "凌源",
            "柳城经济开发区",
            "2020",
            "2019-2021",
            "2021-2019",
            "1800",
            "新材料",
            "装备制造",
            "relevance",
            "date",
            "0",
            "-1",
            "1",
            "3",
            "100",
            "101",
            "1000",
            "1001",
            "99999999999",
            "1e3",
            "１",
            "٣",
            " 2 ",
            "%",
            "%zz",
            "%00",
            "%E5%87",
            "<script>alert(1)</script>",
            "true",
            "[]",
        ]
    ).map(_utf8),
)
PARAM_NAMES = st.sampled_from(
    ["q", "q", "zone", "year", "industry", "page", "sort", "per_page", "zone[]", "", "x", "%71", "Q", "q%00", "凌"]
).map(_utf8)
RAW_QUERY_STRINGS = st.one_of(
    st.lists(st.tuples(PARAM_NAMES, URL_VALUES), max_size=8).map(
        lambda pairs: b"&".join(k + b"=" + v for k, v in pairs)
    ),
    _RAW_BYTES,
).map(lambda raw: raw.decode("latin-1"))


@FUZZ
@given(RAW_QUERY_STRINGS)
def test_api_search_answers_200_or_a_400_message(seed_index_dir, query_string):
    client = _web_client(seed_index_dir)
    started = time.monotonic()
    response = client.get("/api/search", environ_overrides={"QUERY_STRING": query_string})
    assert time.monotonic() - started < WEB_SECONDS
    assert response.status_code in (200, 400), (query_string, response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    data = response.get_json()
    if response.status_code == 400:
        assert set(data) == {"error"} and isinstance(data["error"], str) and data["error"]
    else:
        assert data["total"] >= len(data["hits"])


@FUZZ
@given(RAW_QUERY_STRINGS)
def test_search_page_answers_200_or_a_400_page(seed_index_dir, query_string):
    client = _web_client(seed_index_dir)
    started = time.monotonic()
    response = client.get("/", environ_overrides={"QUERY_STRING": query_string})
    assert time.monotonic() - started < WEB_SECONDS
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400), (query_string, response.status_code)
    assert response.mimetype == "text/html"
    assert response.status_code == 200 or "无法执行这次搜索" in html or 'class="error-page"' in html
    assert "Traceback" not in html and "<script>alert" not in html
