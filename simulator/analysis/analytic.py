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

import numpy as np
from scipy import stats

from simulator.scenario.lifecycle import Timeline, term_days, timeline
from simulator.scenario.model import STAGES, Scenario, Segment, Team, Touchpoint

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

PHASE_POINTS = 730
"""Grid points for averaging over renewal dates and arrival times."""


@dataclass
class Exposure:
    """Expected activity of a segment over the horizon, before churn."""

    account_years: float
    """Account-years present in the horizon (starting book plus new accounts)."""
    stage_years: dict[str, float]
    """Account-years spent in each stage."""
    touches: dict[str, float]
    """Planned touches per scheduled touchpoint (stage_entry, cadence, before_renewal)."""
    renewals: float
    """Renewal dates falling within the horizon."""
    new_accounts: float
    """Accounts arriving during the horizon."""


def _counts(
    tl: Timeline, seg: Segment, horizon: float
) -> tuple[np.ndarray, dict[str, float], float]:
    """Stage days, planned touches and renewals of one timeline within [0, horizon)."""
    stage_days = np.zeros(len(STAGES))
    for iv in tl.intervals:
        lo, hi = max(iv.start, 0.0), min(iv.end, horizon)
        if hi > lo:
            stage_days[STAGES.index(iv.stage)] += hi - lo
    touches: dict[str, float] = {}
    for name, tp in seg.touchpoints.items():
        trig = tp.trigger
        if trig.kind == "stage_entry":
            touches[name] = float(
                sum(
                    1
                    for iv in tl.intervals
                    if iv.stage == trig.stage
                    for off in trig.offsets
                    if 0 <= iv.start + off < horizon
                )
            )
        elif trig.kind == "cadence":
            allowed = trig.stages or list(STAGES)
            days = sum(stage_days[STAGES.index(s)] for s in allowed)
            touches[name] = days * trig.touches_per_year / 365.0
        elif trig.kind == "before_renewal":
            touches[name] = float(sum(1 for r in tl.renewals if 0 <= r - trig.days < horizon))
    renewals = float(sum(1 for r in tl.renewals if 0 < r <= horizon))
    return stage_days, touches, renewals


def _renewal_grid(seg: Segment, term: float) -> tuple[np.ndarray, np.ndarray]:
    """Days to the next renewal of a starting account (midpoint grid) and their weights."""
    weights_by_month = seg.renewal_month_weights
    if weights_by_month is None:
        r = (np.arange(PHASE_POINTS) + 0.5) / PHASE_POINTS * term
        return r, np.full(PHASE_POINTS, 1.0 / PHASE_POINTS)
    m = len(weights_by_month)
    per = max(1, PHASE_POINTS // m)
    w = np.asarray(weights_by_month, dtype=float)
    w = w / w.sum()
    month_len = term / m
    r = np.concatenate([(i + (np.arange(per) + 0.5) / per) * month_len for i in range(m)])
    ww = np.concatenate([np.full(per, w[i] / per) for i in range(m)])
    return r, ww


def expected_exposure(seg: Segment, horizon_days: float, start_date: Any = None) -> Exposure:
    """Expected stage time, planned touches and renewals of a segment over the horizon.

    Starting accounts are averaged over their renewal dates (uniform over the term, or
    ``renewal_month_weights``; an account list uses its own dates); new accounts over
    their arrival times (uniform for a Poisson rate, exact for a dated schedule). Churn
    is ignored. Units: days in, account-years and counts out.
    """
    term = term_days(seg.contract_term_months)
    lookahead = (
        horizon_days
        + term
        + max(
            [
                tp.trigger.days
                for tp in seg.touchpoints.values()
                if tp.trigger.kind == "before_renewal"
            ],
            default=0.0,
        )
    )
    stage_days = np.zeros(len(STAGES))
    touches = {
        n: 0.0
        for n, tp in seg.touchpoints.items()
        if tp.trigger.kind in ("stage_entry", "cadence", "before_renewal")
    }
    renewals = 0.0
    account_days = 0.0

    def add(tl: Timeline, weight: float, present_days: float) -> None:
        nonlocal renewals, account_days
        sd, tc, rn = _counts(tl, seg, horizon_days)
        stage_days[:] += weight * sd
        for k, v in tc.items():
            touches[k] += weight * v
        renewals += weight * rn
        account_days += weight * present_days

    lc = seg.lifecycle
    if isinstance(seg.accounts, int):
        if seg.accounts:
            r_grid, w_grid = _renewal_grid(seg, term)
            for r, w in zip(r_grid, w_grid, strict=True):
                add(timeline(lc, term, r - term, False, lookahead), seg.accounts * w, horizon_days)
    else:
        r_grid, w_grid = _renewal_grid(seg, term)
        for acc in seg.accounts:
            first = acc.stage in ("onboarding", "adoption")
            if acc.renewal_date is not None and start_date is not None:
                r = float((acc.renewal_date - start_date).days)
                while r <= 0:
                    r += term
                add(timeline(lc, term, r - term, first, lookahead), 1.0, horizon_days)
            else:
                for r, w in zip(r_grid, w_grid, strict=True):
                    add(timeline(lc, term, r - term, first, lookahead), w, horizon_days)

    new = 0.0
    if seg.new_accounts_per_month > 0:
        rate = seg.new_accounts_per_month * 12.0 / 365.0  # accounts per day
        n = PHASE_POINTS
        arrivals = (np.arange(n) + 0.5) / n * horizon_days
        w = rate * horizon_days / n
        for a in arrivals:
            add(timeline(lc, term, a, True, lookahead), w, horizon_days - a)
        new = rate * horizon_days
    for batch in seg.new_account_schedule:
        if start_date is None:
            continue
        a = float((batch.date - start_date).days)
        if 0 <= a < horizon_days and batch.count:
            add(timeline(lc, term, a, True, lookahead), float(batch.count), horizon_days - a)
            new += batch.count

    return Exposure(
        account_years=account_days / 365.0,
        stage_years={s: float(stage_days[i]) / 365.0 for i, s in enumerate(STAGES)},
        touches=touches,
        renewals=renewals,
        new_accounts=new,
    )


def expected_sessions(
    touches: float, horizon_days: float, every_days: float, max_attendees: int
) -> float:
    """Expected one_to_many sessions for ``touches`` planned evenly over the horizon.

    Session slots come every ``every_days``; a slot with ``n`` waiting attendees holds
    ``ceil(n / max_attendees)`` sessions, and ``n`` is Poisson. Exact for that rule.
    """
    if touches <= 0:
        return 0.0
    slots = horizon_days / every_days
    mu = touches / slots
    k = max_attendees
    # E[ceil(N/k)] = sum_j P(N > j k)
    j = np.arange(0, int((mu + 12 * math.sqrt(mu) + 12) / k) + 2)
    return float(slots * stats.poisson.sf(j * k, mu).sum())


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
        kind = tp.trigger.kind
        if name in exp.touches:
            n = exp.touches[name]
        elif kind == "inbound_request":
            n = (
                seg.inbound.requests_per_account_year
                * (1 - seg.inbound.support_share)
                * exp.account_years
            )
        else:  # risk_event
            events = tp.trigger.events or list(seg.risk_events)
            n = sum(seg.risk_events[e].per_account_year for e in events if e in seg.risk_events)
            n *= exp.account_years
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
    horizon = float(s.horizon_days)
    years = s.horizon_years
    teams = s.all_teams()
    out = Estimate(s.name, s.currency, s.horizon_days, s.calendar.customer_hours_per_year)
    demand_by_team: dict[str, float] = {}
    for name, seg in s.segments.items():
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
        out.segments.append(
            SegmentEstimate(
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
            )
        )
        if tname:
            demand_by_team[tname] = demand_by_team.get(tname, 0.0) + total / years
    for tname, team in teams.items():
        segs = s.segments_of(tname)
        if not segs:
            continue
        demand = demand_by_team.get(tname, 0.0)
        per_csm = s.calendar.customer_hours_per_year * team.availability
        fte = demand / per_csm if per_csm > 0 else math.inf
        needed = _needed(fte)
        out.teams.append(
            TeamEstimate(
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
        )
    return out
