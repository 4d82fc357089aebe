"""The charts the decision briefs lead with, where the command had none.

Each title states the finding; axes carry units. Built without pyplot (see
:mod:`simulator.report.charts`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from simulator.analysis.compare import Comparison
from simulator.analysis.hire import HiringPlan
from simulator.analysis.solve_value import ValueSolution
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.charts import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    esc,
    frontier_chart,
    new_figure,
    titles,
)
from simulator.report.formatting import money

__all__ = ["compare_chart", "hire_chart", "solve_chart", "tradeoff_chart"]


def _money_fmt(currency: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _: esc(money(v, currency)))


def _people_axis(ax: Any, x: list[int], cost: list[float], currency: str) -> None:
    """People cost a year on a second y axis, as a dotted grey line."""
    twin = ax.twinx()
    twin.plot(x, cost, color=GREY, linestyle=":", marker=".", label="people cost a year")
    twin.yaxis.set_major_formatter(_money_fmt(currency))
    twin.set_ylabel("People cost a year", color=GREY)
    twin.tick_params(labelsize=9, colors=GREY)
    twin.spines[["top"]].set_visible(False)


def solve_chart(v: ValueSolution, pick: int | None, scenario: Any) -> Figure:
    """Expected net value by headcount with its 95% CI, the pick marked, people cost on a
    second axis."""
    cur = scenario.currency
    heads = sorted(v.values)
    mean = np.array([v.values[n][0] for n in heads])
    low = np.array([v.values[n][1] for n in heads])
    high = np.array([v.values[n][2] for n in heads])
    fig, ax = new_figure(10.0, 5.0)
    ax.fill_between(heads, low, high, color=BLUE, alpha=0.2, linewidth=0, label="95% CI")
    ax.plot(heads, mean, color=BLUE, marker="o", linewidth=2, label="expected net value")
    ax.yaxis.set_major_formatter(_money_fmt(cur))
    ax.set_xticks(heads)
    ax.set_xlabel(f"CSMs on team {v.team}")
    ax.set_ylabel("Expected net value (plan + horizon)")
    cost = scenario.all_teams()[v.team].annual_cost_per_csm
    _people_axis(ax, heads, [n * cost for n in heads], cur)
    for name, n, colour in (("today", v.current, GREY), ("pick", pick, GREEN)):
        if n is not None and heads[0] <= n <= heads[-1]:
            ax.axvline(n, color=colour, linestyle="--", linewidth=1.2)
            ax.annotate(
                f"{name} {n}",
                (n, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -12),
                textcoords="offset points",
                fontsize=9,
                color=colour,
            )
    ax.legend(frameon=False, loc="lower right")
    best = v.values[v.best][0]
    titles(
        fig,
        f"Team {v.team}: net value peaks at {v.best} CSMs ({money(best, cur)})"
        + (f"; recommended {pick}" if pick is not None and pick != v.best else ""),
        f"{v.replications} paired replications at each headcount; shaded: 95% CI.",
    )
    return fig


def tradeoff_chart(r: TradeoffResult, currency: str) -> Figure:
    """Today's plan at each headcount (GRR, on time) with today and the offer marked, and
    people cost on a second axis of the GRR panel."""
    fig = frontier_chart(r.frontier, currency, {"today": r.current, "offer": r.offered})
    rows = sorted(r.frontier, key=lambda row: row["csms"])
    _people_axis(fig.axes[0], [x["csms"] for x in rows], [x["people_cost"] for x in rows], currency)
    return fig


def compare_chart(c: Comparison, currency: str) -> Figure:
    """Paired differences in GRR (pp) per alternative and segment, with 95% CIs."""
    labels: list[str] = []
    means: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    from simulator.report.briefs import changed_segments

    for i in range(1, len(c.labels)):
        diffs = c.differences(i)
        changed = changed_segments(diffs)
        for d in diffs:
            if d.metric == "grr" and not math.isnan(d.mean) and d.segment in changed:
                labels.append(f"{c.labels[i]}: {d.segment}")
                means.append(100 * d.mean)
                lows.append(100 * d.low)
                highs.append(100 * d.high)
    height = max(3.0, 1.2 + 0.45 * len(labels))
    fig, ax = new_figure(10.0, height)
    y = np.arange(len(labels))
    colours = [
        GREY if lo <= 0 <= hi else (GREEN if m > 0 else RED)
        for m, lo, hi in zip(means, lows, highs, strict=True)
    ]
    err = np.array([np.subtract(means, lows), np.subtract(highs, means)])
    ax.errorbar(means, y, xerr=err, fmt="none", ecolor=GREY, capsize=4)
    ax.scatter(means, y, color=colours, zorder=3, s=40)
    ax.axvline(0, color=AMBER, linewidth=1)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.set_xlabel(f"GRR difference against {c.labels[0]} (percentage points)")
    ax.set_ylabel("Alternative: segment")
    clear = sum(1 for m in colours if m != GREY)
    titles(
        fig,
        f"GRR against {c.labels[0]}: {clear} of {len(labels)} differences clear of zero",
        f"Paired over {c.experiments[0].replications} replications; bars: 95% CI; grey: "
        "includes 0.",
    )
    return fig


def hire_chart(hp: HiringPlan) -> Figure:
    """Demand against capacity by month, with the requisitions' start dates marked."""
    months = [m.month for m in hp.months]
    fig, ax = new_figure(10.0, 4.6)
    ax.step(
        months,
        [m.demand_hours for m in hp.months],
        where="mid",
        color=RED,
        linewidth=2,
        label="demand",
    )
    ax.step(
        months,
        [m.capacity_hours for m in hp.months],
        where="mid",
        color=BLUE,
        linewidth=2,
        label="capacity",
    )
    for q in hp.requisitions:
        ax.axvline(q.covers_month, color=GREEN, linestyle="--", linewidth=1)
    ax.set_ylim(bottom=0)
    ax.set_xticks(months)
    ax.set_xlabel("Month of the plan")
    ax.set_ylabel("CSM hours a month")
    ax.legend(frameon=False, loc="lower right")
    short = hp.short_months
    titles(
        fig,
        f"Team {hp.team}: "
        + (
            f"{len(hp.requisitions)} hire(s) keep capacity above demand"
            if hp.requisitions and not short
            else f"short in {len(short)} month(s) while hires ramp"
            if short
            else "capacity covers demand every month"
        ),
        "Closed form; dashed: the month each requisition is for.",
    )
    return fig
