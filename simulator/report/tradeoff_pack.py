"""The Excel pack of ``cssim tradeoff``: the answer, every candidate change and the ones
the rules left out, the frontier, the assumptions and the provenance."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simulator.analysis.experiment import Experiment
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.layout import Block, Col, Sheet
from simulator.report.packs import assumptions_sheet, provenance_sheet
from simulator.report.plan_sheets import (
    arr_block,
    frontier_sheet,
    headcount_block,
    retention_block,
    summary_charts,
)
from simulator.report.tradeoff_text import score_meaning, verdict_sentence

__all__ = ["tradeoff_pack"]


def _summary_rows(result: TradeoffResult, currency: str) -> list[dict[str, Any]]:
    """The Summary sheet's item-value rows: the team, the offer, the plan and its value."""
    plan = result.plan
    rows: list[dict[str, Any]] = [
        {"item": "Team", "value": result.team},
        {"item": "Segments", "value": ", ".join(result.segments)},
        {"item": "Accounts", "value": result.accounts},
        {"item": f"ARR at start ({currency})", "value": result.arr},
        {"item": "CSMs today", "value": result.current},
        {"item": "CSMs offered", "value": result.offered},
        {"item": "FTE the full plan needs (closed form)", "value": result.fte_needed},
        {"item": f"People cost saved per year ({currency})", "value": result.savings},
        {
            "item": f"People cost of one CSM customer hour ({currency})",
            "value": result.cost_per_hour,
        },
        {"item": "Replications per candidate", "value": result.replications},
        {"item": "Evaluation horizon (days)", "value": result.horizon_days},
    ]
    if plan is None:
        rows.append({"item": "Recommended changes", "value": "no plan fits the offered headcount"})
        return rows
    rows += [
        {
            "item": "Recommended changes",
            "value": plan.label if plan.changes else "none: the plan fits",
        },
        {"item": "FTE after the changes", "value": plan.fte},
        {"item": "Scheduled CSM hours freed per year", "value": plan.freed.scheduled},
        {"item": "Tied ad hoc CSM hours freed per year", "value": plan.freed.adhoc},
        {"item": "Inbound CSM hours freed per year", "value": plan.freed.inbound},
        {"item": "CSM hours freed per year, in all", "value": plan.hours_freed},
        {"item": f"Net value vs today ({currency}), mean", "value": plan.net_value.mean},
        {"item": "  95% CI low", "value": plan.net_value.low},
        {"item": "  95% CI high", "value": plan.net_value.high},
        {"item": f"ARR at risk added per year ({currency}), mean", "value": plan.arr_at_risk.mean},
        {"item": "GRR change (percentage points)", "value": 100 * plan.grr.mean},
        {"item": "Expected logo churn change (pp)", "value": 100 * plan.expected_logo_churn.mean},
        {"item": "Replications behind the pick", "value": plan.replications},
    ]
    if result.verdict is not None:
        rows.append({"item": "Verdict", "value": verdict_sentence(result, currency)})
    return rows


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _candidates_sheet(result: TradeoffResult) -> Sheet:
    """Every single change (best score first) and the changes the rules left out."""
    cand = [
        {
            "change": sc.label,
            "fte": sc.fte,
            "fits": "yes" if sc.fte <= result.offered else "no",
            "scheduled": sc.freed.scheduled,
            "adhoc": sc.freed.adhoc,
            "inbound": sc.freed.inbound,
            "hours": sc.hours_freed,
            "value": sc.value_change.mean,
            "value_low": sc.value_change.low,
            "value_high": sc.value_change.high,
            "score": _num(sc.score),
            "risk": sc.arr_at_risk.mean,
            "churn": sc.expected_logo_churn.mean,
        }
        for sc in result.candidates
    ]
    cols = [
        Col("change", "Change", width=48),
        Col("fte", "FTE after", "num2"),
        Col("fits", f"Fits {result.offered} CSMs"),
        Col("scheduled", "Scheduled hours freed / yr", "num0"),
        Col("adhoc", "Tied ad hoc hours freed / yr", "num0"),
        Col("inbound", "Inbound hours freed / yr", "num0"),
        Col("hours", "CSM hours freed / yr", "num0"),
        Col("value", "Value vs today before people cost", "money", 14),
        Col("value_low", "95% CI low", "money"),
        Col("value_high", "95% CI high", "money"),
        Col("score", "Value per CSM hour freed", "money"),
        Col("risk", "ARR at risk added / yr", "money", 14),
        Col("churn", "Expected logo churn change", "pp"),
    ]
    blocks = [Block("Every single change the rules allow, best score first", cols, cand)]
    if result.excluded:
        rows = [{"change": e.change, "rule": e.rule, "reason": e.reason} for e in result.excluded]
        blocks.append(
            Block(
                "Left out by the rules",
                [
                    Col("change", "Excluded change", width=48),
                    Col("rule", "Rule", width=24),
                    Col("reason", "Why", width=80),
                ],
                rows,
            )
        )
    return Sheet("Candidates", blocks, freeze=True)


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
            score_meaning(result, currency),
            f"Outcomes over {result.horizon_days} days ({result.terms:.1f} contract terms, so "
            f"a cut shows at the renewal after it), {result.replications} replications per "
            "candidate, more for the pick and its rivals.",
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
