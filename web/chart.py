"""The results-by-year chart: one bar per year, coloured by zone, drawn as inline SVG by `_chart.html`.

Everything comes from the one search of the page: a bar's height is the year facet's count (the number of
articles), its segments are `Results.year_zone` (articles per year and zone). Both are disjunctive like the
year facet: the bars show every year the other filters allow, chosen years stand out, and clicking a bar
toggles that year's filter. An article about several zones counts once in its bar, and its colour is shared
among those zones.
"""

from __future__ import annotations

import dataclasses
import math

from markupsafe import Markup

from indexer import metadata

# Geometry of the SVG, in its own units (the page scales it down on small screens).
HEIGHT = 200
TOP = 22  # room for the count above the tallest bar
BOTTOM = 28  # room for the year labels
LEFT = 32  # room for the axis labels
RIGHT = 8
SLOT = 72  # horizontal room per year when there are few
MIN_PLOT, MAX_PLOT = 300, 660
MAX_GAP_FILL = 30  # fill missing years between the first and last only if the span is at most this
# Bars are coloured by zone when at least this share of the results is about a zone (or zones are chosen):
# over an archive of general news, a legend of zones for a few articles in thousands is noise.
STACK_SHARE = 0.2


@dataclasses.dataclass
class Segment:
    label: str  # short zone name
    title: str  # full zone name
    count: int
    css: str  # colour class: z0…z6 by gazetteer order, zo for another zone, zx for "no zone", zall when not stacked
    y: float
    height: float


@dataclasses.dataclass
class Bar:
    year: int
    count: int
    x: float
    width: float
    y: float
    height: float
    segments: list[Segment]
    url: str | None
    selected: bool
    dim: bool
    show_label: bool

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)

    def breakdown(self) -> str:
        return "、".join(f"{s.label} {s.count}" for s in self.segments)

    def rects(self) -> Markup:
        """The bar's segments as SVG, built here rather than in a loop of `_chart.html`: a stacked chart has
        up to a hundred segments, each a dozen template outputs, and they are only numbers and class names
        (nothing to escape)."""
        return Markup(
            "\n".join(
                f'<rect class="seg {s.css}" x="{self.x}" y="{s.y}" width="{self.width}" height="{s.height}"/>'
                for s in self.segments
            )
        )


@dataclasses.dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    legend: list[Segment]
    stacked: bool
    shared: bool  # some article counts in several zones
    baseline: float
    left: int
    right: int
    any_selected: bool

    @property
    def title(self) -> str:
        return "各年份结果数" + ("（按开发区着色）" if self.stacked else "")

    @property
    def desc(self) -> str:
        parts = []
        for bar in self.bars:
            if bar.count:
                detail = f"：{bar.breakdown()}" if self.stacked and bar.segments else ""
                parts.append(f"{bar.year} 年 {bar.count} 篇{detail}")
        return "；".join(parts) + "。"


_LEGEND_ORDER = {"zo": 1, "zx": 2}  # the gazetteer's zones first, then others, then "no zone"


def _zone_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(metadata.zone_names())}


def _short(name: str) -> str:
    return next((z.short for z in metadata.gazetteer()[1] if z.name == name), name)


def zone_year_counts(results) -> dict[str, dict[int, int]]:
    """{zone: {year: articles}} from the engine's `Results.year_zone`, zones in gazetteer order (zones it does
    not know, given explicitly with an article, after them). When zones are chosen, only those: the bars
    then show the chosen zones' articles, and another zone an article also concerns is not what was asked."""
    order = _zone_order()
    chosen = set(results.filters.get("zone"))
    counts: dict[str, dict[int, int]] = {}
    for year, zones in results.year_zone.items():
        if not year.isdigit():
            continue
        for zone, n in zones.items():
            if n and (not chosen or zone in chosen):
                counts.setdefault(zone, {})[int(year)] = n
    return dict(sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _zoned_share(years: dict[int, int], counts: dict[str, dict[int, int]]) -> float:
    """At least what share of the charted articles have a zone (in each year, at least as many as its most
    frequent zone has: an article about all seven zones counts once)."""
    total = sum(years.values())
    zoned = sum(max((by_year.get(year, 0) for by_year in counts.values()), default=0) for year in years)
    return zoned / total if total else 0.0


def _ticks(top: int) -> tuple[int, int]:
    """A round step and the axis maximum (a multiple of it) for counts up to `top`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if math.ceil(top / step) <= 4:
            return step, max(step, math.ceil(top / step) * step)
    step = 10 ** math.ceil(math.log10(top / 4))
    return step, math.ceil(top / step) * step


def year_chart(results, state, stack: bool = True) -> Chart | None:
    """The chart for `results` (a page of the search `state` describes); None when no result has a year.
    `stack`: colour the bars by zone where that says something (not on a zone's own page)."""
    years = {int(fv.value): fv.count for fv in results.facets.get("year", []) if fv.value.isdigit()}
    if not any(years.values()):
        return None
    counts = zone_year_counts(results)
    stacked = (
        stack and bool(counts) and (bool(results.filters.get("zone")) or _zoned_share(years, counts) >= STACK_SHARE)
    )
    if not stacked:
        counts = {}
    order = _zone_order()

    lo, hi = min(years), max(years)
    axis = list(range(lo, hi + 1)) if hi - lo < MAX_GAP_FILL else sorted(years)
    plot = max(MIN_PLOT, min(MAX_PLOT, SLOT * len(axis)))
    slot = plot / len(axis)
    bar_width = min(38.0, slot * 0.64)
    label_every = max(1, math.ceil(34 / slot))
    width = LEFT + plot + RIGHT
    baseline = HEIGHT - BOTTOM
    step, top = _ticks(max(years.values()))
    scale = (baseline - TOP) / top

    chosen = results.filters.years()
    toggle = state.toggle_urls("year")
    bars, shared = [], False
    used: dict[str, Segment] = {}  # the legend: zone title → its segment
    for i, year in enumerate(axis):
        n = years.get(year, 0)
        x = LEFT + slot * i + (slot - bar_width) / 2
        height = n * scale
        parts: list[tuple[str, str, int, str]] = []
        if n and stacked:
            for zone, by_year in counts.items():
                if by_year.get(year):
                    css = f"z{order[zone]}" if zone in order else "zo"
                    parts.append((_short(zone), zone, by_year[year], css))
            tagged = sum(p[2] for p in parts)
            shared = shared or tagged > n
            if tagged < n:
                parts.append(("未标注", "未标注开发区", n - tagged, "zx"))
        elif n:
            parts.append(("全部", "全部结果", n, "zall"))
        segments, y = [], baseline
        total = sum(p[2] for p in parts) or 1
        for label, title, count, css in parts:
            h = height * count / total
            y -= h
            segments.append(Segment(label, title, count, css, round(y, 2), round(h, 2)))
            used.setdefault(title, Segment(label, title, 0, css, 0, 0))
        bars.append(
            Bar(
                year,
                n,
                round(x, 2),
                round(bar_width, 2),
                round(baseline - height, 2),
                round(height, 2),
                segments,
                toggle(str(year)) if n or year in chosen else None,
                year in chosen,
                bool(chosen) and year not in chosen,
                i % label_every == 0 or (i == len(axis) - 1 and (i % label_every) * 2 >= label_every),
            )
        )
    results_in = {fv.value: fv.count for fv in results.facets.get("zone", [])}
    for item in used.values():
        item.count = results_in.get(item.title, 0)  # the zone's results, as in the zone facet
    legend = sorted(used.values(), key=lambda s: (_LEGEND_ORDER.get(s.css, 0), s.css, s.title))
    ticks = [(round(baseline - v * scale, 2), v) for v in range(0, top + 1, step)]
    return Chart(
        math.ceil(width),
        HEIGHT,
        bars,
        ticks,
        legend if stacked else [],
        stacked,
        shared,
        baseline,
        LEFT,
        int(LEFT + plot),
        bool(chosen),
    )
