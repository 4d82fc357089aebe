"""Accounts through their lifecycle: creation, contract periods, stage changes, renewals.

An account draws its own attributes, event times and churn uniforms from its own random
stream when it is created (common random numbers). Each contract period plans its stage
changes, its renewal and its touches when it starts; a renewal
(:mod:`simulator.engine.renewals`) decides churn and expansion and, if the account stays,
starts the next period.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math

import numpy as np

from simulator.engine import streams
from simulator.engine.books import Books
from simulator.engine.codes import DELIVERED, Channel, Event, Status
from simulator.engine.plan import SegmentPlan
from simulator.engine.renewals import Renewals
from simulator.engine.runlog import AccountEvent, RunLog
from simulator.engine.schedule import Scheduler
from simulator.engine.state import Account, RiskHit, Task
from simulator.engine.touches import Touches
from simulator.scenario.lifecycle import STAGES, renewal_in_stage

__all__ = ["Lifecycle"]

_CSM_CHANNELS = (Channel.ONE_TO_ONE, Channel.ONE_TO_MANY)


class Lifecycle:
    """Creates accounts and handles their stage changes, touches, risks and renewals.

    Parameters
    ----------
    sched, touches, books
        The replication's planner, task maker and book owners.
    plans, log
        Every segment plan and the run log (accounts, events, renewals are appended).
    root_seed, replication
        Key of the accounts' random streams.
    start_date
        Day 0 of the plan (dates in the scenario are converted to days from it).
    """

    def __init__(
        self,
        sched: Scheduler,
        touches: Touches,
        books: Books,
        plans: list[SegmentPlan],
        log: RunLog,
        root_seed: int,
        replication: int,
        start_date: dt.date,
    ) -> None:
        self.sched = sched
        self.touches = touches
        self.books = books
        self.plans = plans
        self.log = log
        self.seed = root_seed
        self.rep = replication
        self.start_date = start_date
        self.renewals = Renewals(sched, books, plans, log, self.start_period)
        self.milestones = [
            frozenset(i for i, tp in enumerate(p.tps) if tp.purpose == "milestone") for p in plans
        ]
        """Per segment: indices of its onboarding milestone touchpoints."""
        self.onboarding_auto = [frozenset(i for i, _ in p.entry_auto["onboarding"]) for p in plans]
        """Per segment: its automated and skipped onboarding touchpoints."""

    # ------------------------------------------------------------------ creation

    def new_account(
        self,
        plan: SegmentPlan,
        index: int,
        ident: str,
        arr: float | None,
        created: float,
        starting: bool,
    ) -> Account:
        """Create an account and plan its risk events, inbound requests and ad hoc work."""
        rng = streams.stream(self.seed, self.rep, streams.ACCOUNT, plan.index, index)
        seg = plan.seg
        u_arr = rng.random()
        if arr is None:
            arr = seg.arr.ppf1(u_arr) if seg.arr is not None else 0.0
        acc = Account(plan.index, index, ident, arr, created, starting, rng)
        horizon = self.sched.horizon
        span = horizon - created
        n_renew = int(span / plan.term) + 3
        acc.churn_u, acc.expand_u = rng.random((2, n_renew))
        accounts = self.log.accounts
        accounts.append(acc)
        acc.index = len(accounts) - 1
        self.log.events.append(
            AccountEvent(created, plan.index, acc.index, Event.CREATED, arr, 0.0)
        )
        self.plan_events(plan, acc, created, horizon, created)
        return acc

    def plan_events(
        self, plan: SegmentPlan, acc: Account, lo: float, hi: float, since: float
    ) -> None:
        """Draw the account's risk events, inbound requests and background work in
        [``lo``, ``hi``) and plan those from day ``since`` on.

        One merged Poisson stream, each event's type drawn by its share of the total rate
        (superposition). Leaving out the events before ``since`` leaves a Poisson process
        after it.
        """
        rates = plan.event_rates
        total = plan.event_rate_total
        span = hi - lo
        if total > 0 and span > 0:
            rng = acc.rng
            n = int(rng.poisson(total * span))
            if n:
                u = rng.random((n, 3))
                times = lo + span * u[:, 0]
                kinds = np.searchsorted(plan.event_cum, u[:, 1] * total, side="right")
                n_risk = len(plan.risk_rates)
                push = self.sched.push
                support_share = plan.seg.inbound.support_share
                for t, kind, route in zip(
                    times.tolist(), kinds.tolist(), u[:, 2].tolist(), strict=True
                ):
                    if t < since:
                        continue
                    kind = min(kind, len(rates) - 1)
                    if kind < n_risk:
                        push(t, self.on_risk, (acc, kind))
                    elif kind == n_risk:
                        to_csm = route >= support_share and plan.inbound_tp >= 0
                        push(t, self.touches.on_inbound, (acc, route), to_csm)
                    else:
                        push(t, self.touches.on_background, acc)

    def cadence_phases(
        self, plan: SegmentPlan, acc: Account, origin: float, since: float | None = None
    ) -> None:
        """Each cadence's first time: a uniform phase within one interval of ``origin``,
        moved back by whole intervals to the first on or after ``since`` (a burn-in's
        history keeps the cadence's days in the plan)."""
        now = self.sched.now
        for i, interval, auto in plan.cadence_order:
            first = origin + acc.rng.random() * interval
            if since is not None and since < origin:
                first -= math.floor((first - since) / interval) * interval
            if auto:
                acc.phases[i] = first
            else:
                self.sched.push(
                    max(now, first - plan.ahead[i]),
                    self.on_cadence,
                    (acc, i, interval, first),
                    plan.sync[i],
                )

    def start_book(self, plan: SegmentPlan) -> None:
        """Create the segment's starting accounts, each at a drawn point of its contract.

        With a burn-in (the clock starts before day 0) each account also gets its
        history: its contract periods run back from the one running at day 0 to the start
        of the burn-in (an account whose period at day 0 is its first, an account list's
        onboarding or adoption stage, starts when that period starts), with risk events,
        inbound requests and background work drawn for the burn-in after everything
        else. Everything the account draws for the plan (ARR, renewal day, cadence days,
        the plan's events) is the same with or without a burn-in; its ARR stays the
        scenario's until day 0 and the records say it was created at day 0.
        """
        seg = plan.seg
        term = plan.term
        origin = self.sched.now  # the start of the burn-in (day 0 without one)
        weights = None
        if seg.renewal_month_weights is not None:
            w = np.asarray(seg.renewal_month_weights, dtype=float)
            weights = np.cumsum(w / w.sum())
        for i, (ident, arr, r, stage) in enumerate(_starting_accounts(plan, self.start_date)):
            acc = self.new_account(plan, i, ident, arr, 0.0, True)
            u = acc.rng.random()
            first = stage in ("onboarding", "adoption")
            if r is None and stage is not None:
                r = renewal_in_stage(plan.seg.lifecycle, term, first, stage, u)
            if r is None:
                r = _renewal_day(u, term, weights)
            start = r - term  # the period running at day 0
            if origin >= 0.0:
                self.cadence_phases(plan, acc, 0.0)
            else:
                since = origin
                if first:
                    since = max(start, origin)  # no history before the first contract
                elif start > origin:
                    # back through earlier periods to the one running at the burn-in's start
                    start -= math.ceil((start - origin) / term) * term
                self.cadence_phases(plan, acc, 0.0, since)
                self.plan_events(plan, acc, origin, 0.0, since)
            self.start_period(plan, acc, start, first)
            self.books.assign(plan, acc)

    def schedule_arrivals(self, plan: SegmentPlan) -> None:
        """Plan the segment's new accounts: Poisson arrivals and dated batches."""
        seg = plan.seg
        n0 = seg.starting_accounts
        horizon = self.sched.horizon
        k = 0
        if seg.new_accounts_per_month > 0:
            rng = streams.stream(self.seed, self.rep, streams.ARRIVALS, plan.index)
            rate = seg.new_accounts_per_month * 12.0 / 365.0
            n = rng.poisson(rate * horizon)
            for t in np.sort(rng.random(n)) * horizon:
                self.sched.push(float(t), self.on_arrival, (plan, n0 + k), False)
                k += 1
        for batch in seg.new_account_schedule:
            t = float((batch.date - self.start_date).days)
            for _ in range(batch.count):
                self.sched.push(t, self.on_arrival, (plan, n0 + k), False)
                k += 1

    def on_arrival(self, payload: tuple[SegmentPlan, int]) -> None:
        """A new account from sales: its first period starts in onboarding now."""
        plan, index = payload
        now = self.sched.now
        acc = self.new_account(plan, index, f"{plan.name}-{index + 1}", None, now, False)
        self.cadence_phases(plan, acc, now)
        self.start_period(plan, acc, now, True)
        self.books.assign(plan, acc)

    # ------------------------------------------------------------------ contract periods

    def start_period(self, plan: SegmentPlan, acc: Account, start: float, first: bool) -> None:
        """Plan a contract period's stage changes, renewal and before-renewal touches."""
        sched = self.sched
        now = sched.now
        t = start
        intervals = []
        if plan.periods[first] and plan.periods[first][0][0] == "onboarding":
            acc.onboarding_tasks = []  # this period's onboarding touches, in plan order
        for stage, d in plan.periods[first]:
            intervals.append((stage, t, t + d))
            if t >= now:
                sched.push(t, self.on_stage, (acc, stage, t, t + d), False)
            elif t + d > now or (d == 0 and t >= now):
                # the stage the account is in at the start of the plan
                acc.stage = stage
                if stage == "onboarding":
                    sched.push(t + d, self.on_onboarding_end, acc, False)
            # every stage's entry touches still to come (an earlier stage's late ones too),
            # each released up to its book-ahead days early
            self.plan_entry_touches(plan, acc, stage, t, now)
            t += d
        renewal = start + plan.term
        acc.period = intervals
        acc.renewal_at = renewal
        sched.push(renewal, self.renewals.on_renewal, acc, False)
        for i, days in plan.before_renewal:
            if renewal - days >= now:
                sched.push(
                    max(now, renewal - days - plan.ahead[i]),
                    self.on_touch,
                    (acc, i, False, renewal - days),
                    plan.sync[i],
                )
        self.automated_touches(plan, acc, intervals, start, renewal)

    def automated_touches(
        self,
        plan: SegmentPlan,
        acc: Account,
        intervals: list[tuple[str, float, float]],
        start: float,
        renewal: float,
    ) -> None:
        """Create a contract period's automated touches (the planner would create the same)."""
        now, horizon = self.sched.now, self.sched.horizon
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
        onboarding: frozenset[int] | tuple[()] = ()
        if intervals and intervals[0][0] == "onboarding":
            # an automated or skipped onboarding touch is still an onboarding touch (each
            # touchpoint has one trigger: these are the onboarding stage-entry ones)
            onboarding = self.onboarding_auto[acc.segment]
        touches = self.touches
        for t, i in sorted(times):
            if t >= renewal:
                # beyond this contract period: only if the account renews
                self.sched.push(t, self.on_touch, (acc, i, False, t), False)
            elif now <= t < horizon:
                if i in onboarding:
                    _in_plan_order(acc.onboarding_tasks, touches.automated_task(plan, acc, i, t))
                else:
                    touches.automated(plan, acc, i, t)

    def plan_entry_touches(
        self, plan: SegmentPlan, acc: Account, stage: str, entered: float, now: float
    ) -> None:
        """Plan the stage-entry touches of ``stage`` (entered at ``entered``) still to come.

        Each is released ``book_ahead_days`` before its planned day, but not before now.
        """
        onboarding = stage == "onboarding"
        push = self.sched.push
        release = now
        for off, i, ahead, sync in plan.entry_order[stage]:
            t = entered + off
            if t < now:
                continue
            # in planned order; an onboarding touch is never released before the one
            # planned ahead of it, so it can wait for it (Touches.touch's ``after``)
            r = t - ahead if t - ahead > now else now
            if not onboarding or r > release:
                release = r
            push(release, self.on_touch, (acc, i, onboarding, t), sync)

    # ------------------------------------------------------------------ handlers

    def on_stage(self, payload: tuple[Account, str, float, float]) -> None:
        """The account enters ``stage`` (its entry touches were planned with the period)."""
        acc, stage, entered, ends = payload
        if not acc.active:
            return
        acc.stage = stage
        self.log.events.append(
            AccountEvent(
                entered, acc.segment, acc.index, Event.STAGE, float(STAGES.index(stage)), 0.0
            )
        )
        if stage == "onboarding":
            # acc.onboarding_tasks was started by start_period, with the automated ones
            self.sched.push(ends, self.on_onboarding_end, acc, False)

    def on_touch(self, payload: tuple[Account, int, bool, float]) -> None:
        """A planned touch is released (``onboarding``: it counts toward onboarding)."""
        acc, i, onboarding, planned = payload
        if not acc.active or planned >= self.sched.horizon:
            return  # booked ahead of a day past the plan: not part of it
        if not onboarding:
            self.touches.touch(self.plans[acc.segment], acc, i, planned)
            return
        # onboarding keeps its order: a touch waits until the CSM touch planned before it
        # started (acc.onboarding_tasks is in plan order, automated and skipped ones too)
        key = (planned, i)
        before = next(
            (
                t
                for t in reversed(acc.onboarding_tasks)
                if t.channel in _CSM_CHANNELS and _plan_order(t) <= key
            ),
            None,
        )
        task = self.touches.touch(self.plans[acc.segment], acc, i, planned, after=before)
        _in_plan_order(acc.onboarding_tasks, task)

    def on_cadence(self, payload: tuple[Account, int, float, float]) -> None:
        """A cadence touch is released (if its planned day is in an allowed stage); plan
        the next one.

        A touch planned just after the renewal may be released before it, in the stage
        the renewed period will have then; if the account churns, it is cancelled (even
        when a CSM started it early: the hours are spent, the touch is not counted).
        """
        acc, i, interval, planned = payload
        if not acc.active or planned >= self.sched.horizon:
            return
        plan = self.plans[acc.segment]
        now = self.sched.now
        allowed = plan.cadence_allowed[i]
        if len(allowed) == len(STAGES) or _stage_at(acc, planned, plan) in allowed:
            self.touches.touch(plan, acc, i, planned)
        nxt = planned + interval
        self.sched.push(
            max(now, nxt - plan.ahead[i]), self.on_cadence, (acc, i, interval, nxt), plan.sync[i]
        )

    def on_onboarding_end(self, acc: Account) -> None:
        """Onboarding ends: late when an onboarding touch planned before now was not
        delivered (missed, skipped or not started), or a milestone was automated or
        started after its on-time day.

        The late-onboarding event names the first such touch (``value``: touchpoint index,
        ``value2``: its status code).
        """
        if not acc.active:
            return
        now = self.sched.now
        milestones = self.milestones[acc.segment]
        for t in acc.onboarding_tasks:
            st = t.status
            if st == Status.CANCELLED or t.planned >= now:
                continue
            if st not in DELIVERED or (t.tp in milestones and st != Status.ON_TIME):
                acc.late_onboarding_at = now
                self.log.events.append(
                    AccountEvent(
                        now, acc.segment, acc.index, Event.LATE_ONBOARDING, float(t.tp), float(st)
                    )
                )
                break
        acc.onboarding_tasks = []

    def on_risk(self, payload: tuple[Account, int]) -> None:
        """Risk event ``e`` hits the account: plan its escalation touches."""
        acc, e = payload
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        now = self.sched.now
        hit = RiskHit(e, now)
        acc.risks.append(hit)
        self.log.events.append(AccountEvent(now, acc.segment, acc.index, Event.RISK, float(e), 0.0))
        for i in plan.risk_tps[e]:
            task = self.touches.touch(plan, acc, i)
            task.risk = hit
            hit.tasks.append(task)


def _stage_at(acc: Account, t: float, plan: SegmentPlan) -> str:
    """The stage ``acc`` is in at day ``t``: of its current contract period, or, after its
    renewal, of the renewed period (if it renews)."""
    for stage, t0, t1 in acc.period:
        if t0 <= t < t1:
            return stage
    if t >= acc.renewal_at:
        t0 = acc.renewal_at + plan.term * math.floor((t - acc.renewal_at) / plan.term)
        for stage, d in plan.periods[False]:
            if t < t0 + d:
                return stage
            t0 += d
    return acc.stage


def _in_plan_order(tasks: list[Task], task: Task) -> None:
    """Insert ``task`` into ``tasks`` kept by planned day, then touchpoint order."""
    if not tasks or (tasks[-1].planned, tasks[-1].tp) <= (task.planned, task.tp):
        tasks.append(task)  # the common case: touches come in plan order
    else:
        bisect.insort(tasks, task, key=_plan_order)


def _plan_order(task: Task) -> tuple[float, int]:
    return (task.planned, task.tp)


def _starting_accounts(
    plan: SegmentPlan, start_date: dt.date
) -> list[tuple[str, float | None, float | None, str | None]]:
    """The starting book as (id, ARR, first renewal day, stage); None: drawn.

    A count of accounts draws everything; an account list gives what it knows (a renewal
    date is moved forward by whole terms to the first one after day 0).
    """
    accounts = plan.seg.accounts
    if isinstance(accounts, int):
        return [(f"{plan.name}-{i + 1}", None, None, None) for i in range(accounts)]
    if not isinstance(accounts, list):
        raise TypeError("accounts from a file are read by the loader before a simulation")
    specs: list[tuple[str, float | None, float | None, str | None]] = []
    for a in accounts:
        r = None
        if a.renewal_date is not None:
            r = float((a.renewal_date - start_date).days)
            while r <= 0:
                r += plan.term
        specs.append((a.id, a.arr, r, a.stage))
    return specs


def _renewal_day(u: float, term: float, weights: np.ndarray | None) -> float:
    """A starting account's first renewal day from uniform ``u`` (in (0, term]).

    Uniform over the term, or by month of the term with ``weights`` (cumulative shares).
    """
    if weights is None:
        return (1.0 - u) * term
    m = int(np.searchsorted(weights, u, side="right"))
    m = min(m, len(weights) - 1)
    lo = weights[m - 1] if m > 0 else 0.0
    frac = (u - lo) / (weights[m] - lo) if weights[m] > lo else 0.5
    return float((m + 1 - frac) * term / len(weights))
