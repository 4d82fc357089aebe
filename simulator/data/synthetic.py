"""Synthetic customer lists and timesheets drawn from known, documented parameters.

SYNTHETIC DATA - not real customers. Everything here is made up by a seeded random
generator so that tests can check that estimates recover the parameters the data were
drawn from (churn per renewal, expansion at renewal, ARR bands, customer time share,
unscheduled uplift, hours per touchpoint), and so that ``scenarios/data/`` can ship a
realistic example (``python scenarios/data/make_synthetic.py``).

The customer process (:func:`generate_customers`), per account:

1. New logos sign over ``[first_signing, as_of]``: a Poisson number per calendar month
   with mean ``logos_per_month`` (pro rata for partial months), each on a day drawn
   uniformly within the month; IDs are assigned in signing order.
2. The segment is drawn with the segments' ``new_logo_share``; ARR at signing is
   lognormal with the segment's mean and coefficient of variation, rounded to whole
   dollars.
3. At every contract anniversary (``term_months`` apart) on or before ``as_of`` the
   account churns with probability ``churn_per_renewal`` (churn date = that renewal
   date, ARR = the last ARR before churn); otherwise its ARR is multiplied by
   ``1 + e``, ``e`` a normal draw truncated below at ``expansion_floor`` (redrawn until
   above it), rounded to cents.
4. Active accounts renew next at the first anniversary after ``as_of``; their lifecycle
   stage at ``as_of`` is Onboarding (tenure < 90 days), Adoption (< 180 days), Renewal
   (next renewal within 120 days) or Steady State. Churned accounts are "Churned".

The timesheet process (:func:`generate_timesheet`) is described in
:class:`TimesheetTruth`. Only ``numpy.random.default_rng(seed)`` supplies randomness, so
a seed gives the same rows (and, through :func:`write_csv`, the same bytes) every time.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from simulator.data.values import add_months

__all__ = [
    "CUSTOMER_COLUMNS",
    "DEFAULT_ACTIVITIES",
    "DEFAULT_SEGMENTS",
    "DEFAULT_TRUTH",
    "TIMESHEET_COLUMNS",
    "ActivityTruth",
    "Mess",
    "SegmentTruth",
    "TimesheetTruth",
    "Truth",
    "generate_customers",
    "generate_timesheet",
    "lifecycle_stage",
    "main",
    "messy_customers",
    "write_csv",
    "write_customers",
]

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "Customer ID",
    "Customer Name",
    "Segment",
    "ARR",
    "Starting ARR",
    "Customer Since",
    "Renewal Date",
    "Churn Date",
    "Status",
    "Lifecycle Stage",
)
"""Columns of a generated customer list, in file order."""

TIMESHEET_COLUMNS: tuple[str, ...] = ("Person", "Date", "Activity", "Account", "Hours")
"""Columns of a generated timesheet, in file order."""

ONBOARDING_DAYS = 90
"""Tenure (days) below which an active account is in Onboarding."""
ADOPTION_END_DAYS = 180
"""Tenure (days) below which an account past onboarding is in Adoption."""
RENEWAL_WINDOW_DAYS = 120
"""Days before the next renewal from which an account is in Renewal (DOMAIN.md: ~120)."""

Kind = Literal["scheduled", "unscheduled", "internal"]


def _lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the log of a lognormal with this mean and coefficient of variation."""
    s2 = math.log1p(cv * cv)
    return math.log(mean) - s2 / 2.0, math.sqrt(s2)


def _norm_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _norm_pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class SegmentTruth:
    """The true parameters of one segment's accounts.

    Attributes
    ----------
    name
        Segment name as written in the "Segment" column.
    new_logo_share
        Share of new logos that sign into this segment (0-1; shares sum to 1).
    arr_mean
        Mean ARR at signing (US$ per year); lognormal.
    arr_cv
        Coefficient of variation of ARR at signing (sd / mean, dimensionless).
    churn_per_renewal
        Probability of churning at each renewal (per renewal; annual for 12-month terms).
    expansion_mean
        Mean of the normal ARR change at renewal of a retained account, before truncation
        (fraction of ARR: 0.10 is +10%). :attr:`expected_expansion` is the mean after
        truncation.
    expansion_sd
        Standard deviation of that normal (fraction of ARR), before truncation.
    expansion_floor
        Lower truncation point of the ARR change (fraction; -0.5 = ARR halves at worst).
    term_months
        Contract term (months); renewals fall on anniversaries of the signing date.
    """

    name: str
    new_logo_share: float
    arr_mean: float
    arr_cv: float
    churn_per_renewal: float
    expansion_mean: float
    expansion_sd: float
    expansion_floor: float = -0.5
    term_months: int = 12

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a segment needs a name")
        if not 0.0 <= self.new_logo_share <= 1.0:
            raise ValueError(f"{self.name}: new_logo_share must be in [0, 1]")
        if self.arr_mean <= 0 or self.arr_cv < 0:
            raise ValueError(f"{self.name}: arr_mean must be > 0 and arr_cv >= 0")
        if not 0.0 <= self.churn_per_renewal <= 1.0:
            raise ValueError(f"{self.name}: churn_per_renewal must be in [0, 1]")
        if self.expansion_sd < 0:
            raise ValueError(f"{self.name}: expansion_sd must be >= 0")
        if not -1.0 < self.expansion_floor < self.expansion_mean + 3 * self.expansion_sd + 1e-12:
            raise ValueError(
                f"{self.name}: expansion_floor must be above -1 and below the bulk of the "
                "expansion distribution (mean + 3 sd)"
            )
        if self.term_months < 1:
            raise ValueError(f"{self.name}: term_months must be >= 1")

    @property
    def expected_expansion(self) -> float:
        """Mean ARR change at a retained renewal after truncation (fraction of ARR)."""
        if self.expansion_sd == 0:
            return max(self.expansion_mean, self.expansion_floor)
        a = (self.expansion_floor - self.expansion_mean) / self.expansion_sd
        return self.expansion_mean + self.expansion_sd * _norm_pdf(a) / (1.0 - _norm_cdf(a))

    @property
    def net_retention(self) -> float:
        """Expected ARR after one renewal per $1 up for renewal (logo churn and expansion)."""
        return (1.0 - self.churn_per_renewal) * (1.0 + self.expected_expansion)


DEFAULT_SEGMENTS: tuple[SegmentTruth, ...] = (
    # DOMAIN.md Retention: SMB logo churn 25% (15-40%); ACV < $12k -> GRR 90%, NRR 100%.
    # 20% churn and +10% expansion are within those ranges (NRR ~0.88, a churn-heavy tail).
    SegmentTruth(
        name="SMB",
        new_logo_share=0.60,
        arr_mean=8_000.0,
        arr_cv=0.6,
        churn_per_renewal=0.20,
        expansion_mean=0.10,
        expansion_sd=0.20,
    ),
    # DOMAIN.md Retention: mid-market 11% (8-15%); $25-50k ACV NRR 103%.
    # Example segment "mid-market 400 accounts x $30k".
    SegmentTruth(
        name="Mid-Market",
        new_logo_share=0.30,
        arr_mean=35_000.0,
        arr_cv=0.5,
        churn_per_renewal=0.10,
        expansion_mean=0.14,
        expansion_sd=0.15,
    ),
    # DOMAIN.md Retention: enterprise 6% (3-10%); $100-250k ACV NRR 107%.
    SegmentTruth(
        name="Enterprise",
        new_logo_share=0.10,
        arr_mean=150_000.0,
        arr_cv=0.6,
        churn_per_renewal=0.06,
        expansion_mean=0.15,
        expansion_sd=0.12,
    ),
)
"""Default segments; values traced to DOMAIN.md in the comments above."""


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
    # Scheduled touchpoints; hours from DOMAIN.md "Hours per touchpoint".
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
        Expected customer hours over all logged hours (DOMAIN.md: 0.63).
    uplift
        Expected (scheduled + unscheduled customer hours) / scheduled hours
        (DOMAIN.md: x1.75 enterprise, x1.56 mid-market).
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
        mu, s = _lognormal_params(a.mean_hours, a.cv)

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


@dataclass(frozen=True)
class Truth:
    """All true parameters of a synthetic customer list and timesheet.

    Attributes
    ----------
    segments
        The segments (new-logo shares sum to 1).
    logos_per_month
        Expected new logos signed per calendar month, all segments (accounts per month).
    first_signing
        First day on which accounts sign (three years before ``as_of`` by default).
    as_of
        The date the customer list describes; renewals on or before it are resolved.
    seed
        Default seed of :func:`generate_customers`.
    timesheet
        The timesheet's true parameters.
    """

    segments: tuple[SegmentTruth, ...] = DEFAULT_SEGMENTS
    logos_per_month: float = 90.0
    first_signing: dt.date = dt.date(2023, 11, 1)
    as_of: dt.date = dt.date(2026, 10, 31)
    seed: int = 20261031
    timesheet: TimesheetTruth = field(default_factory=TimesheetTruth)

    def __post_init__(self) -> None:
        if not self.segments:
            raise ValueError("at least one segment is needed")
        if abs(sum(s.new_logo_share for s in self.segments) - 1.0) > 1e-9:
            raise ValueError("segment new_logo_share values must sum to 1")
        if len({s.name for s in self.segments}) != len(self.segments):
            raise ValueError("segment names must be unique")
        if self.logos_per_month < 0:
            raise ValueError("logos_per_month must be >= 0")
        if self.first_signing > self.as_of:
            raise ValueError("first_signing must be on or before as_of")

    def segment(self, name: str) -> SegmentTruth:
        """The segment called ``name``."""
        for s in self.segments:
            if s.name == name:
                return s
        raise KeyError(name)

    def signing_arr_quantile(self, q: float) -> float:
        """Quantile of ARR at signing over all new logos (US$ per year).

        The mixture of the segments' lognormals weighted by new-logo share: the true value
        behind e.g. the tertile breaks of the "Starting ARR" column. (Current ARR of active
        accounts also reflects churn and expansion and has no closed form.)
        """
        if not 0.0 < q < 1.0:
            raise ValueError("q must be in (0, 1)")
        params = [
            (s.new_logo_share, *_lognormal_params(s.arr_mean, s.arr_cv)) for s in self.segments
        ]
        lo = min(mu - 12 * max(sig, 1e-9) for _, mu, sig in params)
        hi = max(mu + 12 * max(sig, 1e-9) for _, mu, sig in params)

        def cdf(y: float) -> float:
            return sum(
                w * (float(y >= mu) if sig == 0 else _norm_cdf((y - mu) / sig))
                for w, mu, sig in params
            )

        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if cdf(mid) < q:
                lo = mid
            else:
                hi = mid
        return math.exp(0.5 * (lo + hi))

    def signing_arr_tertiles(self) -> tuple[float, float]:
        """The 1/3 and 2/3 quantiles of ARR at signing (US$ per year)."""
        return self.signing_arr_quantile(1 / 3), self.signing_arr_quantile(2 / 3)


DEFAULT_TRUTH = Truth()
"""The parameters behind ``scenarios/data/customers.csv`` and ``timesheet.csv``."""


# ----------------------------------------------------------------------------- dates


def _next_renewal(since: dt.date, term_months: int, after: dt.date) -> tuple[dt.date, int]:
    """First anniversary strictly after ``after`` and the number reached on or before it."""
    k = 1
    while (r := add_months(since, k * term_months)) <= after:
        k += 1
    return r, k - 1


def lifecycle_stage(since: dt.date, next_renewal: dt.date, on: dt.date) -> str:
    """Lifecycle stage of an active account on a date.

    Parameters
    ----------
    since
        Signing date.
    next_renewal
        The account's next renewal date after ``on``.
    on
        The date.

    Returns
    -------
    str
        "Onboarding" (tenure < 90 days), "Adoption" (< 180 days), "Renewal" (next renewal
        within 120 days) or "Steady State".
    """
    tenure = (on - since).days
    if tenure < ONBOARDING_DAYS:
        return "Onboarding"
    if tenure < ADOPTION_END_DAYS:
        return "Adoption"
    if (next_renewal - on).days <= RENEWAL_WINDOW_DAYS:
        return "Renewal"
    return "Steady State"


def _parse_date(text: str) -> dt.date:
    """An ISO (2026-10-31) or US (10/31/2026) date."""
    text = text.strip()
    if "/" in text:
        m, d, y = (int(x) for x in text.split("/"))
        return dt.date(y, m, d)
    return dt.date.fromisoformat(text)


def _us_date(text: str) -> str:
    if not text:
        return ""
    d = dt.date.fromisoformat(text)
    return f"{d.month}/{d.day}/{d.year}"


def _money(text: str) -> str:
    return f"${float(text):,.2f}" if text else ""


# ------------------------------------------------------------------------- customers

_NAME_FIRST = ("Acme", "Example", "Sample", "Demo", "Mock", "Fictional", "Placeholder", "Dummy")
_NAME_SECOND = (
    "Analytics",
    "Logistics",
    "Health",
    "Foods",
    "Robotics",
    "Software",
    "Labs",
    "Energy",
    "Media",
    "Finance",
    "Retail",
    "Systems",
)


def _clean_customers(truth: Truth, rng: np.random.Generator) -> list[dict[str, str]]:
    """The customer rows with ISO dates and plain numbers (draws the rng in a fixed order)."""
    # 1. signing dates: Poisson per calendar month, uniform day within the month
    signed: list[dt.date] = []
    month = truth.first_signing.replace(day=1)
    while month <= truth.as_of:
        days_in = calendar.monthrange(month.year, month.month)[1]
        lo = max(month, truth.first_signing)
        hi = min(month.replace(day=days_in), truth.as_of)
        span = (hi - lo).days + 1
        n = int(rng.poisson(truth.logos_per_month * span / days_in))
        offsets = rng.integers(0, span, size=n)
        signed.extend(lo + dt.timedelta(days=int(o)) for o in np.sort(offsets))
        month = add_months(month, 1)
    n = len(signed)
    if n == 0:
        return []
    # 2. segment, ARR at signing, name
    shares = np.array([s.new_logo_share for s in truth.segments])
    seg_idx = rng.choice(len(truth.segments), size=n, p=shares / shares.sum())
    z_arr = rng.standard_normal(n)
    name_a = rng.integers(0, len(_NAME_FIRST), size=n)
    name_b = rng.integers(0, len(_NAME_SECOND), size=n)
    # 3. renewals: one churn uniform and one expansion draw per possible renewal
    max_renewals = max(
        _next_renewal(truth.first_signing, s.term_months, truth.as_of)[1] for s in truth.segments
    )
    u_churn = rng.random((n, max(max_renewals, 1)))
    z_exp = rng.standard_normal((n, max(max_renewals, 1)))
    mean = np.array([truth.segments[i].expansion_mean for i in seg_idx])[:, None]
    sd = np.array([truth.segments[i].expansion_sd for i in seg_idx])[:, None]
    floor = np.array([truth.segments[i].expansion_floor for i in seg_idx])[:, None]
    expansion = mean + sd * z_exp
    while (low := expansion < floor).any():  # truncated normal by rejection
        expansion[low] = (mean + sd * rng.standard_normal(z_exp.shape))[low]

    rows: list[dict[str, str]] = []
    width = max(4, len(str(n)))
    for i, since in enumerate(signed):
        seg = truth.segments[int(seg_idx[i])]
        mu, sig = _lognormal_params(seg.arr_mean, seg.arr_cv)
        start_arr = max(1.0, float(round(math.exp(mu + sig * z_arr[i]))))
        arr = start_arr
        renewal, reached = _next_renewal(since, seg.term_months, truth.as_of)
        churn_date: dt.date | None = None
        for k in range(reached):
            if u_churn[i, k] < seg.churn_per_renewal:
                churn_date = add_months(since, (k + 1) * seg.term_months)
                break
            arr = round(arr * (1.0 + float(expansion[i, k])), 2)
        number = f"{i + 1:0{width}d}"
        if churn_date is None:
            status, stage = "Active", lifecycle_stage(since, renewal, truth.as_of)
        else:
            status, stage, renewal = "Churned", "Churned", churn_date
        rows.append(
            {
                "Customer ID": f"CUST-{number}",
                "Customer Name": f"{_NAME_FIRST[name_a[i]]} {_NAME_SECOND[name_b[i]]} "
                f"{number} (synthetic)",
                "Segment": seg.name,
                "ARR": f"{arr:.2f}",
                "Starting ARR": f"{start_arr:.2f}",
                "Customer Since": since.isoformat(),
                "Renewal Date": renewal.isoformat(),
                "Churn Date": churn_date.isoformat() if churn_date else "",
                "Status": status,
                "Lifecycle Stage": stage,
            }
        )
    return rows


MESSY_BLANKS: tuple[tuple[str, int], ...] = (
    ("Customer Name", 2),
    ("Lifecycle Stage", 3),
    ("Starting ARR", 2),
)
"""Optional columns blanked in messy mode and on how many (distinct, active) rows."""
MESSY_DUPLICATES = 3
"""Rows repeated as identical copies in messy mode."""
MESSY_CHURN_DATE_BLANKS = 4
"""Churned rows whose churn date is left blank in messy mode."""


@dataclass(frozen=True)
class Mess:
    """Exactly what :func:`messy_customers` did to the clean rows.

    File lines are 1-based lines of the CSV written with the title row
    (``write_csv(rows, path, title=mess.title)``): line 1 title, line 2 header.

    Attributes
    ----------
    title
        The title row above the header (one cell).
    blank_cells
        ``(Customer ID, column)`` of each optional cell left blank (active rows).
    churn_date_blank
        Customer IDs of churned rows whose "Churn Date" is blank (their "Renewal Date"
        still holds the date they churned).
    duplicates
        Customer IDs whose row appears twice (identical copies).
    duplicate_lines
        File lines of the second copies, in the order of ``duplicates``.
    stray_header_line
        File line of the repeated header row.
    line_of
        File line of each customer's (first) row, by Customer ID.
    records
        Distinct customers (rows of the clean list).
    data_lines
        Lines after the header: records + duplicates + the stray header.
    """

    title: str
    blank_cells: tuple[tuple[str, str], ...]
    churn_date_blank: tuple[str, ...]
    duplicates: tuple[str, ...]
    duplicate_lines: tuple[int, ...]
    stray_header_line: int
    line_of: dict[str, int] = field(repr=False)
    records: int
    data_lines: int


def messy_customers(
    truth: Truth = DEFAULT_TRUTH, seed: int | None = None
) -> tuple[list[dict[str, str]], Mess]:
    """The customer list as a messy CRM export, and a record of the mess.

    The records are those of ``generate_customers(truth, seed)``; then ARR and Starting
    ARR become ``"$12,345.00"`` strings, dates become US ``M/D/YYYY``, optional cells are
    blanked (:data:`MESSY_BLANKS`), :data:`MESSY_CHURN_DATE_BLANKS` churned rows lose
    their churn date, :data:`MESSY_DUPLICATES` rows are copied to random later
    positions, and a copy of the header row is inserted in the middle. The title row is
    not a record: it is returned as ``Mess.title`` for :func:`write_csv`.

    Parameters
    ----------
    truth
        The true parameters.
    seed
        Random seed (default ``truth.seed``).

    Returns
    -------
    tuple[list[dict[str, str]], Mess]
        The rows (columns :data:`CUSTOMER_COLUMNS`) and what was done to them.
    """
    rng = np.random.default_rng(truth.seed if seed is None else seed)
    clean = _clean_customers(truth, rng)
    # the mess draws come after all clean draws, so the records match the clean list
    active = [i for i, r in enumerate(clean) if r["Status"] == "Active"]
    churned = [i for i, r in enumerate(clean) if r["Status"] == "Churned"]
    n_blank = sum(k for _, k in MESSY_BLANKS)
    if len(active) < n_blank + MESSY_DUPLICATES or len(churned) < MESSY_CHURN_DATE_BLANKS:
        raise ValueError("too few accounts to make a messy list; raise logos_per_month")
    picked = [active[int(j)] for j in rng.choice(len(active), n_blank, replace=False)]
    no_churn_date = sorted(
        churned[int(j)] for j in rng.choice(len(churned), MESSY_CHURN_DATE_BLANKS, replace=False)
    )
    untouched = sorted(set(active) - set(picked))
    dup_src = sorted(
        untouched[int(j)] for j in rng.choice(len(untouched), MESSY_DUPLICATES, replace=False)
    )

    rows = [
        {
            **r,
            "ARR": _money(r["ARR"]),
            "Starting ARR": _money(r["Starting ARR"]),
            "Customer Since": _us_date(r["Customer Since"]),
            "Renewal Date": _us_date(r["Renewal Date"]),
            "Churn Date": _us_date(r["Churn Date"]),
        }
        for r in clean
    ]
    blank_cells: list[tuple[int, str]] = []
    pos = 0
    for column, k in MESSY_BLANKS:
        for i in picked[pos : pos + k]:
            rows[i][column] = ""
            blank_cells.append((i, column))
        pos += k
    for i in no_churn_date:
        rows[i]["Churn Date"] = ""

    # insert duplicates (highest target first keeps earlier positions valid), then header
    targets = [int(rng.integers(i + 1, len(rows) + 1)) for i in dup_src]
    out: list[dict[str, str] | None] = list(rows)
    for i, t in sorted(zip(dup_src, targets, strict=True), key=lambda p: -p[1]):
        out.insert(t, dict(rows[i]))
    middle = len(out) // 2
    out.insert(middle, None)
    stray = 0
    copy_line: dict[int, int] = {}
    line_of: dict[str, int] = {}
    final: list[dict[str, str]] = []
    by_id = {r["Customer ID"]: i for i, r in enumerate(rows)}
    for line, r in enumerate(out, start=3):
        if r is None:
            stray = line
            final.append({c: c for c in CUSTOMER_COLUMNS})
            continue
        if r["Customer ID"] in line_of:
            copy_line[by_id[r["Customer ID"]]] = line
        else:
            line_of[r["Customer ID"]] = line
        final.append(r)
    title = (
        f"Customer export - generated {truth.as_of.month}/{truth.as_of.day}/{truth.as_of.year}"
        " - SYNTHETIC DATA (not real customers)"
    )
    mess = Mess(
        title=title,
        blank_cells=tuple((clean[i]["Customer ID"], c) for i, c in blank_cells),
        churn_date_blank=tuple(clean[i]["Customer ID"] for i in no_churn_date),
        duplicates=tuple(clean[i]["Customer ID"] for i in dup_src),
        duplicate_lines=tuple(copy_line[i] for i in dup_src),
        stray_header_line=stray,
        line_of=line_of,
        records=len(clean),
        data_lines=len(final),
    )
    return final, mess


def generate_customers(
    truth: Truth = DEFAULT_TRUTH, seed: int | None = None, messy: bool = False
) -> list[dict[str, str]]:
    """A synthetic customer list drawn from ``truth`` (see the module docstring).

    Parameters
    ----------
    truth
        The true parameters.
    seed
        Random seed (default ``truth.seed``).
    messy
        False: ISO dates, ARR as plain numbers (US$ per year, 2 decimals), one row per
        customer. True: the rows of :func:`messy_customers` (its title row is not
        included; use :func:`write_customers` for the full file).

    Returns
    -------
    list[dict[str, str]]
        Rows with the columns :data:`CUSTOMER_COLUMNS`, in signing order.
    """
    if messy:
        return messy_customers(truth, seed)[0]
    return _clean_customers(truth, np.random.default_rng(truth.seed if seed is None else seed))


# ------------------------------------------------------------------------- timesheet

_PEOPLE = (
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emery",
    "Finley",
    "Harper",
    "Jordan",
    "Kendall",
    "Logan",
    "Morgan",
    "Parker",
)


def _person(i: int) -> str:
    first = _PEOPLE[i] if i < len(_PEOPLE) else f"CSM {i + 1:02d}"
    return f"{first} Example"


@dataclass(frozen=True)
class _Account:
    id: str
    segment: str
    since: dt.date
    term_months: int
    arr: float


def _parse_money(text: str | None) -> float:
    """ARR from ``12345.6`` or ``$12,345.60``; 1.0 when blank or unreadable."""
    try:
        value = float((text or "").replace("$", "").replace(",", "").strip())
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and value > 0 else 1.0


def _active_accounts(customers: Sequence[Mapping[str, str]], truth: Truth) -> list[_Account]:
    """Active accounts of a clean or messy customer list (stray headers and copies skipped)."""
    terms = {s.name: s.term_months for s in truth.segments}
    seen: set[str] = set()
    out = []
    for r in customers:
        cid = (r.get("Customer ID") or "").strip()
        if not cid or cid == "Customer ID" or cid in seen:
            continue
        seen.add(cid)
        if (r.get("Status") or "").strip() != "Active":
            continue
        seg = (r.get("Segment") or "").strip()
        since = _parse_date(r["Customer Since"])
        out.append(_Account(cid, seg, since, terms.get(seg, 12), _parse_money(r.get("ARR"))))
    return out


def generate_timesheet(
    customers: Sequence[Mapping[str, str]] | None = None,
    truth: Truth = DEFAULT_TRUTH,
    seed: int | None = None,
    weeks: int | None = None,
    csms: int | None = None,
) -> list[dict[str, str]]:
    """A synthetic CSM timesheet drawn from ``truth.timesheet`` (see :class:`TimesheetTruth`).

    Parameters
    ----------
    customers
        Customer rows (clean or messy) whose active accounts the CSMs work on; default
        ``generate_customers(truth)``.
    truth
        The true parameters (``truth.as_of`` ends the period).
    seed
        Random seed (default ``truth.timesheet.seed``).
    weeks
        Weeks of working days (default ``truth.timesheet.weeks``).
    csms
        Number of CSMs (default ``truth.timesheet.csms``).

    Returns
    -------
    list[dict[str, str]]
        Rows with the columns :data:`TIMESHEET_COLUMNS`: ISO dates, hours as decimals,
        "Account" a Customer ID (blank for internal time); sorted by date and person.

    Raises
    ------
    ValueError
        When the customer list has no active account.
    """
    ts = truth.timesheet
    weeks = ts.weeks if weeks is None else weeks
    csms = ts.csms if csms is None else csms
    if weeks < 1 or csms < 1:
        raise ValueError("weeks and csms must be >= 1")
    if customers is None:
        customers = generate_customers(truth)
    accounts = _active_accounts(customers, truth)
    if not accounts:
        raise ValueError("the customer list has no active account to log time against")
    rng = np.random.default_rng(ts.seed if seed is None else seed)

    last = truth.as_of - dt.timedelta(days=(truth.as_of.weekday() - 4) % 7)  # last Friday
    monday = last - dt.timedelta(days=4 + 7 * (weeks - 1))
    days = [
        monday + dt.timedelta(days=d) for d in range(7 * weeks) if (monday.weekday() + d) % 7 < 5
    ]

    book = rng.permutation(len(accounts)) % csms
    seg = np.array([a.segment for a in accounts])
    since = np.array([a.since.toordinal() for a in accounts])
    arr = np.array([a.arr for a in accounts])
    kinds: tuple[Kind, ...] = ("scheduled", "unscheduled", "internal")
    rates = {k: ts.entries_per_day(k) for k in kinds}
    acts = {k: ts.of_kind(k) for k in kinds}
    probs = {
        k: np.array([a.weight for a in acts[k]]) / sum(a.weight for a in acts[k])
        for k in kinds
        if acts[k]
    }
    params = {a.name: _lognormal_params(a.mean_hours, a.cv) for a in ts.activities}

    rows: list[dict[str, str]] = []
    for day in days:
        stage = np.array(
            [
                lifecycle_stage(a.since, _next_renewal(a.since, a.term_months, day)[0], day)
                for a in accounts
            ]
        )
        signed = since <= day.toordinal()
        for p in range(csms):
            mine = signed & (book == p)
            used: dict[str, list[int]] = {}
            entries: list[dict[str, str]] = []
            for kind in kinds:
                r = rates[kind]
                count = math.floor(r) + int(rng.random() < r - math.floor(r))
                for _ in range(count):
                    act = acts[kind][int(rng.choice(len(acts[kind]), p=probs[kind]))]
                    mu, sig = params[act.name]
                    hours = ts.hour_step * max(1.0, round(rng.lognormal(mu, sig) / ts.hour_step))
                    account = ""
                    if kind != "internal":
                        account = accounts[
                            _pick_account(rng, act, mine, signed, stage, seg, arr, used)
                        ].id
                    entries.append(
                        {
                            "Person": _person(p),
                            "Date": day.isoformat(),
                            "Activity": act.name,
                            "Account": account,
                            "Hours": f"{hours:g}",
                        }
                    )
            rows.extend(entries[int(j)] for j in rng.permutation(len(entries)))
    return rows


def _pick_account(
    rng: np.random.Generator,
    act: ActivityTruth,
    mine: np.ndarray,
    signed: np.ndarray,
    stage: np.ndarray,
    seg: np.ndarray,
    arr: np.ndarray,
    used: dict[str, list[int]],
) -> int:
    """Index of an account for one entry: the CSM's book first, then anyone's, then any fit."""
    fits = np.ones(len(stage), dtype=bool)
    if act.stages:
        fits &= np.isin(stage, act.stages)
    if act.segments:
        fits &= np.isin(seg, act.segments)
    free = np.ones(len(stage), dtype=bool)
    free[used.get(act.name, [])] = False
    for pool in (mine & fits & free, signed & fits & free, mine & free, signed & free, signed):
        idx = np.flatnonzero(pool)
        if len(idx):
            if act.arr_power:
                w = arr[idx] ** act.arr_power
                choice = int(idx[int(np.searchsorted(np.cumsum(w), rng.random() * w.sum()))])
            else:
                choice = int(idx[int(rng.integers(0, len(idx)))])
            used.setdefault(act.name, []).append(choice)
            return choice
    return int(rng.integers(0, len(stage)))


# ------------------------------------------------------------------------------ files


def write_csv(
    rows: Sequence[Mapping[str, str]],
    path: str | Path,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> Path:
    """Write rows as a UTF-8 CSV with ``\\n`` line endings (byte-stable for equal rows).

    Parameters
    ----------
    rows
        The rows; keys are column names.
    path
        The file to write (parent directories are created).
    title
        A one-cell line written above the header (the title row of a messy export).
    columns
        Column order (default: the keys of the first row).

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if title is not None:
            w.writerow([title])
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
    return path


def write_customers(
    path: str | Path, truth: Truth = DEFAULT_TRUTH, seed: int | None = None, messy: bool = False
) -> Mess | None:
    """Write a synthetic customer list (with the title row when messy).

    Returns
    -------
    Mess | None
        What the messy mode did (None when ``messy`` is False).
    """
    if not messy:
        write_csv(generate_customers(truth, seed), path, columns=CUSTOMER_COLUMNS)
        return None
    rows, mess = messy_customers(truth, seed)
    write_csv(rows, path, title=mess.title, columns=CUSTOMER_COLUMNS)
    return mess


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``customers.csv`` (messy) and ``timesheet.csv`` into a directory.

    ``python -m simulator.data.synthetic --out-dir DIR [--seed N] [--clean]``; prints
    what it wrote and the mess introduced.
    """
    ap = argparse.ArgumentParser(
        prog="python -m simulator.data.synthetic",
        description="Write a SYNTHETIC customer list and timesheet (not real customers).",
    )
    ap.add_argument("--out-dir", default="scenarios/data", help="directory to write into")
    ap.add_argument("--seed", type=int, default=None, help="customer seed (default: truth)")
    ap.add_argument("--clean", action="store_true", help="write a tidy customer list")
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    truth = DEFAULT_TRUTH
    mess = write_customers(out / "customers.csv", truth, args.seed, messy=not args.clean)
    customers = generate_customers(truth, args.seed)
    timesheet = generate_timesheet(customers, truth)
    write_csv(timesheet, out / "timesheet.csv", columns=TIMESHEET_COLUMNS)
    active = sum(r["Status"] == "Active" for r in customers)
    print(f"{out / 'customers.csv'}: {len(customers)} customers ({active} active)")
    if mess is not None:
        print(f"  title row: {mess.title!r}")
        print(f"  stray header row: line {mess.stray_header_line}")
        dups = ", ".join(
            f"{i} (line {mess.line_of[i]}, copy at {line})"
            for i, line in zip(mess.duplicates, mess.duplicate_lines, strict=True)
        )
        print(f"  duplicated: {dups}")
        blank = ", ".join(f"{i} (line {mess.line_of[i]})" for i in mess.churn_date_blank)
        print(f"  churn date blank: {blank}")
        cells = ", ".join(f"{i} {c!r} (line {mess.line_of[i]})" for i, c in mess.blank_cells)
        print(f"  blank cells: {cells}")
    print(f"{out / 'timesheet.csv'}: {len(timesheet)} entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
