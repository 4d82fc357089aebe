"""The Excel pack of ``cssim tradeoff``: the answer, every candidate change and the ones
the rules left out, the frontier, the assumptions and the provenance."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simulator.analysis.experiment import Experiment
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.layout import Block, Col, Sheet
from simulator.report.packs import assumptions_sheet, item_value_block, provenance_sheet
from simulator.report.plan_sheets import (
    arr_block,
    frontier_sheet,
    headcount_block,
    retention_block,
    summary_charts,
)
from simulator.report.tradeoff_text import score_meaning, verdict_sentence

__all__ = ["tradeoff_pack"]


def _summary_rows(result: TradeoffResult, currency: str) -> list[tuple[str, Any, str]]:
    """The Summary sheet's items: the team, the offer, the plan and its value, each with
    its number format (money in ``currency``, counts, hours, percentage points)."""
    plan = result.plan
    rows: list[tuple[str, Any, str]] = [
        ("Team", result.team, "text"),
        ("Segments", ", ".join(result.segments), "text"),
        ("Accounts", result.accounts, "int"),
        (f"ARR at start ({currency})", result.arr, "money"),
        ("CSMs today", result.current, "int"),
        ("CSMs offered", result.offered, "int"),
        ("FTE the full plan needs (closed form)", result.fte_needed, "num1"),
        (f"People cost saved per year ({currency})", result.savings, "money"),
        (f"People cost of one CSM customer hour ({currency})", result.cost_per_hour, "money"),
        ("Replications per candidate", result.replications, "int"),
        ("Evaluation horizon (days)", result.horizon_days, "int"),
    ]
    if plan is None:
        rows.append(("Recommended changes", "no plan fits the offered headcount", "text"))
        return rows
    rows += [
        ("Recommended changes", plan.label if plan.changes else "none: the plan fits", "text"),
        ("FTE after the changes", plan.fte, "num1"),
        ("Scheduled CSM hours freed per year", plan.freed.scheduled, "num0"),
        ("Tied ad hoc CSM hours freed per year", plan.freed.adhoc, "num0"),
        ("Inbound CSM hours freed per year", plan.freed.inbound, "num0"),
        ("CSM hours freed per year, in all", plan.hours_freed, "num0"),
        (f"Net value vs today ({currency}), mean", plan.net_value.mean, "money"),
        ("  95% CI low", plan.net_value.low, "money"),
        ("  95% CI high", plan.net_value.high, "money"),
        (f"ARR at risk added per year ({currency}), mean", plan.arr_at_risk.mean, "money"),
        ("GRR change", plan.grr.mean, "pp"),
        ("Expected logo churn change", plan.expected_logo_churn.mean, "pp"),
        ("Replications behind the pick", plan.replications, "int"),
    ]
    if result.verdict is not None:
        rows.append(("Verdict", verdict_sentence(result, currency), "text"))
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
        item_value_block(
            f"{result.team}: from {result.current} to {result.offered} CSMs",
            _summary_rows(result, currency),
            widths=(44, 60),
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
