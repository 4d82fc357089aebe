"""The two charts of a decision: the acceptability curve and the tornado."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from simulator.analysis.decision import Decision
from simulator.report.chart_axes import percent_axis
from simulator.report.charts import BLUE, GREY, RED, TEAM_COLOURS, _money_axis, esc, new_figure
from simulator.report.decide import input_label
from simulator.report.formatting import pct

__all__ = ["acceptability_chart", "tornado_chart"]


def acceptability_chart(d: Decision, currency: str) -> Figure:
    """P(best) of each option against the value of an ARR dollar, the stated value marked."""
    fig, ax = new_figure(10.0, 5.2)
    for o, label in enumerate(d.psa.labels):
        ax.plot(
            d.lambdas,
            d.acceptability[:, o],
            color=TEAM_COLOURS[o % len(TEAM_COLOURS)],
            lw=2.2,
            label=esc(label),
        )
    ax.axvline(d.psa.arr_value, color=GREY, ls="--", lw=1)
    ax.annotate(
        esc(f"stated: {d.psa.arr_value:.2f}"),
        (d.psa.arr_value, 1.02),
        ha="center",
        fontsize=9,
        color=GREY,
        xycoords=("data", "axes fraction"),
    )
    ax.set_ylim(0, 1.0)
    percent_axis(ax, "y")
    ax.set_xlabel(esc(f"Value of one {currency} of ARR held at the end of the plan ({currency})"))
    ax.set_ylabel("Probability the option is best")
    ax.legend(frameon=False, loc="best")
    best = d.psa.labels[d.best]
    fig.suptitle(
        esc(
            f"{best} is best in {pct(d.options[d.best].p_best, 0)} of plausible worlds at the stated value"
        ),
        x=0.01,
        ha="left",
        fontsize=14,
        fontweight="bold",
    )
    return fig


def tornado_chart(d: Decision, currency: str) -> Figure | None:
    """Bars of the difference with each input at its P10 and P90, widest on top."""
    sens = d.sensitivity
    if sens is None or not sens.bars:
        return None
    bars = sens.bars[::-1]
    fig, ax = new_figure(10.0, 1.2 + 0.55 * len(bars))
    y = np.arange(len(bars))
    for i, b in enumerate(bars):
        # side by side, not stacked: P10 and P90 may move the difference the same way
        ax.barh(i + 0.16, b.low - sens.base, left=sens.base, color=BLUE, height=0.3)
        ax.barh(i - 0.16, b.high - sens.base, left=sens.base, color=RED, height=0.3)
    ax.axvline(sens.base, color="black", lw=1)
    ax.axvline(0, color=GREY, lw=1, ls=":")
    ax.set_yticks(y, [esc(input_label(b.name)) for b in bars], fontsize=9)
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    _money_axis(ax, currency, "x")
    a, b2 = (d.psa.labels[i] for i in sens.pair)
    ax.set_xlabel(esc(f"Net value of {a} - {b2} ({currency}); blue: input at P10, red: at P90"))
    fig.suptitle(
        esc(f"What the choice of {a} over {b2} hinges on"),
        x=0.01,
        ha="left",
        fontsize=14,
        fontweight="bold",
    )
    return fig
