"""Whoosh's segment format (its `W3Codec`, Whoosh 2.7.5): the one module that reads and writes it directly.

The engine reads whole posting lists into arrays and writes segments itself, both much faster than Whoosh's
per-posting machinery, in Whoosh's own format, so Whoosh opens, merges and searches the index (the tests
compare our answers with its searcher's). Everything that depends on how Whoosh lays out a segment is here:

* field formats: `GramPositions` (positions packed as varints; every posting weighs the field's boost, so the
  weights need no space) and `WordFrequency` (a frequency kept as the posting's weight alone) — Whoosh's
  `Format` extension point, so Whoosh's own matchers read them;
* reading: `MappedStorage` opens compound segments as a memory map read in place (Whoosh's `BufferFile` copies
  each file into memory), `Postings.read` decodes a posting list block by block, skipping blocks with no
  document of interest, `field_lengths`, `column_values`, and `read_extra` a file of our own that
  `write_extra` added to a segment (Whoosh keeps it in the compound file and ignores it);
* writing: `TermsWriter` writes a segment's terms, posting blocks and hash tables as `W3FieldWriter` would;
  `commit` adds segments written here to a writer's commit; `latest_generation` and `remove_unlisted` for
  what killed writers leave behind.
"""

from __future__ import annotations

import dataclasses
import io
import mmap
import os
import pickle
import struct
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable
from zlib import crc32

import numpy as np
import whoosh
from whoosh import formats
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort

WHOOSH_VERSION = (2, 7, 5)
if tuple(whoosh.__version__[:3]) != WHOOSH_VERSION:
    raise ImportError(
        f"indexer.codec reads and writes the segment format of Whoosh {'.'.join(map(str, WHOOSH_VERSION))} "
        f"(the package whoosh-reloaded==2.7.5), but Whoosh {whoosh.versionstring()} is installed: "
        f"`pip install whoosh-reloaded==2.7.5`.")

INDEX_NAME = "MAIN"  # Whoosh's default index name
# Short posting lists (fewer postings than this) are stored in the term index itself.
INLINE_LIMIT = 16
BLOCK_LIMIT = 128
TOKENIZER = SpaceSeparatedTokenizer()
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_TERMINFO = whoosh3.W3TermInfo._struct
_LENGTHS = struct.Struct("!ii")
_INT = struct.Struct("!i")
_LONG = struct.Struct("!q")
_CRC_HASH = 1  # whoosh.filedb.filetables: hash function 1 is crc32 (0, the default, is md5)
_BLOCK_INFO = 128  # bytes enough for a block's info tuple (six numbers, pickled)


# ---------------------------------------------------------------------------------------------- varints

def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 128:
        out.append((n & 127) | 128)
        n >>= 7
    out.append(n)
    return bytes(out)


_VARINTS = [_varint(n) for n in range(1 << 14)]


def pack_positions(positions: list[int]) -> bytes:
    """Sorted positions as varints: the first, then the differences."""
    v = _VARINTS
    previous, out = 0, []
    for p in positions:
        d = p - previous
        out.append(v[d] if d < 16384 else _varint(d))
        previous = p
    return b"".join(out)


def unpack_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Many packed position lists at once: how many positions each holds, and all of them in order."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)
    last = raw < 128  # the last byte of each varint
    if last.all():
        deltas = raw.astype(np.int64)
    else:
        ends = np.flatnonzero(last)
        starts = np.concatenate(([0], ends[:-1] + 1))
        group = np.cumsum(last) - last
        shift = 7 * (np.arange(len(raw)) - starts[group])
        deltas = np.add.reduceat((raw & 127).astype(np.int64) << shift, starts) if len(starts) else raw[:0]
    before = np.concatenate(([0], np.cumsum(last)))
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    counts = before[bounds[1:]] - before[bounds[:-1]]
    # positions are running sums of deltas within each list: one running sum, less each list's start
    running = np.cumsum(deltas)
    ends = np.cumsum(counts)
    offset = np.concatenate(([0], running[ends[:-1] - 1])) if len(counts) else running[:0]
    return counts, running - np.repeat(offset, counts)


# ---------------------------------------------------------------------------------------------- formats

class GramPositions(formats.Positions):
    """Positions (for phrases), packed as varints; a posting weighs the field boost however often its term
    occurs (a gram's count is no evidence of relevance, and constant weights take no space)."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        poses = defaultdict(list)
        kwargs["positions"] = True
        for t in formats.tokens(value, analyzer, kwargs):
            poses[t.text].append(t.pos)
        for w, poslist in poses.items():
            yield w, len(poslist), fb, pack_positions(poslist)

    def encode(self, poslist):
        return pack_positions(poslist)

    def decode_positions(self, valuestring):
        return unpack_positions([valuestring])[1].tolist()

    def decode_frequency(self, valuestring):
        return int(np.count_nonzero(np.frombuffer(valuestring, dtype=np.uint8) < 128))

    def decode_weight(self, valuestring):
        return self.field_boost

    def combine(self, vs):
        return pack_positions(sorted(p for v in vs for p in self.decode_positions(v)))


class WordFrequency(formats.Frequency):
    """A term's frequency in a document, kept only as the posting's weight (frequency × field boost): Whoosh's
    `Frequency` also stores it as a 4-byte value, which no search reads."""

    posting_size = 0

    def word_values(self, value, analyzer, **kwargs):
        return ((w, freq, weight, b"") for w, freq, weight, _ in super().word_values(value, analyzer, **kwargs))

    def encode(self, freq):
        return b""

    def decode_frequency(self, valuestring):
        raise NotImplementedError("WordFrequency keeps the frequency in the posting's weight")

    def decode_weight(self, valuestring):
        raise NotImplementedError("WordFrequency keeps the frequency in the posting's weight")


# ---------------------------------------------------------------------------------------------- reading

class MappedFile(BufferFile):
    """Whoosh's read-only file over a buffer, without `BufferFile`'s copy of it: a compound segment is a memory
    map read in place (a copy would put the whole index in each search process's memory when it opens)."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewFile(buf)

    def subset(self, position, length, name=None):
        return MappedFile(self._buf[position:position + length], name=name or self._name)


class _ViewFile(io.RawIOBase):
    """A seekable read-only file over a buffer, reading slices of it (never the whole)."""

    def __init__(self, buf):
        self._buf, self._pos = buf, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._buf[self._pos:self._pos + len(b)]
        b[:len(data)] = data
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
    def empty(cls, values: bool = False) -> "Postings":
        return cls(np.zeros(0, dtype=np.int64), None, [] if values else None)

    @classmethod
    def read(cls, leaf, fieldname: str, text: bytes, values: bool = False,
             wanted: np.ndarray | None = None) -> "Postings":
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
            return cls(np.array(ids, dtype=np.int64), _weights(weights, len(ids)),
                       _values(vals, len(ids), fixed) if values else None)
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct.unpack's tuple
            length = length[0]
        view = leaf._terms._postfile._buf[offset:offset + length]
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
            head = io.BytesIO(view[at:min(end, at + _BLOCK_INFO)])
            count, last_id, _, compression, _, _ = load(head)
            if wanted is None or wanted[previous + 1:last_id + 1].any():
                data = view[at + head.tell():end]
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
        if any(w is not None and w != 1.0 for w, _ in weight_parts if not isinstance(w, (array, tuple))) or \
                any(isinstance(w, (array, tuple)) for w, _ in weight_parts):
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
    return [raw[i:i + fixed] for i in range(0, len(raw), fixed)]


def field_lengths(leaf, fieldname: str) -> np.ndarray | None:
    """Each document's length byte in `fieldname` (Whoosh's quantised field length), or None."""
    column = leaf._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is None:
        return None
    return np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)


# A document's field length from its length byte (a byte of 0, no length recorded, counts as 1).
LENGTHS = np.array([whoosh3.byte_to_length(b) if b else 1 for b in range(256)], dtype=np.float64)


def column_values(storage, segments: list, fieldname: str, column) -> Iterable[tuple[int, int, object]]:
    """(document number in the index, in its segment, value) of a column for every live document of
    `segments`, opening only each segment's per-document files (not its terms)."""
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


# ---------------------------------------------------------------------------------------------- writing

def write_extra(storage, segment, ext: str, data: bytes) -> None:
    """A file of our own in a new segment (before it is made compound, which takes it in)."""
    f = segment.create_file(storage, ext)
    f.write(data)
    f.close()


class TermsWriter:
    """Writes the terms and postings of a new segment (what `W3FieldWriter` writes, from whole posting lists):
    short lists inlined in the term index, longer ones in blocks of `BLOCK_LIMIT`, each block's data pickled
    (protocol 4, its numbers as compact arrays, which Whoosh reads like its tuples)."""

    def __init__(self, codec, storage, segment):
        self._fw = codec.field_writer(storage, segment)
        tindex = self._fw._tindex
        _use_crc_hash(tindex)
        self._tindex = tindex
        self._tfile, self._tbase, self._tbuf = tindex.dbfile.file, tindex.dbfile.tell(), bytearray()
        self._pfile, self._pbase, self._pbuf = self._fw._postfile.file, self._fw._postfile.tell(), bytearray()
        # Whoosh's HashWriter keeps a (hash, position) tuple per term until it closes: arrays instead.
        self._hashes = [array("L") for _ in range(256)]
        self._positions = [array("q") for _ in range(256)]
        self._offsets = array("q")
        self._key = b""
        self._prefix = b""
        self._fixed: int | None = None

    def start_field(self, name: str, fieldobj) -> None:
        fieldmap = self._fw._fieldmap
        fieldmap.setdefault(name, len(fieldmap))
        self._prefix = pack_ushort(fieldmap[name])
        self._fixed = fieldobj.format.fixed_value_size()

    def add(self, term: str, ids: list[int], weights: list[float], values: list[bytes],
            lengths: list[int] | None) -> None:
        """One term's postings (document numbers ascending) and each document's length byte (None: unscored)."""
        df = len(ids)
        novalues = self._fixed == 0
        if df == 1:  # most terms (rare n-grams): the quick way
            d, w, lb = ids[0], weights[0], lengths[0] if lengths else 0
            info = _TERMINFO.pack(1, w, 1, lb, lb, w, d, d) + pickle.dumps(
                ((d,), None if w == 1.0 else (w,), () if novalues else (values[0],)), 4)
        elif df < INLINE_LIMIT:
            mnl, mxl = (min(lengths), max(lengths)) if lengths else (0, 0)
            same = weights.count(1.0) == df
            info = _TERMINFO.pack(1, sum(weights), df, mnl, mxl, max(weights), ids[0], ids[-1]) + pickle.dumps(
                (tuple(ids), None if same else tuple(weights), () if novalues else tuple(values)), 4)
        else:
            info = self._blocks(ids, weights, values, lengths)
        key = self._prefix + term.encode("utf-8")
        tbuf = self._tbuf
        pos = self._tbase + len(tbuf)
        self._offsets.append(pos)
        tbuf += _LENGTHS.pack(len(key), len(info))
        tbuf += key
        tbuf += info
        h = crc32(key)
        self._hashes[h & 255].append(h)
        self._positions[h & 255].append(pos)
        self._key = key
        if len(tbuf) > 1 << 20:
            self._tfile.write(tbuf)
            self._tbase += len(tbuf)
            self._tbuf = bytearray()

    def _blocks(self, ids: list[int], weights: list[float], values: list[bytes], lengths: list[int] | None) -> bytes:
        """A long posting list's blocks, written to the postings file; its term info."""
        df = len(ids)
        novalues = self._fixed == 0
        joined = self._fixed is not None and self._fixed > 0
        pbuf = self._pbuf
        start = self._pbase + len(pbuf)
        pbuf += _MAGIC
        for b in range(0, df, BLOCK_LIMIT):
            e = b + BLOCK_LIMIT
            bids = ids[b:e]
            bw = weights[b:e]
            deltas = [bids[0]]
            deltas += [y - x for x, y in zip(bids, bids[1:])]
            w0 = bw[0]
            if bw.count(w0) == len(bw):
                mw = None if w0 == 1.0 else w0
            else:
                mw = array("f", bw) if len(bw) >= 8 else tuple(bw)
            if novalues:
                mv = None
            elif joined:
                mv = b"".join(values[b:e])
            else:
                mv = tuple(values[b:e])
            data = _dumps((_compact(deltas), mw, mv))
            if lengths is None:
                blmin = blmax = 0
            else:
                bl = lengths[b:e]
                blmin, blmax = min(bl), max(bl)
            binfo = pickle.dumps((len(bids), bids[-1], max(bw), 0, blmin, blmax), 2)
            size = len(binfo) + len(data)
            pbuf += _INT.pack(-size if e >= df else size)
            pbuf += binfo
            pbuf += data
        mnl, mxl = (min(lengths), max(lengths)) if lengths else (0, 0)
        info = (_TERMINFO.pack(0, sum(weights), df, mnl, mxl, max(weights), ids[0], ids[-1])
                + _LONG.pack(start) + _INT.pack(self._pbase + len(pbuf) - start))
        if len(pbuf) > 1 << 20:
            self._pfile.write(pbuf)
            self._pbase += len(pbuf)
            self._pbuf = bytearray()
        return info

    def close(self) -> None:
        self._pfile.write(self._pbuf)
        self._tfile.write(self._tbuf)
        tindex = self._tindex
        if self._offsets:
            top = self._offsets[-1]
            code = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
            tindex.index.array = array(code, self._offsets)
            tindex.lastkey = self._key
        _write_hashes(tindex, self._hashes, self._positions)
        tindex._write_hashes = lambda: None
        self._fw.close()


def _compact(deltas: list[int]):
    """Document number deltas as the smallest array (Whoosh iterates them like its tuple); short ones as a
    tuple, which pickles smaller."""
    if len(deltas) < 8:
        return tuple(deltas)
    top = max(deltas)
    return array("B" if top < 256 else "H" if top < 65536 else "I", deltas)


def _dumps(data) -> bytes:
    """Pickle without the memo: each small value would cost a byte more (nothing repeats in a block)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, 4)
    pickler.fast = True
    pickler.dump(data)
    return out.getvalue()


def _use_crc_hash(hw) -> None:
    """Make a fresh `HashWriter` hash its keys with crc32 (recorded in its header, so readers do too)."""
    f = hw.dbfile
    end = f.tell()
    f.seek(hw.startoffset + 4)  # after the magic bytes
    f.write_byte(_CRC_HASH)
    f.seek(end)
    hw.hashtype = _CRC_HASH
    hw.hashfn = filetables.crc_hash


def _write_hashes(hw, hashes: list[array], positions: list[array]) -> None:
    """`HashWriter._write_hashes` with the same output, for the (hash, position) pairs of each of the 256
    tables given as two arrays; each table packed at once."""
    dbfile = hw.dbfile
    for bucket_hashes, bucket_positions in zip(hashes, positions):
        pos = dbfile.tell()
        numslots = 2 * len(bucket_hashes)
        hw.directory.append((pos, numslots))
        if not numslots:
            continue
        table_hashes = [0] * numslots
        table_positions = [0] * numslots
        for hashval, position in zip(bucket_hashes, bucket_positions):
            slot = (hashval >> 8) % numslots
            while table_positions[slot]:  # (Whoosh: while the slot is not (0, 0); no key is at position 0)
                slot = (slot + 1) % numslots
            table_hashes[slot] = hashval
            table_positions[slot] = position
        flat = [0] * (2 * numslots)
        flat[0::2] = table_hashes
        flat[1::2] = table_positions
        dbfile.write(struct.pack("!" + "Iq" * numslots, *flat))


def new_segment(storage):
    """A new, empty segment of the index in `storage`, and the codec to write it with."""
    codec = whoosh3.W3Codec(blocklimit=BLOCK_LIMIT, compression=0, inlinelimit=INLINE_LIMIT)
    return codec, codec.new_segment(storage, INDEX_NAME)


def writer(ix):
    """A writer of the index `ix` whose write lock the caller already holds (taken before the index is opened or
    created, so that two first builds cannot both create it)."""
    return ix.writer(_lk=False)


def commit(writer, segments: list, mergetype=None) -> None:
    """Commit `writer` (its deletions, anything it added) with `segments` added, in one new generation: the
    steps of `SegmentWriter.commit`, with segments written elsewhere joining the table of contents."""
    writer._check_state()
    final = writer._merge_segments(mergetype, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + list(segments))
    writer._finish()


def latest_generation(storage) -> int:
    """The generation of the index's newest table of contents in `storage`; -1 when there is none."""
    from whoosh.index import TOC

    return TOC._latest_generation(storage, INDEX_NAME)


def remove_unlisted(storage) -> None:
    """Remove the segment files that the newest table of contents does not list (a killed writer's)."""
    from whoosh.index import TOC, clean_files

    generation = latest_generation(storage)
    if generation >= 0:
        toc = TOC.read(storage, INDEX_NAME, generation)
        clean_files(storage, INDEX_NAME, generation, toc.segments)
