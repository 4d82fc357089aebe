"""How a tradeoff scores a change: the hours it frees (closed form, split by kind) and the
net value it costs (simulated, paired with today's plan on common random numbers).

Hours freed are the closed form's (:func:`simulator.analysis.analytic.estimate`):

- **scheduled**: the touchpoint's own CSM hours (sessions for one_to_many, none when
  automated or skipped);
- **tied ad hoc**: the unscheduled work that scales with scheduled hours
  (``unscheduled_uplift - 1`` hours per scheduled hour): it goes when the touch goes;
- **inbound**: CSM-routed inbound requests that a routing change sends to support.

Net value is per replication (:func:`simulator.analysis.value.net_value`, horizon form:
margin on expected revenue, the ARR held at the end valued over the valuation years, less
people, automation and support cost). The score of a change is its net value against
today's plan at today's headcount *before people cost*, per CSM hour freed over the
evaluation horizon: every candidate runs at the offered headcount, so people cost is the
same for all of them and the score is the retention value (net of automation and support
cost) lost per hour freed. Closer to zero (or above it) is better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulator.analysis.analytic import Estimate
from simulator.analysis.compare import Difference, paired_difference
from simulator.analysis.experiment import Experiment
from simulator.analysis.tradeoff_changes import Change
from simulator.analysis.value import net_value_draws

__all__ = ["Hours", "Scored", "net_values", "paired", "people_costs", "team_hours"]


@dataclass(frozen=True)
class Hours:
    """CSM hours a year of a team's segments by kind (closed form), or hours freed."""

    scheduled: float
    adhoc: float
    """Unscheduled work tied to the scheduled hours (the uplift on them)."""
    inbound: float
    """Inbound requests routed to CSMs."""

    @property
    def total(self) -> float:
        """All three."""
        return self.scheduled + self.adhoc + self.inbound

    def __sub__(self, other: Hours) -> Hours:
        return Hours(
            self.scheduled - other.scheduled,
            self.adhoc - other.adhoc,
            self.inbound - other.inbound,
        )


def team_hours(est: Estimate, segments: list[str]) -> Hours:
    """Scheduled, tied ad hoc and inbound CSM hours a year of ``segments``."""
    years = est.horizon_days / 365.0
    sched = adhoc = inbound = 0.0
    for name in segments:
        e = est.segment(name)
        sched += e.scheduled_hours_per_account * e.account_years / years
        adhoc += e.residual_unscheduled_hours_per_account * e.account_years / years
        inbound += e.inbound_hours_per_account * e.account_years / years
    return Hours(sched, adhoc, inbound)


def net_values(exp: Experiment, segments: list[str]) -> np.ndarray:
    """Horizon net value of each replication of ``exp`` over ``segments`` (currency)."""
    return net_value_draws(exp.scenario, [r.segments for r in exp.results], segments)[1]


def people_costs(exp: Experiment, segments: list[str]) -> np.ndarray:
    """People cost of ``segments`` in each replication of ``exp`` (currency)."""
    return np.array([sum(r.segments[x]["people_cost"] for x in segments) for r in exp.results])


def paired(name: str, metric: str, a: np.ndarray, b: np.ndarray) -> Difference:
    """Paired difference b - a over the replications both have (the first ones).

    A plain paired t interval (:func:`~simulator.analysis.compare.paired_difference`):
    the GRR and churn differences scored here are a few percentage points, far inside
    the [-1, 1] a difference of shares can reach, and money differences are signed.
    """
    k = min(len(a), len(b))
    return paired_difference(name, metric, a[:k], b[:k])


@dataclass
class Scored:
    """A change, or a plan of changes, evaluated at the offered headcount."""

    changes: list[Change]
    fte: float
    freed: Hours
    """CSM hours a year the changes free (closed form), by kind."""
    net_value: Difference
    """Horizon net value against today's plan at today's headcount (paired; currency)."""
    value_change: Difference
    """The same before people cost: retention value less automation and support cost."""
    arr_at_risk: Difference
    """ARR at risk a year against today's plan at today's headcount (paired)."""
    grr: Difference
    expected_logo_churn: Difference
    years: float = 1.0
    """The evaluation horizon in years (the hours behind the score)."""
    experiment: Experiment | None = field(default=None, repr=False, compare=False)
    """The replications at the offered headcount with the changes made."""
    values: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)
    """Horizon net value of each of those replications (currency)."""

    @property
    def label(self) -> str:
        """The changes, joined."""
        return "; ".join(c.label for c in self.changes) or "(no change)"

    @property
    def hours_freed(self) -> float:
        """CSM hours freed a year, all kinds."""
        return self.freed.total

    @property
    def score(self) -> float:
        """Net value (before people cost) against today per CSM hour freed over the
        evaluation horizon (currency per hour; higher is better; -inf: frees nothing)."""
        if self.freed.total <= 0:
            return -math.inf
        return self.value_change.mean / (self.freed.total * self.years)

    @property
    def replications(self) -> int:
        """Replications behind the scores."""
        return len(self.values)
