"""A customer segment: its lifecycle, churn model, risk events, inbound requests and targets."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from simulator.scenario.base import Strict
from simulator.scenario.distributions import Distribution, Fixed, _Dist
from simulator.scenario.model.accounts import Accounts, AccountsFile, AccountSpec, NewAccountBatch
from simulator.scenario.model.fields import Coverage, Money, Name, Share
from simulator.scenario.model.teams import TeamRef
from simulator.scenario.model.touchpoints import Touchpoint

__all__ = [
    "Churn",
    "Expansion",
    "Inbound",
    "Lifecycle",
    "RiskEvent",
    "Segment",
    "Target",
    "Targets",
]


def _ge_minus_one(d: _Dist) -> _Dist:
    if d.support[0] < -1:
        raise PydanticCustomError(
            "arr_change_range",
            "an ARR change below -1 (-100%) is impossible (lowest possible value {lo}); "
            "set min: -1 or higher",
            {"lo": d.support[0]},
        )
    return d


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
        "weighted delivered / planned touches over coverage_window_days (inbound requests "
        "are no planned touches: they count in responsiveness).",
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
    responsiveness_effect: float = Field(
        default=0.5,
        ge=0,
        le=100,
        description="Hazard multiplier 1 + responsiveness_effect x (1 - responsiveness), "
        "responsiveness being the weighted answered share of the account's CSM-routed "
        "inbound requests and ad hoc tasks over coverage_window_days, late answers at their "
        "late credit (default 0.5, an assumption: docs/assumptions.md#churn-drivers).",
    )
    late_credit_half_life_days: Annotated[float, Field(gt=0, le=3650)] | Literal["off"] | None = (
        Field(
            default=30.0,
            description="A delivered touch started d days after its on-time day earns its "
            "credit x 0.5 ** (d / half-life) in coverage (default 30 days, an assumption: "
            "docs/assumptions.md#churn-drivers); off (or null in a file without extends): "
            "a late touch earns full credit.",
        )
    )

    @property
    def late_credit_half_life(self) -> float | None:
        """The half-life in days, None when late touches earn full credit."""
        v = self.late_credit_half_life_days
        return None if v is None or v == "off" else float(v)


class Expansion(Strict):
    """How expansion at renewal responds to the CSM's work.

    ``arr_change_at_renewal`` is the change with the plan fully delivered; what was
    delivered leaves a share ``E = (1 - coverage_effect (1 - coverage)) x (1 - touch_effect
    (1 - expansion delivery))`` of it: the probability of expanding is scaled by ``E`` and
    the expansions that happen are the smaller ones (docs/assumptions.md#expansion).
    """

    coverage_effect: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of expansion that depends on the relationship: with coverage c "
        "the expansion factor is 1 - coverage_effect x (1 - c) (default 0.5, an "
        "assumption: docs/assumptions.md#expansion; 0: expansion ignores the CSM).",
    )
    touch_effect: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of expansion that depends on the purpose: expansion touches: "
        "with their weighted delivered share d the factor is 1 - touch_effect x (1 - d) "
        "(default 0.5, an assumption: docs/assumptions.md#expansion; no effect when the "
        "segment has no expansion touchpoint).",
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
    csm_book_nrr: Target | None = Field(
        default=None,
        description="Book NRR of the median CSM (ARR their renewals returned over the ARR "
        "that came up for renewal; renewals no CSM owned count as one unowned book).",
    )
    csm_quota_attainment: Target | None = Field(
        default=None,
        description="Share of the segment's CSMs whose book NRR is at least csm_nrr_quota.",
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
        default=6,
        ge=1,
        le=9,
        description="Queue priority of unscheduled (ad hoc) work, 1 served first. The "
        "default 6 yields to every planned touch (risk_event 1, before_renewal 2, "
        "inbound_request 3, stage_entry 4, cadence 5), so ad hoc work is what an overloaded "
        "CSM drops first (docs/assumptions.md#how-csms-work).",
    )
    book_ahead_days: float = Field(
        default=14,
        ge=0,
        le=365,
        description="Days before its planned date a CSM with nothing due may start a "
        "planned one_to_one touch (stage_entry, cadence, before_renewal); a touchpoint's "
        "own book_ahead_days overrides it; 0 turns booking ahead off (14: "
        "docs/assumptions.md#how-csms-work, an assumption).",
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
    csm_nrr_quota: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="NRR a CSM's book is asked to return: ARR their renewals returned over "
        "the ARR that came up for renewal (default 1.0, a book returned whole: "
        "docs/assumptions.md#expansion); the share of CSMs at or above it is reported.",
    )
    arr_change_at_renewal: Annotated[Distribution, AfterValidator(_ge_minus_one)] = Field(
        default_factory=lambda: Fixed(value=0.0),
        description="Fractional ARR change of a renewing account with the plan fully "
        "delivered (0.1 = +10% expansion, -0.2 = 20% contraction); under-delivery shrinks "
        "expansion (see expansion).",
    )
    expansion: Expansion = Field(
        default_factory=Expansion,
        description="How expansion at renewal responds to delivered coverage and to "
        "expansion touchpoints.",
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
        if isinstance(self.accounts, int):
            return self.accounts
        return len(self._account_list())

    @property
    def starting_arr(self) -> float:
        """Expected ARR of the starting book (currency per year)."""
        if isinstance(self.accounts, int):
            return self.accounts * (self.arr.mean if self.arr is not None else 0.0)
        return float(sum(a.arr for a in self._account_list()))

    def _account_list(self) -> list[AccountSpec]:
        """The listed starting book (validation rejects an account file that was not read)."""
        if not isinstance(self.accounts, list):
            raise TypeError(
                f"the starting book is {type(self.accounts).__name__}, not a list of accounts"
            )
        return self.accounts
