"""Rendering the CFO trade-off: the plan, its cost and retention, the frontier, the break-even."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.compare import Difference
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.formatting import money, pct
from simulator.report.saved import tidy_csv


def _money_ci(d: Difference, currency: str) -> str:
    if math.isnan(d.mean):
        return "-"
    return f"{'+' if d.mean >= 0 else '-'}{money(abs(d.mean), currency)} [{d.low / 1e3:+.0f}k, {d.high / 1e3:+.0f}k]"


def tradeoff_renderable(r: TradeoffResult, currency: str) -> Group:
    """The recommended plan, the best candidates, the frontier and the break-even."""
    parts: list[Any] = []
    change = (
        f"saves {money(r.savings, currency)} a year"
        if r.savings >= 0
        else f"costs {money(-r.savings, currency)} more a year"
    )
    head = (
        f"{r.team}: {r.current} -> {r.offered} CSMs {change}. "
        f"The plan needs {r.fte_needed:.1f} FTE (closed form); "
    )
    if r.plan is not None and not r.plan.changes:
        p = r.plan
        parts.append(
            Text(
                head
                + f"{r.offered} CSMs carry it without changes. Against today's plan at {r.current} "
                f"CSMs: ARR at risk {_money_ci(p.arr_at_risk, currency)} a year, expected logo churn "
                f"{100 * p.expected_logo_churn.mean:+.2f} pp [{100 * p.expected_logo_churn.low:+.2f}, "
                f"{100 * p.expected_logo_churn.high:+.2f}]."
            )
        )
    elif r.plan is None:
        parts.append(
            Text(
                head
                + "no change or combination tried fits. Offer more CSMs or add changes by hand."
            )
        )
    else:
        p = r.plan
        extra = r.expected_extra_churned
        text = (
            head + f"to fit {r.offered}: {p.label}.\n"
            f"That plan needs {p.fte:.1f} FTE, frees {p.hours_freed:,.0f} CSM hours a year, and "
            f"against today's plan at {r.current} CSMs puts {_money_ci(p.arr_at_risk, currency)} more "
            f"ARR at risk a year; expected logo churn {100 * p.expected_logo_churn.mean:+.2f} pp "
            f"[{100 * p.expected_logo_churn.low:+.2f}, {100 * p.expected_logo_churn.high:+.2f}]."
        )
        if extra is not None and r.savings > 0 and r.accounts:
            text += (
                f"\nBreak-even: cutting to {r.offered} saves {money(r.savings, currency)} a year and is "
                f"worth it while it loses fewer than {r.break_even_accounts:.1f} {r.team} accounts a "
                f"year (at {money(r.arr / r.accounts, currency)} average ARR); the simulation expects "
                f"{extra.mean:+.2f} [{extra.low:+.2f}, {extra.high:+.2f}]."
            )
        parts.append(Text(text))
    c = Table(
        title="Candidate changes at the offered headcount (best first: CSM hours freed per $ of ARR at risk)",
        title_justify="left",
    )
    for col in ["Change", "FTE", "Hours freed / yr", "ARR at risk / yr vs today", "Expected churn"]:
        c.add_column(col, justify="left" if col == "Change" else "right")
    for sc in r.candidates[:12]:
        c.add_row(
            sc.label,
            f"{sc.fte:.1f}",
            f"{sc.hours_freed:,.0f}",
            _money_ci(sc.arr_at_risk, currency),
            f"{100 * sc.expected_logo_churn.mean:+.2f} pp",
        )
    parts.append(c)
    f = Table(
        title=f"Frontier: today's plan at each headcount over {r.horizon_days} days (GRR and NRR over that "
        f"span; mean [95% CI], {r.replications} replications)",
        title_justify="left",
    )
    for col in ["CSMs", "People cost", "On time", "GRR", "NRR", "ARR at risk / yr"]:
        f.add_column(col, justify="right")
    for row in r.frontier:
        f.add_row(
            str(row["csms"]),
            money(row["people_cost"], currency),
            f"{pct(row['on_time_share'])} [{100 * row['on_time_share_low']:.1f}, {100 * row['on_time_share_high']:.1f}]",
            f"{pct(row['grr'])} [{100 * row['grr_low']:.1f}, {100 * row['grr_high']:.1f}]",
            f"{pct(row['nrr'])} [{100 * row['nrr_low']:.1f}, {100 * row['nrr_high']:.1f}]",
            f"{money(row['arr_at_risk'], currency)} [{row['arr_at_risk_low'] / 1e3:.0f}k, {row['arr_at_risk_high'] / 1e3:.0f}k]",
        )
    parts.append(f)
    parts.append(
        Text(
            f"Plans are judged over {r.horizon_days} days ({r.terms:.1f} contract terms): a cut shows at "
            "the renewal after it. Cuts are modelled as 'skipped' touches (still planned, counted as "
            "missed in coverage); ARR at risk sums each renewal's churn probability x ARR."
        )
    )
    return Group(*parts)


def tradeoff_json(r: TradeoffResult) -> str:
    """JSON of the result."""

    def d(x: Difference) -> dict[str, float]:
        return {"mean": x.mean, "low": x.low, "high": x.high}

    plan = None
    if r.plan is not None:
        plan = {
            "changes": [c.label for c in r.plan.changes],
            "fte": r.plan.fte,
            "hours_freed": r.plan.hours_freed,
            "arr_at_risk": d(r.plan.arr_at_risk),
            "expected_logo_churn": d(r.plan.expected_logo_churn),
            "grr": d(r.plan.grr),
            "patch": r.plan_patch,
        }
    extra = r.expected_extra_churned
    out = {
        "team": r.team,
        "current": r.current,
        "offered": r.offered,
        "savings": r.savings,
        "fte_needed": r.fte_needed,
        "break_even_accounts": r.break_even_accounts,
        "expected_extra_churned_accounts": d(extra) if extra is not None else None,
        "horizon_days": r.horizon_days,
        "replications": r.replications,
        "plan": plan,
        "candidates": [
            {
                "change": sc.label,
                "fte": sc.fte,
                "hours_freed": sc.hours_freed,
                "arr_at_risk": d(sc.arr_at_risk),
            }
            for sc in r.candidates
        ],
        "frontier": r.frontier,
    }
    return json.dumps(out, indent=2, default=float) + "\n"


def tradeoff_csv(r: TradeoffResult) -> str:
    """CSV: the recommended plan (kind ``plan``), then every candidate change."""
    rows = []
    scored = ([("plan", r.plan)] if r.plan is not None else []) + [
        ("candidate", sc) for sc in r.candidates
    ]
    for kind, sc in scored:
        rows.append(
            {
                "kind": kind,
                "team": r.team,
                "offered": r.offered,
                "change": "; ".join(c.label for c in sc.changes),
                "fte": sc.fte,
                "fits": sc.fte <= r.offered,
                "hours_freed": sc.hours_freed,
                "arr_at_risk": sc.arr_at_risk.mean,
                "arr_at_risk_low": sc.arr_at_risk.low,
                "arr_at_risk_high": sc.arr_at_risk.high,
                "grr_change": sc.grr.mean,
                "expected_logo_churn_change": sc.expected_logo_churn.mean,
            }
        )
    return tidy_csv(rows)
