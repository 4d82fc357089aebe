"""The true parameters of a synthetic activity history: segments, effects, delivery, names.

SYNTHETIC DATA - not real customers. :func:`simulator.synthetic.history.generate_history`
draws a customer list and the CSMs' activity log over ``years`` years to ``as_of`` from
these parameters, so that estimates of the effect of coverage on churn and expansion can
be checked against the values the data were made from.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from simulator.data.values import add_months

__all__ = [
    "DEFAULT_ACTIVITY_NAMES",
    "DEFAULT_HISTORY_SEGMENTS",
    "DEFAULT_HISTORY_TRUTH",
    "ActivityName",
    "HistorySegment",
    "HistoryTruth",
]


@dataclass(frozen=True)
class HistorySegment:
    """The true parameters of one segment's accounts in the history.

    Attributes
    ----------
    name
        Segment name as written in the customer list's "Segment" column.
    plan_segment
        Key of the plan segment (e.g. ``top`` of ``scenarios/default.yaml``) whose
        lifecycle, touchpoints, term, coverage window and late-credit half-life the
        accounts follow.
    new_logo_share
        Share of new logos signing into this segment (0-1; shares sum to 1).
    arr_mean
        Mean ARR at signing (US$ per year); lognormal, rounded to whole dollars.
    arr_cv
        Coefficient of variation of ARR at signing (sd / mean, dimensionless).
    annual_baseline
        Churn probability over a year with coverage 1 and an on-time onboarding (0-1);
        the baseline hazard over a term of T months is ``-log(1 - annual_baseline) x
        term_days(T) / 365``.
    arr_change_mean, arr_change_sd
        Mean and standard deviation of the normal relative ARR change at a renewal with
        coverage 1, before truncation (fraction of ARR: 0.1 = +10%).
    arr_change_min, arr_change_max
        Truncation of that normal (fractions of ARR).
    owners
        Names of the segment's first CSMs ("Assigned To"), in joining order. How many
        CSMs there are is not set here: it follows the work delivered
        (:meth:`HistoryTruth.csm_hours_per_year`); names beyond these are drawn from
        :data:`simulator.synthetic.history_owners.FIRST_NAMES`.
    """

    name: str
    plan_segment: str
    new_logo_share: float
    arr_mean: float
    arr_cv: float
    annual_baseline: float
    arr_change_mean: float
    arr_change_sd: float
    arr_change_min: float = -0.5
    arr_change_max: float = 1.0
    owners: tuple[str, ...] = ("Avery Example",)

    def __post_init__(self) -> None:
        if not self.name or not self.plan_segment:
            raise ValueError("a history segment needs a name and a plan segment")
        if not 0.0 <= self.new_logo_share <= 1.0:
            raise ValueError(f"{self.name}: new_logo_share must be in [0, 1]")
        if self.arr_mean <= 0 or self.arr_cv < 0:
            raise ValueError(f"{self.name}: arr_mean must be > 0 and arr_cv >= 0")
        if not 0.0 <= self.annual_baseline < 1.0:
            raise ValueError(f"{self.name}: annual_baseline must be in [0, 1)")
        if self.arr_change_sd < 0 or not -1.0 <= self.arr_change_min < self.arr_change_max:
            raise ValueError(f"{self.name}: need arr_change_sd >= 0 and -1 <= min < max")
        if not self.owners:
            raise ValueError(f"{self.name}: at least one owner is needed")


@dataclass(frozen=True)
class ActivityName:
    """How the activity log names the delivered touches of one touchpoint.

    Attributes
    ----------
    touchpoint
        Touchpoint name in the plan (``qbr``).
    type
        "Activity Type" as an export writes it (``Quarterly Business Review``).
    generic_share
        Share of its rows written with the generic type (:attr:`HistoryTruth.generic_type`,
        "Meeting") instead; the name is then only in the "Subject" (0-1).
    """

    touchpoint: str
    type: str
    generic_share: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.generic_share <= 1.0:
            raise ValueError(f"{self.touchpoint}: generic_share must be in [0, 1]")


DEFAULT_ACTIVITY_NAMES: tuple[ActivityName, ...] = (
    ActivityName("kickoff", "Kickoff Meeting", 0.2),
    ActivityName("implementation_workshop", "Implementation Workshop", 0.3),
    ActivityName("first_value_review", "First Value Review", 0.3),
    ActivityName("training", "Training Session"),
    ActivityName("health_check", "Health Check Call"),
    ActivityName("qbr", "Quarterly Business Review", 0.3),
    ActivityName("ebr", "Executive Business Review", 0.3),
    ActivityName("renewal", "Renewal Call"),
    ActivityName("onboarding_session", "Onboarding Session", 0.2),
    ActivityName("business_review", "Business Review", 0.3),
    ActivityName("onboarding_webinar", "Onboarding Webinar"),
    ActivityName("check_in_call", "Check-in Call"),
)
"""Activity types of the default plan's CSM-delivered touchpoints. Automated and skipped
touchpoints write no rows; a touchpoint missing here is written as its name in title case
(``my_touch`` -> "My Touch")."""

DEFAULT_HISTORY_SEGMENTS: tuple[HistorySegment, ...] = (
    # ARR and ARR change as the default plan's top segment (~$300k ACV, +17% sd 15%);
    # baseline 6%: docs/assumptions.md#retention enterprise 6% (3-10%)
    HistorySegment(
        name="Enterprise",
        plan_segment="top",
        new_logo_share=0.20,
        arr_mean=300_000.0,
        arr_cv=0.3,
        annual_baseline=0.06,
        arr_change_mean=0.17,
        arr_change_sd=0.15,
        owners=("Avery Example", "Blake Example", "Casey Example", "Devon Example"),
    ),
    # as the plan's mid segment ($30k, +8% sd 12%); mid-market 11% (8-15%): 10%
    HistorySegment(
        name="Mid-Market",
        plan_segment="mid",
        new_logo_share=0.50,
        arr_mean=30_000.0,
        arr_cv=0.5,
        annual_baseline=0.10,
        arr_change_mean=0.08,
        arr_change_sd=0.12,
        owners=("Emery Example", "Finley Example", "Harper Example"),
    ),
    # as the plan's smb segment ($5k, +10% sd 20%). Its automated programme caps coverage
    # near 0.55, so a 12% baseline gives ~25% churn (SMB 25%, 15-40%) at planned delivery
    HistorySegment(
        name="SMB",
        plan_segment="smb",
        new_logo_share=0.30,
        arr_mean=5_000.0,
        arr_cv=0.6,
        annual_baseline=0.12,
        arr_change_mean=0.10,
        arr_change_sd=0.20,
        owners=("Jordan Example", "Kendall Example"),
    ),
)
"""Default segments; sources in the comments above (docs/assumptions.md#retention)."""


@dataclass(frozen=True)
class HistoryTruth:
    """Every true parameter of a synthetic activity history.

    Attributes
    ----------
    as_of
        Last day of the history: renewals on or before it are resolved, later activities
        are not written.
    years
        Years of history (accounts sign from :attr:`first_signing` to ``as_of``).
    logos_per_month
        Expected new logos per calendar month, all segments (Poisson, accounts / month).
    segments
        The segments (new-logo shares sum to 1).
    churn_coverage_effect
        ``coverage_effect`` of the engine's churn form: hazard x (1 + effect x (1 -
        coverage)) (dimensionless).
    late_onboarding_multiplier
        Hazard multiplier of a renewal whose onboarding was late (dimensionless).
    expansion_coverage_effect
        ``expansion.coverage_effect``: a renewal keeps a share 1 - effect x (1 - coverage)
        of the expected expansion (0-1).
    propensity_mean, propensity_concentration
        Per account and contract period, the probability that each planned CSM touch is
        delivered is drawn from Beta(mean x k, (1 - mean) x k), k the concentration; a
        mean of 1 delivers every touch. Its sd is sqrt(mean (1 - mean) / (k + 1)).
    late_probability
        Probability that a delivered touch is late: dated after its on-time day (0-1).
    lateness_mean_days
        Days beyond the on-time day of a late touch: exponential with this mean,
        truncated at the due day (due_days - on_time_days), rounded up to whole days.
    noise_share
        Share of activity rows that are noise (:attr:`noise_types`: no touchpoint),
        dated uniformly over the account's life (0-1).
    rescue_touch_share
        Confounding switch (0: off). When > 0, in each segment the renewals whose true
        churn hazard is in this top share of the segment's resolved renewals get
        :attr:`rescue_touches` extra touches of its first one_to_one cadence touchpoint,
        dated uniformly in the :attr:`rescue_window_days` days before the renewal. They
        do not change the true coverage or churn (the churn was decided by the work
        planned); they raise the coverage read from the log for exactly the riskiest
        accounts: the observational caveat of estimating a coverage effect from history.
    rescue_touches
        Extra touches per rescued renewal.
    rescue_window_days
        Days before a rescued renewal in which its extra touches fall.
    activity_names
        How each touchpoint's rows are named (:class:`ActivityName`).
    generic_type
        The generic "Activity Type" of rows named only in their subject.
    noise_types
        Activity types of noise rows.
    available_hours_per_year, customer_time_share, availability
        The CSM capacity the owners are sized by: a CSM gives customers
        ``available_hours_per_year x customer_time_share x availability`` hours a year
        (:attr:`csm_hours_per_year`; 1730 x 0.63 x 0.95 = 1,035 h, the default plan's
        calendar and the vacancy and ramp drag of docs/assumptions.md#staffing, as
        ``cssim estimate`` counts it).
    staff_window_days
        Days of work the owners are sized by. The owners (CSMs, "Assigned To") of a
        segment at each month end are the CSM hours behind the touches delivered in the
        ``staff_window_days`` days before it (delivered touches at their touchpoint's mean
        hours, sessions once, times the unscheduled uplift, plus the plan's inbound and
        escalation hours per account-year), annualised, over :attr:`csm_hours_per_year`,
        rounded up (at least 1); the team never shrinks; each account is owned for life by
        the CSM of the team of the month it signed with the fewest active accounts
        (:mod:`simulator.synthetic.history_owners`). 90 days: the window a backtest
        staffs its teams from, so it finds the team the delivered work needed.
    working_days
        Whether on-time and due windows count weekdays from the account's signing day, as
        the engine counts them under the default plan's ``calendar.model: working_days``
        (True), or calendar days.
    seed
        Default seed of the generator.
    """

    as_of: dt.date = dt.date(2026, 10, 31)
    years: int = 3
    logos_per_month: float = 45.0
    segments: tuple[HistorySegment, ...] = DEFAULT_HISTORY_SEGMENTS
    churn_coverage_effect: float = 2.0
    late_onboarding_multiplier: float = 1.8
    expansion_coverage_effect: float = 0.6
    propensity_mean: float = 0.8
    propensity_concentration: float = 3.0
    late_probability: float = 0.15
    lateness_mean_days: float = 8.0
    noise_share: float = 0.15
    rescue_touch_share: float = 0.0
    rescue_touches: int = 2
    rescue_window_days: int = 60
    activity_names: tuple[ActivityName, ...] = DEFAULT_ACTIVITY_NAMES
    generic_type: str = "Meeting"
    noise_types: tuple[str, ...] = ("Email", "Note")
    available_hours_per_year: float = 1730.0
    customer_time_share: float = 0.63
    availability: float = 0.95
    staff_window_days: int = 90
    working_days: bool = True
    seed: int = 20261114

    def __post_init__(self) -> None:
        if not self.segments:
            raise ValueError("at least one segment is needed")
        if abs(sum(s.new_logo_share for s in self.segments) - 1.0) > 1e-9:
            raise ValueError("segment new_logo_share values must sum to 1")
        if len({s.name for s in self.segments}) != len(self.segments):
            raise ValueError("segment names must be unique")
        if self.years < 1 or self.logos_per_month < 0:
            raise ValueError("years must be >= 1 and logos_per_month >= 0")
        if self.churn_coverage_effect < 0 or self.late_onboarding_multiplier < 0:
            raise ValueError("churn effects must be >= 0")
        if not 0.0 <= self.expansion_coverage_effect <= 1.0:
            raise ValueError("expansion_coverage_effect must be in [0, 1]")
        if not 0.0 < self.propensity_mean <= 1.0 or self.propensity_concentration <= 0:
            raise ValueError("propensity_mean must be in (0, 1], propensity_concentration > 0")
        if not 0.0 <= self.late_probability <= 1.0 or self.lateness_mean_days <= 0:
            raise ValueError("late_probability must be in [0, 1], lateness_mean_days > 0")
        if not 0.0 <= self.noise_share < 1.0:
            raise ValueError("noise_share must be in [0, 1)")
        if not 0.0 <= self.rescue_touch_share <= 1.0:
            raise ValueError("rescue_touch_share must be in [0, 1]")
        if self.rescue_touches < 0 or self.rescue_window_days < 1:
            raise ValueError("rescue_touches must be >= 0 and rescue_window_days >= 1")
        if self.csm_hours_per_year <= 0 or not 0.0 < self.customer_time_share <= 1.0:
            raise ValueError("CSM capacity must be > 0 (customer_time_share in (0, 1])")
        if not 0.0 < self.availability <= 1.0 or self.staff_window_days < 1:
            raise ValueError("availability must be in (0, 1] and staff_window_days >= 1")
        names = [a.touchpoint for a in self.activity_names]
        if len(set(names)) != len(names):
            raise ValueError("activity_names: one entry per touchpoint")
        types = {self.type_name(t) for t in names}
        if self.generic_type in types or types & set(self.noise_types):
            raise ValueError("generic and noise types must differ from touchpoint types")

    @property
    def csm_hours_per_year(self) -> float:
        """Customer hours one CSM gives in a year (hours per year; see the attributes)."""
        return self.available_hours_per_year * self.customer_time_share * self.availability

    @property
    def first_signing(self) -> dt.date:
        """First signing day: the day after ``as_of`` less ``years`` years."""
        return add_months(self.as_of, -12 * self.years) + dt.timedelta(days=1)

    def segment(self, name: str) -> HistorySegment:
        """The segment called ``name``."""
        for s in self.segments:
            if s.name == name:
                return s
        raise KeyError(name)

    def type_name(self, touchpoint: str) -> str:
        """The "Activity Type" of ``touchpoint``'s rows (title case when not listed)."""
        for a in self.activity_names:
            if a.touchpoint == touchpoint:
                return a.type
        return touchpoint.replace("_", " ").title()

    def generic_share(self, touchpoint: str) -> float:
        """Share of ``touchpoint``'s rows written with the generic type (0-1)."""
        return next(
            (a.generic_share for a in self.activity_names if a.touchpoint == touchpoint), 0.0
        )

    def propensity_moment(self, n: int) -> float:
        """``E[p ** n]`` of the delivery propensity (the Beta's n-th raw moment)."""
        m, k = self.propensity_mean, self.propensity_concentration
        if m >= 1.0:
            return 1.0
        a, b = m * k, (1.0 - m) * k
        return math.prod((a + i) / (a + b + i) for i in range(n))


DEFAULT_HISTORY_TRUTH = HistoryTruth()
"""The parameters behind ``scenarios/data/history/``."""
