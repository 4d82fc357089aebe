"""Rendering the headcount solver's answer: terminal tables, JSON/CSV rows and the Excel pack."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.experiment import Experiment
from simulator.analysis.solve import TeamSolution
from simulator.analysis.solve_value import ValueSolution, value_note
from simulator.metrics import by_target
from simulator.report.detail_sheets import segment_sheets
from simulator.report.formatting import money, money_ends, money_interval, num
from simulator.report.layout import Block, Chart, Col, MultiCol, Sheet
from simulator.report.packs import FORMATS, assumptions_sheet, provenance_sheet
from simulator.report.plan_sheets import frontier_sheet, plan_intro, retention_block
from simulator.report.saved import tidy_csv

__all__ = [
    "recommendation",
    "solve_csv",
    "solve_json",
    "solve_pack",
    "solve_renderable",
    "value_renderable",
]


def _signed(x: float, currency: str) -> str:
    return "-" if not math.isfinite(x) else ("+" if x >= 0 else "-") + money(abs(x), currency)


def recommendation(
    team: str,
    closed_form: int,
    targets: TeamSolution | None,
    value: ValueSolution | None,
    currency: str,
) -> tuple[int | None, str]:
    """The headcount to ask for and the sentence that reconciles the answers.

    Targets are the user's policy: when they are set and reachable they decide, and the
    value answer says what they cost or gain against the value-maximising headcount.
    Without targets (or when they cannot be met), the value answer decides.
    """
    parts = [f"by hours you need {closed_form} (closed form)"]
    pick: int | None = None
    if targets is not None:
        parts.append(
            f"for your targets {targets.required}"
            if targets.required is not None
            else "your targets are not reached at any headcount tried"
        )
        pick = targets.required
    if value is not None:
        parts.append(f"for value {value.best}")
        pick = value.best if pick is None else pick
    if pick is None:
        return None, f"{team}: " + "; ".join(parts) + "."
    text = f"{team}: hire {pick}; " + "; ".join(parts)
    if value is not None:
        m = value.marginal(pick)
        if m is not None:
            text += (
                f"; {pick - 1} instead saves {money(m.cost, currency)} of people cost and gives "
                f"up {money(m.retention_value, currency)} of retention and expansion value: "
                f"net {money_interval(-m.value, -m.high, -m.low, currency, signed=True)}"
            )
        if targets is not None and targets.required is not None and value.best != pick:
            a, b = value.values.get(pick), value.values.get(value.best)
            if a is not None and b is not None:
                text += (
                    f"; the targets' {pick} against value's {value.best} changes expected net "
                    f"value by {_signed(a[0] - b[0], currency)}"
                )
    if targets is not None and targets.required:
        below = [c for c in targets.checks_below if not c.met]
        if below:
            text += f"; at {pick - 1}: " + "; ".join(c.describe() for c in below)
    return pick, text + "."


def value_renderable(values: Sequence[ValueSolution], currency: str) -> Table:
    """Per team: expected net value at each headcount tried and each CSM's marginal value."""
    t = Table(
        title="Headcount on value: expected net value over the plan and valuation horizon "
        "(paired replications; 95% CI)",
        title_justify="left",
    )
    for col in ("Team", "CSMs", "Net value", "95% CI", "Marginal CSM", "95% CI", "Its cost"):
        t.add_column(col, justify="left" if col == "Team" else "right")
    for sol in values:
        for n, (mean, lo, hi) in sol.values.items():
            m = sol.marginal(n)
            t.add_row(
                sol.team,
                f"{n}{' *' if n == sol.best else ''}",
                money(mean, currency),
                money_ends(lo, hi, mean, currency),
                _signed(m.value, currency) if m else "",
                money_ends(m.low, m.high, m.value, currency, signed=True) if m else "",
                money(m.cost, currency) if m else "",
                style="bold" if n == sol.best else None,
            )
    return t


def solve_renderable(
    solutions: list[TeamSolution],
    currency: str,
    values: Sequence[ValueSolution] = (),
    closed_forms: dict[str, int] | None = None,
) -> Group:
    """The recommendation per team first, then the targets' table and reasons, then the
    value table."""
    parts: list[Any] = []
    if values:
        by_target = {s.team: s for s in solutions}
        cf = closed_forms or {}
        lines = [
            recommendation(
                v.team, cf.get(v.team, v.closed_form_csms), by_target.get(v.team), v, currency
            )[1]
            for v in values
        ]
        parts.append(Text("\n".join(lines), style="bold"))
        parts.append(Text(""))
    if solutions:
        parts.append(_targets_renderable(solutions, currency))
    if values:
        parts += [Text(""), value_renderable(values, currency)]
        parts.append(
            Text(
                f"Net value: {value_note(values[0])}. * marks the best headcount; the marginal "
                "CSM is net value at N minus at N - 1, its people cost (as the engine charges "
                "it) included.",
                style="dim",
            )
        )
        limits = [v.team for v in values if v.at_limit]
        if limits:
            parts.append(
                Text(
                    f"The best headcount of {', '.join(limits)} is at the edge of the search.",
                    style="dim",
                )
            )
    return Group(*parts)


def _targets_renderable(solutions: list[TeamSolution], currency: str) -> Group:
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


def _value_json(v: ValueSolution, currency: str, target: TeamSolution | None) -> dict[str, Any]:
    pick, text = recommendation(v.team, v.closed_form_csms, target, v, currency)
    return {
        "recommended": pick,
        "recommendation": text,
        "value": {
            "best": v.best,
            "replications": v.replications,
            "uncertain_inputs": v.uncertain,
            "at_limit": v.at_limit,
            "net_value": {
                str(n): {"mean": m, "ci_low": lo, "ci_high": hi}
                for n, (m, lo, hi) in v.values.items()
            },
            "marginal": [
                {
                    "csms": m.csms,
                    "net_value": m.value,
                    "ci_low": m.low,
                    "ci_high": m.high,
                    "cost": m.cost,
                }
                for m in v.marginals
            ],
        },
    }


def solve_json(
    solutions: list[TeamSolution], values: Sequence[ValueSolution] = (), currency: str = "USD"
) -> str:
    """JSON of the solutions: one entry per team, with its value answer when there is one
    (a team with no targets has ``required: null`` and ``has_targets: false``)."""

    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and not math.isfinite(v) else v

    by_value = {v.team: v for v in values}
    out = []
    for v in values:
        if not any(s.team == v.team for s in solutions):
            out.append(
                {
                    "team": v.team,
                    "segments": v.segments,
                    "current": v.current,
                    "closed_form_csms": v.closed_form_csms,
                    "has_targets": False,
                    "required": None,
                    **_value_json(v, currency, None),
                }
            )
    for s in solutions:
        extra = _value_json(by_value[s.team], currency, s) if s.team in by_value else {}
        out.append(
            {
                "has_targets": True,
                **extra,
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


def _headcount_block(solutions: Sequence[TeamSolution]) -> Block:
    """Per team: the plan's, the closed-form and the required headcount, and its cost."""
    rows = [
        {
            "team": s.team,
            "segments": ", ".join(s.segments),
            "accounts": s.accounts,
            "arr": s.arr,
            "current": s.current,
            "closed_form": s.closed_form_csms,
            "required": s.required,
            "cost_current": s.current * s.annual_cost_per_csm,
            "cost_required": None if s.required is None else s.required * s.annual_cost_per_csm,
            "cost_delta": s.cost_delta,
            "replications": s.replications,
            "status": "met" if s.required is not None else f"not reached ({s.stopped or 'limit'})",
        }
        for s in solutions
    ]
    cols = [
        Col("team", "Team"),
        Col("segments", "Segments", width=20),
        Col("accounts", "Accounts", "int"),
        Col("arr", "ARR at start", "money", 14),
        Col("current", "CSMs (plan)", "int"),
        Col("closed_form", "CSMs closed form", "int"),
        Col("required", "CSMs required (simulated)", "int", 14),
        Col("cost_current", "People cost at plan / yr", "money", 16),
        Col("cost_required", "People cost required / yr", "money", 16),
        Col("cost_delta", "Change / yr", "money", 14),
        Col("replications", "Replications", "int"),
        Col("status", "Targets", width=20),
    ]
    return Block(
        "Fewest CSMs meeting every target",
        cols,
        rows,
        note="A target holds with confidence q when at least q of the replications meet "
        "it; N meets every target and N - 1 does not, on the same replications.",
        name="headcount",
    )


def _target_format(target: str) -> str:
    """The number format of the metric a target bounds (three decimals if unknown)."""
    try:
        return by_target(target).fmt
    except KeyError:
        return "num3"


def _checks_block(solutions: Sequence[TeamSolution]) -> Block:
    """Every target at the answer and at one CSM below it."""
    checks = [
        {
            "team": s.team,
            "csms": n,
            "segment": c.segment,
            "target": f"{c.target} {c.bound}",
            "confidence": c.confidence,
            "share": c.share_meeting,
            f"mean_{_target_format(c.target)}": c.mean,
            "met": "yes" if c.met else "no",
        }
        for s in solutions
        for n, group in ((s.required, s.checks), ((s.required or 0) - 1, s.checks_below))
        for c in group
    ]
    check_cols = [
        Col("team", "Team"),
        Col("csms", "CSMs", "int"),
        Col("segment", "Segment"),
        Col("target", "Target", width=26),
        Col("confidence", "Confidence needed", "pct"),
        Col("share", "Share of replications meeting it", "pct", 16),
        MultiCol("mean", "Mean value", FORMATS),
        Col("met", "Met"),
    ]
    return Block("Targets at the answer and one CSM below", check_cols, checks)


def solve_pack(
    solutions: Sequence[TeamSolution],
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
) -> list[Sheet]:
    """The pack of ``cssim solve``: the required headcount per team, the targets, the frontier."""
    exps: list[tuple[str | None, Experiment]] = [
        (f"{s.team} at {s.required if s.required is not None else max(s.evaluated)}", s.experiment)
        for s in solutions
        if s.experiment is not None
    ]
    summary_blocks = [_headcount_block(solutions), _checks_block(solutions)]
    if exps:
        summary_blocks.append(retention_block(exps))
    first = solutions[0].experiment if solutions else None
    summary = Sheet(
        "Summary",
        summary_blocks,
        intro=plan_intro(first, "the headcount each team needs") if first else ["cssim solve"],
        charts=[
            Chart(
                "column",
                "Headcount by team: plan vs required",
                "headcount",
                "team",
                ["current", "required"],
                "CSMs",
                y_format="int",
            )
        ],
    )
    frontier = [r for s in solutions for r in s.frontier]
    sheets = [summary]
    if frontier:
        sheets.append(frontier_sheet(frontier, "Every headcount the solver simulated."))
    if exps:
        sheets += segment_sheets(exps[:1]) if len(exps) == 1 else []
    return [*sheets, assumptions_sheet(assumptions), provenance_sheet(provenance)]
