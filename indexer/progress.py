"""The indexer's progress bar on a terminal (`search index`): what `index.update` reports as it reads."""

from __future__ import annotations

import time

import click


class Progress:
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
            line += f"  ETA {duration(elapsed * (1 - fraction) / fraction)}"
        self._draw(line)

    def _draw(self, line: str) -> None:
        if self.enabled:
            click.echo(f"\r\x1b[K{line}", nl=False, err=True, color=True)
            self.drawn = True

    def close(self) -> None:
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
