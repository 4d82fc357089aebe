"""A customer's contract timeline: its term, the end of its history, the renewals it reached.

These are the dated facts the book analysis (:mod:`simulator.analysis.book`) counts
churn, tenure and retention over. :class:`CustomerLike` is what every book analysis reads
of a customer (see :class:`simulator.data.customers.Customer`).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from simulator.data.values import add_months

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "CustomerLike",
    "contract_term",
    "end_of_follow_up",
    "infer_term_months",
    "renewals_reached",
]

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class CustomerLike(Protocol):
    """What the analysis reads of a customer (see simulator.data.customers.Customer).

    Read-only members, so frozen records (the reader's ``Customer``) satisfy it.
    """

    @property
    def id(self) -> str: ...
    @property
    def segment(self) -> str | None: ...
    @property
    def arr(self) -> float: ...
    @property
    def starting_arr(self) -> float | None: ...
    @property
    def contract_start(self) -> dt.date | None: ...
    @property
    def renewal_date(self) -> dt.date | None: ...
    @property
    def churn_date(self) -> dt.date | None: ...
    @property
    def churned(self) -> bool: ...
    @property
    def stage(self) -> str | None: ...


def infer_term_months(start: dt.date | None, renewal: dt.date | None) -> int | None:
    """Contract term from the contract start and the next renewal date.

    The time between them is a whole number of terms when renewals fall on anniversaries:
    12 months when it is a whole number of years (within half a month), 6 when a whole
    number of half years, else unknown (co-termed or extended contracts; the book's
    most common term, or 12 months, is used). Quarterly and monthly terms need a term
    column: a gap of whole months says nothing about them.
    """
    if start is None or renewal is None or renewal <= start:
        return None
    months = (renewal - start).days / DAYS_PER_MONTH
    for term in (12, 6):
        k = round(months / term)
        if k >= 1 and abs(months - k * term) <= 0.5:
            return term
    return None


def contract_term(c: CustomerLike) -> int | None:
    """The customer's term in months: its term column, else inferred from its dates."""
    given = getattr(c, "term_months", None)
    if given is not None and given >= 1:
        return round(given)
    return infer_term_months(c.contract_start, c.renewal_date)


def end_of_follow_up(c: CustomerLike, as_of: dt.date) -> tuple[dt.date | None, bool]:
    """When the customer's history ends and whether it ends in churn.

    A churned customer without a churn date is taken to have left at its renewal date
    when that is on or before ``as_of``; otherwise its end is unknown (None).
    """
    if c.churned:
        if c.churn_date is not None:
            return c.churn_date, True
        if c.renewal_date is not None and c.renewal_date <= as_of:
            return c.renewal_date, True
        return None, True
    return as_of, False


def renewals_reached(c: CustomerLike, as_of: dt.date, term: int) -> tuple[int, bool]:
    """Renewal dates a customer reached by ``as_of`` and whether it churned at one.

    Renewals are the contract anniversaries ``start + k x term`` (k >= 1) up to the end
    of its history; a churn counts as a renewal reached (and lost).
    """
    end, churned = end_of_follow_up(c, as_of)
    if c.contract_start is None or end is None or end < c.contract_start:
        return 0, False
    # start from the last whole term before end's month: every earlier anniversary falls
    # in an earlier month, so before end (the loops below then take one or two steps)
    months = (end.year - c.contract_start.year) * 12 + end.month - c.contract_start.month
    k = max((months - 1) // term, 0)
    if churned:
        # the renewals it passed before leaving, and the one it left at (a customer
        # leaving at contract end, the day before the anniversary, left at that renewal)
        while add_months(c.contract_start, (k + 1) * term) < end:
            k += 1
        return k + 1, True
    while add_months(c.contract_start, (k + 1) * term) <= end:
        k += 1
    return k, False
