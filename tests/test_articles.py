"""Reading articles from real files: every format, every encoding of the archives, and every way a file is bad."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

from fixtures import SEEDS, SIMPLIFIED_SEED, TRADITIONAL_SEED, encodable, write_jsonl
from indexer import articles
from indexer.articles import Article, Skipped, read_articles

SEED_TITLES = {
    "000_2a1c0b8050bb07fb": "依托有色金属、新材料、装备制造三大产业集群 朝阳柳城经济开发区着力打造改革开放先导区",
    "001_f7b6dd57e2bee65a": "营商环境优 发展势头足",
    "002_08bfd12c8fa669a1": "化區位優勢為融入優勢 化潛在優勢為競爭優勢",
    "003_201a132a17332222": "朝阳7家省级开发区何以强势崛起",
    "004_6898f3103771f9f9": "书写县域经济大发展壮美画卷",
}


def read(*paths: pathlib.Path | str) -> tuple[list[Article], list[Skipped]]:
    """The articles and the skipped entries of one `read_articles` call, in order."""
    found = list(read_articles(paths))
    return [a for a in found if isinstance(a, Article)], [s for s in found if isinstance(s, Skipped)]


def only_article(*paths: pathlib.Path | str) -> Article:
    """The one article read from `paths`, nothing skipped."""
    found, skipped = read(*paths)
    assert skipped == []
    assert len(found) == 1
    return found[0]


def only_skipped(*paths: pathlib.Path | str) -> Skipped:
    """The one entry skipped reading `paths`, no article."""
    found, skipped = read(*paths)
    assert found == []
    assert len(skipped) == 1
    return skipped[0]


# ---------------------------------------------------------------------------------------------- seeds, txt


def test_seeds_are_read_in_name_order_with_their_headlines():
    found, skipped = read(SEEDS)
    assert skipped == []
    assert {a.id: a.title for a in found} == SEED_TITLES
    assert [a.id for a in found] == sorted(SEED_TITLES)
    assert all(a.path == str(SEEDS / f"{a.id}.txt") for a in found)
    assert found[0].body == SIMPLIFIED_SEED.read_text(encoding="utf-8").strip()


def test_utf8_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff本报讯\r\n朝阳开发区 新闻\r\n\r\n正文第一段。\r\n".encode("utf-8"))
    article = only_article(path)
    assert article.id == "bom"
    assert article.title == "朝阳开发区 新闻"
    assert article.body == "本报讯\n朝阳开发区 新闻\n\n正文第一段。"


@pytest.mark.parametrize(
    ("seed", "codec"),
    [
        (SIMPLIFIED_SEED, "gb18030"),
        (SIMPLIFIED_SEED, "gbk"),
        (TRADITIONAL_SEED, "big5"),
    ],
)
def test_legacy_chinese_encodings_decode_to_the_exact_text(tmp_path, seed, codec):
    text = encodable(seed, codec, chars=300)
    assert len(text) >= 300
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(text.encode(codec))
    article = only_article(path)
    assert article.body == text
    assert article.title == SEED_TITLES[seed.stem]


@pytest.mark.parametrize(
    ("seed", "codec"),
    [
        (SIMPLIFIED_SEED, "gb18030"),
        (TRADITIONAL_SEED, "big5"),
    ],
)
def test_legacy_chinese_encodings_of_one_short_line(tmp_path, seed, codec):
    # A headline alone is too short for a detector (it guesses Japanese or Korean): it must still decode.
    line = SEED_TITLES[seed.stem]
    path = tmp_path / "short.txt"
    path.write_bytes(line.encode(codec))
    assert only_article(path).body == line

    subtitle = "朝陽北票經濟開發區開拓創新轉型之路" if codec == "big5" else "朝阳柳城经济开发区"
    path.write_bytes(subtitle.encode(codec))
    assert only_article(path).body == subtitle


def test_utf8_with_a_damaged_byte_keeps_the_rest(tmp_path):
    text = SIMPLIFIED_SEED.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    path = tmp_path / "cut.txt"
    path.write_bytes(data[:-1])  # cut in the middle of the last character
    assert only_article(path).body == text.strip()[:-1] + "\ufffd"


# ---------------------------------------------------------------------------------------------- Markdown

MARKDOWN = """\
---

# 朝阳 **开发区** 新闻

## 一、[项目](https://example.com/p) 建设

![照片](img/a.jpg) 这是*重点*，也是__关键__，见[链接][ref]与<https://example.com>。

> 引文 `code`

- 第一项
- 第二项
1. 编号项

```python
x = a_b * 2  # *不是强调*
```

[ref]: https://example.com/ref
"""


def test_markdown_title_and_stripped_body(tmp_path):
    path = tmp_path / "news.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    article = only_article(path)
    assert article.id == "news"
    assert article.title == "朝阳 开发区 新闻"
    assert article.body == (
        "朝阳 开发区 新闻\n\n一、项目 建设\n\n这是重点，也是关键，见链接与https://example.com。\n\n"
        "引文 code\n\n第一项\n第二项\n编号项\n\nx = a_b * 2  # *不是强调*"
    )


def test_markdown_without_heading_takes_the_headline(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text("核心提示\n\n**营商环境优** 发展势头足\n\n正文。\n", encoding="utf-8")
    article = only_article(path)
    assert article.title == "营商环境优 发展势头足"
    assert article.body == "核心提示\n\n营商环境优 发展势头足\n\n正文。"


# ---------------------------------------------------------------------------------------------- HTML

HTML = """\
<!DOCTYPE html>
<html><head><meta charset="gbk"><title>站点标题 - 朝阳日报</title>
<style>p { color: red }</style><script>var x = "脚本";</script></head>
<body>
<header><h1>朝阳日报网</h1></header>
<nav><a href="/">首页</a> <a href="/news">新闻</a></nav>
<article>
  <h1>朝阳7家省级开发区
      何以强势崛起</h1>
  <p>第一段，<b>加粗</b>与<a href="x">链接</a>。</p>
  <div><p>第二段</p>尾巴<br>换行</div>
  <!-- 注释 -->
  <form><input name="q"> 搜索</form>
  <aside>相关阅读</aside>
  <script>document.write("脚本")</script>
</article>
<footer>版权所有</footer>
</body></html>
"""


def test_html_article_text_without_page_furniture(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(HTML.encode("gbk"))
    article = only_article(path)
    assert article.id == "page"
    assert article.title == "朝阳7家省级开发区 何以强势崛起"
    assert article.body == "朝阳7家省级开发区 何以强势崛起\n\n第一段，加粗与链接。\n\n第二段\n\n尾巴\n换行"


def test_html_title_falls_back_to_title_element(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text(
        "<html><head><title> 营商环境优 发展势头足 </title></head>"
        "<body><div>正文一</div><div>正文二</div><footer>页脚</footer></body></html>",
        encoding="utf-8",
    )
    article = only_article(path)
    assert article.title == "营商环境优 发展势头足"
    assert article.body == "正文一\n\n正文二"


def test_html_heading_outside_page_header_and_deep_nesting(tmp_path):
    path = tmp_path / "old.html"
    path.write_text(
        "<html><body><header><h1>朝阳日报网</h1></header><div><h1>正题</h1>"
        + "<font color=red>字" * 3000  # unclosed, as old pages have them: nested 3,000 deep
        + "<p>结尾</p></div></body></html>",
        encoding="utf-8",
    )
    article = only_article(path)
    assert article.title == "正题"
    assert article.body == "正题\n\n" + "字" * 3000 + "\n\n结尾"


def test_html_without_text_is_skipped(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>菜单</nav><script>x()</script></body></html>", encoding="utf-8")
    assert only_skipped(path).reason == "no article text"


# ---------------------------------------------------------------------------------------------- JSON Lines

RECORDS = [
    {
        "id": "a1",
        "title": "标题一",
        "body": "正文一",
        "date": "2016-05-03",
        "source": "https://example.com/1",
        "zone": "北票经济开发区",
        "year": 2016,
        "industry": ["装备制造", "新材料"],
    },
    {
        "id": 2,
        "body": "核心提示\n营商环境优 发展势头足\n正文",
        "date": "2021-07",
        "zone": ["凌源", "建平"],
        "year": "2021",
        "industry": "有色金属",
        "category": "ignored",
    },
    {"id": "a3", "title": "只有年份", "body": "正文三", "date": "2009"},
]


@pytest.mark.parametrize("name", ["news.jsonl", "news.jsonl.gz", "news.jsonl.xz"])
def test_jsonl_with_explicit_metadata(tmp_path, name):
    path = write_jsonl(tmp_path / name, RECORDS)
    found, skipped = read(path)
    assert skipped == []
    assert found == [
        Article(
            id="a1",
            title="标题一",
            body="正文一",
            path=str(path),
            date="2016-05-03",
            source="https://example.com/1",
            zones=["北票经济开发区"],
            year=2016,
            industries=["装备制造", "新材料"],
        ),
        Article(
            id="2",
            title="营商环境优 发展势头足",
            body="核心提示\n营商环境优 发展势头足\n正文",
            path=str(path),
            date="2021-07",
            zones=["凌源", "建平"],
            year=2021,
            industries=["有色金属"],
        ),
        Article(id="a3", title="只有年份", body="正文三", path=str(path), date="2009"),
    ]


def test_jsonl_bad_lines_are_skipped_with_their_line_numbers(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps({"id": "ok1", "body": "正文"}),
        '{"id": "broken", "body": ',
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "nobody", "title": "无正文"}),
        json.dumps({"id": "blank", "body": "   "}),
        json.dumps({"title": "无编号", "body": "正文"}),
        json.dumps({"id": "ok2", "body": "正文二"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found, skipped = read(path)
    assert [a.id for a in found] == ["ok1", "ok2"]
    assert [(s.path, s.line) for s in skipped] == [(str(path), n) for n in (2, 4, 5, 6, 7)]
    assert skipped[0].reason.startswith("not JSON")
    assert skipped[1].reason == "not a JSON object but list"
    assert skipped[2].reason == skipped[3].reason == "no body"
    assert skipped[4].reason == "no id"
    assert str(skipped[0]) == f"{path}:2: {skipped[0].reason}"


def test_truncated_archive_keeps_what_was_read(tmp_path):
    path = write_jsonl(tmp_path / "cut.jsonl.gz", [{"id": f"n{i}", "body": "正文" * 50} for i in range(200)])
    path.write_bytes(path.read_bytes()[:-200])
    found, skipped = read(path)
    assert len(found) > 0
    assert [s.reason.startswith("cannot read") for s in skipped] == [True]


# ---------------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n", "\ufeff \n".encode("utf-8")])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert only_skipped(path) == Skipped(str(path), "empty file")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        bytes(range(1, 32)) * 40,
        bytes(range(128, 256)) * 10,
    ],
)
def test_binary_file_cannot_be_decoded(tmp_path, content):
    path = tmp_path / "image.txt"
    path.write_bytes(content)
    assert only_skipped(path).reason.startswith("cannot decode")


def test_oversized_file(tmp_path, monkeypatch):
    monkeypatch.setattr(articles, "MAX_DOCUMENT_BYTES", 100)
    path = tmp_path / "huge.txt"
    path.write_text("正文" * 100, encoding="utf-8")
    assert "too large" in only_skipped(path).reason
    small = tmp_path / "small.txt"
    small.write_text("正文", encoding="utf-8")
    assert only_article(small).body == "正文"


def test_unsupported_type_skipped_when_named_ignored_in_folder(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "notes.txt").write_text("笔记", encoding="utf-8")
    assert only_skipped(tmp_path / "report.pdf").reason == "unsupported file type '.pdf'"
    assert only_article(tmp_path).id == "notes"


def test_missing_path(tmp_path):
    assert only_skipped(tmp_path / "nope.txt").reason == "no such file or folder"


def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("正文", encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions do not stop reading")
        assert only_skipped(path).reason.startswith("cannot read")
    finally:
        path.chmod(0o644)


# ---------------------------------------------------------------------------------------------- folders, ids


def test_folders_are_read_recursively_in_order_and_duplicate_ids_skipped(tmp_path):
    for name, text in [
        ("b/x.txt", "乙"),
        ("a/x.txt", "甲"),
        ("a/sub/y.md", "# 丙"),
        ("a/z.htm", "<p>丁</p>"),
        (".git/w.txt", "隐藏"),
        ("a/ignored.csv", "1,2"),
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    write_jsonl(tmp_path / "c.jsonl", [{"id": "j", "body": "一"}, {"id": "y", "body": "二"}, {"id": "j", "body": "三"}])

    found = list(read_articles([tmp_path, tmp_path / "a" / "x.txt"]))
    assert [(a.id, a.body) for a in found if isinstance(a, Article)] == [
        ("y", "丙"),
        ("x", "甲"),
        ("z", "丁"),
        ("j", "一"),
    ]
    assert [str(s) for s in found if isinstance(s, Skipped)] == [
        f"{tmp_path / 'b/x.txt'}: duplicate id 'x' (first in {tmp_path / 'a/x.txt'})",
        f"{tmp_path / 'c.jsonl'}:2: duplicate id 'y' (first in {tmp_path / 'a/sub/y.md'})",
        f"{tmp_path / 'c.jsonl'}:3: duplicate id 'j' (first in {tmp_path / 'c.jsonl'}:1)",
    ]
    assert list(read_articles([tmp_path])) == list(read_articles([str(tmp_path)]))
