"""Teams of CSMs: headcount, cost, ramp-up, attrition and dated hiring steps."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from simulator.scenario.base import Strict
from simulator.scenario.model.fields import Name, Share

__all__ = ["Burnout", "HiringStep", "Team", "TeamRef"]


class HiringStep(Strict):
    """A dated change of a team's headcount."""

    date: dt.date = Field(description="Day the change takes effect (start date of the hires).")
    change: int = Field(
        ge=-10_000, le=10_000, description="CSMs added (positive) or removed (negative)."
    )
    note: str = Field(default="", description="Free text, e.g. the requisition number.")


class Burnout(Strict):
    """Attrition that rises with sustained overload (docs/assumptions.md#staffing)."""

    utilisation_threshold: Share = Field(
        default=0.9,
        description="A CSM whose utilisation (busy / available customer hours) over the last "
        "window_days is above this is overloaded (0.9: assumption, no slack left).",
    )
    window_days: float = Field(
        default=90,
        gt=0,
        le=730,
        description="Trailing window over which utilisation is measured (90: a quarter; "
        "assumption).",
    )
    attrition_multiplier: float = Field(
        default=2.0,
        ge=1,
        le=20,
        description="Attrition hazard multiplier while overloaded (2.0: assumption; Gallup "
        "2018 finds burned-out employees 2.6x as likely to be seeking another job, and "
        "seeking is not leaving).",
    )


class Team(Strict):
    """A team of CSMs serving one or more segments."""

    description: str = Field(default="", description="Free text for reports.")
    csms: int = Field(ge=0, le=100_000, description="CSMs on the team at the start date.")
    annual_cost_per_csm: float = Field(
        ge=0, le=10_000_000, description="Fully loaded cost of one CSM per year (currency)."
    )
    ramp: list[Share] = Field(
        default_factory=lambda: [0.25, 0.5, 0.5],
        max_length=36,
        description="Productivity of a new hire in each month after start; 1.0 after the "
        "list ends (docs/assumptions.md#staffing).",
    )
    annual_attrition: float = Field(
        default=0.13,
        ge=0,
        lt=1,
        description="Share of CSMs leaving per year (13% in software: "
        "docs/assumptions.md#staffing).",
    )
    hiring_lead_days: float = Field(
        default=90, ge=0, le=730, description="Days from a vacancy to the backfill's start date."
    )
    overflow_after_days: float | None = Field(
        default=None,
        gt=0,
        le=365,
        description="Peer cover in dedicated books: a task that has waited this many days "
        "past its planned date may be taken by an idle teammate (default: off, each book "
        "is its owner's; docs/assumptions.md#how-csms-work).",
    )
    hiring_plan: list[HiringStep] = Field(
        default_factory=list, max_length=1000, description="Dated headcount changes."
    )
    burnout: Burnout | None = Field(
        default=None,
        description="Attrition that rises while a CSM's utilisation stays above a threshold "
        "(chronic overload costs backfills and ramp); off when omitted "
        "(docs/assumptions.md#staffing).",
    )

    @property
    def ramp_deficit_months(self) -> float:
        """Months of full productivity a new hire loses while ramping (months)."""
        return sum(1.0 - r for r in self.ramp)

    @property
    def availability(self) -> float:
        """Long-run share of nominal capacity present after vacancies and ramp-up.

        Each leaver (``annual_attrition`` per CSM-year) leaves a seat empty for
        ``hiring_lead_days`` and then costs ``ramp_deficit_months`` while the backfill ramps.
        13% attrition, 90 days and a 0.25/0.5/0.5 ramp give about 0.95.
        """
        lost_years = self.hiring_lead_days / 365.0 + self.ramp_deficit_months / 12.0
        return max(0.0, 1.0 - self.annual_attrition * lost_years)


def _team_tag(v: Any) -> str:
    return "ref" if isinstance(v, str) else "inline"


TeamRef = Annotated[
    Annotated[Name, Tag("ref")] | Annotated[Team, Tag("inline")],
    Discriminator(_team_tag),
]
