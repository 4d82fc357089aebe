"""The value section of ``cssim run``: net value, a P&L view and the cost to serve.

Every figure is computed per replication (:mod:`simulator.analysis.value`) and then
summarised across replications as mean [95% CI]; the terminal tables, the JSON fields and
the Value sheet of the Excel/HTML pack read the same :class:`ValueStats`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.experiment import Experiment, MetricStats, summarise
from simulator.analysis.value import (
    COST_TO_SERVE,
    PNL_LINES,
    annuity_years,
    arr_value,
    cost_to_serve,
    pnl,
    segment_values,
)
from simulator.report.formatting import money, num, pct
from simulator.report.layout import Block, Col, Sheet
from simulator.report.run import ci_money, ci_pct

__all__ = [
    "ValueStats",
    "conventions",
    "value_json",
    "value_renderable",
    "value_sheet",
    "value_stats",
]

TOTAL = "total"
"""The row of every segment together."""

NEEDED = ("expected_revenue", "expected_arr_end", "inbound_to_support")
"""Metrics the value needs (a run saved before they existed has no value section)."""

VALUE_KEYS: tuple[str, ...] = (
    "margin",
    "indirect_plan",
    "people_cost",
    "automation_cost",
    "support_cost",
    "cost",
    "plan",
    "arr_held",
    "indirect_tail",
    "horizon",
)
"""Per segment and in total (currency): gross margin on expected revenue, indirect value
over the plan, the three costs and their sum, net value over the plan, the value of the
expected ARR at the end (λ times it), the indirect value of the accounts held, net value
over the horizon."""


NON_NEGATIVE: frozenset[str] = frozenset(
    {
        "indirect_plan",
        "people_cost",
        "automation_cost",
        "support_cost",
        "cost",
        "arr_held",
        "indirect_tail",
        "revenue",
        "cost_of_revenue",
        "cs_cost_sm",
        "accounts",
        "indirect",
    }
)
"""Value, P&L and cost-to-serve keys that cannot be negative (costs, revenue, value of
what is held): their intervals are on the log scale, in [0, inf). Margins, profit and net
value are signed; ``gross_margin`` is at most 1 (:func:`_bounds`)."""


def _bounds(key: str) -> tuple[float, float]:
    """The feasible range of a value key, for :func:`summarise`."""
    if key in NON_NEGATIVE:
        return (0.0, math.inf)
    if key == "gross_margin":
        return (-math.inf, 1.0)
    return (-math.inf, math.inf)


@dataclass(frozen=True)
class ValueStats:
    """The value of one experiment, summarised across its replications."""

    values: dict[str, dict[str, MetricStats]]
    """Segment (and ``total``) -> :data:`VALUE_KEYS` -> stats."""
    arr_value: dict[str, float]
    """λ per segment (currency per ARR dollar)."""
    annuity_years: dict[str, float]
    """Discounted account-years after the plan per account held (years)."""
    pnl: dict[str, MetricStats]
    """:data:`~simulator.analysis.value.PNL_LINES` -> stats."""
    serve: dict[str, dict[str, MetricStats]]
    """Segment -> :data:`~simulator.analysis.value.COST_TO_SERVE` -> stats."""


def value_stats(exp: Experiment) -> ValueStats | None:
    """Net value, P&L and cost to serve of ``exp`` (None when its metrics predate them)."""
    if not exp.results or any(k not in m for m in exp.results[0].segments.values() for k in NEEDED):
        return None
    s = exp.scenario
    eco = s.economics
    segs = list(exp.results[0].segments)
    plan_years = s.horizon_days / 365.0
    draws: dict[str, dict[str, list[float]]] = {k: {} for k in [*segs, TOTAL]}
    lines: dict[str, list[float]] = {}
    serve: dict[str, dict[str, list[float]]] = {k: {} for k in segs}
    for r in exp.results:
        vals = segment_values(s, r.segments)
        total = dict.fromkeys(VALUE_KEYS, 0.0)
        for seg, v in vals.items():
            row = _row(v)
            for k, x in row.items():
                draws[seg].setdefault(k, []).append(x)
                total[k] += x
            years = r.segments[seg].get("account_years", math.nan)
            for k, x in cost_to_serve(v, years, plan_years).items():
                serve[seg].setdefault(k, []).append(x)
        for k, x in total.items():
            draws[TOTAL].setdefault(k, []).append(x)
        for k, x in pnl(eco, vals.values()).items():
            lines.setdefault(k, []).append(x)
    return ValueStats(
        values={
            seg: {k: summarise(x, bounds=_bounds(k)) for k, x in d.items()}
            for seg, d in draws.items()
        },
        arr_value={seg: arr_value(eco, s.segments[seg]) for seg in segs},
        annuity_years={seg: annuity_years(eco, s.segments[seg]) for seg in segs},
        pnl={k: summarise(lines[k], bounds=_bounds(k)) for k in PNL_LINES},
        serve={
            seg: {k: summarise(d[k], bounds=_bounds(k)) for k in COST_TO_SERVE}
            for seg, d in serve.items()
        },
    )


def _row(v: Any) -> dict[str, float]:
    """A :class:`~simulator.analysis.value.SegmentValue` as the :data:`VALUE_KEYS`."""
    return {
        "margin": v.margin,
        "indirect_plan": v.indirect_plan,
        "people_cost": v.people_cost,
        "automation_cost": v.automation_cost,
        "support_cost": v.support_cost,
        "cost": v.cost,
        "plan": v.plan,
        "arr_held": v.arr_value * v.arr_end,
        "indirect_tail": v.indirect_tail,
        "horizon": v.horizon,
    }


def conventions(exp: Experiment, vs: ValueStats) -> str:
    """The one line that says how the value is counted."""
    s = exp.scenario
    eco = s.economics
    lam = ", ".join(f"{seg} {x:.2f}" for seg, x in vs.arr_value.items())
    if eco.arr_value == "lifetime":
        how = (
            f"over {eco.valuation_years} years at λ per dollar ({pct(eco.gross_margin, 0)} "
            f"gross margin, discounted at {pct(eco.discount_rate, 0)}, survival from each "
            f"segment's baseline churn): {lam}"
        )
    elif eco.arr_value == "replacement":
        how = (
            f"at λ = {eco.replacement_cost:g} - {eco.renewal_cost:g} = "
            f"{eco.replacement_cost - eco.renewal_cost:.2f} per dollar (what winning it back "
            "costs, less the renewal spend)"
        )
    else:
        how = f"at λ = {eco.arr_value_multiple:g} per dollar (stated multiple)"
    return (
        f"Costs count over the {s.horizon_days}-day plan only; ARR held at the end is "
        f"valued {how}; revenue is expected revenue (churn at its probability)."
    )


def indirect_line(exp: Experiment, vs: ValueStats) -> str:
    """What the user stated as indirect value per account, and what it adds."""
    eco = exp.scenario.economics
    cur = exp.scenario.currency
    if not eco.indirect_value_per_account:
        return (
            "No indirect value stated (economics.indirect_value_per_account: 0): referrals "
            "and advocacy count for nothing here."
        )
    t = vs.values[TOTAL]
    return (
        f"Indirect value stated: {money(eco.indirect_value_per_account, cur)} per "
        f"account-year (referrals, advocacy): {ci_money(t['indirect_plan'], cur)} over the "
        f"plan and {ci_money(t['indirect_tail'], cur)} more for the accounts held at the end."
    )


def value_renderable(exp: Experiment) -> Group | None:
    """Terminal tables of the value section (None when the run has no value metrics)."""
    vs = value_stats(exp)
    if vs is None:
        return None
    cur = exp.scenario.currency
    indirect = bool(exp.scenario.economics.indirect_value_per_account)
    t = Table(title="Net value (mean [95% CI] over replications)", title_justify="left")
    cols = ["Segment", "λ", "Margin", *(["Indirect"] if indirect else []), "CS cost"]
    cols += ["Net value, plan", "ARR held x λ", *(["Indirect after"] if indirect else [])]
    cols.append("Net value, horizon")
    for c in cols:
        t.add_column(c, justify="left" if c == "Segment" else "right")
    for seg, m in vs.values.items():
        lam = f"{vs.arr_value[seg]:.2f}" if seg in vs.arr_value else ""
        cells = [seg, lam, money(m["margin"].mean, cur)]
        cells += [money(m["indirect_plan"].mean, cur)] if indirect else []
        cells += [money(m["cost"].mean, cur), ci_money(m["plan"], cur)]
        cells += [money(m["arr_held"].mean, cur)]
        cells += [money(m["indirect_tail"].mean, cur)] if indirect else []
        cells.append(ci_money(m["horizon"], cur))
        t.add_row(*cells, style="bold" if seg == TOTAL else None)
    return Group(
        t,
        Text(conventions(exp, vs)),
        Text(indirect_line(exp, vs)),
        _pnl_table(exp, vs),
        _serve_table(exp, vs),
    )


def _pnl_labels(exp: Experiment) -> dict[str, str]:
    cogs = exp.scenario.economics.cs_cost_class == "cogs"
    return {
        "revenue": "Revenue (expected)",
        "cost_of_revenue": "Cost of revenue" + (" (incl. CS cost)" if cogs else ""),
        "gross_profit": "Gross profit",
        "gross_margin": "Gross margin",
        "cs_cost_sm": "CS cost (sales and marketing)",
        "contribution": "Contribution after CS",
    }


def _pnl_lines(exp: Experiment) -> list[str]:
    cogs = exp.scenario.economics.cs_cost_class == "cogs"
    return [k for k in PNL_LINES if not (cogs and k == "cs_cost_sm")]


def _pnl_table(exp: Experiment, vs: ValueStats) -> Table:
    eco = exp.scenario.economics
    cur = exp.scenario.currency
    t = Table(
        title=f"P&L over the plan (CS cost in {eco.cs_cost_class.upper()}; mean [95% CI])",
        title_justify="left",
    )
    t.add_column("Line", justify="left")
    t.add_column("Amount", justify="right")
    labels = _pnl_labels(exp)
    for k in _pnl_lines(exp):
        st = vs.pnl[k]
        t.add_row(labels[k], ci_pct(st) if k == "gross_margin" else ci_money(st, cur))
    return t


SERVE_HEADERS = {
    "accounts": "Accounts (avg)",
    "cost": "Cost / account",
    "revenue": "Revenue / account",
    "margin": "Margin / account",
    "indirect": "Indirect / account",
    "profit": "Profit / account",
}


def profitable(st: MetricStats) -> str:
    """``yes`` when profit per account is positive beyond its interval, ``no`` when
    negative, ``unclear`` when the interval holds 0."""
    if st.n == 0 or math.isnan(st.mean):
        return "-"
    if st.low > 0:
        return "yes"
    if st.high < 0:
        return "no"
    return "unclear"


def _serve_table(exp: Experiment, vs: ValueStats) -> Table:
    cur = exp.scenario.currency
    t = Table(
        title="Cost to serve per account over the plan (mean; profit mean [95% CI])",
        title_justify="left",
    )
    shown = ["cost", "revenue", "margin"]
    if exp.scenario.economics.indirect_value_per_account:
        shown.append("indirect")
    t.add_column("Segment", justify="left")
    for k in ["accounts", *shown, "profit"]:
        t.add_column(SERVE_HEADERS[k], justify="right")
    t.add_column("Profitable?", justify="right")
    for seg, m in vs.serve.items():
        t.add_row(
            seg,
            num(m["accounts"].mean),
            *(money(m[k].mean, cur) for k in shown),
            ci_money(m["profit"], cur),
            profitable(m["profit"]),
        )
    return t


def _stats_json(st: MetricStats) -> dict[str, float]:
    return {"mean": st.mean, "low": st.low, "high": st.high, "sd": st.sd, "n": st.n}


def value_json(exp: Experiment) -> dict[str, Any] | None:
    """The value section as JSON-ready data (None when the run has no value metrics)."""
    vs = value_stats(exp)
    if vs is None:
        return None
    eco = exp.scenario.economics
    return {
        "conventions": conventions(exp, vs),
        "economics": eco.model_dump(mode="json"),
        "arr_value": vs.arr_value,
        "annuity_years": vs.annuity_years,
        "net_value": {
            seg: {k: _stats_json(st) for k, st in m.items()} for seg, m in vs.values.items()
        },
        "pnl": {k: _stats_json(st) for k, st in vs.pnl.items()},
        "cost_to_serve": {
            seg: {
                **{k: _stats_json(st) for k, st in m.items()},
                "profitable": profitable(m["profit"]),
            }
            for seg, m in vs.serve.items()
        },
    }


def value_sheet(exp: Experiment) -> Sheet | None:
    """The Value sheet of the pack: net value, P&L and cost to serve (None without them)."""
    vs = value_stats(exp)
    if vs is None:
        return None
    net_rows = [
        {
            "segment": seg,
            "arr_value": vs.arr_value.get(seg),
            **{k: m[k].mean for k in VALUE_KEYS},
            "plan_low": m["plan"].low,
            "plan_high": m["plan"].high,
            "horizon_low": m["horizon"].low,
            "horizon_high": m["horizon"].high,
        }
        for seg, m in vs.values.items()
    ]
    net_cols = [
        Col("segment", "Segment"),
        Col("arr_value", "λ (per ARR $)", "num2"),
        Col("margin", "Margin", "money", 14),
        Col("indirect_plan", "Indirect value (plan)", "money", 14),
        Col("people_cost", "People cost", "money", 14),
        Col("automation_cost", "Automation cost", "money", 14),
        Col("support_cost", "Support cost", "money", 14),
        Col("plan", "Net value, plan", "money", 14),
        Col("plan_low", "Plan 95% CI low", "money", 14),
        Col("plan_high", "Plan 95% CI high", "money", 14),
        Col("arr_held", "ARR held x λ", "money", 14),
        Col("indirect_tail", "Indirect value after", "money", 14),
        Col("horizon", "Net value, horizon", "money", 14),
        Col("horizon_low", "Horizon 95% CI low", "money", 14),
        Col("horizon_high", "Horizon 95% CI high", "money", 14),
    ]
    labels = _pnl_labels(exp)
    pnl_rows = [
        {
            "line": labels[k],
            **({"pct": vs.pnl[k].mean} if k == "gross_margin" else {"money": vs.pnl[k].mean}),
        }
        for k in _pnl_lines(exp)
    ]
    pnl_cols = [Col("line", "Line", width=34), Col("money", "Amount", "money", 16)]
    pnl_cols.append(Col("pct", "Share of revenue", "pct"))
    serve_rows = [
        {
            "segment": seg,
            **{k: m[k].mean for k in COST_TO_SERVE},
            "profitable": profitable(m["profit"]),
        }
        for seg, m in vs.serve.items()
    ]
    serve_cols = [Col("segment", "Segment"), Col("accounts", "Accounts (avg)", "num0")]
    serve_cols += [Col(k, SERVE_HEADERS[k], "money", 14) for k in COST_TO_SERVE[1:]]
    serve_cols.append(Col("profitable", "Profitable?"))
    return Sheet(
        "Value",
        [
            Block("Net value by segment (mean over replications)", net_cols, net_rows),
            Block(
                f"P&L over the plan (CS cost in {exp.scenario.economics.cs_cost_class.upper()})",
                pnl_cols,
                pnl_rows,
            ),
            Block("Cost to serve per account over the plan", serve_cols, serve_rows),
        ],
        intro=[conventions(exp, vs), indirect_line(exp, vs)],
    )
