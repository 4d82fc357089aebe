"""The decision briefs of solve, tradeoff, hire and backtest.

Each function gathers what its command already says (its headline sentences, from the
command's report module), the key numbers with their intervals, the charts and the
pack's sheets into a :class:`~simulator.report.brief.Brief` (rendered by
:func:`~simulator.report.brief.brief_html`, and as the Excel pack's first sheet).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simulator.analysis.hire import HiringPlan
from simulator.analysis.solve import TeamSolution
from simulator.analysis.solve_value import ValueSolution
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.brief import Brief, KeyNumber
from simulator.report.briefs import footer_line, signed_money, split_interval
from simulator.report.formatting import money, money_ends, pct
from simulator.report.hire import months_text, requisitions_text
from simulator.report.layout import Block, Col, Sheet
from simulator.report.packs import assumptions_sheet, provenance_sheet
from simulator.report.solve import recommendation, solve_pack
from simulator.report.tradeoff_pack import tradeoff_pack
from simulator.report.tradeoff_text import TIE_RULE, headline, money_ci, verdict_sentence

__all__ = ["backtest_brief", "hire_brief", "solve_brief", "tradeoff_brief"]


def solve_brief(
    solutions: list[TeamSolution],
    values: Sequence[ValueSolution],
    scenario: Any,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
    pack: Sequence[Sheet] | None = None,
) -> Brief:
    """The brief of ``cssim solve``: how many CSMs per team, and what N - 1 costs.

    Leads with the recommendation per team (targets and value reconciled), the marginal
    CSM's net value with its 95% CI, then the net value by headcount with the pick
    marked and people cost on a second axis. ``pack`` is the Excel pack when the caller
    has made it already (:func:`~simulator.report.solve.solve_pack`); the brief shows the
    headcount on value before it.
    """
    from simulator.report.brief_charts import solve_chart  # matplotlib: only for a brief

    cur = scenario.currency
    by_target = {x.team: x for x in solutions}
    by_value = {v.team: v for v in values}
    teams = list(dict.fromkeys([*by_value, *by_target]))
    answer: list[str] = []
    numbers: list[KeyNumber] = []
    picks: dict[str, int | None] = {}
    for team in teams:
        v, t = by_value.get(team), by_target.get(team)
        cf = v.closed_form_csms if v is not None else (t.closed_form_csms if t else 0)
        pick, text = recommendation(team, cf, t, v, cur)
        picks[team] = pick
        answer.append(text)
        current = v.current if v is not None else scenario.all_teams()[team].csms
        numbers.append(
            KeyNumber(f"{team}: hire", str(pick) if pick is not None else "-", f"today {current}")
        )
        m = v.marginal(pick) if v is not None and pick is not None else None
        if m is not None:
            numbers.append(
                KeyNumber(
                    f"{team}: CSM no. {pick} is worth",
                    signed_money(m.value, cur),
                    f"95% CI {money_ends(m.low, m.high, m.value, cur, signed=True)}; costs "
                    f"{money(m.cost, cur)}",
                )
            )
    reps = max([x.replications for x in solutions] + [v.replications for v in values] + [0])
    sure = [
        f"Every headcount is simulated on the same {reps} replications (same seeds), so "
        "headcounts differ only by the headcount.",
    ]
    if solutions:
        sure.append(
            "A target holds with confidence q when at least q of the replications meet it; "
            "the answer N meets every target and N - 1 does not."
        )
    limits = [v.team for v in values if v.at_limit]
    if limits:
        sure.append(f"The best headcount of {', '.join(limits)} is at the edge of the search.")
    hinges = [
        "Net value counts the gross margin over the plan and the ARR held at its end, less CS "
        "people, automation and support cost (economics: in the scenario)."
    ]
    hinges += [
        f"{v.team}: {len(v.uncertain)} uncertain inputs drawn once per replication "
        "(economics and churn effects: see the assumptions)."
        for v in values
        if v.uncertain
    ]
    figs = {
        f"value_{v.team}": solve_chart(v, picks.get(v.team), scenario) for v in list(values)[:2]
    }
    if pack is not None:
        sheets = list(pack)
    elif solutions:
        sheets = solve_pack(solutions, assumptions, provenance)
    else:
        sheets = [assumptions_sheet(assumptions), provenance_sheet(provenance)]
    if values:
        rows = [
            {
                "team": v.team,
                "csms": n,
                "value": mean,
                "low": lo,
                "high": hi,
                "marginal": m.value if (m := v.marginal(n)) else None,
                "cost": m.cost if m else None,
            }
            for v in values
            for n, (mean, lo, hi) in v.values.items()
        ]
        block = Block(
            "Expected net value at each headcount tried (95% CI)",
            [
                Col("team", "Team"),
                Col("csms", "CSMs", "int"),
                Col("value", "Net value", "money"),
                Col("low", "95% low", "money"),
                Col("high", "95% high", "money"),
                Col("marginal", "Marginal CSM", "money"),
                Col("cost", "Its cost", "money"),
            ],
            rows,
        )
        sheets = [Sheet("Headcount on value", [block]), *sheets]
    return Brief(
        f"{scenario.name}: how many CSMs",
        answer,
        numbers,
        sure,
        hinges,
        figs,
        sheets,
        None,
        footer_line({**provenance, "replications": reps}),
        [sh.name for sh in sheets[2:]],
        cur,
    )


def tradeoff_brief(
    r: TradeoffResult,
    currency: str,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
    sheets: Sequence[Sheet] | None = None,
) -> Brief:
    """The brief of ``cssim tradeoff``: what the offered headcount costs and the plan that
    fits it.

    Leads with the command's headline (savings, the plan, its net value and hours freed,
    break-even), then today's plan at each headcount with the offer marked. ``sheets`` is
    the pack when the caller has made it already
    (:func:`~simulator.report.tradeoff_pack.tradeoff_pack`).
    """
    from simulator.report.brief_charts import tradeoff_chart  # matplotlib: only for a brief

    numbers = [
        KeyNumber(
            "People cost saved a year",
            money(r.savings, currency),
            f"{r.current} -> {r.offered} CSMs",
        ),
        KeyNumber("FTE needed today", f"{r.fte_needed:.1f}", "closed form"),
    ]
    p = r.plan
    if p is not None:
        numbers.append(
            KeyNumber("Plan's net value", *split_interval(money_ci(p.net_value, currency)))
        )
        numbers.append(
            KeyNumber("ARR at risk a year", *split_interval(money_ci(p.arr_at_risk, currency)))
        )
    sure = [x for x in [verdict_sentence(r, currency)] if x] or [
        "Nothing was picked: no change or combination tried fits."
    ]
    sure.append(f"Ties go to {TIE_RULE}.")
    hinges = [
        "Scores are simulated at the offered headcount against today's plan at today's "
        "headcount on common random numbers.",
        "The rules (renewals and EBRs of high-touch segments kept; no 1:many onboarding) "
        "and what they left out are in the detail.",
    ]
    if sheets is None:
        sheets = tradeoff_pack(r, assumptions, provenance, currency)
    return Brief(
        f"{r.team} at {r.offered} CSMs: what it costs and what to change",
        [headline(r, currency)],
        numbers,
        sure,
        hinges,
        {"frontier": tradeoff_chart(r, currency, str(provenance.get("scenario") or ""))},
        sheets,
        None,
        footer_line(provenance),
        [sh.name for sh in sheets[1:]],
        currency,
    )


def hire_brief(plans: Sequence[HiringPlan], currency: str, name: str) -> Brief:
    """The brief of ``cssim hire``: when each requisition must open.

    Leads with each team's verdict and its requisitions, then demand against capacity by
    month.
    """
    from simulator.report.brief_charts import hire_chart  # matplotlib: only for a brief

    answer: list[str] = []
    numbers: list[KeyNumber] = []
    plans = sorted(plans, key=lambda hp: not hp.requisitions)  # the teams that must hire first
    for hp in plans:
        if hp.requisitions:
            first = hp.requisitions[0]
            verdict = (
                f"{hp.team}: open {requisitions_text(len(hp.requisitions))}, the first by "
                f"{first.open_date} (starts {first.start_date}, needed in "
                f"{months_text(hp, [first.covers_month])}"
                + (
                    "; already late: it should have opened before the plan starts)"
                    if first.late
                    else ")"
                )
            )
            if hp.short_months:
                verdict += f"; still short in {months_text(hp, hp.short_months)} while hires ramp"
        else:
            verdict = f"{hp.team}: no hire needed: capacity covers demand every month"
        answer.append(f"{verdict}. People cost of the plan: {money(hp.people_cost, currency)}.")
        numbers.append(
            KeyNumber(
                f"{hp.team}: requisitions", str(len(hp.requisitions)), f"from {hp.current} CSMs"
            )
        )
        peak = max((m.utilisation for m in hp.months), default=math.nan)
        numbers.append(KeyNumber(f"{hp.team}: peak load", pct(peak, 0), "demand / capacity"))
    sure = [
        "Closed form, month by month: no simulation, so no interval; the simulated run "
        "(cssim run) shows the spread."
    ]
    hinges = [
        "Capacity: CSMs x customer hours x availability (vacancy and ramp drag of "
        "attrition), new hires at their ramp; hires are timed to be ramped by the month "
        "that needs them."
    ]
    blocks: list[Block] = []
    for hp in plans:
        blocks.append(
            Block(
                f"{hp.team}: requisitions",
                [
                    Col("open", "Open by"),
                    Col("start", "CSM starts"),
                    Col("month", "Needed for month", "int"),
                    Col("late", "Note"),
                ],
                [
                    {
                        "open": str(q.open_date),
                        "start": str(q.start_date),
                        "month": q.covers_month,
                        "late": "late: should have opened before the plan starts" if q.late else "",
                    }
                    for q in hp.requisitions
                ],
            )
        )
        blocks.append(
            Block(
                f"{hp.team}: demand and capacity by month (hours)",
                [
                    Col("month", "Month", "int"),
                    Col("from", "From"),
                    Col("demand", "Demand h", "num0"),
                    Col("capacity", "Capacity h", "num0"),
                    Col("csms", "CSMs", "int"),
                    Col("load", "Load", "pct"),
                ],
                [
                    {
                        "month": m.month,
                        "from": str(m.start),
                        "demand": m.demand_hours,
                        "capacity": m.capacity_hours,
                        "csms": m.csms,
                        "load": m.utilisation,
                    }
                    for m in hp.months
                ],
            )
        )
    figs = {f"hire_{hp.team}": hire_chart(hp, name) for hp in list(plans)[:2]}
    return Brief(
        f"{name}: when to hire",
        answer,
        numbers,
        sure,
        hinges,
        figs,
        [Sheet("Hiring plan", blocks)],
        None,
        "",
        (),
        currency,
    )


def backtest_brief(b: Any, sheets: Sequence[Sheet] | None = None) -> Brief:
    """The brief of ``cssim backtest``: did the model's intervals hold what happened.

    Leads with the headline (intervals held, Brier skill), then the calibration plot and
    the intervals against the actual outcomes. ``sheets`` is the pack when the caller has
    made it already (:func:`~simulator.report.backtest.backtest_sheets`).
    """
    from simulator.report.backtest import backtest_charts, backtest_sheets
    from simulator.report.backtest import headline as backtest_headline

    inside = sum(c.inside for c in b.checks)
    numbers = [
        KeyNumber(
            "90% intervals that held",
            f"{inside} of {len(b.checks)}",
            "outcomes after the as-of date",
        ),
        KeyNumber("Brier score", f"{b.brier:.4f}", f"historical rate {b.brier_naive:.4f}"),
        KeyNumber(
            "Skill", f"{b.skill:+.1%}" if math.isfinite(b.skill) else "-", "vs historical rate"
        ),
    ]
    sure = [
        "About 9 in 10 outcomes should fall inside a well calibrated 90% interval; fewer "
        "means the model is overconfident."
    ]
    hinges = [
        f"Calibrated on the history up to {b.as_of.isoformat()} only, simulated to "
        f"{b.end.isoformat()}."
    ]
    figs = backtest_charts(b)
    return Brief(
        "Backtest: would the model have called it",
        [backtest_headline(b)],
        numbers,
        sure,
        hinges,
        figs,
        backtest_sheets(b) if sheets is None else sheets,
        None,
        "",
        (),
    )
