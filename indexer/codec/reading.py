"""Reading segments: compound files as a memory map read in place, posting lists decoded whole (blocks with no
document of interest skipped), field lengths, columns, and files of our own."""

from __future__ import annotations

import dataclasses
import io
import mmap
import os
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound

_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_INT = struct.Struct("!i")
_BLOCK_INFO = 128  # bytes enough for a block's info tuple (six numbers, pickled)


class MappedFile(BufferFile):
    """Whoosh's read-only file over a buffer, without `BufferFile`'s copy of it: a compound segment is a memory
    map read in place (a copy would put the whole index in each search process's memory when it opens)."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewFile(buf)

    def subset(self, position, length, name=None):
        return MappedFile(self._buf[position : position + length], name=name or self._name)


class _ViewFile(io.RawIOBase):
    """A seekable read-only file over a buffer, reading slices of it (never the whole)."""

    def __init__(self, buf):
        self._buf, self._pos = buf, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._buf[self._pos : self._pos + len(b)]
        b[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = pos if whence == 0 else self._pos + pos if whence == 1 else len(self._buf) + pos
        return self._pos

    def tell(self) -> int:
        return self._pos


class MappedStorage(FileStorage):
    """Whoosh's file storage, opening compound segment files as `MappedFile`s (Whoosh then takes each part of
    a segment as a `subset` of it instead of copying it; `supports_mmap` False keeps it from mapping again)."""

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False)

    def open_file(self, name, **kwargs):
        if not name.endswith(whoosh3.W3Segment.COMPOUND_EXT):
            return super().open_file(name, **kwargs)
        with open(self._fpath(name), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return MappedFile(memoryview(mapped), name=name)


@dataclasses.dataclass
class Postings:
    """A term's postings in one segment (deleted documents included): document numbers, weights (None: all
    1.0) and, if asked for, the raw values."""

    ids: np.ndarray
    weights: np.ndarray | None
    values: list[bytes] | None = None

    @classmethod
    def empty(cls, values: bool = False) -> Postings:
        return cls(np.zeros(0, dtype=np.int64), None, [] if values else None)

    @classmethod
    def read(
        cls, leaf, fieldname: str, text: bytes, values: bool = False, wanted: np.ndarray | None = None
    ) -> Postings:
        """The postings of `fieldname:text` in the leaf reader `leaf`. With `wanted` (a boolean array over the
        leaf's documents), blocks holding none of the wanted documents are skipped: the postings returned
        include all of the wanted ones, and maybe others."""
        try:
            info = leaf._terms.term_info(fieldname, text)
        except TermNotFound:
            return cls.empty(values)
        fixed = leaf.schema[fieldname].format.fixed_value_size()
        if info.is_inlined():
            ids, weights, vals = info.inlined_postings()
            return cls(
                np.array(ids, dtype=np.int64),
                _weights(weights, len(ids)),
                _values(vals, len(ids), fixed) if values else None,
            )
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct.unpack's tuple
            length = length[0]
        view = leaf._terms._postfile._buf[offset : offset + length]
        if view[:4] != _MAGIC:
            raise ValueError(f"no posting list at {offset} for {fieldname}:{text!r}")
        deltas: list = []  # each block's document number deltas (the first from 0), as Whoosh stores them
        lasts: list[int] = []  # the last document number of the block read before each (-0 for the first)
        weight_parts: list = []
        value_parts: list = []
        load, unpack = pickle.load, _INT.unpack_from
        at, previous, included = 4, -1, 0
        while True:
            size = unpack(view, at)[0]
            at += 4
            end = at + abs(size)
            head = io.BytesIO(view[at : min(end, at + _BLOCK_INFO)])
            count, last_id, _, compression, _, _ = load(head)
            if wanted is None or wanted[previous + 1 : last_id + 1].any():
                data = view[at + head.tell() : end]
                block_ids, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
                deltas.append(block_ids)
                lasts.append(included)
                weight_parts.append((block_weights, count))
                if values:
                    value_parts.extend(_values(block_values, count, fixed))
                included = last_id
            previous = last_id
            if size < 0:
                break
            at = end
        if not deltas:
            return cls.empty(values)
        # One running sum over all blocks read: each block's first delta is counted from 0, so the last
        # document of the block read before it is taken off first.
        parts = [np.asarray(d, dtype=np.int64) for d in deltas]
        counts = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        flat = np.concatenate(parts)
        flat[np.cumsum(counts) - counts] -= np.array(lasts, dtype=np.int64)
        ids = np.cumsum(flat)
        weights = None
        if any(w is not None and w != 1.0 for w, _ in weight_parts if not isinstance(w, (array, tuple))) or any(
            isinstance(w, (array, tuple)) for w, _ in weight_parts
        ):
            weights = np.concatenate([_weights(w, n) if w is not None else np.ones(n) for w, n in weight_parts])
        return cls(ids, weights, value_parts if values else None)


def _weights(raw, count: int) -> np.ndarray | None:
    """A block's (or an inlined list's) weights: None when all are 1.0."""
    if raw is None or (isinstance(raw, float) and raw == 1.0):
        return None
    if isinstance(raw, float):
        return np.full(count, raw)
    return np.asarray(raw, dtype=np.float64)


def _values(raw, count: int, fixed: int | None) -> list:
    """A block's posting values as a list (Whoosh stores fixed-size ones joined, empty ones as nothing)."""
    if fixed is None or fixed < 0:
        return list(raw)
    if fixed == 0 or not raw:
        return [b""] * count
    return [raw[i : i + fixed] for i in range(0, len(raw), fixed)]


def field_lengths(leaf, fieldname: str) -> np.ndarray | None:
    """Each document's length byte in `fieldname` (Whoosh's quantised field length), or None."""
    column = leaf._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is None:
        return None
    return np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)


# A document's field length from its length byte (a byte of 0, no length recorded, counts as 1).
LENGTHS = np.array([whoosh3.byte_to_length(b) if b else 1 for b in range(256)], dtype=np.float64)


def column_values(storage, segments: list, fieldname: str, column) -> Iterable[tuple[int, int, Any]]:
    """(document number in the index, in its segment, value) of a column for every live document of
    `segments`, opening only each segment's per-document files (not its terms). The values are of the
    column's kind (bytes for a `VarBytesColumn`)."""
    base = 0
    for segment in segments:
        files = segment.open_compound_file(storage) if segment.is_compound() else storage
        perdoc = segment.codec().per_document_reader(files, segment)
        try:
            if perdoc.has_column(fieldname):
                deleted = set(perdoc.deleted_docs())
                for docnum, value in enumerate(perdoc.column_reader(fieldname, column)):
                    if docnum not in deleted:
                        yield base + docnum, docnum, value
        finally:
            perdoc.close()
            if files is not storage:
                files.close()
        base += segment.doc_count_all()


def read_extra(leaf, ext: str) -> bytes | None:
    """The bytes of a file of our own that `write_extra` put in the leaf's segment; None when it has none
    (a segment Whoosh merged from others)."""
    storage, name = leaf.storage(), leaf.segment().make_filename(ext)
    if not storage.file_exists(name):
        return None
    f = storage.open_file(name)
    try:
        return bytes(f.read(storage.file_length(name)))
    finally:
        f.close()
