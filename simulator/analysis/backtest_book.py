"""The customer list as it stood on a past date, and what then happened to each account.

A customer list is a snapshot: each row has its ARR at signing and now (or at churn),
its contract start, its churn date. :func:`book_at` rebuilds the list as of a past
``date``: accounts signed by then, churned only if they had left by then, their next
renewal after it, and their ARR at ``date`` interpolated between signing and now on the
renewals they had survived (ARR changes only at renewals, as in the engine:
``arr_at = start x (now / start) ** (renewals by date / renewals by now)``, the geometric
path; an approximation when changes were uneven, stated in the report).
:func:`outcomes` gives, for the accounts of that book, what happened in the following
period: churned or not, and their ARR at its end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.analysis.contracts import (
    CustomerLike,
    contract_term,
    end_of_follow_up,
    renewals_reached,
)
from simulator.data.dates import add_months

__all__ = ["Outcome", "PastCustomer", "arr_at", "book_at", "outcomes"]


@dataclass(frozen=True)
class PastCustomer:
    """A customer as the list would have shown it on a past date."""

    id: str
    name: str | None
    segment: str | None
    arr: float
    starting_arr: float | None
    contract_start: dt.date | None
    renewal_date: dt.date | None
    churn_date: dt.date | None
    churned: bool
    stage: str | None
    term_months: int | None


@dataclass(frozen=True)
class Outcome:
    """What happened to an account of the past book over the following period."""

    arr_start: float
    """ARR on the past date."""
    arr_end: float
    """ARR at the end of the period (0 when it churned)."""
    churned: bool


def _survived(c: CustomerLike, when: dt.date, term: int, as_of: dt.date) -> int:
    """Renewals the customer had passed, and stayed, by ``when`` (the list is of ``as_of``:
    a churn after ``when`` had not happened yet)."""
    assert c.contract_start is not None
    end, churned = end_of_follow_up(c, as_of)
    if churned and end is not None and end <= when:
        k, _ = renewals_reached(c, as_of, term)
        return k - 1  # the renewal it left at was reached, not survived
    limit = when if end is None else min(when, end)
    k = 0
    while add_months(c.contract_start, (k + 1) * term) <= limit:
        k += 1
    if churned and end is not None and k and add_months(c.contract_start, k * term) >= end:
        k -= 1  # it left at that anniversary (the day before it counts as at it)
    return k


def arr_at(c: CustomerLike, when: dt.date, as_of: dt.date) -> float:
    """The customer's ARR on ``when`` (see the module docstring)."""
    start = c.starting_arr
    term = contract_term(c) or 12
    if start is None or start <= 0 or c.contract_start is None:
        return c.arr
    total = _survived(c, as_of, term, as_of)
    if total <= 0:
        return c.arr if c.arr > 0 else start
    done = min(_survived(c, when, term, as_of), total)
    return float(start * (c.arr / start) ** (done / total)) if c.arr > 0 else start


def _next_renewal(start: dt.date, term: int, after: dt.date) -> dt.date:
    k = 1
    while add_months(start, k * term) <= after:
        k += 1
    return add_months(start, k * term)


def book_at(
    customers: Sequence[CustomerLike], date: dt.date, as_of: dt.date
) -> tuple[list[PastCustomer], int]:
    """The list as of ``date``, and how many customers were left out (no contract start).

    Customers signed after ``date`` are not in it; a churn after ``date`` had not
    happened yet.
    """
    out: list[PastCustomer] = []
    unknown = 0
    for c in customers:
        if c.contract_start is None:
            unknown += 1
            continue
        if c.contract_start > date:
            continue
        end, churned = end_of_follow_up(c, as_of)
        if churned and end is None:
            unknown += 1
            continue
        left = churned and end is not None and end <= date
        term = contract_term(c) or 12
        out.append(
            PastCustomer(
                id=c.id,
                name=getattr(c, "name", None),
                segment=c.segment,
                arr=arr_at(c, date, as_of),
                starting_arr=c.starting_arr,
                contract_start=c.contract_start,
                renewal_date=end if left else _next_renewal(c.contract_start, term, date),
                churn_date=end if left else None,
                churned=left,
                stage=None,
                term_months=getattr(c, "term_months", None),
            )
        )
    return out, unknown


def outcomes(
    customers: Sequence[CustomerLike], date: dt.date, end: dt.date, as_of: dt.date
) -> dict[str, Outcome]:
    """For each account active on ``date``: its ARR then, at ``end``, and whether it
    churned in ``(date, end]``."""
    out: dict[str, Outcome] = {}
    for c in customers:
        if c.contract_start is None or c.contract_start > date:
            continue
        left, churned = end_of_follow_up(c, as_of)
        if churned and (left is None or left <= date):
            continue
        start = arr_at(c, date, as_of)
        gone = churned and left is not None and left <= end
        out[c.id] = Outcome(start, 0.0 if gone else arr_at(c, end, as_of), gone)
    return out
