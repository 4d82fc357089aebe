"""Rendering the headcount solver's answer."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.solve import TeamSolution
from simulator.report.formatting import money, num
from simulator.report.saved import tidy_csv


def solve_renderable(solutions: list[TeamSolution], currency: str) -> Group:
    """A table per team and the reasons: margins at N, why N - 1 fails."""
    t = Table(
        title="Fewest CSMs meeting every target (simulated; same seeds at every headcount)",
        title_justify="left",
    )
    for col in [
        "Team",
        "Segments",
        "CSMs now",
        "Closed form",
        "Required",
        "Accts/CSM",
        "ARR/CSM",
        "Cost change / yr",
    ]:
        t.add_column(col, justify="left" if col in ("Team", "Segments") else "right")
    lines: list[str] = []
    for sol in solutions:
        req = sol.required
        t.add_row(
            sol.team,
            ", ".join(sol.segments),
            str(sol.current),
            f"{sol.closed_form_fte:.1f} -> {sol.closed_form_csms}",
            str(req) if req is not None else "not reached",
            num(sol.accounts / req, 1) if req else "-",
            money(sol.arr / req, currency) if req else "-",
            (("+" if sol.cost_delta > 0 else "") + money(sol.cost_delta, currency))
            if req is not None
            else "-",
        )
        tried = ", ".join(f"{n}{'' if ok else 'x'}" for n, ok in sol.evaluated.items())
        if req is None:
            failing = [c for c in sol.checks if not c.met]
            why = (
                " More CSMs stopped improving them: the spread between replications (e.g. which "
                "accounts of a small book churn) dominates. Lower the confidence or the bound."
                if sol.stopped == "plateau"
                else " The search reached its largest headcount: the targets may need more CSMs "
                "than it tries, or cannot be met."
            )
            lines.append(
                f"{sol.team}: no headcount up to {max(sol.evaluated)} meets every target; still failing: "
                + "; ".join(c.describe() for c in failing)
                + "."
                + why
            )
        else:
            lines.append(
                f"{sol.team}: {req} CSMs meet every target: "
                + "; ".join(c.describe() for c in sol.checks)
                + "."
            )
            below = [c for c in sol.checks_below if not c.met]
            if below:
                lines.append(f"  at {req - 1}: " + "; ".join(c.describe() for c in below) + ".")
        lines.append(f"  tried (x = fails): {tried}; {sol.replications} replications each.")
    return Group(t, Text("\n".join(lines)))


def solve_json(solutions: list[TeamSolution]) -> str:
    """JSON of the solutions."""

    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and not math.isfinite(v) else v

    out = []
    for s in solutions:
        out.append(
            {
                "team": s.team,
                "segments": s.segments,
                "current": s.current,
                "closed_form_fte": s.closed_form_fte,
                "closed_form_csms": s.closed_form_csms,
                "required": s.required,
                "cost_delta": clean(s.cost_delta),
                "replications": s.replications,
                "evaluated": {str(k): v for k, v in s.evaluated.items()},
                "checks": [
                    {
                        "segment": c.segment,
                        "target": c.target,
                        "bound": c.bound,
                        "confidence": c.confidence,
                        "share_meeting": c.share_meeting,
                        "mean": clean(c.mean),
                        "met": c.met,
                    }
                    for c in s.checks
                ],
                "checks_below": [
                    {
                        "segment": c.segment,
                        "target": c.target,
                        "share_meeting": c.share_meeting,
                        "met": c.met,
                    }
                    for c in s.checks_below
                ],
            }
        )
    return json.dumps(out, indent=2) + "\n"


def solve_csv(solutions: list[TeamSolution]) -> str:
    """CSV: one row per team (closed form, required CSMs, cost change, status)."""
    return tidy_csv(
        [
            {
                "team": s.team,
                "segments": " ".join(s.segments),
                "current": s.current,
                "closed_form_fte": s.closed_form_fte,
                "closed_form_csms": s.closed_form_csms,
                "required": "" if s.required is None else s.required,
                "cost_delta_per_year": s.cost_delta,
                "replications": s.replications,
                "status": "met" if s.required is not None else f"not reached: {s.stopped}",
            }
            for s in solutions
        ]
    )
