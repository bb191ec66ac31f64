"""Crash safety and concurrency with real processes: `search index` killed with SIGKILL at any moment leaves
the previous index; searches (in this process, through the CLI and the web app) keep working while another
process writes, and see its articles once it commits; a second writer waits, then gives up.

The children run the installed `search` script, or `search` with a hook that stops it at a chosen point of a
Whoosh commit (and says so in a marker file) so that it is killed exactly there.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

import fixtures
from indexer import index
from indexer.search import Index, search

pytestmark = pytest.mark.slow

SEARCH = pathlib.Path(sys.executable).with_name("search")

# Runs `search ARGS…`, first patching Whoosh so that the process stops at $STOP_AT, writes its pid into
# $STOP_MARKER and waits there: until killed, or until $STOP_MARKER.go exists.
HOOKED = textwrap.dedent("""
    import os, pathlib, sys, time
    from whoosh import index as whoosh_index, writing
    from whoosh.filedb.filestore import FileStorage

    where, marker = os.environ["STOP_AT"], pathlib.Path(os.environ["STOP_MARKER"])

    def stop():
        marker.write_text(str(os.getpid()))
        go = marker.with_suffix(".go")
        for _ in range(600):
            if go.exists():
                return
            time.sleep(0.05)

    def after(cls, name, when=lambda *a, **k: True):
        original = getattr(cls, name)
        def patched(*args, **kwargs):
            result = original(*args, **kwargs)
            if when(*args, **kwargs):
                stop()
            return result
        setattr(cls, name, patched)

    def before(cls, name, when=lambda *a, **k: True):
        original = getattr(cls, name)
        def patched(*args, **kwargs):
            if when(*args, **kwargs):
                stop()
            return original(*args, **kwargs)
        setattr(cls, name, patched)

    added = []
    if where == "adding":  # documents are in the writer's new segment, nothing is committed
        from indexer import segment
        after(segment.SegmentBuilder, "add", lambda *a, **k: added.append(1) or len(added) == 10)
    elif where == "segment-written":  # the new segment is complete on disk; the table of contents is not
        before(whoosh_index.TOC, "write", lambda toc, *a: toc.generation > 0)  # (0: a new, empty index)
    elif where == "toc-written":  # the new table of contents is written, not yet renamed into place
        before(FileStorage, "rename_file", lambda self, old, new, safe=False: new.endswith(".toc")
               and not new.endswith("_0.toc"))
    elif where == "committed":  # renamed into place: committed, the old files not yet cleaned up
        after(whoosh_index.TOC, "write", lambda toc, *a: toc.generation > 0)
    else:
        raise SystemExit(f"unknown STOP_AT {where}")

    from indexer.cli import main
    sys.argv[0] = "search"
    main()
""")


def start(index_dir, *args, stop_at: str | None = None, marker: pathlib.Path | None = None) -> subprocess.Popen:
    """A child process running `search --index-dir INDEX_DIR ARGS…`, stopping at `stop_at` if given."""
    if stop_at is None:
        command = [str(SEARCH)]
        env = os.environ
    else:
        script = marker.with_name("hooked_search.py")
        script.write_text(HOOKED, encoding="utf-8")
        command = [sys.executable, str(script)]
        env = os.environ | {"STOP_AT": stop_at, "STOP_MARKER": str(marker)}
    return subprocess.Popen(
        [*command, "--index-dir", str(index_dir), *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill(proc: subprocess.Popen, may_have_finished: bool = False) -> None:
    """SIGKILL `proc`; with `may_have_finished`, it may have exited by itself (status 0) just before."""
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL or (may_have_finished and proc.returncode == 0), proc.returncode


def content(index_dir) -> dict[str, str]:
    """The articles in the index (id → stored body), checking that it opens and answers queries."""
    idx = Index(index_dir)
    try:
        with idx.ix.searcher() as searcher:
            bodies = {fields["id"]: fields["body"] for fields in searcher.all_stored_fields()}
        assert search(idx, fixtures.MARKER, per_page=1).total == len(bodies)
        return bodies
    finally:
        idx.close()


def names(index_dir) -> set[str]:
    return {p.name for p in pathlib.Path(index_dir).iterdir()}


def new_segment_files(index_dir, before: set[str]) -> set[str]:
    """Segment files in the index folder that were not there `before`: a writer is at work."""
    return {n for n in names(index_dir) - before if n.startswith("MAIN_") and n != "MAIN_WRITELOCK"}


def leftovers(index_dir) -> set[str]:
    """Files in the index folder that its table of contents does not account for."""
    ix = index.open_index(index_dir)
    expected = {f"_MAIN_{ix.latest_generation()}.toc", "MAIN_WRITELOCK"}
    names = {p.name for p in pathlib.Path(index_dir).iterdir()}
    segments = {s.segment_id() for s in ix._read_toc().segments}
    return {n for n in names - expected if n.split(".")[0] not in segments}


@pytest.fixture
def versions(tmp_path):
    """A corpus (txt files and a JSON Lines file) and its index at version 1, and the same corpus edited to
    version 2 (articles changed, removed, added; lines changed and removed), not yet indexed."""
    folder = tmp_path / "corpus"
    v1 = fixtures.articles(100, size=200)
    fixtures.write_articles(folder, {k: t for k, t in v1.items() if _n(k) < 80})
    fixtures.write_jsonl(folder / "news.jsonl", fixtures.records({k: t for k, t in v1.items() if _n(k) >= 80}))
    index_dir = tmp_path / "ix"
    index.update(index_dir, [folder])
    assert content(index_dir) == v1

    v2 = {k: (t.replace("第一版", "第二版") if _n(k) % 5 == 0 else t) for k, t in v1.items()}
    for gone in ("art0001", "art0002", "art0081", "art0082"):
        del v2[gone]
    (folder / "art0001.txt").unlink()
    (folder / "art0002.txt").unlink()
    v2 |= fixtures.articles(30, start=100, version="第二版", size=200)
    fixtures.write_articles(folder, {k: t for k, t in v2.items() if not 80 <= _n(k) < 100})
    fixtures.write_jsonl(folder / "news.jsonl", fixtures.records({k: t for k, t in v2.items() if 80 <= _n(k) < 100}))
    return folder, index_dir, v1, v2


def _n(doc_id: str) -> int:
    return int(doc_id[3:])


def test_sigkill_at_any_point_of_an_update_leaves_the_previous_index(tmp_path, versions):
    folder, index_dir, v1, v2 = versions

    # Killed at chosen points of the commit: before the new table of contents is in place, nothing changed.
    for n, (stop_at, rebuild) in enumerate(
        [("adding", False), ("segment-written", False), ("toc-written", False), ("segment-written", True)]
    ):
        marker = tmp_path / f"stop{n}"
        before = names(index_dir)
        proc = start(index_dir, "index", folder, *(["--rebuild"] if rebuild else []), stop_at=stop_at, marker=marker)
        wait_for(marker.exists, what=f"the indexer to reach {stop_at}")
        assert new_segment_files(index_dir, before), "the killed writer had written nothing"
        kill(proc)
        assert content(index_dir) == v1, stop_at

    # Killed at moments of the plain command: once its writer is at work, and later (by then the update may
    # have committed: the index is then the new one, whole, and the previous one is put back to go on).
    backup = tmp_path / "ix-v1"
    shutil.copytree(index_dir, backup)
    for delay in (0.0, 0.3):
        before = names(index_dir)
        proc = start(index_dir, "index", folder)
        wait_for(lambda before=before: new_segment_files(index_dir, before), what="the writer to start")
        time.sleep(delay)
        kill(proc, may_have_finished=bool(delay))  # a small update can be done within the delay
        found = content(index_dir)
        assert found == v1 or (delay and found == v2), delay
        assert proc.returncode != 0 or found == v2
        if found == v2:
            shutil.rmtree(index_dir)
            shutil.copytree(backup, index_dir)

    # Killed just after the commit point: the update is there, whole.
    marker = tmp_path / "stop-committed"
    proc = start(index_dir, "index", folder, stop_at="committed", marker=marker)
    wait_for(marker.exists, what="the commit")
    kill(proc)
    assert content(index_dir) == v2
    assert leftovers(index_dir)  # the old segment, not yet cleaned up

    # The next run finds nothing to do, and removes what the killed writers left.
    proc = start(index_dir, "index", folder)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "0 added, 0 updated, 0 removed, 126 unchanged, 0 skipped" in out
    assert content(index_dir) == v2
    assert leftovers(index_dir) == set()


def test_a_killed_first_build_leaves_no_index(tmp_path):
    folder = fixtures.write_articles(tmp_path / "corpus", fixtures.articles(60))
    index_dir = tmp_path / "ix"
    marker = tmp_path / "stop"
    proc = start(index_dir, "index", folder, stop_at="segment-written", marker=marker)
    wait_for(marker.exists, what="the segment")
    assert any(p.suffix == ".seg" for p in index_dir.iterdir())
    kill(proc)
    assert not index.exists(index_dir)
    result = subprocess.run(
        [str(SEARCH), "--index-dir", str(index_dir), "index", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "60 added" in result.stdout
    assert leftovers(index_dir) == set()


def _web_total(client, q: str) -> int:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["total"]


def _cli_total(index_dir, q: str) -> int:
    result = subprocess.run(
        [str(SEARCH), "--index-dir", str(index_dir), q, "--json"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["total"]


def test_searches_continue_during_an_update_and_a_second_indexer_gives_up(tmp_path, versions):
    from web import create_app

    folder, index_dir, v1, v2 = versions
    idx = Index(index_dir)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    assert search(idx, fixtures.MARKER).total == _web_total(client, fixtures.MARKER) == len(v1)
    marker = tmp_path / "stop"
    writer = start(index_dir, "index", folder, stop_at="segment-written", marker=marker)
    third = writer
    try:
        wait_for(marker.exists, what="the writer to finish its segment")
        # The update is written but not committed: every search still sees version 1.
        assert search(idx, fixtures.MARKER).total == _web_total(client, fixtures.MARKER) == len(v1)
        assert _cli_total(index_dir, fixtures.MARKER) == len(v1)
        assert search(idx, "第二版").total == _web_total(client, "第二版") == 0

        # A second indexer waits --wait seconds, then gives up with exit status 1 and a message.
        started = time.monotonic()
        second = subprocess.run(
            [str(SEARCH), "--index-dir", str(index_dir), "index", str(folder), "--wait", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert second.stderr == (
            f"Error: Another indexer is updating {index_dir} (waited 1 s); try again when it "
            f"has finished, or wait longer with --wait.\n"
        )
        assert time.monotonic() - started >= 1

        # One that waits long enough goes ahead when the first has finished.
        third = start(index_dir, "index", folder, "--wait", "60")
        time.sleep(1.0)
        assert third.poll() is None
        marker.with_suffix(".go").touch()
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        out, err = third.communicate(timeout=60)
        assert third.returncode == 0, err
        assert "0 added, 0 updated, 0 removed, 126 unchanged" in out
    finally:
        for proc in (writer, third):
            if proc.poll() is None:
                kill(proc)
    # Committed: a new process sees version 2.
    assert _cli_total(index_dir, "第二版") == sum("第二版" in t for t in v2.values())
    assert content(index_dir) == v2
    idx.close()


def test_an_open_index_sees_exactly_the_new_content_when_an_update_commits(tmp_path, versions):
    from web import create_app

    folder, index_dir, v1, v2 = versions
    idx = Index(index_dir)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    assert search(idx, fixtures.MARKER).total == _web_total(client, fixtures.MARKER) == len(v1)
    for args, expected in [((), v2), (("--rebuild",), v2)]:
        result = subprocess.run(
            [str(SEARCH), "--index-dir", str(index_dir), "index", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert search(idx, fixtures.MARKER).total == _web_total(client, fixtures.MARKER) == len(expected)
        assert (
            search(idx, "第二版").total == _web_total(client, "第二版") == sum("第二版" in t for t in expected.values())
        )
        assert idx.document("art0001") is None and idx.document("art0129").title.startswith(fixtures.MARKER)
    idx.close()


# As root, `search index` runs as nobody (root ignores permissions), switching user once its modules are
# loaded: the interpreter under /root cannot be started by nobody.
AS_NOBODY = textwrap.dedent("""
    import fcntl, os, sys
    import indexer.cli, indexer.index, indexer.articles, indexer.metadata, indexer.analysis, indexer.errors
    import whoosh.index, whoosh.writing, whoosh.filedb.filestore, whoosh.util.filelock
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    sys.argv[0] = "search"
    indexer.cli.main()
""")


def test_a_read_only_index_is_a_clear_error_and_left_untouched():
    work = pathlib.Path(tempfile.mkdtemp(prefix="readonly-"))
    index_dir = work / "ix"
    try:
        work.chmod(0o755)
        folder = fixtures.write_articles(work / "corpus", fixtures.articles(2))
        index.update(index_dir, [folder])
        fixtures.write_articles(folder, fixtures.articles(3))
        if os.geteuid() == 0:
            command = [sys.executable, "-c", AS_NOBODY]
        else:
            command = [str(SEARCH)]
            index_dir.chmod(0o555)
            for path in index_dir.iterdir():
                path.chmod(0o444)
        before = {p.name: p.read_bytes() for p in index_dir.iterdir()}
        result = subprocess.run(
            [*command, "--index-dir", str(index_dir), "index", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=work,
        )
        assert result.returncode == 1, result.stderr
        expected = f"Error: Cannot write an index in {index_dir}: Permission denied"
        assert result.stderr.startswith(expected), result.stderr
        assert "Traceback" not in result.stderr
        assert {p.name: p.read_bytes() for p in index_dir.iterdir()} == before
    finally:
        if index_dir.exists():
            index_dir.chmod(0o755)
        shutil.rmtree(work)
