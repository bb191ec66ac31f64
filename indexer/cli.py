"""The `search` command: parses options, calls the engine, prints. No search logic lives here.

Heavy modules (Whoosh, jieba) are imported inside the commands, so `search --help` answers at once.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
import time

import click

DEFAULT_SEEDS = "seeds"

QUERY_HELP = """\
\b
Query language:
  装备制造 凌钢            articles with both words
  凌钢 OR 鞍钢             articles with either word
  开发区 -凌源             the first word but not the second
  "装备制造"               that exact phrase (either script)
  zone:凌源 year:2019-2021 industry:新材料
                           filters, the same as --zone, --year, --industry
Filters alone list the matching articles, newest first.
Traditional and simplified script find each other."""

EXIT_CODES = """\
\b
On a terminal a progress bar shows articles read, articles per second, the
share of the input read and the time left to read it; otherwise one summary
line is printed at the end. --quiet prints only warnings and errors.

\b
Exit status: 0 done; 1 error, with an Error: line (the index is left as it
was: a busy index, an unwritable index folder, a full disk); 2 bad usage
(e.g. a missing path); 3 done, but some inputs were skipped (a warning names
each, with file:line)."""


class DefaultGroup(click.Group):
    """A group whose default command is `query`: `search 凌钢` means `search query 凌钢`."""

    def parse_args(self, ctx, args):
        """Insert `query` before the first argument that is neither a group option nor a command, so
        the default command's own options (`search --zone 凌源`) reach it."""
        args, i = list(args), 0
        while i < len(args) and args[i] in ("--index-dir", "--help", "--version") or \
                i < len(args) and args[i].startswith("--index-dir="):
            i += 2 if args[i] == "--index-dir" else 1
        if i < len(args) and args[i] not in self.commands:
            args.insert(i, "query")
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, help=f"Search Chinese news about Chaoyang's development zones.\n\n{QUERY_HELP}",
             epilog="Examples: search 装备制造 · search --zone 凌源 · search index seeds/ · search serve")
@click.option("--index-dir", envvar="SEARCH_INDEX_DIR", default="index", show_default=True,
              type=click.Path(file_okay=False), help="Where the index lives (env SEARCH_INDEX_DIR).")
@click.version_option(package_name="chaoyang-search")
@click.pass_context
def cli(ctx: click.Context, index_dir: str) -> None:
    ctx.obj = {"index_dir": index_dir}


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _ensure_index(index_dir: str) -> None:
    """Build the index from ./seeds when there is none yet, saying so on stderr."""
    from . import index

    if index.exists(index_dir):
        return
    if not pathlib.Path(DEFAULT_SEEDS).is_dir():
        raise click.ClickException(f"No index in {index_dir} and no ./{DEFAULT_SEEDS} folder to build it from: "
                                   f"run `search index PATH` first.")
    click.echo(f"No index in {index_dir}: building it from ./{DEFAULT_SEEDS} …", err=True)
    from .errors import SearchError

    try:
        report = index.update(index_dir, [DEFAULT_SEEDS])
    except SearchError as exc:  # e.g. another process is building it right now
        raise _fail(exc) from None
    click.echo(f"Index built: {report.summary()}.", err=True)


@cli.command("query", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1)
@click.option("-z", "--zone", multiple=True, help="Only this zone (full or short name, e.g. 凌源); repeatable.")
@click.option("-y", "--year", "years", multiple=True, help="A year (2020) or range (2019-2021); repeatable.")
@click.option("-i", "--industry", multiple=True, help="Only this industry (e.g. 新材料); repeatable.")
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Hits per page.")
@click.option("-p", "--page", default=1, show_default=True, type=click.IntRange(1, 1000), help="Which page.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Best match first, or newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (UTF-8) instead of text.")
@click.pass_obj
def query_command(obj, words, zone, years, industry, limit, page, sort, as_json) -> None:
    """Search: print the best hits with highlighted snippets.

    \b
    Example:
        search 装备制造
        search '"装备制造"' --json
        search 开发区 -z 喀左 -z 建平
    """
    from . import pinyin_query, spelling
    from .errors import SearchError
    from .export import results_json
    from .query import Filters
    from .search import Index, search

    _ensure_index(obj["index_dir"])
    try:
        filters = Filters()
        for field, values in (("zone", zone), ("year", years), ("industry", industry)):
            for value in values:
                filters.add(field, value)
        results = search(Index(obj["index_dir"]), " ".join(words), filters, page=page, per_page=limit, sort=sort)
    except SearchError as exc:
        raise _fail(exc) from None
    if as_json:
        click.echo(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        return
    for note in (pinyin_query.note(results), spelling.note(results)):  # pinyin read, typo corrected
        if note:
            click.echo(note, err=True)
    _print_results(results)


def _terminal(snippet) -> str:
    """A snippet as terminal text, matches in colour (click.echo drops colour when piped)."""
    return snippet.render(lambda text, exact: click.style(text, fg="red" if exact else "yellow", bold=exact))


def _print_results(results) -> None:
    first = (results.page - 1) * results.per_page
    for n, hit in enumerate(results.hits, first + 1):
        a = hit.article
        click.echo(click.style(f"{n}. ", bold=True) + click.style(_terminal(hit.title), bold=True))
        facts = [a.id, " ".join(a.zones or []) or "no zone", str(a.year or "year unknown")]
        click.echo("   " + " · ".join(facts + ([" ".join(a.industries)] if a.industries else [])))
        click.echo("   " + _terminal(hit.snippet))
        if hit.missing:
            click.echo("   missing: " + " ".join(hit.missing))
        click.echo()
    shown = f"{first + 1}–{first + len(results.hits)} of " if results.hits else ""
    click.echo(f"{shown}{results.total} results (page {results.page} of {results.pages}) "
               f"in {results.seconds * 1000:.0f} ms")
    zones = results.facets.get("zone", [])
    if zones:
        click.echo("Zones: " + " · ".join(f"{v.value} ({v.count})" for v in zones))


@cli.command("index", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option("--wait", default=10.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for another indexer to finish.")
@click.option("--explain", metavar="ID", help="Print what is extracted for article ID and why; index nothing.")
@click.pass_obj
def index_command(obj, paths, rebuild, quiet, wait, explain) -> None:
    """Build or update the index from article files and folders (default: ./seeds).

    Files: .txt, .md, .html/.htm (one article each; UTF-8, GB18030 or Big5) and
    .jsonl/.jsonl.gz/.jsonl.xz (one article per line: id, body, and optionally
    title, date, source, zone, year, industry; given values win over extraction).

    Only new and changed articles are indexed; articles whose file or line is
    gone are removed. An update is saved all at once: stopped at any moment, it
    leaves the index as it was, and searches see the new articles when it ends.

    \b
    Example:
        search index
        search index seeds/ archive.jsonl.xz --rebuild
        search index --explain 000_2a1c0b8050bb07fb
    """
    from . import index
    from .errors import SearchError

    paths = paths or (DEFAULT_SEEDS,)
    if explain:
        _explain(paths, explain)
        return
    bar = _Progress(enabled=not quiet and sys.stderr.isatty())
    try:
        report = index.update(obj["index_dir"], paths, rebuild=rebuild, wait=wait, progress=bar)
    except SearchError as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    for skipped in report.skipped:
        click.echo(f"Warning: skipped {skipped}", err=True)
    if not quiet:
        for note in report.notes:
            click.echo(note, err=True)
        if report.inferred_years:
            years = ", ".join(f"{i} → {y or 'unknown'}" for i, y in sorted(report.inferred_years.items())[:20])
            more = f" (and {len(report.inferred_years) - 20} more)" if len(report.inferred_years) > 20 else ""
            click.echo(f"Years inferred from the text (no catalog entry or date): {years}{more}", err=True)
        click.echo(f"Indexed into {obj['index_dir']}: {report.summary()}.")
    if report.skipped:
        sys.exit(3)


class _Progress:
    """A progress bar on stderr, on a terminal only: articles read and their rate, the share of the input
    bytes read (compressed bytes for an archive: JSON Lines are not counted in advance) and the time left to
    read the rest at the rate so far."""

    WIDTH = 24

    def __init__(self, enabled: bool, interval: float = 0.2):
        self.enabled, self.interval = enabled, interval
        self.count, self.started, self.shown, self.drawn = 0, time.perf_counter(), 0.0, False

    def __call__(self, meter) -> None:
        if meter.phase == "writing":
            self._draw(f"{self.count:,} articles read · writing the index …")
            return
        self.count += 1
        now = time.perf_counter()
        if not self.enabled or now - self.shown < self.interval:
            return
        self.shown = now
        elapsed = now - self.started
        fraction = meter.fraction
        filled = int(fraction * self.WIDTH)
        line = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%}  {self.count:,} articles  "
                f"{self.count / elapsed:,.0f}/s")
        if 0 < fraction < 1 and elapsed >= 1:
            line += f"  ETA {_duration(elapsed * (1 - fraction) / fraction)}"
        self._draw(line)

    def _draw(self, line: str) -> None:
        if self.enabled:
            click.echo(f"\r\x1b[K{line}", nl=False, err=True, color=True)
            self.drawn = True

    def close(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", nl=False, err=True, color=True)
            self.drawn = False


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _explain(paths, doc_id: str) -> None:
    from . import metadata
    from .articles import Article, read_articles

    catalog = {}
    for path in map(pathlib.Path, paths):
        catalog.update(metadata.load_catalog(path if path.is_dir() else path.parent))
    article = next((a for a in read_articles(paths) if isinstance(a, Article) and a.id == doc_id), None)
    if article is None:
        raise click.ClickException(f"No article with id {doc_id} under {', '.join(map(str, paths))}.")
    meta = metadata.extract(article, catalog.get(doc_id))
    click.echo(f"{article.id}: {article.title}")
    for line in metadata.explain_lines(meta):
        click.echo(line)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Server processes sharing the port, each with --threads threads (one per core: Python "
                   "runs one process's threads on one core at a time).")
@click.pass_obj
def serve_command(obj, host, port, threads, workers) -> None:
    """Serve the search page with waitress (a production server; never Flask's debug server).

    \b
    Example:
        search serve --port 8080
        search serve --workers 2      # both cores of a 2-core machine
    """
    import socket

    import waitress

    from web import create_app

    _ensure_index(obj["index_dir"])
    config = {"INDEX_DIR": os.path.abspath(obj["index_dir"])}
    try:
        listener = socket.create_server((host, port), backlog=1024)
    except OSError as e:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {os.strerror(e.errno) if e.errno else e}.")
    port = listener.getsockname()[1]
    processes = f" with {workers} processes" if workers > 1 else ""
    click.echo(f"Serving on http://{host}:{port}/{processes} (Ctrl-C to stop)", err=True)
    # Every route is GET: a body is never needed, so waitress need not buffer one (its default is 1 GB).
    options = dict(threads=threads, ident="chaoyang-search", max_request_body_size=64 * 1024)

    def serve() -> None:
        waitress.serve(create_app(config), sockets=[listener], **options)

    if workers > 1:
        sys.exit(_serve_processes(workers, serve))
    serve()


def _serve_processes(workers: int, serve) -> int:
    """Run `serve` in `workers` forked processes that share the listening socket (the kernel hands each
    connection to one of them) until this process is told to stop; returns the exit status.

    A worker that dies takes the others down (exit 1): a half-capacity server should not look healthy. A
    worker whose parent is gone (killed with SIGKILL) stops by itself."""
    import signal
    import threading

    parent = os.getpid()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: Ctrl-C reaches the whole process group; the parent stops the workers
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

            def orphaned() -> None:
                while os.getppid() == parent:
                    time.sleep(1.0)
                os._exit(0)

            threading.Thread(target=orphaned, daemon=True).start()
            try:
                serve()
            finally:
                os._exit(1)
        children.append(pid)

    stopping = False

    def stop(signum=None, frame=None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        try:
            pid, _ = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        children.remove(pid)
        if not stopping:
            click.echo(f"Error: server process {pid} stopped; stopping the others.", err=True)
            status = 1
            stop()
    return status


def main() -> None:
    """Entry point of the `search` console script."""
    cli(prog_name="search")
