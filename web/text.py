"""The engine's text as the page shows it: snippets with their matches marked and their paragraph breaks
visible, and source URLs as links. The engine never returns markup; everything it gives is escaped here."""

from __future__ import annotations

import functools
import html
import urllib.parse

from markupsafe import Markup

from indexer.snippets import Snippet

# A paragraph break inside a snippet: a faint pilcrow between the two paragraphs' text (not glued together).
PARAGRAPH_BREAK = '<span class="para-break" aria-hidden="true">¶</span>'


def _mark(text: str, exact: bool) -> str:
    return f"<mark>{html.escape(text)}</mark>" if exact else f'<mark class="partial">{html.escape(text)}</mark>'


def marked(snippet: Snippet, first_id: str | None = None) -> Markup:
    """A snippet as HTML: text escaped, matches in `<mark>` (class "partial" for a partial match), paragraph
    breaks shown. With `first_id`, the first exact match (else the first match) gets that id."""
    html_text = snippet.render(_mark, html.escape, paragraph=PARAGRAPH_BREAK)
    if first_id:
        target = "<mark>" if snippet.count(True) else '<mark class="partial">'
        html_text = html_text.replace(target, target[:5] + f' id="{first_id}"' + target[5:], 1)
    return Markup(html_text)


def plain(snippet: Snippet) -> str:
    """A snippet as plain text (feeds): matches unmarked, paragraph breaks as a pilcrow."""
    return snippet.render(lambda text, exact: text, paragraph=" ¶ ")


# Characters a web address never holds as typed (RFC 3986): a source with them is shown as text, not linked.
_NOT_IN_URLS = frozenset('<>"{}|\\^`')


@functools.lru_cache(maxsize=4096)  # a function of the string alone; sources recur across hits and pages
def source_url(source: str | None) -> str | None:
    """The source if it is a web address a link may point to (http or https), else None."""
    if not source:
        return None
    source = source.strip()
    parts = urllib.parse.urlsplit(source)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in _NOT_IN_URLS or c.isspace() or not c.isprintable() for c in source):
        return None
    return source
