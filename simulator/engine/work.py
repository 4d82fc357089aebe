"""CSM work: task queues and the process of each CSM that takes the next task and does it.

A task waits in its owner's queue (a dedicated book) or in its team's pooled queue
(:mod:`simulator.engine.queues`). Each CSM is one SimPy process that repeatedly takes the
most urgent task it can start and works on it:

1. due work first: the most urgent due task of its own queue and the pool, by priority,
   then planned day, then creation;
2. between blocks, a task it has started (``held``) is resumed unless a due task of
   strictly higher priority (a lower number) is waiting;
3. when nothing is due: a teammate's task that waited past the team's
   ``overflow_after_days`` (peer cover, off by default);
4. then a task booked ahead of its planned day (up to ``book_ahead_days`` early), the
   earliest planned first;
5. else it sleeps until work arrives.

A task longer than ``max_block_hours`` is done in blocks of at most that many hours; it
is on time, late or missed by the start of its first block and delivered when its last
block ends. A task not started by its due day is missed; that is settled lazily when a
queue is read, so it costs no event.

A CSM with a working-day calendar (:mod:`simulator.engine.calendar`) works on working
days only: a block runs through working time (a block begun on a Friday afternoon may end
on Monday) and off days hold no work.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Generator
from typing import Any

import simpy

from simulator.engine.codes import Status
from simulator.engine.queues import due_item
from simulator.engine.state import CSM, Task, TeamState

__all__ = ["Dispatcher", "gone"]

# the hot path compares statuses often: module-level names avoid an enum class lookup
OPEN, ON_TIME, LATE, MISSED, CANCELLED = (
    Status.OPEN,
    Status.ON_TIME,
    Status.LATE,
    Status.MISSED,
    Status.CANCELLED,
)
_push, _pop = heapq.heappush, heapq.heappop


def gone(task: Task) -> Status:
    """Status of an unstarted task whose account churned: missed if it was already due."""
    acc = task.account
    return MISSED if acc is not None and task.due < acc.churned_at else CANCELLED


class Dispatcher:
    """Routes tasks to queues, wakes idle CSMs and runs each CSM's work loop.

    Parameters
    ----------
    env
        The replication's SimPy environment.
    teams
        Every team, by index.
    rate
        Customer hours a CSM delivers per working day at full productivity (hours/day;
        every calendar day is a working day for a CSM without a calendar).
    max_block_hours
        Longest stretch of one task before the CSM looks for more urgent work (hours;
        None: a task is done in one go).
    blocks
        The run log's work blocks: (CSM id, start day, end day) is appended per block.
    """

    def __init__(
        self,
        env: simpy.Environment,
        teams: list[TeamState],
        rate: float,
        max_block_hours: float | None = None,
        blocks: list[tuple[int, float, float]] | None = None,
    ) -> None:
        self.env = env
        self.teams = teams
        self.rate = rate
        self.block = math.inf if max_block_hours is None else float(max_block_hours)
        self.blocks: list[tuple[int, float, float]] = [] if blocks is None else blocks
        self.covered: dict[int, int] = {}
        """Per segment index: tasks started by a CSM other than the account's owner."""
        self.after: dict[int, list[Task]] = {}
        """Tasks held back until a task starts (by that task's id): the onboarding order."""
        self.later: Any = None
        """Plans a call at a later day, ``later(day, handler, payload)`` (the planner's push)."""
        self._sleeps = itertools.count()

    # ------------------------------------------------------------------ queueing

    def enqueue(self, task: Task) -> None:
        """Queue ``task`` on its account's owner, else on its team's pool."""
        acc = task.account
        owner = acc.owner if acc is not None else None
        now = self.env.now
        if owner is not None and owner.active:
            owner.queue.push(task, now)
            if owner.idle is not None:
                self.wake(owner)
            team = self.teams[owner.team]
            if team.overflow_days is not None and self.later is not None:
                self.later(max(now, task.planned) + team.overflow_days, self.overflow, task)
            return
        if task.team < 0:
            return  # no team: the task can never start and will be missed
        team = self.teams[task.team]
        team.pool.push(task, now)
        idle = self.first_idle(team)
        if idle is not None:
            self.wake(idle)

    def enqueue_after(self, task: Task, first: Task | None) -> None:
        """Queue ``task`` once ``first`` has started (now, if it has or never will).

        ``first`` is missed once its due day passes, so ``task`` waits no longer than that
        (a queued task past its due day is settled only when it reaches a queue's head).
        """
        if first is None or first.status != OPEN or first.start == first.start:
            self.enqueue(task)
            return
        self.after.setdefault(first.id, []).append(task)
        if self.later is not None:
            self.later(max(first.due, self.env.now), self._overdue, (first, task))

    def _overdue(self, payload: tuple[Task, Task]) -> None:
        """``first``'s due day passed without a start: queue the task that waited for it."""
        first, task = payload
        waiting = self.after.get(first.id)
        if waiting and task in waiting:
            waiting.remove(task)
            if not waiting:
                del self.after[first.id]
            if task.status == OPEN:
                self.enqueue(task)

    def release(self, task: Task) -> None:
        """``task`` started or was settled: queue the tasks that waited for it."""
        for nxt in self.after.pop(task.id, ()):
            if nxt.status == OPEN:
                self.enqueue(nxt)

    def overflow(self, task: Task) -> None:
        """``task`` waited past its team's overflow threshold: an idle teammate may take it."""
        if task.status != OPEN or task.start == task.start:
            return
        acc = task.account
        owner = acc.owner if acc is not None else None
        if owner is None:
            return
        team = self.teams[owner.team]
        _push(team.overflow, due_item(task))
        for csm in team.csms:
            if csm.active and csm.idle is not None and csm is not owner:
                self.wake(csm)
                return

    def stale(self, task: Task, now: float) -> bool:
        """Whether a queued ``task`` can no longer start at ``now`` (its status settled)."""
        if task.status != OPEN:
            return True
        acc = task.account
        if acc is not None and not acc.active:
            task.status = gone(task)
        elif task.due < now:
            task.status = MISSED
        elif task.attendees is not None and not any(
            (a.account is None or a.account.active) and a.due >= now for a in task.attendees
        ):
            # a session nobody can still attend is not held
            task.status = CANCELLED
        else:
            return False
        if task.attendees is not None:
            # a session that will not be held: its attendees' touches are not delivered
            for a in task.attendees:
                if a.status == OPEN:
                    a.status = gone(a) if a.account is not None and not a.account.active else MISSED
                if self.after:
                    self.release(a)
        if self.after:
            self.release(task)
        return True

    # ------------------------------------------------------------------ idle CSMs

    def first_idle(self, team: TeamState) -> CSM | None:
        """The idle CSM of ``team`` in the lowest seat (the longest on the team), if any."""
        heap = team.idle
        while heap:
            csm = heap[0][2]
            if csm.idle is not None:
                return csm
            _pop(heap)  # woken since it went idle
        return None

    def sleep(self, csm: CSM) -> simpy.Event:
        """``csm`` has nothing to do: the event that wakes it, and it joins the idle heap."""
        csm.idle = ev = self.env.event()
        _push(self.teams[csm.team].idle, (csm.seat, next(self._sleeps), csm))
        return ev

    def wake(self, csm: CSM) -> None:
        """Wake an idle CSM."""
        ev = csm.idle
        csm.idle = None
        ev.succeed()

    # ------------------------------------------------------------------ choosing work

    def next_task(self, csm: CSM, now: float) -> Task | None:
        """The task ``csm`` works on next at day ``now`` (see the module docstring)."""
        team = self.teams[csm.team]
        stale = self.stale
        own, pool = csm.queue, team.pool
        a = own.head(now, stale) if own.due or own.ahead else None
        b = pool.head(now, stale) if pool.due or pool.ahead else None
        if b is not None and (a is None or b[0] < a[0]):
            a, q = b, pool
        else:
            q = own
        held = csm.held
        while held and held[0][1].status == CANCELLED:
            _pop(held)[1].end = now  # its account churned: the rest of it is not done
        if held and (a is None or a[1].priority >= held[0][1].priority):
            return _pop(held)[1]
        if a is not None:
            _pop(q.due)
            return a[1]
        if team.overflow:
            heap = team.overflow
            while heap:
                task = _pop(heap)[1]
                if not stale(task, now) and task.start != task.start:
                    return task
        a = own.head_ahead(now, stale) if own.ahead else None
        b = pool.head_ahead(now, stale) if pool.ahead else None
        if b is not None and (a is None or b[0] < a[0]):
            return _pop(pool.ahead)[1]
        if a is not None:
            return _pop(own.ahead)[1]
        return None

    def begin(self, task: Task, csm: CSM, now: float) -> None:
        """``csm`` starts ``task`` at day ``now``: on time or late, and a session's attendees."""
        task.start = now
        task.csm = csm.id
        task.status = ON_TIME if now <= task.ontime else LATE
        task.remaining = task.hours
        acc = task.account
        if acc is not None and acc.owner is not None and acc.owner is not csm:
            # a teammate took a task of another CSM's book (peer cover, or a hand-over)
            self.covered[task.segment] = self.covered.get(task.segment, 0) + 1
        if task.attendees is not None:
            for a in task.attendees:
                if a.account is not None and not a.account.active:
                    a.status = gone(a)
                elif now > a.due:
                    a.status = MISSED
                else:
                    a.start = a.end = now
                    a.csm = csm.id
                    a.status = ON_TIME if now <= a.ontime else LATE
                if self.after:
                    self.release(a)
        if self.after:
            self.release(task)

    # ------------------------------------------------------------------ the CSM process

    def work(self, csm: CSM) -> Generator[simpy.Event, Any, None]:
        """The CSM's process: take the next task, do a block of it, repeat while on the team."""
        env = self.env
        team = self.teams[csm.team]
        if team.orphans:
            # started work nobody was left to finish: a joining CSM takes it over first
            for item in team.orphans:
                item[1].csm = csm.id
                _push(csm.held, item)
            team.orphans.clear()
        pool = team.pool
        block = self.block
        log = self.blocks.append
        cal = csm.cal
        while csm.active:
            now = env.now
            if cal is not None:
                opens = cal.next_open(now)
                if opens > now:  # a weekend, holiday or PTO: back when work resumes
                    csm.waiting = True
                    try:
                        yield env.timeout(opens - now)
                    except simpy.Interrupt:
                        break  # left the team while away
                    finally:
                        csm.waiting = False
                    continue
            speed = self.rate if now >= csm.ramped else self.rate * csm.productivity(now)
            if speed <= 0:
                # a new hire at zero productivity does no work until the ramp lets them
                csm.waiting = True
                try:
                    yield env.timeout(csm.next_productive(now) - now)
                except simpy.Interrupt:
                    break
                finally:
                    csm.waiting = False
                continue
            task = self.next_task(csm, now)
            if task is None:
                yield self.sleep(csm)
                continue
            if pool.due or pool.ahead:
                # the pool may still hold work this CSM was woken for: pass the wake-up on
                other = self.first_idle(team)
                if other is not None:
                    self.wake(other)
            if task.start != task.start:  # NaN: not started yet
                self.begin(task, csm, now)
            hours = task.remaining
            csm.busy_since = now
            days = (block if hours > block else hours) / speed  # working days
            try:
                yield env.timeout((cal.finish(now, days) if cal is not None else now + days) - now)
            except simpy.Interrupt:
                # the CSM left the team mid-block: what is done is done, the rest is held
                end = env.now
                done = cal.working_between(now, end) if cal is not None else end - now
                task.remaining = max(0.0, hours - done * speed)
                if task.remaining > 0:
                    _push(csm.held, due_item(task))
                else:
                    task.end = end
                csm.busy_since = math.nan
                csm.busy_days += done
                log((csm.id, now, end))
                break
            if hours > block:
                task.remaining = hours - block
                if task.status != CANCELLED:
                    _push(csm.held, due_item(task))
                else:
                    task.end = env.now  # its account churned: the rest of it is not done
            else:
                task.remaining = 0.0
                task.end = env.now
            csm.busy_since = math.nan
            csm.busy_days += days
            log((csm.id, now, env.now))
        csm.left = min(csm.left, env.now)  # presence ends when the CSM left the team
        self.hand_over(csm)

    def leave(self, csm: CSM) -> None:
        """``csm`` leaves the team now: a block in progress (or a wait for a working day)
        stops, and their started tasks are handed over at once. An idle CSM is woken."""
        busy = csm.busy_since == csm.busy_since  # in a block (not NaN)
        if (busy or csm.waiting) and csm.process is not None:
            csm.process.interrupt()

    def hand_over(self, csm: CSM) -> None:
        """A departed CSM's started tasks go to the account's owner or a teammate."""
        held, csm.held = csm.held, []
        team = self.teams[csm.team]
        for _, task in held:
            acc = task.account
            target = acc.owner if acc is not None else None
            if target is None or not target.active:
                target = next((c for c in team.csms if c.active), None)
            if target is None:
                # nobody left to finish it: the next CSM to join takes it over
                team.orphans.append(due_item(task))
                continue
            task.csm = target.id
            _push(target.held, due_item(task))
            if target.idle is not None:
                self.wake(target)
