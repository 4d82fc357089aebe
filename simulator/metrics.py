"""The registry of reported metrics: every metric a run reports, defined once.

A :class:`Metric` names a per-replication value of the engine's segment summary
(``Records.summary()``) and says how people read it: its label, unit, which direction
is better and its number format. Summaries, comparisons, the precision rule, the
solver's targets, the frontier, the terminal tables, Excel and HTML all look metrics up
here. The module imports nothing from the package, so every layer (the scenario
language included) may use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COMPARED",
    "FRONTIER",
    "HEADLINE",
    "METRICS",
    "PRECISION",
    "UNBOUNDED",
    "Metric",
    "bounds_of",
    "by_target",
    "metric",
]

Better = Literal["higher", "lower"] | None
Unit = Literal["share", "money", "count", "hours", "csms", "ratio"]
Bounds = tuple[float, float]

UNBOUNDED: Bounds = (-math.inf, math.inf)
"""The range of a signed quantity (a difference, a net value): no bound."""

_UNIT_BOUNDS: dict[str, Bounds] = {"share": (0.0, 1.0)}
"""Feasible range by unit when a metric does not give its own; every other unit (money,
count, hours, csms, ratio) is a total or a quotient of totals that cannot be negative,
[0, inf)."""


@dataclass(frozen=True)
class Metric:
    """One reported metric.

    Attributes
    ----------
    name
        Key in the engine's per-segment summary (``grr``).
    label
        Reader's name in tables (``Gross revenue retention``).
    unit
        ``share`` (a fraction 0-1), ``money`` (currency over the plan), ``count``,
        ``hours``, ``csms`` (people) or ``ratio`` (dimensionless).
    better
        ``higher``, ``lower``, or None when neither is better (utilisation).
    fmt
        Table number format (see :class:`simulator.report.layout.Col`).
    short
        Name inside a sentence (``on-time touches``); the label when empty.
    header
        Terminal column header (``On time``); the label when empty.
    weight
        For a share, the metric it is weighted by when segments are pooled into a team
        (``arr_start`` for GRR); None for totals, which are summed.
    target
        The scenario's target (``segments.*.targets``) that bounds this metric, if any.
    bounds
        Feasible range ``(low, high)`` of a replication's value, which its confidence
        interval must respect (:func:`simulator.analysis.intervals.summarise`). None
        (the default) takes the unit's: a share of a whole (GRR, on-time share, churn)
        in [0, 1]; money, counts, hours, CSMs and ratios, which cannot be negative, in
        [0, inf). Net retention (NRR), a share that can pass 100%, gives (0, inf);
        a signed quantity gives :data:`UNBOUNDED`.
    """

    name: str
    label: str
    unit: Unit
    better: Better
    fmt: str
    short: str = ""
    header: str = ""
    weight: str | None = None
    target: str | None = None
    bounds: Bounds | None = None

    @property
    def feasible(self) -> Bounds:
        """The feasible range of the metric: :attr:`bounds`, or its unit's."""
        if self.bounds is not None:
            return self.bounds
        return _UNIT_BOUNDS.get(self.unit, (0.0, math.inf))

    @property
    def phrase(self) -> str:
        """The name inside a sentence."""
        return self.short or self.label

    @property
    def column(self) -> str:
        """The terminal column header."""
        return self.header or self.label

    @property
    def difference_unit(self) -> str:
        """Unit of a difference of two values: ``pp`` (percentage points) for shares."""
        return {"share": "pp", "money": "money", "hours": "hours"}.get(self.unit, "count")


_M = Metric
METRICS: tuple[Metric, ...] = (
    _M("accounts_start", "Accounts at start", "count", None, "int"),
    _M("arr_start", "ARR at start", "money", None, "money"),
    _M("new_accounts", "New accounts", "count", "higher", "num1"),
    _M("new_arr", "New ARR", "money", "higher", "money"),
    _M("accounts_end", "Accounts at end", "count", "higher", "num1"),
    _M("arr_end", "ARR at end", "money", "higher", "money", "ARR at the end", "ARR end"),
    _M("churned_logos", "Churned accounts", "count", "lower", "num1"),
    _M("churned_arr", "Churned ARR", "money", "lower", "money"),
    _M(
        "logo_churn",
        "Logo churn (starting accounts)",
        "share",
        "lower",
        "pct",
        "logo churn",
        "Logo churn",
        weight="accounts_start",
        target="logo_churn",
    ),
    _M(
        "expected_logo_churn",
        "Expected logo churn (starting accounts)",
        "share",
        "lower",
        "pct",
        "expected logo churn",
        "Exp. logo churn",
        weight="accounts_start",
    ),
    _M(
        "arr_at_risk",
        "ARR at risk (expected churned ARR)",
        "money",
        "lower",
        "money",
        "ARR at risk",
    ),
    _M(
        "expected_arr_end",
        "Expected ARR at end (churn at its probability)",
        "money",
        "higher",
        "money",
        "expected ARR at the end",
        "Exp. ARR end",
    ),
    _M("revenue", "Revenue over the plan", "money", "higher", "money", "revenue", "Revenue"),
    _M(
        "expected_revenue",
        "Expected revenue over the plan (churn at its probability)",
        "money",
        "higher",
        "money",
        "expected revenue",
        "Exp. revenue",
    ),
    _M(
        "account_years",
        "Account-years served in the plan",
        "count",
        None,
        "num1",
        "account-years served",
        "Account-years",
    ),
    _M("expansion_arr", "Expansion ARR", "money", "higher", "money"),
    _M("contraction_arr", "Contraction ARR", "money", "lower", "money"),
    _M(
        "grr",
        "Gross revenue retention (starting book)",
        "share",
        "higher",
        "pct",
        "GRR",
        "GRR",
        weight="arr_start",
        target="grr",
    ),
    _M(
        "nrr",
        "Net revenue retention (starting book)",
        "share",
        "higher",
        "pct",
        "NRR",
        "NRR",
        weight="arr_start",
        target="nrr",
        bounds=(0.0, math.inf),
    ),
    _M(
        "csm_book_nrr",
        "Book NRR of the median CSM",
        "share",
        "higher",
        "pct",
        "the median CSM's book NRR",
        "CSM book NRR",
        target="csm_book_nrr",
        bounds=(0.0, math.inf),
    ),
    _M(
        "csm_quota_attainment",
        "CSMs at or above their NRR quota",
        "share",
        "higher",
        "pct",
        "CSMs at quota",
        "At quota",
        target="csm_quota_attainment",
    ),
    # new-logo cohorts: the accounts that arrived during the plan, each measured against
    # its ARR at arrival (simulator.engine.retention.new_logo_cohort)
    _M(
        "new_logo_churn",
        "Logo churn (new logos)",
        "share",
        "lower",
        "pct",
        "new-logo churn",
        "New logo churn",
        weight="new_accounts",
    ),
    _M(
        "new_expected_logo_churn",
        "Expected logo churn (new logos)",
        "share",
        "lower",
        "pct",
        "expected new-logo churn",
        "New exp. churn",
        weight="new_accounts",
    ),
    _M("new_renewals", "Renewals of new logos", "count", None, "num1", header="New renewals"),
    _M(
        "new_renewal_churn",
        "Expected churn per renewal of a new logo",
        "share",
        "lower",
        "pct",
        "expected churn at a new logo's renewal",
        "New churn / renewal",
        weight="new_renewals",
    ),
    _M(
        "new_grr",
        "Gross revenue retention (new logos)",
        "share",
        "higher",
        "pct",
        "new-logo GRR",
        "New GRR",
        weight="new_arr",
    ),
    _M(
        "new_nrr",
        "Net revenue retention (new logos)",
        "share",
        "higher",
        "pct",
        "new-logo NRR",
        "New NRR",
        weight="new_arr",
        bounds=(0.0, math.inf),
    ),
    _M("touches_requested", "Touches requested", "count", None, "num1", header="Touches"),
    _M("touches_on_time", "Touches on time", "count", "higher", "num1", header="On time"),
    _M("touches_late", "Touches late", "count", "lower", "num1", header="Late"),
    _M("touches_missed", "Touches missed", "count", "lower", "num1", header="Missed"),
    _M("touches_open", "Touches open at end", "count", "lower", "num1"),
    _M("touches_skipped", "Touches skipped (cut)", "count", None, "num1"),
    _M(
        "on_time_share",
        "On-time share of resolved touches",
        "share",
        "higher",
        "pct",
        "on-time touches",
        "On time",
        weight="touches_requested",
        target="on_time_coverage",
    ),
    _M(
        "delivered_share",
        "Delivered share of resolved touches",
        "share",
        "higher",
        "pct",
        header="Delivered",
    ),
    _M(
        "hours_demanded",
        "CSM hours demanded",
        "hours",
        None,
        "num0",
        "CSM hours demanded",
        "CSM h demanded",
    ),
    _M("hours_delivered", "CSM hours delivered", "hours", None, "num0", header="CSM h delivered"),
    _M("hours_missed", "CSM hours missed", "hours", "lower", "num0"),
    _M(
        "hours_unscheduled",
        "Unscheduled CSM hours delivered",
        "hours",
        None,
        "num0",
        header="Unsched h",
    ),
    _M("adhoc_tasks", "Ad hoc (unscheduled) tasks", "count", None, "num1", header="Ad hoc"),
    _M(
        "adhoc_dropped",
        "Ad hoc work dropped (share of ad hoc tasks missed)",
        "share",
        "lower",
        "pct",
        "ad hoc work dropped",
        "Ad hoc dropped",
        weight="adhoc_tasks",
    ),
    _M(
        "peer_covered",
        "Tasks taken by a teammate (peer cover)",
        "count",
        None,
        "num1",
        header="Peer cover",
    ),
    _M("hours_available", "Customer hours available", "hours", None, "num0"),
    _M(
        "utilisation",
        "Utilisation (busy / available)",
        "share",
        None,
        "pct",
        "utilisation",
        "Utilisation",
        target="utilisation",
    ),
    _M("backlog_end", "Open tasks at end", "count", "lower", "num1", header="Backlog end"),
    _M("inbound_requests", "Inbound requests", "count", None, "num1"),
    _M("inbound_to_support", "Inbound requests routed to support", "count", None, "num1"),
    _M("escalations", "Escalations", "count", "lower", "num1"),
    _M("escalations_handled", "Escalations handled in time", "count", "higher", "num1"),
    _M("late_onboardings", "Late onboardings", "count", "lower", "num1"),
    _M("fte", "FTE (after ramp)", "csms", None, "num2"),
    _M("headcount", "CSMs (average headcount)", "csms", None, "num2", "CSMs", "CSMs"),
    _M("people_cost", "People cost", "money", "lower", "money", "people cost", "People cost"),
    _M(
        "automation_cost",
        "Automation cost",
        "money",
        "lower",
        "money",
        "automation cost",
        "Automation",
    ),
    _M(
        "cost_per_retained_arr",
        "Cost per retained ARR dollar",
        "ratio",
        "lower",
        "num3",
        header="Cost / retained $",
    ),
    _M("accounts_per_csm", "Accounts per CSM", "count", None, "num1"),
    _M("arr_per_csm", "ARR per CSM", "money", None, "money"),
)
"""Every per-segment metric of a replication, in the engine summary's order."""

_BY_NAME = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The metric called ``name`` (KeyError naming the known metrics otherwise)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no metric {name!r}; known: {', '.join(_BY_NAME)}") from None


def bounds_of(name: str) -> Bounds:
    """Feasible range of the metric called ``name`` (:attr:`Metric.feasible`);
    :data:`UNBOUNDED` for a name the registry does not hold."""
    m = _BY_NAME.get(name)
    return UNBOUNDED if m is None else m.feasible


def by_target(target: str) -> Metric:
    """The metric a scenario target (``on_time_coverage``, ``grr``, ...) bounds."""
    for m in METRICS:
        if m.target == target:
            return m
    raise KeyError(f"no metric for target {target!r}")


HEADLINE: tuple[str, ...] = ("on_time_share", "utilisation", "logo_churn", "grr", "nrr", "arr_end")
"""Metrics shown first in reports."""

PRECISION: tuple[str, ...] = ("on_time_share", "utilisation", "grr", "nrr", "arr_end")
"""Metrics the precision rule watches: shares and money whose relative precision is
meaningful (logo churn, a small proportion, would need thousands of replications for a
2% relative half-width and is reported with its interval instead)."""

COMPARED: tuple[str, ...] = (
    "headcount",
    "people_cost",
    "on_time_share",
    "utilisation",
    "adhoc_dropped",
    "logo_churn",
    "expected_logo_churn",
    "arr_at_risk",
    "grr",
    "nrr",
    "arr_end",
    "automation_cost",
    "hours_demanded",
)
"""Metrics a comparison pairs, in the order its tables list them."""

FRONTIER: tuple[str, ...] = ("grr", "nrr", "arr_at_risk", "on_time_share", "utilisation")
"""Team-level metrics of a frontier row (each with ``_low``/``_high`` 95% CI bounds)."""
