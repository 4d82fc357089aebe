"""The compile step: a segment's engagement model turned into lookup tables for the engine.

A :class:`SegmentPlan` is built once per segment and replication from the validated
scenario. It holds, per touchpoint, the parameters a task needs (:class:`TouchParams`),
which touchpoints each trigger plans (stage entries, cadences, before renewal, risk
events, inbound requests), the churn hazards of the segment, and the merged Poisson rates
of the account-level events (risk events, inbound requests, background work).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np

from simulator.engine.codes import NO_TOUCHPOINT, Channel, Kind
from simulator.engine.state import Task, TeamState
from simulator.scenario.distributions import Distribution
from simulator.scenario.exposure import expected_exposure, scheduled_csm_hours
from simulator.scenario.lifecycle import STAGES, period_stages, term_days
from simulator.scenario.model import Cadence, Segment, Touchpoint

__all__ = ["SegmentPlan", "TouchParams", "hazard"]


def hazard(p: float) -> float:
    """Cumulative hazard of probability ``p`` (inf for 1)."""
    return math.inf if p >= 1.0 else -math.log1p(-p)


class TouchParams(NamedTuple):
    """What every task of one touchpoint shares."""

    kind: Kind
    channel: Channel
    priority: int
    on_time_days: float
    """Days after the planned day by which a start is on time."""
    due_days: float
    """Days after the planned day by which the touch must start, else it is missed."""
    weight: float
    """Weight in coverage."""
    credit: float
    """Share of a delivered touch the channel earns (automated < 1)."""
    hours: Distribution | None
    """CSM hours of a one_to_one touch (None for other channels)."""


class SegmentPlan:
    """A segment's engagement model compiled for fast lookup."""

    def __init__(
        self,
        index: int,
        name: str,
        seg: Segment,
        team: TeamState | None,
        horizon: float,
        start_date: dt.date,
    ) -> None:
        self.index = index
        self.name = name
        self.seg = seg
        self.team = team
        self.team_index = team.index if team is not None else -1
        self.term = term_days(seg.contract_term_months)
        self.periods = {
            True: period_stages(seg.lifecycle, self.term, True),
            False: period_stages(seg.lifecycle, self.term, False),
        }
        self.names = list(seg.touchpoints)
        self.tps = [seg.touchpoints[n] for n in self.names]
        self.risk_names = list(seg.risk_events)
        self.one_to_many = [i for i, tp in enumerate(self.tps) if tp.channel == "one_to_many"]
        self.sync = [tp.channel == "one_to_one" for tp in self.tps]
        """Per touchpoint: whether its tasks may wake a CSM at once (one_to_one)."""
        self.params = [
            TouchParams(
                Kind.of(tp.trigger.kind),
                Channel.of(tp.channel),
                tp.resolved_priority,
                tp.resolved_on_time_days,
                tp.resolved_due_days,
                tp.weight,
                tp.resolved_effectiveness,
                tp.hours if tp.channel == "one_to_one" else None,
            )
            for tp in self.tps
        ]
        self.ahead = [
            _ahead(tp, seg.book_ahead_days) if tp.channel == "one_to_one" else 0.0
            for tp in self.tps
        ]
        """Per touchpoint: days before its planned day a touch may be started (book ahead;
        a cadence touch never before the one before it was planned)."""
        self._compile_triggers()
        self.entry_order = {
            stage: sorted(
                (off, i, self.ahead[i], self.sync[i])
                for i, offsets in self.entry[stage]
                for off in offsets
            )
            for stage in STAGES
        }
        """Per stage: its entry touches as (offset, touchpoint, book-ahead days, may wake a
        CSM), in planned order."""
        ch = seg.churn
        self.h_base = hazard(ch.annual_baseline) * self.term / 365.0
        # a risk event's 12-month probability applies over its effect window, so a renewal
        # weighs it over at most min(term, effect_days)
        self.risk_hazard = [
            (
                hazard(ev.handled_churn_probability) * min(self.term, ev.effect_days) / 365.0,
                hazard(ev.unhandled_churn_probability) * min(self.term, ev.effect_days) / 365.0,
            )
            for ev in seg.risk_events.values()
        ]
        self.risk_effect_days = [ev.effect_days for ev in seg.risk_events.values()]
        self.risk_rates = [ev.per_account_year / 365.0 for ev in seg.risk_events.values()]
        self.inbound_rate = seg.inbound.requests_per_account_year / 365.0
        self.bg_rate, self.bg_mean_hours = _background(seg, horizon, start_date)
        self.event_rates = [*self.risk_rates, self.inbound_rate, self.bg_rate]
        self.event_cum = np.cumsum(self.event_rates)
        self.event_rate_total = float(self.event_cum[-1])
        self.waiting: dict[int, list[Task]] = {i: [] for i in self.one_to_many}
        """Per one_to_many touchpoint: touches waiting for the next session."""
        self.arr_mean = seg.arr.mean if seg.arr is not None else 0.0

    def _compile_triggers(self) -> None:
        """Which touchpoints each trigger plans, split by whether they wait for a CSM.

        Automated (and skipped) scheduled touches never wait for a CSM and churn happens
        only at a renewal, so they are created for a whole contract period when it starts.
        """
        self.entry: dict[str, list[tuple[int, list[float]]]] = {s: [] for s in STAGES}
        self.entry_auto: dict[str, list[tuple[int, list[float]]]] = {s: [] for s in STAGES}
        self.cadence: list[tuple[int, float, frozenset[str]]] = []
        self.cadence_auto: list[tuple[int, float, frozenset[str]]] = []
        self.cadence_allowed: dict[int, frozenset[str]] = {}
        self.cadence_order: list[tuple[int, float, bool]] = []
        self.before_renewal: list[tuple[int, float]] = []
        self.before_renewal_auto: list[tuple[int, float]] = []
        self.risk_tps: list[list[int]] = [[] for _ in self.risk_names]
        self.inbound_tp = NO_TOUCHPOINT
        for i, tp in enumerate(self.tps):
            trig = tp.trigger
            auto = tp.channel in ("automated", "skipped")  # never wait for a CSM
            if trig.kind == "stage_entry":
                (self.entry_auto if auto else self.entry)[trig.stage].append((i, trig.offsets))
            elif trig.kind == "cadence":
                allowed = frozenset(trig.stages or STAGES)
                (self.cadence_auto if auto else self.cadence).append(
                    (i, trig.interval_days, allowed)
                )
                self.cadence_allowed[i] = allowed
                self.cadence_order.append((i, trig.interval_days, auto))
            elif trig.kind == "before_renewal":
                (self.before_renewal_auto if auto else self.before_renewal).append((i, trig.days))
            elif trig.kind == "risk_event":
                for e, ename in enumerate(self.risk_names):
                    if trig.events is None or ename in trig.events:
                        self.risk_tps[e].append(i)
            else:
                self.inbound_tp = i


def _ahead(tp: Touchpoint, segment_default: float) -> float:
    """Book-ahead days of a one_to_one touchpoint, at most one interval for a cadence."""
    days = tp.resolved_book_ahead_days(segment_default)
    trig = tp.trigger
    return min(days, trig.interval_days) if isinstance(trig, Cadence) else days


_BACKGROUND: dict[tuple[str, float, dt.date], tuple[float, float]] = {}
"""Each segment's background rate by its content, horizon and start: a pure function of
the scenario, computed once per process, not once per replication (the expected
exposure it needs costs 25-55 ms a segment)."""
_BACKGROUND_SIZE = 512


def _background(seg: Segment, horizon: float, start_date: dt.date) -> tuple[float, float]:
    """Unscheduled background work: (tasks per account-day, mean hours per task).

    The unscheduled uplift's share of scheduled hours becomes real tasks. An ad hoc task
    is the size of the segment's average one_to_one touch (or of a session when the
    segment has no one_to_one touches).
    """
    if seg.unscheduled_uplift <= 1.0 or not seg.touchpoints:
        return 0.0, 0.0
    key = (seg.model_dump_json(), horizon, start_date)
    if key not in _BACKGROUND:
        if len(_BACKGROUND) >= _BACKGROUND_SIZE:
            _BACKGROUND.clear()  # a long search of many variants: start again
        _BACKGROUND[key] = _background_rate(seg, horizon, start_date)
    return _BACKGROUND[key]


def _background_rate(seg: Segment, horizon: float, start_date: dt.date) -> tuple[float, float]:
    """:func:`_background`, computed."""
    exp = expected_exposure(seg, horizon, start_date)
    hours = scheduled_csm_hours(seg, exp, horizon)
    o2o = [
        (n, seg.touchpoints[name])
        for name, n in exp.touches.items()
        if seg.touchpoints[name].channel == "one_to_one"
    ]
    o2o_touches = sum(n for n, _ in o2o)
    o2o_hours = sum(n * tp.mean_csm_hours for n, tp in o2o)
    sessions = [tp.mean_csm_hours for tp in seg.touchpoints.values() if tp.channel == "one_to_many"]
    if hours <= 0 or exp.account_years <= 0:
        return 0.0, 0.0
    mean_touch = o2o_hours / o2o_touches if o2o_touches > 0 else float(np.mean(sessions))
    per_account_day = (seg.unscheduled_uplift - 1.0) * hours / (exp.account_years * 365.0)
    return per_account_day / mean_touch, mean_touch
