"""The ARR charts of a run: the bridge from start to end (waterfall) and the monthly fan.

Both show means over replications, so their end is the ARR at the end that the run's
summary reports. The helpers that read a run's monthly series are here too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from simulator.analysis.experiment import Experiment, summarise
from simulator.metrics import bounds_of
from simulator.report.chart_axes import (
    BLUE,
    GREEN,
    GREY,
    RED,
    axis_break,
    esc,
    money_axis,
    month_axis,
    new_figure,
    plan_dates,
    titles,
)
from simulator.report.formatting import money, money_ends, pct

__all__ = [
    "WATERFALL_MIN_STEP",
    "arr_bridge",
    "arr_fan",
    "arr_waterfall",
    "monthly_series",
    "plan_axis",
    "replication_totals",
    "run_context",
]

WATERFALL_MIN_STEP = 0.05
"""The ARR waterfall starts at zero unless its largest step would then be shorter than
this share of the axis; then the axis starts near the lowest level and is marked broken."""


def run_context(exp: Experiment) -> str:
    """Where the numbers come from: the scenario by name, replications, seed, period."""
    s = exp.scenario
    return (
        f"{s.name}. {exp.replications} replications, seed {exp.root_seed}, "
        f"{s.horizon_days}-day plan from {s.start_date:%d %b %Y}."
    )


def plan_axis(exp: Experiment, ax: Any) -> None:
    """Calendar months from the plan's start to its end on the x axis."""
    s = exp.scenario
    month_axis(ax, s.start_date, plan_dates(s.start_date, [s.horizon_days])[0].date())


def monthly_series(
    exp: Experiment, kind: str, metric: str
) -> dict[str, tuple[list[float], list[float], np.ndarray]]:
    """Per name: (each month's first day, its last day, replications x months values) of a
    monthly metric; days count from the plan's start."""
    names: dict[str, dict[int, list[float]]] = {}
    ends: dict[int, float] = {}
    for r in exp.results:
        for row in r.monthly:
            if row["kind"] == kind:
                names.setdefault(row["name"], {}).setdefault(row["month"], []).append(
                    float(row[metric])
                )
                ends[row["month"]] = float(row["day"])
    out = {}
    for name, by_month in names.items():
        months = sorted(by_month)
        last = [ends[m] for m in months]
        first = [0.0, *last[:-1]]
        out[name] = (first, last, np.array([by_month[m] for m in months]).T)
    return out


def replication_totals(exp: Experiment, metric: str) -> np.ndarray:
    """Per replication: a segment metric summed over the segments."""
    return np.array([sum(seg[metric] for seg in r.segments.values()) for r in exp.results])


def arr_bridge(exp: Experiment) -> list[tuple[str, float]]:
    """The ARR bridge of the plan, all segments, each a mean over replications (currency
    per year): start, churn, contraction, expansion, new business, any remainder, end.

    The end is the mean ARR at the end that the run's summary reports (the sum of the
    segments' means); an ``Other`` step appears only when the four changes do not add up.
    """
    start, end = (
        float(np.mean(replication_totals(exp, "arr_start"))),
        float(np.mean(replication_totals(exp, "arr_end"))),
    )
    steps = [
        ("Churn", -float(np.mean(replication_totals(exp, "churned_arr")))),
        ("Contraction", -float(np.mean(replication_totals(exp, "contraction_arr")))),
        ("Expansion", float(np.mean(replication_totals(exp, "expansion_arr")))),
        ("New business", float(np.mean(replication_totals(exp, "new_arr")))),
    ]
    rest = end - start - sum(d for _, d in steps)
    if abs(rest) > 1e-6 * max(abs(start), abs(end), 1.0):
        steps.append(("Other", rest))
    return [("Start ARR", start), *steps, ("End ARR", end)]


def arr_waterfall(exp: Experiment) -> Figure:
    """ARR bridge over the plan, all segments (means over replications), on an axis from
    zero unless the changes would be too short to read (then marked as broken)."""
    cur = exp.scenario.currency
    bridge = arr_bridge(exp)
    (_, start), steps, (_, end) = bridge[0], bridge[1:-1], bridge[-1]
    levels = start + np.cumsum([0.0, *(d for _, d in steps)])
    top, low = max(float(levels.max()), end), min(float(levels.min()), end)
    fig, ax = new_figure()
    bars = ax.bar(0, start, color=BLUE, width=0.6)
    bars[0].set_gid("waterfall-start")
    tops = [start]
    for i, (_, delta) in enumerate(steps, start=1):
        level = levels[i - 1]
        ax.bar(
            i,
            abs(delta),
            bottom=level + min(delta, 0),
            color=GREEN if delta >= 0 else RED,
            width=0.6,
        )
        ax.plot([i - 1.3, i + 0.3], [level, level], color=GREY, linewidth=0.6)
        tops.append(max(level, level + delta))
    n = len(bridge) - 1
    ax.plot([n - 1.3, n + 0.3], [levels[-1], levels[-1]], color=GREY, linewidth=0.6)
    bars = ax.bar(n, end, color=BLUE, width=0.6)
    bars[0].set_gid("waterfall-end")
    tops.append(end)
    for i, ((_, v), height) in enumerate(zip(bridge, tops, strict=True)):
        sign = "+" if 0 < i < n and v > 0 else ""
        ax.annotate(
            esc(f"{sign}{money(v, cur)}"),
            (i, height),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=10,
        )
    ax.set_xticks(range(len(bridge)), [label for label, _ in bridge])
    largest = max((abs(d) for _, d in steps), default=0.0)
    span = (top - low) or 0.01 * abs(top)
    bottom = low - 0.6 * span
    broken = top > 0 and largest < WATERFALL_MIN_STEP * top and bottom > 0
    if broken:  # the levels fill the middle of the axis; the labels fit above
        ax.set_ylim(bottom, top + 0.3 * span)
        axis_break(ax, f"The ARR axis does not start at 0: it is cut at {money(bottom, cur)}")
    else:
        ax.set_ylim(min(0.0, low), top * 1.08 if top > 0 else None)
    money_axis(ax, cur)
    ax.set_ylabel(f"ARR ({cur} per year)")
    lost = -sum(d for label, d in steps if label in ("Churn", "Contraction"))
    gained = sum(d for label, d in steps if label in ("Expansion", "New business"))
    change = (end - start) / start if start else math.nan
    verb = "grows" if end >= start else "falls"
    titles(
        fig,
        f"ARR {verb} {pct(abs(change))} to {money(end, cur)} (mean): churn and contraction "
        f"take {money(lost, cur)}, expansion and new business add {money(gained, cur)}",
        run_context(exp) + " Bars: means over replications.",
    )
    return fig


def arr_fan(exp: Experiment) -> Figure:
    """Total ARR by month: the mean over replications and the P10-P90 band; the last point
    is the ARR at the end, as in the run's summary."""
    cur = exp.scenario.currency
    series = monthly_series(exp, "segment", "arr")
    _, days, _ = next(iter(series.values()))
    total = np.sum([v for _, _, v in series.values()], axis=0)
    start, end = replication_totals(exp, "arr_start"), replication_totals(exp, "arr_end")
    horizon = float(exp.scenario.horizon_days)
    inner = [j for j, d in enumerate(days) if d < horizon - 1e-6]  # month ends before the end
    data = np.column_stack([start, total[:, inner], end])
    x = plan_dates(exp.scenario.start_date, [0.0, *(days[j] for j in inner), horizon])
    mean = data.mean(axis=0)
    p10, p90 = np.percentile(data, [10, 90], axis=0)
    fig, ax = new_figure()
    ax.fill_between(x, p10, p90, color=BLUE, alpha=0.2, linewidth=0, label="P10-P90")
    ax.plot(x, mean, color=BLUE, linewidth=2.2, label="mean")
    plan_axis(exp, ax)
    money_axis(ax, cur)
    ax.set_ylabel(f"ARR ({cur} per year)")
    ax.set_xlabel("Date (each point a month end; the last, the end of the plan)")
    ax.legend(frameon=False, loc="upper left")
    ci = summarise(end, bounds=bounds_of("arr_end"))
    titles(
        fig,
        f"ARR at the end {money(mean[-1], cur)} (mean); 8 in 10 replications end between "
        f"{money(p10[-1], cur)} and {money(p90[-1], cur)}",
        run_context(exp) + f" Line: mean over replications (95% CI at the end "
        f"{money_ends(ci.low, ci.high, ci.mean, cur)}); band: P10-P90.",
    )
    return fig
