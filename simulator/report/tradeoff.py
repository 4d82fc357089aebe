"""Rendering the CFO trade-off: the plan, its cost and retention, the frontier, the break-even
in the terminal, as JSON/CSV rows and as an Excel pack."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.compare import Difference
from simulator.analysis.experiment import Experiment
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.formatting import money, pct
from simulator.report.layout import Block, Col, Sheet
from simulator.report.packs import assumptions_sheet, provenance_sheet
from simulator.report.plan_sheets import (
    arr_block,
    frontier_sheet,
    headcount_block,
    retention_block,
    summary_charts,
)
from simulator.report.saved import tidy_csv

__all__ = ["tradeoff_csv", "tradeoff_json", "tradeoff_pack", "tradeoff_renderable"]


def _money_ci(d: Difference, currency: str) -> str:
    """A signed money difference with its 95% CI in thousands (``+$12,000 [+5k, +19k]``)."""
    if math.isnan(d.mean):
        return "-"
    return f"{'+' if d.mean >= 0 else '-'}{money(abs(d.mean), currency)} [{d.low / 1e3:+.0f}k, {d.high / 1e3:+.0f}k]"


def _headline(r: TradeoffResult, currency: str) -> Text:
    """The answer in sentences: savings, the plan and its retention cost, the break-even."""
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
        return Text(
            head
            + f"{r.offered} CSMs carry it without changes. Against today's plan at {r.current} "
            f"CSMs: ARR at risk {_money_ci(p.arr_at_risk, currency)} a year, expected logo churn "
            f"{100 * p.expected_logo_churn.mean:+.2f} pp [{100 * p.expected_logo_churn.low:+.2f}, "
            f"{100 * p.expected_logo_churn.high:+.2f}]."
        )
    if r.plan is None:
        return Text(
            head + "no change or combination tried fits. Offer more CSMs or add changes by hand."
        )
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
    return Text(text)


def _candidate_table(r: TradeoffResult, currency: str) -> Table:
    """The twelve best candidate changes at the offered headcount."""
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
    return c


def _frontier_table(r: TradeoffResult, currency: str) -> Table:
    """Today's plan at each headcount: cost, on-time share, GRR, NRR, ARR at risk."""
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
    return f


def tradeoff_renderable(r: TradeoffResult, currency: str) -> Group:
    """The recommended plan, the best candidates, the frontier and the break-even."""
    return Group(
        _headline(r, currency),
        _candidate_table(r, currency),
        _frontier_table(r, currency),
        Text(
            f"Plans are judged over {r.horizon_days} days ({r.terms:.1f} contract terms): a cut shows at "
            "the renewal after it. Cuts are modelled as 'skipped' touches (still planned, counted as "
            "missed in coverage); ARR at risk sums each renewal's churn probability x ARR."
        ),
    )


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


def _summary_rows(result: TradeoffResult, currency: str) -> list[dict[str, Any]]:
    """The Summary sheet's item-value rows: the team, the offer, the plan and its cost."""
    plan = result.plan
    summary_rows: list[dict[str, Any]] = [
        {"item": "Team", "value": result.team},
        {"item": "Segments", "value": ", ".join(result.segments)},
        {"item": "Accounts", "value": result.accounts},
        {"item": f"ARR at start ({currency})", "value": result.arr},
        {"item": "CSMs today", "value": result.current},
        {"item": "CSMs offered", "value": result.offered},
        {"item": "FTE the full plan needs (closed form)", "value": result.fte_needed},
        {
            "item": f"People cost saved per year ({currency})",
            "value": (result.current - result.offered) * result.cost_per_csm,
        },
        {"item": "Replications per evaluation", "value": result.replications},
        {"item": "Evaluation horizon (days)", "value": result.horizon_days},
    ]
    if plan is None:
        summary_rows.append(
            {"item": "Recommended changes", "value": "no plan fits the offered headcount"}
        )
        return summary_rows
    summary_rows += [
        {
            "item": "Recommended changes",
            "value": "; ".join(c.label for c in plan.changes) or "none: the plan fits",
        },
        {"item": "FTE after the changes", "value": plan.fte},
        {"item": "CSM hours freed per year", "value": plan.hours_freed},
        {
            "item": f"ARR at risk added per year ({currency}), mean",
            "value": plan.arr_at_risk.mean,
        },
        {"item": "  95% CI low", "value": plan.arr_at_risk.low},
        {"item": "  95% CI high", "value": plan.arr_at_risk.high},
        {"item": "GRR change (percentage points)", "value": 100 * plan.grr.mean},
        {
            "item": "Expected logo churn change (pp)",
            "value": 100 * plan.expected_logo_churn.mean,
        },
    ]
    return summary_rows


def _candidates_sheet(result: TradeoffResult) -> Sheet:
    """Every single change: FTE after it, hours freed, ARR at risk, ratio."""
    cand = [
        {
            "change": "; ".join(c.label for c in sc.changes),
            "fte": sc.fte,
            "fits": "yes" if sc.fte <= result.offered else "no",
            "hours": sc.hours_freed,
            "risk": sc.arr_at_risk.mean,
            "risk_low": sc.arr_at_risk.low,
            "risk_high": sc.arr_at_risk.high,
            "grr": sc.grr.mean,
            "churn": sc.expected_logo_churn.mean,
            "ratio": sc.ratio if math.isfinite(sc.ratio) else None,
        }
        for sc in result.candidates
    ]
    cand_cols = [
        Col("change", "Change", width=48),
        Col("fte", "FTE after", "num2"),
        Col("fits", f"Fits {result.offered} CSMs"),
        Col("hours", "CSM hours freed / yr", "num0"),
        Col("risk", "ARR at risk added / yr", "money", 14),
        Col("risk_low", "95% CI low", "money"),
        Col("risk_high", "95% CI high", "money"),
        Col("grr", "GRR change", "pp"),
        Col("churn", "Expected logo churn change", "pp"),
        Col("ratio", "Hours freed per $ at risk", "num3"),
    ]
    return Sheet(
        "Candidates",
        [Block("Every single change, best ratio first", cand_cols, cand)],
        freeze=True,
    )


def _summary_sheet(result: TradeoffResult, currency: str) -> Sheet:
    """The answer, and today's plan against the offer with the recommended changes."""
    plan = result.plan
    exps: list[tuple[str | None, Experiment]] = []
    if result.reference is not None:
        exps.append((f"today: {result.current} CSMs, full plan", result.reference))
    if plan is not None and plan.experiment is not None:
        exps.append((f"offer: {result.offered} CSMs, {plan.label}", plan.experiment))
    blocks = [
        Block(
            f"{result.team}: from {result.current} to {result.offered} CSMs",
            [Col("item", "Item", width=44), Col("value", "Value", "num2", width=60)],
            _summary_rows(result, currency),
        )
    ]
    if exps:
        blocks += [headcount_block(exps), retention_block(exps), arr_block(exps)]
    return Sheet(
        "Summary",
        blocks,
        intro=[
            f"Trade-off for team {result.team}",
            "Changes scored by CSM hours freed (closed form) per dollar of ARR put at risk "
            "(simulated, paired on common random numbers against today's plan).",
            f"Outcomes over {result.horizon_days} days ({result.terms:.1f} contract terms, so "
            f"a cut shows at the renewal after it), {result.replications} replications.",
        ],
        charts=summary_charts("scenario") if exps else [],
    )


def tradeoff_pack(
    result: TradeoffResult,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
    currency: str = "USD",
) -> list[Sheet]:
    """The pack of ``cssim tradeoff``: the plan, every candidate change, the frontier."""
    return [
        _summary_sheet(result, currency),
        _candidates_sheet(result),
        frontier_sheet(result.frontier, "Today's plan at each headcount, same replications."),
        assumptions_sheet(assumptions),
        provenance_sheet(provenance),
    ]
