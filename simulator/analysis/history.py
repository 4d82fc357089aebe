"""What each past renewal received: the engine's churn drivers measured from a history.

For every renewal an account reached (the contract anniversaries ``start + k x term`` up
to its churn or the list's date), this module measures, from the activity history mapped
to the plan's touchpoints, the drivers the engine's churn and expansion rules read
(:mod:`simulator.engine.churn`, :mod:`simulator.engine.expansion`), so that an effect
estimated from them means the same thing in the simulation. Days count from the
account's contract start; stage intervals come from
:func:`simulator.scenario.lifecycle.timeline`, as in the engine.

Coverage over the window ``[r - W, r]`` before a renewal at day ``r``
(``W = churn.coverage_window_days``):

* **dated slots**: a ``stage_entry`` touchpoint plans day ``iv.start + offset`` for each
  interval of its stage; ``before_renewal`` plans ``r_j - days`` for each renewal. All
  slots of a touchpoint up to ``r`` are matched in planned order, each to the earliest
  unused activity of that touchpoint dated in ``[p - A, min(p + due_days, r)]`` (``A``
  the one-to-one book-ahead days, else 0). A matched touch ``d`` days past its on-time
  day earns ``weight x credit x 0.5 ** (d / half-life)``; an unmatched one 0. A slot
  neither matched nor due by ``r`` is left out, as an open touch is in the engine.
* **cadences** have no dated slot in a history (the engine draws their phase): the
  window plans ``n = days in allowed stages / interval`` touches; each activity in the
  window, in an allowed stage, answers the latest slot before it, taken to be
  ``(gap - interval) mod interval`` days back from it (``gap``: days since the previous
  activity), and is late by that beyond the on-time days, or answers no slot when that
  is past the due window (the slot was missed) and not within book-ahead days of the
  next (:func:`cadence_lateness`; a missed slot between counts once, in the planned
  count); the credit delivered is capped at ``n``.
* automated touchpoints are delivered on time at their credit (logs seldom hold them);
  skipped ones are undelivered; risk-event and inbound touchpoints are not coverage.

Late onboarding is the engine's rule, applied to every period that starts in onboarding
(an onboarding touch planned before onboarding ended not delivered by then, or a
milestone late or automated), counting for a renewal whose window reaches that end. An
account that left in mid-term is measured up to the day it left: what was planned after
it does not count against it. Responsiveness, when the history gives response
times, is the mean late credit of the requests answered in the window (``None`` without
response times). ``coverage_early`` is coverage over the first half of the window only:
touches given in reaction to risk near the renewal do not reach it (the observational
check of :mod:`simulator.analysis.effects`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from simulator.analysis.contracts import (
    CustomerLike,
    contract_term,
    end_of_follow_up,
    renewals_reached,
)
from simulator.data.dates import add_months
from simulator.engine.calendar import add_weekdays
from simulator.engine.churn import late_credit
from simulator.scenario.lifecycle import Timeline, term_days, timeline
from simulator.scenario.model import STAGES, BeforeRenewal, Segment, StageEntry, Touchpoint

__all__ = [
    "AccountGrowth",
    "History",
    "RenewalDrivers",
    "RenewalRecord",
    "Touch",
    "after",
    "build_history",
    "cadence_lateness",
    "renewal_drivers",
]


class Touch(NamedTuple):
    """One activity mapped to a touchpoint."""

    day: float
    """Days after the account's contract start."""
    response_hours: float | None = None
    """Time to first response (hours), for requests."""


class RenewalDrivers(NamedTuple):
    """The drivers of one renewal, as the engine would have measured them."""

    coverage: float
    """Weighted delivered share of the planned touches in the window (0-1)."""
    coverage_early: float
    """The same over the first half of the window only."""
    late_onboarding: bool
    responsiveness: float | None
    """Mean late credit of the requests answered in the window (None: no response times)."""
    expansion_delivery: float
    """Coverage of the segment's ``purpose: expansion`` touchpoints (1: none planned)."""
    planned: float
    """Weight of the touches planned in the window."""


@dataclass(frozen=True)
class RenewalRecord:
    """One renewal an account reached, with what it had received and how it ended."""

    account: str
    segment: str
    date: dt.date
    number: int
    """1 for the first renewal of the contract, 2 for the second, ..."""
    term_months: int
    churned: bool
    drivers: RenewalDrivers


@dataclass(frozen=True)
class AccountGrowth:
    """An account's ARR growth over the renewals it survived, and their coverage."""

    account: str
    segment: str
    renewals: int
    growth: float
    """Geometric mean relative ARR change per renewal survived."""
    shortfall: float
    """Mean ``1 - coverage`` over those renewals."""
    delivery_shortfall: float
    """Mean ``1 - expansion delivery`` over those renewals."""


@dataclass
class History:
    """Every usable renewal of a customer list with its drivers, and what was left out."""

    renewals: list[RenewalRecord]
    growth: list[AccountGrowth]
    excluded: Counter[str] = field(default_factory=Counter)
    """Renewals (or accounts, where said) left out, by reason."""
    history_start: dt.date | None = None
    as_of: dt.date | None = None
    response_times: bool = False
    """Whether any request had a response time (responsiveness is measured)."""


# ------------------------------------------------------------------ one account


def _ahead(tp: Touchpoint, seg: Segment) -> float:
    """Days before its planned day a touch counts (book-ahead of one-to-one touches)."""
    if tp.channel != "one_to_one":
        return 0.0
    days = tp.resolved_book_ahead_days(seg.book_ahead_days)
    trig = tp.trigger
    return min(days, trig.interval_days) if trig.kind == "cadence" else days


def _dated_slots(tp: Touchpoint, tl: Timeline, until: float) -> list[float]:
    """Planned days of a stage-entry or before-renewal touchpoint up to ``until``."""
    trig = tp.trigger
    if isinstance(trig, StageEntry):
        days = [
            iv.start + off for iv in tl.intervals if iv.stage == trig.stage for off in trig.offsets
        ]
    elif isinstance(trig, BeforeRenewal):
        days = [r - trig.days for r in tl.renewals]
    else:
        days = []
    return sorted(p for p in days if p <= until)


def after(t: float, days: float, shift: float | None) -> float:
    """The day ``days`` after day ``t``: calendar days, or weekdays when ``shift`` (the
    weekday of day 0) is given, as the engine counts on-time and due windows under a
    working-days calendar."""
    return t + days if shift is None else add_weekdays(t, days, shift)


def _span(days: float, shift: float | None) -> float:
    """A window of ``days`` as calendar days (weekdays x 7/5 under a working-days
    calendar: for gaps and response times, which have no planned day to count from)."""
    return days if shift is None else days * 7.0 / 5.0


def _match(
    slots: Sequence[float],
    days: Sequence[float],
    ahead: float,
    due: float,
    cap: float,
    shift: float | None = None,
) -> list[float | None]:
    """The activity day each slot takes (None: none), earliest unused first, in slot order."""
    used = [False] * len(days)
    out: list[float | None] = []
    for p in slots:
        hit = None
        hi = min(after(p, due, shift), cap)
        for j, a in enumerate(days):
            if not used[j] and p - ahead <= a <= hi:
                used[j], hit = True, a
                break
        out.append(hit)
    return out


def _slot_credit(
    tp: Touchpoint,
    slots: Sequence[float],
    hits: Sequence[float | None],
    lo: float,
    hi: float,
    r: float,
    half_life: float | None,
    shift: float | None = None,
) -> tuple[float, float]:
    """(credit, weight) of the dated slots planned in ``[lo, hi]`` for a renewal at ``r``."""
    num = den = 0.0
    due, on_time = tp.resolved_due_days, tp.resolved_on_time_days
    for p, a in zip(slots, hits, strict=True):
        if not lo <= p <= hi:
            continue
        if tp.channel == "automated":
            num += tp.weight * tp.resolved_effectiveness
            den += tp.weight
        elif a is not None:
            late = a - after(p, on_time, shift)
            num += tp.weight * tp.resolved_effectiveness * late_credit(late, half_life)
            den += tp.weight
        elif after(p, due, shift) <= r or tp.channel == "skipped":
            den += tp.weight
    return num, den


def _allowed_days(tl: Timeline, allowed: frozenset[str], lo: float, hi: float) -> float:
    """Days of ``[lo, hi]`` spent in the allowed stages."""
    return sum(
        max(0.0, min(iv.end, hi) - max(iv.start, lo)) for iv in tl.intervals if iv.stage in allowed
    )


def _cadence_credit(
    seg: Segment,
    tp: Touchpoint,
    tl: Timeline,
    days: Sequence[float],
    lo: float,
    hi: float,
    half_life: float | None,
    shift: float | None = None,
) -> tuple[float, float]:
    """(credit, weight) of a cadence touchpoint over ``[lo, hi]`` (see the module docstring)."""
    trig = tp.trigger
    assert trig.kind == "cadence"
    allowed = frozenset(trig.stages or STAGES)
    interval = trig.interval_days
    n = _allowed_days(tl, allowed, lo, hi) / interval
    if n <= 0:
        return 0.0, 0.0
    if tp.channel in ("automated", "skipped"):
        return n * tp.weight * tp.resolved_effectiveness, n * tp.weight
    first = min((iv.start for iv in tl.intervals if iv.stage in allowed), default=0.0)
    ahead = _ahead(tp, seg)
    credit, prev = 0.0, first
    for a in days:
        if a > hi:
            break
        if a >= lo and tl.stage_at(a) in allowed:
            d = cadence_lateness(
                a - prev,
                interval,
                _span(tp.resolved_on_time_days, shift),
                _span(tp.resolved_due_days, shift),
                ahead,
            )
            if d is not None:
                credit += tp.resolved_effectiveness * late_credit(d, half_life)
        prev = a
    return min(credit, n) * tp.weight, n * tp.weight


def cadence_lateness(
    gap: float, interval: float, on_time: float, due: float, ahead: float = 0.0
) -> float | None:
    """Days late of a cadence touch ``gap`` days after the previous one (None: it answers
    no slot, and earns nothing).

    The touch answers the latest slot before it, taken to be ``x = (gap - interval) mod
    interval`` days back (a missed slot in between counts once, in the planned count). It
    is late by ``x - on_time`` within the due window; past the due window that slot was
    missed, as in the engine, unless the touch falls within ``ahead`` (book-ahead) days of
    the next slot, when it is that slot's, on time.
    """
    x = gap - interval
    if x <= 0:
        return 0.0
    x = math.fmod(x, interval)
    if x <= due:
        return max(0.0, x - on_time)
    return 0.0 if x >= interval - ahead else None


def _coverage(
    seg: Segment,
    tl: Timeline,
    touches: Mapping[str, Sequence[Touch]],
    lo: float,
    hi: float,
    r: float,
    names: Sequence[str] | None = None,
    shift: float | None = None,
) -> tuple[float, float]:
    """(coverage, planned weight) of the touchpoints ``names`` (default all) over [lo, hi]."""
    half_life = seg.churn.late_credit_half_life
    num = den = 0.0
    for name, tp in seg.touchpoints.items():
        if names is not None and name not in names:
            continue
        kind = tp.trigger.kind
        days = [t.day for t in touches.get(name, ())]
        if kind == "cadence":
            c, w = _cadence_credit(seg, tp, tl, days, lo, hi, half_life, shift)
        elif kind in ("stage_entry", "before_renewal"):
            slots = _dated_slots(tp, tl, r)
            hits = _match(slots, days, _ahead(tp, seg), tp.resolved_due_days, r, shift)
            c, w = _slot_credit(tp, slots, hits, lo, hi, r, half_life, shift)
        else:
            continue
        num, den = num + c, den + w
    return (num / den if den > 0 else 1.0), den


def _late_onboarding(
    seg: Segment,
    tl: Timeline,
    touches: Mapping[str, Sequence[Touch]],
    until: float,
    shift: float | None = None,
) -> float:
    """Day the latest onboarding ended late by ``until`` (``-inf``: none did).

    Every contract period that starts in onboarding (the first; each renewed one when
    ``after_renewal`` is onboarding) is judged when it ends, as the engine does: late when
    an onboarding touch planned before its end was not delivered by then, or a milestone
    was late or automated.
    """
    latest = -math.inf
    for iv in tl.intervals:
        if (
            iv.stage == "onboarding"
            and iv.end <= until
            and _onboarding_late(seg, iv, touches, shift)
        ):
            latest = max(latest, iv.end)
    return latest


def _onboarding_late(
    seg: Segment, iv: Any, touches: Mapping[str, Sequence[Touch]], shift: float | None = None
) -> bool:
    """Whether the onboarding ``iv`` ended with a touch undelivered or a milestone late."""
    end = iv.end
    for name, tp in seg.touchpoints.items():
        trig = tp.trigger
        if trig.kind != "stage_entry" or trig.stage != "onboarding":
            continue
        slots = [iv.start + off for off in trig.offsets if iv.start + off < end]
        if tp.channel == "automated":
            if tp.purpose == "milestone" and slots:
                return True
            continue
        days = [t.day for t in touches.get(name, ())]
        hits = _match(slots, days, _ahead(tp, seg), tp.resolved_due_days, end, shift)
        for p, a in zip(slots, hits, strict=True):
            if a is None or tp.channel == "skipped":
                return True
            if tp.purpose == "milestone" and a > after(p, tp.resolved_on_time_days, shift):
                return True
    return False


def _responsiveness(
    seg: Segment,
    touches: Mapping[str, Sequence[Touch]],
    lo: float,
    hi: float,
    shift: float | None = None,
) -> float | None:
    """Mean late credit of the requests answered in [lo, hi] (None: no response times)."""
    half_life = seg.churn.late_credit_half_life
    credits: list[float] = []
    seen = False
    for name, tp in seg.touchpoints.items():
        if tp.trigger.kind != "inbound_request":
            continue
        for t in touches.get(name, ()):
            if t.response_hours is None:
                continue
            seen = True
            if lo <= t.day <= hi:
                late = t.response_hours / 24.0 - _span(tp.resolved_on_time_days, shift)
                credits.append(late_credit(late, half_life))
    if not seen:
        return None
    return sum(credits) / len(credits) if credits else 1.0


def renewal_drivers(
    seg: Segment,
    term_months: int,
    renewal_day: float,
    touches: Mapping[str, Sequence[Touch]],
    until: float | None = None,
    shift: float | None = None,
) -> RenewalDrivers:
    """The drivers of a renewal ``renewal_day`` days after the contract start.

    Parameters
    ----------
    seg
        The plan's segment: its touchpoints, lifecycle and churn windows.
    term_months
        The account's contract term (months).
    renewal_day
        The renewal's day counted from the contract start (days).
    touches
        The account's activities per touchpoint name, sorted by day.
    until
        The day the account left, when before the renewal (a churn in mid-term): touches
        planned after it are not counted against it (days from the contract start).
    shift
        The weekday of the contract start (Monday 0) under a working-days calendar: on-time
        and due windows then count weekdays, as the engine counts them; None: calendar days.
    """
    tl = timeline(seg.lifecycle, term_days(term_months), 0.0, True, renewal_day + 1.0)
    r = renewal_day
    now = r if until is None else min(r, until)
    window = seg.churn.coverage_window_days
    lo = r - window
    cov, planned = _coverage(seg, tl, touches, lo, now, now, shift=shift)
    early, _ = _coverage(seg, tl, touches, lo, min(lo + window / 2, now), now, shift=shift)
    expansion = [n for n, tp in seg.touchpoints.items() if tp.purpose == "expansion"]
    delivery = _coverage(seg, tl, touches, lo, now, now, expansion, shift)[0] if expansion else 1.0
    late_end = _late_onboarding(seg, tl, touches, now, shift)
    return RenewalDrivers(
        coverage=cov,
        coverage_early=early,
        late_onboarding=lo <= late_end <= now,
        responsiveness=_responsiveness(seg, touches, lo, now, shift),
        expansion_delivery=delivery,
        planned=planned,
    )


# ------------------------------------------------------------------ the book


def _growth(
    c: CustomerLike, seg_name: str, records: Sequence[RenewalRecord]
) -> AccountGrowth | None:
    """The account's growth per survived renewal (None when its ARR history is unknown)."""
    start = c.starting_arr
    survived = [r for r in records if not r.churned]
    if not survived or start is None or start <= 0 or c.arr <= 0:
        return None
    m = len(survived)
    return AccountGrowth(
        c.id,
        seg_name,
        m,
        (c.arr / start) ** (1.0 / m) - 1.0,
        sum(1.0 - r.drivers.coverage for r in survived) / m,
        sum(1.0 - r.drivers.expansion_delivery for r in survived) / m,
    )


def build_history(
    customers: Sequence[CustomerLike],
    segment_of: Callable[[CustomerLike], str | None],
    plans: Mapping[str, Segment],
    touches: Mapping[str, Mapping[str, Sequence[tuple[dt.date, float | None]]]],
    as_of: dt.date,
    history_start: dt.date,
    working_days: bool = False,
) -> History:
    """Every renewal of ``customers`` whose window the activity history covers.

    Parameters
    ----------
    customers
        The customer list (every customer, churned or not).
    segment_of
        A customer's data segment (None: left out).
    plans
        Data segment -> the plan's segment whose touchpoints define what was planned.
    touches
        Customer ID -> touchpoint name -> (date, response hours) of its activities.
    as_of
        The date the list describes; renewals after it have not happened.
    history_start
        The first day the activity history covers: a renewal whose window starts before
        it is left out (its coverage cannot be measured).
    working_days
        Whether the plan's calendar counts on-time and due windows in weekdays
        (``calendar.model: working_days``), as the engine then does.
    """
    renewals: list[RenewalRecord] = []
    growth: list[AccountGrowth] = []
    excluded: Counter[str] = Counter()
    responses = False
    for c in customers:
        seg_name = segment_of(c)
        if seg_name is None or seg_name not in plans:
            excluded["account in no planned segment"] += 1
            continue
        seg = plans[seg_name]
        term = contract_term(c) or seg.contract_term_months
        if c.contract_start is None:
            excluded["account without a contract start"] += 1
            continue
        if c.contract_start > as_of:
            excluded["account signed after the list's date"] += 1
            continue
        left, churned = end_of_follow_up(c, as_of)
        later = churned and left is not None and left > as_of  # had not churned by as_of
        if later:
            k, churned = 0, False
            while add_months(c.contract_start, (k + 1) * term) <= as_of:
                k += 1
        else:
            k, churned = renewals_reached(c, as_of, term)
        if k == 0:
            continue
        acts = touches.get(c.id, {})
        by_tp = {
            name: sorted(
                (Touch(float((d - c.contract_start).days), h) for d, h in items),
                key=lambda t: t.day,
            )
            for name, items in acts.items()
        }
        responses = responses or any(
            t.response_hours is not None for v in by_tp.values() for t in v
        )
        window = seg.churn.coverage_window_days
        mine: list[RenewalRecord] = []
        complete = True
        for j in range(1, k + 1):
            date = add_months(c.contract_start, j * term)
            if date - dt.timedelta(days=window) < history_start:
                excluded["window before the activity history starts"] += 1
                complete = False
                continue
            day = float((date - c.contract_start).days)
            until = None
            if churned and j == k:
                left, _ = end_of_follow_up(c, as_of)
                if left is not None and left < date:  # left in mid-term
                    until = float((left - c.contract_start).days)
            shift = float(c.contract_start.weekday()) if working_days else None
            drivers = renewal_drivers(seg, term, day, by_tp, until, shift)
            mine.append(RenewalRecord(c.id, seg_name, date, j, term, churned and j == k, drivers))
        renewals.extend(mine)
        # an account whose churn came after as_of: its ARR then is not its ARR now
        g = _growth(c, seg_name, mine) if complete and not later else None
        if g is not None:
            growth.append(g)
    return History(renewals, growth, excluded, history_start, as_of, responses)
