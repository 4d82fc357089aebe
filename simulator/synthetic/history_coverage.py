"""True coverage and late onboarding of a renewal, from an account's dated activities.

The generator's own implementation of "History coverage" in ``notes/issue14.md`` (the
definition the reader side of ``simulator.analysis.history`` follows too; the two are
written independently and tested to agree). Days are counted from the contract start S;
a renewal is at day ``r`` (whole days); activities are given per touchpoint as whole days.

* Stage intervals: ``timeline(seg.lifecycle, term_days(T), 0, True, until=r + 1)``.
* Dated slots planned at p in [r - W, r] (W = ``churn.coverage_window_days``):
  ``stage_entry`` at each interval start of its stage + each offset, ``before_renewal`` at
  each timeline renewal - days. Slots of one touchpoint, in order, each take the earliest
  unused activity in [p - A, min(p + due, r)] (A = book-ahead days for one_to_one, else
  0); credit = weight x effectiveness x 0.5 ** (d / h), d = max(0, day - (p + on_time)).
  An unmatched slot counts its weight with no credit, unless p + due > r (not yet due:
  left out).
* ``cadence`` (interval I): planned weight n x weight, n = days of [r - W, r] in allowed
  stages / I; credit = min(sum of 0.5 ** (d / h) over its activities in [r - W, r] in an
  allowed stage, n) x weight, d = max(0, gap - I - on_time), gap = days since the previous
  activity of the touchpoint (the first: since the first allowed interval starts).
* ``automated`` slots are delivered on time at their effectiveness and ``skipped`` ones
  count undelivered, both whenever p <= r (the engine's status for them is final at the
  planned day, so "not yet due" does not apply); ``risk_event`` and ``inbound_request``
  touchpoints are not in coverage. Coverage = credit / planned weight (1: nothing planned).
* Late onboarding: the first period's onboarding ``stage_entry`` slots planned before
  onboarding ends, matched as above: late when one is unmatched (or skipped), or a
  ``purpose: milestone`` one is matched with d > 0 or is automated; it counts at r when
  onboarding ends on or after r - W.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from simulator.engine.calendar import add_weekdays
from simulator.scenario.lifecycle import Timeline, term_days, timeline
from simulator.scenario.model import STAGES, Lifecycle, Segment, Touchpoint

__all__ = ["late_onboarding", "renewal_coverage", "renewal_timeline"]

_ACTIVE = ("one_to_one", "one_to_many")
"""Channels whose delivered touches are written in an activity log."""


@lru_cache(maxsize=4096)
def _timeline(lc: Lifecycle, term_months: int, until: float) -> Timeline:
    return timeline(lc, term_days(term_months), 0.0, True, until=until)


def renewal_timeline(seg: Segment, r: int) -> Timeline:
    """Stage intervals and renewals (days from the contract start) seen at renewal day ``r``."""
    return _timeline(seg.lifecycle, seg.contract_term_months, float(r + 1))


def _factor(days_late: float, half_life: float | None) -> float:
    if half_life is None or days_late <= 0:
        return 1.0
    return float(0.5 ** (days_late / half_life))


def _planned_days(tp: Touchpoint, tl: Timeline) -> list[float]:
    """Planned days of a dated (stage_entry / before_renewal) touchpoint, in order."""
    trig = tp.trigger
    if trig.kind == "stage_entry":
        return sorted(
            iv.start + off for iv in tl.intervals if iv.stage == trig.stage for off in trig.offsets
        )
    if trig.kind == "before_renewal":
        return sorted(rj - trig.days for rj in tl.renewals)
    return []


def _after(p: float, days: float, shift: float | None) -> float:
    """``days`` after day ``p``: calendar days, or weekdays from a start on weekday
    ``shift`` (the engine's working-days calendar)."""
    return p + days if shift is None else add_weekdays(p, days, shift)


def _match(
    slots: Sequence[float],
    acts: Sequence[int],
    ahead: float,
    due: float,
    r: int,
    shift: float | None = None,
) -> list[int | None]:
    """Per slot (in order) the matched activity day, or None: each slot takes the
    earliest unused activity in [p - ahead, min(p + due, r)]."""
    used: set[int] = set()
    out: list[int | None] = []
    for p in slots:
        hi = min(_after(p, due, shift), r)
        k = bisect.bisect_left(acts, p - ahead)
        while k < len(acts) and acts[k] <= hi and k in used:
            k += 1
        if k < len(acts) and acts[k] <= hi:
            used.add(k)
            out.append(acts[k])
        else:
            out.append(None)
    return out


def _ahead(seg: Segment, tp: Touchpoint) -> float:
    if tp.channel != "one_to_one":
        return 0.0
    return tp.resolved_book_ahead_days(seg.book_ahead_days)


def _dated(
    seg: Segment,
    tp: Touchpoint,
    acts: Sequence[int],
    tl: Timeline,
    r: int,
    shift: float | None = None,
) -> tuple[float, float]:
    """(credit, planned weight) of a dated touchpoint at renewal ``r``."""
    lo = r - seg.churn.coverage_window_days
    every = [p for p in _planned_days(tp, tl) if p <= r]  # all matched, in order
    slots = [p for p in every if lo <= p]
    if not slots:
        return 0.0, 0.0
    w, eff = tp.weight, tp.resolved_effectiveness
    if tp.channel == "automated":
        return len(slots) * w * eff, len(slots) * w
    if tp.channel == "skipped":
        return 0.0, len(slots) * w
    due, on_time = tp.resolved_due_days, tp.resolved_on_time_days
    half = seg.churn.late_credit_half_life
    credit = planned = 0.0
    matched = _match(every, acts, _ahead(seg, tp), due, r, shift)
    for p, day in zip(every, matched, strict=True):
        if p < lo:
            continue
        if day is None:
            if _after(p, due, shift) <= r:
                planned += w
            continue
        planned += w
        credit += w * eff * _factor(day - _after(p, on_time, shift), half)
    return credit, planned


def _cadence(
    seg: Segment,
    tp: Touchpoint,
    acts: Sequence[int],
    tl: Timeline,
    r: int,
    shift: float | None = None,
) -> tuple[float, float]:
    """(credit, planned weight) of a cadence touchpoint at renewal ``r``."""
    trig = tp.trigger
    if trig.kind != "cadence":
        raise TypeError("not a cadence touchpoint")
    allowed = set(trig.stages) if trig.stages else set(STAGES)
    lo = r - seg.churn.coverage_window_days
    interval = trig.interval_days
    inside = sum(
        max(0.0, min(iv.end, r) - max(iv.start, lo)) for iv in tl.intervals if iv.stage in allowed
    )
    n = inside / interval
    w = tp.weight
    if tp.channel == "automated":
        return n * w * tp.resolved_effectiveness, n * w
    if tp.channel == "skipped":
        return 0.0, n * w
    first = next((iv.start for iv in tl.intervals if iv.stage in allowed), None)
    # no planned day to count weekdays from: windows as calendar days (x 7/5 in weekdays)
    scale = 1.0 if shift is None else 7.0 / 5.0
    on_time, half = tp.resolved_on_time_days * scale, seg.churn.late_credit_half_life
    total = 0.0
    for i, day in enumerate(acts):
        if day > r:
            break
        if day < lo or tl.stage_at(day) not in allowed:
            continue
        prev = acts[i - 1] if i > 0 else first
        gap = day - (prev if prev is not None else 0.0)
        # the slot it answers: the latest one before it; a missed slot between is counted
        # once, by the planned count
        past = gap - interval
        if past > 0:
            past = math.fmod(past, interval)
            if past <= tp.resolved_due_days * scale:
                late = past - on_time
            elif past >= interval - _ahead(seg, tp):
                late = 0.0  # booked ahead for the next slot
            else:
                continue  # its slot was missed and the next is not due: it answers none
        else:
            late = 0.0
        total += tp.resolved_effectiveness * _factor(late, half)
    return min(total, n) * w, n * w


def renewal_coverage(
    seg: Segment, days: Mapping[str, Sequence[int]], r: int, shift: float | None = None
) -> float:
    """The coverage of a renewal (module docstring), 0-1.

    Parameters
    ----------
    seg
        The account's plan segment.
    days
        Activity days (from the contract start) by touchpoint name; need not be sorted.
        Touchpoints absent have no activities.
    r
        The renewal day (days from the contract start).
    shift
        Weekday of the contract start (Monday 0) when on-time and due windows count
        weekdays (a working-days calendar); None: calendar days.

    Returns
    -------
    float
        Delivered credit over planned weight (1 when nothing was planned).
    """
    tl = renewal_timeline(seg, r)
    credit = planned = 0.0
    for name, tp in seg.touchpoints.items():
        kind = tp.trigger.kind
        if kind in ("risk_event", "inbound_request"):
            continue
        acts = sorted(days.get(name, ()))
        c, p = (_cadence if kind == "cadence" else _dated)(seg, tp, acts, tl, r, shift)
        credit += c
        planned += p
    return credit / planned if planned > 0 else 1.0


def late_onboarding(
    seg: Segment, days: Mapping[str, Sequence[int]], r: int, shift: float | None = None
) -> bool:
    """Whether an onboarding that ended within the window before ``r`` was late.

    Every contract period that starts in onboarding is judged at its end (the engine's
    rule). Parameters are those of :func:`renewal_coverage`.
    """
    tl = renewal_timeline(seg, r)
    lo = r - seg.churn.coverage_window_days
    return any(
        iv.stage == "onboarding"
        and lo <= iv.end <= r
        and _onboarding_was_late(seg, days, iv, r, shift)
        for iv in tl.intervals
    )


def _onboarding_was_late(
    seg: Segment, days: Mapping[str, Sequence[int]], iv: Any, r: int, shift: float | None
) -> bool:
    for name, tp in seg.touchpoints.items():
        trig = tp.trigger
        if trig.kind != "stage_entry" or trig.stage != "onboarding":
            continue
        slots = sorted(p for off in trig.offsets if (p := iv.start + off) < iv.end)
        if not slots:
            continue
        milestone = tp.purpose == "milestone"
        if tp.channel == "automated":
            if milestone:
                return True
            continue
        if tp.channel not in _ACTIVE:
            return True  # skipped: never delivered
        acts = sorted(days.get(name, ()))
        # the engine judges onboarding when it ends: a touch not started by then is late
        matched = _match(
            slots, acts, _ahead(seg, tp), tp.resolved_due_days, min(r, math.floor(iv.end)), shift
        )
        for p, day in zip(slots, matched, strict=True):
            if day is None or (milestone and day > _after(p, tp.resolved_on_time_days, shift)):
                return True
    return False
