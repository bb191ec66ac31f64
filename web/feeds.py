"""Following a search from elsewhere: its Atom feed (`/search.atom`, the page's parameters) and the site's
OpenSearch description (`/opensearch.xml`), so a browser can search it from the address bar.

The feed lists the newest matching articles whatever the page's sort (`FEED_SIZE`, 20). Each entry's id is a
tag URI made of the site's name (`TAG_AUTHORITY`, default: the request's host), a date (`TAG_DATE`) and the
article's id, so it survives a re-index. Its `updated` is the article's date (and time, if given) in China's
time zone (a month alone: its first day); an article with a year but no date is dated January 1 of its year;
one with neither, 1970-01-01T00:00Z (a fixed instant, so that readers never take it for new again). The feed's
`updated` is its newest entry's.

Written with the standard library's ElementTree, which escapes every text and attribute. (feedgen 1.0 was
tried first: it drops the `rel` and `type` of an entry's links, so a link to the source would read as the
entry's own page.)
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
import xml.etree.ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for

from indexer.errors import SearchError
from indexer.record import Article
from indexer.search import Results, search

from . import get_index
from .errors import error_response
from .state import FIELDS, State, year_label, zone_short
from .text import plain, source_url

bp = Blueprint("feeds", __name__)

CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")
UNDATED = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
# "2023-06-30", "2023-06-30 08:15[:00]", "2023-06" (the first of the month); also with / . or 年月日.
_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?)?")
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
SUGGEST_PATH = "/api/suggest"


def updated(article: Article) -> datetime.datetime:
    """When an article was published, as the feed says it (see the module's docstring for undated ones)."""
    m = _DATE.match(article.date or "")
    if m:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        d = d or 1
        try:
            return datetime.datetime(y, mo, d, h, mi, s, tzinfo=CHINA)
        except ValueError:
            pass
    if article.year:
        return datetime.datetime(article.year, 1, 1, tzinfo=CHINA)
    return UNDATED


def tag_uri(specific: str) -> str:
    """`tag:host,date:specific` (RFC 4151), the specific part percent-encoded."""
    authority = current_app.config["TAG_AUTHORITY"] or request.host.rsplit(":", 1)[0].strip("[]")
    return f"tag:{authority},{current_app.config['TAG_DATE']}:{urllib.parse.quote(specific, safe='/=&?%')}"


def describe(state: State) -> str:
    """What a search is about, in a few words: “凌钢” · 凌源 · 2020 年."""
    parts = [f"“{state.q}”"] if state.q else []
    for field in FIELDS:
        for value in state.filters.get(field):
            parts.append(zone_short(value) if field == "zone" else year_label(value) if field == "year" else value)
    return " · ".join(parts)


@bp.get("/search.atom", endpoint="atom")
def atom():
    """The newest articles of a search as an Atom feed."""
    try:
        state = State.from_args(request.args)
        results = search(
            get_index(),
            state.q,
            state.filters,
            per_page=current_app.config["FEED_SIZE"],
            sort="date",
            browse_all=True,
            budget=current_app.config["SEARCH_BUDGET"],
        )
    except SearchError as exc:
        return error_response(400, exc)
    return Response(atom_xml(state, results), mimetype="application/atom+xml")


def atom_xml(state: State, results: Results) -> bytes:
    """The feed of `results` (newest first), for the search `state` describes."""
    site = current_app.config["SITE_TITLE"]
    about = describe(state)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: "zh-CN"})
    _add(feed, "id", tag_uri("search?" + urllib.parse.urlencode(state.params(sort="relevance"), doseq=True)))
    _add(feed, "title", f"{about} · {site}" if about else f"最新文章 · {site}")
    _add(feed, "subtitle", f"{about}的最新文章" if about else current_app.config["SITE_TAGLINE"])
    newest = max((updated(hit.article) for hit in results.hits), default=UNDATED)
    _add(feed, "updated", newest.isoformat())
    _add(_add(feed, "author"), "name", site)
    _add(
        feed,
        "link",
        href=state.url("feeds.atom", _external=True, sort="relevance"),
        rel="self",
        type="application/atom+xml",
    )
    _add(feed, "link", href=state.url(_external=True, sort="relevance"), rel="alternate", type="text/html")
    _add(feed, "generator", "chaoyang-search")
    for hit in results.hits:
        article = hit.article
        when = updated(article).isoformat()
        source = source_url(article.source)
        entry = _add(feed, "entry")
        _add(entry, "id", tag_uri(f"article/{article.id}"))
        _add(entry, "title", article.title or article.id)
        _add(entry, "updated", when)
        _add(entry, "published", when)
        _add(entry, "link", href=state.doc_url(article.id, _external=True), rel="alternate", type="text/html")
        if source:
            _add(entry, "link", href=source, rel="via")
        if article.site:
            author = _add(entry, "author")
            _add(author, "name", article.site)
            if source:
                _add(author, "uri", source)
        _add(entry, "summary", plain(hit.snippet), type="text")
        for zone in article.zones or []:
            _add(entry, "category", term=zone, label=zone_short(zone))
        for industry in article.industries or []:
            _add(entry, "category", term=industry)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A child element (in the root's namespace); ElementTree escapes its text and attributes."""
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


@bp.get("/opensearch.xml", endpoint="opensearch")
def opensearch():
    """The OpenSearch description: the search page's URL template and, where the app has the suggestion
    endpoint, its suggestions URL; absolute URLs on the host the request came to."""
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH_NS)

    def add(tag: str, text: str | None = None, **attrs) -> ET.Element:
        element = ET.SubElement(root, tag, {k: str(v) for k, v in attrs.items()})
        element.text = text
        return element

    site = current_app.config["SITE_TITLE"]
    add("ShortName", site[:16])  # the specification's limit
    add("Description", current_app.config["SITE_TAGLINE"][:1024] or site)
    add("InputEncoding", "UTF-8")
    add("Language", "zh-CN")
    add("Image", url_for("static", filename="favicon.svg", _external=True), width=64, height=64, type="image/svg+xml")
    home = url_for("search.index", _external=True)
    add("Url", type="text/html", method="get", template=f"{home}?q={{searchTerms}}")
    if any(rule.rule == SUGGEST_PATH for rule in current_app.url_map.iter_rules()):
        add(
            "Url",
            type="application/x-suggestions+json",
            method="get",
            template=f"{request.host_url.rstrip('/')}{SUGGEST_PATH}?q={{searchTerms}}&format=opensearch",
        )
    add(
        "Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=url_for("feeds.opensearch", _external=True),
    )
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(xml, mimetype="application/opensearchdescription+xml")
