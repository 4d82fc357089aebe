"""Charts for slides: each title states the finding, axes carry units, nothing else.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` built without
pyplot (no global state, safe in any backend and in threads). In Jupyter, run
``%matplotlib inline`` once and a Figure left as a cell's last expression displays
itself. :func:`figures` builds the set for a run; :func:`write_charts` saves it as PNG
and SVG.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simulator.analysis.experiment import Experiment
from simulator.report.files import atomic_target
from simulator.report.formatting import money, pct

__all__ = [
    "CHART_NAMES",
    "arr_fan",
    "arr_waterfall",
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


def new_figure(width: float = 10.0, height: float = 5.6, ncols: int = 1) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, ncols)
    for ax in np.atleast_1d(axes):
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e2e8f0", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=10)
    return fig, axes


def esc(text: str) -> str:
    """Text with dollar signs shown as such (matplotlib reads $...$ as mathematics)."""
    return text.replace("$", r"\$")


def titles(fig: Figure, finding: str, context: str) -> None:
    fig.suptitle(esc(finding), x=0.01, ha="left", fontsize=14, fontweight="bold")
    fig.text(0.01, -0.01, esc(context), ha="left", va="top", fontsize=9, color=GREY)


def _money_axis(ax: Any, currency: str, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: esc(money(v, currency)))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _context(exp: Experiment) -> str:
    s = exp.scenario
    return (
        f"{s.name}. {exp.replications} replications, seed {exp.root_seed}, "
        f"{s.horizon_days}-day plan from {s.start_date:%d %b %Y}; means over replications."
    )


def _month_labels(exp: Experiment, months: Sequence[int]) -> list[str]:
    """Month k of the plan by calendar name (the month it ends), ``start`` for 0."""
    s = exp.scenario
    long = s.horizon_days > 366
    step = max(1, math.ceil(len(months) / 13))  # at most about 13 labels on an axis
    out = []
    for j, k in enumerate(months):
        index = s.start_date.month - 1 + k - 1
        date = dt.date(s.start_date.year + index // 12, index % 12 + 1, 1)
        label = "start" if k == 0 else f"{date:%b %y}" if long else f"{date:%b}"
        out.append(label if j % step == 0 else "")
    return out


def _monthly(exp: Experiment, kind: str, metric: str) -> dict[str, tuple[list[int], np.ndarray]]:
    """Per-name (months, replications x months array) of a monthly metric."""
    names: dict[str, dict[int, list[float]]] = {}
    for r in exp.results:
        for row in r.monthly:
            if row["kind"] == kind:
                names.setdefault(row["name"], {}).setdefault(row["month"], []).append(
                    float(row[metric])
                )
    out = {}
    for name, by_month in names.items():
        months = sorted(by_month)
        out[name] = (months, np.array([by_month[m] for m in months]).T)
    return out


def _total(exp: Experiment, metric: str) -> float:
    return float(np.mean([sum(seg[metric] for seg in r.segments.values()) for r in exp.results]))


def arr_waterfall(exp: Experiment) -> Figure:
    """ARR bridge over the plan, all segments: start, churn, contraction, expansion, new, end."""
    cur = exp.scenario.currency
    start, end = _total(exp, "arr_start"), _total(exp, "arr_end")
    steps = [
        ("Churn", -_total(exp, "churned_arr")),
        ("Contraction", -_total(exp, "contraction_arr")),
        ("Expansion", _total(exp, "expansion_arr")),
        ("New business", _total(exp, "new_arr")),
    ]
    fig, ax = new_figure()
    labels = ["Start ARR"] + [s[0] for s in steps] + ["End ARR"]
    level = start
    ax.bar(0, start, color=BLUE, width=0.6)
    for i, (_, delta) in enumerate(steps, start=1):
        bottom = level + min(delta, 0)
        ax.bar(i, abs(delta), bottom=bottom, color=GREEN if delta >= 0 else RED, width=0.6)
        ax.plot([i - 1.3, i + 0.3], [level, level], color=GREY, linewidth=0.6)
        level += delta
    ax.bar(len(labels) - 1, end, color=BLUE, width=0.6)
    values = [start] + [d for _, d in steps] + [end]
    tops = [start]
    running = start
    for _, d in steps:
        tops.append(max(running, running + d))
        running += d
    tops.append(end)
    for i, (v, top) in enumerate(zip(values, tops, strict=True)):
        sign = "+" if 0 < i < len(values) - 1 and v > 0 else ""
        ax.annotate(
            esc(f"{sign}{money(v, cur)}"),
            (i, top),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=10,
        )
    ax.set_xticks(range(len(labels)), labels)
    low = min(start, end, *(start + np.cumsum([d for _, d in steps])))
    ax.set_ylim(max(0.0, low - 0.25 * (max(start, end) - low + 0.05 * start)), None)
    _money_axis(ax, cur)
    ax.set_ylabel(f"ARR ({cur} per year)")
    lost = -(steps[0][1] + steps[1][1])
    gained = steps[2][1] + steps[3][1]
    change = (end - start) / start if start else math.nan
    verb = "grows" if end >= start else "falls"
    titles(
        fig,
        f"ARR {verb} {pct(abs(change))} to {money(end, cur)}: churn and contraction take "
        f"{money(lost, cur)}, expansion and new business add {money(gained, cur)}",
        _context(exp),
    )
    return fig


def arr_fan(exp: Experiment) -> Figure:
    """Total ARR by month: median and the P10-P90 band across replications."""
    cur = exp.scenario.currency
    series = _monthly(exp, "segment", "arr")
    months = next(iter(series.values()))[0]
    total = sum(v for _, v in series.values())
    start = np.array([sum(seg["arr_start"] for seg in r.segments.values()) for r in exp.results])
    data = np.column_stack([start, total])
    x = [0, *months]
    p10, p50, p90 = np.percentile(data, [10, 50, 90], axis=0)
    fig, ax = new_figure()
    ax.fill_between(x, p10, p90, color=BLUE, alpha=0.2, linewidth=0, label="P10-P90")
    ax.plot(x, p50, color=BLUE, linewidth=2.2, label="median")
    ax.set_xticks(x, _month_labels(exp, x))
    _money_axis(ax, cur)
    ax.set_ylabel(f"ARR ({cur} per year)")
    ax.set_xlabel("Month end")
    ax.legend(frameon=False, loc="upper left")
    titles(
        fig,
        f"Year-end ARR {money(p50[-1], cur)} (median); 8 in 10 outcomes between "
        f"{money(p10[-1], cur)} and {money(p90[-1], cur)}",
        _context(exp),
    )
    return fig


def utilisation_backlog(exp: Experiment) -> Figure:
    """Utilisation and month-end backlog by month for every team (median, P10-P90 band)."""
    util = _monthly(exp, "team", "utilisation")
    backlog = _monthly(exp, "team", "backlog_tasks")
    fig, (left, right) = new_figure(12.0, 5.6, ncols=2)
    peak: tuple[str, float] = ("", -1.0)
    for i, (team, (months, values)) in enumerate(util.items()):
        colour = TEAM_COLOURS[i % len(TEAM_COLOURS)]
        p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
        left.fill_between(months, p10, p90, color=colour, alpha=0.15, linewidth=0)
        left.plot(months, p50, color=colour, linewidth=2, label=team)
        mean_util = float(np.mean(values))
        if mean_util > peak[1]:
            peak = (team, mean_util)
        b_months, b_values = backlog[team]
        q10, q50, q90 = np.percentile(b_values, [10, 50, 90], axis=0)
        right.fill_between(b_months, q10, q90, color=colour, alpha=0.15, linewidth=0)
        right.plot(b_months, q50, color=colour, linewidth=2, label=team)
    months = next(iter(util.values()))[0]
    for ax in (left, right):
        ax.set_xticks(months, _month_labels(exp, months))
        ax.set_xlabel("Month")
    left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    left.set_ylim(0, 1.05)
    left.set_ylabel("Utilisation (busy / available CSM hours)")
    left.set_title("Utilisation by month", loc="left", fontsize=11)
    right.set_ylabel("Open tasks at month end")
    right.set_title("Backlog by month", loc="left", fontsize=11)
    right.set_ylim(0, None)
    left.legend(frameon=False, loc="lower right", title="team")
    team, mean_util = peak
    end_backlog = float(np.median(backlog[team][1][:, -1])) if team else math.nan
    titles(
        fig,
        f"Busiest team: {team} at {pct(mean_util, 0)} utilisation over the year, "
        f"ending with {end_backlog:,.0f} open tasks (median)",
        _context(exp) + " Lines: median; bands: P10-P90.",
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
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
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
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
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
