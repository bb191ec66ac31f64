"""Field formats of our own (Whoosh's `Format` extension point, so Whoosh's matchers read them too) and the
varints their positions are packed in."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from whoosh import formats

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
    deltas: np.ndarray
    if last.all():
        deltas = raw.astype(np.int64)
    else:
        ends = np.flatnonzero(last)
        starts = np.concatenate(([0], ends[:-1] + 1))
        group: np.ndarray = np.cumsum(last) - last  # the varint each byte belongs to
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
