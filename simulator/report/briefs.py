"""The decision briefs of run, compare and decide (solve, tradeoff, hire and backtest:
:mod:`simulator.report.briefs_plan`).

Each function gathers what its command already says (its headline sentences, from the
command's report module), the key numbers with their intervals, the charts and the
pack's sheets into a :class:`~simulator.report.brief.Brief`: the HTML page is
:func:`~simulator.report.brief.brief_html` of it and the Excel pack's first sheet is
drawn from it (:func:`simulator.report.xlsx.write_workbook`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simulator.analysis.compare import Comparison, Difference, scaled
from simulator.analysis.decision import Decision
from simulator.analysis.experiment import Experiment
from simulator.report.brief import Brief, KeyNumber
from simulator.report.compare import delta_text, roi_sentence, sentence, unchanged
from simulator.report.decide import input_label
from simulator.report.formatting import money, money_ends, pct
from simulator.report.layout import Block, Col, Sheet
from simulator.report.packs import compare_pack, run_pack
from simulator.report.run import ci_money, ci_pct, few_replications_note
from simulator.report.value import TOTAL, conventions, indirect_line, value_stats

__all__ = [
    "changed_segments",
    "compare_brief",
    "decide_brief",
    "footer_line",
    "run_brief",
    "signed_money",
    "split_interval",
]


def footer_line(provenance: dict[str, Any]) -> str:
    """The provenance line under the answer: scenario hash, seed, replications."""
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
    sheets: Sequence[Sheet] | None = None,
) -> Brief:
    """The brief of ``cssim run`` (and ``cssim report --html``): what the plan delivers.

    Leads with the plan's net value and its retention per segment, then the frontier
    (when the run has one) and the ARR waterfall; the other charts and the pack's sheets
    follow, the monthly table and the assumptions collapsed. ``sheets`` is the run's
    pack when the caller has made it already (:func:`~simulator.report.packs.run_pack`).
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
        numbers.append(
            KeyNumber("Net value, horizon", *split_interval(ci_money(total["horizon"], cur)))
        )
        numbers.append(KeyNumber("Net value, plan", *split_interval(ci_money(total["plan"], cur))))
    else:
        answer.append(f"{s.name}: {sum(teams.values())} CSMs ({staffing}).")
    answer += run_findings(exp)
    for seg, m in list(stats.items())[:4]:
        numbers.append(KeyNumber(f"{seg}: GRR", *split_interval(ci_pct(m["grr"]))))
    arr_end = sum(m["arr_end"].mean for m in stats.values())
    numbers.append(KeyNumber("ARR at the end", money(arr_end, cur), "mean, all segments"))
    sure = [
        f"{exp.replications} replications; every figure is the mean with its 95% CI over them.",
    ]
    if few_replications_note(exp.replications):
        sure.append(few_replications_note(exp.replications))
    worst = min(stats.items(), key=lambda kv: kv[1]["on_time_share"].mean)
    sure.append(
        f"Least served: {worst[0]}, touches on time {ci_pct(worst[1]['on_time_share'])} at "
        f"utilisation {ci_pct(worst[1]['utilisation'])}."
    )
    hinges = []
    if vs is not None:
        hinges += [conventions(exp, vs), indirect_line(exp, vs)]
    hinges.append(
        "The assumptions: every input with its source (at the end of the page; in the "
        "Excel pack, the Assumptions sheet)."
    )
    figs = figures(exp, frontier)
    lead = [*[k for k in figs if k.startswith("frontier_")][:1], "arr_waterfall"]
    lead_figs = {k: figs[k] for k in lead if k in figs}
    more = {k: v for k, v in figs.items() if k not in lead_figs}
    if sheets is None:
        sheets = run_pack(exp, assumptions, provenance, frontier)
    title = f"{s.name}: what the CS plan delivers"
    folded = [sh.name for sh in sheets if sh.name not in ("Summary", "Value", "Frontier")]
    return Brief(
        title,
        answer,
        numbers,
        sure,
        hinges,
        lead_figs,
        sheets,
        more,
        footer_line({**provenance, "replications": exp.replications, "seed": exp.root_seed}),
        folded,
        cur,
    )


def split_interval(text: str) -> tuple[str, str]:
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
    sheets: Sequence[Sheet] | None = None,
) -> Brief:
    """The brief of ``cssim compare``: what each alternative changes against the first.

    Leads with the command's sentences (savings, retention, ROI of automation), then the
    paired differences in GRR and ARR at risk with their 95% CIs. ``sheets`` is the
    comparison's pack when the caller has made it already
    (:func:`~simulator.report.packs.compare_pack`).
    """
    from simulator.report.brief_charts import compare_chart, compared_names  # matplotlib

    # a page a CFO forwards names each alternative by its scenario's name, not its file
    names = compared_names(c)
    base = names[0]
    n = c.experiments[0].replications
    years = c.experiments[0].scenario.horizon_years
    answer: list[str] = []
    numbers: list[KeyNumber] = []
    for i in range(1, len(c.labels)):
        diffs = c.differences(i)
        if all(unchanged(d) or math.isnan(d.mean) for d in diffs):
            answer.append(
                f"{names[i]} and {base} gave the same figures in all {n} paired "
                "replications: nothing simulated tells them apart."
            )
            continue
        changed = changed_segments(diffs)
        answer += [sentence(names[i], base, s, diffs, currency, years) for s in changed]
        answer += [
            roi_sentence(names[i], r, currency)
            for r in c.roi(i)
            if r.fte_freed.significant and r.fte_freed.mean > 0
        ]
        for d in diffs:
            if d.segment not in changed or len(numbers) >= 6:
                continue
            if d.metric == "people_cost" and years > 0:
                value, interval = split_interval(
                    delta_text(scaled(d, 1 / years), "money", currency)
                )
                numbers.append(
                    KeyNumber(f"{names[i]}, {d.segment}: people cost a year", value, interval)
                )
            elif d.metric in ("grr", "arr_at_risk"):
                unit = "pp" if d.metric == "grr" else "money"
                label = "GRR" if d.metric == "grr" else "ARR at risk"
                value, interval = split_interval(delta_text(d, unit, currency))
                numbers.append(KeyNumber(f"{names[i]}, {d.segment}: {label}", value, interval))
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
    if sheets is None:
        sheets = compare_pack(c, assumptions, provenance)
    return Brief(
        f"{' vs '.join(names[1:])} against {base}",
        answer,
        numbers,
        sure,
        hinges,
        {"differences": compare_chart(c, currency)},
        sheets,
        None,
        footer_line({**provenance, "replications": n}),
        [sh.name for sh in sheets[1:]],
        currency,
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
    cols = [Col(k, _header(k), _fmt_of(records, k)) for k in keys]
    return Block(title, cols, list(records), note)


_HEADERS = {
    "mc_standard_error": "Monte Carlo standard error",
    "p5": "P5",
    "p95": "P95",
    "p_best": "P(best)",
    "evppi": "EVPPI",
    "r_squared": "R²",
    "difference_at_p10": "Difference at P10",
    "difference_at_p90": "Difference at P90",
}
"""Headers that are not the key in words: abbreviations keep their capitals."""


def _header(key: str) -> str:
    return _HEADERS.get(key, key.replace("_", " ").capitalize())


_MONEY_KEYS = {
    "expected_net_value",
    "expected_net_value_plan",
    "p5",
    "p95",
    "mc_standard_error",
    "expected_loss",
    "difference_at_p10",
    "difference_at_p90",
    "swing",
    "value",
}
_SHARE_KEYS = {"p_best", "r_squared"}


def _fmt_of(records: Sequence[dict[str, Any]], key: str) -> str:
    """The number format of a records column: money, share, or by magnitude."""
    if key in _MONEY_KEYS and key != "value":
        return "money"
    if key in _SHARE_KEYS:
        return "pct"
    values = [v for r in records if isinstance(v := r.get(key), float)]
    if values and len(values) == sum(1 for r in records if r.get(key) is not None):
        return "num3" if all(abs(v) < 10 for v in values) else "num0"
    return "text"


def decide_brief(d: Decision, currency: str) -> Brief:
    """The brief of ``cssim decide``: the better option, how sure, what would flip it.

    Leads with the decision sentence, the expected difference with its P5-P95 range and
    the probability each option is best; then the acceptability curve and the tornado.
    """
    from simulator.report.decide import decision_json, decision_sentence
    from simulator.report.decide_charts import acceptability_chart, tornado_chart

    p = d.psa
    doc = decision_json(d, currency)
    diff = d.difference
    numbers = [
        KeyNumber(
            f"{p.labels[d.best]} - {p.labels[d.runner_up]}",
            signed_money(diff.expected, currency),
            f"P5-P95 {money_ends(diff.low, diff.high, diff.expected, currency, signed=True)}",
        ),
        KeyNumber(f"P({p.labels[d.best]} better)", pct(diff.p_best, 0), f"of {p.draws} draws"),
    ]
    for o in d.options[:4]:
        numbers.append(
            KeyNumber(
                f"{o.label}: net value",
                money(o.expected, currency),
                f"P5-P95 {money_ends(o.low, o.high, o.expected, currency)}",
            )
        )
    sure = [
        f"{p.draws} draws of the uncertain inputs x {p.replications} "
        f"replication{'' if p.replications == 1 else 's'} each, paired.",
        f"Share of the spread that is Monte Carlo noise: {pct(d.noise_share, 0)}."
        if d.noise_share is not None and math.isfinite(d.noise_share)
        else "",
    ]
    hinges = []
    sens = d.sensitivity
    if sens is not None and sens.bars:
        top_bar = max(sens.bars, key=lambda b: b.swing)
        hinges.append(
            f"Biggest swing: {input_label(top_bar.name)} moves the difference from "
            f"{signed_money(top_bar.low, currency)} (at its P10) to {signed_money(top_bar.high, currency)} "
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
            f"Most worth learning: {input_label(top['name'])} (EVPPI {money(top['value'] or 0, currency)})."
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
        evppi = _records_block("Value of information (EVPPI)", doc["evppi"])
        evppi.columns = [
            Col(c.key, c.header, "money" if c.key == "value" else c.fmt) for c in evppi.columns
        ]
        blocks.append(evppi)
    inputs = _records_block("Uncertain inputs", doc["uncertain_inputs"])
    sheets = [Sheet("Decision", blocks, [doc["conventions"]]), Sheet("Assumptions", [inputs])]
    return Brief(
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


def conventions_of(d: Decision) -> str:
    """How the decision counts net value (the command's conventions line)."""
    from simulator.report.decide import conventions as decide_conventions

    return decide_conventions(d)


def signed_money(x: float, currency: str) -> str:
    """``+$12k`` or ``-$12k`` (``-`` for a missing value)."""
    if not math.isfinite(x):
        return "-"
    return ("+" if x >= 0 else "-") + money(abs(x), currency)
