"""Charts of the customer-list analysis: Pareto curve, value distribution, renewals,
retention curves, churned ARR by stated reason (matplotlib figures;
:mod:`simulator.report.book` renders the rest)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from simulator.analysis.book import BookAnalysis
from simulator.analysis.churn_reasons import ReasonSummary
from simulator.report.chart_axes import esc, money_axis, percent_axis
from simulator.report.charts import BLUE, GREY, TEAM_COLOURS, new_figure, titles
from simulator.report.formatting import money, pct

__all__ = ["book_charts", "churn_reasons_chart", "month_names"]


def month_names(months: Sequence[str]) -> list[str]:
    """``YYYY-MM`` months as ``Oct``, with the year under the first and under each January."""
    out = []
    for i, text in enumerate(months):
        d = dt.date.fromisoformat(f"{text}-01")
        out.append(f"{d:%b}\n{d:%Y}" if i == 0 or d.month == 1 else f"{d:%b}")
    return out


def _pareto(a: BookAnalysis, context: str) -> Figure:
    """Share of ARR against share of customers, largest first, with the 80% line."""
    fig, ax = new_figure()
    x, y = a.pareto_curve
    ax.plot(x, y, color=BLUE, linewidth=2)
    ax.axhline(0.8, color=GREY, linestyle="--", linewidth=1)
    ax.axvline(a.pareto_share, color=GREY, linestyle="--", linewidth=1)
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("Share of active customers, largest first")
    ax.set_ylabel("Share of ARR")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    titles(fig, f"The largest {pct(a.pareto_share)} of customers hold 80% of ARR", context)
    return fig


def _value_distribution(a: BookAnalysis, context: str) -> Figure:
    """Histogram of ARR per active customer (log scale) with the segment breaks."""
    fig, ax = new_figure()
    arr = a.active_arr[a.active_arr > 0]
    bins = np.logspace(np.log10(arr.min()), np.log10(arr.max()), 40) if len(arr) > 1 else 10
    ax.hist(arr, bins=bins, color=BLUE, alpha=0.8)
    ax.set_xscale("log")
    for b in a.breaks:
        ax.axvline(b, color="#c53030", linestyle="--", linewidth=1.2)
        ax.annotate(
            esc(money(b)),
            (b, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=9,
            color="#c53030",
        )
    money_axis(ax, "USD", "x")
    ax.set_xlabel("ARR per customer (USD per year, log scale)")
    ax.set_ylabel("Customers")
    titles(
        fig,
        f"Contract values from {money(a.total.arr_min)} to {money(a.total.arr_max)}; "
        f"breaks at {', '.join(money(b) for b in a.breaks)}",
        context,
    )
    return fig


def _renewals_by_month(a: BookAnalysis, context: str) -> Figure:
    """ARR up for renewal in each of the next 12 months, labelled with the count."""
    fig, ax = new_figure()
    months = [r["month"] for r in a.renewals_by_month]
    ax.bar(range(len(months)), [r["arr"] for r in a.renewals_by_month], color=BLUE)
    ax.set_xticks(range(len(months)), month_names(months))
    for i, r in enumerate(a.renewals_by_month):
        ax.annotate(
            f"{r['renewals']}",
            (i, r["arr"]),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    money_axis(ax, "USD")
    ax.set_ylabel("ARR up for renewal (USD per year)")
    ax.set_xlabel("Month the renewal is due (labels: number of renewals)")
    n6, arr6 = a.renewals_next_6_months
    if a.renewal_dates:
        finding = f"{n6:,} renewals worth {money(arr6)} in the next six months"
    else:
        ax.set_ylim(0, 1)
        finding = "Renewals unknown: the list has no renewal dates"
    titles(fig, finding, context)
    return fig


def _retention_curves(a: BookAnalysis, context: str) -> Figure:
    """Kaplan-Meier retention per segment with its 95% band."""
    fig, ax = new_figure()
    lines = 0
    for i, (name, s) in enumerate(a.segments.items()):
        if s.km is None:
            continue
        c = TEAM_COLOURS[i % len(TEAM_COLOURS)]
        t = s.km.times / 365.25
        ax.step(
            t, s.km.survival, where="post", color=c, linewidth=2, label=esc(f"{name} ({s.km.n:,})")
        )
        ax.fill_between(t, s.km.low, s.km.high, step="post", color=c, alpha=0.15, linewidth=0)
        lines += 1
    percent_axis(ax)
    ax.set_xlabel("Years since the original contract")
    ax.set_ylabel("Customers retained (Kaplan-Meier)")
    ax.set_ylim(0, 1.02)
    if lines:
        ax.legend(frameon=False, loc="lower left", title="segment (customers)")
    km = a.total.km
    one = km.at(365.25)[0] if km is not None and km.max_time >= 365.25 else math.nan
    finding = (
        f"{pct(one)} of customers are still with us a year after signing"
        if math.isfinite(one)
        else "No retention curve a year out: the list lacks contract start dates or a year of history"
    )
    titles(fig, finding, context + " Bands: 95% CI (Greenwood).")
    return fig


def _reason_finding(s: ReasonSummary) -> str:
    """The chart's title: the stated reason with the most churned ARR, and the unusable share."""
    t = s.total
    top = next((r for r in t.rows if r.informative), None)
    unusable = 1 - t.informative_arr_share if t.churned_arr else math.nan
    if top is None:
        return f"No churned customer has a usable reason ({pct(unusable, 0)} of churned ARR)"
    return (
        f"'{top.reason}' is given for the most churned ARR ({pct(top.arr_share, 0)}); "
        f"{pct(unusable, 0)} has no usable reason"
    )


def churn_reasons_chart(s: ReasonSummary, context: str = "") -> Figure:
    """Churned ARR by stated reason, one panel per segment; blank and 'Other'-like in grey.

    Bars are labelled with the ARR (currency per year), the churned customers and the
    share of the segment's churned ARR; each panel has its own ARR axis (segments differ
    by orders of magnitude).
    """
    views = list(s.segments.values())
    heights = [max(len(v.rows), 1) + 1.5 for v in views]
    fig = Figure(figsize=(10.0, 1.2 + 0.32 * sum(heights)), dpi=100, layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(views), 1, gridspec_kw={"height_ratios": heights}))
    for ax, v in zip(axes, views, strict=True):
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
        ax.set_axisbelow(True)
        rows = v.rows[::-1]  # largest informative reason at the top
        y = np.arange(len(rows))
        ax.barh(
            y,
            [r.arr for r in rows],
            color=[BLUE if r.informative else GREY for r in rows],
            height=0.7,
        )
        ax.set_yticks(y, [esc(r.reason) for r in rows], fontsize=10)
        for i, r in enumerate(rows):
            ax.annotate(
                esc(
                    f"{money(r.arr)} ({r.logos} customer{'' if r.logos == 1 else 's'}, "
                    f"{pct(r.arr_share, 0)})"
                ),
                (r.arr, i),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        ax.set_xlim(0, max((r.arr for r in rows), default=1.0) * 1.45 or 1.0)
        money_axis(ax, "USD", "x")
        ax.tick_params(axis="x", labelsize=9)
        ax.set_title(
            esc(
                f"{v.segment}: {money(v.churned_arr)} churned ARR, {v.churned:,} customers "
                f"({pct(v.informative_arr_share, 0)} with a usable reason)"
            ),
            loc="left",
            fontsize=11,
        )
    axes[-1].set_xlabel(
        "Churned ARR (USD per year; labels: ARR, customers, share of the segment's churned ARR)"
    )
    titles(
        fig,
        _reason_finding(s),
        (context + " " if context else "")
        + "Reasons as typed in when each customer was lost; grey: blank or says nothing. "
        "Leads to check with the account teams, not causes; the simulator does not use them.",
    )
    return fig


def book_charts(a: BookAnalysis) -> dict[str, Figure]:
    """Pareto curve, value distribution with breaks, renewals by month, retention curves,
    and churned ARR by stated reason when the list has a churn-reason column."""
    context = f"Customer list as of {a.as_of:%d %b %Y}; {a.total.active:,} active customers."
    charts = {
        "pareto": _pareto(a, context),
        "value_distribution": _value_distribution(a, context),
        "renewals_by_month": _renewals_by_month(a, context),
        "retention_curves": _retention_curves(a, context),
    }
    if a.reasons is not None:
        charts["churn_reasons"] = churn_reasons_chart(a.reasons, f"As of {a.as_of:%d %b %Y}.")
    return charts
