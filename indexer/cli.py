"""The `search` command: parses options, calls the engine, prints. No search logic lives here.

Heavy modules (Whoosh, jieba, Flask) are imported inside the commands, so `search --help` answers at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import sys

import click
from click_default_group import DefaultGroup

from . import record
from .errors import SearchError
from .terminal import Progress, print_results

DEFAULT_SEEDS = "seeds"

QUERY_HELP = """\
\b
Query language:
  装备制造 凌钢            articles with both words (also AND, and, +凌钢)
  凌钢 OR 鞍钢             articles with either word (also or, |)
  开发区 -凌源             the first word but not the second (also NOT 凌源)
  "装备制造"               that exact string (also “…” and 「…」)
  intitle:凌钢             in the headline
  zone:凌源 year:2019-2021 industry:新材料 company:凌钢集团 site:chinanews.com.cn
                           filters, the same as the options of the same names
                           (source: is site:)
Filters alone list the matching articles, newest first.
Traditional and simplified script, and mainland and Taiwan wording (软件/軟體),
find each other; pinyin (lingyuan) is read as the words it spells.

\b
Example:
  search 装备制造
  search --zone 凌源
  search index seeds/
  search serve"""

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

# One filter option per facet of `record.FACETS` (a facet added there gets its option): the short flags and
# the hints of those that have them.
FACET_FLAGS = {"zone": "-z", "year": "-y", "industry": "-i"}
FACET_HINTS = {
    "zone": "full or short name, e.g. 凌源",
    "year": "2020, or a range: 2019-2021",
    "industry": "e.g. 新材料",
    "company": "a company or project the articles name, e.g. 凌钢集团",
    "site": "the source's host, e.g. chinanews.com.cn, or a publisher's name",
}
TEXT_FORMATS = ("text", "json")  # one page of hits; the export formats (`export.FORMATS`) write every match
EXPORT_FORMATS = ("csv", "jsonl")  # == indexer.export.FORMATS, named here so that --help imports no engine


class Command(click.Command):
    """A command whose engine errors (`SearchError`) are an `Error: …` line and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SearchError as exc:
            raise click.ClickException(str(exc)) from None


class QueryCommand(Command):
    """The query command: with --json (or --format json) every error, a usage error included, is a JSON
    object on stdout, `{"error": "…"}`, with the exit status of the `Error: …` line it replaces."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _json_errors(
            ctx,
            "--json" in args
            or "--format=json" in args
            or any(a == "--format" and b == "json" for a, b in itertools.pairwise(args)),
        ):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        with _json_errors(ctx, ctx.params.get("as_json") or ctx.params.get("fmt") == "json"):
            return super().invoke(ctx)


@contextlib.contextmanager
def _json_errors(ctx: click.Context, enabled: bool):
    """With `enabled`, a ClickException (engine errors become one in `Command.invoke`) as a JSON object."""
    try:
        yield
    except click.ClickException as exc:
        if not enabled:
            raise
        click.echo(json.dumps({"error": exc.format_message()}, ensure_ascii=False))
        ctx.exit(exc.exit_code)


class Group(DefaultGroup):
    """The `search` group: `search 凌钢` runs its default command, `query`."""

    command_class = Command


@click.group(
    "search",
    cls=Group,
    default="query",
    invoke_without_command=True,
    help=f"Search Chinese news about Chaoyang's development zones.\n\n{QUERY_HELP}",
)
@click.option(
    "--index-dir",
    envvar="SEARCH_INDEX_DIR",
    default="index",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the index lives (env SEARCH_INDEX_DIR).",
)
@click.version_option(package_name="chaoyang-search", help="Show the version and exit.")
@click.help_option(help="Show this message and exit.")
@click.pass_context
def cli(ctx: click.Context, index_dir: str) -> None:
    """The `search` command (its help is QUERY_HELP)."""
    ctx.obj = {"index_dir": index_dir}
    if ctx.invoked_subcommand is None:  # `search` alone: what it can do
        click.echo(ctx.get_help())


def _ensure_index(index_dir: str) -> None:
    """Build the index from ./seeds when there is none yet, saying so on stderr."""
    from . import index

    if index.exists(index_dir):
        return
    if not os.path.isdir(DEFAULT_SEEDS):
        raise click.ClickException(
            f"No index in {index_dir} and no ./{DEFAULT_SEEDS} folder to build it from: run `search index PATH` first."
        )
    click.echo(f"No index in {index_dir}: building it from ./{DEFAULT_SEEDS} …", err=True)
    report = index.update(index_dir, [DEFAULT_SEEDS])  # a SearchError if another process is building it now
    click.echo(f"Index built: {report.summary()}.", err=True)


def facet_options(command):
    """The filter options of `command`, one per facet (`--zone/-z` …), each repeatable."""
    for facet in reversed(record.FACETS):
        flags = [f"--{facet.name}", *([FACET_FLAGS[facet.name]] if facet.name in FACET_FLAGS else [])]
        hint = FACET_HINTS.get(facet.name, f"as the {facet.name}: filter")
        command = click.option(
            *flags,
            facet.name,
            multiple=True,
            metavar="VALUE",
            help=f"Only articles with this {facet.name} ({hint}); repeat for any of several.",
        )(command)
    return command


@cli.command("query", cls=QueryCommand, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1)
@facet_options
@click.option(
    "-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Hits per page (text and JSON)."
)
@click.option(
    "-p",
    "--page",
    default=1,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Which page of hits (text and JSON).",
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best match first, or newest first.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TEXT_FORMATS + EXPORT_FORMATS),
    default="text",
    show_default=True,
    help="text or json: one page of hits; csv or jsonl: every matching article "
    "(with neither words nor filters, every article), streamed.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json: one JSON object (UTF-8).")
@click.option(
    "--bom",
    is_flag=True,
    help="With --format csv: begin with a UTF-8 byte-order mark, so that Excel reads Chinese correctly.",
)
@click.pass_obj
def query_command(obj, words, limit, page, sort, fmt, as_json, bom, **facets) -> None:
    """Search: print the best hits with their snippets, or every match as CSV or JSON Lines.

    Errors are an Error: line on stderr and exit status 1 (2 for bad usage);
    with --json, a JSON object {"error": "…"} on stdout, with the same status.

    \b
    Example:
        search 装备制造
        search '"装备制造"' --json
        search 开发区 -z 喀左 -z 建平 --sort date
        search 凌钢 --format csv --bom > 凌钢.csv
    """
    from . import pinyin_query, spelling
    from .query import Filters
    from .search import BUDGET_SECONDS, Index, search

    if as_json and fmt not in ("text", "json"):
        raise click.UsageError(f"--json is --format json: give one of --json and --format {fmt}.")
    fmt = "json" if as_json else fmt
    if bom and fmt != "csv":
        raise click.UsageError("--bom is for --format csv only.")
    _ensure_index(obj["index_dir"])
    filters = Filters.from_pairs((facet, value) for facet, values in facets.items() for value in values)
    index = Index(obj["index_dir"])
    query = " ".join(words)
    if fmt in EXPORT_FORMATS:
        _export(index, query, filters, sort, fmt, bom)
        return
    results = search(index, query, filters, page=page, per_page=limit, sort=sort, budget=BUDGET_SECONDS)
    if results.page > results.pages:
        raise click.ClickException(f"Page {page} is past the last page of results ({results.pages}).")
    if fmt == "json":
        from .export import results_json

        click.echo(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        return
    for note in (pinyin_query.note(results), spelling.note(results)):  # pinyin read, typo corrected
        if note:
            click.echo(note, err=True)
    print_results(results)


def _export(index, query: str, filters, sort: str, fmt: str, bom: bool) -> None:
    """Every article the search finds, written to stdout as they are read from the index."""
    from .export import lines
    from .search import BUDGET_SECONDS, articles

    total, timed_out, found = articles(index, query, filters, sort, budget=BUDGET_SECONDS)
    if timed_out:
        click.echo(
            f"Warning: the search stopped after {BUDGET_SECONDS:g} s: only the {total} articles found by "
            f"then are written.",
            err=True,
        )
    try:
        for chunk in lines(fmt, found, bom):
            click.echo(chunk, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        # Python flushes stdout again at exit: point it at /dev/null so that this does not fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@cli.command("index", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option(
    "--wait",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds to wait for another indexer to finish.",
)
@click.option(
    "--explain", metavar="ID", help="Print what is extracted from article ID of the index, and why; index nothing."
)
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

    if explain:
        if paths or rebuild:
            raise click.UsageError("--explain reads the article from the index: give no PATH or --rebuild.")
        _explain(obj["index_dir"], explain)
        return
    bar = Progress(enabled=not quiet and sys.stderr.isatty())
    try:
        report = index.update(obj["index_dir"], paths or (DEFAULT_SEEDS,), rebuild=rebuild, wait=wait, progress=bar)
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


def _explain(index_dir: str, doc_id: str) -> None:
    """What the extraction finds in an article of the index, and why (`metadata.explain_lines`); where the
    index holds other values (given with the article, or a catalog's year), those, and what the text gives."""
    from . import metadata
    from .search import Index

    article = Index(index_dir).document(doc_id)
    if article is None:
        raise click.ClickException(f"No article with id {doc_id} in {index_dir}.")
    # From the text alone: the values the index stored would be taken as given.
    meta = metadata.extract(dataclasses.replace(article, zones=None, year=None, industries=None, companies=None))
    given = "given with the article; the text alone gives"
    shown = dataclasses.replace(meta)  # what explain_lines renders: the index's values where they differ
    if article.zones != meta.zones:
        shown.zones = article.zones or []
        shown.zone_rule = f"{given} {', '.join(meta.zones) or 'none'}: {meta.zone_rule}"
    if article.year != meta.year:
        shown.year = article.year
        shown.year_source = (
            f"given with the article or by a catalog; the text alone gives {meta.year or 'unknown'}: {meta.year_source}"
        )
    click.echo(f"{article.id}: {article.title}")
    for line in metadata.explain_lines(shown):
        click.echo(line)
    for label, indexed, found in (
        ("Industries", article.industries, meta.industries),
        ("Companies and projects", article.companies, meta.companies),
    ):
        if (indexed or []) != (found or []):  # the lines above are the text's
            click.echo(f"{label} in the index: {', '.join(indexed or []) or 'none'}  (given with the article)")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed when ready).",
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Threads per server process.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Server processes: 1 serves with waitress in this process; more run gunicorn's pre-fork "
    "server (one per core: Python runs one process's threads on one core at a time).",
)
@click.pass_obj
def serve_command(obj, host, port, threads, workers) -> None:
    """Serve the search page over HTTP.

    With waitress, or with gunicorn for --workers above 1 (never Flask's
    debug server).

    "Serving on http://HOST:PORT/" is printed on stderr once the server
    answers (with gunicorn, once every worker does); each request is logged
    as one line on stderr. A stopped worker is replaced. SIGTERM or Ctrl-C
    stops the server; requests in flight are finished first.

    \b
    Example:
        search serve --port 8080
        search serve --workers 2      # both cores of a 2-core machine
    """
    import socket

    from web import create_app
    from web.server import serve

    _ensure_index(obj["index_dir"])
    config = {"INDEX_DIR": os.path.abspath(obj["index_dir"]), "WARM": True}
    try:
        listener = socket.create_server((host, port), backlog=1024)
    except OSError as e:
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {os.strerror(e.errno) if e.errno else e}."
        ) from None
    port = listener.getsockname()[1]
    processes = f" with {workers} processes" if workers > 1 else ""
    message = f"Serving on http://{host}:{port}/{processes} (Ctrl-C to stop)"
    serve(lambda: create_app(config), listener, threads, workers, ready=lambda: click.echo(message, err=True))


def main() -> None:
    """Entry point of the `search` console script."""
    cli(prog_name="search")
