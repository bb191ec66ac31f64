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

import heapq
import marshal
import os
import re
import tempfile
from array import array
from operator import itemgetter

import numpy as np
from whoosh import formats
from whoosh.analysis.tokenizers import RegexTokenizer
from whoosh.util.numeric import length_to_byte

from . import codec, memory
from .coded_postings import PARTS, CodedPostings, part
from .facets import EXTENSION as FACETS_EXTENSION, FacetRecorder
from .lexicon_segment import EXTENSION as LEXICON_EXTENSION, LexiconRecorder

# A worker spills its postings to disk past this many (about 70 MB of lists), and its coded postings past
# CODED_PER_POSTING times as many occurrences (16 bytes each; the sort before a spill takes as much again).
SPILL_POSTINGS = 1_000_000
CODED_PER_POSTING = 1

_SPACE_TOKENS = r"[^ \t\r\n]+"  # whoosh.analysis.SpaceSeparatedTokenizer


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
        # Tokens of one short length (bigrams, characters) as arrays of codes; any others in `terms`.
        self.coded = {
            name: CodedPostings(tempdir, positions=spec[0] == "pos")
            for name, spec in self._fields.items()
            if spec[0] in ("pos", "exist")
        }
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
                        for i, t in self.coded[name].add(docnum, tokens):
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
                        distinct = dict.fromkeys(t for _, t in self.coded[name].add(docnum, tokens))
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
        if sum(c.pending for c in self.coded.values()) >= self.spill_postings * CODED_PER_POSTING:
            for coded in self.coded.values():
                coded.spill()

    # ------------------------------------------------------------------ spilling

    @staticmethod
    def _split(terms: dict) -> list[dict]:
        parts: list[dict] = [{} for _ in range(PARTS)]
        for t, flat in terms.items():
            parts[part(ord(t[0])) if t else 0][t] = flat
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

    def _plain_terms(self, name: str, files: list):
        """(term, flat postings [docnum, weight, value, ...]) of field `name`'s dicts, in term order."""
        live = self.terms[name]
        if not files:
            for t in sorted(live):
                yield t, live[t]
            live.clear()
            return
        live_parts: list[dict | None] = list(self._split(live))
        live.clear()
        for p in range(PARTS):
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
                    yield t, merged[t]

    def _field_postings(self, name: str, files: list):
        """(term, document numbers, weights, values, length bytes or None) of field `name`, in term order."""
        scored = self._fields[name][2]
        lengths = self.lengths[name]

        def plain():
            for t, flat in self._plain_terms(name, files):
                ids = flat[0::3]
                yield t, ids, flat[1::3], flat[2::3], list(map(lengths.__getitem__, ids)) if scored else None

        coded = self.coded.get(name)
        if coded is None:
            return plain()
        w = self._fields[name][3][1]
        table = np.frombuffer(lengths, dtype=np.uint8) if scored else None
        fast = ((t, ids, [w] * len(ids), values, lens) for t, ids, values, lens in coded.terms(table))
        return heapq.merge(plain(), fast, key=itemgetter(0))  # (tokens of other lengths are rare)

    def finish(self):
        """Write the segment's files and return it (not yet in any table of contents)."""
        self.perdoc.close()
        if self.runs and self._pending:
            self._spill()  # what is still in memory too: the merge then holds one range of terms at a time
        writer = codec.TermsWriter(self.codec, self.storage, self.segment)
        files = [(open(path, "rb"), offsets) for path, offsets in self.runs]
        try:
            for name in sorted(self.terms):
                started = False
                for t, ids, weights, values, lens in self._field_postings(name, files):
                    if not started:
                        writer.start_field(name, self._fields[name][1])
                        started = True
                    writer.add(t, ids, weights, values, lens)
                    if name == "words":
                        self.lexicon.word(t, len(ids))
        finally:
            for f, _ in files:
                f.close()
            self.cancel()
        writer.close()
        memory.trim()  # what the merge freed, before the lexicon's readings
        codec.write_extra(self.storage, self.segment, FACETS_EXTENSION, self.facets.dump())
        codec.write_extra(self.storage, self.segment, LEXICON_EXTENSION, self.lexicon.dump())
        self.segment.set_doc_count(self.docnum)
        return self.segment

    def cancel(self) -> None:
        for coded in self.coded.values():
            coded.remove()
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
