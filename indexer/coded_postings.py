"""Postings of a field whose tokens are short strings of one length — the character bigrams of `grams` and
`title_grams`, the characters of `chars`, most of a build's postings — gathered as numpy arrays of integer
codes instead of Python objects per posting.

A token of `length` ≤ 3 characters is a code (its code points, 21 bits each): codes sort as the terms do
(code point order, which is UTF-8's and Whoosh's). Each document appends its codes, its number and the tokens'
positions to arrays; past a budget they are sorted by code (stably: documents and positions stay in order)
and written to a run file; at the end, ranges of codes are read back from every run, sorted again, and cut
into terms and postings, positions packed as `codec.pack_positions` packs them, all with array operations.
Tokens of another length go back to the caller (`segment.SegmentBuilder` indexes them its plain way).

Measured on 5,000 news articles in one process: a build's time per article from 6.0 to 3.1 ms (adding a
document's postings 2.2 → 0.55 ms, the end's merge and write 2.3 → 1.35 ms): the dict path spent it in
Python per posting and in marshalling spilled postings.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import tempfile
from collections.abc import Iterator

import numpy as np

_BITS = 21  # a code point fits in 21 bits: three fit in an int64
MAX_LENGTH = 3
# A range of terms merged at once at the end holds about this many occurrences: with its sort, packed
# positions and the lists handed to the writer, about 80 MB.
CHUNK = 250_000


# Spilled postings are cut into ranges of terms by first character, merged one range at a time at the end.
PARTS = 1024


def part(c: int) -> int:
    """Which of PARTS ranges of first characters a term beginning with code point `c` is in: monotonic, so
    ranges are in term order. Digits and letters get 64 ranges, other characters before the ideographs 64,
    the ideographs 890 (each a few dozen first characters), the rest 6."""
    if c < 0x80:
        return c >> 1
    if c < 0x4E00:
        return 64 + (c - 0x80) * 64 // (0x4E00 - 0x80)
    if c <= 0x9FFF:
        return 128 + (c - 0x4E00) * 890 // 0x5200
    return 1018 + min(5, (c - 0xA000) * 6 // (0x110000 - 0xA000))


@functools.cache
def first_points() -> np.ndarray:
    """The first code point of each range (and 0x110000 after the last); made when a build first spills, not
    at import (every command imports this module)."""
    return np.array([bisect.bisect_left(range(0x110000), p, key=part) for p in range(PARTS)] + [0x110000])


class CodedPostings:
    """One field's postings of `length`-character tokens (with positions or not), spilled to `tempdir`."""

    def __init__(self, tempdir: str, positions: bool):
        self.tempdir = tempdir
        self.positions = positions
        self.length = 0  # set by the first document with tokens
        self._codes: list[np.ndarray] = []
        self._docs: list[np.ndarray] = []
        self._pos: list[np.ndarray] = []
        self.pending = 0  # occurrences held in memory
        # (file, occurrences, where each of the PARTS ranges of terms begins in it), each sorted by code
        self.runs: list[tuple[str, int, np.ndarray]] = []

    def add(self, docnum: int, tokens: list[str]) -> list[tuple[int, str]]:
        """Gather the document's tokens of the field's length; return the others with their positions."""
        n = len(tokens)
        if not n:
            return []
        if not self.length:
            self.length = len(tokens[0]) if 0 < len(tokens[0]) <= MAX_LENGTH else MAX_LENGTH + 1
        size = self.length
        if size > MAX_LENGTH:  # the field's tokens are too long for a code: all go the plain way
            return list(enumerate(tokens))
        lengths = list(map(len, tokens))
        if min(lengths) == max(lengths) == size:
            kept, where, rest = tokens, None, []
        else:
            where = [i for i, k in enumerate(lengths) if k == size]
            kept = [tokens[i] for i in where]
            rest = [(i, t) for i, (k, t) in enumerate(zip(lengths, tokens)) if k != size]
            if not kept:
                return rest
        codes = encode(kept, size)
        self._codes.append(codes)
        self._docs.append(np.full(len(codes), docnum, dtype=np.int32))
        if self.positions:
            self._pos.append(np.arange(n, dtype=np.int32) if where is None else np.array(where, dtype=np.int32))
        self.pending += len(codes)
        return rest

    def _sorted_pending(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        codes = np.concatenate(self._codes)
        order = np.argsort(codes, kind="stable")
        docs = np.concatenate(self._docs)[order]
        pos = np.concatenate(self._pos)[order] if self.positions else None
        self._codes, self._docs, self._pos = [], [], []
        self.pending = 0
        return codes[order], docs, pos

    def spill(self) -> None:
        """Write the occurrences held in memory to a run file, sorted by code."""
        if not self.pending:
            return
        count = self.pending
        arrays = self._sorted_pending()
        fd, path = tempfile.mkstemp(suffix=".codes", dir=self.tempdir)
        with os.fdopen(fd, "wb") as f:
            for a in arrays:
                if a is not None:
                    a.tofile(f)
        self.runs.append((path, count, np.searchsorted(arrays[0], first_points() << (_BITS * (self.length - 1)))))

    def terms(self, lengths: np.ndarray | None) -> Iterator[tuple[str, list[int], list[bytes], list[int] | None]]:
        """(term, document numbers, packed positions or empty values, length bytes or None) in term order;
        `lengths` holds each document's length byte (None: the field is not scored). Removes the runs."""
        try:
            if self.pending and self.runs:
                self.spill()
            if self.runs:
                files = [open(path, "rb") for path, _, _ in self.runs]
                try:
                    for lo, hi in _ranges(np.sum([offsets for _, _, offsets in self.runs], axis=0)):
                        pieces = [
                            self._read(f, count, offsets[lo], offsets[hi])
                            for f, (_, count, offsets) in zip(files, self.runs)
                        ]
                        codes = np.concatenate([p[0] for p in pieces])
                        order = np.argsort(codes, kind="stable")
                        docs = np.concatenate([p[1] for p in pieces])[order]
                        pos = np.concatenate([p[2] for p in pieces])[order] if self.positions else None
                        yield from self._postings(codes[order], docs, pos, lengths)
                finally:
                    for f in files:
                        f.close()
            elif self.pending:
                yield from self._postings(*self._sorted_pending(), lengths)
        finally:
            self.remove()

    def _read(self, f, count: int, i: int, j: int) -> list:
        """Occurrences i to j of a run file holding `count`: codes, documents, positions (None without)."""
        out: list = []
        base = 0
        for dtype, size in [(np.int64, 8), (np.int32, 4), (np.int32, 4)][: 3 if self.positions else 2]:
            f.seek(base + size * i)
            out.append(np.fromfile(f, dtype=dtype, count=j - i))
            base += size * count
        return out if self.positions else [*out, None]

    def _postings(self, codes: np.ndarray, docs: np.ndarray, pos: np.ndarray | None, lengths: np.ndarray | None):
        n = len(codes)
        if not n:
            return
        starts = np.flatnonzero(np.concatenate(([True], (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1]))))
        pcodes = codes[starts]
        pdocs = docs[starts]
        firsts = np.flatnonzero(np.concatenate(([True], pcodes[1:] != pcodes[:-1])))
        ends = np.append(firsts[1:], len(starts)).tolist()
        names = decode(pcodes[firsts], self.length)
        ids = pdocs.tolist()
        lens = lengths[pdocs].tolist() if lengths is not None else None
        values = _packed(pos.astype(np.int64), starts) if pos is not None else [b""] * len(starts)
        for term, a, b in zip(names, firsts.tolist(), ends):
            yield term, ids[a:b], values[a:b], lens[a:b] if lens is not None else None

    def remove(self) -> None:
        for path, _, _ in self.runs:
            try:
                os.remove(path)
            except OSError:
                pass
        self.runs = []


def encode(tokens: list[str], length: int) -> np.ndarray:
    """The codes of tokens of `length` characters each.

    >>> decode(encode(["朝阳", "ab"], 2), 2)
    ['朝阳', 'ab']
    """
    points = np.frombuffer("".join(tokens).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    points = points.reshape(len(tokens), length).astype(np.int64)
    codes = points[:, 0].copy()
    for j in range(1, length):
        codes <<= _BITS
        codes |= points[:, j]
    return codes


def decode(codes: np.ndarray, length: int) -> list[str]:
    """The tokens of codes (the inverse of `encode`)."""
    points = np.empty((len(codes), length), dtype=np.uint32)
    for j in range(length):
        points[:, length - 1 - j] = (codes >> (_BITS * j)) & ((1 << _BITS) - 1)
    text = points.tobytes().decode("utf-32-le", "surrogatepass")
    return [text[i : i + length] for i in range(0, len(text), length)]


def _packed(pos: np.ndarray, starts: np.ndarray) -> list[bytes]:
    """Each posting's positions (postings begin at `starts`) packed as `codec.pack_positions` does: varints of
    the first position and the differences."""
    deltas = pos.copy()
    deltas[1:] -= pos[:-1]
    deltas[starts] = pos[starts]
    nbytes = np.ones(len(deltas), dtype=np.int64)
    for width in range(1, 5):
        nbytes += deltas >= (1 << (7 * width))
    ends = np.cumsum(nbytes)
    if int(ends[-1]) == len(deltas):  # one byte each (the usual case)
        raw = deltas.astype(np.uint8)
    else:
        first = ends - nbytes
        k = np.arange(int(ends[-1])) - np.repeat(first, nbytes)  # each byte's place in its varint
        spread = np.repeat(deltas, nbytes)
        raw = (((spread >> (7 * k)) & 127) | ((k < np.repeat(nbytes, nbytes) - 1) << 7)).astype(np.uint8)
    data = raw.tobytes()
    bounds = (ends[starts] - nbytes[starts]).tolist()
    bounds.append(len(data))
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def _ranges(offsets: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive ranges [lo, hi) of the PARTS, each holding about `CHUNK` occurrences (or one part), given
    where each part begins summed over the runs."""
    bounds = [0]
    for p in range(1, PARTS):
        if offsets[p] - offsets[bounds[-1]] >= CHUNK:
            bounds.append(p)
    bounds.append(PARTS)
    return list(itertools.pairwise(bounds))
