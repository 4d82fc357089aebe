"""Closed-form capacity estimate: the source documents' arithmetic, made exact.

Per segment: the touches the engagement model plans over the horizon (from the same
lifecycle timelines the engine uses, averaged over renewal dates and arrival times),
their CSM hours (one_to_many sessions shared, automated at zero hours), unscheduled work
(the uplift on scheduled hours, plus inbound requests routed to CSMs and risk
escalations), and the CSMs that carry it: customer hours per CSM are
``available_hours_per_year x customer_time_share x availability``, where availability is
the drag of vacancies and ramp-up implied by attrition, hiring lead time and ramp curve.

It ignores queueing, due windows, variability and churn (the book is sized before
churn, a slightly conservative bracket); the simulation accounts for them. It is the
bracket every later search starts from.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.scenario.exposure import Exposure, expected_exposure, expected_sessions
from simulator.scenario.model import OnRiskEvent, Scenario, Segment, Team, Touchpoint

__all__ = [
    "Estimate",
    "Exposure",
    "SegmentEstimate",
    "TeamEstimate",
    "TouchEstimate",
    "estimate",
    "expected_exposure",
    "expected_sessions",
]


@dataclass
class TouchEstimate:
    """One touchpoint type of a segment over the horizon."""

    name: str
    channel: str
    trigger: str
    touches: float
    """Touches planned in the horizon."""
    touches_per_account_year: float
    csm_hours: float
    """CSM hours in the horizon (sessions for one_to_many)."""
    csm_hours_per_account_year: float
    sessions: float = 0.0
    automation_cost: float = 0.0
    scheduled: bool = True


@dataclass
class SegmentEstimate:
    """Closed-form demand and staffing of one segment."""

    segment: str
    team: str | None
    coverage: str
    accounts_start: int
    arr_start: float
    new_accounts: float
    account_years: float
    average_accounts: float
    touchpoints: list[TouchEstimate]
    scheduled_touches_per_account: float
    scheduled_hours_per_account: float
    residual_unscheduled_hours_per_account: float
    inbound_hours_per_account: float
    escalation_hours_per_account: float
    effective_uplift: float
    """Total CSM hours over scheduled hours."""
    demand_hours_per_account: float
    demand_hours_per_year: float
    customer_hours_per_csm: float
    """Customer hours of one CSM per year after vacancy and ramp drag."""
    availability: float
    fte_needed: float
    csms_needed: int
    csms_current: int
    accounts_per_csm: float
    arr_per_csm: float
    people_cost_needed: float
    people_cost_current: float
    automation_cost: float
    cost_pct_arr: float
    """People (at the needed headcount) and automation cost as a share of starting ARR."""
    planned_coverage: float = 1.0
    """Coverage when every planned touch is delivered: automated touches count at their
    effectiveness, so an automated plan starts below 1."""
    churn_at_plan: float = 0.0
    """Annual churn probability at planned coverage, before risk events and late
    onboarding: 1 - (1 - annual_baseline) ** (1 + coverage_effect x (1 - planned_coverage))."""


@dataclass
class TeamEstimate:
    """A team's closed-form staffing across the segments it serves."""

    team: str
    segments: list[str]
    csms_current: int
    planned_average_csms: float
    demand_hours_per_year: float
    customer_hours_per_csm: float
    availability: float
    fte_needed: float
    csms_needed: int
    gap: int
    """CSMs needed minus CSMs at the start (positive: short)."""
    annual_cost_per_csm: float
    people_cost_needed: float
    people_cost_current: float


@dataclass
class Estimate:
    """Closed-form estimate of a scenario."""

    scenario: str
    currency: str
    horizon_days: int
    calendar_customer_hours: float
    segments: list[SegmentEstimate] = field(default_factory=list)
    teams: list[TeamEstimate] = field(default_factory=list)

    def segment(self, name: str) -> SegmentEstimate:
        """The estimate of segment ``name``."""
        return next(s for s in self.segments if s.segment == name)

    def team(self, name: str) -> TeamEstimate:
        """The estimate of team ``name``."""
        return next(t for t in self.teams if t.team == name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        return asdict(self)


def _needed(fte: float) -> int:
    # round up, but not for floating-point dust (7.0000000001 CSMs is 7)
    return math.ceil(fte - 1e-9) if fte > 0 else 0


def _planned_average(team: Team, s: Scenario) -> float:
    h = s.horizon_days
    total = float(team.csms)
    for step in team.hiring_plan:
        offset = (step.date - s.start_date).days
        if 0 <= offset < h:
            total += step.change * (h - offset) / h
    return total


def _touch_rows(seg: Segment, exp: Exposure, horizon: float) -> list[TouchEstimate]:
    ay = exp.account_years or 1.0
    rows = []
    for name, tp in seg.touchpoints.items():
        trig = tp.trigger
        # exposure counts every stage_entry, cadence and before_renewal touchpoint
        if name in exp.touches:
            n = exp.touches[name]
        elif isinstance(trig, OnRiskEvent):
            events = trig.events or list(seg.risk_events)
            n = sum(seg.risk_events[e].per_account_year for e in events if e in seg.risk_events)
            n *= exp.account_years
        else:  # inbound_request
            n = (
                seg.inbound.requests_per_account_year
                * (1 - seg.inbound.support_share)
                * exp.account_years
            )
        rows.append(_touch_row(name, tp, n, ay, horizon))
    return rows


def _touch_row(name: str, tp: Touchpoint, n: float, ay: float, horizon: float) -> TouchEstimate:
    sessions = 0.0
    if tp.channel == "one_to_one":
        hours = n * tp.mean_csm_hours
    elif tp.channel == "one_to_many":
        sessions = expected_sessions(n, horizon, tp.session_every_days, tp.max_attendees or 1)
        hours = sessions * tp.mean_csm_hours
    else:
        hours = 0.0
    return TouchEstimate(
        name=name,
        channel=tp.channel,
        trigger=tp.trigger.kind,
        touches=n,
        touches_per_account_year=n / ay,
        csm_hours=hours,
        csm_hours_per_account_year=hours / ay,
        sessions=sessions,
        automation_cost=n * tp.cost_per_touch if tp.channel == "automated" else 0.0,
        scheduled=tp.trigger.kind in ("stage_entry", "cadence", "before_renewal"),
    )


def estimate(s: Scenario) -> Estimate:
    """Closed-form demand, capacity and headcount per segment and team.

    Returns
    -------
    Estimate
        Hours are per horizon unless named ``_per_year`` or ``_per_account`` (per account
        per year); FTE are average CSMs over the horizon; costs are per year, in the
        scenario's currency.
    """
    teams = s.all_teams()
    out = Estimate(s.name, s.currency, s.horizon_days, s.calendar.customer_hours_per_year)
    demand_by_team: dict[str, float] = {}
    for name, seg in s.segments.items():
        est = _segment_estimate(s, name, seg, teams)
        out.segments.append(est)
        if est.team:
            demand_by_team[est.team] = demand_by_team.get(est.team, 0.0) + est.demand_hours_per_year
    for tname, team in teams.items():
        segs = s.segments_of(tname)
        if segs:
            out.teams.append(_team_estimate(s, tname, team, segs, demand_by_team.get(tname, 0.0)))
    return out


def _segment_estimate(
    s: Scenario, name: str, seg: Segment, teams: dict[str, Team]
) -> SegmentEstimate:
    """One segment's demand (hours), the CSMs it needs and its planned coverage."""
    horizon = float(s.horizon_days)
    years = s.horizon_years
    exp = expected_exposure(seg, horizon, s.start_date)
    ay = exp.account_years or 1.0
    rows = _touch_rows(seg, exp, horizon)
    scheduled_hours = sum(r.csm_hours for r in rows if r.scheduled)
    inbound = sum(r.csm_hours for r in rows if r.trigger == "inbound_request")
    escal = sum(r.csm_hours for r in rows if r.trigger == "risk_event")
    residual = (seg.unscheduled_uplift - 1.0) * scheduled_hours
    total = scheduled_hours + residual + inbound + escal
    tname = s.team_name(name)
    team = teams.get(tname) if tname else None
    avail = team.availability if team else 1.0
    per_csm = s.calendar.customer_hours_per_year * avail
    fte = total / (per_csm * years) if per_csm > 0 else math.inf
    needed = _needed(fte)
    cost = team.annual_cost_per_csm if team else 0.0
    automation = sum(r.automation_cost for r in rows) / years
    arr = seg.starting_arr
    weights = {n: tp.weight for n, tp in seg.touchpoints.items()}
    planned = sum(r.touches * weights[r.name] for r in rows)
    credited = sum(
        r.touches * weights[r.name] * seg.touchpoints[r.name].resolved_effectiveness for r in rows
    )
    coverage = credited / planned if planned > 0 else 1.0
    multiplier = 1.0 + seg.churn.coverage_effect * (1.0 - coverage)
    churn_at_plan = 1.0 - (1.0 - seg.churn.annual_baseline) ** multiplier
    return SegmentEstimate(
        segment=name,
        team=tname,
        coverage=seg.coverage,
        accounts_start=seg.starting_accounts,
        arr_start=arr,
        new_accounts=exp.new_accounts,
        account_years=exp.account_years,
        average_accounts=exp.account_years / years,
        touchpoints=rows,
        scheduled_touches_per_account=sum(r.touches for r in rows if r.scheduled) / ay,
        scheduled_hours_per_account=scheduled_hours / ay,
        residual_unscheduled_hours_per_account=residual / ay,
        inbound_hours_per_account=inbound / ay,
        escalation_hours_per_account=escal / ay,
        effective_uplift=total / scheduled_hours if scheduled_hours else math.nan,
        demand_hours_per_account=total / ay,
        demand_hours_per_year=total / years,
        customer_hours_per_csm=per_csm,
        availability=avail,
        fte_needed=fte,
        csms_needed=needed,
        csms_current=team.csms if team else 0,
        accounts_per_csm=seg.starting_accounts / needed if needed else math.inf,
        arr_per_csm=arr / needed if needed else math.inf,
        people_cost_needed=needed * cost,
        people_cost_current=(team.csms if team else 0) * cost,
        automation_cost=automation,
        cost_pct_arr=(needed * cost + automation) / arr if arr else math.nan,
        planned_coverage=coverage,
        churn_at_plan=churn_at_plan,
    )


def _team_estimate(
    s: Scenario, tname: str, team: Team, segs: list[str], demand: float
) -> TeamEstimate:
    """One team's CSMs needed for ``demand`` customer hours a year of its segments."""
    per_csm = s.calendar.customer_hours_per_year * team.availability
    fte = demand / per_csm if per_csm > 0 else math.inf
    needed = _needed(fte)
    return TeamEstimate(
        team=tname,
        segments=segs,
        csms_current=team.csms,
        planned_average_csms=_planned_average(team, s),
        demand_hours_per_year=demand,
        customer_hours_per_csm=per_csm,
        availability=team.availability,
        fte_needed=fte,
        csms_needed=needed,
        gap=needed - team.csms,
        annual_cost_per_csm=team.annual_cost_per_csm,
        people_cost_needed=needed * team.annual_cost_per_csm,
        people_cost_current=team.csms * team.annual_cost_per_csm,
    )
