"""What the CLI shows on a terminal: a page of results with the matches in colour (`search QUERY`), and the
indexer's progress bar (`search index`). click drops the colour when the output is not a terminal."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the CLI imports the engine only when a command runs (`search --help` answers at once)
    from .articles import Meter
    from .search import Results
    from .snippets import Snippet


def styled(snippet: Snippet) -> str:
    """A snippet as terminal text, matches in colour (click.echo drops colour when piped)."""
    return snippet.render(lambda text, exact: click.style(text, fg="red" if exact else "yellow", bold=exact))


def print_results(results: Results) -> None:
    """A page of results as `search QUERY` prints it: each hit with its facts and snippet, then the count, the
    time taken and the zones."""
    first = (results.page - 1) * results.per_page
    for n, hit in enumerate(results.hits, first + 1):
        a = hit.article
        click.echo(click.style(f"{n}. ", bold=True) + click.style(styled(hit.title), bold=True))
        facts = [a.id, " ".join(a.zones or []) or "no zone", str(a.year or "year unknown")]
        click.echo("   " + " · ".join(facts + ([" ".join(a.industries)] if a.industries else [])))
        click.echo("   " + styled(hit.snippet))
        if hit.missing:
            click.echo("   missing: " + " ".join(hit.missing))
        click.echo()
    shown = f"{first + 1}–{first + len(results.hits)} of " if results.hits else ""
    click.echo(
        f"{shown}{results.total} results (page {results.page} of {results.pages}) in {results.seconds * 1000:.0f} ms"
    )
    if results.timed_out:
        click.echo("Warning: the search stopped at its time limit: the results are what it found by then.", err=True)
    zones = results.facets.get("zone", [])
    if zones:
        click.echo("Zones: " + " · ".join(f"{v.value} ({v.count})" for v in zones))


class Progress:
    """A progress bar on stderr, on a terminal only: articles read and their rate, the share of the input
    bytes read (compressed bytes for an archive: JSON Lines are not counted in advance) and the time left to
    read the rest at the rate so far."""

    WIDTH = 24

    def __init__(self, enabled: bool, interval: float = 0.2):
        self.enabled, self.interval = enabled, interval
        self.count, self.started, self.shown, self.drawn = 0, time.perf_counter(), 0.0, False

    def __call__(self, meter: Meter) -> None:
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
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%}  {self.count:,} articles  "
            f"{self.count / elapsed:,.0f}/s"
        )
        if 0 < fraction < 1 and elapsed >= 1:
            line += f"  ETA {duration(elapsed * (1 - fraction) / fraction)}"
        self._draw(line)

    def _draw(self, line: str) -> None:
        if self.enabled:
            click.echo(f"\r\x1b[K{line}", nl=False, err=True, color=True)
            self.drawn = True

    def close(self) -> None:
        """Erase the bar (before the summary line)."""
        if self.drawn:
            click.echo("\r\x1b[K", nl=False, err=True, color=True)
            self.drawn = False


def duration(seconds: float) -> str:
    """`seconds` as M:SS, or H:MM:SS from an hour.

    >>> duration(59.6), duration(3725)
    ('1:00', '1:02:05')
    """
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
