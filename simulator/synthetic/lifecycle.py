"""Contract dates of a synthetic account: renewals on anniversaries and the lifecycle stage."""

from __future__ import annotations

import datetime as dt

from simulator.data.values import add_months

__all__ = [
    "ADOPTION_END_DAYS",
    "ONBOARDING_DAYS",
    "RENEWAL_WINDOW_DAYS",
    "lifecycle_stage",
    "next_renewal",
]

ONBOARDING_DAYS = 90
"""Tenure (days) below which an active account is in Onboarding."""
ADOPTION_END_DAYS = 180
"""Tenure (days) below which an account past onboarding is in Adoption."""
RENEWAL_WINDOW_DAYS = 120
"""Days before the next renewal from which an account is in Renewal (docs/assumptions.md#lifecycle: ~120)."""


def next_renewal(since: dt.date, term_months: int, after: dt.date) -> tuple[dt.date, int]:
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
