"""Building index segments fast: articles analysed on every core, each worker writing a segment of its own.

Whoosh's writer spends most of a build in per-posting Python: every posting goes through its field format,
a sorting pool (pickled to run files and merged back one posting at a time) and a postings writer that
re-checks and re-packs each one. Here:

* `Builder` hands articles, in batches, to worker processes (a `concurrent.futures` pool, one per core): each
  runs one `build_segment` task that analyses the articles of its own queue (`document()`: jieba, n-grams,
  metadata) and adds them to a segment, so analysis and writing use every core. Small updates are built in
  this process (no start-up cost).
* `SegmentBuilder` gathers each field's postings per term in plain lists, spills them to disk by ranges of
  terms when they grow, merges the spills range by range with dict operations, and has
  `codec.TermsWriter` write the segment in Whoosh's format.

The segments are committed together with the writer's own changes (deletions of replaced articles) in one
Whoosh commit, so an update is still all or nothing. `tests/test_build.py` checks the segments against
Whoosh's writer, term by term and posting by posting.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import pickle
import queue
import re
import shutil
import tempfile
from array import array
from collections.abc import Callable

from whoosh import formats
from whoosh.analysis.tokenizers import RegexTokenizer
from whoosh.util.numeric import length_to_byte

from . import codec
from .facets import EXTENSION as FACETS_EXTENSION, FacetRecorder
from .lexicon_segment import EXTENSION as LEXICON_EXTENSION, LexiconRecorder

# Work for one worker process, in articles; more than this many articles (re)indexed use worker processes.
BATCH = 64
PARALLEL_ABOVE = 400
# A worker spills its postings to disk past this many (about 100 MB of lists).
SPILL_POSTINGS = 1_500_000

_SPACE_TOKENS = r"[^ \t\r\n]+"  # whoosh.analysis.SpaceSeparatedTokenizer
_PARTS = 256  # term ranges a spill is cut into, merged one at a time (the largest: ~4% of the postings)


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
    """Which of _PARTS ranges of first characters `term` is in: monotonic, so ranges are in term order."""
    c = ord(term[0]) if term else 0
    if c < 0x4E00:
        return 0
    if c > 0x9FFF:
        return _PARTS - 1
    return 1 + (c - 0x4E00) * (_PARTS - 2) // 0x5200


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
                        for t in dict.fromkeys(tokens):
                            e = get(t)
                            if e is None:
                                terms[t] = [docnum, w, b""]
                            else:
                                e += (docnum, w, b"")
                        added += len(tokens)
                    if scorable:
                        length = len(tokens)
                elif kind == "generic":
                    key = (name, value) if isinstance(value, str) and not field.unique else None
                    postings = self._generic_cache.get(key) if key else None
                    if postings is None:
                        postings = [(tbytes.decode("utf-8"), freq_, float(weight), vbytes)
                                    for tbytes, freq_, weight, vbytes in field.index(value)]
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


def _tempdir(folder: str) -> str:
    """A new folder for spilled postings inside the writer's temporary folder (which a failed update's
    clean-up removes)."""
    parent = os.path.join(folder, f"{codec.INDEX_NAME}.tmp")
    os.makedirs(parent, exist_ok=True)
    return tempfile.mkdtemp(prefix="build-", dir=parent)


def build_segment(storage, schema, document: Callable, jobs, spill: int, parent: int | None = None):
    """Analyse the (article, catalog entry, digest) jobs that `jobs` yields with `document` and write them
    into one new segment: (the segment or None when there were none, years inferred by article id).

    In a worker, `jobs` is its queue's batches until a None, and `parent` the indexer's process id: a worker
    whose indexer has died stops (nobody would commit its segment)."""
    tempdir = _tempdir(storage.folder)
    builder = SegmentBuilder(storage, schema, tempdir, spill_postings=spill)
    inferred: dict[str, int | None] = {}
    try:
        for article, entry, digest in jobs:
            fields, meta = document(article, entry, digest)
            builder.add(fields)
            if meta.year_inferred:
                inferred[article.id] = meta.year
        if not builder.docnum:
            builder.cancel()
            return None, inferred
        segment = builder.finish()
        segment.create_compound_file(storage)
        return segment, inferred
    except BaseException:
        builder.cancel()
        raise
    finally:
        shutil.rmtree(tempdir, ignore_errors=True)


# The queues of a worker pool's processes, set in each by `_init_worker`.
_QUEUES: list = []


def _init_worker(queues: list) -> None:
    _QUEUES[:] = queues


def _queued_jobs(number: int, parent: int):
    """The jobs sent to worker `number`'s queue, batch by batch, until None."""
    jobs = _QUEUES[number]
    while True:
        try:
            batch = jobs.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the indexer was killed: nobody will commit this segment, or wait
                os._exit(1)
            continue
        if batch is None:
            return
        if batch == _ABORT:
            raise RuntimeError("the update was abandoned")
        yield from batch


_ABORT = "abort"


def _worker_task(number: int, parent: int, folder: str, schema, document: Callable, spill: int):
    """A worker's one task: a segment of the jobs of its queue."""
    storage = codec.MappedStorage(folder)
    return build_segment(storage, schema, document, _queued_jobs(number, parent), spill)


class Builder:
    """New segments for the documents of (article, catalog entry, digest) jobs, built by `document`.

    The first `parallel_above` jobs are kept; past that, a pool of `procs` worker processes starts, each
    running one `build_segment` task on the batches sent to its queue (round robin, so the same input gives
    the same segments); otherwise `finish` builds them here.
    """

    def __init__(self, storage, schema, document: Callable, procs: int | None = None,
                 parallel_above: int | None = None, spill_postings: int | None = None):
        self.storage, self.schema, self.document = storage, schema, document
        self.procs = max(1, procs or os.cpu_count() or 1)
        self.parallel_above = PARALLEL_ABOVE if parallel_above is None else parallel_above
        self.spill_postings = SPILL_POSTINGS if spill_postings is None else spill_postings
        self._held: list = []
        self._batch: list = []
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._futures: list = []
        self._queues: list = []
        self._sent = 0

    def add(self, article, entry, digest) -> None:
        job = (article, entry, digest)
        if self._pool:
            self._send(job)
            return
        self._held.append(job)
        if len(self._held) > self.parallel_above and self.procs > 1:
            self._start()
            held, self._held = self._held, []
            for job in held:
                self._send(job)

    def _start(self) -> None:
        from . import analysis

        analysis.segment("")  # load the segmenter here once: forked workers share it
        # fork: workers start at once and need nothing re-imported (the indexer is single-threaded here)
        context = multiprocessing.get_context("fork")
        self._queues = [context.Queue(maxsize=4) for _ in range(self.procs)]
        self._pool = concurrent.futures.ProcessPoolExecutor(
            self.procs, mp_context=context, initializer=_init_worker, initargs=(self._queues,))
        self._futures = [self._pool.submit(_worker_task, number, os.getpid(), self.storage.folder, self.schema,
                                           self.document, self.spill_postings) for number in range(self.procs)]

    def _send(self, job) -> None:
        self._batch.append(job)
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            number = self._sent % len(self._queues)
            while True:
                try:
                    self._queues[number].put(self._batch, timeout=1.0)
                    break
                except queue.Full:  # has its worker failed?
                    if self._futures[number].done():
                        self._futures[number].result()  # raises the worker's error
                        raise RuntimeError("an indexing worker stopped early")
            self._sent += 1
            self._batch = []

    def finish(self) -> tuple[list, dict[str, int | None]]:
        """The new segments (in a stable order) and the years inferred from article text, by id."""
        if not self._pool:
            return self._finish_here()
        self._flush()
        for jobs in self._queues:
            jobs.put(None)
        segments, inferred = [], {}
        try:
            # Worker k got batches k, k + procs, …: its segment comes k-th, whichever finished first.
            for future in self._futures:
                segment, years = future.result()
                if segment is not None:
                    segments.append(segment)
                inferred.update(years)
        except concurrent.futures.process.BrokenProcessPool:
            raise RuntimeError("an indexing worker died") from None
        finally:
            self.cancel()
        return segments, inferred

    def _finish_here(self):
        if not self._held:
            return [], {}
        segment, inferred = build_segment(self.storage, self.schema, self.document, self._held,
                                          self.spill_postings)
        self._held = []
        return [segment] if segment is not None else [], inferred

    def cancel(self) -> None:
        """Stop the workers (after a failed update, they abandon their segments) and shut the pool down."""
        if self._pool is None:
            return
        for jobs, future in zip(self._queues, self._futures):
            while not future.done():
                try:
                    jobs.put(_ABORT, timeout=0.5)
                    break
                except queue.Full:
                    continue
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
