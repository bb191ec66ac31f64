"""`search index` end to end: every format and encoding, explicit metadata, incremental updates, bad input,
progress and summary output, and errors that must leave the index as it was (all in this process)."""

from __future__ import annotations

import errno
import json
import os
import pathlib
import shutil

import pytest
from whoosh.fields import ID, STORED, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

import fixtures
from fixtures import SIMPLIFIED_SEED, TRADITIONAL_SEED, encodable, run
from indexer import articles, index
from indexer.articles import Meter
from indexer.cli import cli
from indexer.terminal import Progress


def hits(runner, index_dir, *query) -> list[dict]:
    """The hits of `search QUERY --json` (first page of 100)."""
    result = run(runner, *query, "--json", "-n", "100", index_dir=index_dir)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["hits"]


def found(runner, index_dir, *query) -> list[str]:
    """The ids `search QUERY --json` finds (first page of 100)."""
    return [hit["id"] for hit in hits(runner, index_dir, *query)]


def stored(index_dir) -> dict[str, str]:
    """Every article in the index: id → stored body."""
    with index.open_index(index_dir).searcher() as searcher:
        return {fields["id"]: fields["body"] for fields in searcher.all_stored_fields()}


def files(index_dir) -> set[str]:
    return {p.name for p in pathlib.Path(index_dir).iterdir()}


# ---------------------------------------------------------------------------------------------- formats

HTML = """<!DOCTYPE html><html><head><meta charset="gbk"><title>站点 - 朝阳日报</title></head><body>
<header><h1>朝阳日报网</h1></header><nav>首页 新闻</nav>
<article><h1>喀左经济开发区紫陶产业园开园</h1><p>喀左经济开发区的紫陶产业园今天开园，引进企业十二家。</p></article>
<footer>版权所有</footer></body></html>"""

MARKDOWN = """# 建平经济开发区 **硅砂** 项目投产

建平经济开发区的[硅砂项目](https://example.com)正式投产，*年产*石英砂一百万吨。
"""

JSONL_RECORD = {
    "id": "j1",
    "title": "凌源经济开发区汽车产业园签约",
    "body": "凌源经济开发区汽车产业园签约仪式举行，总投资三十亿元。",
    "date": "2021-06-01",
}


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _format_cases():
    gb = encodable(SIMPLIFIED_SEED, "gb18030")
    big5 = encodable(TRADITIONAL_SEED, "big5")
    assert "海绵铝" in gb and "智慧園區" in big5
    simplified_title = SIMPLIFIED_SEED.read_text(encoding="utf-8").strip().split("\n")[0]
    traditional_title = TRADITIONAL_SEED.read_text(encoding="utf-8").strip().split("\n")[0]
    page_title = "喀左经济开发区紫陶产业园开园"
    # (file name, bytes (None: JSONL_RECORD, compressed as the name says), id, a query, headline, the year of a
    # date given with the article)
    return [
        pytest.param("a.txt", SIMPLIFIED_SEED.read_bytes(), "a", "海绵铝", simplified_title, None, id="txt"),
        pytest.param("gb.txt", gb.encode("gb18030"), "gb", "海绵铝", simplified_title, None, id="txt-gb18030"),
        pytest.param(
            "big5.txt",
            big5.encode("big5"),
            "big5",
            "智慧园区",
            traditional_title,
            None,  # found in simplified
            id="txt-big5",
        ),
        pytest.param("m.md", MARKDOWN.encode("utf-8"), "m", "石英砂", "建平经济开发区 硅砂 项目投产", None, id="md"),
        pytest.param("p.html", HTML.encode("gbk"), "p", "紫陶产业园", page_title, None, id="html-gbk"),
        # The page in traditional script, in Big5: found by the simplified query.
        pytest.param(
            "p.htm",
            _traditional(HTML.replace("gbk", "big5")).encode("big5"),
            "p",
            "紫陶产业园",
            _traditional(page_title),
            None,
            id="htm-big5",
        ),
        pytest.param("n.jsonl", None, "j1", "汽车产业园", JSONL_RECORD["title"], 2021, id="jsonl"),
        pytest.param("n.jsonl.gz", None, "j1", "汽车产业园", JSONL_RECORD["title"], 2021, id="jsonl.gz"),
        pytest.param("n.jsonl.xz", None, "j1", "汽车产业园", JSONL_RECORD["title"], 2021, id="jsonl.xz"),
    ]


@pytest.mark.parametrize(("name", "data", "doc_id", "query", "title", "year"), _format_cases())
def test_each_format_and_encoding_is_indexed_and_found_with_its_headline(
    runner, tmp_path, name, data, doc_id, query, title, year
):
    path = tmp_path / "in" / name
    if data is None:
        fixtures.write_jsonl(path, [JSONL_RECORD])
    else:
        path.parent.mkdir()
        path.write_bytes(data)
    for target in (path, path.parent):  # a file named, and a folder holding it
        index_dir = tmp_path / f"ix-{target.name}"
        result = run(runner, "index", str(target), index_dir=index_dir)
        assert result.exit_code == 0, result.output
        assert "1 added, 0 updated, 0 removed, 0 unchanged, 0 skipped" in result.stdout
        found_hits = hits(runner, index_dir, query)
        assert [(h["id"], h["title"]) for h in found_hits] == [(doc_id, title)]
        if year is not None:
            assert found_hits[0]["year"] == year


def test_explicit_metadata_in_json_lines_wins_over_extraction(runner, tmp_path):
    path = fixtures.write_jsonl(
        tmp_path / "news.jsonl",
        [
            # Says nothing of any zone; the record names one, and a year and an industry.
            {
                "id": "given",
                "title": "项目签约",
                "body": "一批项目集中签约，总投资八十亿元。",
                "zone": "凌源",
                "year": 2019,
                "industry": ["新材料"],
            },
            # Is all about 凌源, but the record says 建平.
            {
                "id": "overridden",
                "body": "凌源经济开发区。凌源经济开发区的项目在凌源市开工。",
                "zone": ["建平经济开发区"],
            },
            {"id": "extracted", "body": "凌源经济开发区。凌源经济开发区的项目在凌源市开工。"},
        ],
    )
    index_dir = tmp_path / "ix"
    assert run(runner, "index", str(path), index_dir=index_dir).exit_code == 0
    assert sorted(found(runner, index_dir, "--zone", "凌源")) == ["extracted", "given"]
    assert found(runner, index_dir, "--zone", "建平") == ["overridden"]
    assert found(runner, index_dir, "--year", "2019", "--industry", "新材料") == ["given"]


# ---------------------------------------------------------------------------------------------- updates


def _report(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.split(": ", 1)[1].rsplit(" in ", 1)[0]


def test_add_change_and_delete_across_runs(runner, tmp_path):
    texts = fixtures.articles(6)
    folder = fixtures.write_articles(tmp_path / "in", dict(list(texts.items())[:3]))
    news = fixtures.write_jsonl(folder / "news.jsonl", fixtures.records(dict(list(texts.items())[3:])))
    index_dir = tmp_path / "ix"
    assert (
        _report(run(runner, "index", str(folder), index_dir=index_dir))
        == "6 added, 0 updated, 0 removed, 0 unchanged, 0 skipped"
    )
    assert stored(index_dir) == texts

    # Change a file and a line; delete a file and a line (the JSON Lines file stays); add a file and a line.
    texts2 = dict(texts)
    texts2["art0000"] = texts["art0000"].replace("第一版", "第二版")
    texts2["art0004"] = texts["art0004"].replace("第一版", "第二版")
    del texts2["art0001"], texts2["art0005"]
    texts2 |= fixtures.articles(2, start=6)
    (folder / "art0001.txt").unlink()
    fixtures.write_articles(folder, {k: texts2[k] for k in ("art0000", "art0006")})
    fixtures.write_jsonl(news, fixtures.records({k: texts2[k] for k in ("art0003", "art0004", "art0007")}))
    assert (
        _report(run(runner, "index", str(folder), index_dir=index_dir))
        == "2 added, 2 updated, 2 removed, 2 unchanged, 0 skipped"
    )
    assert stored(index_dir) == texts2
    assert sorted(found(runner, index_dir, "第二版")) == ["art0000", "art0004"]
    assert found(runner, index_dir, '"第1号"') == []

    # Nothing changed: nothing is written, not even a new generation of the index.
    generation = index._generation(index_dir)
    result = run(runner, "index", str(folder), index_dir=index_dir)
    assert _report(result) == "0 added, 0 updated, 0 removed, 6 unchanged, 0 skipped"
    assert index._generation(index_dir) == generation


def test_articles_outside_the_paths_read_stay_unless_their_source_is_gone(runner, tmp_path):
    a = fixtures.write_articles(tmp_path / "a", fixtures.articles(2))
    b = fixtures.write_articles(tmp_path / "b", fixtures.articles(2, start=2))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(a), str(b), index_dir=index_dir)
    assert (
        _report(run(runner, "index", str(a), index_dir=index_dir))
        == "0 added, 0 updated, 0 removed, 2 unchanged, 0 skipped"
    )
    assert len(stored(index_dir)) == 4
    shutil.rmtree(b)
    assert _report(run(runner, "index", str(a), index_dir=index_dir)).startswith("0 added, 0 updated, 2 removed")
    assert sorted(stored(index_dir)) == ["art0000", "art0001"]


def test_relative_and_absolute_paths_name_the_same_sources(runner, tmp_path, monkeypatch):
    fixtures.write_articles(tmp_path / "in", fixtures.articles(3))
    monkeypatch.chdir(tmp_path)
    assert run(runner, "index", "in", index_dir="ix").exit_code == 0
    assert _report(run(runner, "index", str(tmp_path / "in"), index_dir="ix")).startswith("0 added, 0 updated, 0 rem")
    monkeypatch.chdir(tmp_path / "in")
    assert _report(run(runner, "index", ".", index_dir="../ix")).startswith("0 added, 0 updated, 0 removed")


def test_moving_an_article_keeps_its_id_and_updates_its_source(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(2))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(folder), index_dir=index_dir)
    (folder / "sub").mkdir()
    (folder / "art0001.txt").rename(folder / "sub" / "art0001.txt")
    assert (
        _report(run(runner, "index", str(folder), index_dir=index_dir))
        == "0 added, 1 updated, 0 removed, 1 unchanged, 0 skipped"
    )
    ix = index.open_index(index_dir)
    assert index.indexed(ix.storage, ix._segments())["art0001"].path == str(folder / "sub" / "art0001.txt")


def test_catalog_and_rules_changes_reindex(runner, tmp_path, monkeypatch):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(2))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(folder), index_dir=index_dir)
    (folder / "catalog.toml").write_text('[art0001]\nyear = 2011\nevidence = "test"\n', encoding="utf-8")
    assert _report(run(runner, "index", str(folder), index_dir=index_dir)).startswith("0 added, 1 updated")
    assert found(runner, index_dir, "--year", "2011") == ["art0001"]
    assert _report(run(runner, "index", str(folder), index_dir=index_dir)).startswith("0 added, 0 updated")
    (folder / "catalog.toml").unlink()
    assert _report(run(runner, "index", str(folder), index_dir=index_dir)).startswith("0 added, 1 updated")
    monkeypatch.setattr(index, "rules_version", lambda: "changed")
    assert _report(run(runner, "index", str(folder), index_dir=index_dir)).startswith("0 added, 2 updated")


def test_rebuild_starts_from_nothing_with_stable_ids(runner, tmp_path):
    a = fixtures.write_articles(tmp_path / "a", fixtures.articles(3))
    b = fixtures.write_jsonl(tmp_path / "b" / "news.jsonl", fixtures.records(fixtures.articles(2, start=3)))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(a), str(b), index_dir=index_dir)
    before = stored(index_dir)
    assert (
        _report(run(runner, "index", str(a), str(b), "--rebuild", index_dir=index_dir))
        == "5 added, 0 updated, 0 removed, 0 unchanged, 0 skipped"
    )
    assert stored(index_dir) == before
    (a / "art0000.txt").unlink()
    # A rebuild keeps only what it reads: the deleted file's article, and b's (still on disk), are gone.
    assert (
        _report(run(runner, "index", str(a), "--rebuild", index_dir=index_dir))
        == "2 added, 0 updated, 3 removed, 0 unchanged, 0 skipped"
    )
    assert sorted(stored(index_dir)) == ["art0001", "art0002"]


# ---------------------------------------------------------------------------------------------- bad input


def test_bad_inputs_are_skipped_with_file_and_line_and_exit_3(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(2))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text(" \n\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with (folder / "huge.txt").open("wb") as huge:  # sparse: larger than any article, and never read
        huge.truncate(articles.MAX_DOCUMENT_BYTES + 1)
    (folder / "menu.html").write_text("<html><body><nav>菜单</nav></body></html>", encoding="utf-8")
    lines = [
        json.dumps({"id": "ok1", "body": "凌钢集团的消息。"}, ensure_ascii=False),
        '{"id": "broken", "body": ',
        json.dumps({"id": "nobody", "title": "无正文"}),
        "",
        json.dumps({"id": "ok2", "body": "通美晶体的消息。"}, ensure_ascii=False),
        json.dumps({"id": "art0000", "body": "重复的编号"}, ensure_ascii=False),
    ]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "cut.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    index_dir = tmp_path / "ix"

    result = run(runner, "index", str(folder), index_dir=index_dir)
    assert result.exit_code == 3, result.output
    warnings = sorted(line for line in result.stderr.splitlines() if line.startswith("Warning: skipped"))
    assert warnings == sorted(
        [
            f"Warning: skipped {folder / 'empty.txt'}: empty file",
            f"Warning: skipped {folder / 'blank.md'}: empty file",
            f"Warning: skipped {folder / 'image.txt'}: cannot decode: binary data or unknown encoding",
            f"Warning: skipped {folder / 'huge.txt'}: file too large for one article "
            f"({articles.MAX_DOCUMENT_BYTES + 1:,} bytes > {articles.MAX_DOCUMENT_BYTES:,})",
            f"Warning: skipped {folder / 'menu.html'}: no article text",
            f"Warning: skipped {folder / 'news.jsonl'}:2: not JSON: Expecting value at column 25",
            f"Warning: skipped {folder / 'news.jsonl'}:3: no body",
            f"Warning: skipped {folder / 'news.jsonl'}:6: duplicate id 'art0000' (first in {folder / 'art0000.txt'})",
            f"Warning: skipped {folder / 'cut.jsonl.gz'}: cannot read: "
            f"Compressed file ended before the end-of-stream marker was reached",
        ]
    )
    assert "4 added, 0 updated, 0 removed, 0 unchanged, 9 skipped" in result.stdout
    assert sorted(stored(index_dir)) == ["art0000", "art0001", "ok1", "ok2"]

    # Skipped inputs are skipped again (exit 3 again) and never remove what is indexed.
    result = run(runner, "index", str(folder), "--quiet", index_dir=index_dir)
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.count("Warning: skipped") == 9


def test_a_clean_run_exits_0_and_one_summary_line_when_not_on_a_terminal(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(3))
    result = run(runner, "index", str(folder), index_dir=tmp_path / "ix")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [result.stdout.strip()]
    assert result.stdout.startswith(f"Indexed into {tmp_path / 'ix'}: 3 added")
    result = run(runner, "index", str(folder), "--quiet", index_dir=tmp_path / "ix")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_help_documents_exit_status_and_progress(runner):
    result = runner.invoke(cli, ["index", "--help"])
    text = " ".join(result.output.split())
    for phrase in (
        "3 done, but some inputs were skipped",
        "1 error, with an Error: line (the index is left as it was",
        "progress bar",
        "--quiet prints only warnings and errors",
        ".jsonl.xz",
        "GB18030 or Big5",
        "--wait",
    ):
        assert phrase in text


# ---------------------------------------------------------------------------------------------- progress


def test_progress_reports_bytes_read_of_the_total(tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(3))
    fixtures.write_jsonl(folder / "news.jsonl.gz", fixtures.records(fixtures.articles(40, start=3)))
    total = sum(p.stat().st_size for p in folder.iterdir())
    seen = []
    index.update(tmp_path / "ix", [folder], progress=lambda m: seen.append((m.phase, m.done, m.total)))
    assert len(seen) == 44
    assert all(t == total for _, _, t in seen)
    assert [p for p, _, _ in seen] == ["reading"] * 43 + ["writing"]
    done = [d for _, d, _ in seen]
    assert done == sorted(done) and done[-1] == total and 0 < done[0] < total


def test_progress_bar_on_a_terminal(capsys, monkeypatch):
    clock = iter([100.0, 100.1, 100.2, 102.0, 104.0])
    monkeypatch.setattr("indexer.terminal.time.perf_counter", lambda: next(clock))
    bar = Progress(enabled=True)
    bar(Meter(total=1000, done=10))  # at 100.1: drawn, too early for an ETA
    bar(Meter(total=1000, done=20))  # at 100.2: too soon after the last, not drawn
    bar(Meter(total=1000, done=250))  # at 102: a quarter in 2 s
    bar(Meter(total=1000, done=500))  # at 104: half in 4 s
    bar(Meter(total=1000, done=1000, phase="writing"))
    bar.close()
    frames = capsys.readouterr().err.split("\r\x1b[K")
    assert frames == [
        "",
        "[........................]   1%  1 articles  10/s",
        "[######..................]  25%  3 articles  2/s  ETA 0:06",
        "[############............]  50%  4 articles  1/s  ETA 0:04",
        "4 articles read · writing the index …",
        "",  # the bar is erased before the summary line
    ]


def test_no_progress_bar_when_disabled(capsys):
    bar = Progress(enabled=False)
    bar(Meter(total=1000, done=10))
    bar(Meter(total=1000, done=1000, phase="writing"))
    bar.close()
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------------------------- cheap updates


def test_an_update_reads_no_stored_fields_and_parses_no_unchanged_source(runner, tmp_path, monkeypatch):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(3))
    fixtures.write_jsonl(folder / "news.jsonl.xz", fixtures.records(fixtures.articles(3, start=3)))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(folder), index_dir=index_dir)

    def forbidden(*args, **kwargs):
        raise AssertionError("an unchanged article was read or parsed")

    monkeypatch.setattr("whoosh.reading.SegmentReader.stored_fields", forbidden)
    monkeypatch.setattr(articles, "decode", forbidden)
    monkeypatch.setattr(articles, "_line_article", forbidden)
    assert _report(run(runner, "index", str(folder), index_dir=index_dir)).startswith("0 added, 0 updated, 0 rem")


def test_an_index_made_before_the_ingest_column_is_rebuilt(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(2))
    index_dir = tmp_path / "ix"
    old_schema = Schema(id=ID(stored=True, unique=True), body=STORED, path=ID(stored=True), hash=ID(stored=True))
    ix = FileStorage(str(index_dir)).create().create_index(old_schema)
    with ix.writer() as writer:
        writer.add_document(id="art0000", body="旧", path=str(folder / "art0000.txt"), hash="x")
        writer.add_document(id="gone", body="旧", path=str(tmp_path / "gone.txt"), hash="x")
    result = run(runner, "index", str(folder), index_dir=index_dir)
    assert _report(result) == "2 added, 0 updated, 1 removed, 0 unchanged, 0 skipped"
    assert "made by an earlier version" in result.stderr
    assert "ingest" in index.open_index(index_dir).schema
    assert stored(index_dir) == fixtures.articles(2)


def test_an_old_index_holding_other_sources_is_not_rebuilt_behind_the_users_back(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(1))
    other = fixtures.write_articles(tmp_path / "other", {"x": "别处的文章"})
    index_dir = tmp_path / "ix"
    old_schema = Schema(id=ID(stored=True, unique=True), path=ID(stored=True))
    ix = FileStorage(str(index_dir)).create().create_index(old_schema)
    with ix.writer() as writer:
        writer.add_document(id="x", path=str(other / "x.txt"))
    before = files(index_dir)
    result = run(runner, "index", str(folder), index_dir=index_dir)
    assert result.exit_code == 1
    assert f"holds articles from {other / 'x.txt'}" in result.output and "--rebuild" in result.output
    assert files(index_dir) == before


# ---------------------------------------------------------------------------------------------- failures


def test_leftovers_of_a_killed_writer_are_removed(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(3))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(folder), index_dir=index_dir)
    clean = files(index_dir)
    # What a writer killed mid-commit leaves: its segment's files, its temporary folder, a half-written TOC.
    writer = index.open_index(index_dir).writer()
    writer.add_document(id="half", body="半")
    writer._finalize_segment()
    (index_dir / "MAIN.tmp").mkdir(exist_ok=True)
    (index_dir / "MAIN.tmp" / "x.run").write_bytes(b"x" * 100)
    (index_dir / f"_MAIN_{index._generation(index_dir) + 1}.toc.1731000000.5").write_bytes(b"\0" * 10)
    writer.writelock.release()
    assert files(index_dir) - clean
    assert run(runner, "index", str(folder), index_dir=index_dir).exit_code == 0
    assert files(index_dir) == clean
    assert stored(index_dir) == fixtures.articles(3)


def test_a_second_indexer_waits_then_gives_up_with_exit_1(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(1))
    index_dir = tmp_path / "ix"
    run(runner, "index", str(folder), index_dir=index_dir)
    lock = FileStorage(str(index_dir)).lock("MAIN_WRITELOCK")
    assert lock.acquire()
    try:
        result = run(runner, "index", str(folder), "--wait", "0.3", index_dir=index_dir)
    finally:
        lock.release()
    assert result.exit_code == 1
    assert f"Error: Another indexer is updating {index_dir} (waited 0.3 s)" in result.output
    assert run(runner, "index", str(folder), index_dir=index_dir).exit_code == 0


def test_an_unwritable_location_is_a_clear_error(runner, tmp_path):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(1))
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = run(runner, "index", str(folder), index_dir=tmp_path / "file" / "ix")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write an index in {tmp_path / 'file' / 'ix'}: Not a directory")
    assert "Traceback" not in result.output


def _full_disk(monkeypatch, target: str, at: int) -> list[int]:
    """Make the `at`-th call (from 0) of `target` ("create" a file, or "write" to one) fail with ENOSPC,
    and count the calls."""
    calls = [0]
    method = {"create": (FileStorage, "create_file"), "write": (StructFile, "write")}[target]
    original = getattr(*method)

    def failing(self, *args, **kwargs):
        calls[0] += 1
        if calls[0] - 1 == at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(*method, failing)
    return calls


@pytest.mark.parametrize("target", ["create", "write"])
def test_a_full_disk_at_any_point_leaves_the_old_index(runner, tmp_path, monkeypatch, target):
    folder = fixtures.write_articles(tmp_path / "in", fixtures.articles(4))
    baseline = tmp_path / "baseline"
    run(runner, "index", str(folder), index_dir=baseline)
    before, listing = stored(baseline), files(baseline)
    fixtures.write_articles(folder, fixtures.articles(8, version="第二版"))
    with monkeypatch.context() as patch:
        total = _full_disk(patch, target, at=-1)
        assert run(runner, "index", str(folder), index_dir=shutil.copytree(baseline, tmp_path / "count")).exit_code == 0
    assert total[0] > 3
    points = sorted({round(i * (total[0] - 1) / 7) for i in range(8)}) if total[0] > 8 else range(total[0])
    for at in points:
        index_dir = shutil.copytree(baseline, tmp_path / f"ix{at}")
        with monkeypatch.context() as patch:
            _full_disk(patch, target, at)
            result = run(runner, "index", str(folder), index_dir=index_dir)
        assert result.exit_code == 1, (at, result.output)
        assert result.output == (
            f"Error: Cannot update the index in {index_dir}: No space left on device. The index is as it was.\n"
        ), at
        assert stored(index_dir) == before and files(index_dir) == listing, at
    assert run(runner, "index", str(folder), index_dir=index_dir).exit_code == 0
    assert stored(index_dir) == fixtures.articles(8, version="第二版")
