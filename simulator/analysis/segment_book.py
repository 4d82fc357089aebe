"""One segment's book of business: size, tenure, churn per renewal, growth and retention.

:func:`segment_book` measures one group of customers (a segment, or the whole book) as
of a date; :mod:`simulator.analysis.book` groups the customers and adds the book-wide
answers (Pareto break, renewals coming up, stages, calendar-year churn).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from simulator.analysis.contracts import (
    DAYS_PER_YEAR,
    CustomerLike,
    contract_term,
    end_of_follow_up,
    renewals_reached,
)
from simulator.analysis.estimators import KaplanMeier, Rate, kaplan_meier, wilson

__all__ = ["SegmentBook", "segment_book"]


@dataclass
class SegmentBook:
    """The analysis of one segment (or of the whole book)."""

    name: str
    customers: int
    active: int
    churned: int
    arr_total: float
    arr_min: float
    arr_max: float
    arr_mean: float
    arr_median: float
    largest: tuple[str, float] | None
    smallest: tuple[str, float] | None
    tenure_years_mean: float
    churned_arr_mean: float
    term_months_mean: float
    term_months_mode: int | None
    renewal_churn: Rate
    """Churn per renewal reached (logo)."""
    renewal_dollar_churn: float
    """ARR lost at renewals over ARR up for renewal (approximated by each customer's last ARR)."""
    annual_churn: Rate
    """Renewal churn converted to a year: 1 - (1 - p)^(12 / term)."""
    growth_mean: float
    """Average annual ARR growth of retained customers (geometric per customer)."""
    growth_median: float
    growth_per_renewal_mean: float
    growth_per_renewal_sd: float
    growth_customers: int
    top10_growth_mean: float
    km: KaplanMeier | None
    new_per_month: float
    """New logos per month over the last 12 months before the as-of date."""
    dated_customers: int = 0
    """Customers with a contract start date (the denominators above need them)."""


class _Growth(NamedTuple):
    """ARR growth of a segment's retained customers (see :class:`SegmentBook`)."""

    mean: float
    median: float
    per_renewal_mean: float
    per_renewal_sd: float
    customers: int
    top10_mean: float


def _tenure_years(cs: Sequence[CustomerLike], as_of: dt.date) -> list[float]:
    """Each dated customer's years from contract start to the end of its history."""
    tenure = []
    for c in cs:
        end, _ = end_of_follow_up(c, as_of)
        if c.contract_start is not None and end is not None and end >= c.contract_start:
            tenure.append((end - c.contract_start).days / DAYS_PER_YEAR)
    return tenure


def _renewal_churn(
    cs: Sequence[CustomerLike], terms: Sequence[int | None], fallback: int, as_of: dt.date
) -> tuple[Rate, float]:
    """Logo churn per renewal reached, and ARR lost over ARR up for renewal (NaN: none)."""
    renewals = 0
    lost = 0
    arr_up = 0.0
    arr_lost = 0.0
    for c, t in zip(cs, terms, strict=True):
        k, gone = renewals_reached(c, as_of, t or fallback)
        renewals += k
        lost += int(gone)
        arr_up += k * c.arr
        arr_lost += c.arr if gone else 0.0
    return wilson(lost, renewals), arr_lost / arr_up if arr_up > 0 else math.nan


def _annual(rate: Rate, term: int) -> Rate:
    """A churn rate per ``term``-month renewal as a rate per year, with its interval."""
    to_year = 12 / term

    def annual(p: float) -> float:
        return 1 - (1 - p) ** to_year if math.isfinite(p) else math.nan

    return Rate(rate.events, rate.trials, annual(rate.value), annual(rate.low), annual(rate.high))


def _growth(active: Sequence[CustomerLike], arr: np.ndarray, term: int, as_of: dt.date) -> _Growth:
    """Growth per year and per renewal of active customers past a year and a renewal."""
    nan = math.nan
    growth: list[tuple[CustomerLike, float]] = []
    per_renewal: list[tuple[float, int]] = []
    for c in active:
        if not c.starting_arr or c.starting_arr <= 0 or c.contract_start is None:
            continue
        years = (as_of - c.contract_start).days / DAYS_PER_YEAR
        k, _ = renewals_reached(c, as_of, contract_term(c) or term)
        if years >= 1 and k >= 1:
            ratio = c.arr / c.starting_arr
            growth.append((c, ratio ** (1 / years) - 1))
            per_renewal.append((ratio ** (1 / k) - 1, k))
    g = np.array([x for _, x in growth])
    top_cut = np.quantile(arr, 0.9) if len(arr) else nan
    top_growth = [x for c, x in growth if c.arr >= top_cut]
    first = np.array([x for x, k in per_renewal if k == 1])
    allr = np.array([x for x, _ in per_renewal])
    sd_sample = first if len(first) >= 30 else allr
    return _Growth(
        mean=float(g.mean()) if len(g) else nan,
        median=float(np.median(g)) if len(g) else nan,
        per_renewal_mean=float(allr.mean()) if len(allr) else nan,
        per_renewal_sd=float(sd_sample.std(ddof=1)) if len(sd_sample) > 1 else nan,
        customers=len(g),
        top10_mean=float(np.mean(top_growth)) if top_growth else nan,
    )


def _retention(cs: Sequence[CustomerLike], as_of: dt.date) -> KaplanMeier | None:
    """Kaplan-Meier retention from contract start (active customers censored); None: no dates."""
    durations, events = [], []
    for c in cs:
        end, gone = end_of_follow_up(c, as_of)
        if c.contract_start is None or end is None or end < c.contract_start:
            continue
        durations.append(float((end - c.contract_start).days))
        events.append(gone)
    return kaplan_meier(durations, events) if durations else None


def segment_book(name: str, cs: Sequence[CustomerLike], as_of: dt.date) -> SegmentBook:
    """Measure one group of customers (active and churned) as of ``as_of``."""
    active = [c for c in cs if not c.churned]
    churned = [c for c in cs if c.churned]
    arr = np.array([c.arr for c in active], dtype=float)
    nan = math.nan
    tenure = _tenure_years(cs, as_of)
    terms = [contract_term(c) for c in cs]
    known = [t for t in terms if t is not None]
    mode = max(set(known), key=known.count) if known else None
    rate, dollar_churn = _renewal_churn(cs, terms, mode or 12, as_of)
    growth = _growth(active, arr, mode or 12, as_of)
    year_ago = as_of - dt.timedelta(days=365)
    new = sum(
        1 for c in cs if c.contract_start is not None and year_ago < c.contract_start <= as_of
    )
    big = max(active, key=lambda c: c.arr) if active else None
    small = min(active, key=lambda c: c.arr) if active else None
    return SegmentBook(
        name=name,
        customers=len(cs),
        active=len(active),
        churned=len(churned),
        arr_total=float(arr.sum()),
        arr_min=float(arr.min()) if len(arr) else nan,
        arr_max=float(arr.max()) if len(arr) else nan,
        arr_mean=float(arr.mean()) if len(arr) else nan,
        arr_median=float(np.median(arr)) if len(arr) else nan,
        largest=(big.id, big.arr) if big else None,
        smallest=(small.id, small.arr) if small else None,
        tenure_years_mean=float(np.mean(tenure)) if tenure else nan,
        churned_arr_mean=float(np.mean([c.arr for c in churned])) if churned else nan,
        term_months_mean=float(np.mean(known)) if known else nan,
        term_months_mode=mode,
        renewal_churn=rate,
        renewal_dollar_churn=dollar_churn,
        annual_churn=_annual(rate, mode or 12),
        growth_mean=growth.mean,
        growth_median=growth.median,
        growth_per_renewal_mean=growth.per_renewal_mean,
        growth_per_renewal_sd=growth.per_renewal_sd,
        growth_customers=growth.customers,
        top10_growth_mean=growth.top10_mean,
        km=_retention(cs, as_of),
        new_per_month=new / 12,
        dated_customers=sum(1 for c in cs if c.contract_start is not None),
    )
