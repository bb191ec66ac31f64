"""The Whoosh index: opening it, and building or updating it from article files (what it holds for each
article: `indexer.fields`).

Updates are incremental: each article carries a hash of its source and of the rules that analysed it (kept in
a column, so all of them load in a fraction of a second); only new or changed articles are written, vanished
ones are deleted, and a source whose digest is already indexed is not even parsed.

New and changed articles are analysed and written by `indexer.build`: in worker processes on every core when
there are many (a rebuild), straight into segments of Whoosh's own format, which join the index in the
update's one commit.

Updates are crash-safe: everything lands in one Whoosh commit, whose table of contents is written to a
temporary file and renamed into place last, so a writer killed at any moment (or stopped by a full disk)
leaves the previous index; what it left behind is removed by the next update. One writer at a time: the
others wait a bounded time for Whoosh's write lock. Searchers keep the generation they opened until they
refresh (`indexer.search.Index` does so when a commit lands).
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import shutil
import time
from collections.abc import Callable, Iterable

from whoosh.util import random_name
from whoosh.util.filelock import try_for
from whoosh.writing import CLEAR

from . import build, codec, metadata
from .articles import Meter, Skipped, Unchanged, read_articles
from .errors import SearchError
from .fields import SCHEMA, WEIGHTING, content_hash, document, rules_version, same_schema

__all__ = [
    "SCHEMA",
    "WEIGHTING",
    "IndexBusy",
    "Report",
    "content_hash",
    "document",
    "exists",
    "open_index",
    "rules_version",
    "update",
]

_INDEX_NAME = codec.INDEX_NAME
_LOCK_NAME = f"{_INDEX_NAME}_WRITELOCK"
# What a killed writer leaves besides segment files: its temporary folder and a half-written TOC.
_TEMP_FOLDER = f"{_INDEX_NAME}.tmp"
_TEMP_TOC = re.compile(rf"^_{_INDEX_NAME}_\d+\.toc\.")


@dataclasses.dataclass
class Report:
    """What an update did."""

    added: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = dataclasses.field(default_factory=list)
    inferred_years: dict[str, int | None] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped in {self.seconds:.1f} s"
        )


class IndexBusy(SearchError):
    """Another indexer holds the index's write lock."""


def _generation(index_dir: str | os.PathLike) -> int:
    """The latest committed generation of the index in `index_dir`; -1 when there is none."""
    path = pathlib.Path(index_dir)
    if not path.is_dir():
        return -1
    return codec.latest_generation(codec.MappedStorage(str(path)))


def exists(index_dir: str | os.PathLike) -> bool:
    """Whether `index_dir` holds an index: one update committed (a first build killed midway leaves none)."""
    return _generation(index_dir) >= 1


def open_index(index_dir: str | os.PathLike):
    """Open the index, or say clearly that there is none."""
    if not exists(index_dir):
        raise SearchError("No index in {index_dir}: run `search index` first.", index_dir=index_dir)
    return codec.MappedStorage(str(index_dir)).open_index(_INDEX_NAME)


@dataclasses.dataclass(frozen=True)
class Indexed:
    """What the index knows of one article: its content hash, its source path and its document number."""

    hash: str
    path: str
    docnum: int


def indexed(storage, segments: list) -> dict[str, Indexed]:
    """Every live article in `segments` (of the index in `storage`), by id, from the `ingest` column alone
    (a full reader would also load the term index, and stored fields are never unpickled)."""
    found: dict[str, Indexed] = {}
    for docnum, _, value in codec.column_values(storage, segments, "ingest", SCHEMA["ingest"].column_type):
        digest, path, doc_id = value.decode("utf-8", "surrogateescape").split("\0", 2)
        found[doc_id] = Indexed(digest, path, docnum)
    return found


def _indexed_before_columns(reader) -> dict[str, Indexed]:
    """`indexed` for an index made before the `ingest` column, from the stored fields (slow: every stored
    body is unpickled)."""
    return {
        fields["id"]: Indexed(fields.get("hash", ""), fields.get("path", ""), docnum)
        for docnum, fields in ((n, reader.stored_fields(n)) for n in reader.all_doc_ids())
    }


def _catalogs(paths: Iterable[pathlib.Path]) -> dict[str, dict]:
    catalog: dict[str, dict] = {}
    for path in paths:
        catalog.update(metadata.load_catalog(path if path.is_dir() else path.parent))
    return catalog


def _vanished(roots: list[pathlib.Path]) -> Callable[[str], bool]:
    """Whether an indexed article not read in this update has vanished: its source is under the paths read
    (so it was looked for), or is gone."""
    prefixes = [str(root) for root in roots]
    cache: dict[str, bool] = {}

    def vanished(path: str) -> bool:
        if path not in cache:
            absolute = os.path.abspath(path) if path else ""
            cache[path] = (
                not absolute
                or not os.path.exists(absolute)
                or any(absolute == prefix or absolute.startswith(prefix.rstrip(os.sep) + os.sep) for prefix in prefixes)
            )
        return cache[path]

    return vanished


class _Storage(codec.MappedStorage):
    """Whoosh's file storage, remembering the files it opens: a failed update closes them all, whatever
    state the writer was left in (even half-constructed)."""

    def __init__(self, path: str, opened: list | None = None):
        super().__init__(path)
        self.opened: list = [] if opened is None else opened

    def create_file(self, name, *args, **kwargs):
        file = super().create_file(name, *args, **kwargs)
        self.opened.append(file)
        return file

    def open_file(self, name, *args, **kwargs):
        file = super().open_file(name, *args, **kwargs)
        self.opened.append(file)
        return file

    def temp_storage(self, name=None):
        return _Storage(os.path.join(self.folder, name or f"{random_name()}.tmp"), self.opened).create()

    def close_all(self) -> None:
        for file in self.opened:
            if not file.is_closed:
                try:
                    file.close()
                except Exception:
                    try:
                        file.file.close()
                    except Exception:
                        pass
        self.opened.clear()


def _remove_leftovers(storage) -> None:
    """Remove what killed or failed writers left: segment files no table of contents lists, half-written
    tables of contents, the writer's temporary folder. Called holding the write lock, so no live writer owns
    them; readers keep the files they have open (POSIX)."""
    codec.remove_unlisted(storage)
    for name in storage.list():
        if _TEMP_TOC.match(name):
            try:
                storage.delete_file(name)
            except OSError:
                pass
    shutil.rmtree(os.path.join(storage.folder, _TEMP_FOLDER), ignore_errors=True)


def _reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason}: {exc.filename}" if exc.filename else reason


class _WriteLock:
    """Whoosh's write lock on the index folder, taken before the index is opened or created (so two first
    builds cannot both create it), waiting up to `wait` seconds."""

    def __init__(self, index_dir: pathlib.Path, wait: float):
        self.index_dir, self.wait = index_dir, wait

    def __enter__(self) -> _Storage:
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            storage = _Storage(str(self.index_dir))
            self.lock = storage.lock(_LOCK_NAME)
            acquired = try_for(self.lock.acquire, timeout=self.wait, delay=0.1)
        except OSError as exc:
            raise SearchError(
                "Cannot write an index in {index_dir}: {reason}.", index_dir=self.index_dir, reason=_reason(exc)
            ) from None
        if not acquired:
            raise IndexBusy(
                "Another indexer is updating {index_dir} (waited {seconds:g} s); try again when it "
                "has finished, or wait longer with --wait.",
                index_dir=self.index_dir,
                seconds=self.wait,
            )
        return storage

    def __exit__(self, *exc_info) -> None:
        self.lock.release()


def update(
    index_dir: str | os.PathLike,
    paths: Iterable[str | os.PathLike],
    *,
    rebuild: bool = False,
    wait: float = 10.0,
    progress: Callable[[Meter], None] | None = None,
) -> Report:
    """Bring the index in `index_dir` up to date with the articles under `paths`.

    New and changed articles are (re)written; indexed articles not found again are removed when their source
    is under `paths` or gone; the rest are left alone. `rebuild` writes every article into a fresh index
    (committed, like any update, all at once at the end). Waits up to `wait` seconds for another writer to
    finish, then raises `IndexBusy`; raises `SearchError` when the index cannot be written (the index is then
    as it was). `progress(meter)` is called once per article read (new, changed or unchanged) and once more
    when writing begins (`meter.phase == "writing"`).
    """
    started = time.perf_counter()
    roots = [pathlib.Path(os.path.abspath(p)) for p in paths]
    for root in roots:
        if not root.exists():
            raise SearchError("No such file or folder: {path}", path=root)
    index_dir = pathlib.Path(index_dir)
    with _WriteLock(index_dir, wait) as storage:
        writer = builder = None
        try:
            _remove_leftovers(storage)
            if codec.latest_generation(storage) < 0:
                ix = storage.create_index(SCHEMA, indexname=_INDEX_NAME)
            else:
                ix = storage.open_index(_INDEX_NAME)
            report = Report()
            writer = codec.writer(ix)
            if "ingest" in ix.schema:
                known = indexed(storage, writer.segments)
            else:
                with writer.reader() as reader:
                    known = _indexed_before_columns(reader)
            if not rebuild and not same_schema(ix.schema, SCHEMA):
                rebuild = _must_rebuild(index_dir, known, roots, report)
            if rebuild:
                writer.schema = SCHEMA  # a fresh index: this version's schema
            builder = build.Builder(storage, writer.schema, document)
            segments = _write(writer, builder, roots, known, rebuild, report, progress)
            _commit(writer, segments, rebuild, report, first=ix.latest_generation() == 0)
        except OSError as exc:
            _abort(writer, storage, builder)
            if writer is not None and codec.latest_generation(storage) == writer.generation:
                raise SearchError(
                    "The update of {index_dir} was saved, but then: {reason}.", index_dir=index_dir, reason=_reason(exc)
                ) from None
            raise SearchError(
                "Cannot update the index in {index_dir}: {reason}. The index is as it was.",
                index_dir=index_dir,
                reason=_reason(exc),
            ) from None
        except BaseException:
            _abort(writer, storage, builder)
            raise
    report.seconds = time.perf_counter() - started
    return report


def _must_rebuild(
    index_dir: pathlib.Path, known: dict[str, Indexed], roots: list[pathlib.Path], report: Report
) -> bool:
    """An index made by an earlier version (another schema) is rebuilt with this version's, if every article in
    it comes from the paths read now or from a source that is gone; otherwise the user is asked to name all."""
    vanished = _vanished(roots)
    elsewhere = sorted({k.path for k in known.values() if not vanished(k.path)})
    if elsewhere:
        raise SearchError(
            "The index in {index_dir} was made by an earlier version and must be rebuilt, but it also holds "
            "articles from {paths}: run `search index --rebuild` with every source to keep.",
            index_dir=index_dir,
            paths=", ".join(elsewhere[:3]) + (" …" if len(elsewhere) > 3 else ""),
        )
    report.notes.append("The index was made by an earlier version: every article was indexed afresh.")
    return True


def _write(
    writer,
    builder: build.Builder,
    roots: list[pathlib.Path],
    known: dict[str, Indexed],
    rebuild: bool,
    report: Report,
    progress: Callable[[Meter], None] | None,
) -> list:
    """Delete replaced and vanished documents in `writer`, have `builder` write new segments of the new and
    changed articles (analysed in worker processes when there are many); the segments, for `_commit`.
    `report` says what was done."""
    catalog = _catalogs(roots)
    # Sources whose digest is an indexed article's hash need not be parsed (a catalog entry changes the hash).
    unchanged_sources = {} if rebuild else {k.hash: doc_id for doc_id, k in known.items() if doc_id not in catalog}
    seen: set[str] = set()
    meter = Meter()
    for item in read_articles(roots, known=unchanged_sources, salt=rules_version().encode(), meter=meter):
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        seen.add(item.id)
        old = None if rebuild else known.get(item.id)
        if isinstance(item, Unchanged):
            report.unchanged += 1
        else:
            entry = catalog.get(item.id)
            digest = content_hash(item, entry)
            if old and old.hash == digest:
                report.unchanged += 1
            else:
                if old:
                    writer.delete_document(old.docnum)
                builder.add(item, entry, digest)
                (report.updated if old else report.added).append(item.id)
        if progress:
            progress(meter)
    vanished = _vanished(roots)
    for doc_id, old in known.items():
        if doc_id not in seen and (rebuild or vanished(old.path)):
            if not rebuild:  # a rebuild drops every old document anyway
                writer.delete_document(old.docnum)
            report.removed.append(doc_id)
    if progress:
        meter.phase = "writing"
        progress(meter)
    segments, inferred = builder.finish()
    report.inferred_years.update(inferred)
    return segments


def _commit(writer, segments: list, rebuild: bool, report: Report, first: bool) -> None:
    """Commit what `writer` holds and the new `segments` in one generation (a rebuild replaces every old
    segment); a writer with nothing to change is cancelled instead, so searchers need not refresh (but a new
    index is committed: it then exists)."""
    if rebuild:
        codec.commit(writer, segments, mergetype=CLEAR)
    elif report.added or report.updated or report.removed or first:
        codec.commit(writer, segments)
    else:
        writer.cancel()
        _remove_leftovers(writer.storage)  # a cancelled writer leaves its (empty) segment's files


def _abort(writer, storage: _Storage, builder: build.Builder | None = None) -> None:
    """Give up a failed or interrupted update: stop the workers, close the writer and remove its files;
    never raises."""
    if builder is not None:
        try:
            builder.cancel()
        except Exception:
            pass
    if writer is not None and not writer.is_closed:
        try:
            writer.cancel()
        except Exception:  # the disk that failed the update may fail the clean-up too
            pass
    storage.close_all()
    try:
        _remove_leftovers(storage)
    except Exception:
        pass
