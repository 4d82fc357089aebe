"""The true parameters of a synthetic timesheet: activities, their hours and their rates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from simulator.synthetic.stats import lognormal_params

__all__ = ["DEFAULT_ACTIVITIES", "ActivityTruth", "Kind", "TimesheetTruth"]

Kind = Literal["scheduled", "unscheduled", "internal"]


@dataclass(frozen=True)
class ActivityTruth:
    """One timesheet activity and the true hours of one entry of it.

    Attributes
    ----------
    name
        Activity as written in the "Activity" column.
    kind
        ``"scheduled"`` (a planned touchpoint), ``"unscheduled"`` (customer work outside
        the plan) or ``"internal"`` (no account).
    weight
        Relative frequency among the entries of its kind (dimensionless).
    mean_hours
        Mean of the lognormal hours of one entry before rounding (hours).
    cv
        Coefficient of variation of those hours (dimensionless).
    stages
        Lifecycle stages (at the entry date) of the accounts it is logged against; empty
        for any stage. Ignored for internal activities.
    segments
        Segments of those accounts; empty for any segment.
    arr_power
        Among the accounts that fit, one is drawn with probability proportional to
        ``ARR ** arr_power`` (0: uniformly; 0.5: larger accounts more often, less than in
        proportion to their ARR).
    """

    name: str
    kind: Kind
    weight: float
    mean_hours: float
    cv: float
    stages: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    arr_power: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("scheduled", "unscheduled", "internal"):
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.weight <= 0 or self.mean_hours <= 0 or self.cv < 0:
            raise ValueError(f"{self.name}: weight and mean_hours must be > 0, cv >= 0")


DEFAULT_ACTIVITIES: tuple[ActivityTruth, ...] = (
    # Scheduled touchpoints; hours from docs/assumptions.md#touchpoint-hours.
    ActivityTruth("Kickoff", "scheduled", 0.08, 6.0, 0.25, ("Onboarding",)),  # 4-8 h
    ActivityTruth("Onboarding session", "scheduled", 0.15, 2.5, 0.3, ("Onboarding",)),
    ActivityTruth("Training", "scheduled", 0.10, 5.0, 0.3, ("Onboarding", "Adoption")),  # ~5
    ActivityTruth("Health check", "scheduled", 0.35, 1.0, 0.3),  # 1 h (30 min + 30 min prep)
    ActivityTruth("QBR", "scheduled", 0.15, 3.0, 0.3, (), ("Mid-Market", "Enterprise")),  # 2-3
    ActivityTruth("EBR", "scheduled", 0.05, 4.0, 0.25, (), ("Enterprise",)),  # 4 h
    ActivityTruth("Renewal call", "scheduled", 0.12, 1.5, 0.4, ("Renewal",)),  # 1 commercial
    # Unscheduled customer work (assumption: short and frequent, escalations longer; larger
    # accounts ask more, weight sqrt(ARR), so each segment's uplift stays near the total).
    ActivityTruth("Ad hoc request", "unscheduled", 0.50, 0.75, 0.5, arr_power=0.5),
    ActivityTruth("Email follow-up", "unscheduled", 0.35, 0.5, 0.5, arr_power=0.5),
    ActivityTruth("Escalation", "unscheduled", 0.15, 2.0, 0.5, arr_power=0.5),
    # Internal time (assumption).
    ActivityTruth("Internal meeting", "internal", 0.45, 1.0, 0.4),
    ActivityTruth("Admin", "internal", 0.35, 0.75, 0.5),
    ActivityTruth("Enablement", "internal", 0.20, 1.5, 0.4),
)
"""Default activities of the synthetic timesheet."""


@dataclass(frozen=True)
class TimesheetTruth:
    """The true parameters of the synthetic timesheet.

    Every CSM logs every working day (Monday-Friday, no holidays) of the ``weeks`` full
    weeks ending on the last Friday on or before ``Truth.as_of``. On each day the number
    of entries of each kind is ``floor(r) + Bernoulli(r - floor(r))``, ``r`` the kind's
    expected entries per day (:meth:`entries_per_day`); each entry's activity is drawn
    by ``weight`` within its kind, and its hours from the activity's lognormal, rounded
    to the nearest ``hour_step`` (at least one step). Customer entries name an active
    account (signed on or before the entry date) of the CSM's book, whose lifecycle
    stage on that date and segment fit the activity (drawn with weight
    ``ARR ** arr_power``); books are an even random split of the active accounts. A
    person logs an activity at most once per account and day.

    The rates are set so that in expectation a CSM logs ``hours_per_day`` hours a day,
    a share ``customer_share`` of them on accounts, and customer hours are ``uplift``
    times the scheduled hours.

    Attributes
    ----------
    csms
        Number of CSMs logging time.
    weeks
        Weeks of working days covered.
    hours_per_day
        Expected hours logged per CSM per working day (hours).
    customer_share
        Expected customer hours over all logged hours (docs/assumptions.md#capacity: 0.63).
    uplift
        Expected (scheduled + unscheduled customer hours) / scheduled hours
        (docs/assumptions.md#unscheduled-work: x1.75 enterprise, x1.56 mid-market).
    hour_step
        Hours are rounded to a multiple of this (hours).
    activities
        The activities and their hours.
    seed
        Default seed of :func:`generate_timesheet`.
    """

    csms: int = 9
    weeks: int = 6
    hours_per_day: float = 8.0
    customer_share: float = 0.63
    uplift: float = 1.70
    hour_step: float = 0.25
    activities: tuple[ActivityTruth, ...] = DEFAULT_ACTIVITIES
    seed: int = 20261101

    def __post_init__(self) -> None:
        if self.csms < 1 or self.weeks < 1:
            raise ValueError("csms and weeks must be >= 1")
        if self.hours_per_day <= 0 or self.hour_step <= 0:
            raise ValueError("hours_per_day and hour_step must be > 0")
        if not 0.0 < self.customer_share <= 1.0:
            raise ValueError("customer_share must be in (0, 1]")
        if self.uplift < 1.0:
            raise ValueError("uplift must be >= 1 (customer hours include the scheduled ones)")
        for kind in ("scheduled", "unscheduled", "internal"):
            if self.kind_hours(kind) > 0 and not self.of_kind(kind):
                raise ValueError(f"{kind} hours are expected but no activity is {kind}")
        names = [a.name for a in self.activities]
        if len(set(names)) != len(names):
            raise ValueError("activity names must be unique")

    def of_kind(self, kind: Kind) -> tuple[ActivityTruth, ...]:
        """The activities of one kind."""
        return tuple(a for a in self.activities if a.kind == kind)

    def activity(self, name: str) -> ActivityTruth:
        """The activity called ``name``."""
        for a in self.activities:
            if a.name == name:
                return a
        raise KeyError(name)

    def kind_hours(self, kind: Kind) -> float:
        """Expected hours of one kind per CSM per working day (hours)."""
        customer = self.hours_per_day * self.customer_share
        scheduled = customer / self.uplift
        return {
            "scheduled": scheduled,
            "unscheduled": customer - scheduled,
            "internal": self.hours_per_day - customer,
        }[kind]

    def expected_hours(self, name: str) -> float:
        """Expected hours of one logged entry of an activity, after rounding (hours).

        Within a fraction of a percent of ``mean_hours``; exact for the generated data.
        """
        a = self.activity(name)
        step = self.hour_step
        if a.cv == 0:
            return step * max(1.0, round(a.mean_hours / step))
        mu, s = lognormal_params(a.mean_hours, a.cv)

        def sf(x: float) -> float:
            return 0.5 * math.erfc((math.log(x) - mu) / (s * math.sqrt(2.0)))

        # P(rounded = step) = P(X < 1.5 step); P(rounded = k step) = sf((k-.5)s) - sf((k+.5)s)
        total = step * (1.0 - sf(1.5 * step))
        k = 2
        while True:
            lo, hi = sf((k - 0.5) * step), sf((k + 0.5) * step)
            total += k * step * (lo - hi)
            if hi < 1e-15 or k > 1_000_000:
                return total
            k += 1

    def share_within_kind(self, name: str) -> float:
        """Probability that an entry of the activity's kind is this activity."""
        a = self.activity(name)
        return a.weight / sum(b.weight for b in self.of_kind(a.kind))

    def entries_per_day(self, kind: Kind) -> float:
        """Expected entries of one kind per CSM per working day."""
        acts = self.of_kind(kind)
        if not acts:
            return 0.0
        total_w = sum(a.weight for a in acts)
        per_entry = sum(a.weight * self.expected_hours(a.name) for a in acts) / total_w
        return self.kind_hours(kind) / per_entry
