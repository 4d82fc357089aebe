"""Rendering the closed-form estimate: rich tables, tidy rows for CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict
from typing import Any

from rich.console import Group, JustifyMethod
from rich.table import Table
from rich.text import Text

from simulator.analysis.analytic import Estimate, SegmentEstimate
from simulator.report.formatting import json_safe, money, num, pct


def _demand_table(est: Estimate) -> Table:
    """Demand per account per year by segment: touches, hours, uplift, planned coverage."""
    demand = Table(
        title=f"{est.scenario}: demand per account per year (closed form, {est.horizon_days}-day plan)",
        title_justify="left",
    )
    columns: list[tuple[str, JustifyMethod]] = [
        ("Segment", "left"),
        ("Coverage", "left"),
        ("Accounts", "right"),
        ("Avg accts", "right"),
        ("Touches", "right"),
        ("Sched h", "right"),
        ("Unsched h", "right"),
        ("Uplift", "right"),
        ("Demand h", "right"),
        ("Demand h/yr", "right"),
        ("Plan cov.", "right"),
        ("Churn @plan", "right"),
    ]
    for col, just in columns:
        demand.add_column(col, justify=just)
    for s in est.segments:
        demand.add_row(
            s.segment,
            s.coverage,
            num(s.accounts_start),
            num(s.average_accounts),
            num(s.scheduled_touches_per_account, 1),
            num(s.scheduled_hours_per_account, 1),
            num(s.demand_hours_per_account - s.scheduled_hours_per_account, 1),
            f"x{s.effective_uplift:.2f}" if math.isfinite(s.effective_uplift) else "-",
            num(s.demand_hours_per_account, 1),
            num(s.demand_hours_per_year),
            pct(s.planned_coverage, 0),
            pct(s.churn_at_plan, 1),
        )
    return demand


def _staff_table(est: Estimate) -> Table:
    """Staffing by team: hours per CSM, FTE and CSMs needed, the gap, load and cost."""
    cur = est.currency
    staff = Table(title="Staffing by team", title_justify="left")
    for col in [
        "Team",
        "Segments",
        "h per CSM",
        "FTE needed",
        "CSMs needed",
        "CSMs now",
        "Gap",
        "Accts/CSM",
        "ARR/CSM",
        "Cost needed",
        "% of ARR",
    ]:
        staff.add_column(col, justify="left" if col in ("Team", "Segments") else "right")
    seg_by = {s.segment: s for s in est.segments}
    for t in est.teams:
        accounts = sum(seg_by[n].accounts_start for n in t.segments)
        arr = sum(seg_by[n].arr_start for n in t.segments)
        automation = sum(seg_by[n].automation_cost for n in t.segments)
        gap = f"{t.gap:+d}" if t.gap else "0"
        staff.add_row(
            t.team,
            ", ".join(t.segments),
            f"{num(t.customer_hours_per_csm)} ({pct(t.availability, 0)})",
            num(t.fte_needed, 2),
            Text(str(t.csms_needed), style="bold"),
            str(t.csms_current),
            Text(gap, style="red" if t.gap > 0 else ("green" if t.gap < 0 else "")),
            num(accounts / t.csms_needed, 1) if t.csms_needed else "-",
            money(arr / t.csms_needed, cur) if t.csms_needed else "-",
            money(t.people_cost_needed, cur),
            pct((t.people_cost_needed + automation) / arr) if arr else "-",
        )
    return staff


def _verdict_lines(est: Estimate) -> list[str]:
    """Per team: hours, FTE and CSMs needed against the plan's; then what h per CSM means."""
    lines = []
    for t in est.teams:
        verdict = (
            "enough"
            if t.gap <= 0
            else f"short by {t.gap}, {money(t.gap * t.annual_cost_per_csm, est.currency)} a year to close"
        )
        lines.append(
            f"{t.team}: {num(t.demand_hours_per_year)} h/yr of customer work at "
            f"{num(t.customer_hours_per_csm)} h per CSM = {t.fte_needed:.1f} FTE -> "
            f"{t.csms_needed} CSMs; the plan has {t.csms_current} ({verdict})."
        )
    lines.append(
        "h per CSM = available hours x customer share x availability (vacancy and ramp drag "
        "from attrition, hiring lead time and ramp). The closed form ignores queueing, due "
        "windows, variability and churn."
    )
    return lines


def _touchpoint_table(s: SegmentEstimate, cur: str) -> Table:
    """One segment's touchpoints over the plan, and its unscheduled (uplift) hours."""
    t = Table(title=f"{s.segment}: touchpoints over the plan", title_justify="left")
    for col in [
        "Touchpoint",
        "Trigger",
        "Channel",
        "Touches",
        "Per acct/yr",
        "CSM h",
        "h/acct/yr",
        "Sessions",
        "Automation",
    ]:
        t.add_column(
            col, justify="left" if col in ("Touchpoint", "Trigger", "Channel") else "right"
        )
    for r in s.touchpoints:
        t.add_row(
            r.name,
            r.trigger,
            r.channel,
            num(r.touches),
            num(r.touches_per_account_year, 2),
            num(r.csm_hours),
            num(r.csm_hours_per_account_year, 2),
            num(r.sessions) if r.channel == "one_to_many" else "",
            money(r.automation_cost, cur) if r.channel == "automated" else "",
        )
    t.add_row(
        "unscheduled (uplift)",
        "",
        "one_to_one",
        "",
        "",
        num(s.residual_unscheduled_hours_per_account * s.account_years),
        num(s.residual_unscheduled_hours_per_account, 2),
        "",
        "",
    )
    return t


def estimate_renderable(est: Estimate, detail: bool = False) -> Group:
    """Tables and headline sentences for a terminal."""
    parts: list[Any] = [_demand_table(est), _staff_table(est), Text("\n".join(_verdict_lines(est)))]
    if detail:
        parts += [_touchpoint_table(s, est.currency) for s in est.segments]
    return Group(*parts)


def estimate_rows(est: Estimate, detail: bool = False) -> list[dict[str, Any]]:
    """Tidy rows: one per segment, or one per segment and touchpoint with ``detail``."""
    rows: list[dict[str, Any]] = []
    for s in est.segments:
        base = {k: json_safe(v) for k, v in asdict(s).items() if k != "touchpoints"}
        if not detail:
            rows.append(base)
            continue
        for t in s.touchpoints:
            rows.append({"segment": s.segment, **{k: json_safe(v) for k, v in asdict(t).items()}})
    return rows


def estimate_csv(est: Estimate, detail: bool = False) -> str:
    """CSV text of :func:`estimate_rows`."""
    rows = estimate_rows(est, detail)
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def estimate_json(est: Estimate) -> str:
    """JSON text of the whole estimate (non-finite numbers as null)."""

    def fix(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return json_safe(v)

    return json.dumps(fix(est.to_dict()), indent=2) + "\n"
