"""Rendering a backtest: predicted against actual, calibration by decile, Brier scores."""

from __future__ import annotations

import json
import math
from typing import Any

from matplotlib.figure import Figure
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.backtest import Backtest
from simulator.report.chart_axes import percent_axis
from simulator.report.charts import BLUE, GREY, esc, new_figure, titles
from simulator.report.formatting import json_safe, money
from simulator.report.layout import Block, Col, MultiCol, Sheet

__all__ = [
    "backtest_charts",
    "backtest_json",
    "backtest_renderable",
    "backtest_rows",
    "backtest_sheets",
    "headline",
]

_LABELS = {
    "churned_logos": "Churned logos",
    "churned_arr": "Churned ARR",
    "grr": "GRR",
    "nrr": "NRR",
}


def _fmt(metric: str, v: float) -> str:
    if not math.isfinite(v):
        return "-"
    if metric == "churned_logos":
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    if metric == "churned_arr":
        return money(v)
    return f"{100 * v:.1f}%"


def headline(b: Backtest) -> str:
    """The finding in one sentence."""
    inside = sum(c.inside for c in b.checks)
    skill = b.skill
    if not math.isfinite(skill):
        return (
            f"Calibrated on the history to {b.as_of.isoformat()}, the model's 90% intervals held "
            f"{inside} of {len(b.checks)} outcomes from {b.as_of.isoformat()} to "
            f"{b.end.isoformat()}; no account churned in the period, so its churn "
            "probabilities cannot be scored."
        )
    verdict = "better than" if skill > 0.01 else "no better than" if skill > -0.01 else "worse than"
    return (
        f"Calibrated on the history to {b.as_of.isoformat()}, the model's 90% intervals held "
        f"{inside} of {len(b.checks)} outcomes from {b.as_of.isoformat()} to {b.end.isoformat()}; "
        f"its churn probabilities score {verdict} each segment's historical rate "
        f"(Brier {b.brier:.4f} against {b.brier_naive:.4f}, skill {skill:+.1%})."
    )


def coverage_lines(b: Backtest) -> list[Text]:
    """Coverage the simulation delivers against the history's last year, per segment, with
    a warning where they part (the team the plan has cannot deliver what was delivered)."""
    out = []
    for seg, (past, sim) in b.coverage.items():
        if not (math.isfinite(past) and math.isfinite(sim)):
            continue
        line = f"{seg}: coverage at renewal {100 * past:.0f}% in the history's last year, {100 * sim:.0f}% simulated"
        if abs(sim - past) > 0.1:
            line += (
                " - the plan's team and touches do not deliver what the history shows, so its "
                "churn prediction rests on a different coverage (check the team size and hours)"
            )
            out.append(Text(line, style="yellow"))
        else:
            out.append(Text(line))
    return out


def _check_table(b: Backtest) -> Table:
    t = Table(title="Predicted (90% interval) against what happened", title_justify="left")
    for col in ("Segment", "Measure", "Actual", "Predicted", "90% interval", "Inside"):
        t.add_column(col, justify="left" if col in ("Segment", "Measure") else "right")
    for c in b.checks:
        t.add_row(
            c.segment,
            _LABELS[c.metric],
            _fmt(c.metric, c.actual),
            _fmt(c.metric, c.mean),
            f"{_fmt(c.metric, c.low)} to {_fmt(c.metric, c.high)}",
            Text("yes") if c.inside else Text("no", style="bold red"),
        )
    return t


def _decile_table(b: Backtest) -> Table:
    t = Table(title="Calibration: accounts by decile of predicted churn", title_justify="left")
    for col in ("Decile", "Accounts", "Predicted", "Observed", "Churned"):
        t.add_column(col, justify="right")
    for d in b.deciles:
        t.add_row(
            f"{d['decile']:.0f}",
            f"{d['accounts']:,.0f}",
            f"{100 * d['predicted']:.1f}%",
            f"{100 * d['observed']:.1f}%",
            f"{d['churned']:,.0f}",
        )
    return t


def backtest_renderable(b: Backtest) -> Group:
    """The terminal report."""
    parts: list[Any] = [Text(headline(b), style="bold")]
    if b.staffing:
        staff = ", ".join(f"{s} {n}" for s, n in b.staffing.items())
        parts.append(
            Text(f"teams as the history shows them in the 90 days before the date: {staff} CSMs")
        )
    parts += [Text(n) for n in b.notes]
    parts += coverage_lines(b)
    parts += [_check_table(b), _decile_table(b)]
    parts.append(
        Text(
            f"{b.accounts:,} accounts on the books at {b.as_of.isoformat()}, {b.churned:,} "
            f"churned by {b.end.isoformat()}; {b.replications} replications, each with its own "
            "draw of the fitted effects and baselines. ARR on the backtest date is interpolated "
            "between signing and the list's ARR over the renewals survived (the list holds no "
            "ARR history)."
        )
    )
    return Group(*parts)


def backtest_rows(b: Backtest) -> list[dict[str, Any]]:
    """Tidy rows: each check, then each decile."""
    rows: list[dict[str, Any]] = [
        {
            "section": "check",
            "segment": c.segment,
            "measure": c.metric,
            "actual": c.actual,
            "predicted": c.mean,
            "low_90": c.low,
            "high_90": c.high,
            "inside": c.inside,
        }
        for c in b.checks
    ]
    rows += [
        {
            "section": "decile",
            "segment": "all",
            "measure": f"decile {d['decile']:.0f}",
            "actual": d["observed"],
            "predicted": d["predicted"],
            "low_90": None,
            "high_90": None,
            "inside": None,
        }
        for d in b.deciles
    ]
    rows.append(
        {
            "section": "score",
            "segment": "all",
            "measure": "brier",
            "actual": None,
            "predicted": b.brier,
            "low_90": None,
            "high_90": None,
            "inside": None,
        }
    )
    rows.append(
        {
            "section": "score",
            "segment": "all",
            "measure": "brier_naive",
            "actual": None,
            "predicted": b.brier_naive,
            "low_90": None,
            "high_90": None,
            "inside": None,
        }
    )
    return rows


def backtest_json(b: Backtest) -> str:
    """The backtest as JSON."""
    data = {
        "as_of": b.as_of.isoformat(),
        "end": b.end.isoformat(),
        "headline": headline(b),
        "replications": b.replications,
        "checks": [c.__dict__ | {"inside": c.inside} for c in b.checks],
        "deciles": b.deciles,
        "brier": b.brier,
        "brier_naive": b.brier_naive,
        "skill": b.skill,
        "accounts": b.accounts,
        "churned": b.churned,
        "staffing": b.staffing,
        "coverage": {s: {"history": p, "simulated": q} for s, (p, q) in b.coverage.items()},
        "notes": b.notes,
    }
    return json.dumps(json_safe(data), indent=2) + "\n"


_SHEET_FORMAT = {"churned_logos": "num0", "churned_arr": "money"}
"""Each measure's number format in the pack (the rest are shares, shown as percentages)."""
_FORMATS = ["num0", "money", "pct"]


def backtest_sheets(b: Backtest) -> list[Sheet]:
    """An Excel pack: the checks and the calibration table."""
    values = ("actual", "predicted", "low_90", "high_90")
    checks = Block(
        "Predicted (90% interval) against what happened",
        [
            Col("segment", "Segment"),
            Col("measure", "Measure", width=16),
            MultiCol("actual", "Actual", _FORMATS),
            MultiCol("predicted", "Predicted", _FORMATS),
            MultiCol("low_90", "90% low", _FORMATS),
            MultiCol("high_90", "90% high", _FORMATS),
            Col("inside", "Inside"),
        ],
        [
            {
                **{k: v for k, v in r.items() if k not in values},
                # the reader's words, as in the terminal (the CSV keeps the keys)
                "measure": _LABELS.get(r["measure"], r["measure"]),
                "inside": "yes" if r["inside"] else "no",
                **{f"{k}_{_SHEET_FORMAT.get(r['measure'], 'pct')}": r[k] for k in values},
            }
            for r in backtest_rows(b)
            if r["section"] == "check"
        ],
    )
    deciles = Block(
        "Calibration by decile",
        [
            Col("decile", "Decile", "int"),
            Col("accounts", "Accounts", "int"),
            Col("predicted", "Predicted", "pct"),
            Col("observed", "Observed", "pct"),
            Col("churned", "Churned", "int"),
        ],
        b.deciles,
    )
    return [Sheet("Backtest", [checks, deciles], [headline(b)])]


def _calibration(b: Backtest, context: str) -> Figure:
    fig, ax = new_figure(7.0, 6.0)
    x = [d["predicted"] for d in b.deciles]
    y = [d["observed"] for d in b.deciles]
    top = max([*x, *y, 0.05]) * 1.1
    ax.plot(
        [0, top], [0, top], color=GREY, linestyle="--", linewidth=1, label="perfect calibration"
    )
    ax.plot(x, y, "o-", color=BLUE, label="deciles of predicted churn")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("Predicted churn probability (mean of the decile)")
    ax.set_ylabel("Observed churn rate")
    ax.legend(loc="upper left", frameon=False)
    titles(fig, f"Predicted against observed churn (Brier skill {b.skill:+.1%})", context)
    return fig


def _intervals(b: Backtest, context: str) -> Figure:
    checks = [c for c in b.checks if c.metric in ("grr", "nrr")]
    fig, ax = new_figure(10.0, 0.5 * len(checks) + 2.0)
    for i, c in enumerate(checks):
        ax.plot([c.low, c.high], [i, i], color=BLUE, linewidth=6, alpha=0.35, solid_capstyle="butt")
        ax.plot([c.mean], [i], "|", color=BLUE, markersize=14)
        ax.plot([c.actual], [i], "o", color="#c53030" if not c.inside else "black")
    ax.set_yticks(range(len(checks)))
    ax.set_yticklabels([esc(f"{c.segment} {_LABELS[c.metric]}") for c in checks])
    percent_axis(ax, "x")
    ax.set_xlabel(
        "Share of starting ARR (bar: 90% prediction interval; tick: mean; dot: actual, red when outside)"
    )
    ax.invert_yaxis()
    titles(
        fig,
        f"{sum(c.inside for c in checks)} of {len(checks)} retention outcomes inside their 90% interval",
        context,
    )
    return fig


def backtest_charts(b: Backtest) -> dict[str, Figure]:
    """The calibration plot and the retention intervals against the actual values."""
    context = (
        f"Backtest: calibrated on the history to {b.as_of.isoformat()}, predicted to "
        f"{b.end.isoformat()}; {b.replications} replications."
    )
    return {
        "backtest_calibration": _calibration(b, context),
        "backtest_retention": _intervals(b, context),
    }
