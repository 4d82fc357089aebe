"""The charts the decision briefs lead with, where the command had none.

Each title states the finding; axes carry units. Built without pyplot (see
:mod:`simulator.report.charts`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from simulator.analysis.compare import Comparison
from simulator.analysis.hire import HiringPlan
from simulator.analysis.solve_value import ValueSolution
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.chart_axes import esc, money_axis, month_axis
from simulator.report.charts import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    frontier_chart,
    new_figure,
    titles,
)
from simulator.report.formatting import money

__all__ = ["compare_chart", "compared_names", "hire_chart", "solve_chart", "tradeoff_chart"]


def _people_axis(ax: Any, x: list[int], cost: list[float], currency: str) -> Any:
    """People cost a year on a second y axis, as a dotted grey line; returns its line."""
    twin = ax.twinx()
    (line,) = twin.plot(x, cost, color=GREY, linestyle=":", marker=".", label="people cost a year")
    money_axis(twin, currency)
    twin.set_ylabel("People cost a year", color=GREY)
    twin.tick_params(labelsize=9, colors=GREY)
    twin.spines[["top"]].set_visible(False)
    return line


def _legend_with(ax: Any, extra: Any, loc: str) -> None:
    """One legend on ``ax`` for its own lines and ``extra`` (a line on a twin axis)."""
    handles, labels = ax.get_legend_handles_labels()
    ax.legend([*handles, extra], [*labels, extra.get_label()], frameon=False, loc=loc)


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
    ax.plot(heads, mean, color=BLUE, marker="o", linewidth=2, label="expected net value (mean)")
    money_axis(ax, cur)
    ax.set_xticks(heads)
    ax.set_xlabel(f"CSMs on team {v.team}")
    ax.set_ylabel(f"Expected net value, plan + horizon ({cur})")
    cost = scenario.all_teams()[v.team].annual_cost_per_csm
    people = _people_axis(ax, heads, [n * cost for n in heads], cur)
    off = []
    for name, n, colour in (("today", v.current, GREY), ("pick", pick, GREEN)):
        if n is None:
            continue
        if heads[0] <= n <= heads[-1]:
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
        else:
            off.append(f"{name} ({n} CSMs) is outside the headcounts tried")
    _legend_with(ax, people, "lower right")
    best = v.values[v.best][0]
    titles(
        fig,
        f"Team {v.team}: net value peaks at {v.best} CSMs ({money(best, cur)}, mean)"
        + (f"; recommended {pick}" if pick is not None and pick != v.best else ""),
        f"{scenario.name}. {v.replications} paired replications at each headcount; line: mean, "
        "shaded: 95% CI." + "".join(f" {o[0].upper()}{o[1:]}." for o in off),
    )
    return fig


def tradeoff_chart(r: TradeoffResult, currency: str, scenario_name: str = "") -> Figure:
    """Today's plan at each headcount (GRR, on time) with today and the offer marked, and
    people cost on a second axis of the GRR panel; ``scenario_name`` leads the caption."""
    rows = sorted(r.frontier, key=lambda row: row["csms"])
    context = (
        f"{scenario_name + '. ' if scenario_name else ''}Today's plan at each headcount, "
        f"means with 95% CIs; people cost {money(rows[0]['people_cost'], currency)} to "
        f"{money(rows[-1]['people_cost'], currency)} a year."
    )
    fig = frontier_chart(r.frontier, currency, {"today": r.current, "offer": r.offered}, context)
    grr = fig.axes[0]
    people = _people_axis(
        grr, [x["csms"] for x in rows], [x["people_cost"] for x in rows], currency
    )
    _legend_with(grr, people, "lower right")
    return fig


def compared_names(c: Comparison) -> list[str]:
    """What to call each alternative of a comparison on a chart or a brief: its
    scenario's ``name``; where alternatives share a name, each copy gets its label in
    brackets (the variant's name, else the file's): ``FY27 plan (six)``."""
    names = [e.scenario.name for e in c.experiments]
    out = []
    for name, label in zip(names, c.labels, strict=True):
        tag = label.split(":", 1)[1] if ":" in label else label
        out.append(f"{name} ({tag})" if names.count(name) > 1 else name)
    return out


def compare_chart(c: Comparison, currency: str) -> Figure:
    """Paired differences in GRR (pp) per alternative and segment, with 95% CIs."""
    labels: list[str] = []
    means: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    from simulator.report.briefs import changed_segments

    names = compared_names(c)
    for i in range(1, len(c.labels)):
        diffs = c.differences(i)
        changed = changed_segments(diffs)
        for d in diffs:
            if d.metric == "grr" and not math.isnan(d.mean) and d.segment in changed:
                labels.append(f"{names[i]}: {d.segment}")
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
    ax.set_yticks(y, [esc(label) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)  # first alternative on top
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.set_xlabel("GRR difference against the baseline (percentage points; mean, 95% CI)")
    ax.set_ylabel("Alternative: segment")
    clear = sum(1 for m in colours if m != GREY)
    titles(
        fig,
        f"GRR against {names[0]}: {clear} of {len(labels)} differences clear of zero",
        f"Paired over {c.experiments[0].replications} replications; dot: mean difference, "
        "bar: 95% CI; grey: includes 0.",
    )
    return fig


def hire_chart(hp: HiringPlan, scenario_name: str = "") -> Figure:
    """Demand against capacity in each month of the plan (CSM hours), by calendar month,
    with the months still short shaded and each hire's start date marked;
    ``scenario_name`` leads the caption."""
    fig, ax = new_figure(10.0, 4.6)
    rows = hp.months
    starts = [m.start for m in rows]
    last = rows[-1].start + (rows[-1].start - rows[-2].start if len(rows) > 1 else dt.timedelta(30))
    edges = [*starts, last]
    for values, colour, label in (
        ([m.demand_hours for m in rows], RED, "demand"),
        ([m.capacity_hours for m in rows], BLUE, "capacity"),
    ):
        ax.stairs(values, edges, color=colour, linewidth=2, label=label, baseline=None)
    short = set(hp.short_months)
    for m, a, b in zip(rows, edges[:-1], edges[1:], strict=True):
        if m.month in short:
            ax.axvspan(a, b, color=RED, alpha=0.08, linewidth=0)
    for j, q in enumerate(hp.requisitions):
        ax.axvline(
            q.start_date,
            color=GREEN,
            linestyle="--",
            linewidth=1,
            label="a hire starts" if j == 0 else None,
        )
    ax.set_ylim(bottom=0)
    month_axis(ax, edges[0], edges[-1])
    ax.set_xlabel("Month of the plan")
    ax.set_ylabel("CSM hours a month")
    ax.legend(frameon=False, loc="lower right", ncols=3)
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
        (f"{scenario_name}. " if scenario_name else "")
        + "Closed form, months of the plan on the calendar."
        + (" Dashed: the day each requisition's hire starts." if hp.requisitions else "")
        + (" Shaded: months still short." if short else ""),
    )
    return fig
