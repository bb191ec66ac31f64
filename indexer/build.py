"""Building index segments on every core: articles analysed and written by worker processes, each writing a
segment of its own.

`Builder` hands articles, in batches, to worker processes (a `concurrent.futures` pool, one per core): each
runs one `build_segment` task that analyses the articles of its own queue (`document()`: jieba, n-grams,
metadata) and adds them to a `segment.SegmentBuilder`, so analysis and writing use every core. Small updates
are built in this process (no start-up cost).

The segments are committed together with the writer's own changes (deletions of replaced articles) in one
Whoosh commit, so an update is still all or nothing.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import queue
import shutil
import tempfile
from collections.abc import Callable

from . import codec, memory
from .segment import SPILL_POSTINGS, SegmentBuilder

# Work for one worker process, in articles; more than this many articles (re)indexed use worker processes.
BATCH = 64
PARALLEL_ABOVE = 400


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
        if parent is not None:  # a worker: its segmenter's memory is the merge's now
            from . import analysis

            analysis.release()
            memory.trim()
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
    return build_segment(storage, schema, document, _queued_jobs(number, parent), spill, parent)


class Builder:
    """New segments for the documents of (article, catalog entry, digest) jobs, built by `document`.

    The first `parallel_above` jobs are kept; past that, a pool of `procs` worker processes starts, each
    running one `build_segment` task on the batches sent to its queue (round robin, so the same input gives
    the same segments); otherwise `finish` builds them here.
    """

    def __init__(
        self,
        storage,
        schema,
        document: Callable,
        procs: int | None = None,
        parallel_above: int | None = None,
        spill_postings: int | None = None,
    ):
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
            self.procs, mp_context=context, initializer=_init_worker, initargs=(self._queues,)
        )
        self._futures = [
            self._pool.submit(
                _worker_task, number, os.getpid(), self.storage.folder, self.schema, self.document, self.spill_postings
            )
            for number in range(self.procs)
        ]
        # The workers are forked (all at once, with fork) and have their copies: this process, which only
        # reads and sends articles from now on, frees its own (about 60 MB; a later update loads it again).
        analysis.release()
        memory.trim()

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
                        raise RuntimeError("an indexing worker stopped early") from None
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
        segment, inferred = build_segment(self.storage, self.schema, self.document, self._held, self.spill_postings)
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
