"""The book of business: what a new VP of Customer Success asks of the customer list.

Everything here is computed from a list of customers (see
:class:`simulator.data.customers.Customer`) as of a date: the size and spread of
contract values, tenure, churn (per renewal, per calendar year, with 95% CIs), growth,
the 80/20 break and value tertiles, renewals coming up, lifecycle stages, and a
Kaplan-Meier retention curve per segment that handles customers still active (censored).

This module owns the book-wide answers and the grouping into segments; one segment's
measures are :mod:`simulator.analysis.segment_book`, the contract timeline (term,
renewals reached) :mod:`simulator.analysis.contracts`, and the estimators (Wilson
interval, Kaplan-Meier) :mod:`simulator.analysis.estimators`, all re-exported here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.analysis.churn_reasons import ReasonSummary, summarise_reasons
from simulator.analysis.contracts import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    CustomerLike,
    contract_term,
    end_of_follow_up,
    infer_term_months,
    renewals_reached,
)
from simulator.analysis.estimators import KaplanMeier, Rate, kaplan_meier, wilson
from simulator.analysis.segment_book import SegmentBook, segment_book
from simulator.data.values import add_months
from simulator.errors import Hint, hinted

__all__ = [
    "BookAnalysis",
    "CustomerLike",
    "KaplanMeier",
    "Rate",
    "SegmentBook",
    "account_segments",
    "analyze_book",
    "assign_bands",
    "infer_term_months",
    "kaplan_meier",
    "renewals_reached",
    "wilson",
]


@dataclass
class BookAnalysis:
    """Every answer about a customer list (see the module docstring)."""

    as_of: dt.date
    total: SegmentBook
    segments: dict[str, SegmentBook]
    segment_source: str
    """``column`` when segments come from the file, ``breaks`` when from value breaks."""
    breaks: list[float]
    pareto_share: float
    """Share of active customers that hold 80% of ARR."""
    pareto_customers: int
    pareto_threshold: float
    """ARR of the smallest customer inside the 80% group."""
    tertiles: list[float]
    yearly: list[dict[str, Any]]
    """Per calendar year: customers at risk, logo churn and dollar churn with CIs."""
    renewal_dates: int
    """Active customers with a renewal date (0: renewal counts are unknown)."""
    renewals_this_month: tuple[int, float]
    renewals_next_6_months: tuple[int, float]
    renewals_by_month: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    pareto_curve: tuple[np.ndarray, np.ndarray]
    """(share of customers, share of ARR), largest first, for the Pareto chart."""
    active_arr: np.ndarray
    customer_segments: list[str] = field(default_factory=list)
    """Each analysed customer's segment, in the order the customers were given."""
    segment_arr_at_signing: dict[str, list[float]] = field(default_factory=dict)
    """Per segment: each customer's starting ARR (its current ARR when not given)."""
    notes: list[str] = field(default_factory=list)
    currency: str = "USD"
    """ISO code of the list's amounts (the reports write money in it)."""
    reasons: ReasonSummary | None = None
    """The churn-reason column by segment, as evidence (None without one); not checked
    against activity (see :func:`simulator.analysis.churn_reasons.with_activity`)."""


def assign_bands(arr: Sequence[float], breaks: Sequence[float]) -> list[str]:
    """Band names for values cut at ``breaks``: ``small``/``medium``/``large`` for two
    breaks, ``band1``..``bandN`` otherwise (a value on a break goes to the upper band)."""
    names = (
        ["small", "medium", "large"]
        if len(breaks) == 2
        else [f"band{i + 1}" for i in range(len(breaks) + 1)]
    )
    idx = np.searchsorted(np.asarray(breaks, dtype=float), np.asarray(arr, dtype=float), "right")
    return [names[i] for i in idx]


_BOOT = 1000
"""Bootstrap resamples for the dollar-churn interval."""
_BOOT_CELLS = 2_000_000
"""Resampled customers held in memory at once (about 16 MB a array); the draws and the
sums are those of one (1000, n) draw, taken in blocks of rows."""


def _boot_dollar_churn(arrs: np.ndarray, flags: np.ndarray, year: int) -> np.ndarray:
    """Bootstrap replicates of churned ARR over ARR at risk (fixed seed per year)."""
    rng = np.random.default_rng(year)
    n = len(arrs)
    block = max(1, _BOOT_CELLS // max(n, 1))
    parts = []
    lost_arr = arrs * flags
    for start in range(0, _BOOT, block):
        idx = rng.integers(0, n, size=(min(block, _BOOT - start), n))
        totals = arrs[idx].sum(axis=1)
        lost = lost_arr[idx].sum(axis=1)
        parts.append(lost[totals > 0] / totals[totals > 0])
    boot = np.concatenate(parts)
    return boot if len(boot) else np.array([math.nan])


def _yearly(cs: Sequence[CustomerLike], as_of: dt.date) -> list[dict[str, Any]]:
    """Per calendar year: customers at risk on 1 January, logo and dollar churn with CIs."""
    starts = [c.contract_start for c in cs if c.contract_start is not None]
    if not starts:
        return []
    follow = [(c, *end_of_follow_up(c, as_of)) for c in cs if c.contract_start is not None]
    out = []
    for year in range(min(starts).year, as_of.year + 1):
        jan1 = dt.date(year, 1, 1)
        end = min(dt.date(year + 1, 1, 1), as_of + dt.timedelta(days=1))
        at_risk = []
        for c, stop, gone in follow:
            if c.contract_start >= jan1 or stop is None:  # type: ignore[operator]
                continue
            if gone and stop < jan1:
                continue
            at_risk.append((c, gone and jan1 <= stop < end))
        if not at_risk:
            continue
        lost = sum(1 for _, g in at_risk if g)
        arr_start = sum(c.arr for c, _ in at_risk)
        arr_lost = sum(c.arr for c, g in at_risk if g)
        rate = wilson(lost, len(at_risk))
        # dollar churn CI: bootstrap over customers (fixed seed: same file, same answer)
        arrs = np.array([c.arr for c, _ in at_risk])
        flags = np.array([g for _, g in at_risk], dtype=float)
        boot = _boot_dollar_churn(arrs, flags, year)
        partial = end < dt.date(year + 1, 1, 1)
        out.append(
            {
                "year": year,
                "partial": partial,
                "at_risk": len(at_risk),
                "churned": lost,
                "logo_churn": rate.value,
                "logo_churn_low": rate.low,
                "logo_churn_high": rate.high,
                "arr_at_risk": arr_start,
                "arr_churned": arr_lost,
                "dollar_churn": arr_lost / arr_start if arr_start else math.nan,
                "dollar_churn_low": float(np.quantile(boot, 0.025)),
                "dollar_churn_high": float(np.quantile(boot, 0.975)),
            }
        )
    return out


def _all_churned_error(customers: Sequence[CustomerLike]) -> ValueError:
    """The error for a list with no active customer (no current book to measure)."""
    return ValueError(
        hinted(
            f"all {len(customers)} customers are churned, so there is no current book to "
            "measure; check the status and churn date columns (or map them with ",
            Hint("mapping", {"status": "COLUMN"}, "status=COLUMN"),
            ", ",
            Hint("mapping", {"churn_date": "COLUMN"}, "churn_date=COLUMN"),
            ")",
        )
    )


def _segment_names(
    customers: Sequence[CustomerLike], breaks: Sequence[float] | None, cut: Sequence[float]
) -> tuple[str, list[str]]:
    """Where segments come from (``column`` or ``breaks``) and each customer's segment."""
    if breaks is None and any(c.segment for c in customers):
        return "column", [c.segment or "(none)" for c in customers]
    return "breaks", assign_bands([c.arr for c in customers], cut)


def _segments(groups: dict[str, list[CustomerLike]], as_of: dt.date) -> dict[str, SegmentBook]:
    """Each group's analysis, largest mean ARR first (segments without ARR last)."""
    segments = {n: segment_book(n, cs, as_of) for n, cs in groups.items()}
    order = sorted(
        segments, key=lambda n: -segments[n].arr_mean if math.isfinite(segments[n].arr_mean) else 0
    )
    return {n: segments[n] for n in order}


def _renewals_by_month(active: Sequence[CustomerLike], as_of: dt.date) -> list[dict[str, Any]]:
    """Renewals (count, ARR) due in each of the 12 calendar months from ``as_of``'s."""
    month_start = as_of.replace(day=1)
    by_month = []
    for i in range(12):
        a, b = add_months(month_start, i), add_months(month_start, i + 1)
        due = [c for c in active if c.renewal_date and a <= c.renewal_date < b]
        by_month.append(
            {"month": f"{a:%Y-%m}", "renewals": len(due), "arr": float(sum(c.arr for c in due))}
        )
    return by_month


def _stages(active: Sequence[CustomerLike], as_of: dt.date) -> list[dict[str, Any]]:
    """Per lifecycle stage: active customers, their ARR and mean age (years)."""
    stage_rows = []
    for stage in sorted({c.stage or "(blank)" for c in active}):
        members = [c for c in active if (c.stage or "(blank)") == stage]
        ages = [
            (as_of - c.contract_start).days / DAYS_PER_YEAR
            for c in members
            if c.contract_start is not None
        ]
        stage_rows.append(
            {
                "stage": stage,
                "customers": len(members),
                "arr": float(sum(c.arr for c in members)),
                "age_years_mean": float(np.mean(ages)) if ages else math.nan,
            }
        )
    return stage_rows


def _data_notes(
    customers: Sequence[CustomerLike], active: Sequence[CustomerLike], as_of: dt.date
) -> list[str]:
    """Notes on rows whose dates the analysis had to leave out or interpret."""
    checks = (
        (
            sum(1 for c in customers if c.contract_start and c.contract_start > as_of),
            hinted(
                "a contract start after the as-of date: left out of tenure, churn and "
                "retention (is ",
                Hint("as_of"),
                " right?)",
            ),
        ),
        (
            sum(1 for c in active if c.renewal_date and c.renewal_date < as_of),
            "a renewal date before the as-of date although active (renewed, date not "
            "updated?): a scenario draws their next renewal",
        ),
        (
            sum(1 for c in customers if c.churn_date and c.churn_date > as_of),
            "a churn date after the as-of date: counted as churned (a notice?)",
        ),
        (
            sum(
                1
                for c in customers
                if c.churn_date and c.contract_start and c.churn_date < c.contract_start
            ),
            "a churn date before the contract start: left out of churn and retention",
        ),
        (
            sum(1 for c in active if not c.renewal_date),
            "no renewal date although active: not in the renewal counts",
        ),
        (
            sum(1 for c in customers if not c.contract_start),
            "no contract start: not in tenure, churn per renewal, new logos or retention",
        ),
        (
            sum(
                1
                for c in customers
                if contract_term(c) is None and c.renewal_date and c.contract_start
            ),
            "renewal dates off their signing anniversary (co-termed?): their term is "
            "taken as the book's most common one, or 12 months (give a term column)",
        ),
    )
    notes = [
        f"{n:,} customer{'s have' if n > 1 else ' has'} " + what + "." for n, what in checks if n
    ]
    undated = sum(1 for c in customers if c.churned and c.churn_date is None)
    if undated:
        notes.append(
            f"{undated} churned customer{'s have' if undated > 1 else ' has'} no churn date: "
            "taken to have left at the renewal date when that is past, and left out of "
            "tenure and retention curves otherwise."
        )
    return notes


def analyze_book(
    customers: Sequence[CustomerLike],
    as_of: dt.date | None = None,
    breaks: Sequence[float] | None = None,
    currency: str = "USD",
) -> BookAnalysis:
    """Answer the VP's questions about a customer list (amounts in ``currency``).

    Parameters
    ----------
    customers
        The customers (active and churned).
    as_of
        The date the list describes (default: today).
    breaks
        ARR values that cut the book into value bands (currency per year), used for the
        segments; ``[]`` for the tertiles. None: the segment column when the list has
        one, else the tertiles.

    Raises
    ------
    ValueError
        When no customer is active (nothing to measure ARR on).
    """
    as_of = as_of or dt.date.today()
    active = [c for c in customers if not c.churned]
    if not active:
        raise _all_churned_error(customers)
    arr = np.array([c.arr for c in active], dtype=float)
    tertiles = [float(x) for x in np.quantile(arr, [1 / 3, 2 / 3])]
    cut = [float(b) for b in breaks] if breaks else tertiles
    source, names = _segment_names(customers, breaks, cut)
    groups: dict[str, list[CustomerLike]] = {}
    for c, name in zip(customers, names, strict=True):
        groups.setdefault(name, []).append(c)

    desc = np.sort(arr)[::-1]
    cum = np.cumsum(desc) / desc.sum()
    k = int(np.searchsorted(cum, 0.8 - 1e-12)) + 1
    share_customers = np.arange(1, len(desc) + 1) / len(desc)

    month_start = as_of.replace(day=1)
    next_month = add_months(month_start, 1)
    six = as_of + dt.timedelta(days=round(6 * DAYS_PER_MONTH))
    this_month = [
        c for c in active if c.renewal_date and month_start <= c.renewal_date < next_month
    ]
    coming = [c for c in active if c.renewal_date and as_of <= c.renewal_date <= six]
    segments = _segments(groups, as_of)
    return BookAnalysis(
        currency=currency,
        as_of=as_of,
        total=segment_book("all", customers, as_of),
        segments=segments,
        segment_source=source,
        breaks=cut,
        pareto_share=k / len(desc),
        pareto_customers=k,
        pareto_threshold=float(desc[k - 1]),
        tertiles=tertiles,
        yearly=_yearly(customers, as_of),
        renewal_dates=sum(1 for c in active if c.renewal_date),
        renewals_this_month=(len(this_month), float(sum(c.arr for c in this_month))),
        renewals_next_6_months=(len(coming), float(sum(c.arr for c in coming))),
        renewals_by_month=_renewals_by_month(active, as_of),
        stages=_stages(active, as_of),
        pareto_curve=(np.concatenate([[0.0], share_customers]), np.concatenate([[0.0], cum])),
        active_arr=arr,
        customer_segments=names,
        segment_arr_at_signing={
            n: [c.starting_arr or c.arr for c in cs] for n, cs in groups.items()
        },
        notes=_data_notes(customers, active, as_of),
        reasons=summarise_reasons(customers, names, as_of, order=list(segments)),
    )


def account_segments(
    customers: Sequence[CustomerLike], analysis: BookAnalysis
) -> Callable[[str], str | None]:
    """Look up an account's segment by its ID or its name (ignoring case and spacing),
    for the customers ``analysis`` was made from; None for an unknown account."""
    from simulator.data.values import text_key

    table: dict[str, str] = {}
    pairs = list(zip(customers, analysis.customer_segments, strict=True))
    for c, s in pairs:
        name = getattr(c, "name", None)
        if name:
            table.setdefault(text_key(name), s)
    for c, s in pairs:  # an ID wins over a name
        table[text_key(c.id)] = s

    def lookup(account: str) -> str | None:
        return table.get(text_key(account))

    return lookup
