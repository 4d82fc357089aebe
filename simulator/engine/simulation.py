"""One replication of a scenario as a SimPy discrete-event simulation.

Design, for speed and for common random numbers:

- One *planner* process walks a heap of planned items (stage changes, touches,
  renewals, risk events, inbound requests, background work, arrivals, session slots,
  staff changes, month ends): one SimPy timeout per distinct time, no process per account
  (:mod:`simulator.engine.schedule`).
- One process per CSM pulls the next task from its own queue (a dedicated book) and its
  team's pooled queue, highest priority first, then earliest planned. A task not started
  by its due date is missed; expiry is settled lazily when a queue is read, so it costs no
  event (:mod:`simulator.engine.work`).
- Every account draws its attributes, event times and churn uniforms from its own random
  stream when it is created (see :mod:`simulator.engine.streams`).
- Capacity: in the ``working_days`` calendar model a CSM delivers
  ``customer_hours_per_year / working_days_per_year`` hours per working day at full
  productivity and nothing on weekends and days off (:mod:`simulator.engine.calendar`);
  in the ``continuous`` model ``customer_hours_per_year / 365`` hours every calendar day.
  A task of E hours takes ``E / (that rate x ramp productivity)`` working days.

This module wires the parts together and owns the staff (joining, leaving, cuts) and the
month-end snapshots; accounts live in :mod:`simulator.engine.accounts`, tasks in
:mod:`simulator.engine.touches`, books in :mod:`simulator.engine.books`, the churn rule
in :mod:`simulator.engine.churn`. Nothing here reads or writes files or prints.
"""

from __future__ import annotations

import gc
import math

import simpy

from simulator.engine import streams
from simulator.engine.accounts import Lifecycle
from simulator.engine.books import Books
from simulator.engine.burnout import Burnout
from simulator.engine.calendar import WorkCalendar
from simulator.engine.codes import Status
from simulator.engine.freeze import build_records
from simulator.engine.plan import SegmentPlan
from simulator.engine.records import Records
from simulator.engine.runlog import MonthlyRow, RunLog
from simulator.engine.schedule import Scheduler
from simulator.engine.state import CSM, MONTH_DAYS, TeamState
from simulator.engine.touches import Touches
from simulator.engine.work import Dispatcher
from simulator.scenario.model import Scenario

__all__ = ["simulate"]


class _Simulation:
    """One replication: its parts, its staff and its month-end snapshots."""

    def __init__(self, scenario: Scenario, replication: int, root_seed: int) -> None:
        self.s = scenario
        self.rep = replication
        self.seed = root_seed
        self.horizon = float(scenario.horizon_days)
        # the burn-in: the clock starts at -burn_in so the plan's day 0 has a history;
        # every day of the plan (and every date) is the same with or without it
        self.burn_in = scenario.resolved_burn_in_days
        self.t0 = -self.burn_in if self.burn_in > 0 else 0.0
        self.env = simpy.Environment(initial_time=self.t0)
        self.sched = Scheduler(self.env, self.horizon)
        self.sched.now = self.t0
        cal = scenario.calendar
        working = cal.model == "working_days"
        rate = cal.customer_hours_per_year / (cal.working_days_per_year if working else 365.0)
        self.working_days = working
        all_teams = scenario.all_teams()
        team_names = [t for t in all_teams if scenario.segments_of(t)]
        self.teams = [TeamState(i, n, all_teams[n]) for i, n in enumerate(team_names)]
        by_name = {t.name: t for t in self.teams}
        self.plans: list[SegmentPlan] = []
        for i, name in enumerate(scenario.segments):
            tname = scenario.team_name(name)
            self.plans.append(
                SegmentPlan(
                    i,
                    name,
                    scenario.segments[name],
                    by_name.get(tname) if tname else None,
                    self.horizon,
                    scenario.start_date,
                )
            )
        self.log = RunLog(
            scenario=scenario.name,
            replication=replication,
            root_seed=root_seed,
            horizon=self.horizon,
            hours_per_day=rate,
            segments=list(scenario.segments),
            teams=team_names,
            segment_team=[p.team_index for p in self.plans],
            touchpoints=[p.names for p in self.plans],
            touch_params=[p.params for p in self.plans],
            risk_events=[p.risk_names for p in self.plans],
            team_cost=[t.cost for t in self.teams],
            team_ramp=[t.ramp for t in self.teams],
            touch_costs=[
                [tp.cost_per_touch if tp.channel == "automated" else 0.0 for tp in p.tps]
                for p in self.plans
            ],
        )
        self.work = Dispatcher(
            self.env, self.teams, rate, scenario.calendar.block_hours, self.log.blocks
        )
        self.work.later = self.sched.push
        self.burnout = {
            t.index: Burnout(self.sched, t, self.t0, self._on_leave)
            for t in self.teams
            if t.spec.burnout is not None and t.spec.annual_attrition > 0
        }
        session_rngs = {
            (p.index, i): streams.stream(root_seed, replication, streams.SESSIONS, p.index, i)
            for p in self.plans
            for i in p.one_to_many
        }
        self.touches = Touches(
            self.sched,
            self.work,
            self.log.tasks,
            self.log.auto,
            self.log.support,
            self.plans,
            session_rngs,
            float(scenario.start_date.weekday()) if working else None,
        )
        self.books = Books(
            self.sched, self.work, self.plans, self.log.accounts, self.log.events, self._backfill
        )
        self.life = Lifecycle(
            self.sched,
            self.touches,
            self.books,
            self.plans,
            self.log,
            root_seed,
            replication,
            scenario.start_date,
        )

    def run(self) -> Records:
        """Run the replication to the horizon and freeze what it logged."""
        s, sched = self.s, self.sched
        for team in self.teams:
            for _ in range(team.spec.csms):
                self._add_csm(team, -1e9)
            for step in team.spec.hiring_plan:
                offset = float((step.date - s.start_date).days)
                if step.change > 0:
                    for _ in range(step.change):
                        sched.push(offset, self._on_join, team)
                elif step.change < 0:
                    sched.push(offset, self._on_cut, (team, -step.change))
        for plan in self.plans:
            self.life.start_book(plan)
            self.life.schedule_arrivals(plan)
            for i in plan.one_to_many:
                # session slots every session_every_days from day 0, from the burn-in on
                every = plan.tps[i].session_every_days
                first = every * (math.floor(self.t0 / every) + 1)
                sched.push(first, self.touches.on_slot, (plan, i))
        if self.t0 < 0:
            # the plan counts the tasks teammates take from day 0 on, not in the burn-in
            sched.push(0.0, self._plan_starts, None, False)
        k = 1
        while k * MONTH_DAYS < self.horizon:
            sched.push(k * MONTH_DAYS, self._snapshot, k, False)
            k += 1
        self.env.process(sched.run())
        self.env.run(until=self.horizon)
        for csm in self.log.csms:
            if csm.busy_since == csm.busy_since:  # a block still being worked at the end
                self.log.blocks.append((csm.id, csm.busy_since, self.horizon))
        self._snapshot(k, self.horizon)
        self.log.simpy_events = sched.events_scheduled()
        self.log.peer_covered = [self.work.covered.get(p.index, 0) for p in self.plans]
        return build_records(self.log, self.burn_in)

    def release(self) -> None:
        """Free what was planned past the horizon and the run's own lists (see
        :meth:`RunLog.release`): a cyclic collection would otherwise walk them later.
        The log is empty afterwards (event-log tests read it before)."""
        self.sched.heap.clear()
        self.log.release()

    def _plan_starts(self, _: None) -> None:
        """Day 0 after a burn-in: counters of the plan start from zero."""
        self.work.covered.clear()

    # ------------------------------------------------------------------ staff

    def _add_csm(self, team: TeamState, joined: float) -> CSM:
        """A CSM joins ``team`` at day ``joined`` (-1e9: on the team from the start)."""
        seat = team.next_seat
        team.next_seat += 1
        csm = CSM(len(self.log.csms), team.index, seat, joined, team.ramp)
        if self.working_days:
            cal = self.s.calendar
            csm.cal = WorkCalendar.build(
                self.s.start_date,
                min(self.sched.now, 0.0),
                self.horizon,
                working_days_per_year=cal.working_days_per_year,
                rng=streams.stream(self.seed, self.rep, streams.CALENDAR, team.index, seat),
                pto_block_days=cal.pto_block_days,
                holidays=cal.holidays,
            )
        self.log.csms.append(csm)
        team.csms.append(csm)
        attr = team.spec.annual_attrition
        if attr > 0:
            rng = streams.stream(self.seed, self.rep, streams.STAFF, team.index, seat)
            stay = rng.exponential(365.0 / attr)
            burnout = self.burnout.get(team.index)
            if burnout is None:
                self.sched.push(max(joined, 0.0) + stay, self._on_leave, csm)
            else:
                burnout.join(csm, stay * attr / 365.0)  # the same draw as a hazard budget
        csm.process = self.env.process(self.work.work(csm))
        return csm

    def _on_join(self, team: TeamState) -> None:
        """A hire (planned or a backfill) joins now and takes a share of the books."""
        csm = self._add_csm(team, self.sched.now)
        self.books.rebalance(team, csm)

    def _backfill(self, team: TeamState) -> None:
        """Plan the backfill of a CSM who left by attrition, after the hiring lead time."""
        self.sched.push(self.sched.now + team.spec.hiring_lead_days, self._on_join, team)

    def _on_leave(self, csm: CSM) -> None:
        """A CSM leaves by attrition (unless already gone by a planned cut)."""
        if not csm.active:
            return
        csm.active = False
        self.books.release(csm, "attrition")

    def _on_cut(self, payload: tuple[TeamState, int]) -> None:
        team, n = payload
        self.books.cut(team, n)

    # ------------------------------------------------------------------ month ends

    def _snapshot(self, k: int, t: float | None = None) -> None:
        """Month ``k``'s end (at day ``t``, default now): backlogs, headcount, books."""
        t = self.sched.now if t is None else t
        monthly = self.log.monthly
        for team in self.teams:
            n = 0
            hours = 0.0
            queues = [team.pool] + [c.queue for c in team.csms if c.active]
            for q in queues:
                for task in q.tasks():
                    if (
                        task.status == Status.OPEN
                        and task.planned <= t
                        and task.due >= t
                        and (task.account is None or task.account.active)
                    ):
                        n += 1
                        hours += task.hours
            active = sum(1 for c in team.csms if c.active)
            monthly.append(MonthlyRow("team", team.index, k, t, n, hours, active))
        for plan in self.plans:
            n = 0
            arr = 0.0
            for acc in self.log.accounts:
                if acc.segment == plan.index and acc.active:
                    n += 1
                    arr += acc.arr
            monthly.append(MonthlyRow("segment", plan.index, k, t, n, arr, 0))


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
        run = _Simulation(scenario, int(replication), seed)
        records = run.run()
        run.release()
        return records
    finally:
        if enabled:
            gc.enable()
