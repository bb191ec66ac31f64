"""The Whoosh index: its schema, and building or updating it from article files.

Analysis happens before Whoosh sees the text (`indexer.analysis`): fields hold space-separated tokens, so a
token's position is its number and phrases work, and nothing of ours is pickled into the index.

Updates are incremental and crash-safe: each article carries a hash of its content and of the rules that
analysed it; only new or changed articles are written, vanished ones are deleted, and everything lands in
one Whoosh commit (a new table of contents written last), so a killed indexer leaves the previous index.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pathlib
import time
from collections.abc import Callable, Iterable

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.writing import CLEAR

from . import analysis, metadata
from .articles import Article, Skipped, read_articles
from .errors import SearchError

FACETS = ("zone", "year", "industry")
_TOKENS = SpaceSeparatedTokenizer()

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    # Ranking fields: jieba words of the headline (weighted above the body, BM25F) and of the whole article.
    title_words=TEXT(analyzer=_TOKENS, field_boost=3.0),
    words=TEXT(analyzer=_TOKENS),
    # Recall field: character bigrams (`analysis.grams`); phrase positions make any typed run findable.
    grams=TEXT(analyzer=_TOKENS),
    zone=KEYWORD(stored=True, commas=True),
    year=ID(stored=True),
    industry=KEYWORD(stored=True, commas=True),
    # "YYYY-MM-DD", "YYYY" or "": sorts newest first.
    sortdate=ID(stored=True, sortable=True),
    title=STORED,
    body=STORED,
    date=STORED,
    source=STORED,
    path=ID(stored=True),
    hash=ID(stored=True),
)


@dataclasses.dataclass
class Report:
    """What an update did."""

    added: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = dataclasses.field(default_factory=list)
    inferred_years: dict[str, int | None] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
                f"{self.unchanged} unchanged, {len(self.skipped)} skipped in {self.seconds:.1f} s")


class IndexBusy(SearchError):
    """Another indexer holds the index's write lock."""


def exists(index_dir: str | os.PathLike) -> bool:
    """Whether `index_dir` holds a Whoosh index."""
    return pathlib.Path(index_dir).is_dir() and whoosh_index.exists_in(str(index_dir))


def open_index(index_dir: str | os.PathLike):
    """Open the index, or say clearly that there is none."""
    if not exists(index_dir):
        raise SearchError(f"No index in {index_dir}: run `search index` first.")
    return whoosh_index.open_dir(str(index_dir))


@functools.cache
def rules_version() -> str:
    """A hash of every data file that shapes analysis and extraction: editing one re-indexes all articles."""
    digest = hashlib.sha1()
    for path in sorted(analysis.DATA.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def content_hash(article: Article, catalog_entry: dict | None) -> str:
    """Identifies an article's content, its catalog entry and the rules that analyse it."""
    payload = json.dumps([dataclasses.asdict(article) | {"path": None}, catalog_entry, rules_version()],
                         ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def document(article: Article, catalog_entry: dict | None, digest: str) -> tuple[dict, metadata.Metadata]:
    """The fields Whoosh stores for `article`, and its extracted metadata."""
    entry = catalog_entry or {}
    title = entry.get("title") or article.title
    meta = metadata.extract(article, entry)
    date = entry.get("date") or article.date or ""
    text = analysis.clean(article.body)
    fields = {
        "id": article.id,
        "title_words": " ".join(analysis.words(title)),
        "words": " ".join(analysis.words(text)),
        "grams": " ".join(analysis.grams(analysis.clean(title)) + analysis.grams(text)),
        "zone": ",".join(meta.zones),
        "year": str(meta.year or ""),
        "industry": ",".join(meta.industries),
        "sortdate": str(date or meta.year or ""),
        "title": title,
        "body": article.body,
        "date": date or None,
        "source": entry.get("source") or article.source,
        "path": article.path,
        "hash": digest,
    }
    return fields, meta


def _catalogs(paths: Iterable[pathlib.Path]) -> dict[str, dict]:
    catalog: dict[str, dict] = {}
    for path in paths:
        catalog.update(metadata.load_catalog(path if path.is_dir() else path.parent))
    return catalog


def _is_under(path: str, roots: list[pathlib.Path]) -> bool:
    resolved = pathlib.Path(path).resolve()
    return any(resolved == root or root in resolved.parents for root in roots)


def update(index_dir: str | os.PathLike, paths: Iterable[str | os.PathLike], *, rebuild: bool = False,
           wait: float = 10.0, progress: Callable[[Article], None] | None = None) -> Report:
    """Bring the index in `index_dir` up to date with the articles under `paths`.

    New and changed articles are (re)written, articles whose source vanished are removed, the rest are
    left alone; `rebuild` writes every article into a fresh index. Waits up to `wait` seconds for another
    writer to finish, then raises `IndexBusy`. `progress` is called once per article read.
    """
    started = time.perf_counter()
    roots = [pathlib.Path(p) for p in paths]
    for root in roots:
        if not root.exists():
            raise SearchError(f"No such file or folder: {root}")
    index_dir = pathlib.Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.open_dir(str(index_dir)) if exists(index_dir) else whoosh_index.create_in(str(index_dir), SCHEMA)
    try:
        writer = ix.writer(timeout=wait)
    except LockError:
        raise IndexBusy(f"Another indexer is updating {index_dir}; try again when it has finished.") from None
    report = Report()
    try:
        with ix.searcher() as searcher:
            known = {} if rebuild else {f["id"]: (f["hash"], f["path"]) for f in searcher.all_stored_fields()}
        catalog = _catalogs(roots)
        seen: set[str] = set()
        for item in read_articles(roots):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            if progress:
                progress(item)
            seen.add(item.id)
            entry = catalog.get(item.id)
            digest = content_hash(item, entry)
            old = known.get(item.id)
            if old and old[0] == digest:
                report.unchanged += 1
                continue
            fields, meta = document(item, entry, digest)
            writer.update_document(**fields)
            (report.updated if old else report.added).append(item.id)
            if meta.year_inferred:
                report.inferred_years[item.id] = meta.year
        resolved_roots = [r.resolve() for r in roots]
        for doc_id, (_, path) in known.items():
            if doc_id not in seen and (_is_under(path, resolved_roots) or not pathlib.Path(path).exists()):
                writer.delete_by_term("id", doc_id)
                report.removed.append(doc_id)
        if rebuild:
            writer.commit(mergetype=CLEAR)
        else:
            writer.commit()
    except BaseException:
        writer.cancel()
        raise
    report.seconds = time.perf_counter() - started
    return report
