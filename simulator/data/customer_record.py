"""One customer as read from a list: :class:`Customer`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["Customer"]


@dataclass(frozen=True, kw_only=True)
class Customer:
    """One customer from the list.

    Attributes
    ----------
    id
        The customer's identifier as text (``1001.0`` from Excel becomes ``"1001"``).
    name
        Customer name, if there is a name column.
    segment
        Segment or tier as written, if any.
    arr
        Current ARR in currency units per year; for churned customers, their last ARR.
        From MRR x 12 when the file has MRR instead of ARR.
    starting_arr
        ARR at the original contract, currency units per year, if known.
    contract_start
        Date the customer first signed, if known.
    renewal_date
        Next (for churned customers, last) renewal date, if known.
    churn_date
        Date the customer left, if known.
    churned
        True when the row has a churn date or a churned status.
    stage
        ``onboarding``, ``adoption``, ``steady`` or ``renewal`` when the text was
        recognised, else the text as written; None when blank.
    term_months
        Contract length in months, if given.
    churn_reason
        Why the customer left, as written (stripped); None when blank or when the list
        has no churn-reason column. Only ``cssim analyze`` reads it, as evidence (see
        :mod:`simulator.analysis.churn_reasons`); the model never does.
    line
        The row's line (CSV) or row number (Excel).
    currency
        ISO code of ``arr`` and ``starting_arr`` (after any conversion the caller asked
        for); None when the list names no currency.
    arr_from_starting
        True when the ARR cell was blank and ``arr`` is the starting contract value.
    """

    id: str
    name: str | None = None
    segment: str | None = None
    arr: float
    starting_arr: float | None = None
    contract_start: date | None = None
    renewal_date: date | None = None
    churn_date: date | None = None
    churned: bool = False
    stage: str | None = None
    term_months: float | None = None
    churn_reason: str | None = None
    line: int = 0
    currency: str | None = None
    arr_from_starting: bool = False
