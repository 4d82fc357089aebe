"""Delivery of a synthetic account's planned CSM touches: which were made, on which day.

Part of :mod:`simulator.synthetic.history` (its module docstring describes the process).
Days are counted from the account's signing; slots come from
``simulator.scenario.lifecycle.timeline`` as in the engine and in
:mod:`simulator.synthetic.history_coverage`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from simulator.data.values import add_months
from simulator.scenario.lifecycle import Timeline, term_days, timeline
from simulator.scenario.model import STAGES, Segment, Touchpoint
from simulator.synthetic.history_truth import HistoryTruth

__all__ = ["SESSION_ORDINAL", "Account", "deliver"]

_ACTIVE = ("one_to_one", "one_to_many")
"""Channels whose delivered touches are written in an activity log."""
SESSION_ORDINAL = dt.date(2023, 1, 3).toordinal()
"""One_to_many sessions are held on this day (a Tuesday) + multiples of session_every_days."""


@dataclass
class Account:
    """One account while its history is drawn (days counted from its signing).

    Attributes
    ----------
    cid, name
        "Customer ID" and "Customer Name".
    segment, seg
        Data segment name and its true plan segment.
    since
        Signing date.
    owner
        Its CSM ("Assigned To").
    start_arr
        ARR at signing (US$ per year).
    end_day
        Day of the history's as-of date.
    touches
        (day, touchpoint) of the delivered CSM touches.
    rescue
        (day, touchpoint) of rescue touches (the confounding switch).
    churn_day
        Day it churned (None: active at the as-of date).
    arr
        ARR after its last renewal (US$ per year).
    """

    cid: str
    name: str
    segment: str
    seg: Segment
    since: dt.date
    owner: str
    start_arr: float
    end_day: int
    touches: list[tuple[int, str]] = field(default_factory=list)
    rescue: list[tuple[int, str]] = field(default_factory=list)
    churn_day: int | None = None
    arr: float = 0.0


def _slots(
    seg: Segment, tl: Timeline, end_day: int, rng: np.random.Generator
) -> list[tuple[float, str]]:
    """Planned (day, touchpoint) of the CSM touches up to ``end_day``, in order."""
    out: list[tuple[float, str]] = []
    for name, tp in seg.touchpoints.items():
        trig = tp.trigger
        ps: list[float] = []
        if trig.kind == "cadence":
            u = float(rng.random())  # drawn for every cadence touchpoint, delivered or not
            allowed = set(trig.stages) if trig.stages else set(STAGES)
            first = next((iv.start for iv in tl.intervals if iv.stage in allowed), None)
            p = math.inf if first is None else first + u * trig.interval_days
            while p <= end_day:
                if tl.stage_at(p) in allowed:
                    ps.append(p)
                p += trig.interval_days
        elif trig.kind == "stage_entry":
            ps = [
                iv.start + o for iv in tl.intervals if iv.stage == trig.stage for o in trig.offsets
            ]
        elif trig.kind == "before_renewal":
            ps = [rj - trig.days for rj in tl.renewals]
        if tp.channel in _ACTIVE:
            out.extend((p, name) for p in ps if 0 <= p <= end_day)
    out.sort()
    return out


def _day(
    p: float, tp: Touchpoint, late: bool, u: float, truth: HistoryTruth
) -> tuple[int, int, int]:
    """(day, lo, hi): the delivery day of a slot planned at ``p`` and its day range."""
    on_time, due = tp.resolved_on_time_days, tp.resolved_due_days
    last_on_time = math.floor(p + on_time)
    if late and math.floor(p + due) > p + on_time:
        m, span = truth.lateness_mean_days, due - on_time
        d = -m * math.log1p(u * math.expm1(-span / m))  # exponential truncated to [0, span)
        lo, hi = last_on_time + 1, math.floor(p + due)
        return min(math.floor(p + on_time + d) + 1, hi), lo, hi
    lo = math.ceil(p)
    hi = max(lo, last_on_time)
    return lo + min(int(u * (hi - lo + 1)), hi - lo), lo, hi


def _session(day: int, lo: int, hi: int, since: dt.date, every: float) -> int:
    """The session day (in [lo, hi]) nearest after ``day`` an attendee joined; ``day``
    when no session falls in the range."""
    step = max(1, round(every))
    phase = (SESSION_ORDINAL - since.toordinal()) % step
    x = day + (phase - day) % step
    if x <= hi:
        return x
    return x - step if x - step >= lo else day


def deliver(acc: Account, truth: HistoryTruth, rng: np.random.Generator) -> None:
    """Draw the account's delivered touches (days) into ``acc.touches``."""
    seg = acc.seg
    tl = timeline(seg.lifecycle, term_days(seg.contract_term_months), 0.0, True, acc.end_day + 1)
    periods = len(tl.renewals)
    renewal = [0] + [
        (add_months(acc.since, k * seg.contract_term_months) - acc.since).days
        for k in range(1, periods + 1)
    ]
    m, k = truth.propensity_mean, truth.propensity_concentration
    prop = np.ones(periods) if m >= 1.0 else rng.beta(m * k, (1.0 - m) * k, periods)
    slots = _slots(seg, tl, acc.end_day, rng)
    u = rng.random((len(slots), 3))
    term = term_days(seg.contract_term_months)
    for (p, name), (u_go, u_late, u_day) in zip(slots, u.tolist(), strict=True):
        j = min(int(p // term), periods - 1)
        if u_go >= prop[j]:
            continue
        tp = seg.touchpoints[name]
        day, lo, hi = _day(p, tp, u_late < truth.late_probability, u_day, truth)
        if tp.channel == "one_to_many":
            day = _session(day, lo, hi, acc.since, tp.session_every_days)
        if j >= 1 and day <= renewal[j]:
            day = renewal[j] + 1  # the period starts after its (calendar) renewal
        if day <= acc.end_day:
            acc.touches.append((day, name))
