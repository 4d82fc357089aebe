"""The Summary tables of simulated plans, shared by every pack: headcount and cost,
retention, the ARR bridge, the headcount frontier, and their charts.

Each block takes ``(label, experiment)`` pairs: one pair for a run, one per alternative
for a comparison (then every table gains a Scenario column).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.analysis.analytic import estimate
from simulator.analysis.experiment import Experiment
from simulator.metrics import metric
from simulator.report.layout import Block, Chart, Col, Sheet

__all__ = [
    "arr_block",
    "frontier_sheet",
    "headcount_block",
    "plan_intro",
    "retention_block",
    "summary_charts",
]


def headcount_block(exps: Sequence[tuple[str | None, Experiment]]) -> Block:
    rows = []
    for label, exp in exps:
        stats = exp.stats()
        for seg in estimate(exp.scenario).segments:
            m = stats.get(seg.segment, {})
            rows.append(
                {
                    "scenario": label,
                    "segment": seg.segment,
                    "team": seg.team or "(digital)",
                    "coverage": seg.coverage,
                    "accounts": seg.accounts_start,
                    "arr": seg.arr_start,
                    "current": seg.csms_current,
                    "required": seg.csms_needed,
                    "fte": seg.fte_needed,
                    "gap": seg.csms_needed - seg.csms_current,
                    "cost_current": seg.people_cost_current,
                    "cost_required": seg.people_cost_needed,
                    "simulated_csms": m["headcount"].mean if "headcount" in m else None,
                    "utilisation": m["utilisation"].mean if "utilisation" in m else None,
                }
            )
    cols = [
        Col("segment", "Segment"),
        Col("team", "Team"),
        Col("coverage", "Coverage"),
        Col("accounts", "Accounts", "int"),
        Col("arr", "ARR at start (plan)", "money", 14),
        Col("current", "CSMs (plan)", "int"),
        Col("required", "CSMs required (closed form)", "int", 14),
        Col("fte", "FTE needed", "num1"),
        Col("gap", "Gap (CSMs)", "int"),
        Col("cost_current", "People cost at plan / yr", "money", 16),
        Col("cost_required", "People cost required / yr", "money", 16),
        Col("simulated_csms", "CSMs simulated (avg)", "num1", 12),
        Col("utilisation", "Utilisation (simulated)", "pct", 12),
    ]
    if exps and exps[0][0] is not None:
        cols.insert(0, Col("scenario", "Scenario", width=24))
    return Block(
        "Headcount and cost by segment",
        cols,
        rows,
        note="Required: the closed-form CSMs for the plan's demand (cssim estimate); "
        "cssim solve checks a headcount against retention targets by simulation.",
        name="headcount",
    )


_RETENTION = tuple((name, metric(name).column) for name in ("grr", "nrr", "logo_churn"))


_NEW_LOGOS = {"grr": "new_grr", "nrr": "new_nrr", "logo_churn": "new_renewal_churn"}
"""The new-logo cohort's metric in each retention column."""


def retention_block(exps: Sequence[tuple[str | None, Experiment]]) -> Block:
    """Retention by segment and cohort: the starting book, and the plan's new logos."""
    rows = []
    any_new = False
    for label, exp in exps:
        for seg, m in exp.stats().items():
            cohorts = [("starting book", {k: k for k, _ in _RETENTION})]
            if m["new_accounts"].mean > 0:
                cohorts.append(("new logos", _NEW_LOGOS))
                any_new = True
            for cohort, keys in cohorts:
                if cohort == "starting book" and m["accounts_start"].mean <= 0:
                    continue
                row: dict[str, Any] = {"scenario": label, "segment": seg, "cohort": cohort}
                for key, _ in _RETENTION:
                    st = m[keys[key]]
                    row |= {
                        f"{key}": st.mean,
                        f"{key}_p10": st.p10,
                        f"{key}_p50": st.p50,
                        f"{key}_p90": st.p90,
                    }
                row["on_time"] = m["on_time_share"].mean
                rows.append(row)
    cols = [Col("segment", "Segment"), Col("cohort", "Cohort")]
    if exps and exps[0][0] is not None:
        cols.insert(0, Col("scenario", "Scenario"))
    for key, name in _RETENTION:
        cols += [
            Col(key, f"{name} mean", "pct"),
            Col(f"{key}_p10", f"{name} P10", "pct"),
            Col(f"{key}_p50", f"{name} P50", "pct"),
            Col(f"{key}_p90", f"{name} P90", "pct"),
        ]
    cols.append(Col("on_time", "On-time touches", "pct"))
    n = exps[0][1].replications if exps else 0
    note = f"Mean and P10/P50/P90 across {n} replications (P10: 1 in 10 outcomes is lower)."
    if any_new:
        note += (
            " New logos: GRR and NRR against each logo's ARR at arrival; logo churn is the "
            "expected churn per renewal of a new logo; blank when no new logo came up for "
            "renewal within the plan."
        )
    return Block("Retention over the plan", cols, rows, note=note, name="retention")


def arr_block(exps: Sequence[tuple[str | None, Experiment]]) -> Block:
    keys = (
        "arr_start",
        "churned_arr",
        "contraction_arr",
        "expansion_arr",
        "new_arr",
        "arr_end",
    )
    rows = []
    for label, exp in exps:
        for seg, m in exp.stats().items():
            rows.append({"scenario": label, "segment": seg} | {k: m[k].mean for k in keys})
    cols = [Col("segment", "Segment")]
    if exps and exps[0][0] is not None:
        cols.insert(0, Col("scenario", "Scenario"))
    cols += [Col(k, metric(k).label, metric(k).fmt, 14) for k in keys]
    return Block(
        "ARR bridge (mean over replications)",
        cols,
        rows,
        note="ARR at end = start - churned - contraction + expansion + new.",
        name="arr",
    )


def _mean_ci_cols(name: str) -> list[Col]:
    """Columns ``NAME`` (mean), ``NAME_low`` and ``NAME_high`` (95% CI) of a frontier row."""
    m = metric(name)
    return [
        Col(name, f"{m.column} mean", m.fmt),
        Col(f"{name}_low", f"{m.column} 95% low", m.fmt),
        Col(f"{name}_high", f"{m.column} 95% high", m.fmt),
    ]


def _frontier_block(rows: Sequence[dict[str, Any]], title: str, note: str = "") -> Block:
    cols = [
        Col("team", "Team"),
        Col("csms", "CSMs", "int"),
        Col("people_cost", "People cost / yr", "money", 14),
        *_mean_ci_cols("grr"),
        Col("nrr", f"{metric('nrr').column} mean", metric("nrr").fmt),
        *_mean_ci_cols("on_time_share"),
        Col("utilisation", "Utilisation", "pct"),
        Col("arr_at_risk", "ARR at risk / yr", "money", 14),
    ]
    return Block(title, cols, list(rows), note=note, name="frontier")


def frontier_sheet(rows: Sequence[dict[str, Any]], note: str = "") -> Sheet:
    return Sheet(
        "Frontier",
        [_frontier_block(rows, "Headcount frontier: the plan at each headcount", note)],
        charts=[
            Chart(
                "line",
                "On-time touches by headcount",
                "frontier",
                "csms",
                ["on_time_share"],
                "On-time share",
                "CSMs",
                "pct",
                series_by="team",
            ),
            Chart(
                "line",
                "GRR by headcount",
                "frontier",
                "csms",
                ["grr"],
                "GRR",
                "CSMs",
                "pct",
                series_by="team",
            ),
        ],
    )


def summary_charts(series_by: str | None = None) -> list[Chart]:
    """Native charts of a Summary: headcount (plan vs required) and ARR by segment; with
    ``series_by`` (several scenarios), one series per scenario."""
    arr_values, arr_title = (
        (["arr_start", "arr_end"], "ARR by segment: start vs end (mean)")
        if series_by is None
        else (["arr_end"], "ARR at end by segment and scenario (mean)")
    )
    return [
        Chart(
            "column",
            "Headcount by segment: plan vs required",
            "headcount",
            "segment",
            ["current", "required"],
            "CSMs",
            y_format="int",
            series_by=series_by,
        ),
        Chart(
            "column",
            arr_title,
            "arr",
            "segment",
            arr_values,
            "ARR",
            y_format="money",
            series_by=series_by,
        ),
    ]


def plan_intro(exp: Experiment, what: str) -> list[str]:
    s = exp.scenario
    return [
        f"{s.name}: {what}",
        f"{exp.replications} replications, root seed {exp.root_seed}, {s.horizon_days}-day plan "
        f"from {s.start_date:%d %b %Y}"
        + (
            f" after a {s.resolved_burn_in_days:.0f}-day burn-in (simulated, not reported)"
            if s.resolved_burn_in_days > 0
            else " with no burn-in (no history at day 0)"
        )
        + f"; amounts in {s.currency}, per year unless stated.",
    ]
