"""The scenario language: pydantic models of a customer success plan.

Units are in the field names: ``_days`` calendar days, ``_hours`` hours of CSM work,
``_per_year`` / ``annual_`` per year, ``_per_month`` per month; money is in the
scenario's ``currency``; shares and probabilities are fractions in [0, 1].
The field descriptions are the reference documentation (docs/scenario-reference.md and
the JSON Schema); docs/assumptions.md gives every default its unit, range and basis.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simulator.scenario.base import Strict
from simulator.scenario.distributions import (
    Distribution,
    Fixed,
    NonNegativeDistribution,
    _Dist,
)

STAGES: tuple[str, ...] = ("onboarding", "adoption", "steady", "renewal")
"""Lifecycle stages in the order an account passes through them."""

Stage = Literal["onboarding", "adoption", "steady", "renewal"]
Channel = Literal["one_to_one", "one_to_many", "automated", "skipped"]
Coverage = Literal["dedicated", "pooled", "digital"]

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"),
]
"""A segment, team, touchpoint or risk-event name: a letter, then letters, digits, _ or -."""

Share = Annotated[float, Field(ge=0, le=1)]


def _at_most(limit: float, what: str) -> Any:
    """A check that a distribution's mean stays within a plausible ``limit``."""

    def check(d: _Dist) -> _Dist:
        if not d.mean <= limit:
            raise PydanticCustomError(
                "dist_too_large",
                f"has a mean of {d.mean:.3g}, beyond any plausible {what} "
                f"(at most {limit:,.0f}); check the unit",
                {},
            )
        return d

    return AfterValidator(check)


Hours = Annotated[NonNegativeDistribution, _at_most(10_000, "hours for one touch")]
Money = Annotated[NonNegativeDistribution, _at_most(1e11, "ARR of one account")]


def _ge_minus_one(d: _Dist) -> _Dist:
    if d.support[0] < -1:
        raise PydanticCustomError(
            "arr_change_range",
            "an ARR change below -1 (-100%) is impossible (lowest possible value {lo}); "
            "set min: -1 or higher",
            {"lo": d.support[0]},
        )
    return d


# --------------------------------------------------------------------------- triggers


_Offset = Annotated[float, Field(ge=0, le=3650)]
Offsets = Annotated[
    Annotated[_Offset, Tag("one")] | Annotated[list[_Offset], Tag("list")],
    Discriminator(lambda v: "list" if isinstance(v, list) else "one"),
]


class StageEntry(Strict):
    """When an account enters a lifecycle stage, after an offset."""

    kind: Literal["stage_entry"] = Field(description="Trigger kind.")
    stage: Stage = Field(description="Stage whose entry starts the clock.")
    offset_days: Offsets = Field(
        default=0,
        description="Days after stage entry the touch is planned; a list plans one touch "
        "per offset (e.g. [14, 45] for two workshops).",
    )

    @property
    def offsets(self) -> list[float]:
        """Offsets in days, always as a list."""
        return list(self.offset_days) if isinstance(self.offset_days, list) else [self.offset_days]


class Cadence(Strict):
    """A touch repeated on a fixed rhythm while the account is in the listed stages."""

    kind: Literal["cadence"] = Field(description="Trigger kind.")
    every_days: float | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Days between touches, at least 1 (give this or per_year).",
    )
    per_year: float | None = Field(
        default=None, gt=0, le=365, description="Touches per year (give this or every_days)."
    )
    stages: list[Stage] | None = Field(
        default=None,
        min_length=1,
        description="Stages in which the cadence runs; all stages when omitted.",
    )

    @model_validator(mode="after")
    def _one_rate(self) -> Cadence:
        if (self.every_days is None) == (self.per_year is None):
            raise PydanticCustomError(
                "cadence_rate", "give exactly one of every_days or per_year", {}
            )
        return self

    @property
    def touches_per_year(self) -> float:
        """Touches per account-year while the cadence runs (1/year)."""
        return self.per_year if self.per_year is not None else 365.0 / self.every_days  # type: ignore[operator]

    @property
    def interval_days(self) -> float:
        """Days between two touches."""
        return 365.0 / self.touches_per_year


class BeforeRenewal(Strict):
    """A fixed number of days before each renewal date."""

    kind: Literal["before_renewal"] = Field(description="Trigger kind.")
    days: float = Field(ge=0, le=3650, description="Days before the renewal date.")


class OnRiskEvent(Strict):
    """An escalation when a risk event (champion loss, usage drop, ...) hits an account."""

    kind: Literal["risk_event"] = Field(description="Trigger kind.")
    events: list[Name] | None = Field(
        default=None,
        min_length=1,
        description="Risk events (keys of the segment's risk_events) this touch answers; "
        "all of them when omitted.",
    )


class OnInbound(Strict):
    """An inbound request (feature request, complaint) that is routed to the CSM."""

    kind: Literal["inbound_request"] = Field(description="Trigger kind.")


Trigger = Annotated[
    StageEntry | Cadence | BeforeRenewal | OnRiskEvent | OnInbound,
    Field(discriminator="kind"),
]

_DEFAULT_PRIORITY = {
    "risk_event": 1,
    "before_renewal": 2,
    "inbound_request": 3,
    "stage_entry": 4,
    "cadence": 5,
}
_DEFAULT_DUE_DAYS = {
    "risk_event": 30.0,
    "before_renewal": 30.0,
    "inbound_request": 10.0,
    "stage_entry": 30.0,
    "cadence": 30.0,
}
_DEFAULT_ON_TIME_DAYS = {
    "risk_event": 3.0,
    "before_renewal": 7.0,
    "inbound_request": 2.0,
    "stage_entry": 7.0,
    "cadence": 7.0,
}
DEFAULT_AUTOMATED_EFFECTIVENESS = 0.5
"""Share of a delivered touch an automated touch counts for (plausible 0.3-0.6, an assumption:
docs/assumptions.md#automation)."""


class Touchpoint(Strict):
    """One type of touchpoint in a segment's engagement model."""

    description: str = Field(default="", description="Free text for reports.")
    trigger: Trigger = Field(description="What plans the touch.")
    channel: Channel = Field(
        default="one_to_one",
        description="one_to_one: CSM time per account; one_to_many: a session of CSM time "
        "shared by up to max_attendees accounts; automated: no CSM time; skipped: still "
        "planned but never delivered (no time, no cost, a missed touch in coverage): how a "
        "cut is modelled against the plan it cuts.",
    )
    hours: Hours | None = Field(
        default=None,
        description="CSM hours per delivery, prep and follow-up included: per touch for "
        "one_to_one, per session for one_to_many; unused for automated. A number or a "
        "distribution.",
    )
    max_attendees: int | None = Field(
        default=None, ge=1, le=100_000, description="Accounts per one_to_many session."
    )
    session_every_days: float = Field(
        default=7,
        gt=0,
        le=365,
        description="Days between one_to_many session slots; each slot holds as many "
        "sessions as its waiting attendees need.",
    )
    cost_per_touch: float = Field(
        default=0.0, ge=0, description="Cost of one automated touch (currency)."
    )
    effectiveness: Share | None = Field(
        default=None,
        description="Share of a delivered touch an automated touch counts for in coverage "
        "(default 0.5, plausible 0.3-0.6: docs/assumptions.md#automation).",
    )
    on_time_days: float | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="Days after the planned date within which a start counts as on time "
        "(default: 3 risk_event, 2 inbound_request, 7 otherwise; at most due_days).",
    )
    due_days: float | None = Field(
        default=None,
        gt=0,
        le=3650,
        description="Days after the planned date by which the touch must start, or it is "
        "missed (default: 10 inbound_request, 30 otherwise).",
    )
    priority: int | None = Field(
        default=None,
        ge=1,
        le=9,
        description="Queue priority, 1 served first (default: risk_event 1, before_renewal "
        "2, inbound_request 3, stage_entry 4, cadence 5).",
    )
    weight: float = Field(
        default=1.0, ge=0, le=100, description="Weight of this touch in coverage."
    )

    @model_validator(mode="after")
    def _channel_fields(self) -> Touchpoint:
        if self.channel in ("one_to_one", "one_to_many") and self.hours is None:
            raise PydanticCustomError(
                "missing_hours",
                "{channel} touchpoints need hours (CSM hours per {unit})",
                {
                    "channel": self.channel,
                    "unit": "session" if self.channel == "one_to_many" else "touch",
                },
            )
        if self.channel == "one_to_many" and self.max_attendees is None:
            raise PydanticCustomError(
                "missing_attendees", "one_to_many touchpoints need max_attendees", {}
            )
        if (
            self.due_days is not None
            and self.on_time_days is not None
            and self.on_time_days > self.due_days
        ):
            raise PydanticCustomError(
                "window_order",
                "on_time_days ({a}) must not exceed due_days ({b})",
                {"a": self.on_time_days, "b": self.due_days},
            )
        return self

    @property
    def resolved_priority(self) -> int:
        """Priority with the trigger kind's default applied."""
        return self.priority if self.priority is not None else _DEFAULT_PRIORITY[self.trigger.kind]

    @property
    def resolved_due_days(self) -> float:
        """Due window in days with the default applied."""
        return self.due_days if self.due_days is not None else _DEFAULT_DUE_DAYS[self.trigger.kind]

    @property
    def resolved_on_time_days(self) -> float:
        """On-time window in days with the default applied (never beyond the due window)."""
        v = (
            self.on_time_days
            if self.on_time_days is not None
            else _DEFAULT_ON_TIME_DAYS[self.trigger.kind]
        )
        return min(v, self.resolved_due_days)

    @property
    def resolved_effectiveness(self) -> float:
        """Coverage credit of one touch: 1, the effectiveness if automated, 0 if skipped."""
        if self.channel == "skipped":
            return 0.0
        if self.channel != "automated":
            return 1.0
        return (
            self.effectiveness
            if self.effectiveness is not None
            else DEFAULT_AUTOMATED_EFFECTIVENESS
        )

    @property
    def mean_csm_hours(self) -> float:
        """Mean CSM hours per delivery (per touch or per session); 0 when automated."""
        if self.channel in ("automated", "skipped") or self.hours is None:
            return 0.0
        return self.hours.mean


# --------------------------------------------------------------------------- teams


class HiringStep(Strict):
    """A dated change of a team's headcount."""

    date: dt.date = Field(description="Day the change takes effect (start date of the hires).")
    change: int = Field(
        ge=-10_000, le=10_000, description="CSMs added (positive) or removed (negative)."
    )
    note: str = Field(default="", description="Free text, e.g. the requisition number.")


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
    hiring_plan: list[HiringStep] = Field(
        default_factory=list, max_length=1000, description="Dated headcount changes."
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


# --------------------------------------------------------------------------- segments


class AccountSpec(Strict):
    """One named account of a segment's starting book."""

    id: str = Field(min_length=1, max_length=200, description="Account identifier.")
    arr: float = Field(gt=0, le=1e11, description="Annual recurring revenue (currency per year).")
    renewal_date: dt.date | None = Field(
        default=None, description="Next renewal date; drawn over the contract term when omitted."
    )
    stage: Stage | None = Field(
        default=None,
        description="Lifecycle stage at the start date: places the account within its "
        "contract when renewal_date is omitted (a given renewal_date wins); derived when "
        "both are omitted.",
    )
    contract_start: dt.date | None = Field(
        default=None, description="Original contract date (customer since)."
    )


class AccountsFile(Strict):
    """A starting book read from a customer list (CSV or xlsx) when the scenario loads."""

    from_csv: str = Field(
        min_length=1,
        description="Path of the customer list, relative to the scenario file. Columns are "
        "matched by name as in 'cssim analyze' (id, arr, renewal date, stage, contract "
        "start, segment, status); churned rows are left out.",
    )
    segment: str | None = Field(
        default=None,
        description="Only the rows whose segment column has this value (all rows when omitted).",
    )
    map: dict[str, str] | None = Field(
        default=None,
        description="Field -> column name for headers the forgiving match does not find, "
        "e.g. {arr: Contract Amount}.",
    )
    dayfirst: bool | None = Field(
        default=None,
        description="Read ambiguous dates such as 03/04/2026 as day first (default: inferred "
        "from the column, month first when nothing tells).",
    )


def _accounts_tag(v: Any) -> str:
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict | AccountsFile):
        return "file"
    return "count"


Accounts = Annotated[
    Annotated[Annotated[int, Field(ge=0, le=10_000_000)], Tag("count")]
    | Annotated[list[AccountSpec], Tag("list")]
    | Annotated[AccountsFile, Tag("file")],
    Discriminator(_accounts_tag),
]


class NewAccountBatch(Strict):
    """Accounts that arrive from sales on a given date."""

    date: dt.date = Field(description="Arrival date.")
    count: int = Field(ge=0, le=1_000_000, description="Accounts arriving that day.")


class Lifecycle(Strict):
    """Stage durations of a segment's account lifecycle."""

    onboarding_days: float = Field(
        default=90,
        gt=0,
        le=3650,
        description="Target length of onboarding; onboarding touches not delivered by then "
        "make the onboarding late (45 commercial to ~100 enterprise: "
        "docs/assumptions.md#lifecycle).",
    )
    adoption_days: float = Field(
        default=90, ge=0, le=3650, description="Length of the adoption stage."
    )
    renewal_window_days: float = Field(
        default=120,
        ge=0,
        le=3650,
        description="The renewal stage opens this many days before the renewal date "
        "(~120: docs/assumptions.md#lifecycle).",
    )
    after_renewal: Literal["onboarding", "adoption", "steady"] = Field(
        default="steady",
        description="Stage a renewed account re-enters: steady, or onboarding/adoption for "
        "segments that restart a success plan each contract term.",
    )


class Churn(Strict):
    """Renewal churn: a baseline hazard raised by every shortfall in the engagement plan.

    The renewal churn probability is ``1 - exp(-H)`` with ``H`` the baseline hazard times
    every multiplier that applies; each effect size is an assumption
    (docs/assumptions.md#churn-drivers).
    """

    annual_baseline: Share = Field(
        description="Probability an account churns within a year when the engagement plan is "
        "fully delivered (enterprise 6%, mid-market 11%, SMB 25%: "
        "docs/assumptions.md#retention)."
    )
    coverage_effect: float = Field(
        default=0.8,
        ge=0,
        le=100,
        description="Hazard multiplier 1 + coverage_effect x (1 - coverage), coverage being "
        "weighted delivered / planned touches over coverage_window_days.",
    )
    coverage_window_days: float = Field(
        default=365, gt=0, le=3650, description="Trailing window for coverage (days)."
    )
    late_onboarding_multiplier: float = Field(
        default=1.5, ge=0, le=100, description="Hazard multiplier after a late onboarding."
    )
    reassignment_multiplier: float = Field(
        default=1.2,
        ge=0,
        le=100,
        description="Hazard multiplier when the account changed CSM within "
        "reassignment_window_days.",
    )
    reassignment_window_days: float = Field(
        default=180, ge=0, le=3650, description="Window for the reassignment effect (days)."
    )


class RiskEvent(Strict):
    """A risk event type (e.g. champion loss, usage drop) and its effect on churn."""

    per_account_year: float = Field(
        ge=0, le=365, description="Events per account per year (Poisson rate)."
    )
    unhandled_churn_probability: Share = Field(
        description="Churn probability over the next 12 months after an event that no "
        "escalation answered in time (champion loss ~0.5: docs/assumptions.md#risk-events)."
    )
    handled_churn_probability: Share = Field(
        description="The same after an escalation started within its due window (a save "
        "play within 30 days roughly halves it: docs/assumptions.md#risk-events)."
    )
    effect_days: float = Field(
        default=365, gt=0, le=3650, description="How long the event weighs on renewal (days)."
    )


class Inbound(Strict):
    """Inbound requests from accounts (how-to, feature requests, complaints)."""

    requests_per_account_year: float = Field(
        default=0, ge=0, le=10_000, description="Requests per account per year."
    )
    support_share: Share = Field(
        default=0,
        description="Share of requests routed to support (no CSM time); the rest become CSM "
        "tasks described by the inbound_request touchpoint.",
    )


class Target(Strict):
    """A bound on a metric that must hold with a given confidence."""

    min: float | None = Field(default=None, description="Lowest acceptable value.")
    max: float | None = Field(default=None, description="Highest acceptable value.")
    confidence: Share = Field(
        default=0.9,
        description="Share of replications in which the bound must hold (e.g. 0.9 for "
        "P(GRR >= 0.92) >= 0.9).",
    )

    @model_validator(mode="after")
    def _some_bound(self) -> Target:
        if self.min is None and self.max is None:
            raise PydanticCustomError("target_bound", "give min, max or both", {})
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                "target_bound",
                "min ({a}) must not exceed max ({b})",
                {"a": self.min, "b": self.max},
            )
        return self


class Targets(Strict):
    """Per-segment targets used by the headcount solver."""

    on_time_coverage: Target | None = Field(
        default=None, description="Share of planned touches delivered on time."
    )
    grr: Target | None = Field(default=None, description="Gross revenue retention (fraction).")
    nrr: Target | None = Field(default=None, description="Net revenue retention (fraction).")
    logo_churn: Target | None = Field(
        default=None, description="Share of starting accounts churned in the horizon."
    )
    utilisation: Target | None = Field(
        default=None, description="CSM utilisation (busy / available hours)."
    )


class Segment(Strict):
    """A group of accounts sharing an engagement model, churn model, team and targets."""

    description: str = Field(default="", description="Free text for reports.")
    accounts: Accounts = Field(
        description="Starting book: a number of accounts, a list of accounts, or "
        "{from_csv: FILE} to read the real book from a customer list."
    )
    arr: Money | None = Field(
        default=None,
        description="ARR per account (currency per year); needed when accounts is a number "
        "and for new accounts.",
    )
    contract_term_months: int = Field(
        default=12, ge=1, le=120, description="Contract length (months); 1 for monthly."
    )
    renewal_month_weights: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None,
        description="Relative weight of each month of the term for the starting book's next "
        "renewal (one entry per contract month); uniform when omitted.",
    )
    new_accounts_per_month: float = Field(
        default=0, ge=0, le=1_000_000, description="New accounts from sales per month (Poisson)."
    )
    new_account_schedule: list[NewAccountBatch] = Field(
        default_factory=list,
        max_length=10_000,
        description="Dated arrivals of new accounts, instead of new_accounts_per_month.",
    )
    coverage: Coverage = Field(
        default="dedicated",
        description="dedicated: each account owned by one CSM; pooled: a shared queue; "
        "digital: no CSM owner, only automated and one_to_many touches.",
    )
    team: TeamRef | None = Field(
        default=None,
        description="Name of a team in teams, or a team defined here (named after the segment).",
    )
    lifecycle: Lifecycle = Field(default_factory=Lifecycle, description="Stage durations.")
    touchpoints: dict[Name, Touchpoint] = Field(
        default_factory=dict, description="The engagement model: touchpoint types by name."
    )
    unscheduled_uplift: float = Field(
        default=1.0,
        ge=1,
        le=10,
        description="Multiplier on scheduled CSM hours for unscheduled work not modelled as "
        "inbound requests or risk escalations (ad hoc, outreach, account planning).",
    )
    unscheduled_priority: int = Field(
        default=5,
        ge=1,
        le=9,
        description="Queue priority of unscheduled background work (1 served first; the "
        "default 5 competes with cadence touches).",
    )
    unscheduled_due_days: float = Field(
        default=14,
        gt=0,
        le=3650,
        description="Days within which unscheduled work must start, or it is dropped.",
    )
    inbound: Inbound = Field(default_factory=Inbound, description="Inbound requests.")
    risk_events: dict[Name, RiskEvent] = Field(
        default_factory=dict, description="Risk event types by name."
    )
    churn: Churn = Field(description="Churn model.")
    arr_change_at_renewal: Annotated[Distribution, AfterValidator(_ge_minus_one)] = Field(
        default_factory=lambda: Fixed(value=0.0),
        description="Fractional ARR change of a renewing account (0.1 = +10% expansion, "
        "-0.2 = 20% contraction).",
    )
    targets: Targets = Field(default_factory=Targets, description="Targets for the solver.")

    @model_validator(mode="after")
    def _consistency(self) -> Segment:
        if isinstance(self.accounts, AccountsFile):
            raise PydanticCustomError(
                "accounts_file",
                "an account file is read when the scenario is loaded (simulator.load); "
                "build Segment objects with a list of accounts instead",
                {},
            )
        if isinstance(self.accounts, int) and self.arr is None:
            raise PydanticCustomError(
                "missing_arr", "a segment given as a number of accounts needs arr", {}
            )
        if (self.new_accounts_per_month > 0 or self.new_account_schedule) and self.arr is None:
            raise PydanticCustomError("missing_arr", "new accounts need arr", {})
        if self.new_accounts_per_month > 0 and self.new_account_schedule:
            raise PydanticCustomError(
                "new_accounts",
                "give new_accounts_per_month or new_account_schedule, not both",
                {},
            )
        w = self.renewal_month_weights
        if w is not None and (len(w) != self.contract_term_months or sum(w) <= 0):
            raise PydanticCustomError(
                "renewal_weights",
                "renewal_month_weights needs one weight per contract month "
                "({n}), not all zero (got {m} weights)",
                {"n": self.contract_term_months, "m": len(w)},
            )
        return self

    @property
    def starting_accounts(self) -> int:
        """Accounts in the starting book."""
        return self.accounts if isinstance(self.accounts, int) else len(self.accounts)  # type: ignore[arg-type]

    @property
    def starting_arr(self) -> float:
        """Expected ARR of the starting book (currency per year)."""
        if isinstance(self.accounts, int):
            return self.accounts * (self.arr.mean if self.arr is not None else 0.0)
        return float(sum(a.arr for a in self.accounts))


# --------------------------------------------------------------------------- scenario


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
    working_days_per_year: float = Field(
        default=216,
        gt=0,
        le=366,
        description="Working days per year over which capacity is spread (260 weekdays less "
        "44 days off).",
    )

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
    name: str = Field(default="Unnamed scenario", max_length=200, description="Plan name.")
    description: str = Field(default="", description="Free text for reports.")
    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code for every amount."
    )
    start_date: dt.date = Field(description="First day of the plan (day 0 of the simulation).")
    horizon_days: int = Field(default=365, ge=1, le=3650, description="Length of the plan (days).")
    seed: int = Field(
        default=0, ge=0, le=2**63 - 1, description="Root seed of every random stream."
    )
    calendar: Calendar = Field(default_factory=Calendar, description="CSM working time.")
    teams: dict[Name, Team] = Field(
        default_factory=dict, description="Teams that segments name in their team field."
    )
    segments: dict[Name, Segment] = Field(min_length=1, description="Customer segments by name.")
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

    @property
    def horizon_years(self) -> float:
        """Horizon in years of 365 days."""
        return self.horizon_days / 365.0

    @property
    def end_date(self) -> dt.date:
        """Last day of the plan."""
        return self.start_date + dt.timedelta(days=self.horizon_days - 1)
