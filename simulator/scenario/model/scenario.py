"""The scenario root: CSM working time and the complete plan over its horizon."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from simulator.scenario.base import Strict
from simulator.scenario.distributions import Distribution
from simulator.scenario.model.bounds import check_bounds, raise_at
from simulator.scenario.model.economics import Economics
from simulator.scenario.model.fields import Name
from simulator.scenario.model.segments import Segment
from simulator.scenario.model.teams import Team

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Line breaks, tabs, escape codes and bidirectional overrides: not in a one-line name."""

__all__ = ["Calendar", "Scenario"]


class Calendar(Strict):
    """Working time of one fully ramped CSM."""

    available_hours_per_year: float = Field(
        default=1730,
        gt=0,
        le=8760,
        description="Hours worked per year after holidays, PTO and sick days (1,730: 2,080 "
        "paid less 44 days off; docs/assumptions.md#capacity).",
    )
    customer_time_share: float = Field(
        default=0.63,
        gt=0,
        le=1,
        description="Share of available hours spent on customers (0.63: "
        "docs/assumptions.md#capacity).",
    )
    model: Literal["working_days", "continuous"] = Field(
        default="working_days",
        description="working_days: a CSM works on weekdays only and takes the days off "
        "beyond weekends as PTO in blocks (each CSM their own), capacity spread over "
        "working_days_per_year; continuous: capacity spread evenly over every calendar "
        "day (the queueing-formula view; docs/assumptions.md#capacity).",
    )
    working_days_per_year: float = Field(
        default=216,
        gt=0,
        le=250,
        description="Working days per CSM per year: weekdays less holidays, PTO and sick "
        "days (216 = 260 weekdays less 44 days off). In the working_days model each CSM's "
        "plan year holds this many working days; the rest of the weekdays are PTO.",
    )
    pto_block_days: int = Field(
        default=5,
        ge=1,
        le=30,
        description="Working days per PTO block in the working_days model (5, a week: an "
        "assumption; 1 spreads days off singly; docs/assumptions.md#capacity).",
    )
    holidays: list[dt.date] = Field(
        default_factory=list,
        max_length=1000,
        description="Dates off for every CSM (public holidays, observed dates) in the "
        "working_days model; they count toward the days off. Empty: holidays are part of "
        "each CSM's PTO.",
    )

    max_block_hours: Annotated[float, Field(ge=0.25, le=1000)] | Literal["off"] | None = Field(
        default=4.0,
        description="Longest stretch a CSM works on one task before looking for more "
        "urgent work, at least 0.25 (hours): a longer task is done in blocks, and a due "
        "task of higher priority may come between them (4 hours, about a working day's "
        "customer time: docs/assumptions.md#how-csms-work, an assumption); off (or null in "
        "a file without extends): every task in one go.",
    )

    @property
    def block_hours(self) -> float | None:
        """The block length in hours, None when every task is done in one go."""
        v = self.max_block_hours
        return None if v is None or v == "off" else float(v)

    @property
    def customer_hours_per_year(self) -> float:
        """Customer hours of one fully ramped CSM per year (hours)."""
        return self.available_hours_per_year * self.customer_time_share


class Scenario(Strict):
    """A complete capacity plan: calendar, teams and segments over a horizon."""

    extends: str | None = Field(
        default=None,
        description="Path of a base scenario this file extends (maps merge, lists replace, "
        "null deletes); relative to this file.",
    )
    name: str = Field(
        default="Unnamed scenario",
        max_length=200,
        description="Plan name: one line of text, no line breaks or control characters.",
    )
    description: str = Field(default="", description="Free text for reports.")
    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code for every amount."
    )
    start_date: dt.date = Field(description="First day of the plan (day 0 of the simulation).")
    horizon_days: int = Field(default=365, ge=1, le=3650, description="Length of the plan (days).")
    seed: int = Field(
        default=0, ge=0, le=2**63 - 1, description="Root seed of every random stream."
    )
    burn_in_days: float | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="Days simulated before day 0 so the plan starts with a history: coverage "
        "windows, risk events in effect, late onboardings and queued work carry into the "
        "plan; nothing before day 0 is reported, and the starting book and its ARR at day 0 "
        "are the scenario's. Default (null): the longest contract term, coverage window or "
        "risk effect_days of any segment (365 for annual contracts); 0 turns it off, so the "
        "plan starts with no history (assumption: docs/assumptions.md#plan-settings).",
    )
    calendar: Calendar = Field(default_factory=Calendar, description="CSM working time.")
    teams: dict[Name, Team] = Field(
        default_factory=dict, description="Teams that segments name in their team field."
    )
    segments: dict[Name, Segment] = Field(min_length=1, description="Customer segments by name.")
    economics: Economics = Field(
        default_factory=Economics,
        description="How money is counted: gross margin, the value of an ARR dollar, "
        "support cost per request, where CS cost sits in the P&L (every option's net value).",
    )
    uncertain: dict[str, Distribution] = Field(
        default_factory=dict,
        description="Inputs whose value is uncertain, for 'cssim decide' and the value "
        "answer of 'cssim solve': a dotted path "
        "(as for --set; * matches every existing key at its level, so "
        "segments.*.churn.coverage_effect is one value shared by every segment) to a real "
        "number or distribution field, and the distribution of its value; its lowest and "
        "highest plausible values must be valid (docs/scenario-reference.md#uncertain-inputs). "
        "Every other command (and solve's targets) uses the value the scenario states.",
    )
    variants: dict[Name, dict[str, Any]] = Field(
        default_factory=dict,
        description="Alternatives for 'cssim compare': each is a partial scenario merged over "
        "this one (maps merge, lists replace, null deletes), e.g. six: {segments: {top: "
        "{team: {csms: 6}}}}.",
    )

    def all_teams(self) -> dict[str, Team]:
        """Every team by name: those under ``teams`` and those defined inside a segment."""
        out = dict(self.teams)
        for name, seg in self.segments.items():
            if isinstance(seg.team, Team):
                out[name] = seg.team
        return out

    def team_name(self, segment: str) -> str | None:
        """Name of the team serving ``segment`` (the segment's own name for an inline team)."""
        team = self.segments[segment].team
        if team is None:
            return None
        return team if isinstance(team, str) else segment

    def segments_of(self, team: str) -> list[str]:
        """Segments served by ``team``, in scenario order."""
        return [s for s in self.segments if self.team_name(s) == team]

    @field_validator("name")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if _CONTROL.search(v):
            raise PydanticCustomError(
                "one_line",
                "a plan name is one line of text: remove the line breaks and control "
                "characters (they break the titles of reports and terminals)",
            )
        return v

    @model_validator(mode="after")
    def _within_bounds(self) -> Scenario:
        """Dates within what Python holds, ARR within what a float holds
        (:mod:`~simulator.scenario.model.bounds`)."""
        check_bounds(self)
        return self

    @model_validator(mode="after")
    def _working_days_fit(self) -> Scenario:
        """Every simulated plan year has at least ``working_days_per_year`` weekdays that
        are not holidays (the working-day calendar draws the rest as PTO)."""
        cal = self.calendar
        if cal.model != "working_days":
            return self
        start = self.start_date
        first = math.floor(-self.resolved_burn_in_days / 365.0) - 1
        last = math.ceil(self.horizon_days / 365.0) + 1
        holidays = np.array(sorted(set(cal.holidays)), dtype="datetime64[D]")
        for k in range(first, last):
            a, b = _anniversary(start, k), _anniversary(start, k + 1)
            weekdays = int(np.busday_count(a, b))
            off = int(np.is_busday(holidays[(holidays >= a) & (holidays < b)]).sum())
            if weekdays - off < cal.working_days_per_year:
                error = PydanticCustomError(
                    "working_days",
                    "exceeds the {n} weekdays that are not holidays in the plan year from {a} "
                    "({weekdays} weekdays less {off} holidays in calendar.holidays); lower "
                    "working_days_per_year or list fewer holidays",
                    {"n": weekdays - off, "a": str(a), "weekdays": weekdays, "off": off},
                )
                raise_at(("calendar", "working_days_per_year"), error, cal.working_days_per_year)
        return self

    @property
    def resolved_burn_in_days(self) -> float:
        """Days simulated before day 0 (``burn_in_days``, or its default; days).

        The default is the longest look-back of any renewal in the plan, and at least one
        contract term: every segment's term, churn coverage window and risk events'
        effect_days.
        """
        if self.burn_in_days is not None:
            return float(self.burn_in_days)
        # imported here: simulator.scenario.lifecycle imports this package
        from simulator.scenario.lifecycle import term_days

        longest = 0.0
        for seg in self.segments.values():
            longest = max(
                longest,
                term_days(seg.contract_term_months),
                seg.churn.coverage_window_days,
                *(ev.effect_days for ev in seg.risk_events.values()),
            )
        return min(longest, 3650.0)

    @property
    def horizon_years(self) -> float:
        """Horizon in years of 365 days."""
        return self.horizon_days / 365.0

    @property
    def end_date(self) -> dt.date:
        """Last day of the plan."""
        return self.start_date + dt.timedelta(days=self.horizon_days - 1)


def _anniversary(start: dt.date, years: int) -> dt.date:
    """``start`` moved by whole ``years`` (a 29 February start: 28 February otherwise)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)
