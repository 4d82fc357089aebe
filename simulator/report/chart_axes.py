"""What every chart shares: the figure, its title and caption, colours, and its axes
(percent, money and calendar-month ticks, a broken axis).

Each tick formatter chooses its precision from the tick spacing, so two ticks never
carry the same label (``93%, 93%, 94%`` when ticks are half a point apart), and every
label on an axis has the same number of decimals.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.dates import MonthLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, MaxNLocator

from simulator.report.formatting import CURRENCY_SYMBOLS

__all__ = [
    "AMBER",
    "BLUE",
    "BREAK_GID",
    "GREEN",
    "GREY",
    "RED",
    "TEAM_COLOURS",
    "MoneyFormatter",
    "MonthFormatter",
    "PercentFormatter",
    "axis_break",
    "esc",
    "money_axis",
    "month_axis",
    "new_figure",
    "percent_axis",
    "plan_dates",
    "titles",
]

BLUE, GREEN, AMBER, RED, GREY = "#2b6cb0", "#2f855a", "#d69e2e", "#c53030", "#718096"
TEAM_COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#b7791f", "#319795", "#c53030")


def new_figure(width: float = 10.0, height: float = 5.6, ncols: int = 1) -> tuple[Figure, Any]:
    """A figure ``width`` x ``height`` inches with ``ncols`` axes side by side (the axes,
    or an array of them): no top or right spine, light horizontal grid lines."""
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, ncols)
    for ax in np.atleast_1d(axes):
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e2e8f0", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=10)
    return fig, axes


def _wrap(text: str, width_in: float, fontsize: float, bold: bool = False) -> str:
    """``text`` broken into lines that fit ``width_in`` inches at ``fontsize`` points
    (an average character is about 0.55 em wide, 0.62 em in bold)."""
    per_line = max(20, int(width_in * 72 / (fontsize * (0.62 if bold else 0.55))))
    return "\n".join(textwrap.wrap(text, per_line, break_on_hyphens=False)) or text


def titles(fig: Figure, finding: str, context: str) -> None:
    """The finding as the figure's title and the context (source, statistic) under it,
    each wrapped to the figure's width so nothing runs past its edge."""
    width = fig.get_figwidth() * 0.98
    fig.suptitle(
        esc(_wrap(finding, width, 14, bold=True)), x=0.01, ha="left", fontsize=14, fontweight="bold"
    )
    fig.text(
        0.01, -0.01, esc(_wrap(context, width, 9)), ha="left", va="top", fontsize=9, color=GREY
    )


def esc(text: str) -> str:
    """Text with dollar signs shown as such (matplotlib reads $...$ as mathematics)."""
    return text.replace("$", r"\$")


BREAK_GID = "axis-break"
"""The ``gid`` of the break mark :func:`axis_break` draws (for tests and SVG readers)."""

_TICK_STEPS = [1, 2, 5, 10]
"""Tick spacings (times a power of ten): no 2.5, which would need one more decimal."""


def _decimals(values: np.ndarray, most: int = 6) -> int | None:
    """The fewest decimals (at most ``most``) that write every value exactly (to 1e-6 of
    its last digit); None when ``most`` are not enough."""
    for d in range(most + 1):
        scaled = values * 10**d
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * max(1.0, 10**d)):
            return d
    return None


class PercentFormatter(Formatter):
    """Ticks as percentages with as many decimals as the tick spacing needs.

    Parameters
    ----------
    xmax
        The data value that is 100% (1.0 for shares).
    """

    def __init__(self, xmax: float = 1.0) -> None:
        self.xmax = xmax
        self.digits = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        pct = np.asarray([v for v in locs if math.isfinite(v)], dtype=float) * 100 / self.xmax
        found = _decimals(pct, 4) if len(pct) else 0
        self.digits = 4 if found is None else found

    def __call__(self, x: float, pos: int | None = None) -> str:
        value = 100 * x / self.xmax
        if abs(value) < 0.5 * 10**-self.digits:
            value = 0.0  # no "-0%"
        return f"{value:.{self.digits}f}%"


def percent_axis(ax: Any, axis: str = "y", xmax: float = 1.0) -> None:
    """Show a share axis as percentages, each tick label distinct (see
    :class:`PercentFormatter`); ticks at 1, 2 or 5 times a power of ten percent."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins="auto", steps=_TICK_STEPS))
    target.set_major_formatter(PercentFormatter(xmax))


class MoneyFormatter(Formatter):
    """Ticks as compact money on one scale (``$32.5M, $35.0M``), decimals from the spacing.

    On a log axis each tick takes its own scale (``$1k, $10k, $100k, $1M``).
    """

    def __init__(self, currency: str = "USD") -> None:
        self.currency = currency
        self.scale, self.suffix, self.digits = 1.0, "", 0

    _SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"), (1.0, ""))

    def _scale_of(self, top: float) -> tuple[float, str]:
        return next(((size, sfx) for size, sfx in self._SCALES if top >= size), (1.0, ""))

    def _log(self) -> bool:
        return getattr(self.axis, "get_scale", lambda: "linear")() == "log"

    def set_locs(self, locs: list[float]) -> None:
        """Pick the largest scale at which two decimals write every tick exactly (ticks
        $500 apart near $1.76M read ``$1,760.5k``, not ``$1.76M`` five times)."""
        super().set_locs(locs)
        finite = np.asarray([v for v in locs if math.isfinite(v)], dtype=float)
        top = float(np.max(np.abs(finite))) if len(finite) else 0.0
        self.scale, self.suffix = self._scale_of(top)
        self.digits = 0
        for size, suffix in self._SCALES:
            if size > self.scale:
                continue
            d = _decimals(finite / size, 2) if len(finite) else 0
            self.scale, self.suffix, self.digits = size, suffix, d or 0
            if d is not None:
                break

    def _text(self, body: str, sign: str) -> str:
        sym = CURRENCY_SYMBOLS.get(self.currency)
        return f"{sign}{sym}{body}" if sym else f"{sign}{body} {self.currency}"

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not math.isfinite(x):
            return ""
        if self._log():
            scale, suffix = self._scale_of(abs(x))
            v = abs(x) / scale
            body = f"{v:.{_decimals(np.array([v]), 2) or 0}f}{suffix}"
        else:
            scale, suffix = self.scale, self.suffix
            v = abs(x) / scale
            body = f"{v:,.{self.digits}f}{suffix}" if v >= 0.5 * 10**-self.digits else "0"
        sign = "-" if x < 0 and body != "0" else ""
        return esc(self._text(body, sign))


def money_axis(ax: Any, currency: str, axis: str = "y") -> None:
    """Show an axis as compact money in ``currency`` (see :class:`MoneyFormatter`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    if target.get_scale() != "log":
        target.set_major_locator(MaxNLocator(nbins="auto", steps=_TICK_STEPS))
    target.set_major_formatter(MoneyFormatter(currency))


def plan_dates(start: dt.date, days: Sequence[float]) -> list[dt.datetime]:
    """Day offsets of the plan (days after ``start``) as datetimes, for a date axis."""
    origin = dt.datetime(start.year, start.month, start.day)
    return [origin + dt.timedelta(days=float(d)) for d in days]


class MonthFormatter(Formatter):
    """Month ticks as ``Jan``, with the year under the first tick and under each January."""

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        view = self.axis.get_view_interval() if self.axis is not None else (-math.inf, math.inf)
        inside = [v for v in locs if min(view) - 1e-9 <= v <= max(view) + 1e-9]
        self.first = inside[0] if inside else (locs[0] if len(locs) else math.nan)

    def __call__(self, x: float, pos: int | None = None) -> str:
        d = num2date(x)
        first = getattr(self, "first", math.nan)
        return f"{d:%b}\n{d:%Y}" if d.month == 1 or abs(x - first) < 1e-9 else f"{d:%b}"


def month_axis(ax: Any, start: dt.date, end: dt.date, axis: str = "x") -> None:
    """A date axis from ``start`` to ``end`` with a tick on the first of the months
    (every month, or every 2, 3, 6 or 12 so that at most 13 show), labelled by name."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    months = max(1.0, (end - start).days / (365.25 / 12))
    interval = next((k for k in (1, 2, 3, 6, 12) if months / k <= 13), 24)
    locator = (
        MonthLocator(bymonth=range(1, 13, interval))
        if interval <= 12
        else MonthLocator(bymonth=1, interval=interval // 12)
    )
    target.set_major_locator(locator)
    target.set_major_formatter(MonthFormatter())
    low, high = date2num(plan_dates(start, [0])[0]), date2num(plan_dates(end, [0])[0])
    pad = 0.01 * (high - low)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(low - pad, high + pad)


def axis_break(ax: Any, note: str = "The y axis does not start at 0") -> None:
    """Mark the y axis as broken: a double slash across its foot, and ``note`` above the
    plot (as its left title, where it cannot cover a bar).

    For a chart whose bars are read by length but whose axis must start above zero.
    """
    size = 0.012
    for dy in (0.0, 0.022):
        ax.add_line(
            Line2D(
                [-size, size],
                [0.02 + dy - size, 0.02 + dy + size],
                transform=ax.transAxes,
                color="black",
                linewidth=1.2,
                clip_on=False,
                gid=BREAK_GID,
            )
        )
    ax.set_title(note, loc="left", fontsize=9, color="#4a5568").set_gid(BREAK_GID)
