"""The closed form as the explorer shows it: a team's figures and one touchpoint's.

:func:`team_numbers` reads :func:`simulator.analysis.analytic.estimate` for one team:
FTE and CSMs needed, the gap, hours, people and automation cost, planned coverage, and
per touchpoint of the team's segments how many touches and CSM hours it plans a year
(:class:`TouchNumbers`, said in a line by :func:`touch_line`). :func:`numbers_for` goes
from edits to these numbers in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.analysis.analytic import Estimate, estimate
from simulator.app.model import Edits, Key, edited, overrides_for
from simulator.report.formatting import money, num, pct
from simulator.scenario.model import Scenario

__all__ = [
    "TeamNumbers",
    "TouchNumbers",
    "coverage_line",
    "numbers_for",
    "team_numbers",
    "touch_line",
    "verdict",
]

_CHANNEL_WORDS = {
    "one_to_one": "one to one",
    "one_to_many": "one to many",
    "automated": "automated",
    "skipped": "skipped",
}
_TRIGGER_WORDS = {
    "cadence": "cadence",
    "stage_entry": "at a stage entry",
    "before_renewal": "before renewal",
    "risk_event": "on a risk event",
    "inbound_request": "inbound request",
}


@dataclass(frozen=True)
class TouchNumbers:
    """One touchpoint in the closed form, per year of the horizon."""

    segment: str
    touchpoint: str
    trigger: str
    channel: str
    touches_per_year: float
    """Touches planned a year in the segment."""
    per_account_year: float
    """Touches per account-year."""
    csm_hours_per_year: float
    """CSM hours a year (sessions' hours for one_to_many), before the uplift."""
    sessions_per_year: float
    automation_cost_per_year: float
    """Cost of its automated touches a year (currency)."""
    uplift: float
    """What the segment's demand multiplies these hours by (its unscheduled uplift for
    scheduled touches, 1 for escalations and inbound requests)."""


@dataclass(frozen=True)
class TeamNumbers:
    """The closed form's answer for one team, as the explorer shows it."""

    team: str
    csms: int
    fte_needed: float
    csms_needed: int
    gap: int
    demand_hours: float
    """Customer hours a year the team's segments need."""
    hours_per_csm: float
    """Customer hours a year one CSM carries (after vacancy and ramp drag)."""
    people_cost_needed: float
    people_cost_current: float
    automation_cost: float
    """Automated touches' cost a year across the team's segments (currency)."""
    currency: str
    segment_hours: dict[str, float]
    """Customer hours per year by segment of the team."""
    coverage: dict[str, float]
    """Planned coverage by segment: automated touches count at their effectiveness,
    skipped ones at 0."""
    touches: dict[Key, TouchNumbers]
    """Every touchpoint of the team's segments."""


def team_numbers(est: Estimate, s: Scenario, team: str) -> TeamNumbers:
    """The closed form's figures for ``team`` (``est`` is ``estimate(s)``)."""
    t = est.team(team)
    years = s.horizon_years
    segs = [est.segment(seg) for seg in s.segments_of(team)]
    touches: dict[Key, TouchNumbers] = {}
    for seg in segs:
        uplift = s.segments[seg.segment].unscheduled_uplift
        for r in seg.touchpoints:
            touches[(seg.segment, r.name)] = TouchNumbers(
                segment=seg.segment,
                touchpoint=r.name,
                trigger=r.trigger,
                channel=r.channel,
                touches_per_year=r.touches / years,
                per_account_year=r.touches_per_account_year,
                csm_hours_per_year=r.csm_hours / years,
                sessions_per_year=r.sessions / years,
                automation_cost_per_year=r.automation_cost / years,
                uplift=uplift if r.scheduled else 1.0,
            )
    return TeamNumbers(
        team=team,
        csms=int(t.csms_current),
        fte_needed=float(t.fte_needed),
        csms_needed=int(t.csms_needed),
        gap=int(t.gap),
        demand_hours=float(t.demand_hours_per_year),
        hours_per_csm=float(t.customer_hours_per_csm),
        people_cost_needed=float(t.people_cost_needed),
        people_cost_current=float(t.people_cost_current),
        automation_cost=float(sum(seg.automation_cost for seg in segs)),
        currency=est.currency,
        segment_hours={seg.segment: float(seg.demand_hours_per_year) for seg in segs},
        coverage={seg.segment: float(seg.planned_coverage) for seg in segs},
        touches=touches,
    )


def numbers_for(
    path: str | Path | None,
    base: Scenario,
    e: Edits,
    team: str,
    start: Sequence[str] = (),
) -> TeamNumbers:
    """Edits -> overrides -> validated scenario -> ``team``'s closed-form numbers.

    ``base`` is the scenario at ``path`` with the ``start`` overrides (those the
    explorer was started with) applied; the edits are made on top of them.
    """
    s = edited(path, [*start, *overrides_for(base, e)]).scenario
    return team_numbers(estimate(s), s, team)


def verdict(n: TeamNumbers) -> str:
    """One line: FTE needed against the CSMs planned."""
    if n.gap > 0:
        tail = f"short by {n.gap} ({money(n.gap * _cost_per_csm(n), n.currency)} a year to close)"
    elif n.gap < 0:
        tail = f"{-n.gap} more than the hours need"
    else:
        tail = "enough"
    return (
        f"{n.team}: {num(n.demand_hours)} h a year of customer work at {num(n.hours_per_csm)} h "
        f"per CSM = {n.fte_needed:.1f} FTE -> {n.csms_needed} CSMs; the plan has {n.csms} ({tail})."
    )


def coverage_line(n: TeamNumbers) -> str:
    """Planned coverage by segment and the automation cost a year."""
    cov = ", ".join(f"{seg} {pct(c, 0)}" for seg, c in n.coverage.items())
    return (
        f"Planned coverage (every touch delivered; automated at its credit): {cov}. "
        f"Automation {money(n.automation_cost, n.currency)} a year."
    )


def touch_line(t: TouchNumbers, currency: str) -> str:
    """What the closed form makes of one touchpoint, in a sentence."""
    head = (
        f"{t.segment} {t.touchpoint} ({_TRIGGER_WORDS.get(t.trigger, t.trigger)}, "
        f"{_CHANNEL_WORDS.get(t.channel, t.channel)}): {t.per_account_year:.2f} touches per "
        f"account-year = {num(t.touches_per_year)} a year"
    )
    if t.channel == "automated":
        return f"{head}; no CSM time, {money(t.automation_cost_per_year, currency)} a year."
    if t.channel == "skipped":
        return f"{head}, none delivered: no CSM time, each a missed touch in coverage."
    if t.channel == "one_to_many":
        head += f" in {num(t.sessions_per_year, 1)} sessions"
    text = f"{head}: {num(t.csm_hours_per_year)} CSM h a year"
    if t.uplift > 1:
        text += (
            f", x{t.uplift:.2f} with the segment's unscheduled uplift = "
            f"{num(t.csm_hours_per_year * t.uplift)} h"
        )
    return text + "."


def _cost_per_csm(n: TeamNumbers) -> float:
    if n.csms_needed:
        return n.people_cost_needed / n.csms_needed
    return n.people_cost_current / n.csms if n.csms else 0.0
