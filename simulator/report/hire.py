"""Rendering hiring plans."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.experiment import calendar_month
from simulator.analysis.hire import HiringPlan
from simulator.report.formatting import money, month_name, num, pct
from simulator.report.saved import tidy_csv


def hire_renderable(plans: list[HiringPlan], currency: str) -> Group:
    """Per team: requisitions, then demand and capacity by month."""
    parts: list[Table | Text] = []
    for hp in plans:
        if hp.requisitions:
            t = Table(
                title=f"{hp.team}: requisitions (from {hp.current} CSMs)", title_justify="left"
            )
            for col in ["#", "Open the requisition by", "CSM starts", "Needed for month", "Note"]:
                t.add_column(col, justify="left" if col in ("Note",) else "right")
            for i, r in enumerate(hp.requisitions, 1):
                t.add_row(
                    str(i),
                    str(r.open_date),
                    str(r.start_date),
                    str(r.covers_month),
                    "late: should have opened before the plan starts" if r.late else "",
                )
            parts.append(t)
        m = Table(
            title=f"{hp.team}: demand and capacity by month (closed form, hours)",
            title_justify="left",
        )
        for col in ["Month", "From", "Demand h", "Capacity h", "CSMs", "Load"]:
            m.add_column(col, justify="right")
        for row in hp.months:
            m.add_row(
                str(row.month),
                str(row.start),
                num(row.demand_hours),
                num(row.capacity_hours),
                str(row.csms),
                pct(row.utilisation, 0),
            )
        parts.append(m)
        verdict = (
            "no hire needed: capacity covers demand every month"
            if not hp.requisitions
            else requisitions_text(len(hp.requisitions))
            + (
                f"; still short in {months_text(hp, hp.short_months)} while hires ramp"
                if hp.short_months
                else ""
            )
        )
        parts.append(
            Text(
                f"{hp.team}: {verdict}. People cost of the plan: {money(hp.people_cost, currency)}."
            )
        )
    parts.append(
        Text(
            "Capacity: CSMs x customer hours x availability (vacancy and ramp drag of attrition), new "
            "hires at their ramp; hires are sized on ramped capacity and timed to be ramped by the "
            "month that needs them."
        )
    )
    return Group(*parts)


def hire_json(plans: list[HiringPlan]) -> str:
    """JSON of the plans."""
    out = [
        {
            "team": hp.team,
            "current": hp.current,
            "people_cost": hp.people_cost,
            "requisitions": [
                {
                    "open": str(r.open_date),
                    "start": str(r.start_date),
                    "for_month": r.covers_month,
                    "late": r.late,
                }
                for r in hp.requisitions
            ],
            "months": [
                {
                    "month": r.month,
                    "from": str(r.start),
                    "demand_hours": r.demand_hours,
                    "capacity_hours": r.capacity_hours,
                    "csms": r.csms,
                }
                for r in hp.months
            ],
            "short_months": hp.short_months,
        }
        for hp in plans
    ]
    return json.dumps(out, indent=2) + "\n"


def hire_csv(plans: list[HiringPlan]) -> str:
    """CSV: one row per team and month (demand, capacity, CSMs) with the requisition, if
    any, that opens for that month's shortfall."""
    rows = []
    for hp in plans:
        reqs = {r.covers_month: r for r in hp.requisitions}
        for m in hp.months:
            r = reqs.get(m.month)
            rows.append(
                {
                    "team": hp.team,
                    "month": m.month,
                    "from": str(m.start),
                    "demand_hours": m.demand_hours,
                    "capacity_hours": m.capacity_hours,
                    "csms": m.csms,
                    "requisition_open": str(r.open_date) if r else "",
                    "requisition_start": str(r.start_date) if r else "",
                    "requisition_late": r.late if r else "",
                }
            )
    return tidy_csv(rows)


def requisitions_text(n: int) -> str:
    """``1 requisition``, ``2 requisitions``."""
    return f"{n} requisition{'' if n == 1 else 's'}"


def months_text(hp: HiringPlan, months: Sequence[int]) -> str:
    """Months of the plan (1-based) named as the run's Monthly sheet names them
    (:func:`~simulator.analysis.experiment.calendar_month`): ``Feb 2027, Mar 2027``."""
    if not hp.months:
        return ", ".join(f"month {m}" for m in months)
    start = min(hp.months, key=lambda row: row.month).start
    return ", ".join(month_name(calendar_month(start, m)) for m in months)
