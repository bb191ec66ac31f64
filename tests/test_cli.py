"""The `search` command, run with click's CliRunner."""

import json

import pytest

from conftest import SEEDS, write_articles
from indexer import record
from indexer.cli import cli


def run(runner, *args, index_dir):
    return runner.invoke(cli, ["--index-dir", str(index_dir), *args])


def test_query_is_the_default_command_and_json_is_one_utf8_object(runner, seed_index_dir):
    result = run(runner, "装备制造", "--json", index_dir=seed_index_dir)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"query", "total", "page", "per_page", "timed_out", "hits", "facets"}
    assert set(data["hits"][0]) == set(record.JSON_FIELDS) | {"score", "snippet"}
    assert set(data["facets"]) == set(record.FACET_NAMES)
    assert set(data["facets"]["zone"][0]) == {"value", "count"}
    hit = next(h for h in data["hits"] if h["id"] == "000_2a1c0b8050bb07fb")
    assert "<mark>装备制造</mark>" in hit["snippet"]
    assert "\\u" not in result.output and "柳城经济开发区" in result.output


def test_plain_output_when_piped(runner, seed_index_dir):
    result = run(runner, "海绵铝", index_dir=seed_index_dir)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1. 依托有色金属")
    assert "000_2a1c0b8050bb07fb · 柳城经济开发区 · 2020" in result.output
    assert "<mark>" not in result.output and "\x1b[" not in result.output
    assert "1–1 of 1 results (page 1 of 1)" in result.output


def test_colour_on_a_terminal(runner, seed_index_dir):
    result = runner.invoke(cli, ["--index-dir", str(seed_index_dir), "海绵铝"], color=True)
    assert "\x1b[" in result.output


def test_zone_option_and_short_names(runner, seed_index_dir):
    data = json.loads(run(runner, "--zone", "凌源", "开发区", "--json", index_dir=seed_index_dir).output)
    assert {h["id"] for h in data["hits"]} == {"001_f7b6dd57e2bee65a", "003_201a132a17332222", "004_6898f3103771f9f9"}
    assert all("凌源经济开发区" in h["zones"] for h in data["hits"])
    data = json.loads(run(runner, "--zone", "凌源", "--json", index_dir=seed_index_dir).output)
    assert data["total"] == 3
    data = json.loads(run(runner, "开发区", "-z", "喀左", "-z", "建平", "--json", index_dir=seed_index_dir).output)
    assert [h["id"] for h in data["hits"]] == ["003_201a132a17332222"]


def test_year_industry_limit_page_and_sort(runner, seed_index_dir):
    data = json.loads(run(runner, "开发区", "-y", "2020-2022", "-n", "1", "-p", "2", "--sort", "date", "--json",
                          index_dir=seed_index_dir).output)
    assert (data["total"], data["page"], data["per_page"], len(data["hits"])) == (3, 2, 1, 1)
    assert data["hits"][0]["year"] == 2020
    data = json.loads(run(runner, "-i", "半导体与电子信息", "--json", index_dir=seed_index_dir).output)
    assert [h["id"] for h in data["hits"]] == ["003_201a132a17332222"]


def test_minus_word_is_an_exclusion_not_an_option(runner, seed_index_dir):
    data = json.loads(run(runner, "开发区", "-凌源", "--json", index_dir=seed_index_dir).output)
    assert {h["id"] for h in data["hits"]} == {"000_2a1c0b8050bb07fb", "002_08bfd12c8fa669a1"}


@pytest.mark.parametrize("args, message", [
    (['"装备制造'], "Error: Unbalanced quotes"),
    ([""], "Error: Type something to search for"),
    (["--zone", "上海", "开发区"], "Error: Unknown zone “上海”"),
    (["-y", "soon", "开发区"], "Error: Year “soon” is not a year"),
])
def test_bad_queries_exit_1_with_a_message(runner, seed_index_dir, args, message):
    result = run(runner, *args, index_dir=seed_index_dir)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_index_is_built_from_seeds_and_said_on_stderr(runner, tmp_path, monkeypatch):
    write_articles(tmp_path / "seeds", {"a": "凌源经济开发区\n\n凌源经济开发区的消息。凌源市。"})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["凌源", "--json"])
    assert result.exit_code == 0, result.output
    assert "No index in index: building it from ./seeds" in result.stderr
    assert json.loads(result.stdout)["total"] == 1


def test_help_documents_the_query_language_and_options(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for text in ("Query language", '"装备制造"', "zone:凌源", "-凌源", "OR", "--index-dir", "SEARCH_INDEX_DIR"):
        assert text in result.output
    query_help = runner.invoke(cli, ["query", "--help"]).output
    for option in ("--zone", "--year", "--industry", "--limit", "--page", "--sort", "--json"):
        assert option in query_help


def test_index_command_reports_and_updates_incrementally(runner, tmp_path):
    folder = write_articles(tmp_path / "articles", {"a": "凌钢新闻\n\n凌钢集团的消息。", "b": "通美晶体\n\n通美晶体消息。"})
    index_dir = tmp_path / "ix"
    result = run(runner, "index", str(folder), index_dir=index_dir)
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 removed, 0 unchanged, 0 skipped" in result.output
    assert "Years inferred from the text" in result.stderr
    (folder / "a.txt").write_text("凌钢新闻\n\n凌钢集团钢焦一体的消息。", encoding="utf-8")
    (folder / "b.txt").unlink()
    write_articles(folder, {"c": "宏发食品\n\n宏发食品的消息。"})
    result = run(runner, "index", str(folder), index_dir=index_dir)
    assert "1 added, 1 updated, 1 removed, 0 unchanged, 0 skipped" in result.output
    result = run(runner, "index", str(folder), "--quiet", index_dir=index_dir)
    assert result.output == ""
    data = json.loads(run(runner, "钢焦一体", "--json", index_dir=index_dir).output)
    assert [h["id"] for h in data["hits"]] == ["a"]


def test_index_rebuild(runner, tmp_path):
    index_dir = tmp_path / "ix"
    assert run(runner, "index", str(SEEDS), index_dir=index_dir).exit_code == 0
    result = run(runner, "index", str(SEEDS), "--rebuild", index_dir=index_dir)
    assert "5 added, 0 updated" in result.output
    assert json.loads(run(runner, "开发区", "--json", index_dir=index_dir).output)["total"] == 5


def test_index_skips_bad_files_with_a_warning_and_exit_3(runner, tmp_path):
    folder = write_articles(tmp_path / "articles", {"a": "凌钢新闻\n\n凌钢集团的消息。"})
    (folder / "empty.txt").write_text("", encoding="utf-8")
    result = run(runner, "index", str(folder), index_dir=tmp_path / "ix")
    assert result.exit_code == 3
    assert "Warning: skipped" in result.stderr and "empty.txt" in result.stderr
    assert "1 added" in result.output


def test_explain_prints_evidence(runner):
    result = runner.invoke(cli, ["index", "--explain", "000_2a1c0b8050bb07fb", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "Zones: 柳城经济开发区" in result.output
    assert "朝阳柳城经济开发区 ×" in result.output
    assert "Year: 2020  (catalog:" in result.output
    assert "✓ 有色金属" in result.output and "海绵铝 ×" in result.output
    result = runner.invoke(cli, ["index", "--explain", "nope", str(SEEDS)])
    assert result.exit_code == 1 and "No article with id nope" in result.output
