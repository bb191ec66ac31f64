"""The `search` command, run with click's CliRunner: what it prints, the exact `Error: …` lines and exit codes."""

import csv
import inspect
import io
import json

import click
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fixtures import SEED_IDS, SEEDS, run, write_articles
from indexer import cli as cli_module, export, metadata, record, search as search_module
from indexer.articles import Article, read_articles
from indexer.cli import cli

FIXTURES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def hits(runner, index_dir, *args) -> list[str]:
    """The ids `search ARGS --json -n 100` prints, in order."""
    result = run(runner, *args, "--json", "-n", "100", index_dir=index_dir)
    assert result.exit_code == 0, result.output
    return [h["id"] for h in json.loads(result.stdout)["hits"]]


# ---------------------------------------------------------------------------------------------- the command line


def test_search_alone_shows_help(runner):
    result = runner.invoke(cli, [])
    assert result.exit_code == 0, result.output
    assert result.stdout == runner.invoke(cli, ["--help"]).stdout
    assert result.stdout.startswith("Usage: search [OPTIONS] [COMMAND] [ARGS]...")


def test_every_option_has_help_and_every_command_ends_with_an_example(runner):
    commands = {"search": cli, **{name: cli.commands[name] for name in cli.commands}}
    assert set(commands) == {"search", "query", "index", "serve"}
    for name, command in commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"
        last = inspect.cleandoc(command.help).split("\n\n")[-1]
        assert last.startswith("\b\nExample:\n") and "search" in last, name
        assert "Example:" in runner.invoke(cli, ([] if name == "search" else [name]) + ["--help"]).stdout


def test_help_documents_the_query_language(runner):
    result = runner.invoke(cli, ["--help"])
    for text in (
        "Query language",
        '"装备制造"',
        "zone:凌源",
        "-凌源",
        "OR",
        "intitle:",
        "|",
        "NOT",
        "site:",
        "--index-dir",
        "SEARCH_INDEX_DIR",
    ):
        assert text in result.output


def test_each_facet_is_a_filter_option_and_each_export_format_a_format(runner):
    assert cli_module.EXPORT_FORMATS == export.FORMATS
    options = {opt for p in cli.commands["query"].params for opt in p.opts}
    assert {f"--{f.name}" for f in record.FACETS} <= options
    assert {"-z", "-y", "-i"} <= options


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
    assert run(runner, "装备制造", "--format", "json", index_dir=seed_index_dir).stdout == result.stdout
    assert run(runner, "query", "装备制造", "--json", index_dir=seed_index_dir).stdout == result.stdout


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


# ---------------------------------------------------------------------------------------------- filters


def test_zone_option_and_short_names(runner, seed_index_dir):
    assert set(hits(runner, seed_index_dir, "--zone", "凌源", "开发区")) == {
        "001_f7b6dd57e2bee65a",
        "003_201a132a17332222",
        "004_6898f3103771f9f9",
    }
    assert len(hits(runner, seed_index_dir, "--zone", "凌源")) == 3
    assert hits(runner, seed_index_dir, "开发区", "-z", "喀左", "-z", "建平") == ["003_201a132a17332222"]


@pytest.mark.parametrize(
    "options, typed",
    [
        (["--zone", "凌源"], "zone:凌源"),
        (["-z", "喀左", "-z", "建平"], "zone:喀左 zone:建平"),
        (["-y", "2020-2022"], "year:2020-2022"),
        (["-y", "2020", "-i", "新材料"], "year:2020 industry:新材料"),
        (["--industry", "半导体与电子信息"], "industry:半导体与电子信息"),
    ],
)
def test_filter_options_are_the_filters_typed_in_the_query(runner, seed_index_dir, options, typed):
    assert hits(runner, seed_index_dir, "开发区", *options) == hits(runner, seed_index_dir, f"开发区 {typed}")


def test_site_and_company_options(runner, tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [
        {
            "id": "a",
            "title": "凌源新闻",
            "body": "凌源经济开发区的消息。",
            "source": "https://www.chinanews.com.cn/1.shtml",
        },
        {"id": "b", "title": "凌源新闻", "body": "凌源经济开发区的又一条消息。", "source": "朝阳日报"},
    ]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    assert run(runner, "index", str(path), index_dir=tmp_path / "ix").exit_code == 0
    assert hits(runner, tmp_path / "ix", "凌源", "--site", "chinanews.com.cn") == ["a"]
    assert hits(runner, tmp_path / "ix", "凌源", "--site", "www.chinanews.com.cn", "--site", "朝阳日报") in (
        ["a", "b"],
        ["b", "a"],
    )
    result = run(runner, "凌源", "--company", "凌钢集团", index_dir=tmp_path / "ix")
    assert (result.exit_code, result.stderr) == (1, "Error: No article has company “凌钢集团”.\n")


def test_year_limit_page_and_sort(runner, seed_index_dir):
    data = json.loads(
        run(
            runner,
            "开发区",
            "-y",
            "2020-2022",
            "-n",
            "1",
            "-p",
            "2",
            "--sort",
            "date",
            "--json",
            index_dir=seed_index_dir,
        ).output
    )
    assert (data["total"], data["page"], data["per_page"], len(data["hits"])) == (3, 2, 1, 1)
    assert data["hits"][0]["year"] == 2020


def test_minus_word_is_an_exclusion_not_an_option(runner, seed_index_dir):
    assert set(hits(runner, seed_index_dir, "开发区", "-凌源")) == {"000_2a1c0b8050bb07fb", "002_08bfd12c8fa669a1"}


# ---------------------------------------------------------------------------------------------- errors

NO_WORDS = "Nothing to search for: the query has no letters, digits or Chinese characters."


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["海绵铝", "-p", "9"], 1, "Page 9 is past the last page of results (1)."),
        (["开发区", "-n", "2", "-p", "4"], 1, "Page 4 is past the last page of results (3)."),
        (["🏭"], 1, NO_WORDS),
        (["。，"], 1, NO_WORDS),
        (["🏭", "！？", "-…"], 1, NO_WORDS),
        (['"装备制造'], 1, "Unbalanced quotes: close the phrase with a second quote mark."),
        ([""], 1, "Type something to search for, or choose a zone, year or industry."),
        (["-y", "soon", "开发区"], 1, "Year “soon” is not a year or a range like 2019-2021."),
        (["--company", "无此公司", "开发区"], 1, "No article has company “无此公司”."),
        (["--page", "0", "凌钢"], 2, "Invalid value for '-p' / '--page': 0 is not in the range 1<=x<=1000."),
        (["--sort", "soon", "凌钢"], 2, "Invalid value for '--sort': 'soon' is not one of 'relevance', 'date'."),
        (["凌钢", "--bom"], 2, "--bom is for --format csv only."),
    ],
)
def test_errors_are_one_line_or_one_json_object_with_the_same_status(runner, seed_index_dir, args, status, message):
    result = run(runner, *args, index_dir=seed_index_dir)
    assert result.exit_code == status, result.output
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert result.stdout == ""
    for as_json in (["--json"], ["--format", "json"], ["--format=json"]):
        result = run(runner, *args, *as_json, index_dir=seed_index_dir)
        assert result.exit_code == status, result.output
        assert result.stdout == json.dumps({"error": message}, ensure_ascii=False) + "\n"
        assert result.stderr == ""


@FIXTURES
@given(st.integers(1, 6), st.integers(1, 8))
def test_a_page_past_the_end_is_an_error(runner, seed_index_dir, limit, page):
    total = 5  # 开发区 is in every seed
    result = run(runner, "开发区", "-n", str(limit), "-p", str(page), index_dir=seed_index_dir)
    last = -(-total // limit)
    if page <= last:
        assert result.exit_code == 0, result.output
        assert f"of {total} results (page {page} of {last})" in result.stdout
    else:
        assert (result.exit_code, result.stderr) == (
            1,
            f"Error: Page {page} is past the last page of results ({last}).\n",
        )


def test_no_results_is_page_1_of_1_not_an_error(runner, seed_index_dir):
    result = run(runner, "xyzzy", "--sort", "date", index_dir=seed_index_dir)
    assert result.exit_code == 0, result.output
    assert "0 results (page 1 of 1)" in result.stdout


def test_missing_index_is_built_from_seeds_and_said_on_stderr(runner, tmp_path, monkeypatch):
    write_articles(tmp_path / "seeds", {"a": "凌源经济开发区\n\n凌源经济开发区的消息。凌源市。"})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["凌源", "--json"])
    assert result.exit_code == 0, result.output
    assert "No index in index: building it from ./seeds" in result.stderr
    assert json.loads(result.stdout)["total"] == 1


def test_missing_index_and_no_seeds(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = "No index in index and no ./seeds folder to build it from: run `search index PATH` first."
    result = runner.invoke(cli, ["凌源"])
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    result = runner.invoke(cli, ["凌源", "--json"])
    assert (result.exit_code, result.stdout) == (1, json.dumps({"error": message}) + "\n")


# ---------------------------------------------------------------------------------------------- exports


def test_csv_is_every_match_in_the_order_of_the_search(runner, seed_index_dir):
    for args in (["开发区"], ["开发区", "--sort", "date"], ["--zone", "凌源"], ["开发区", "-y", "2020-2022"]):
        result = run(runner, *args, "--format", "csv", index_dir=seed_index_dir)
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert [r["id"] for r in rows] == hits(runner, seed_index_dir, *args)
        assert list(rows[0]) == [*record.JSON_FIELDS, "lead"]
        for row in rows:
            article = search_module.Index(seed_index_dir).document(row["id"])
            assert row["title"] == article.title and row["zones"] == "; ".join(article.zones)
    # more articles than one page holds: all of them
    result = run(runner, "开发区", "-n", "1", "--format", "csv", index_dir=seed_index_dir)
    assert len(list(csv.DictReader(io.StringIO(result.stdout, newline="")))) == 5


def test_csv_with_a_byte_order_mark_for_excel(runner, seed_index_dir):
    result = runner.invoke(cli, ["--index-dir", str(seed_index_dir), "海绵铝", "--format", "csv", "--bom"])
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfid,title,")
    assert result.stdout_bytes.count("\ufeff".encode()) == 1
    assert result.stdout_bytes.endswith(b"\r\n")


def test_jsonl_is_every_match_with_its_text(runner, seed_index_dir):
    result = run(runner, "-z", "凌源", "--sort", "date", "--format", "jsonl", index_dir=seed_index_dir)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == hits(runner, seed_index_dir, "-z", "凌源", "--sort", "date")
    for row in rows:
        article = search_module.Index(seed_index_dir).document(row["id"])
        assert row["body"] == article.body and row["zones"] == article.zones


def test_an_export_cut_short_by_the_time_limit_warns(runner, seed_index_dir, monkeypatch):
    monkeypatch.setattr(search_module, "BUDGET_SECONDS", -1.0)  # past before it starts
    result = run(runner, "开发区", "--format", "jsonl", index_dir=seed_index_dir)
    assert result.exit_code == 0, result.output
    assert result.stderr == ("Warning: the search stopped after -1 s: only the 0 articles found by then are written.\n")
    assert result.stdout == ""


def test_json_with_another_format_is_a_usage_error(runner, seed_index_dir):
    result = run(runner, "凌钢", "--json", "--format", "csv", index_dir=seed_index_dir)
    assert (result.exit_code, result.stdout) == (
        2,
        json.dumps({"error": "--json is --format json: give one of --json and --format csv."}) + "\n",
    )


# ---------------------------------------------------------------------------------------------- search index


def test_index_command_reports_and_updates_incrementally(runner, tmp_path):
    folder = write_articles(
        tmp_path / "articles", {"a": "凌钢新闻\n\n凌钢集团的消息。", "b": "通美晶体\n\n通美晶体消息。"}
    )
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
    assert hits(runner, index_dir, "钢焦一体") == ["a"]


def test_index_rebuild(runner, tmp_path):
    index_dir = tmp_path / "ix"
    assert run(runner, "index", str(SEEDS), index_dir=index_dir).exit_code == 0
    result = run(runner, "index", str(SEEDS), "--rebuild", index_dir=index_dir)
    assert "5 added, 0 updated" in result.output
    assert len(hits(runner, index_dir, "开发区")) == 5


def test_index_skips_bad_files_with_a_warning_and_exit_3(runner, tmp_path):
    folder = write_articles(tmp_path / "articles", {"a": "凌钢新闻\n\n凌钢集团的消息。"})
    (folder / "empty.txt").write_text("", encoding="utf-8")
    result = run(runner, "index", str(folder), index_dir=tmp_path / "ix")
    assert result.exit_code == 3
    assert "Warning: skipped" in result.stderr and "empty.txt" in result.stderr
    assert "1 added" in result.output


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_explain_reads_the_article_from_the_index_not_seeds(runner, seed_index_dir, tmp_path, monkeypatch, doc_id):
    monkeypatch.chdir(tmp_path)  # no ./seeds here
    result = run(runner, "index", "--explain", doc_id, index_dir=seed_index_dir)
    assert result.exit_code == 0, result.output
    # the evidence is the extraction's from the article's text, rendered by metadata.explain_lines
    article = next(a for a in read_articles([SEEDS]) if isinstance(a, Article) and a.id == doc_id)
    catalog = metadata.load_catalog(SEEDS)[doc_id]
    meta = metadata.extract(article)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{doc_id}: {article.title}"
    year_line = next(i for i, line in enumerate(lines) if line.startswith("Year: "))
    assert lines[1:year_line] == metadata.explain_lines(meta, ("zones",))
    assert lines[year_line + 1 :] == metadata.explain_lines(meta, ("industries", "companies"))
    # the year is the catalog's, as indexed; where the text alone gives another, both are said
    if meta.year == catalog["year"]:
        assert lines[year_line] == f"Year: {meta.year}  ({meta.year_source})"
    else:
        assert lines[year_line] == (
            f"Year: {catalog['year']}  (given with the article or by a catalog; the text "
            f"alone gives {meta.year or 'unknown'}: {meta.year_source})"
        )


def test_explain_of_a_seed(runner, seed_index_dir):
    result = run(runner, "index", "--explain", "000_2a1c0b8050bb07fb", index_dir=seed_index_dir)
    lines = result.stdout.splitlines()
    assert lines[1].startswith("Zones: 柳城经济开发区  (score")
    assert lines[2].startswith("  ✓ 柳城经济开发区: score ") and " from 朝阳柳城经济开发区 ×11, " in lines[2]
    assert "Industries: 有色金属, 新材料, 装备制造" in lines
    assert any(line.startswith("  ✓ 有色金属: ") and "海绵铝 ×2" in line for line in lines)


def test_explain_shows_values_given_with_the_article_beside_the_extraction(runner, tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "given",
                "title": "喀左新闻",
                "body": "喀左经济开发区的消息。喀左县。",
                "zone": "凌源",
                "year": 2019,
                "industry": "新材料",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    assert run(runner, "index", str(path), index_dir=tmp_path / "ix").exit_code == 0
    result = run(runner, "index", "--explain", "given", index_dir=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("Zones: 凌源经济开发区  (given with the article; the text alone gives 喀左经济开发区: ")
    assert "    喀左经济开发区: score " in result.stdout  # the text's evidence, not a tag in the index
    assert any(
        line.startswith("Year: 2019  (given with the article or by a catalog; the text alone gives ") for line in lines
    )
    assert "Industries in the index: 新材料  (given with the article)" in lines


def test_explain_errors(runner, seed_index_dir, tmp_path):
    result = run(runner, "index", "--explain", "nope", index_dir=seed_index_dir)
    assert (result.exit_code, result.stderr) == (1, f"Error: No article with id nope in {seed_index_dir}.\n")
    result = run(runner, "index", "--explain", "nope", index_dir=tmp_path / "none")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: No index in {tmp_path / 'none'}: run `search index` first.\n",
    )
    result = run(runner, "index", "--explain", "nope", str(SEEDS), index_dir=seed_index_dir)
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[-1] == "Error: --explain reads the article from the index: give no PATH or "
        "--rebuild."
    )
