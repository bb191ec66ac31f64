"""One new index segment written fast from field dicts: postings gathered per term in plain lists, spilled to
disk by ranges of terms when they grow, merged back range by range with dict operations, and written in
Whoosh's format by `codec.TermsWriter`.

Whoosh's writer spends most of a build in per-posting Python: every posting goes through its field format,
a sorting pool (pickled to run files and merged back one posting at a time) and a postings writer that
re-checks and re-packs each one. `SegmentBuilder` does the same work with a few dict operations per posting;
`build.py` runs one per worker process. `tests/test_build.py` checks its segments against Whoosh's writer,
term by term and posting by posting.
"""

from __future__ import annotations

import marshal
import os
import re
import tempfile
from array import array

from whoosh import formats
from whoosh.analysis.tokenizers import RegexTokenizer
from whoosh.util.numeric import length_to_byte

from . import codec
from .facets import EXTENSION as FACETS_EXTENSION, FacetRecorder
from .lexicon_segment import EXTENSION as LEXICON_EXTENSION, LexiconRecorder

# A worker spills its postings to disk past this many (about 100 MB of lists).
SPILL_POSTINGS = 1_500_000

_SPACE_TOKENS = r"[^ \t\r\n]+"  # whoosh.analysis.SpaceSeparatedTokenizer
# Term ranges a spill is cut into, merged one at a time (the largest: ~2% of the postings): what the merge at
# the end holds in memory at once.
_PARTS = 1024


def _kind(field) -> str | None:
    """How `SegmentBuilder` indexes a field: "pos", "freq" or "exist" for space-separated tokens with
    positions, frequencies or neither, "generic" through the field's own `index()`, None when not indexed."""
    if not field.indexed:
        return None
    ana = field.analyzer
    if isinstance(ana, RegexTokenizer) and ana.expression.pattern == _SPACE_TOKENS and not ana.gaps:
        if isinstance(field.format, codec.GramPositions):
            return "pos"
        if isinstance(field.format, codec.WordFrequency):
            return "freq"
        if type(field.format) is formats.Existence:
            return "exist"
    return "generic"


def _part(term: str) -> int:
    """Which of _PARTS ranges of first characters `term` is in: monotonic, so ranges are in term order.
    Digits and letters get 64 ranges, other characters before the ideographs 64, the ideographs 890 (in code
    point order, so each range holds a few dozen first characters), the rest 6."""
    c = ord(term[0]) if term else 0
    if c < 0x80:
        return c >> 1
    if c < 0x4E00:
        return 64 + (c - 0x80) * 64 // (0x4E00 - 0x80)
    if c <= 0x9FFF:
        return 128 + (c - 0x4E00) * 890 // 0x5200
    return 1018 + min(5, (c - 0xA000) * 6 // (0x110000 - 0xA000))


class SegmentBuilder:
    """Writes one new segment in `storage` from field dicts (what `writer.add_document` takes)."""

    def __init__(self, storage, schema, tempdir: str, spill_postings: int = SPILL_POSTINGS):
        self.storage, self.schema = storage, schema
        self.codec, self.segment = codec.new_segment(storage)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.docnum = 0
        self.tempdir = tempdir
        self.spill_postings = spill_postings
        self.runs: list[tuple[str, dict]] = []
        self.spills = 0
        self._pending = 0
        self._fields = {}
        for name, field in schema.items():
            kind = _kind(field)
            boost = float(field.format.field_boost) if kind else 1.0
            self._fields[name] = (kind, field, field.scorable, [n * boost for n in range(256)], boost)
        self.terms: dict[str, dict] = {name: {} for name, spec in self._fields.items() if spec[0]}
        self.lengths: dict[str, array] = {name: array("B") for name in self.terms}
        self._positions1 = [codec.pack_positions([p]) for p in range(4096)]
        self._tokenize = re.compile(_SPACE_TOKENS).findall
        self._generic_cache: dict = {}
        self.facets = FacetRecorder()
        self.lexicon = LexiconRecorder()

    def _tokens(self, value: str | list[str]) -> list[str]:
        if isinstance(value, list):  # tokens as `index.document` gives them
            return value
        tokens = value.split()
        # str.split cuts at any whitespace, the tokenizer only at space, tab, CR and LF: the same tokens
        # when the value is the tokens joined by single spaces.
        return tokens if " ".join(tokens) == value else self._tokenize(value)

    def add(self, fields: dict) -> None:
        """Add one document (as `IndexWriter.add_document(**fields)` would; a field of space-separated tokens
        may also be given as the list of its tokens)."""
        docnum = self.docnum
        pdw = self.perdoc
        pdw.start_doc(docnum)
        added = 0
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None:
                    continue
                if name.startswith("_"):
                    raise ValueError(f"unsupported field {name!r}")
                kind, field, scorable, weights, boost = self._fields[name]
                length = 0
                if kind in ("pos", "freq", "exist"):
                    tokens = self._tokens(value)
                    terms = self.terms[name]
                    # Each branch appends its postings inline (get, then new list or +=): this runs once per
                    # posting, tens of millions of times in a big build, where a helper call would cost seconds.
                    get = terms.get
                    if kind == "pos":
                        positions: dict = {}
                        for i, t in enumerate(tokens):
                            p = positions.get(t)
                            if p is None:
                                positions[t] = [i]
                            else:
                                p.append(i)
                        one = self._positions1
                        w = weights[1]
                        for t, p in positions.items():
                            vb = one[p[0]] if len(p) == 1 and p[0] < 4096 else codec.pack_positions(p)
                            e = get(t)
                            if e is None:
                                terms[t] = [docnum, w, vb]
                            else:
                                e += (docnum, w, vb)
                        added += len(positions)
                    elif kind == "freq":
                        counts: dict = {}
                        for t in tokens:
                            counts[t] = counts.get(t, 0) + 1
                        for t, n in counts.items():
                            w = weights[n] if n < 256 else n * boost
                            e = get(t)
                            if e is None:
                                terms[t] = [docnum, w, b""]
                            else:
                                e += (docnum, w, b"")
                        added += len(counts)
                    else:
                        w = weights[1]
                        distinct = dict.fromkeys(tokens)
                        for t in distinct:
                            e = get(t)
                            if e is None:
                                terms[t] = [docnum, w, b""]
                            else:
                                e += (docnum, w, b"")
                        added += len(distinct)
                    if scorable:
                        length = len(tokens)
                elif kind == "generic":
                    key = (name, value) if isinstance(value, str) and not field.unique else None
                    postings = self._generic_cache.get(key) if key else None
                    if postings is None:
                        postings = [
                            (tbytes.decode("utf-8"), freq_, float(weight), vbytes)
                            for tbytes, freq_, weight, vbytes in field.index(value)
                        ]
                        if key:
                            if len(self._generic_cache) > 10_000:
                                self._generic_cache.clear()
                            self._generic_cache[key] = postings
                    terms = self.terms[name]
                    for t, freq_, weight, vbytes in postings:
                        e = terms.get(t)
                        if e is None:
                            terms[t] = [docnum, weight, vbytes]
                        else:
                            e += (docnum, weight, vbytes)
                        if scorable:
                            length += freq_
                    added += len(postings)
                if kind:
                    self.lengths[name].append(length_to_byte(length) if length else 0)
                pdw.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        except BaseException:
            pdw.cancel_doc()
            raise
        for lens in self.lengths.values():
            if len(lens) <= docnum:
                lens.append(0)
        pdw.finish_doc()
        self.facets.add(docnum, fields)
        self.lexicon.add(docnum, fields)
        self.docnum += 1
        self._pending += added
        if self._pending >= self.spill_postings:
            self._spill()

    # ------------------------------------------------------------------ spilling

    @staticmethod
    def _split(terms: dict) -> list[dict]:
        parts: list[dict] = [{} for _ in range(_PARTS)]
        for t, flat in terms.items():
            parts[_part(t)][t] = flat
        return parts

    def _spill(self) -> None:
        """Write the postings gathered so far to a run file: per field, one dict per range of terms."""
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        offsets: dict[tuple[str, int], int] = {}
        with os.fdopen(fd, "wb") as f:
            for name, terms in self.terms.items():
                if terms:
                    for p, part in enumerate(self._split(terms)):
                        if part:
                            offsets[name, p] = f.tell()
                            marshal.dump(part, f)
                    terms.clear()
        self.runs.append((path, offsets))
        self.spills += 1
        self._pending = 0

    def _merged(self):
        """(field, term, flat postings [docnum, weight, value, ...]) in field and term order."""
        if self.runs and self._pending:
            self._spill()  # what is still in memory too: the merge then holds one range of terms at a time
        names = sorted(
            {name for name, terms in self.terms.items() if terms}
            | {name for _, offsets in self.runs for name, _ in offsets}
        )
        files = [(open(path, "rb"), offsets) for path, offsets in self.runs]
        try:
            for name in names:
                live = self.terms[name]
                if not files:
                    for t in sorted(live):
                        yield name, t, live[t]
                    live.clear()
                    continue
                live_parts: list[dict | None] = list(self._split(live))
                live.clear()
                for p in range(_PARTS):
                    merged: dict | None = None
                    for f, offsets in files:
                        at = offsets.get((name, p))
                        if at is not None:
                            f.seek(at)
                            merged = _merge_into(merged, marshal.load(f))
                    merged = _merge_into(merged, live_parts[p])
                    live_parts[p] = None
                    if merged:
                        for t in sorted(merged):
                            yield name, t, merged[t]
        finally:
            for f, _ in files:
                f.close()
            for path, _ in self.runs:
                os.remove(path)
            self.runs = []

    def finish(self):
        """Write the segment's files and return it (not yet in any table of contents)."""
        self.perdoc.close()
        writer = codec.TermsWriter(self.codec, self.storage, self.segment)
        current, lengths = None, None
        for name, t, flat in self._merged():
            if name != current:
                current = name
                fieldobj = self._fields[name][1]
                writer.start_field(name, fieldobj)
                lengths = self.lengths[name].__getitem__ if fieldobj.scorable else None
            ids = flat[0::3]
            writer.add(t, ids, flat[1::3], flat[2::3], list(map(lengths, ids)) if lengths else None)
            if name == "words":
                self.lexicon.word(t, len(ids))
        writer.close()
        codec.write_extra(self.storage, self.segment, FACETS_EXTENSION, self.facets.dump())
        codec.write_extra(self.storage, self.segment, LEXICON_EXTENSION, self.lexicon.dump())
        self.segment.set_doc_count(self.docnum)
        return self.segment

    def cancel(self) -> None:
        for path, _ in self.runs:
            try:
                os.remove(path)
            except OSError:
                pass
        self.runs = []
        if not self.perdoc.is_closed:
            try:
                self.perdoc.close()
            except Exception:
                pass


def _merge_into(merged: dict | None, part: dict | None) -> dict | None:
    """Append `part`'s postings (later documents) to `merged`'s, term by term."""
    if not part:
        return merged
    if not merged:
        return part
    get = merged.get
    for t, flat in part.items():
        e = get(t)
        if e is None:
            merged[t] = flat
        else:
            e += flat
    return merged
