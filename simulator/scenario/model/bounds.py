"""Bounds that keep every accepted scenario computable: dates and compounded ARR.

A value the field types accept can still take the simulation past what Python holds:
a start date late in year 9999 plus the horizon passes 9999-12-31, and an ARR change at
renewal compounded over a 10-year plan of monthly renewals passes the largest float.
Each check names the field and the limit that would be accepted
(docs/assumptions.md#input-bounds).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

if TYPE_CHECKING:
    from simulator.scenario.model.scenario import Scenario

__all__ = [
    "DATE_MARGIN_AFTER_DAYS",
    "DATE_MARGIN_BEFORE_DAYS",
    "MAX_REACHABLE_ARR",
    "check_bounds",
    "highest_draw",
    "raise_at",
]

DATE_MARGIN_AFTER_DAYS = 731
"""Days past the plan's horizon and one more contract term that dates must still reach:
the working-day calendar builds whole plan years, up to two anniversaries past the end."""
DATE_MARGIN_BEFORE_DAYS = 731 + 730
"""Days before the burn-in that dates must still reach: the calendar's plan years before
it, and a requisition opened up to 730 days (the longest hiring_lead_days) before a
hire's start."""
MAX_REACHABLE_ARR = 1e100
"""Largest ARR one account may reach by growing at the highest change the distribution
can draw at every renewal (currency per year): sums over ten million accounts (1e107)
and their squares (1e214) stay well below the largest float (1.8e308). Not a plausible
value: the plausibility warning on the change (docs/assumptions.md#input-bounds) speaks
long before it."""
_TOP_UNIFORM = 1.0 - 2.0**-53
"""The largest uniform a NumPy generator draws: draws by inverse transform stay at or
below the quantile of this probability."""


def highest_draw(dist: object) -> float:
    """The largest value a distribution can draw (its quantile at the top uniform);
    infinite when it cannot be computed (a spread too wide for a float)."""
    ppf1 = getattr(dist, "ppf1", None)
    if ppf1 is None:
        return math.nan
    try:
        return float(ppf1(_TOP_UNIFORM))
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.inf


def raise_at(loc: tuple[str | int, ...], error: PydanticCustomError, value: object) -> NoReturn:
    """Raise ``error`` as a validation error of the field ``loc`` of the scenario (a model
    validator's own errors would name the whole scenario)."""
    raise ValidationError.from_exception_data(
        "Scenario", [InitErrorDetails(type=error, loc=loc, input=value)]
    )


def check_bounds(s: Scenario) -> None:
    """Raise a located validation error when a date or a compounded ARR leaves its range."""
    _check_dates(s)
    _check_growth(s)


def _check_dates(s: Scenario) -> None:
    """The plan, one more renewal after it and the burn-in before it all fall within the
    dates Python holds (0001-01-01 to 9999-12-31)."""
    from simulator.scenario.lifecycle import term_days

    longest = math.ceil(max(term_days(seg.contract_term_months) for seg in s.segments.values()))
    after = s.horizon_days + longest + DATE_MARGIN_AFTER_DAYS
    before = math.ceil(s.resolved_burn_in_days) + DATE_MARGIN_BEFORE_DAYS
    latest = dt.date.max - dt.timedelta(days=after)
    earliest = dt.date.min + dt.timedelta(days=before)
    if s.start_date > latest:
        error = PydanticCustomError(
            "date_range",
            "is too late: the plan (horizon_days {h}), one more contract term ({t} days) "
            "and the calendar's plan years after it ({m} days) must end by {end}; the "
            "latest start_date allowed is {allowed}",
            {
                "h": s.horizon_days,
                "t": longest,
                "m": DATE_MARGIN_AFTER_DAYS,
                "end": dt.date.max.isoformat(),
                "allowed": latest.isoformat(),
            },
        )
        raise_at(("start_date",), error, s.start_date.isoformat())
    if s.start_date < earliest:
        error = PydanticCustomError(
            "date_range",
            "is too early: the burn-in ({b} days) and the calendar's plan years and "
            "hiring lead before it ({m} days) must start on or after {first}; the "
            "earliest start_date allowed is {allowed}",
            {
                "b": f"{s.resolved_burn_in_days:g}",
                "m": DATE_MARGIN_BEFORE_DAYS,
                "first": dt.date.min.isoformat(),
                "allowed": earliest.isoformat(),
            },
        )
        raise_at(("start_date",), error, s.start_date.isoformat())


def _check_growth(s: Scenario) -> None:
    """An account's ARR, grown by the largest change at every renewal of the burn-in and
    the plan, stays at or below :data:`MAX_REACHABLE_ARR`."""
    from simulator.scenario.lifecycle import term_days

    days = s.horizon_days + s.resolved_burn_in_days
    for name, seg in s.segments.items():
        change = highest_draw(seg.arr_change_at_renewal)
        if not change > 0:
            continue
        if not math.isfinite(change):
            raise_at(
                ("segments", name, "arr_change_at_renewal"),
                PydanticCustomError(
                    "arr_growth",
                    "has a spread too wide to draw from (its highest draw passes the "
                    "largest float); narrow it, or bound it with max: where the distribution has one",
                ),
                seg.arr_change_at_renewal.describe(),
            )
        arr = [highest_draw(seg.arr)] if seg.arr is not None else []
        if isinstance(seg.accounts, list):
            arr += [a.arr for a in seg.accounts]
        top = max(arr, default=0.0)
        if not top > 0:
            continue
        renewals = math.ceil(days / term_days(seg.contract_term_months)) + 1
        log_reach = math.log10(top) + renewals * math.log10(1.0 + change)
        if log_reach <= math.log10(MAX_REACHABLE_ARR):
            continue
        most = 10 ** ((math.log10(MAX_REACHABLE_ARR) - math.log10(top)) / renewals) - 1
        error = PydanticCustomError(
            "arr_growth",
            "lets an account's ARR of up to {top} grow by up to {change} ({pct}) at each "
            "of its {n} renewals in the burn-in and the plan, to about 1e{reach}, beyond "
            "the {limit} a simulation can hold; keep the largest change at or below {most} "
            "(for a distribution its highest draw counts: bound it with max:)",
            {
                "top": f"{top:,.0f}",
                "change": f"{change:.4g}",
                "pct": f"{100 * change:+,.0f}%",
                "n": renewals,
                "reach": f"{log_reach:.0f}",
                "limit": f"{MAX_REACHABLE_ARR:.0e}",
                "most": f"{most:.3g}",
            },
        )
        raise_at(("segments", name, "arr_change_at_renewal"), error, change)
