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
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulator.analysis.experiment import Experiment, summarise
from simulator.report.chart_axes import (
    axis_break,
    esc,
    money_axis,
    month_axis,
    percent_axis,
    plan_dates,
)
from simulator.report.files import atomic_target
from simulator.report.formatting import money, pct

__all__ = [
    "CHART_NAMES",
    "arr_bridge",
    "arr_fan",
    "arr_waterfall",
    "esc",
    "figures",
    "frontier_chart",
    "svg_text",
    "touch_delivery",
    "utilisation_backlog",
    "write_charts",
]

CHART_NAMES = ("frontier", "utilisation_backlog", "arr_waterfall", "arr_fan", "touch_delivery")
"""File stems of the charts of a run (``frontier`` only when the run has a frontier)."""

BLUE, GREEN, AMBER, RED, GREY = "#2b6cb0", "#2f855a", "#d69e2e", "#c53030", "#718096"
TEAM_COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#b7791f", "#319795", "#c53030")

WATERFALL_MIN_STEP = 0.05
"""The ARR waterfall starts at zero unless its largest step would then be shorter than
this share of the axis; then the axis starts near the lowest level and is marked broken."""


def new_figure(width: float = 10.0, height: float = 5.6, ncols: int = 1) -> tuple[Figure, Any]:
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


def _money_axis(ax: Any, currency: str, axis: str = "y") -> None:
    """Money ticks on ``axis`` (:func:`simulator.report.chart_axes.money_axis`)."""
    money_axis(ax, currency, axis)


def _context(exp: Experiment) -> str:
    """Where the numbers come from: the scenario by name, replications, seed, period."""
    s = exp.scenario
    return (
        f"{s.name}. {exp.replications} replications, seed {exp.root_seed}, "
        f"{s.horizon_days}-day plan from {s.start_date:%d %b %Y}."
    )


def _plan_axis(exp: Experiment, ax: Any) -> None:
    """Calendar months from the plan's start to its end on the x axis."""
    s = exp.scenario
    month_axis(ax, s.start_date, plan_dates(s.start_date, [s.horizon_days])[0].date())


def _monthly(
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


def _totals(exp: Experiment, metric: str) -> np.ndarray:
    """Per replication: a segment metric summed over the segments."""
    return np.array([sum(seg[metric] for seg in r.segments.values()) for r in exp.results])


def arr_bridge(exp: Experiment) -> list[tuple[str, float]]:
    """The ARR bridge of the plan, all segments, each a mean over replications (currency
    per year): start, churn, contraction, expansion, new business, any remainder, end.

    The end is the mean ARR at the end that the run's summary reports (the sum of the
    segments' means); an ``Other`` step appears only when the four changes do not add up.
    """
    start, end = float(np.mean(_totals(exp, "arr_start"))), float(np.mean(_totals(exp, "arr_end")))
    steps = [
        ("Churn", -float(np.mean(_totals(exp, "churned_arr")))),
        ("Contraction", -float(np.mean(_totals(exp, "contraction_arr")))),
        ("Expansion", float(np.mean(_totals(exp, "expansion_arr")))),
        ("New business", float(np.mean(_totals(exp, "new_arr")))),
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
        _context(exp) + " Bars: means over replications.",
    )
    return fig


def arr_fan(exp: Experiment) -> Figure:
    """Total ARR by month: the mean over replications and the P10-P90 band; the last point
    is the ARR at the end, as in the run's summary."""
    cur = exp.scenario.currency
    series = _monthly(exp, "segment", "arr")
    _, days, _ = next(iter(series.values()))
    total = np.sum([v for _, _, v in series.values()], axis=0)
    start, end = _totals(exp, "arr_start"), _totals(exp, "arr_end")
    horizon = float(exp.scenario.horizon_days)
    inner = [j for j, d in enumerate(days) if d < horizon - 1e-6]  # month ends before the end
    data = np.column_stack([start, total[:, inner], end])
    x = plan_dates(exp.scenario.start_date, [0.0, *(days[j] for j in inner), horizon])
    mean = data.mean(axis=0)
    p10, p90 = np.percentile(data, [10, 90], axis=0)
    fig, ax = new_figure()
    ax.fill_between(x, p10, p90, color=BLUE, alpha=0.2, linewidth=0, label="P10-P90")
    ax.plot(x, mean, color=BLUE, linewidth=2.2, label="mean")
    _plan_axis(exp, ax)
    money_axis(ax, cur)
    ax.set_ylabel(f"ARR ({cur} per year)")
    ax.set_xlabel("Date (each point a month end; the last, the end of the plan)")
    ax.legend(frameon=False, loc="upper left")
    ci = summarise(end)
    titles(
        fig,
        f"ARR at the end {money(mean[-1], cur)} (mean); 8 in 10 replications end between "
        f"{money(p10[-1], cur)} and {money(p90[-1], cur)}",
        _context(exp) + f" Line: mean over replications (95% CI at the end {money(ci.low, cur)} to "
        f"{money(ci.high, cur)}); band: P10-P90.",
    )
    return fig


def utilisation_backlog(exp: Experiment) -> Figure:
    """Utilisation in each month and backlog at each month end for every team (mean over
    replications, P10-P90 band); utilisation is drawn mid-month, backlog at the month end."""
    util = _monthly(exp, "team", "utilisation")
    backlog = _monthly(exp, "team", "backlog_tasks")
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
        _plan_axis(exp, ax)
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
        _context(exp) + " Lines: means over replications; bands: P10-P90.",
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
    ax.set_xlabel("Share of requested touches")
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.legend(frameon=False, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.08))
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
    titles(
        fig,
        f"{pct(share, 0)} of {csm_req:,.0f} CSM touches on time{worst_text}",
        _context(exp),
    )
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
                f"{_context(exp)} Each headcount on the same replications; people cost "
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
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
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
