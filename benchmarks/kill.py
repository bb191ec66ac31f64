"""Fault test: SIGKILL `search index` at random moments, again and again, and check after each kill that
the index opens, answers a query and holds every article committed before (and no half-written update).

    python benchmarks/kill.py /work/shared/corpus/news_zh.jsonl.xz --rounds 20 --batch 300 --out benchmarks/results/kill

A first update runs to the end (the committed base, and how long an update takes); then each round indexes
the next batch of articles into the same index and is killed after a random delay up to `--spread` (3) times that
duration, so kills land in reading, analysis and the commit alike; a round that finished before its kill
committed its batch, and the next checks count on it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import lzma
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from indexer import index
from indexer.search import Index, search

SEARCH = pathlib.Path(sys.executable).with_name("search")


def batches(corpus: str, size: int):
    opener = lzma.open if corpus.endswith(".xz") else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        while chunk := list(itertools.islice(lines, size)):
            yield chunk


def indexed_ids(index_dir: pathlib.Path) -> set[str]:
    ix = index.open_index(index_dir)
    with ix.searcher() as s:
        return {f["id"] for f in s.all_stored_fields()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=300)
    parser.add_argument(
        "--spread",
        type=float,
        default=3.0,
        help="kills land up to SPREAD times the first update's duration after the start",
    )
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    work = pathlib.Path(tempfile.mkdtemp(prefix="kill-"))
    index_dir = work / "index"
    committed: set[str] = set()
    rounds = []
    source = batches(args.corpus, args.batch)
    max_delay = None
    for n in range(args.rounds + 1):
        batch_file = work / "batch.jsonl"  # one source file that grows: earlier articles stay, new ones join
        with batch_file.open("a", encoding="utf-8") as out:
            out.writelines(next(source))
        batch_ids = {json.loads(line)["id"] for line in batch_file.open(encoding="utf-8")}
        delay = rng.uniform(0.05, max_delay) if max_delay else None
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(SEARCH), "--index-dir", str(index_dir), "index", str(batch_file), "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            proc.wait(timeout=delay)
            finished = True
            if max_delay is None:
                max_delay = args.spread * (time.monotonic() - started)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            finished = False
        record = {"round": n, "kill_after_s": round(delay, 2) if delay else None, "finished_before_kill": finished}
        if finished:
            record["seconds"] = round(time.monotonic() - started, 2)
        if finished and proc.returncode == 0:
            committed = batch_ids
        elif finished:
            record["indexer_failed"] = proc.stderr.read().decode(errors="replace")[-300:]
        try:
            present = indexed_ids(index_dir) if index.exists(index_dir) else set()
            record["opens"] = True
            record["lost_committed"] = len(committed - present)
            # A killed update either committed all of its batch or nothing of it.
            new = present - committed
            record["partial_update"] = bool(new) and new != batch_ids - committed
            if present:
                record["query_ok"] = search(Index(index_dir), "的", per_page=1).total >= 0
            committed |= present
        except Exception as exc:  # the point of the test: report, don't crash
            record.update(opens=False, error=repr(exc))
        rounds.append(record)
        print(json.dumps(record), flush=True)
        time.sleep(0.2)
    rounds = rounds[1:]  # round 0 built the base
    summary = {
        "rounds": len(rounds),
        "killed": sum(not r["finished_before_kill"] for r in rounds),
        "failed_to_open": sum(not r.get("opens") for r in rounds),
        "lost_committed_articles": sum(r.get("lost_committed", 0) for r in rounds),
        "partial_updates": sum(bool(r.get("partial_update")) for r in rounds),
        "final_articles": len(committed),
    }
    print(json.dumps(summary))
    if args.out:
        pathlib.Path(args.out + ".json").write_text(json.dumps({"summary": summary, "rounds": rounds}, indent=2) + "\n")
        pathlib.Path(args.out + ".md").write_text(
            f"Kill test: {summary['rounds']} rounds, {summary['killed']} killed mid-update (SIGKILL); "
            f"index failed to open {summary['failed_to_open']} times; committed articles lost: "
            f"{summary['lost_committed_articles']}; partial updates visible: {summary['partial_updates']}; "
            f"{summary['final_articles']} articles at the end.\n"
        )


if __name__ == "__main__":
    main()
