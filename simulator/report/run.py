"""Rendering an experiment: a per-segment table of headline metrics with 95% CIs."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.analysis.experiment import Experiment, MetricStats
from simulator.metrics import metric
from simulator.report.formatting import json_safe, money, money_interval, num, pct
from simulator.report.saved import tidy_csv


def _point(st: MetricStats) -> bool:
    """True when the interval is a single point (or there is no interval to show)."""
    return st.n < 2 or st.high == st.low


def ci_pct(st: MetricStats, digits: int = 1) -> str:
    """``93.4% [92.8, 94.0]`` (a single value when the interval is a single point).

    The interval is shown as :func:`~simulator.analysis.intervals.summarise` made it:
    for a metric summarised with its feasible range it already lies inside the range
    (a share in [0, 100%]), so nothing is clipped here.
    """
    if st.n == 0 or math.isnan(st.mean):
        return "-"
    if _point(st):
        return pct(st.mean, digits)
    return f"{100 * st.mean:.{digits}f}% [{100 * st.low:.{digits}f}, {100 * st.high:.{digits}f}]"


def ci_num(st: MetricStats, digits: int = 0) -> str:
    """``1,234 [1,100, 1,350]`` (a single value when the interval is a single point);
    the interval is shown as it was made, inside the metric's range (nothing clipped)."""
    if st.n == 0 or math.isnan(st.mean):
        return "-"
    if _point(st):
        return num(st.mean, digits)
    return f"{num(st.mean, digits)} [{num(st.low, digits)}, {num(st.high, digits)}]"


def ci_money(st: MetricStats, currency: str) -> str:
    """``$1.30M [$1.07M, $1.54M]``: both ends with the symbol and the mean's scale and
    digits (:func:`~simulator.report.formatting.money_interval`)."""
    if st.n == 0 or math.isnan(st.mean):
        return "-"
    if _point(st):
        return money(st.mean, currency)
    return money_interval(st.mean, st.low, st.high, currency)


def ci_text(st: MetricStats, name: str, currency: str, digits: int | None = None) -> str:
    """A metric's mean [95% CI] in its unit: a share as ``93.4% [92.8, 94.0]``, money as
    ``$1.30M [$1.07M, $1.54M]``, anything else as ``1,234 [1,100, 1,350]``."""
    unit = metric(name).unit
    if unit == "share":
        return ci_pct(st, 1 if digits is None else digits)
    if unit == "money":
        return ci_money(st, currency)
    return ci_num(st, 0 if digits is None else digits)


def mean_text(st: MetricStats, name: str, currency: str) -> str:
    """A metric's mean alone: money compact (``$1.2M``), a ratio to 3 decimals, else a count."""
    unit = metric(name).unit
    if unit == "money":
        return money(st.mean, currency)
    if unit == "ratio":
        return "-" if math.isnan(st.mean) else f"{st.mean:.3f}"
    return num(st.mean)


RUN_COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("headcount", 1),
    ("on_time_share", None),
    ("delivered_share", None),
    ("utilisation", None),
    ("backlog_end", None),
    ("logo_churn", None),
    ("grr", None),
    ("nrr", None),
    ("arr_end", None),
)
"""Headline columns of ``cssim run`` (metric, digits; None: the unit's default)."""

WORK_COLUMNS: tuple[str, ...] = (
    "touches_requested",
    "touches_on_time",
    "touches_late",
    "touches_missed",
    "hours_demanded",
    "hours_delivered",
    "hours_unscheduled",
    "people_cost",
    "automation_cost",
    "cost_per_retained_arr",
)
"""Means in the work and cost table of ``cssim run``."""

SWEEP_COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("headcount", 1),
    ("on_time_share", None),
    ("utilisation", None),
    ("expected_logo_churn", 2),
    ("grr", None),
)
"""Columns of a sweep shown as mean [95% CI]; people cost follows as a mean."""


FEW_REPLICATIONS = 5
"""Below this many replications the report says its intervals are too wide to read."""


def few_replications_note(n: int) -> str:
    """A warning for intervals from fewer than :data:`FEW_REPLICATIONS` replications
    (the t quantile is 12.7 at 2, 4.3 at 3, 3.2 at 4), else ``""``."""
    if n >= FEW_REPLICATIONS or n < 2:
        return ""
    from simulator.analysis.intervals import t_quantile

    q = t_quantile(n)  # as the intervals use it
    return (
        f"With {n} replications the 95% intervals are very wide (t quantile {q:.1f}; on "
        "the log and logit scales of bounded metrics they can span most of the range): "
        "simulate 10 or more before reading them."
    )


def run_renderable(exp: Experiment, detail: bool = False) -> Group:
    """Terminal tables for an experiment."""
    s = exp.scenario
    stats = exp.stats()
    teams = exp.team_stats()
    cur = s.currency
    title = (
        f"{s.name}: {exp.replications} replications, seed {exp.root_seed}, "
        f"{s.horizon_days}-day plan (mean [95% CI])"
    )
    t = Table(title=title, title_justify="left")
    t.add_column("Segment", justify="left")
    for name, _ in RUN_COLUMNS:
        t.add_column(metric(name).column, justify="right")
    for seg, m in stats.items():
        t.add_row(seg, *(ci_text(m[name], name, cur, digits) for name, digits in RUN_COLUMNS))
    parts: list[Any] = [t]
    c = Table(title="Work and cost per segment (mean over replications)", title_justify="left")
    c.add_column("Segment", justify="left")
    for name in WORK_COLUMNS:
        c.add_column(metric(name).column, justify="right")
    for seg, m in stats.items():
        c.add_row(seg, *(mean_text(m[name], name, cur) for name in WORK_COLUMNS))
    parts.append(c)
    cohorts = cohort_table(stats, cur)
    if cohorts is not None:
        parts.append(cohorts)
    lines = []
    for team, m in teams.items():
        lines.append(
            f"{team}: utilisation {ci_pct(m['utilisation'])}, {m['headcount'].mean:.1f} CSMs on average "
            f"({m['fte'].mean:.1f} FTE after ramp), {num(m['hours_available'].mean)} customer hours available."
        )
    few = few_replications_note(exp.replications)
    if few:
        lines.append(few)
    if exp.precision is not None:
        pr = exp.precision
        reached = ", ".join(f"{m} {100 * v:.1f}%" for m, v in pr.reached.items())
        verdict = "met" if pr.met else "NOT met (raise --max-replications)"
        lines.append(
            f"precision target +-{100 * pr.target:g}% of the mean {verdict} after "
            f"{exp.replications} replications; worst half-widths: {reached}."
        )
    parts.append(Text("\n".join(lines)))
    from simulator.report.verdict import verdict_lines

    verdicts = verdict_lines(exp)
    from simulator.report.value import value_renderable  # it imports the formatters above

    value = value_renderable(exp)
    if value is not None:
        parts.append(value)
    if detail:
        d = Table(title="Touchpoint delivery by type (mean per replication)", title_justify="left")
        for col in ["Segment", "Touchpoint", "Requested", "On time", "Late", "Missed", "Open"]:
            d.add_column(col, justify="left" if col in ("Segment", "Touchpoint") else "right")
        for row in exp.touch_stats():
            d.add_row(
                row["segment"],
                row["touchpoint"],
                num(row["requested"], 1),
                num(row["on_time"], 1),
                num(row["late"], 1),
                num(row["missed"], 1),
                num(row["open"], 1),
            )
        parts.append(d)
    if verdicts:
        parts.append(Text("Verdict", style="bold"))
        parts.append(Text("\n".join(verdicts)))
    return Group(*parts)


COHORT_ROWS: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    ("starting book", ("accounts_start", "expected_logo_churn", "grr", "nrr")),
    ("new logos", ("new_accounts", "new_renewal_churn", "new_grr", "new_nrr")),
)
"""Retention by cohort: (cohort, (accounts, expected churn, GRR, NRR metrics))."""


def cohort_table(stats: dict[str, dict[str, MetricStats]], currency: str) -> Table | None:
    """Retention of the starting book and of the plan's new logos, when there are new logos.

    The new logos' expected churn is per renewal of a new logo (their first renewals come
    within the plan only when it is longer than a contract term); their GRR and NRR are
    against each logo's ARR at arrival. None when no segment has new logos.
    """
    if not any(m["new_accounts"].mean > 0 for m in stats.values()):
        return None
    t = Table(
        title="Retention by cohort (mean [95% CI]; new logos' churn per renewal)",
        title_justify="left",
    )
    for col in ("Segment", "Cohort", "Accounts", "Expected churn", "GRR", "NRR"):
        t.add_column(col, justify="left" if col in ("Segment", "Cohort") else "right")
    for seg, m in stats.items():
        for cohort, (n, churn, grr, nrr) in COHORT_ROWS:
            if m[n].mean <= 0:
                continue
            t.add_row(
                seg,
                cohort,
                num(m[n].mean),
                *(
                    ci_text(m[k], k, currency, 1 if k != grr and k != nrr else None)
                    for k in (churn, grr, nrr)
                ),
            )
    return t


def run_csv(exp: Experiment) -> str:
    """Tidy CSV: one row per segment and metric (mean, CI, quantiles)."""
    return tidy_csv(exp.rows())


def run_json(exp: Experiment) -> str:
    """JSON: scenario, seed, replications, tidy metric rows, touch delivery and the value
    section (:func:`simulator.report.value.value_json`)."""
    from simulator.report.value import value_json  # it imports the formatters above

    data = {
        "scenario": exp.scenario.name,
        "root_seed": exp.root_seed,
        "replications": exp.replications,
        "precision": None
        if exp.precision is None
        else {
            "target": exp.precision.target,
            "met": exp.precision.met,
            "reached": exp.precision.reached,
        },
        "metrics": json_safe(exp.rows()),
        "touchpoints": exp.touch_stats(),
        "value": json_safe(value_json(exp)),
    }
    return json.dumps(data, indent=2) + "\n"


def sweep_renderable(sw: Any) -> Group:
    """One row per grid point and segment: headline metrics as mean [95% CI]."""
    t = Table(
        title=f"Sweep over {', '.join(sw.paths)}: {sw.experiments[0].replications} replications per point "
        "(same seeds at every point)",
        title_justify="left",
    )
    for p in sw.paths:
        t.add_column(p.split(".")[-1] if len(sw.paths) > 1 else p, justify="right")
    t.add_column("Segment", justify="left")
    for name, _ in SWEEP_COLUMNS:
        t.add_column(metric(name).column, justify="right")
    t.add_column(metric("people_cost").column, justify="right")
    for point, exp in zip(sw.points, sw.experiments, strict=True):
        cur = exp.scenario.currency
        for seg, m in exp.stats().items():
            t.add_row(
                *point,
                seg,
                *(ci_text(m[name], name, cur, digits) for name, digits in SWEEP_COLUMNS),
                mean_text(m["people_cost"], "people_cost", cur),
            )
    return Group(t)
