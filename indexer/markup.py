"""The headline and text of a one-article file: plain text, Markdown (its markup stripped) and HTML (the
article without the page's furniture). `articles.py` reads the files and decodes them.

>>> headline(["", "本报记者 王明", "营商环境优   发展势头足", "正文"])
'营商环境优 发展势头足'
"""

from __future__ import annotations

import pathlib
import re
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .record import Article

# bs4 is imported where HTML is read: a search does not need it.
if TYPE_CHECKING:
    import bs4

# Lines that open an article but are not its headline: a kicker that leads into the headline ("…——"),
# a subtitle ("——…"), a summary box, a byline.
_NOT_HEADLINE = re.compile(r"^(——|—|核心提示|引子|本报记者|本报讯|记者)|(——|—|:|：)$")


def headline(lines: Iterable[str]) -> str:
    """The first meaningful line: kickers, subtitles, summary labels and bylines are passed over.

    A headline's inner spaces separate its phrases (营商环境优 发展势头足), so they are kept.
    """
    candidates = [c for c in (" ".join(line.split()) for line in lines) if c]
    for line in candidates:
        if not _NOT_HEADLINE.search(line):
            return line
    return candidates[0] if candidates else ""


def read_text_article(path: pathlib.Path, text: str) -> Article:
    """A plain-text article: the headline is its first meaningful line; the id is the file name's stem."""
    lines = text.splitlines()
    return Article(id=path.stem, title=headline(lines[:12]), body=text.strip(), path=str(path))


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_LINE_MARKUP = [
    (re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$"), r"\1"),  # heading, with any closing hashes
    (re.compile(r"^\s{0,3}([-*_=]\s*){3,}$"), ""),  # rule, or setext heading underline
    (re.compile(r"^\s{0,3}(>\s?)+"), ""),  # block quote
    (re.compile(r"^\s*([-*+]|\d+[.)])\s+"), ""),  # list item marker
    (re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$"), ""),  # link reference definition
]
_MD_INLINE_MARKUP = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]"), ""),  # image
    (re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]"), r"\1\2"),  # link → its text
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # autolink
    (re.compile(r"(`+)(.+?)\1"), r"\2"),  # inline code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strikethrough
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),  # emphasis
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # emphasis; snake_case words stay
]


def _strip_markdown_line(line: str) -> str:
    """One line of Markdown prose without its markup."""
    for pattern, replacement in _MD_LINE_MARKUP + _MD_INLINE_MARKUP:
        line = pattern.sub(replacement, line)
    return line.strip()


def read_markdown_article(path: pathlib.Path, text: str) -> Article:
    """A Markdown article: the title is its first `# ` heading, else its headline; the body is plain text."""
    title = ""
    lines: list[str] = []
    in_code = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
        elif in_code:
            lines.append(line)  # code is shown as it is: its `*` and `_` are not emphasis
        else:
            if not title and re.match(r"^\s{0,3}#\s", line):
                title = " ".join(_strip_markdown_line(line).split())
            lines.append(_strip_markdown_line(line))
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Article(id=path.stem, title=title or headline(body.splitlines()[:12]), body=body, path=str(path))


# Elements that are page furniture, not the article.
_HTML_DROPPED = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form"}
_HTML_BLOCKS = {
    "address",
    "article",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}


def _html_chunks(root: bs4.Tag) -> Iterator[str]:
    """The text under `root` with paragraph breaks ("\\n\\n") around blocks and "\\n" for `<br>`.

    The walk keeps its own stack: old pages nest unclosed `<font>`s deeper than Python's recursion limit.
    """
    import bs4

    stack: list[tuple[Iterator[bs4.PageElement], str]] = [(iter(root.children), "")]
    while stack:
        children, closing = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield closing
        elif isinstance(child, bs4.Tag) and child.name == "br":
            yield "\n"
        elif isinstance(child, bs4.Tag) and child.name not in _HTML_DROPPED:
            paragraph_break = "\n\n" if child.name in _HTML_BLOCKS else ""
            yield paragraph_break
            stack.append((iter(child.children), paragraph_break))
        elif type(child) is bs4.NavigableString:  # not comments, doctypes or CDATA
            yield re.sub(r"\s+", " ", child)


def _html_text(node: bs4.Tag) -> str:
    """The paragraphs of the text under `node`, separated by blank lines."""
    paragraphs = re.split(r"\n\s*\n", "".join(_html_chunks(node)))
    lines = ("\n".join(" ".join(line.split()) for line in p.split("\n") if line.strip()) for p in paragraphs)
    return "\n\n".join(p for p in lines if p)


def read_html_article(path: pathlib.Path, text: str) -> Article:
    """An HTML page's article: the text of `<article>` (else `<main>`, else `<body>`) without page furniture.

    The title is the first `<h1>` (preferring one outside page furniture), else `<title>`, else the headline.
    """
    import bs4

    with warnings.catch_warnings():
        # Bytes that look like a file name or an XHTML page parse fine; the warnings are for library callers.
        warnings.simplefilter("ignore", bs4.MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", bs4.XMLParsedAsHTMLWarning)
        soup = bs4.BeautifulSoup(text, "html.parser")
    root = soup.find("article") or soup.find("main") or soup.body or soup
    h1s = root.find_all("h1") or soup.find_all("h1")
    h1 = next((h for h in h1s if not h.find_parent(_HTML_DROPPED)), h1s[0] if h1s else None)
    heading = h1 or soup.title
    title = " ".join(heading.get_text(" ").split()) if heading else ""
    body = _html_text(root)
    return Article(id=path.stem, title=title or headline(body.splitlines()[:12]), body=body, path=str(path))
