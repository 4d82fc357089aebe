"""CSM work: task queues and the process of each CSM that takes the next task and does it.

A task waits in its owner's queue (a dedicated book) or in its team's pooled queue, ordered
by priority, then planned day, then creation. Each CSM is one SimPy process that takes
the most urgent task of its own queue and the pool, holds it for ``hours / speed`` days,
and sleeps on an idle event when there is nothing to do. A task not started by its due
day is missed; that is settled lazily when a queue is read, so it costs no event.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Generator
from typing import Any

import simpy

from simulator.engine.codes import Status
from simulator.engine.state import CSM, Task, TeamState, push

__all__ = ["Dispatcher", "gone"]

# the hot path compares statuses often: module-level names avoid an enum class lookup
OPEN, ON_TIME, LATE, MISSED, CANCELLED = (
    Status.OPEN,
    Status.ON_TIME,
    Status.LATE,
    Status.MISSED,
    Status.CANCELLED,
)


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
        Customer hours a CSM delivers per calendar day at full productivity (hours/day).
    """

    def __init__(self, env: simpy.Environment, teams: list[TeamState], rate: float) -> None:
        self.env = env
        self.teams = teams
        self.rate = rate
        self._sleeps = itertools.count()

    def enqueue(self, task: Task) -> None:
        """Queue ``task`` on its account's owner, else on its team's pool."""
        acc = task.account
        owner = acc.owner if acc is not None else None
        if owner is not None and owner.active:
            heapq.heappush(owner.queue, ((task.priority, task.planned, task.id), task))
            if owner.idle is not None:
                self.wake(owner)
            return
        if task.team < 0:
            return  # no team: the task can never start and will be missed
        team = self.teams[task.team]
        push(team.pool, task)
        idle = self.first_idle(team)
        if idle is not None:
            self.wake(idle)

    def first_idle(self, team: TeamState) -> CSM | None:
        """The idle CSM of ``team`` in the lowest seat (the longest on the team), if any."""
        heap = team.idle
        while heap:
            csm = heap[0][2]
            if csm.idle is not None:
                return csm
            heapq.heappop(heap)  # woken since it went idle
        return None

    def sleep(self, csm: CSM) -> simpy.Event:
        """``csm`` has nothing to do: the event that wakes it, and it joins the idle heap."""
        csm.idle = ev = self.env.event()
        heapq.heappush(self.teams[csm.team].idle, (csm.seat, next(self._sleeps), csm))
        return ev

    def wake(self, csm: CSM) -> None:
        """Wake an idle CSM."""
        ev = csm.idle
        csm.idle = None
        ev.succeed()

    def next_task(self, csm: CSM, now: float) -> Task | None:
        """The most urgent task ``csm`` can start at day ``now``, settling expired tasks."""
        pool = self.teams[csm.team].pool
        own = csm.queue
        for q in (own, pool):
            while q:
                task = q[0][1]
                if task.status != OPEN:
                    heapq.heappop(q)
                elif task.account is not None and not task.account.active:
                    heapq.heappop(q)
                    task.status = gone(task)
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
                            gone(a) if a.account is not None and not a.account.active else MISSED
                        )
                else:
                    break
        if own and (not pool or own[0][0] < pool[0][0]):
            return heapq.heappop(own)[1]
        if pool:
            return heapq.heappop(pool)[1]
        return None

    def begin(self, task: Task, csm: CSM, now: float) -> None:
        """``csm`` starts ``task`` at day ``now``: on time or late, and a session's attendees."""
        task.start = now
        task.csm = csm.id
        task.status = ON_TIME if now <= task.ontime else LATE
        if task.risk is not None:
            task.risk.handled = True
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
                    if a.risk is not None:
                        a.risk.handled = True

    def work(self, csm: CSM) -> Generator[simpy.Event, Any, None]:
        """The CSM's process: take the next task, do it, repeat while on the team."""
        env = self.env
        team = self.teams[csm.team]
        while csm.active:
            now = env.now
            speed = self.rate if now >= csm.ramped else self.rate * csm.productivity(now)
            if speed <= 0:
                # a new hire at zero productivity does no work until the ramp lets them
                yield env.timeout(csm.next_productive(now) - now)
                continue
            task = self.next_task(csm, now)
            if task is None:
                yield self.sleep(csm)
                continue
            if team.pool:
                # the pool may still hold work this CSM was woken for: pass the wake-up on
                other = self.first_idle(team)
                if other is not None:
                    self.wake(other)
            self.begin(task, csm, now)
            csm.busy = True
            yield env.timeout(task.hours / speed)
            csm.busy = False
            task.end = env.now
            csm.busy_days += task.end - now
        csm.left = min(csm.left, env.now)  # presence ends when the CSM left the team
