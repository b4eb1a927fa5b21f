"""Charts as server-rendered SVG: geometry here, drawing in ``reports/_*.svg.html``.

No chart library and no script: the page stays light on a cheap phone and works behind a
firewall with no CDN. Every chart is drawn next to a table with the same numbers (the
accessible version; screen readers get the table, the SVG is one labelled image). Numbers and
dates are formatted here, in the active language (543.000, 17 Agustus), so the SVG's text
and the tables agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format

WIDTH = 640
# Colours with at least 3:1 contrast to white (WCAG 1.4.11, non-text contrast).
COLOURS = ("#1d4ed8", "#b45309", "#047857", "#7c3aed")


def number(value: int | float) -> str:
    return str(intcomma(value))


def percent(value: float) -> str:
    rounded = round(value, 1)
    return f"{number(int(rounded) if rounded.is_integer() else rounded)} %"


@dataclass
class Bar:
    label: str
    text: str
    y: float
    width: float


@dataclass
class HBarChart:
    title: str
    bars: list[Bar]
    height: float
    label_width: float = 230
    bar_height: float = 18
    width: int = WIDTH

    @property
    def plot_width(self) -> float:
        return self.width - self.label_width - 130


def hbar(title: str, items: Sequence[tuple[str, int | float, float, str]]) -> HBarChart:
    """Horizontal bars: (label, value, fraction of the full bar 0..1, text beside it)."""
    step = 24
    chart = HBarChart(title=title, bars=[], height=max(step * len(items) + 8, 40))
    for n, (label, _value, fraction, text) in enumerate(items):
        chart.bars.append(
            Bar(
                label=label,
                text=text,
                y=4 + n * step,
                width=max(0.0, min(1.0, fraction)) * chart.plot_width,
            )
        )
    return chart


def hbar_counts(title: str, items: Sequence[tuple[str, int]]) -> HBarChart:
    top = max((value for _label, value in items), default=0) or 1
    return hbar(title, [(label, value, value / top, number(value)) for label, value in items])


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class ColumnChart:
    title: str
    segments: list[Segment] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str, float]] = field(default_factory=list)
    width: int = WIDTH
    height: int = 260
    left: int = 70
    top: int = 30
    plot_height: int = 190

    @property
    def baseline(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.width - 10


def _nice_ceiling(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return int(factor * magnitude)
    return 10 * magnitude


def stacked_columns(
    title: str, days: Sequence[dt.date], series: Sequence[tuple[str, Sequence[int]]]
) -> ColumnChart:
    """One column per day, a stacked segment per series (label, values per day)."""
    chart = ColumnChart(title=title)
    totals = [sum(values[n] for _label, values in series) for n in range(len(days))]
    top = _nice_ceiling(max(totals, default=0))
    plot_width = chart.right - chart.left
    slot = plot_width / max(len(days), 1)
    bar = max(slot * 0.8, 1.0)
    scale = chart.plot_height / top
    for n, day in enumerate(days):
        x = chart.left + n * slot + (slot - bar) / 2
        y = float(chart.baseline)
        for k, (label, values) in enumerate(series):
            height = values[n] * scale
            if height <= 0:
                continue
            y -= height
            chart.segments.append(
                Segment(
                    x=x,
                    y=y,
                    width=bar,
                    height=height,
                    colour=COLOURS[k % len(COLOURS)],
                    title=f"{date_format(day, 'j F Y')}: {label} {number(values[n])}",
                )
            )
    every = max(1, round(len(days) / 7))
    for n in range(0, len(days), every):
        chart.x_ticks.append(
            Tick(position=chart.left + (n + 0.5) * slot, label=date_format(days[n], "j M"))
        )
    for k in range(5):
        value = top * k // 4
        chart.y_ticks.append(Tick(position=chart.baseline - value * scale, label=number(value)))
    x = float(chart.left)
    for k, (label, _values) in enumerate(series):
        chart.legend.append((COLOURS[k % len(COLOURS)], label, x))
        x += 14 + 8 * len(label) + 24
    return chart
