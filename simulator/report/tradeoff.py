"""Rendering the CFO trade-off: the pick and its verdict, the candidates scored by net value
per CSM hour freed, the changes the rules left out and the frontier, in the terminal and as
JSON/CSV (the Excel pack is :mod:`simulator.report.tradeoff_pack`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.compare import Difference
from simulator.analysis.tradeoff import Scored, TradeoffResult
from simulator.report.formatting import json_safe, money, money_interval, pct
from simulator.report.saved import tidy_csv
from simulator.report.tradeoff_pack import tradeoff_pack
from simulator.report.tradeoff_text import (
    TIE_RULE,
    headline,
    hours_meaning,
    money_ci,
    score_meaning,
    verdict_sentence,
)

__all__ = ["tradeoff_csv", "tradeoff_json", "tradeoff_pack", "tradeoff_renderable"]

_HOURS = ["Scheduled h", "Tied ad hoc h", "Inbound h", "Total h / yr"]


def _hour_cells(sc: Scored) -> list[str]:
    f = sc.freed
    return [f"{x:,.0f}" for x in (f.scheduled, f.adhoc, f.inbound, f.total)]


def _score(x: float, currency: str) -> str:
    return f"{'+' if x >= 0 else '-'}{money(abs(x), currency)}/h" if math.isfinite(x) else "-"


def _candidate_table(r: TradeoffResult, currency: str) -> Table:
    """The twelve best candidate changes at the offered headcount."""
    c = Table(
        title=f"Candidate changes at {r.offered} CSMs (best first: net value per CSM hour "
        f"freed; {r.replications} replications each)",
        title_justify="left",
    )
    cols = ["Change", "FTE", *_HOURS, "Value vs today before people cost", "Score"]
    for col in cols:
        c.add_column(col, justify="left" if col == "Change" else "right")
    for sc in r.candidates[:12]:
        c.add_row(
            sc.label,
            f"{sc.fte:.1f}",
            *_hour_cells(sc),
            money_ci(sc.value_change, currency),
            _score(sc.score, currency),
        )
    return c


def _rivals_table(r: TradeoffResult, currency: str) -> Table | None:
    """The pick and the plans it cannot be told from (or its runner-up)."""
    v = r.verdict
    if v is None or v.runner_up is None:
        return None
    plans = list(v.tied) if v.tied else [v.pick, v.runner_up]
    t = Table(
        title="The pick and its rival"
        + ("s" if len(plans) > 2 else "")
        + ": net value against today's plan (paired 95% CI)",
        title_justify="left",
    )
    for col in ["Plan", "FTE", *_HOURS, "Net value vs today", "Replications"]:
        t.add_column(col, justify="left" if col == "Plan" else "right")
    for p in plans:
        mark = "-> " if p is v.pick else "   "
        t.add_row(
            mark + p.label,
            f"{p.fte:.1f}",
            *_hour_cells(p),
            money_ci(p.net_value, currency),
            str(p.replications),
        )
    return t


def _excluded_table(r: TradeoffResult, allow: Mapping[str, str]) -> Table | None:
    """The changes the rules left out, why, and how to allow them."""
    if not r.excluded:
        return None
    t = Table(title="Left out by the rules", title_justify="left")
    t.add_column("Change")
    t.add_column("Why")
    for e in r.excluded:
        hint = allow.get(e.rule)
        t.add_row(e.change, e.reason + (f" (allow: {hint})" if hint else ""))
    return t


def _frontier_table(r: TradeoffResult, currency: str) -> Table:
    """Today's plan at each headcount: cost, on-time share, GRR, NRR, ARR at risk."""
    f = Table(
        title=f"Frontier: today's plan at each headcount over {r.horizon_days} days (GRR and NRR "
        f"over that span; mean [95% CI], {r.replications} replications)",
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
            money_interval(
                row["arr_at_risk"], row["arr_at_risk_low"], row["arr_at_risk_high"], currency
            ),
        )
    return f


def tradeoff_renderable(
    r: TradeoffResult, currency: str, allow: Mapping[str, str] | None = None
) -> Group:
    """The pick and its verdict, the candidates, the exclusions and the frontier.

    ``allow`` maps a rule (:attr:`Exclusion.rule`) to how a user lifts it, shown with each
    exclusion (the command line passes its options).
    """
    parts: list[Any] = [Text(headline(r, currency))]
    rivals = _rivals_table(r, currency)
    if rivals is not None:
        parts.append(rivals)
    if r.candidates:
        parts += [
            _candidate_table(r, currency),
            Text(score_meaning(r, currency)),
            Text(hours_meaning(r)),
        ]
    excluded = _excluded_table(r, allow or {})
    if excluded is not None:
        parts.append(excluded)
    parts += [
        _frontier_table(r, currency),
        Text(
            f"Plans are judged over {r.horizon_days} days ({r.terms:.1f} contract terms): a cut shows "
            "at the renewal after it. Cuts are modelled as 'skipped' touches (still planned, counted "
            "as missed in coverage); ARR at risk sums each renewal's churn probability x ARR. Net "
            "value counts costs over those days and values the ARR held at their end over the "
            "valuation years (economics:)."
        ),
    ]
    return Group(*parts)


def _d(x: Difference) -> dict[str, float]:
    return {"mean": x.mean, "low": x.low, "high": x.high}


def _scored(sc: Scored) -> dict[str, Any]:
    """One candidate or plan as JSON."""
    f = sc.freed
    return {
        "changes": [c.label for c in sc.changes],
        "fte": sc.fte,
        "hours_freed": {
            "scheduled": f.scheduled,
            "tied_adhoc": f.adhoc,
            "inbound": f.inbound,
            "total": f.total,
        },
        "net_value": _d(sc.net_value),
        "value_before_people_cost": _d(sc.value_change),
        "score": sc.score,
        "arr_at_risk": _d(sc.arr_at_risk),
        "expected_logo_churn": _d(sc.expected_logo_churn),
        "grr": _d(sc.grr),
        "replications": sc.replications,
    }


def _verdict(r: TradeoffResult, currency: str) -> dict[str, Any] | None:
    v = r.verdict
    if v is None:
        return None
    kind = "only_plan" if v.runner_up is None else "distinct" if v.distinct else "indistinguishable"
    return {
        "verdict": kind,
        "sentence": verdict_sentence(r, currency),
        "runner_up": _scored(v.runner_up) if v.runner_up is not None else None,
        "difference": _d(v.difference) if v.difference is not None else None,
        "tied": [x.label for x in v.tied],
        "tie_rule": TIE_RULE,
        "replications": v.replications,
        "max_replications": v.max_replications,
    }


def tradeoff_json(r: TradeoffResult, currency: str = "USD") -> str:
    """JSON of the result (non-finite numbers as null)."""
    plan = None
    if r.plan is not None:
        plan = {**_scored(r.plan), "label": r.plan.label, "patch": r.plan_patch}
    extra = r.expected_extra_churned
    rules = r.rules
    out = {
        "team": r.team,
        "current": r.current,
        "offered": r.offered,
        "savings": r.savings,
        "fte_needed": r.fte_needed,
        "cost_per_csm_hour": r.cost_per_hour,
        "break_even_accounts": r.break_even_accounts,
        "expected_extra_churned_accounts": _d(extra) if extra is not None else None,
        "horizon_days": r.horizon_days,
        "replications": r.replications,
        "plan": plan,
        "verdict": _verdict(r, currency),
        "score_meaning": score_meaning(r, currency),
        "hours_meaning": hours_meaning(r),
        "rules": {
            "renewal_changes": rules.renewal_changes,
            "onboarding_changes": rules.onboarding_changes,
            "onboarding_one_to_many": rules.onboarding_one_to_many,
            "keep": sorted(rules.keep),
            "high_touch_arr": rules.high_touch_arr,
        },
        "candidates": [{"change": sc.label, **_scored(sc)} for sc in r.candidates],
        "excluded": [{"change": e.change, "rule": e.rule, "reason": e.reason} for e in r.excluded],
        "frontier": r.frontier,
    }
    return json.dumps(json_safe(out), indent=2, default=float) + "\n"


def tradeoff_csv(r: TradeoffResult) -> str:
    """CSV: the pick (kind ``plan``), its rivals, every candidate, then the exclusions."""
    v = r.verdict
    rivals = (
        [x for x in (v.tied or ([v.runner_up] if v.runner_up else [])) if x is not v.pick]
        if v
        else []
    )
    scored = (
        ([("plan", r.plan)] if r.plan is not None else [])
        + [("rival", x) for x in rivals]
        + [("candidate", sc) for sc in r.candidates]
    )
    rows: list[dict[str, Any]] = []
    for kind, sc in scored:
        rows.append(
            {
                "kind": kind,
                "team": r.team,
                "offered": r.offered,
                "change": "; ".join(c.label for c in sc.changes),
                "fte": sc.fte,
                "fits": sc.fte <= r.offered,
                "scheduled_hours_freed": sc.freed.scheduled,
                "tied_adhoc_hours_freed": sc.freed.adhoc,
                "inbound_hours_freed": sc.freed.inbound,
                "hours_freed": sc.hours_freed,
                "net_value": sc.net_value.mean,
                "net_value_low": sc.net_value.low,
                "net_value_high": sc.net_value.high,
                "value_before_people_cost": sc.value_change.mean,
                "score": sc.score,
                "arr_at_risk": sc.arr_at_risk.mean,
                "grr_change": sc.grr.mean,
                "expected_logo_churn_change": sc.expected_logo_churn.mean,
                "replications": sc.replications,
                "excluded_by": "",
            }
        )
    blank = dict.fromkeys(rows[0] if rows else [], None)
    for e in r.excluded:
        rows.append(
            {
                **blank,
                "kind": "excluded",
                "team": r.team,
                "offered": r.offered,
                "change": e.change,
                "excluded_by": f"{e.rule}: {e.reason}",
            }
        )
    return tidy_csv(rows)
