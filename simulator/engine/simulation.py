"""One replication of a scenario as a SimPy discrete-event simulation.

Design, for speed and for common random numbers:

- One *planner* process walks a heap of planned items (stage changes, touches,
  renewals, risk events, inbound requests, background work, arrivals, session slots,
  staff changes, month ends): one SimPy timeout per distinct time, no process per account.
- One process per CSM pulls the next task from its own queue (a dedicated book) and its
  team's pooled queue, highest priority first, then earliest planned. A task not started
  by its due date is missed; expiry is settled lazily when a queue is read, so it costs no
  event.
- Every account draws its attributes, event times and churn uniforms from its own random
  stream when it is created (see :mod:`simulator.engine.streams`).
- Capacity: a CSM delivers ``customer_hours_per_year / 365`` hours per calendar day at full
  productivity (the working-day capacity spread evenly over the calendar); a task of E hours
  holds the CSM for ``E / (that rate x ramp productivity)`` days.

Nothing here reads or writes files or prints.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from simulator.engine import streams
from simulator.engine.records import Records, build_records
from simulator.engine.state import (
    AUTOMATED,
    BACKGROUND,
    CANCELLED,
    CHANNEL_CODE,
    CSM,
    EV_CHURNED,
    EV_CREATED,
    EV_LATE_ONBOARDING,
    EV_REASSIGNED,
    EV_RENEWED,
    EV_RISK,
    EV_STAGE,
    INBOUND_SUPPORT,
    KIND_CODE,
    LATE,
    MISSED,
    ON_TIME,
    OPEN,
    SESSION,
    SKIPPED,
    SUPPORT,
    Account,
    RiskHit,
    Task,
    TeamState,
    push,
)
from simulator.scenario.exposure import expected_exposure, scheduled_csm_hours
from simulator.scenario.lifecycle import STAGES, period_stages, renewal_in_stage, term_days
from simulator.scenario.model import Scenario, Segment

__all__ = ["simulate"]

# planner item codes
_STAGE, _TOUCH, _CADENCE, _RENEWAL, _RISK, _INBOUND, _BACKGROUND = range(7)
_ARRIVAL, _SLOT, _MONTH, _LEAVE, _JOIN, _ONB_END, _CUT = range(7, 14)

_AUTOMATED_CODE = CHANNEL_CODE["automated"]
_SKIPPED_CODE = CHANNEL_CODE["skipped"]
_ONE_TO_MANY_CODE = CHANNEL_CODE["one_to_many"]


MONTH_DAYS = 365.0 / 12.0
_DELIVERED = (ON_TIME, LATE, AUTOMATED)


def _events_scheduled(env: simpy.Environment) -> int:
    """Events a SimPy environment has scheduled so far.

    SimPy numbers every scheduled event from its ``_eid`` counter; reading the counter's
    next value costs nothing during the run (a counting subclass would add a Python call
    to every event).
    """
    return next(env._eid)


class _SegmentPlan:
    """A segment's engagement model compiled for fast lookup."""

    def __init__(
        self,
        index: int,
        name: str,
        seg: Segment,
        team: TeamState | None,
        horizon: float,
        start_date: Any,
    ) -> None:
        self.index = index
        self.name = name
        self.seg = seg
        self.team = team
        self.term = term_days(seg.contract_term_months)
        self.periods = {
            True: period_stages(seg.lifecycle, self.term, True),
            False: period_stages(seg.lifecycle, self.term, False),
        }
        self.names = list(seg.touchpoints)
        self.tps = [seg.touchpoints[n] for n in self.names]
        self.entry: dict[str, list[tuple[int, list[float]]]] = {s: [] for s in STAGES}
        self.cadence: list[tuple[int, float, frozenset[str]]] = []
        self.cadence_allowed: dict[int, frozenset[str]] = {}
        self.before_renewal: list[tuple[int, float]] = []
        self.risk_names = list(seg.risk_events)
        self.risk_tps: list[list[int]] = [[] for _ in self.risk_names]
        self.inbound_tp = -1
        self.one_to_many = [i for i, tp in enumerate(self.tps) if tp.channel == "one_to_many"]
        self.sync = [tp.channel == "one_to_one" for tp in self.tps]
        # per touchpoint: kind, channel code, priority, on-time and due days, weight,
        # coverage credit, hours distribution (one_to_one only)
        self.params = [
            (
                KIND_CODE[tp.trigger.kind],
                CHANNEL_CODE[tp.channel],
                tp.resolved_priority,
                tp.resolved_on_time_days,
                tp.resolved_due_days,
                tp.weight,
                tp.resolved_effectiveness,
                tp.hours if tp.channel == "one_to_one" else None,
            )
            for tp in self.tps
        ]
        # automated scheduled touches never wait for a CSM and churn happens only at a
        # renewal, so they are created for a whole contract period when it starts
        self.entry_auto: dict[str, list[tuple[int, list[float]]]] = {s: [] for s in STAGES}
        self.cadence_auto: list[tuple[int, float, frozenset[str]]] = []
        self.before_renewal_auto: list[tuple[int, float]] = []
        self.cadence_order: list[tuple[int, float, bool]] = []
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
        ch = seg.churn
        self.h_base = _hazard(ch.annual_baseline) * self.term / 365.0
        # a risk event's 12-month probability applies over its effect window, so a renewal
        # weighs it over at most min(term, effect_days)
        self.risk_hazard = [
            (
                _hazard(ev.handled_churn_probability) * min(self.term, ev.effect_days) / 365.0,
                _hazard(ev.unhandled_churn_probability) * min(self.term, ev.effect_days) / 365.0,
            )
            for ev in seg.risk_events.values()
        ]
        self.risk_rates = [ev.per_account_year / 365.0 for ev in seg.risk_events.values()]
        self.inbound_rate = seg.inbound.requests_per_account_year / 365.0
        # unscheduled background work: the uplift's share of scheduled hours, as real tasks
        self.bg_rate = 0.0
        self.bg_mean_hours = 0.0
        if seg.unscheduled_uplift > 1.0 and self.tps:
            exp = expected_exposure(seg, horizon, start_date)
            hours = scheduled_csm_hours(seg, exp, horizon)
            o2o = [
                (n, seg.touchpoints[name])
                for name, n in exp.touches.items()
                if seg.touchpoints[name].channel == "one_to_one"
            ]
            o2o_touches = sum(n for n, _ in o2o)
            o2o_hours = sum(n * tp.mean_csm_hours for n, tp in o2o)
            sessions = [
                tp.mean_csm_hours for tp in seg.touchpoints.values() if tp.channel == "one_to_many"
            ]
            if hours > 0 and exp.account_years > 0:
                # an ad hoc task is the size of the segment's average one_to_one touch (or
                # of a session when the segment has no one_to_one touches)
                mean_touch = (
                    o2o_hours / o2o_touches if o2o_touches > 0 else float(np.mean(sessions))
                )
                self.bg_mean_hours = mean_touch
                per_account_day = (
                    (seg.unscheduled_uplift - 1.0) * hours / (exp.account_years * 365.0)
                )
                self.bg_rate = per_account_day / mean_touch
        self.event_rates = [*self.risk_rates, self.inbound_rate, self.bg_rate]
        self.event_cum = np.cumsum(self.event_rates)
        self.event_rate_total = float(self.event_cum[-1])
        self.waiting: dict[int, list[Task]] = {i: [] for i in self.one_to_many}
        self.arr_mean = seg.arr.mean if seg.arr is not None else 0.0


def _gone(task: Task) -> int:
    """Status of an unstarted task whose account churned: missed if it was already due."""
    acc = task.account
    return MISSED if acc is not None and task.due < acc.churned_at else CANCELLED


def _hazard(p: float) -> float:
    """Cumulative hazard of probability ``p`` (inf for 1)."""
    return math.inf if p >= 1.0 else -math.log1p(-p)


class _Simulation:
    def __init__(self, scenario: Scenario, replication: int, root_seed: int) -> None:
        self.s = scenario
        self.rep = replication
        self.seed = root_seed
        self.env = simpy.Environment()
        self.now = 0.0
        self.horizon = float(scenario.horizon_days)
        self.rate = scenario.calendar.customer_hours_per_year / 365.0
        self.heap: list[tuple[float, int, int, Any]] = []
        self.seq = itertools.count()
        self.tid = itertools.count()
        self.tasks: list[Task] = []
        self.accounts: list[Account] = []
        self.events: list[tuple[float, int, int, int, float, float]] = []
        self.renewals: list[tuple[Any, ...]] = []
        self.monthly: list[tuple[Any, ...]] = []
        self.csms: list[CSM] = []
        teams = scenario.all_teams()
        self.team_names = [t for t in teams if scenario.segments_of(t)]
        self.teams = [TeamState(i, n, teams[n]) for i, n in enumerate(self.team_names)]
        by_name = {t.name: t for t in self.teams}
        self.seg_names = list(scenario.segments)
        self.plans = []
        for i, name in enumerate(self.seg_names):
            tname = scenario.team_name(name)
            self.plans.append(
                _SegmentPlan(
                    i,
                    name,
                    scenario.segments[name],
                    by_name.get(tname) if tname else None,
                    self.horizon,
                    scenario.start_date,
                )
            )
        self.session_rngs = {
            (p.index, i): streams.stream(root_seed, replication, streams.SESSIONS, p.index, i)
            for p in self.plans
            for i in p.one_to_many
        }
        self.handlers: list[Callable[[Any], None]] = [
            self._on_stage,
            self._on_touch,
            self._on_cadence,
            self._on_renewal,
            self._on_risk,
            self._on_inbound,
            self._on_background,
            self._on_arrival,
            self._on_slot,
            self._on_month,
            self._on_leave,
            self._on_join,
            self._on_onboarding_end,
            self._on_cut,
        ]

    # ------------------------------------------------------------------ scheduling

    def events_scheduled(self) -> int:
        """SimPy events scheduled so far in this replication."""
        return _events_scheduled(self.env)

    def _push(self, t: float, code: int, payload: Any, clock: bool = True) -> None:
        """Plan an item at day ``t``; ``clock`` says whether it may hand a task to a CSM."""
        if t < self.horizon:
            heapq.heappush(self.heap, (t, next(self.seq), code, payload, clock))

    def _planner(self) -> Any:
        """Handle planned items in time order.

        An item that cannot hand work to a CSM (an automated touch, a stage change, a
        renewal, a month end) is handled at its own time without a SimPy event, as long
        as no SimPy event comes before it; only items that may wake a CSM advance the
        SimPy clock. This keeps SimPy events per touchpoint low.
        """
        heap, env, handlers, horizon = self.heap, self.env, self.handlers, self.horizon
        pop, peek = heapq.heappop, env.peek
        while heap:
            t, _, code, payload, clock = heap[0]
            if t >= horizon:
                return
            if t > env.now and (clock or t >= peek()):
                yield env.timeout(t - env.now)
            pop(heap)
            self.now = t
            handlers[code](payload)

    # ------------------------------------------------------------------ set-up

    def run(self) -> Records:
        s = self.s
        for team in self.teams:
            for _ in range(team.spec.csms):
                self._add_csm(team, -1e9, "start")
            for step in team.spec.hiring_plan:
                offset = float((step.date - s.start_date).days)
                if step.change > 0:
                    for _ in range(step.change):
                        self._push(offset, _JOIN, (team, "plan"))
                elif step.change < 0:
                    self._push(offset, _CUT, (team, -step.change))
        for plan in self.plans:
            self._start_book(plan)
            self._schedule_arrivals(plan)
            for i in plan.one_to_many:
                every = plan.tps[i].session_every_days
                self._push(every, _SLOT, (plan, i))
        k = 1
        while k * MONTH_DAYS < self.horizon:
            self._push(k * MONTH_DAYS, _MONTH, k, False)
            k += 1
        self.env.process(self._planner())
        self.env.run(until=self.horizon)
        self._snapshot(k, self.horizon)
        return build_records(self)

    def _new_account(
        self,
        plan: _SegmentPlan,
        index: int,
        ident: str,
        arr: float | None,
        created: float,
        starting: bool,
    ) -> Account:
        rng = streams.stream(self.seed, self.rep, streams.ACCOUNT, plan.index, index)
        seg = plan.seg
        u_arr = rng.random()
        if arr is None:
            arr = seg.arr.ppf1(u_arr) if seg.arr is not None else 0.0
        acc = Account(plan.index, index, ident, arr, created, starting, rng)
        span = self.horizon - created
        n_renew = int(span / plan.term) + 3
        acc.churn_u, acc.expand_u = rng.random((2, n_renew))
        self.accounts.append(acc)
        self.events.append((created, plan.index, len(self.accounts) - 1, EV_CREATED, arr, 0.0))
        acc_ix = len(self.accounts) - 1
        acc.index = acc_ix
        # risk events, inbound requests and background work: one merged Poisson stream,
        # each event's type drawn by its share of the total rate (superposition)
        rates = plan.event_rates
        total = plan.event_rate_total
        if total > 0 and span > 0:
            n = int(rng.poisson(total * span))
            if n:
                u = rng.random((n, 3))
                times = created + span * u[:, 0]
                kinds = np.searchsorted(plan.event_cum, u[:, 1] * total, side="right")
                n_risk = len(plan.risk_rates)
                for t, kind, route in zip(
                    times.tolist(), kinds.tolist(), u[:, 2].tolist(), strict=True
                ):
                    kind = min(kind, len(rates) - 1)
                    if kind < n_risk:
                        self._push(t, _RISK, (acc, kind))
                    elif kind == n_risk:
                        to_csm = route >= plan.seg.inbound.support_share and plan.inbound_tp >= 0
                        self._push(t, _INBOUND, (acc, route), to_csm)
                    else:
                        self._push(t, _BACKGROUND, acc)
        return acc

    def _cadence_phases(self, plan: _SegmentPlan, acc: Account, origin: float) -> None:
        """Each cadence's first time: a uniform phase within one interval of ``origin``."""
        for i, interval, auto in plan.cadence_order:
            first = origin + acc.rng.random() * interval
            if auto:
                acc.phases[i] = first
            else:
                self._push(first, _CADENCE, (acc, i, interval), plan.sync[i])

    def _start_book(self, plan: _SegmentPlan) -> None:
        seg = plan.seg
        term = plan.term
        weights = None
        if seg.renewal_month_weights is not None:
            w = np.asarray(seg.renewal_month_weights, dtype=float)
            weights = np.cumsum(w / w.sum())
        specs: list[tuple[str, float | None, float | None, str | None]] = []
        if isinstance(seg.accounts, int):
            specs = [(f"{plan.name}-{i + 1}", None, None, None) for i in range(seg.accounts)]
        else:
            for a in seg.accounts:
                r = None
                if a.renewal_date is not None:
                    r = float((a.renewal_date - self.s.start_date).days)
                    while r <= 0:
                        r += term
                specs.append((a.id, a.arr, r, a.stage))
        for i, (ident, arr, r, stage) in enumerate(specs):
            acc = self._new_account(plan, i, ident, arr, 0.0, True)
            u = acc.rng.random()
            first = stage in ("onboarding", "adoption")
            if r is None and stage is not None:
                r = renewal_in_stage(plan.seg.lifecycle, term, first, stage, u)
            if r is None:
                if weights is None:
                    r = (1.0 - u) * term  # in (0, term]
                else:
                    m = int(np.searchsorted(weights, u, side="right"))
                    m = min(m, len(weights) - 1)
                    lo = weights[m - 1] if m > 0 else 0.0
                    frac = (u - lo) / (weights[m] - lo) if weights[m] > lo else 0.5
                    r = (m + 1 - frac) * term / len(weights)
            self._cadence_phases(plan, acc, 0.0)
            self._start_period(plan, acc, r - term, first)
            self._assign(plan, acc)

    def _schedule_arrivals(self, plan: _SegmentPlan) -> None:
        seg = plan.seg
        n0 = seg.starting_accounts
        k = 0
        if seg.new_accounts_per_month > 0:
            rng = streams.stream(self.seed, self.rep, streams.ARRIVALS, plan.index)
            rate = seg.new_accounts_per_month * 12.0 / 365.0
            n = rng.poisson(rate * self.horizon)
            for t in np.sort(rng.random(n)) * self.horizon:
                self._push(float(t), _ARRIVAL, (plan, n0 + k), False)
                k += 1
        for batch in seg.new_account_schedule:
            t = float((batch.date - self.s.start_date).days)
            for _ in range(batch.count):
                self._push(t, _ARRIVAL, (plan, n0 + k), False)
                k += 1

    def _start_period(self, plan: _SegmentPlan, acc: Account, start: float, first: bool) -> None:
        """Plan a contract period's stage changes, renewal and before-renewal touches."""
        now = self.now
        t = start
        intervals = []
        for stage, d in plan.periods[first]:
            intervals.append((stage, t, t + d))
            if t >= now:
                self._push(t, _STAGE, (acc, stage, t, t + d), False)
            elif t + d > now or (d == 0 and t >= now):
                # the stage the account is in at the start of the plan
                acc.stage = stage
                self._plan_entry_touches(plan, acc, stage, t, now)
                if stage == "onboarding":
                    self._push(t + d, _ONB_END, acc, False)
            else:
                # an earlier stage of the current period: its late touches are still due
                self._plan_entry_touches(plan, acc, stage, t, now)
            t += d
        renewal = start + plan.term
        self._push(renewal, _RENEWAL, acc, False)
        for i, days in plan.before_renewal:
            if renewal - days >= now:
                self._push(renewal - days, _TOUCH, (acc, i, False), plan.sync[i])
        self._automated_touches(plan, acc, intervals, start, renewal)

    def _automated_touches(
        self,
        plan: _SegmentPlan,
        acc: Account,
        intervals: list[tuple[str, float, float]],
        start: float,
        renewal: float,
    ) -> None:
        """Create a contract period's automated touches (the planner would create the same)."""
        now, horizon = self.now, self.horizon
        times: list[tuple[float, int]] = []
        for stage, t0, _ in intervals:
            for i, offsets in plan.entry_auto[stage]:
                times.extend((t0 + off, i) for off in offsets)
        times.extend((renewal - days, i) for i, days in plan.before_renewal_auto)
        lo, hi = max(start, now), min(renewal, horizon)
        for i, interval, allowed in plan.cadence_auto:
            first = acc.phases[i]
            t = first + max(0, math.ceil((lo - first) / interval)) * interval
            while t < hi:
                for stage, t0, t1 in intervals:
                    if t0 <= t < t1:
                        if stage in allowed:
                            times.append((t, i))
                        break
                t += interval
        for t, i in sorted(times):
            if t >= renewal:
                # beyond this contract period: only if the account renews
                self._push(t, _TOUCH, (acc, i, False), False)
            elif now <= t < horizon:
                self._automated(plan, acc, i, t)

    def _automated(self, plan: _SegmentPlan, acc: Account, i: int, t: float) -> None:
        kind, channel, priority, ontime, due, weight, credit, _ = plan.params[i]
        task = Task(
            next(self.tid),
            plan.index,
            acc,
            i,
            kind,
            channel,
            plan.team.index if plan.team is not None else -1,
            priority,
            t,
            t + ontime,
            t + due,
            0.0,
            weight,
            credit,
        )
        if channel == _SKIPPED_CODE:
            task.status = SKIPPED  # planned, not delivered: a missed touch in coverage
        else:
            task.status = AUTOMATED
            task.start = task.end = t
        self.tasks.append(task)
        acc.touches.append(task)

    def _plan_entry_touches(
        self, plan: _SegmentPlan, acc: Account, stage: str, entered: float, now: float
    ) -> None:
        onboarding = stage == "onboarding"
        for i, offsets in plan.entry[stage]:
            for off in offsets:
                if entered + off >= now:
                    self._push(entered + off, _TOUCH, (acc, i, onboarding), plan.sync[i])

    # ------------------------------------------------------------------ ownership

    def _assign(self, plan: _SegmentPlan, acc: Account) -> None:
        team = plan.team
        if plan.seg.coverage != "dedicated" or team is None:
            return
        active = [c for c in team.csms if c.active]
        if not active:
            return
        owner = min(active, key=lambda c: (c.arr, c.seat))
        self._give(acc, owner)

    def _give(self, acc: Account, csm: CSM | None) -> None:
        old = acc.owner
        if old is not None:
            old.book.discard(acc)
            old.arr -= acc.arr
        acc.owner = csm
        if csm is not None:
            csm.book.add(acc)
            csm.arr += acc.arr

    def _reassign(self, acc: Account, csm: CSM | None) -> None:
        """Move an account (and its queued tasks) to another CSM; it counts as reassigned."""
        old = acc.owner
        self._give(acc, csm)
        now = self.now
        acc.reassigned_at = now
        self.events.append(
            (
                now,
                acc.segment,
                acc.index,
                EV_REASSIGNED,
                float(old.id if old else -1),
                float(csm.id if csm else -1),
            )
        )
        if old is not None:
            keep, move = [], []
            for item in old.queue:
                (move if item[1].account is acc else keep).append(item)
            if move:
                old.queue[:] = keep
                heapq.heapify(old.queue)
                for _, task in move:
                    self._enqueue(task)

    # ------------------------------------------------------------------ tasks

    def _task(
        self,
        plan: _SegmentPlan,
        acc: Account | None,
        tp: int,
        kind: int,
        channel: int,
        priority: int,
        ontime_days: float,
        due_days: float,
        hours: float,
        weight: float,
        credit: float,
    ) -> Task:
        now = self.now
        task = Task(
            next(self.tid),
            plan.index,
            acc,
            tp,
            kind,
            channel,
            plan.team.index if plan.team is not None else -1,
            priority,
            now,
            now + ontime_days,
            now + due_days,
            hours,
            weight,
            credit,
        )
        self.tasks.append(task)
        return task

    def _touch(self, plan: _SegmentPlan, acc: Account, i: int) -> Task:
        """Create touch ``i`` for ``acc`` now and route it by channel."""
        kind, channel, priority, ontime, due, weight, credit, hours_dist = plan.params[i]
        hours = hours_dist.ppf1(acc.rng.random()) if hours_dist is not None else 0.0
        task = self._task(plan, acc, i, kind, channel, priority, ontime, due, hours, weight, credit)
        acc.touches.append(task)
        if channel == _AUTOMATED_CODE:
            task.status = AUTOMATED
            task.start = task.end = self.now
        elif channel == _SKIPPED_CODE:
            task.status = SKIPPED
        elif channel == _ONE_TO_MANY_CODE:
            plan.waiting[i].append(task)
        else:
            self._enqueue(task)
        return task

    def _enqueue(self, task: Task) -> None:
        acc = task.account
        owner = acc.owner if acc is not None else None
        if owner is not None and owner.active:
            heapq.heappush(owner.queue, ((task.priority, task.planned, task.id), task))
            if owner.idle is not None:
                self._wake(owner)
            return
        if task.team < 0:
            return  # no team: the task can never start and will be missed
        team = self.teams[task.team]
        push(team.pool, task)
        for c in team.csms:
            if c.idle is not None:
                self._wake(c)
                break

    def _wake(self, csm: CSM) -> None:
        ev = csm.idle
        csm.idle = None
        ev.succeed()

    def _next_task(self, csm: CSM) -> Task | None:
        now = self.env.now
        pool = self.teams[csm.team].pool
        own = csm.queue
        for q in (own, pool):
            while q:
                task = q[0][1]
                if task.status != OPEN:
                    heapq.heappop(q)
                elif task.account is not None and not task.account.active:
                    heapq.heappop(q)
                    task.status = _gone(task)
                elif task.due < now:
                    heapq.heappop(q)
                    task.status = MISSED
                elif task.attendees is not None and not any(
                    (a.account is None or a.account.active) and a.due >= now for a in task.attendees
                ):
                    # a session nobody can still attend is not held
                    heapq.heappop(q)
                    task.status = CANCELLED
                    for a in task.attendees:
                        a.status = (
                            _gone(a) if a.account is not None and not a.account.active else MISSED
                        )
                else:
                    break
        if own and (not pool or own[0][0] < pool[0][0]):
            return heapq.heappop(own)[1]
        if pool:
            return heapq.heappop(pool)[1]
        return None

    def _begin(self, task: Task, csm: CSM) -> None:
        now = self.env.now
        task.start = now
        task.csm = csm.id
        task.status = ON_TIME if now <= task.ontime else LATE
        if task.risk is not None:
            task.risk.handled = True
        if task.attendees is not None:
            for a in task.attendees:
                if a.account is not None and not a.account.active:
                    a.status = _gone(a)
                elif now > a.due:
                    a.status = MISSED
                else:
                    a.start = a.end = now
                    a.csm = csm.id
                    a.status = ON_TIME if now <= a.ontime else LATE
                    if a.risk is not None:
                        a.risk.handled = True

    def _work(self, csm: CSM) -> Any:
        env = self.env
        team = self.teams[csm.team]
        while csm.active:
            now = env.now
            speed = self.rate if now >= csm.ramped else self.rate * csm.productivity(now)
            if speed <= 0:
                # a new hire at zero productivity does no work until the ramp lets them
                yield env.timeout(csm.next_productive(now) - now)
                continue
            task = self._next_task(csm)
            if task is None:
                csm.idle = env.event()
                yield csm.idle
                continue
            if team.pool:
                # the pool may still hold work this CSM was woken for: pass the wake-up on
                for other in team.csms:
                    if other.idle is not None and other is not csm:
                        self._wake(other)
                        break
            self._begin(task, csm)
            csm.busy = True
            yield env.timeout(task.hours / speed)
            csm.busy = False
            task.end = env.now
        csm.left = min(csm.left, env.now)  # presence ends when the CSM left the team

    # ------------------------------------------------------------------ staff

    def _add_csm(self, team: TeamState, joined: float, reason: str) -> CSM:
        seat = team.next_seat
        team.next_seat += 1
        csm = CSM(len(self.csms), team.index, seat, joined, team.ramp)
        self.csms.append(csm)
        team.csms.append(csm)
        attr = team.spec.annual_attrition
        if attr > 0:
            rng = streams.stream(self.seed, self.rep, streams.STAFF, team.index, seat)
            stay = rng.exponential(365.0 / attr)
            self._push(max(joined, 0.0) + stay, _LEAVE, (csm, "attrition"))
        self.env.process(self._work(csm))
        return csm

    def _on_join(self, payload: tuple[TeamState, str]) -> None:
        team, reason = payload
        csm = self._add_csm(team, self.now, reason)
        self._rebalance(team, csm)

    def _rebalance(self, team: TeamState, new: CSM) -> None:
        """Give a new CSM the team's orphaned accounts, then a fair share of ARR."""
        for plan in self.plans:
            if plan.team is team and plan.seg.coverage == "dedicated":
                for acc in self.accounts:
                    if acc.segment == plan.index and acc.active and acc.owner is None:
                        self._reassign(acc, new)
                # tasks of orphaned accounts waiting in the pool go to the new owner lazily
        while True:
            others = [c for c in team.csms if c.active and c is not new and c.book]
            if not others:
                return
            donor = max(others, key=lambda c: (c.arr, -c.seat))
            gap = donor.arr - new.arr
            movable = [a for a in donor.book if a.arr < gap]
            if not movable:
                return
            self._reassign(max(movable, key=lambda a: (a.arr, -a.index)), new)

    def _on_leave(self, payload: tuple[CSM, str]) -> None:
        csm, reason = payload
        if not csm.active:
            return
        csm.active = False
        self._release(csm, reason)

    def _release(self, csm: CSM, reason: str) -> None:
        """Hand a departing CSM's book and queue to the team; backfill after attrition."""
        csm.left = min(csm.left, self.now)
        team = self.teams[csm.team]
        remaining = [c for c in team.csms if c.active]
        for acc in sorted(csm.book, key=lambda a: (-a.arr, a.index)):
            target = min(remaining, key=lambda c: (c.arr, c.seat)) if remaining else None
            self._reassign(acc, target)
        for _, task in list(csm.queue):
            if task.status == OPEN:
                self._enqueue(task)
        csm.queue.clear()
        if csm.idle is not None:
            self._wake(csm)
        if reason == "attrition":
            self._push(self.now + team.spec.hiring_lead_days, _JOIN, (team, "backfill"))

    def _on_cut(self, payload: tuple[TeamState, int]) -> None:
        team, n = payload
        leaving = sorted((c for c in team.csms if c.active), key=lambda c: -c.seat)[:n]
        for csm in leaving:  # all of them leave before any book is handed over
            csm.active = False
        for csm in leaving:
            self._release(csm, "plan")

    # ------------------------------------------------------------------ handlers

    def _on_stage(self, payload: tuple[Account, str, float, float]) -> None:
        acc, stage, entered, ends = payload
        if not acc.active:
            return
        acc.stage = stage
        plan = self.plans[acc.segment]
        self.events.append(
            (entered, acc.segment, acc.index, EV_STAGE, float(STAGES.index(stage)), 0.0)
        )
        if stage == "onboarding":
            acc.onboarding_tasks = []
            self._push(ends, _ONB_END, acc, False)
        self._plan_entry_touches(plan, acc, stage, entered, entered)

    def _on_touch(self, payload: tuple[Account, int, bool]) -> None:
        acc, i, onboarding = payload
        if not acc.active:
            return
        task = self._touch(self.plans[acc.segment], acc, i)
        if onboarding:
            acc.onboarding_tasks.append(task)

    def _on_cadence(self, payload: tuple[Account, int, float]) -> None:
        acc, i, interval = payload
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        if acc.stage in plan.cadence_allowed[i]:
            self._touch(plan, acc, i)
        self._push(self.now + interval, _CADENCE, payload, plan.sync[i])

    def _on_onboarding_end(self, acc: Account) -> None:
        if not acc.active:
            return
        now = self.now
        late = any(
            t.status not in _DELIVERED
            for t in acc.onboarding_tasks
            if t.status != CANCELLED and t.planned < now
        )
        if late:
            acc.late_onboarding_at = self.now
            self.events.append((self.now, acc.segment, acc.index, EV_LATE_ONBOARDING, 0.0, 0.0))
        acc.onboarding_tasks = []

    def _on_risk(self, payload: tuple[Account, int]) -> None:
        acc, e = payload
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        hit = RiskHit(e, self.now)
        acc.risks.append(hit)
        self.events.append((self.now, acc.segment, acc.index, EV_RISK, float(e), 0.0))
        for i in plan.risk_tps[e]:
            task = self._touch(plan, acc, i)
            task.risk = hit
            if task.status == AUTOMATED:
                hit.handled = True

    def _on_inbound(self, payload: tuple[Account, float]) -> None:
        acc, u = payload
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        if u < plan.seg.inbound.support_share or plan.inbound_tp < 0:
            task = self._task(
                plan,
                acc,
                INBOUND_SUPPORT,
                KIND_CODE["inbound_request"],
                CHANNEL_CODE["support"],
                9,
                0,
                1,
                0.0,
                0.0,
                0.0,
            )
            task.status = SUPPORT
            task.start = task.end = self.now
            return
        self._touch(plan, acc, plan.inbound_tp)

    def _on_background(self, acc: Account) -> None:
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        seg = plan.seg
        hours = -plan.bg_mean_hours * math.log1p(-acc.rng.random())
        due = seg.unscheduled_due_days
        task = self._task(
            plan,
            acc,
            BACKGROUND,
            KIND_CODE["unscheduled"],
            CHANNEL_CODE["one_to_one"],
            seg.unscheduled_priority,
            min(7.0, due),
            due,
            hours,
            0.0,
            0.0,
        )
        self._enqueue(task)

    def _on_arrival(self, payload: tuple[_SegmentPlan, int]) -> None:
        plan, index = payload
        now = self.now
        acc = self._new_account(plan, index, f"{plan.name}-{index + 1}", None, now, False)
        self._cadence_phases(plan, acc, now)
        self._start_period(plan, acc, now, True)
        self._assign(plan, acc)

    def _on_slot(self, payload: tuple[_SegmentPlan, int]) -> None:
        plan, i = payload
        now = self.now
        tp = plan.tps[i]
        waiting = plan.waiting[i]
        ready = []
        for task in waiting:
            if task.account is not None and not task.account.active:
                task.status = _gone(task)
            elif task.due < now:
                task.status = MISSED
            else:
                ready.append(task)
        waiting.clear()
        k = tp.max_attendees or 1
        rng = self.session_rngs[(plan.index, i)]
        for start in range(0, len(ready), k):
            group = ready[start : start + k]
            hours = tp.hours.ppf1(rng.random()) if tp.hours is not None else 0.0
            session = self._task(
                plan,
                None,
                SESSION - i,
                KIND_CODE["session"],
                CHANNEL_CODE["one_to_many"],
                tp.resolved_priority,
                max(a.ontime for a in group) - now,
                max(a.due for a in group) - now,
                hours,
                0.0,
                0.0,
            )
            session.attendees = group
            self._enqueue(session)
        self._push(now + tp.session_every_days, _SLOT, payload)

    def _on_month(self, k: int) -> None:
        self._snapshot(k, self.now)

    def _snapshot(self, k: int, t: float) -> None:
        for team in self.teams:
            n = 0
            hours = 0.0
            queues = [team.pool] + [c.queue for c in team.csms if c.active]
            for q in queues:
                for _, task in q:
                    if (
                        task.status == OPEN
                        and task.due >= t
                        and (task.account is None or task.account.active)
                    ):
                        n += 1
                        hours += task.hours
            active = sum(1 for c in team.csms if c.active)
            self.monthly.append(("team", team.index, k, t, n, hours, active, 0.0))
        for plan in self.plans:
            n = 0
            arr = 0.0
            for acc in self.accounts:
                if acc.segment == plan.index and acc.active:
                    n += 1
                    arr += acc.arr
            self.monthly.append(("segment", plan.index, k, t, n, arr, 0, 0.0))

    # ------------------------------------------------------------------ renewal and churn

    def _on_renewal(self, acc: Account) -> None:
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        seg = plan.seg
        ch = seg.churn
        now = self.now
        window = ch.coverage_window_days
        acc.touches = [t for t in acc.touches if t.planned >= now - window]
        num = den = 0.0
        for t in acc.touches:
            if t.planned > now:
                continue
            st = t.status
            if st in _DELIVERED:
                num += t.weight * t.credit
                den += t.weight
            elif st in (MISSED, SKIPPED) or (st == OPEN and t.due < now):
                den += t.weight
        coverage = num / den if den > 0 else 1.0
        m_cov = 1.0 + ch.coverage_effect * (1.0 - coverage)
        late = acc.late_onboarding_at >= now - window
        m_late = ch.late_onboarding_multiplier if late else 1.0
        reassigned = acc.reassigned_at >= now - ch.reassignment_window_days
        m_re = ch.reassignment_multiplier if reassigned else 1.0
        risk_event = -1
        risk_handled = False
        h_risk = 0.0
        for hit in acc.risks:
            ev = seg.risk_events[plan.risk_names[hit.event]]
            if now - hit.time <= ev.effect_days:
                h = plan.risk_hazard[hit.event][0 if hit.handled else 1]
                if h > h_risk or risk_event < 0:
                    h_risk, risk_event, risk_handled = h, hit.event, hit.handled
        acc.risks = [
            h
            for h in acc.risks
            if now - h.time <= seg.risk_events[plan.risk_names[h.event]].effect_days
        ]
        base = max(plan.h_base, h_risk)
        mults = m_cov * m_late * m_re
        if base == 0.0 or mults == 0.0:
            hazard = 0.0
        elif math.isinf(base):
            hazard = math.inf
        else:
            hazard = base * mults
        p = 1.0 - math.exp(-hazard)
        k = acc.renewals
        u = float(acc.churn_u[k]) if k < len(acc.churn_u) else float(acc.rng.random())
        churned = u < p
        m_risk = (h_risk / plan.h_base) if plan.h_base > 0 and h_risk > plan.h_base else 1.0
        arr_before = acc.arr
        change = 0.0
        if churned:
            acc.active = False
            acc.churned_at = now
            self._give(acc, None)
            self.events.append((now, acc.segment, acc.index, EV_CHURNED, arr_before, 0.0))
        else:
            ue = float(acc.expand_u[k]) if k < len(acc.expand_u) else float(acc.rng.random())
            change = seg.arr_change_at_renewal.ppf1(ue)
            new_arr = arr_before * (1.0 + change)
            if acc.owner is not None:
                acc.owner.arr += new_arr - arr_before
            acc.arr = new_arr
            acc.renewals += 1
            self.events.append((now, acc.segment, acc.index, EV_RENEWED, arr_before, new_arr))
        self.renewals.append(
            (
                now,
                acc.segment,
                acc.index,
                arr_before,
                1.0 - math.exp(-plan.h_base),
                coverage,
                m_cov,
                late,
                m_late,
                reassigned,
                m_re,
                risk_event,
                risk_handled,
                m_risk,
                hazard,
                p,
                u,
                churned,
                change,
            )
        )
        if not churned:
            self._start_period(plan, acc, now, False)


def simulate(scenario: Scenario, replication: int = 0, root_seed: int | None = None) -> Records:
    """Simulate one replication of ``scenario``.

    Parameters
    ----------
    scenario
        A validated scenario.
    replication
        Replication index; streams are keyed by it, so replication i is the same in every
        scenario variant (common random numbers).
    root_seed
        Root of every random stream; the scenario's ``seed`` when None.

    Returns
    -------
    Records
        Flat task, account-event, renewal, staff and monthly records with per-segment
        summaries. Same scenario, replication and seed give identical records.
    """
    seed = scenario.seed if root_seed is None else int(root_seed)
    # the run allocates hundreds of thousands of small objects and frees almost none of
    # them before it ends (the records keep them), so cyclic collection mid-run is wasted
    # work; it is paused and the caller's setting restored
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Simulation(scenario, int(replication), seed).run()
    finally:
        if enabled:
            gc.enable()
