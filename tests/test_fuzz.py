"""Fuzzing the query parser, the search core and the CLI with arbitrary text: results or a clear message,
never a traceback or a hang."""

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from indexer.cli import cli
from indexer.errors import SearchError
from indexer.query import Filters, parse
from indexer.search import search

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=300)  # surrogates and controls too
SOUP = st.lists(st.sampled_from(['"', "“", "”", "OR", "or", "-", "--", "zone:", "year:", "industry:", "凌源",
                                 "开发区", "智慧園區", " ", "\u3000", "(", ")", "*", ":", "\\", "\x00", "\n",
                                 "2019-2021", "新材料", "<script>", "&", "ＡＢＣ", "\ud800", "🙂", "钢" * 50]),
                max_size=40).map("".join)
QUERIES = st.one_of(ANY_TEXT, SOUP, st.text(min_size=250, max_size=3000))
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


@FUZZ
@given(QUERIES)
def test_parser_returns_a_query_or_a_clear_message(text):
    try:
        parse(text)
    except SearchError as exc:
        assert str(exc).endswith((".", "。")) and len(str(exc)) < 300


@FUZZ
@given(QUERIES, st.lists(ANY_TEXT, max_size=2), st.lists(ANY_TEXT, max_size=2), st.lists(ANY_TEXT, max_size=2),
       st.integers(-5, 2000), st.sampled_from(["relevance", "date", "random"]))
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
        json.dumps(results.to_json(), ensure_ascii=False)


@FUZZ
@given(st.lists(st.one_of(QUERIES, st.sampled_from(["-z", "--zone", "-y", "-i", "-n", "-p", "--sort", "--json",
                                                      "--page", "0", "-1", "99999", "凌源"])), max_size=6))
def test_cli_exits_with_a_meaning_and_no_traceback(runner, seed_index_dir, args):
    result = runner.invoke(cli, ["--index-dir", str(seed_index_dir), "query", *args])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
