"""Writing segments: terms, posting blocks and hash tables as `W3FieldWriter` writes them, from whole posting
lists; files of our own in a segment; a commit of segments written here; what killed writers leave."""

from __future__ import annotations

import io
import itertools
import pickle
import struct
from array import array
from zlib import crc32

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.system import pack_ushort

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
        self._hashes = [array("I") for _ in range(256)]
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

    def add(
        self, term: str, ids: list[int], weights: list[float], values: list[bytes], lengths: list[int] | None
    ) -> None:
        """One term's postings (document numbers ascending) and each document's length byte (None: unscored)."""
        df = len(ids)
        # Inlined values are empty bytes, not none, where a format has none: Whoosh reads an inlined list with
        # a ListMatcher, whose value() is "" (a str) without values, and a merge of segments then fails.
        novalues = self._fixed == 0
        if df == 1:  # most terms (rare n-grams): the quick way
            d, w, lb = ids[0], weights[0], lengths[0] if lengths else 0
            info = _TERMINFO.pack(1, w, 1, lb, lb, w, d, d) + pickle.dumps(
                ((d,), None if w == 1.0 else (w,), (b"",) if novalues else (values[0],)), 4
            )
        elif df < INLINE_LIMIT:
            mnl, mxl = (min(lengths), max(lengths)) if lengths else (0, 0)
            same = weights.count(1.0) == df
            info = _TERMINFO.pack(1, sum(weights), df, mnl, mxl, max(weights), ids[0], ids[-1]) + pickle.dumps(
                (tuple(ids), None if same else tuple(weights), (b"",) * df if novalues else tuple(values)), 4
            )
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
            deltas += [y - x for x, y in itertools.pairwise(bids)]
            w0 = bw[0]
            # A block's weights: None (all 1), one weight for all, or each its own; its values likewise.
            mw: float | array | tuple[float, ...] | None
            mv: bytes | tuple[bytes, ...] | None
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
        info = (
            _TERMINFO.pack(0, sum(weights), df, mnl, mxl, max(weights), ids[0], ids[-1])
            + _LONG.pack(start)
            + _INT.pack(self._pbase + len(pbuf) - start)
        )
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
        # 20 bytes a term, millions of terms: a build's next step (the lexicon's readings) needs the memory.
        tindex.index.array = None
        self._hashes, self._positions, self._offsets = [], [], array("q")


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
