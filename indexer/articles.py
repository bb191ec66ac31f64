"""Reading articles from files: each source format becomes `Article`s; what can't be read becomes `Skipped`.

Formats: plain text (`.txt`), Markdown (`.md`), HTML (`.html`, `.htm`) — one article per file, in UTF-8, GB18030
or Big5 (`decoding.py`), its headline and text found by `markup.py` — and JSON Lines (`.jsonl`, `.jsonl.gz`,
`.jsonl.xz`), one article per line, read as a stream.

Every article's source — a whole file, or one JSON line — gets a digest of its path and bytes. A source whose
digest the caller already knows is not parsed again (`Unchanged`): re-reading a large archive for an update
costs little more than hashing it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import io
import json
import lzma
import os
import pathlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from .decoding import decode
from .markup import headline, read_html_article, read_markdown_article, read_text_article
from .record import Article

__all__ = ["Article", "Meter", "Skipped", "Unchanged", "decode", "headline", "read_articles"]

# One-article files are read whole; beyond this size a file is an export or a mistake, not an article.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass
class Unchanged:
    """An article whose source has a digest the caller knows (`read_articles(known=…)`), so it was not parsed."""

    id: str
    path: str
    line: int | None = None


@dataclasses.dataclass
class Meter:
    """How far `read_articles` has got: bytes of the input files consumed, of `total` (their sizes on disk;
    for a compressed archive, compressed bytes)."""

    total: int = 0
    done: int = 0
    # "reading", then "writing" once the caller is saving what it read (see `indexer.index.update`).
    phase: str = "reading"

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


@dataclasses.dataclass
class Skipped:
    """A file, or a line of one, that could not be read as an article, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


# A source: the bytes of one article (a whole file, or one JSON line) and its line number (None for a file).
Source = tuple[bytes, int | None]


def _whole_file(path: pathlib.Path, meter: Meter) -> Iterator[Source | Skipped]:
    """A one-article file's bytes, read whole (it is decoded and parsed only if its digest is new)."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            yield Skipped(str(path), f"file too large for one article ({size:,} bytes > {MAX_DOCUMENT_BYTES:,})")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skipped(str(path), f"cannot read: {exc.strerror or exc}")
        return
    meter.done += len(data)
    yield data, None


def _parse_document(parse: Callable[[pathlib.Path, str], Article]) -> Callable[..., Article | Skipped]:
    """A parser of one-article files: the bytes are decoded, and the text parsed by `parse`."""

    def parse_document(path: pathlib.Path, data: bytes, line: None = None) -> Article | Skipped:
        if not data.strip():
            return Skipped(str(path), "empty file")
        text = decode(data)
        if text is None:
            return Skipped(str(path), "cannot decode: binary data or unknown encoding")
        if not text.strip():
            return Skipped(str(path), "empty file")
        article = parse(path, text)
        return article if article.body else Skipped(str(path), "no article text")

    return parse_document


# ---------------------------------------------------------------------------------------------- JSON Lines

# Readers of compressed archives (a GzipFile or an LZMAFile, buffered binary streams as the plain file is).
_OPENERS: dict[str, Callable[[BinaryIO], io.BufferedIOBase]] = {
    ".gz": lambda file: gzip.open(file, "rb"),
    ".xz": lambda file: lzma.open(file, "rb"),
}
_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")


def _date(value: Any) -> str | None:
    """A date as "YYYY-MM-DD", "YYYY-MM" or "YYYY" (whatever prefix the source gives), else None."""
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    return "-".join(f"{int(part):02d}" for part in match.groups() if part) if match else None


def _year(value: Any) -> int | None:
    """An explicit year given as a number or a numeric string, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value.strip()) if isinstance(value, str) and value.strip().isdigit() else None


def _names(value: Any) -> list[str] | None:
    """Explicit names (zones, industries, companies) given as one string or a list of them; None when not
    given."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None
    return [name.strip() for name in value if isinstance(name, str) and name.strip()]


def _line_article(path: pathlib.Path, raw: bytes) -> Article | str:
    """The article on one JSON line, or why there is none."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not UTF-8: {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    body, id_ = record.get("body"), record.get("id")
    if not isinstance(body, str) or not body.strip():
        return "no body"
    if isinstance(id_, bool) or not isinstance(id_, (str, int)) or not str(id_).strip():
        return "no id"
    title = record.get("title")
    title = " ".join(title.split()) if isinstance(title, str) else ""
    source = record.get("source")
    return Article(
        id=str(id_).strip(),
        title=title or headline(body.splitlines()[:12]),
        body=body.strip(),
        path=str(path),
        date=_date(record.get("date")),
        source=(source.strip() or None) if isinstance(source, str) else None,
        zones=_names(record.get("zone")),
        year=_year(record.get("year")),
        industries=_names(record.get("industry")),
        companies=_names(record.get("company")),
    )


def _jsonl_lines(path: pathlib.Path, meter: Meter) -> Iterator[Source | Skipped]:
    """The non-blank lines of a JSON Lines file, plain or gzip/xz-compressed, streamed; `meter.done` follows
    the bytes read from disk."""
    lineno = 0
    start = meter.done
    try:
        with open(path, "rb") as file:
            opener = _OPENERS.get(path.suffix.lower())
            with opener(file) if opener else contextlib.nullcontext(file) as lines:
                for lineno, raw in enumerate(lines, 1):
                    meter.done = start + file.tell()
                    raw = (raw.removeprefix(b"\xef\xbb\xbf") if lineno == 1 else raw).strip()
                    if raw:
                        yield raw, lineno
    except (OSError, EOFError, lzma.LZMAError) as exc:
        # A truncated or corrupt archive: what was read stays read, the rest is lost.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        yield Skipped(str(path), f"cannot read: {reason}", line=lineno + 1 if lineno else None)


def _parse_line(path: pathlib.Path, raw: bytes, line: int | None) -> Article | Skipped:
    found = _line_article(path, raw)
    return found if isinstance(found, Article) else Skipped(str(path), found, line=line)


# ---------------------------------------------------------------------------------------------- all files


@dataclasses.dataclass(frozen=True)
class _Format:
    """How a file type is read: into sources (`sources`), each parsed into an article (`parse`)."""

    sources: Callable[[pathlib.Path, Meter], Iterator[Source | Skipped]]
    parse: Callable[[pathlib.Path, bytes, int | None], Article | Skipped]


_TEXT = _Format(_whole_file, _parse_document(read_text_article))
_MARKDOWN = _Format(_whole_file, _parse_document(read_markdown_article))
_HTML = _Format(_whole_file, _parse_document(read_html_article))
_JSONL = _Format(_jsonl_lines, _parse_line)

_FORMATS: dict[str, _Format] = {
    ".txt": _TEXT,
    ".md": _MARKDOWN,
    ".html": _HTML,
    ".htm": _HTML,
    ".jsonl": _JSONL,
    ".jsonl.gz": _JSONL,
    ".jsonl.xz": _JSONL,
}


def _format(path: pathlib.Path) -> _Format | None:
    """The format of a file, by its (possibly double) suffix."""
    suffixes = [s.lower() for s in path.suffixes]
    return _FORMATS.get("".join(suffixes[-2:])) or _FORMATS.get("".join(suffixes[-1:]))


def _files(root: pathlib.Path) -> Iterator[tuple[pathlib.Path, _Format] | Skipped]:
    """The files named by `root` with their formats: itself, or the files of a supported type under a folder."""
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            # Hidden files and folders are editors' and tools' own (.git, .DS_Store, .#draft.txt).
            hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
            fmt = _format(path)
            if fmt and not hidden and path.is_file():
                yield path, fmt
    elif not root.exists():
        yield Skipped(str(root), "no such file or folder")
    elif (fmt := _format(root)) is None:
        yield Skipped(str(root), f"unsupported file type {''.join(root.suffixes) or '(no suffix)'!r}")
    else:
        yield root, fmt


def _size(path: pathlib.Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_articles(
    paths: Iterable[str | pathlib.Path],
    *,
    known: Mapping[str, str] | None = None,
    salt: bytes = b"",
    meter: Meter | None = None,
) -> Iterator[Article | Unchanged | Skipped]:
    """Articles from files and folders (recursively, in name order); an id seen before is skipped.

    A file named twice (on its own and within a folder) is read once. Each article's `digest` is the SHA-1 of
    `salt`, its file's path (as named) and its source's bytes; a source whose digest is a key of `known`
    (digest → id) is not parsed but yields `Unchanged` with that id. `meter`, if given, gets the total size
    of the files at the start and follows the bytes read.
    """
    meter = meter if meter is not None else Meter()
    files: list[tuple[pathlib.Path, _Format, int] | Skipped] = []
    files_read: set[pathlib.Path] = set()
    for root in map(pathlib.Path, paths):
        for file in _files(root):
            if isinstance(file, Skipped):
                files.append(file)
            elif (resolved := file[0].resolve()) not in files_read:
                files_read.add(resolved)
                files.append((*file, _size(file[0])))
    meter.total = sum(f[2] for f in files if not isinstance(f, Skipped))

    first_seen: dict[str, str] = {}
    for entry in files:
        if isinstance(entry, Skipped):
            yield entry
            continue
        path, fmt, size = entry
        start = meter.done
        prefix = hashlib.sha1(salt + b"\0" + os.fsencode(path) + b"\0")
        for source in fmt.sources(path, meter):
            if isinstance(source, Skipped):
                yield source
                continue
            data, line = source
            hasher = prefix.copy()
            hasher.update(data)
            digest = hasher.hexdigest()
            known_id = known.get(digest) if known else None
            if known_id is not None:
                found: Article | Unchanged = Unchanged(known_id, str(path), line)
            else:
                parsed = fmt.parse(path, data, line)
                if isinstance(parsed, Skipped):
                    yield parsed
                    continue
                parsed.digest = digest
                found = parsed
            if found.id in first_seen:
                reason = f"duplicate id {found.id!r} (first in {first_seen[found.id]})"
                yield Skipped(found.path, reason, line=line)
            else:
                first_seen[found.id] = f"{found.path}:{line}" if line else found.path
                yield found
        meter.done = start + size
