"""The decision brief of each command: run, compare, decide, solve, tradeoff, hire, backtest.

Each function gathers what its command already says (its headline sentences, from the
command's report module), the key numbers with their intervals, the charts and the
pack's sheets, and renders them with :func:`simulator.report.brief.brief_html`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simulator.analysis.compare import Comparison, Difference, scaled
from simulator.analysis.decision import Decision
from simulator.analysis.experiment import Experiment
from simulator.analysis.hire import HiringPlan
from simulator.analysis.solve import TeamSolution
from simulator.analysis.solve_value import ValueSolution
from simulator.analysis.tradeoff import TradeoffResult
from simulator.report.brief import Brief, KeyNumber, brief_html
from simulator.report.brief_charts import (
    compare_chart,
    hire_chart,
    solve_chart,
    tradeoff_chart,
)
from simulator.report.compare import delta_text, roi_sentence, sentence
from simulator.report.formatting import money, pct
from simulator.report.layout import Block, Col, Sheet
from simulator.report.packs import assumptions_sheet, compare_pack, provenance_sheet, run_pack
from simulator.report.run import ci_money, ci_pct
from simulator.report.solve import recommendation, solve_pack
from simulator.report.tradeoff_pack import tradeoff_pack
from simulator.report.tradeoff_text import TIE_RULE, headline, money_ci, verdict_sentence
from simulator.report.value import TOTAL, conventions, indirect_line, value_stats

__all__ = [
    "backtest_brief",
    "compare_brief",
    "decide_brief",
    "hire_brief",
    "run_brief",
    "solve_brief",
    "tradeoff_brief",
]


def _footer(provenance: dict[str, Any]) -> str:
    bits = []
    for key, label in (
        ("scenario_hash", "scenario hash"),
        ("seed", "seed"),
        ("replications", "replications"),
    ):
        if provenance.get(key) is not None:
            bits.append(f"{label} {provenance[key]}")
    return (", ".join(bits) + ".") if bits else ""


def run_brief(
    exp: Experiment,
    provenance: dict[str, Any],
    assumptions: Sequence[dict[str, Any]],
    frontier: Sequence[dict[str, Any]] | None = None,
) -> str:
    """The brief of ``cssim run`` (and ``cssim report --html``): what the plan delivers.

    Leads with the plan's net value and its retention per segment, then the frontier
    (when the run has one) and the ARR waterfall; the other charts and the pack's sheets
    follow, the monthly table and the assumptions collapsed.
    """
    from simulator.report.charts import figures
    from simulator.report.publish import run_findings

    s = exp.scenario
    cur = s.currency
    stats = exp.stats()
    teams = {t: team.csms for t, team in s.all_teams().items() if s.segments_of(t)}
    staffing = ", ".join(f"{t} {n}" for t, n in teams.items())
    vs = value_stats(exp)
    answer = []
    numbers: list[KeyNumber] = []
    if vs is not None:
        total = vs.values[TOTAL]
        answer.append(
            f"{s.name}: with {sum(teams.values())} CSMs ({staffing}) the plan's expected net "
            f"value over the plan and valuation horizon is {ci_money(total['horizon'], cur)}."
        )
        numbers.append(KeyNumber("Net value, horizon", *_split(ci_money(total["horizon"], cur))))
        numbers.append(KeyNumber("Net value, plan", *_split(ci_money(total["plan"], cur))))
    else:
        answer.append(f"{s.name}: {sum(teams.values())} CSMs ({staffing}).")
    answer += run_findings(exp)
    for seg, m in list(stats.items())[:4]:
        numbers.append(KeyNumber(f"{seg}: GRR", *_split(ci_pct(m["grr"]))))
    arr_end = sum(m["arr_end"].mean for m in stats.values())
    numbers.append(KeyNumber("ARR at the end", money(arr_end, cur), "mean, all segments"))
    sure = [
        f"{exp.replications} replications; every figure is the mean with its 95% CI over them.",
    ]
    worst = min(stats.items(), key=lambda kv: kv[1]["on_time_share"].mean)
    sure.append(
        f"Least served: {worst[0]}, touches on time {ci_pct(worst[1]['on_time_share'])} at "
        f"utilisation {ci_pct(worst[1]['utilisation'])}."
    )
    hinges = []
    if vs is not None:
        hinges += [conventions(exp, vs), indirect_line(exp, vs)]
    hinges.append("The assumptions at the end of the page: every input with its source.")
    figs = figures(exp, frontier)
    lead = [*[k for k in figs if k.startswith("frontier_")][:1], "arr_waterfall"]
    lead_figs = {k: figs[k] for k in lead if k in figs}
    more = {k: v for k, v in figs.items() if k not in lead_figs}
    sheets = run_pack(exp, assumptions, provenance, frontier)
    title = f"{s.name}: what the CS plan delivers"
    folded = [sh.name for sh in sheets if sh.name not in ("Summary", "Value", "Frontier")]
    return brief_html(
        Brief(
            title,
            answer,
            numbers,
            sure,
            hinges,
            lead_figs,
            sheets,
            more,
            _footer({**provenance, "replications": exp.replications, "seed": exp.root_seed}),
            folded,
            cur,
        )
    )


def _split(text: str) -> tuple[str, str]:
    """``$1.30M [$1.07M, $1.54M]`` as the value and ``95% CI [...]``."""
    if " [" in text:
        value, rest = text.split(" [", 1)
        return value, f"95% CI [{rest}"
    return text, ""


def compare_brief(
    c: Comparison,
    currency: str,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
) -> str:
    """The brief of ``cssim compare``: what each alternative changes against the first.

    Leads with the command's sentences (savings, retention, ROI of automation), then the
    paired differences in GRR and ARR at risk with their 95% CIs.
    """
    base = c.labels[0]
    n = c.experiments[0].replications
    years = c.experiments[0].scenario.horizon_years
    answer: list[str] = []
    numbers: list[KeyNumber] = []
    for i in range(1, len(c.labels)):
        diffs = c.differences(i)
        changed = changed_segments(diffs)
        answer += [sentence(c.labels[i], base, s, diffs, currency, years) for s in changed]
        answer += [
            roi_sentence(c.labels[i], r, currency)
            for r in c.roi(i)
            if r.fte_freed.significant and r.fte_freed.mean > 0
        ]
        for d in diffs:
            if d.segment not in changed or len(numbers) >= 6:
                continue
            if d.metric == "people_cost" and years > 0:
                value, interval = _split(delta_text(scaled(d, 1 / years), "money", currency))
                numbers.append(
                    KeyNumber(f"{c.labels[i]}, {d.segment}: people cost a year", value, interval)
                )
            elif d.metric in ("grr", "arr_at_risk"):
                unit = "pp" if d.metric == "grr" else "money"
                label = "GRR" if d.metric == "grr" else "ARR at risk"
                value, interval = _split(delta_text(d, unit, currency))
                numbers.append(KeyNumber(f"{c.labels[i]}, {d.segment}: {label}", value, interval))
    sure = [
        f"Paired over {n} replications (common random numbers): replication i of every "
        "alternative uses the same random streams, so the differences are far tighter than "
        "the separate runs' intervals.",
        "A difference whose 95% CI includes 0 is reported as no clear change.",
    ]
    hinges = [
        "Segments the alternatives do not change (every paired difference exactly 0) are "
        "left out of the sentences and the chart.",
        "Expected logo churn and ARR at risk sum each renewal's churn probability.",
    ]
    sheets = compare_pack(c, assumptions, provenance)
    return brief_html(
        Brief(
            f"{' vs '.join(c.labels[1:])} against {base}",
            answer,
            numbers,
            sure,
            hinges,
            {"differences": compare_chart(c, currency)},
            sheets,
            None,
            _footer({**provenance, "replications": n}),
            [sh.name for sh in sheets[1:]],
            currency,
        )
    )


def changed_segments(diffs: Sequence[Difference]) -> list[str]:
    """Segments where some paired difference is not exactly zero (all if none is)."""
    segments = list(dict.fromkeys(d.segment for d in diffs))
    moved = [
        s
        for s in segments
        if any(
            d.segment == s
            and not (d.mean == 0 and d.low == 0 and d.high == 0)
            and not math.isnan(d.mean)
            for d in diffs
        )
    ]
    return moved or segments


def _records_block(title: str, records: Sequence[dict[str, Any]], note: str = "") -> Block:
    """A block of plain records (the keys as headers)."""
    keys = list(dict.fromkeys(k for r in records for k in r))
    cols = [Col(k, k.replace("_", " ").capitalize(), _fmt_of(records, k)) for k in keys]
    return Block(title, cols, list(records), note)


def _fmt_of(records: Sequence[dict[str, Any]], key: str) -> str:
    values = [v for r in records if isinstance(v := r.get(key), float)]
    if values and len(values) == sum(1 for r in records if r.get(key) is not None):
        return "num3" if all(abs(v) < 10 for v in values) else "num0"
    return "text"


def decide_brief(d: Decision, currency: str) -> str:
    """The brief of ``cssim decide``: the better option, how sure, what would flip it.

    Leads with the decision sentence, the expected difference with its P5-P95 range and
    the probability each option is best; then the acceptability curve and the tornado.
    """
    from simulator.report.decide import (
        acceptability_chart,
        decision_json,
        decision_sentence,
        tornado_chart,
    )

    p = d.psa
    doc = decision_json(d, currency)
    diff = d.difference
    numbers = [
        KeyNumber(
            f"{p.labels[d.best]} - {p.labels[d.runner_up]}",
            _signed(diff.expected, currency),
            f"P5-P95 [{_signed(diff.low, currency)}, {_signed(diff.high, currency)}]",
        ),
        KeyNumber(f"P({p.labels[d.best]} better)", pct(diff.p_best, 0), f"of {p.draws} draws"),
    ]
    for o in d.options[:4]:
        numbers.append(
            KeyNumber(
                f"{o.label}: net value",
                money(o.expected, currency),
                f"P5-P95 [{money(o.low, currency)}, {money(o.high, currency)}]",
            )
        )
    sure = [
        f"{p.draws} draws of the uncertain inputs x {p.replications} replication(s), paired.",
        f"Share of the spread that is Monte Carlo noise: {pct(d.noise_share, 0)}."
        if d.noise_share is not None and math.isfinite(d.noise_share)
        else "",
    ]
    hinges = []
    sens = d.sensitivity
    if sens is not None and sens.bars:
        top_bar = max(sens.bars, key=lambda b: b.swing)
        hinges.append(
            f"Biggest swing: {top_bar.name} moves the difference from "
            f"{_signed(top_bar.low, currency)} (at its P10) to {_signed(top_bar.high, currency)} "
            "(at its P90)."
        )
    if p.inputs:
        hinges.append(
            f"{len(p.inputs)} uncertain inputs drawn together (listed with their "
            "distributions under Assumptions)."
        )
    if doc.get("evppi"):
        top = max(doc["evppi"], key=lambda e: e["value"] or 0)
        hinges.append(
            f"Most worth learning: {top['name']} (EVPPI {money(top['value'] or 0, currency)})."
        )
    hinges.append(conventions_of(d))
    figs = {"acceptability": acceptability_chart(d, currency)}
    tornado = tornado_chart(d, currency)
    if tornado is not None:
        figs["tornado"] = tornado
    blocks = [_records_block("Options", doc["options"])]
    if doc["tornado"]:
        blocks.append(_records_block("Tornado", doc["tornado"]["bars"]))
        if doc["tornado"]["thresholds"]:
            blocks.append(_records_block("Flip thresholds", doc["tornado"]["thresholds"]))
    if doc["evppi"]:
        blocks.append(_records_block("Value of information (EVPPI)", doc["evppi"]))
    inputs = _records_block("Uncertain inputs", doc["uncertain_inputs"])
    sheets = [Sheet("Decision", blocks, [doc["conventions"]]), Sheet("Assumptions", [inputs])]
    return brief_html(
        Brief(
            f"Which option: {', '.join(p.labels)}",
            [decision_sentence(d, currency)],
            numbers,
            [x for x in sure if x],
            hinges,
            figs,
            sheets,
            None,
            f"seed {p.root_seed}, {p.draws} draws.",
            (),
            currency,
        )
    )


def conventions_of(d: Decision) -> str:
    """How the decision counts net value (the command's conventions line)."""
    from simulator.report.decide import conventions as decide_conventions

    return decide_conventions(d)


def _signed(x: float, currency: str) -> str:
    if not math.isfinite(x):
        return "-"
    return ("+" if x >= 0 else "-") + money(abs(x), currency)


def solve_brief(
    solutions: list[TeamSolution],
    values: Sequence[ValueSolution],
    scenario: Any,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
) -> str:
    """The brief of ``cssim solve``: how many CSMs per team, and what N - 1 costs.

    Leads with the recommendation per team (targets and value reconciled), the marginal
    CSM's net value with its 95% CI, then the net value by headcount with the pick
    marked and people cost on a second axis.
    """
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
                    _signed(m.value, cur),
                    f"95% CI [{_signed(m.low, cur)}, {_signed(m.high, cur)}]; costs "
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
    if solutions:
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
    return brief_html(
        Brief(
            f"{scenario.name}: how many CSMs",
            answer,
            numbers,
            sure,
            hinges,
            figs,
            sheets,
            None,
            _footer({**provenance, "replications": reps}),
            [sh.name for sh in sheets[2:]],
            cur,
        )
    )


def tradeoff_brief(
    r: TradeoffResult,
    currency: str,
    assumptions: Sequence[dict[str, Any]],
    provenance: dict[str, Any],
) -> str:
    """The brief of ``cssim tradeoff``: what the offered headcount costs and the plan that
    fits it.

    Leads with the command's headline (savings, the plan, its net value and hours freed,
    break-even), then today's plan at each headcount with the offer marked.
    """
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
        numbers.append(KeyNumber("Plan's net value", *_split(money_ci(p.net_value, currency))))
        numbers.append(KeyNumber("ARR at risk a year", *_split(money_ci(p.arr_at_risk, currency))))
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
    sheets = tradeoff_pack(r, assumptions, provenance, currency)
    return brief_html(
        Brief(
            f"{r.team} at {r.offered} CSMs: what it costs and what to change",
            [headline(r, currency)],
            numbers,
            sure,
            hinges,
            {"frontier": tradeoff_chart(r, currency)},
            sheets,
            None,
            _footer(provenance),
            [sh.name for sh in sheets[1:]],
            currency,
        )
    )


def hire_brief(plans: Sequence[HiringPlan], currency: str, name: str) -> str:
    """The brief of ``cssim hire``: when each requisition must open.

    Leads with each team's verdict and its requisitions, then demand against capacity by
    month.
    """
    answer: list[str] = []
    numbers: list[KeyNumber] = []
    plans = sorted(plans, key=lambda hp: not hp.requisitions)  # the teams that must hire first
    for hp in plans:
        if hp.requisitions:
            first = hp.requisitions[0]
            verdict = (
                f"{hp.team}: open {len(hp.requisitions)} requisition(s), the first by "
                f"{first.open_date} (starts {first.start_date}, needed for month "
                f"{first.covers_month})"
            )
            if hp.short_months:
                verdict += f"; still short in months {', '.join(map(str, hp.short_months))} while hires ramp"
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
    figs = {f"hire_{hp.team}": hire_chart(hp) for hp in list(plans)[:2]}
    return brief_html(
        Brief(
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
    )


def backtest_brief(b: Any) -> str:
    """The brief of ``cssim backtest``: did the model's intervals hold what happened.

    Leads with the headline (intervals held, Brier skill), then the calibration plot and
    the intervals against the actual outcomes.
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
    return brief_html(
        Brief(
            "Backtest: would the model have called it",
            [backtest_headline(b)],
            numbers,
            sure,
            hinges,
            figs,
            backtest_sheets(b),
            None,
            "",
            (),
        )
    )
