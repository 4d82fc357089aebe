"""Hiring plan: when each requisition must open so capacity covers demand month by month.

Demand per month comes from the closed form over growing horizons (new accounts,
renewals and their touches included). Capacity per month is every CSM's customer hours
times the availability implied by attrition and backfill, times the ramp of new hires.
Hires are sized on ramped capacity (one CSM per shortfall of a CSM's month, not several
half-ramped ones) and timed to be fully ramped by the month that needs them; the
requisition opens ``hiring_lead_days`` before the start. A requisition that would have to
open before the plan starts is flagged late: capacity stays short until the hire ramps.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

from simulator.analysis.analytic import estimate
from simulator.scenario.lifecycle import DAYS_PER_MONTH
from simulator.scenario.model import Scenario

__all__ = ["HiringPlan", "MonthRow", "Requisition", "hiring_plan", "monthly_demand"]


@dataclass(frozen=True)
class Requisition:
    """One hire: when to open the requisition and when the CSM starts."""

    open_date: dt.date
    start_date: dt.date
    covers_month: int
    """First month (1-based) whose shortfall the hire is for."""
    late: bool
    """The requisition would have had to open before the plan starts."""


@dataclass(frozen=True)
class MonthRow:
    """Demand and capacity of one month (hours)."""

    month: int
    start: dt.date
    demand_hours: float
    capacity_hours: float
    csms: int

    @property
    def utilisation(self) -> float:
        """Demand over capacity."""
        return self.demand_hours / self.capacity_hours if self.capacity_hours else math.inf


@dataclass
class HiringPlan:
    """A team's requisitions and month-by-month demand and capacity."""

    team: str
    segments: list[str]
    current: int
    annual_cost_per_csm: float
    requisitions: list[Requisition] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)

    @property
    def people_cost(self) -> float:
        """People cost of the plan's horizon (CSMs present each month x cost / 12)."""
        return sum(m.csms for m in self.months) * self.annual_cost_per_csm / 12.0

    @property
    def short_months(self) -> list[int]:
        """Months whose capacity still falls short (late requisitions)."""
        return [m.month for m in self.months if m.capacity_hours < m.demand_hours - 1e-6]


def monthly_demand(s: Scenario, team: str, months: int) -> list[float]:
    """CSM hours the team's segments demand in each month (closed form)."""
    keep = s.segments_of(team)
    sub = s.model_copy(update={"segments": {k: s.segments[k] for k in keep}})
    totals = [0.0]
    for m in range(1, months + 1):
        days = max(1, round(m * DAYS_PER_MONTH))
        t = next(
            x
            for x in estimate(sub.model_copy(update={"horizon_days": days})).teams
            if x.team == team
        )
        totals.append(t.demand_hours_per_year * days / 365.0)
    return [b - a for a, b in itertools.pairwise(totals)]


def hiring_plan(s: Scenario, team: str) -> HiringPlan:
    """Requisitions that keep the team's capacity at or above demand in every month.

    Long because the roster, capacity and sizing rules are small closures over the same
    month tables (days per month, ramp, the dated plan); each is documented where it is
    defined, and pulling them apart would only pass those tables around.
    """
    spec = s.all_teams()[team]
    months = max(1, math.ceil(s.horizon_days / DAYS_PER_MONTH))
    demand = monthly_demand(s, team, months)
    # capacity per month in the same days as the demand: months of 30 or 31 days
    per_day = s.calendar.customer_hours_per_year / 365.0 * spec.availability
    bounds = [max(1, round(m * DAYS_PER_MONTH)) if m else 0 for m in range(months + 1)]
    days_in = [b - a for a, b in itertools.pairwise(bounds)]
    ramp = list(spec.ramp)

    def productivity(k: int) -> float:
        return ramp[k] if 0 <= k < len(ramp) else (1.0 if k >= 0 else 0.0)

    planned: list[int] = []  # months the scenario's own hires start (0-based)
    for step in spec.hiring_plan:
        m = int((step.date - s.start_date).days // DAYS_PER_MONTH)
        planned.extend([m] * max(step.change, 0))
    cuts = sorted(
        (int((step.date - s.start_date).days // DAYS_PER_MONTH), -step.change)
        for step in spec.hiring_plan
        if step.change < 0
    )
    starts: list[int] = []  # requisitions' start months
    earliest = math.ceil(spec.hiring_lead_days / DAYS_PER_MONTH)
    requisitions: list[Requisition] = []

    events = sorted([(st, 0, 1) for st in planned] + [(at, 1, n) for at, n in cuts])

    def roster(m: int) -> list[int]:
        """Start months of the scenario's own CSMs in month m (-1: there at the start).

        The dated plan is replayed in order; a cut removes the most recently started CSMs,
        as the engine does. Requisitions opened by this plan are never cut.
        """
        team = [-1] * spec.csms
        for month, kind, n in events:
            if month > m:
                break
            if kind == 0:
                team.append(month)
            else:
                team = sorted(team)[: max(0, len(team) - n)]
        return team

    def present(m: int) -> list[int]:
        """Start months of everyone on the team in month m (planned and requisitioned)."""
        return roster(m) + [st for st in starts if st <= m]

    def capacity(m: int) -> float:
        return (
            per_day
            * days_in[m]
            * sum(productivity(m - st) if st >= 0 else 1.0 for st in present(m))
        )

    def steady(m: int) -> float:
        """Capacity once every hire needed by month m has ramped (sizes the hiring)."""
        ready = max(m, earliest)
        heads = len(roster(m)) + sum(1 for st in starts if st <= ready)
        return per_day * days_in[m] * heads

    for m in range(months):
        while steady(m) < demand[m] - 1e-9:
            # fully ramped by month m if the lead time allows; else as early as it can
            ideal = m - len(ramp)
            start = max(ideal, earliest)
            starts.append(start)
            start_date = s.start_date + dt.timedelta(days=round(start * DAYS_PER_MONTH))
            requisitions.append(
                Requisition(
                    open_date=start_date - dt.timedelta(days=round(spec.hiring_lead_days)),
                    start_date=start_date,
                    covers_month=m + 1,
                    late=start > ideal,
                )
            )
    rows = []
    for m in range(months):
        heads = len(present(m))
        rows.append(
            MonthRow(
                month=m + 1,
                start=s.start_date + dt.timedelta(days=round(m * DAYS_PER_MONTH)),
                demand_hours=demand[m],
                capacity_hours=capacity(m),
                csms=heads,
            )
        )
    return HiringPlan(
        team, s.segments_of(team), spec.csms, spec.annual_cost_per_csm, requisitions, rows
    )
