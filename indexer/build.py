"""Building index segments fast: articles analysed on every core, each worker writing its own segment.

Whoosh's writer spends most of a build in per-posting Python: every posting goes through its field format,
a sorting pool (pickled to run files and merged back one posting at a time) and a postings writer that
re-checks and re-packs each one, then compresses every term's tiny posting list on its own. Here:

* `Builder` hands articles, in batches, to worker processes (one per core) that run `document()` (jieba,
  n-grams, metadata: the costly part) and write what it returns straight into a segment of their own, so
  analysis and writing both use every core. Small updates are done in this process (no start-up cost).
* `SegmentBuilder` gathers each field's postings per term in plain lists (positions encoded as Whoosh's
  `Positions` format does, with the common one-position values shared), spills them to disk by ranges of
  terms when they grow, merges the spills range by range with dict operations, and writes Whoosh's own
  segment files (`W3Codec`): the same terms, postings, lengths, stored fields and columns as
  `IndexWriter.add_document` would write, with short posting lists inlined in the term index and block
  data pickled with protocol 4 (Whoosh reads any protocol).

The segments are committed together with the writer's own changes (deletions of replaced articles) in one
Whoosh commit, so an update is still all or nothing. `tests/test_build.py` checks the segments against
Whoosh's writer, term by term and posting by posting.
"""

from __future__ import annotations

import bisect
import os
import pickle
import queue
import re
import shutil
import struct
import sys
import tempfile
import time
import traceback
import zlib
from array import array
from collections.abc import Callable
from zlib import crc32

from whoosh import formats
from whoosh.analysis.tokenizers import RegexTokenizer
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte

# Short posting lists (fewer postings than this) are stored in the term index itself.
CODEC = dict(blocklimit=128, compression=0, inlinelimit=16)
# Work for one worker process, in articles; more than this many articles (re)indexed use worker processes.
BATCH = 64
PARALLEL_ABOVE = 400
# A worker spills its postings to disk past this many (about 100 MB of lists).
SPILL_POSTINGS = 1_500_000

_SPACE_TOKENS = r"[^ \t\r\n]+"  # whoosh.analysis.SpaceSeparatedTokenizer
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_TERMINFO = whoosh3.W3TermInfo._struct
_LENGTHS = struct.Struct("!ii")
_INT = struct.Struct("!i")
_LONG = struct.Struct("!q")
_POINTER = struct.Struct("!Iq")
_CRC_HASH = 1  # whoosh.filedb.filetables: hash function 1 is crc32 (0, the default, is md5)
_MIN_COMPRESS = 256  # bytes of block data below which compressing gains nothing
_PARTS = 256  # term ranges a spill is cut into, merged one at a time (the largest: ~4% of the postings)
_CACHED_POSITIONS = 4096


def supported(schema) -> bool:
    """Whether `SegmentBuilder` can write documents of `schema` (no vectors, no spelling fields)."""
    return all(not field.vector and not field.separate_spelling() for _, field in schema.items())


def _kind(field) -> str | None:
    """How `SegmentBuilder` indexes a field: "pos" or "freq" for space-separated tokens with positions or
    frequencies, "generic" through the field's own `index()`, None when not indexed."""
    if not field.indexed:
        return None
    ana = field.analyzer
    if (isinstance(ana, RegexTokenizer) and ana.expression.pattern == _SPACE_TOKENS and not ana.gaps
            and type(field.format) in (formats.Positions, formats.Frequency)):
        return "pos" if type(field.format) is formats.Positions else "freq"
    return "generic"


def _part(term: str) -> int:
    """Which of _PARTS ranges of first characters `term` is in: monotonic, so ranges are in term order."""
    c = ord(term[0]) if term else 0
    if c < 0x4E00:
        return 0
    if c > 0x9FFF:
        return _PARTS - 1
    return 1 + (c - 0x4E00) * (_PARTS - 2) // 0x5200


class SegmentBuilder:
    """Writes one new segment in `storage` from field dicts (what `writer.add_document` takes)."""

    def __init__(self, storage, indexname: str, schema, tempdir: str, codec: W3Codec | None = None,
                 spill_postings: int = SPILL_POSTINGS):
        self.storage, self.schema = storage, schema
        self.codec = codec or W3Codec(**CODEC)
        self.segment = self.codec.new_segment(storage, indexname)
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
            # (kind, field, scorable, weight of each small frequency)
            self._fields[name] = (kind, field, field.scorable, [n * boost for n in range(256)], boost)
        self.terms: dict[str, dict] = {name: {} for name, spec in self._fields.items() if spec[0]}
        self.lengths: dict[str, array] = {name: array("B") for name in self.terms}
        self._pos1 = [pack_uint(1) + pickle.dumps([p], 2) for p in range(_CACHED_POSITIONS)]
        self._freq = [pack_uint(n) for n in range(256)]
        self._tokenize = re.compile(_SPACE_TOKENS).findall
        self._generic_cache: dict = {}

    # ------------------------------------------------------------------ documents

    def _tokens(self, value: str) -> list[str]:
        tokens = value.split()
        # str.split cuts at any whitespace, the tokenizer only at space, tab, CR and LF: the same tokens
        # when the value is the tokens joined by single spaces.
        return tokens if " ".join(tokens) == value else self._tokenize(value)

    def add(self, fields: dict) -> None:
        """Add one document (as `IndexWriter.add_document(**fields)` would)."""
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
                if kind == "pos":
                    tokens = self._tokens(value)
                    terms = self.terms[name]
                    positions: dict = {}
                    for i, t in enumerate(tokens):
                        p = positions.get(t)
                        if p is None:
                            positions[t] = [i]
                        else:
                            p.append(i)
                    pos1 = self._pos1
                    # Each branch appends its postings inline (get, then new list or +=): this runs once per
                    # posting, tens of millions of times in a big build, where a helper call would cost seconds.
                    get = terms.get
                    w1 = weights[1]
                    for t, p in positions.items():
                        if len(p) == 1:
                            i = p[0]
                            vb = pos1[i] if i < _CACHED_POSITIONS else pack_uint(1) + pickle.dumps(p, 2)
                            w = w1
                        else:
                            n = len(p)
                            vb = pack_uint(n) + pickle.dumps([p[0]] + [b - a for a, b in zip(p, p[1:])], 2)
                            w = weights[n] if n < 256 else n * boost
                        e = get(t)
                        if e is None:
                            terms[t] = [docnum, w, vb]
                        else:
                            e += (docnum, w, vb)
                    if scorable:
                        length = len(tokens)
                    added += len(positions)
                elif kind == "freq":
                    tokens = self._tokens(value)
                    terms = self.terms[name]
                    counts: dict = {}
                    for t in tokens:
                        counts[t] = counts.get(t, 0) + 1
                    freq = self._freq
                    get = terms.get
                    for t, n in counts.items():
                        if n < 256:
                            w, vb = weights[n], freq[n]
                        else:
                            w, vb = n * boost, pack_uint(n)
                        e = get(t)
                        if e is None:
                            terms[t] = [docnum, w, vb]
                        else:
                            e += (docnum, w, vb)
                    if scorable:
                        length = len(tokens)
                    added += len(counts)
                elif kind == "generic":
                    key = (name, value) if isinstance(value, str) and not field.unique else None
                    postings = self._generic_cache.get(key) if key else None
                    if postings is None:
                        postings = []
                        for tbytes, freq_, weight, vbytes in field.index(value):
                            postings.append((tbytes.decode("utf-8"), freq_, float(weight), vbytes))
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
        for name, lens in self.lengths.items():
            if len(lens) <= docnum:
                lens.append(0)
        pdw.finish_doc()
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
                            pickle.dump(part, f, 4)
                    terms.clear()
        self.runs.append((path, offsets))
        self.spills += 1
        self._pending = 0

    def _merged(self):
        """(field, term, flat postings [docnum, weight, value, ...]) in field and term order."""
        if self.runs and self._pending:
            self._spill()  # what is still in memory too: the merge then holds one range of terms at a time
        names = sorted({name for name, terms in self.terms.items() if terms}
                       | {name for _, offsets in self.runs for name, _ in offsets})
        files = [(open(path, "rb"), offsets) for path, offsets in self.runs]
        try:
            for name in names:
                live = self.terms[name]
                if not files:
                    for t in sorted(live):
                        yield name, t, live[t]
                    live.clear()
                    continue
                live_parts = self._split(live)
                live.clear()
                for p in range(_PARTS):
                    merged: dict | None = None
                    for f, offsets in files:
                        at = offsets.get((name, p))
                        if at is not None:
                            f.seek(at)
                            merged = _merge_into(merged, pickle.load(f))
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

    # ------------------------------------------------------------------ writing

    def finish(self):
        """Write the segment's files and return it (not yet in any table of contents)."""
        storage, codec, schema = self.storage, self.codec, self.schema
        self.perdoc.close()
        fw = codec.field_writer(storage, self.segment)
        tindex = fw._tindex
        _use_crc_hash(tindex)
        blocklimit = codec._blocklimit
        level = codec._compression
        inlinelimit = max(codec._inlinelimit, 1)
        pack_ti = _TERMINFO.pack
        pack_lengths = _LENGTHS.pack
        pack_int = _INT.pack
        pack_long = _LONG.pack
        dumps = pickle.dumps
        # Whoosh's HashWriter keeps a (hash, position) tuple per term until it closes: arrays instead.
        hashes = [array("L") for _ in range(256)]
        positions = [array("q") for _ in range(256)]
        offsets = array("q")
        tfile = tindex.dbfile.file
        tbase = tindex.dbfile.tell()
        tbuf = bytearray()
        pfile = fw._postfile.file
        pbase = fw._postfile.tell()
        pbuf = bytearray()
        current = None
        key = b""
        for name, t, flat in self._merged():
            if name != current:
                if current is not None:
                    fw.finish_field()
                kind, fieldobj, scorable, _, _ = self._fields[name]
                fw.start_field(name, fieldobj)
                fixed = fieldobj.format.fixed_value_size()
                novalues = fixed == 0
                joined = fixed is not None and fixed > 0
                lens = self.lengths[name].__getitem__
                prefix = pack_ushort(fw._fieldid)
                current = name
            if len(flat) == 3 and inlinelimit > 1:
                d, w, vb = flat
                lb = lens(d) if scorable else 0
                info = pack_ti(1, w, 1, lb, lb, w, d, d) + dumps(((d,), (w,), () if novalues else (vb,)), 4)
            else:
                ids = flat[0::3]
                weights = flat[1::3]
                df = len(ids)
                if scorable:
                    lbytes = list(map(lens, ids))
                    mnl, mxl = min(lbytes), max(lbytes)
                else:
                    lbytes = None
                    mnl = mxl = 0
                if df < inlinelimit:
                    info = pack_ti(1, sum(weights), df, mnl, mxl, max(weights), ids[0], ids[-1]) + dumps(
                        (tuple(ids), tuple(weights), () if novalues else tuple(flat[2::3])), 4)
                else:
                    vals = flat[2::3]
                    start = pbase + len(pbuf)
                    pbuf += _MAGIC
                    for b in range(0, df, blocklimit):
                        e = b + blocklimit
                        bids = ids[b:e]
                        bw = weights[b:e]
                        deltas = [bids[0]]
                        deltas += [y - x for x, y in zip(bids, bids[1:])]
                        w0 = bw[0]
                        if bw.count(w0) == len(bw):
                            mw = None if w0 == 1.0 else w0
                        else:
                            mw = tuple(bw)
                        if novalues:
                            mv = None
                        elif joined:
                            mv = b"".join(vals[b:e])
                        else:
                            mv = tuple(vals[b:e])
                        data = dumps((tuple(deltas), mw, mv), 4)
                        c = level if level and len(data) >= _MIN_COMPRESS else 0
                        if c:
                            z = zlib.compressobj(c, zlib.DEFLATED, 12, 4)
                            data = z.compress(data) + z.flush()
                        if lbytes is None:
                            blmin = blmax = 0
                        else:
                            bl = lbytes[b:e]
                            blmin, blmax = min(bl), max(bl)
                        binfo = dumps((len(bids), bids[-1], max(bw), c, blmin, blmax), 2)
                        size = len(binfo) + len(data)
                        pbuf += pack_int(-size if e >= df else size)
                        pbuf += binfo
                        pbuf += data
                    info = (pack_ti(0, sum(weights), df, mnl, mxl, max(weights), ids[0], ids[-1])
                            + pack_long(start) + pack_int(pbase + len(pbuf) - start))
                    if len(pbuf) > 1 << 20:
                        pfile.write(pbuf)
                        pbase += len(pbuf)
                        pbuf = bytearray()
            key = prefix + t.encode("utf-8")
            pos = tbase + len(tbuf)
            offsets.append(pos)
            tbuf += pack_lengths(len(key), len(info))
            tbuf += key
            tbuf += info
            h = crc32(key)
            hashes[h & 255].append(h)
            positions[h & 255].append(pos)
            if len(tbuf) > 1 << 20:
                tfile.write(tbuf)
                tbase += len(tbuf)
                tbuf = bytearray()
        pfile.write(pbuf)
        tfile.write(tbuf)
        if offsets:
            top = offsets[-1]
            code = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
            tindex.index.array = array(code, offsets)
            tindex.lastkey = key
        if current is not None:
            fw.finish_field()
        _write_hashes(tindex, hashes, positions)
        tindex._write_hashes = lambda: None
        fw.close()
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


def _merge_into(merged: dict | None, part: dict) -> dict | None:
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


def _use_crc_hash(hw) -> None:
    """Make a fresh `HashWriter` hash its keys with crc32 (recorded in its header, so readers do too)."""
    f = hw.dbfile
    end = f.tell()
    f.seek(hw.startoffset + 4)  # after the magic bytes
    f.write_byte(_CRC_HASH)
    f.seek(end)
    hw.hashtype = _CRC_HASH
    from whoosh.filedb.filetables import crc_hash

    hw.hashfn = crc_hash


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


# ---------------------------------------------------------------------------------------------- workers


def _tempdir(folder: str, indexname: str) -> str:
    """A new folder for spilled postings inside the writer's temporary folder (which a failed update's
    clean-up removes)."""
    parent = os.path.join(folder, f"{indexname}.tmp")
    os.makedirs(parent, exist_ok=True)
    return tempfile.mkdtemp(prefix="build-", dir=parent)


def _worker(number: int, parent: int, folder: str, indexname: str, schema, document: Callable, jobs, results,
            spill: int) -> None:
    """A worker process: analyse the articles it is sent and write them into one segment of its own."""
    builder = None
    tempdir = None
    if os.getppid() != parent:  # the indexer died before this worker started
        return
    try:
        storage = FileStorage(folder)
        tempdir = _tempdir(folder, indexname)
        builder = SegmentBuilder(storage, indexname, schema, tempdir, spill_postings=spill)
        inferred = {}
        timing = os.environ.get("CHAOYANG_BUILD_TIMING")
        clock = [0.0, 0.0, time.process_time(), time.perf_counter(), 0.0]
        while True:
            try:
                job = jobs.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the indexer was killed: nobody will commit this segment
                    raise SystemExit(1)
                continue
            if job is None:
                break
            for article, entry, digest in job:
                t0 = time.process_time()
                fields, meta = document(article, entry, digest)
                t1 = time.process_time()
                builder.add(fields)
                clock[0] += t1 - t0
                clock[1] += time.process_time() - t1
                if meta.year_inferred:
                    inferred[article.id] = meta.year
        clock[4] = time.perf_counter()
        from . import analysis

        analysis.release()  # the segmenter's dictionary: its memory is the merge's now
        segment = None
        if builder.docnum:
            segment = builder.finish()
            segment.create_compound_file(storage)
        if timing:
            print(f"worker {number}: {builder.docnum} documents; analysis {clock[0]:.1f} s, adding {clock[1]:.1f} s "
                  f"(CPU); receiving {clock[4] - clock[3]:.1f} s, finishing {time.perf_counter() - clock[4]:.1f} s "
                  f"(wall); CPU {time.process_time() - clock[2]:.1f} s; spilled {builder.spills} times",
                  file=sys.stderr, flush=True)
        results.put((number, segment, inferred))
    except BaseException:
        if builder is not None:
            builder.cancel()
        results.put((number, None, traceback.format_exc()))
    finally:
        if tempdir:
            shutil.rmtree(tempdir, ignore_errors=True)


class Builder:
    """New segments for the documents of (article, catalog entry, digest) jobs, built by `document`.

    The first `parallel_above` jobs are kept; past that, `procs` worker processes start and get the jobs in
    batches (round robin, so the same input gives the same segments); otherwise `finish` builds them here.
    """

    def __init__(self, storage, indexname: str, schema, document: Callable, procs: int | None = None,
                 parallel_above: int | None = None, spill_postings: int | None = None):
        self.storage, self.indexname, self.schema, self.document = storage, indexname, schema, document
        self.procs = max(1, procs or os.cpu_count() or 1)
        self.parallel_above = PARALLEL_ABOVE if parallel_above is None else parallel_above
        self.spill_postings = SPILL_POSTINGS if spill_postings is None else spill_postings
        self._held: list = []
        self._batch: list = []
        self._workers: list = []
        self._queues: list = []
        self._sent = 0
        self._results = None

    def add(self, article, entry, digest) -> None:
        job = (article, entry, digest)
        if self._workers:
            self._send(job)
            return
        self._held.append(job)
        if len(self._held) > self.parallel_above and self.procs > 1:
            self._start()
            held, self._held = self._held, []
            for job in held:
                self._send(job)

    def _start(self) -> None:
        import multiprocessing

        from . import analysis

        analysis.words("")  # the segmenter's dictionary: made and cached here once, not by each worker
        ctx = multiprocessing.get_context("spawn")
        self._results = ctx.Queue()
        os.makedirs(os.path.join(self.storage.folder, f"{self.indexname}.tmp"), exist_ok=True)
        # A spawned process re-runs the parent's main script unless it has a module name; workers need nothing
        # of it (`_worker` is here), and a script without a `__main__` guard would index again in each.
        main = sys.modules.get("__main__")
        hidden = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main and k in main.__dict__}
        if main:
            main.__dict__.pop("__file__", None)
            main.__spec__ = None
        try:
            for number in range(self.procs):
                jobs = ctx.Queue(maxsize=4)
                worker = ctx.Process(target=_worker, daemon=True, args=(
                    number, os.getpid(), self.storage.folder, self.indexname, self.schema, self.document, jobs,
                    self._results, self.spill_postings))
                worker.start()
                self._workers.append(worker)
                self._queues.append(jobs)
        finally:
            if main:
                main.__dict__.update(hidden)

    def _send(self, job) -> None:
        self._batch.append(job)
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            jobs = self._queues[self._sent % len(self._queues)]
            while True:
                try:
                    jobs.put(self._batch, timeout=1.0)
                    break
                except queue.Full:  # is every worker still alive?
                    self._check_workers()
            self._sent += 1
            self._batch = []

    def _check_workers(self) -> None:
        for worker in self._workers:
            if not worker.is_alive():
                self._collect(expect_error=True)

    def finish(self) -> tuple[list, dict[str, int | None]]:
        """The new segments (in a stable order) and the years inferred from article text, by id."""
        if not self._workers:
            return self._finish_here()
        self._flush()
        for jobs in self._queues:
            jobs.put(None)
        return self._collect()

    def _collect(self, expect_error: bool = False):
        segments, inferred, errors = {}, {}, []
        pending = len(self._workers)
        while pending:
            try:
                number, segment, info = self._results.get(timeout=1.0)
            except queue.Empty:  # a worker may have died without a word
                if not any(w.is_alive() for w in self._workers):
                    errors.append("an indexing worker died")
                    break
                continue
            pending -= 1
            if isinstance(info, str):
                errors.append(info)
            elif segment is not None:
                segments[number] = segment
                inferred.update(info)
            if expect_error and errors:
                break
        for worker in self._workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
        self._workers = []
        if errors:
            raise RuntimeError("Indexing failed in a worker process:\n" + errors[0])
        # Worker k got batches k, k + procs, …: its segment comes k-th, whichever finished first.
        return [segments[k] for k in sorted(segments)], inferred

    def _finish_here(self):
        inferred: dict[str, int | None] = {}
        if not self._held:
            return [], inferred
        tempdir = _tempdir(self.storage.folder, self.indexname)
        builder = SegmentBuilder(self.storage, self.indexname, self.schema, tempdir,
                                 spill_postings=self.spill_postings)
        try:
            for article, entry, digest in self._held:
                fields, meta = self.document(article, entry, digest)
                builder.add(fields)
                if meta.year_inferred:
                    inferred[article.id] = meta.year
            segment = builder.finish()
            segment.create_compound_file(self.storage)
        except BaseException:
            builder.cancel()
            raise
        finally:
            shutil.rmtree(tempdir, ignore_errors=True)
        self._held = []
        return [segment], inferred

    def cancel(self) -> None:
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self._workers:
            worker.join(timeout=5)
        self._workers = []


def commit(writer, segments: list, mergetype=None) -> None:
    """Commit `writer` (its deletions, anything it added) with `segments` added, in one new generation."""
    writer._check_state()
    final = writer._merge_segments(mergetype, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + list(segments))
    writer._finish()
