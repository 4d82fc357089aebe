"""Charts for slides: each title states the finding, axes carry units, nothing else.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` built without
pyplot (no global state, safe in any backend and in threads). In Jupyter, run
``%matplotlib inline`` once and a Figure left as a cell's last expression displays
itself. :func:`figures` builds the set for a run; :func:`write_charts` saves it as PNG
and SVG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulator.analysis.experiment import Experiment
from simulator.report.arr_charts import (
    arr_bridge,
    arr_fan,
    arr_waterfall,
    monthly_series,
    plan_axis,
    run_context,
)
from simulator.report.chart_axes import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    TEAM_COLOURS,
    esc,
    money_axis,
    new_figure,
    percent_axis,
    plan_dates,
    titles,
)
from simulator.report.files import atomic_target
from simulator.report.formatting import money, pct

__all__ = [
    "AMBER",
    "BLUE",
    "CHART_NAMES",
    "GREEN",
    "GREY",
    "RED",
    "TEAM_COLOURS",
    "arr_bridge",
    "arr_fan",
    "arr_waterfall",
    "esc",
    "figures",
    "frontier_chart",
    "new_figure",
    "svg_text",
    "titles",
    "touch_delivery",
    "utilisation_backlog",
    "write_charts",
]

CHART_NAMES = ("frontier", "utilisation_backlog", "arr_waterfall", "arr_fan", "touch_delivery")
"""File stems of the charts of a run (``frontier`` only when the run has a frontier)."""


def _money_axis(ax: Any, currency: str, axis: str = "y") -> None:
    """Money ticks on ``axis`` (:func:`simulator.report.chart_axes.money_axis`)."""
    money_axis(ax, currency, axis)


def utilisation_backlog(exp: Experiment) -> Figure:
    """Utilisation in each month and backlog at each month end for every team (mean over
    replications, P10-P90 band); utilisation is drawn mid-month, backlog at the month end."""
    util = monthly_series(exp, "team", "utilisation")
    backlog = monthly_series(exp, "team", "backlog_tasks")
    start = exp.scenario.start_date
    fig, (left, right) = new_figure(12.0, 5.6, ncols=2)
    for i, (team, (first, last, values)) in enumerate(util.items()):
        colour = TEAM_COLOURS[i % len(TEAM_COLOURS)]
        mid = plan_dates(start, [(a + b) / 2 for a, b in zip(first, last, strict=True)])
        p10, p90 = np.percentile(values, [10, 90], axis=0)
        left.fill_between(mid, p10, p90, color=colour, alpha=0.15, linewidth=0)
        left.plot(mid, values.mean(axis=0), color=colour, linewidth=2, label=team)
        _, b_last, b_values = backlog[team]
        ends = plan_dates(start, b_last)
        q10, q90 = np.percentile(b_values, [10, 90], axis=0)
        right.fill_between(ends, q10, q90, color=colour, alpha=0.15, linewidth=0)
        right.plot(ends, b_values.mean(axis=0), color=colour, linewidth=2, label=team)
    for ax, label in ((left, "Month"), (right, "Month end")):
        plan_axis(exp, ax)
        ax.set_xlabel(label)
    percent_axis(left)
    left.set_ylim(0, 1.05)
    left.set_ylabel("Utilisation (busy / available CSM hours)")
    left.set_title("Utilisation by month", loc="left", fontsize=11)
    right.set_ylabel("Open tasks at month end")
    right.set_title("Backlog by month end", loc="left", fontsize=11)
    right.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    right.set_ylim(0, max(5.0, right.get_ylim()[1]))  # whole tasks, from none
    left.legend(frameon=False, loc="lower left", title="team", ncols=min(4, len(util)))
    # the title's figures are the summary's: utilisation over the plan, backlog at the end
    stats = exp.team_stats()
    team = max(stats, key=lambda t: stats[t]["utilisation"].mean) if stats else ""
    mean_util = stats[team]["utilisation"].mean if team else math.nan
    end_backlog = float(np.mean(backlog[team][2][:, -1])) if team in backlog else math.nan
    period = "the year" if exp.scenario.horizon_days == 365 else "the plan"
    titles(
        fig,
        f"Busiest team: {team} at {pct(mean_util, 0)} utilisation over {period}, "
        f"ending with {end_backlog:,.0f} open tasks (means)",
        run_context(exp) + " Lines: means over replications; bands: P10-P90.",
    )
    return fig


def touch_delivery(exp: Experiment) -> Figure:
    """Share of each touchpoint type delivered on time, late or missed (mean per year)."""
    rows = [r for r in exp.touch_stats() if r["requested"] > 0]
    labels = [f"{r['segment']} · {r['touchpoint'].replace('_', ' ')}" for r in rows]
    req = np.array([r["requested"] for r in rows])
    on_time = np.array([r["on_time"] for r in rows]) / req
    late = np.array([r["late"] for r in rows]) / req
    missed = np.array([r["missed"] for r in rows]) / req
    other = np.clip(1 - on_time - late - missed, 0, 1)
    fig, ax = new_figure(10.0, max(3.5, 0.34 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1]
    ax.barh(y, on_time, color=GREEN, label="on time")
    ax.barh(y, late, left=on_time, color=AMBER, label="late")
    ax.barh(y, missed, left=on_time + late, color=RED, label="missed")
    ax.barh(y, other, left=on_time + late + missed, color="#cbd5e0", label="open or cancelled")
    ax.set_yticks(y, labels, fontsize=9)
    percent_axis(ax, "x")
    ax.set_xlim(0, 1)
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    # the legend above the bars: below them it would sit on the axis label
    ax.legend(frameon=False, ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    ax.set_xlabel("Share of requested touches")
    period = "a year" if exp.scenario.horizon_days == 365 else "over the plan"
    # the headline counts touches a CSM delivers: automated ones are on time by construction
    auto = np.array([r["automated"] for r in rows])
    csm_req = (req - auto).sum()
    csm_on_time = (on_time * req - auto).sum()
    share = float(csm_on_time / csm_req) if csm_req else math.nan
    worst = int(np.argmax(missed * req)) if len(rows) else 0
    worst_text = (
        f"; most missed: {labels[worst]} ({missed[worst] * req[worst]:,.0f} {period})"
        if len(rows) and missed[worst] > 0
        else "; none missed"
    )
    headline = (
        f"{pct(share, 0)} of {csm_req:,.0f} CSM touches on time{worst_text}"
        if csm_req
        else f"No touch needs a CSM: all {req.sum():,.0f} are automated{worst_text}"
    )
    titles(fig, headline, run_context(exp))
    return fig


def frontier_chart(
    rows: Sequence[dict[str, Any]],
    currency: str = "USD",
    marks: dict[str, int] | None = None,
    context: str = "",
) -> Figure:
    """Headcount against retention (GRR) and on-time coverage for one team, 95% CI bands.

    Parameters
    ----------
    rows
        Frontier rows of one team (see :func:`simulator.analysis.frontier.frontier`).
    marks
        Headcounts to mark with a labelled vertical line, e.g. ``{"today": 8, "offer": 6}``.
    """
    rows = sorted(rows, key=lambda r: r["csms"])
    team = rows[0].get("team", "")
    x = [r["csms"] for r in rows]
    fig, (left, right) = new_figure(12.0, 5.4, ncols=2)
    panels = (
        (left, "grr", "Gross revenue retention", BLUE),
        (right, "on_time_share", "Touches on time", GREEN),
    )
    for ax, metric, label, colour in panels:
        mean = np.array([r[metric] for r in rows], dtype=float)
        # a share cannot leave [0, 1]: the t interval is shown clipped to it
        low = np.clip(np.array([r[f"{metric}_low"] for r in rows], dtype=float), 0, 1)
        high = np.clip(np.array([r[f"{metric}_high"] for r in rows], dtype=float), 0, 1)
        ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0, label="95% CI")
        ax.plot(x, mean, color=colour, marker="o", linewidth=2, label="mean")
        percent_axis(ax)
        ax.set_xticks(x)
        ax.set_xlabel(f"CSMs on team {team}")
        ax.set_ylabel(f"{label} (share)")
        ax.set_title(label, loc="left", fontsize=11)
        for name, n in (marks or {}).items():
            if x[0] <= n <= x[-1]:
                ax.axvline(n, color=GREY, linestyle="--", linewidth=1)
                ax.annotate(
                    name,
                    (n, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -12),
                    textcoords="offset points",
                    fontsize=9,
                    color=GREY,
                )
        ax.legend(frameon=False, loc="lower right")
    lo, hi = rows[0], rows[-1]
    grr_moves = (hi["grr_low"] > lo["grr_high"]) or (hi["grr_high"] < lo["grr_low"])
    grr_text = (
        f"GRR {pct(lo['grr'])} to {pct(hi['grr'])}"
        if grr_moves
        else f"GRR stays within its CI ({pct(lo['grr'])} to {pct(hi['grr'])})"
    )
    titles(
        fig,
        f"Team {team}, {lo['csms']} to {hi['csms']} CSMs: on-time touches "
        f"{pct(lo['on_time_share'], 0)} to {pct(hi['on_time_share'], 0)}; {grr_text}",
        context
        or f"People cost {money(lo['people_cost'], currency)} to {money(hi['people_cost'], currency)} a year.",
    )
    return fig


def figures(exp: Experiment, frontier: Sequence[dict[str, Any]] | None = None) -> dict[str, Figure]:
    """The charts of a run by file stem (one ``frontier_TEAM`` per team with frontier rows)."""
    out: dict[str, Figure] = {}
    if frontier:
        teams = exp.scenario.all_teams()
        for team in dict.fromkeys(r["team"] for r in frontier):
            team_rows = [r for r in frontier if r["team"] == team]
            cost = teams[team].annual_cost_per_csm if team in teams else 0.0
            first, last = min(r["csms"] for r in team_rows), max(r["csms"] for r in team_rows)
            context = (
                f"{run_context(exp)} Each headcount on the same replications; people cost "
                f"{money(first * cost, exp.scenario.currency)} to "
                f"{money(last * cost, exp.scenario.currency)} a year."
            )
            marks = {"plan": teams[team].csms} if team in teams else None
            out[f"frontier_{team}"] = frontier_chart(
                team_rows, exp.scenario.currency, marks, context
            )
    out["utilisation_backlog"] = utilisation_backlog(exp)
    out["arr_waterfall"] = arr_waterfall(exp)
    out["arr_fan"] = arr_fan(exp)
    out["touch_delivery"] = touch_delivery(exp)
    return out


def svg_text(fig: Figure) -> str:
    """The figure as inline SVG with real text (searchable, selectable), no XML prolog."""
    import matplotlib

    buf = io.StringIO()
    # no date, no creator address, fixed ids: the same figure gives the same bytes
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cssim"}):
        fig.savefig(
            buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
        )
    text = buf.getvalue()
    return text[text.index("<svg") :]


def write_charts(
    directory: Path, figs: dict[str, Figure], formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Save every figure as ``DIR/NAME.png`` and ``DIR/NAME.svg`` (each file atomically).

    PNGs are 150 dpi (1,500 px wide for a 10-inch chart): sharp on a slide.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in figs.items():
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            with atomic_target(path) as tmp:
                fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight")
            written.append(path)
    return written
