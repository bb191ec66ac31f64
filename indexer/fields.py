"""What the index holds for an article: its fields (the schema), the scoring, and `document()`, which
analyses an article into them.

Analysis happens before Whoosh sees the text (`indexer.analysis`): token fields are lists of tokens (Whoosh's
writer would take them joined by spaces), so a token's position is its number and phrases work, and nothing
of ours is pickled into the index but the field formats of `indexer.codec`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json

from whoosh import scoring
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Existence

from . import analysis, codec, metadata, record
from .record import Article

# Bump when `document` or the readers index the same source differently: every article is re-indexed.
DOCUMENT_VERSION = 4
# Headline words weigh this much more than body words (BM25F).
TITLE_BOOST = 3.0


def _tokens(fmt) -> TEXT:
    """A field of space-separated tokens (analysis happens before Whoosh sees the text) in format `fmt`."""
    field = TEXT(analyzer=codec.TOKENIZER)
    field.format = fmt
    return field


def make_schema() -> Schema:
    """The index's fields: the token streams of `indexer.analysis`, the facets and stored fields of
    `indexer.record`, the sort key and what updates need."""
    fields = {
        "id": ID(stored=True, unique=True),
        # Ranking: jieba words of the headline (weighted above the body, BM25F) and of the whole article.
        "title_words": _tokens(codec.WordFrequency(field_boost=TITLE_BOOST)),
        "words": _tokens(codec.WordFrequency()),
        # Recall: character bigrams of the stream, with positions, so any typed string is a phrase of them;
        # the headline's alone too (intitle:, and a headline typed whole ranks its article first).
        "grams": _tokens(codec.GramPositions()),
        "title_grams": _tokens(codec.GramPositions()),
        # A query of one character: the characters of the stream.
        "chars": _tokens(Existence()),
        # "YYYY-MM-DD", "YYYY" or "": sorts newest first.
        "sortdate": ID(sortable=True),
        # What an update needs of every article, "hash\0path\0id" in UTF-8: a column, read for all articles at
        # once without unpickling their stored bodies.
        "ingest": COLUMN(),
    }
    for facet in record.FACETS:
        stored = facet.attribute != "site"  # a source's site is derived from the stored source
        fields[facet.name] = KEYWORD(stored=stored, commas=True) if facet.multiple else ID(stored=stored)
    for name in record.STORED:
        fields.setdefault(name, STORED())
    return Schema(**fields)


SCHEMA = make_schema()
# Whoosh's BM25F; a verbatim match (a phrase of grams) is penalised less for a long article than a word is.
WEIGHTING = scoring.BM25F(grams_B=0.3, title_grams_B=0.3)
FACETS = record.FACET_NAMES


@functools.cache
def rules_version() -> str:
    """A hash of every data file that shapes analysis and extraction (not those read only at query time, such
    as readings), and of `DOCUMENT_VERSION`: editing one re-indexes all articles."""
    digest = hashlib.sha1(f"document v{DOCUMENT_VERSION}\0".encode())
    for path in sorted(analysis.INDEXING_DATA + metadata.INDEXING_DATA):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def content_hash(article: Article, catalog_entry: dict | None) -> str:
    """Identifies what an article is indexed from: its source (the digest `read_articles` gives it, of the
    rules version, its path and its bytes) and its catalog entry. Without a catalog entry it is the source's
    digest itself, so an update can recognise an unchanged source before parsing it."""
    digest = article.digest
    if not digest:  # an article made by hand rather than read
        payload = json.dumps([rules_version(), dataclasses.asdict(article)], ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()
    if catalog_entry is None:
        return digest
    entry = json.dumps(catalog_entry, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(f"{digest}\0{entry}".encode()).hexdigest()


def document(article: Article, catalog_entry: dict | None, digest: str) -> tuple[dict, metadata.Metadata]:
    """The fields Whoosh indexes and stores for `article`, and its extracted metadata.

    A pure function of picklable inputs: articles can be analysed in worker processes.
    """
    entry = catalog_entry or {}
    title = entry.get("title") or article.title
    text = analysis.clean(article.body)
    # One segmentation of each text, for the words indexed and the word boundaries metadata matches on.
    title_words, title_spans = analysis.cut(analysis.clean(title))
    body_words, body_spans = analysis.cut(text)
    if title != article.title:
        title_spans = analysis.word_spans(analysis.clean(article.title))
    meta = metadata.extract(article, entry, spans=(title_spans, body_spans))
    date = entry.get("date") or article.date or ""
    indexed = dataclasses.replace(
        article,
        title=title,
        date=date or None,
        source=entry.get("source") or article.source,
        zones=meta.zones,
        year=meta.year,
        industries=meta.industries,
        companies=meta.companies,
    )
    fields = {
        **record.stored_fields(indexed),
        # token lists (`segment.SegmentBuilder` takes them as Whoosh's writer takes them joined by spaces)
        "title_words": title_words,
        "words": body_words,
        "grams": analysis.grams(title, text),
        "title_grams": analysis.grams(title),
        "chars": analysis.chars(title, text),
        "sortdate": str(date or meta.year or ""),
        "ingest": f"{digest}\0{article.path}\0{article.id}".encode("utf-8", "surrogateescape"),
    }
    for facet in record.FACETS:
        fields[facet.name] = ",".join(v.replace(",", " ") for v in record.facet_values(indexed, facet))
    return fields, meta


def same_schema(a: Schema, b: Schema) -> bool:
    """Whether two schemas index, store and score alike (an index of another schema must be rebuilt)."""

    def shape(schema: Schema) -> list:
        return [
            (
                name,
                type(f),
                type(f.format),
                getattr(f.format, "field_boost", None),
                f.stored,
                f.scorable,
                f.unique,
                type(f.column_type),
            )
            for name, f in sorted(schema.items())
        ]

    return shape(a) == shape(b)
