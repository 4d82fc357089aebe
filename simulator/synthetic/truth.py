"""The true parameters of a synthetic customer list: segments, new logos, dates, seeds."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from simulator.synthetic.stats import lognormal_params, norm_cdf, norm_pdf
from simulator.synthetic.timesheet_truth import TimesheetTruth

__all__ = ["DEFAULT_SEGMENTS", "DEFAULT_TRUTH", "SegmentTruth", "Truth"]


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
        return self.expansion_mean + self.expansion_sd * norm_pdf(a) / (1.0 - norm_cdf(a))

    @property
    def net_retention(self) -> float:
        """Expected ARR after one renewal per $1 up for renewal (logo churn and expansion)."""
        return (1.0 - self.churn_per_renewal) * (1.0 + self.expected_expansion)


DEFAULT_SEGMENTS: tuple[SegmentTruth, ...] = (
    # docs/assumptions.md#retention: SMB logo churn 25% (15-40%); ACV < $12k -> GRR 90%, NRR 100%.
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
    # docs/assumptions.md#retention: mid-market 11% (8-15%); $25-50k ACV NRR 103%.
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
    # docs/assumptions.md#retention: enterprise 6% (3-10%); $100-250k ACV NRR 107%.
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
"""Default segments; values traced to docs/assumptions.md in the comments above."""


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
            (s.new_logo_share, *lognormal_params(s.arr_mean, s.arr_cv)) for s in self.segments
        ]
        lo = min(mu - 12 * max(sig, 1e-9) for _, mu, sig in params)
        hi = max(mu + 12 * max(sig, 1e-9) for _, mu, sig in params)

        def cdf(y: float) -> float:
            return sum(
                w * (float(y >= mu) if sig == 0 else norm_cdf((y - mu) / sig))
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
