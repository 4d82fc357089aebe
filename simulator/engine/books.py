"""Book ownership: which CSM owns which account in a dedicated book, and moving accounts.

A new account goes to the active CSM with the least ARR. A departing CSM's accounts go,
largest first, to whoever then has the least; a new CSM takes the team's orphaned
accounts, then accounts from the richest book until the books are as even as single
accounts allow. Every move is a reassignment (an account event, and a churn driver at
the next renewal); an account's queued tasks follow it to the new owner.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.engine.codes import Event, Status
from simulator.engine.plan import SegmentPlan
from simulator.engine.runlog import AccountEvent
from simulator.engine.schedule import Scheduler
from simulator.engine.state import CSM, Account, TeamState
from simulator.engine.work import Dispatcher

__all__ = ["Books"]


class Books:
    """Owners of accounts in dedicated books.

    Parameters
    ----------
    sched, work
        The replication's planner (for the clock) and task dispatcher.
    plans, accounts, events
        Every segment plan, the replication's accounts and its account-event log.
    backfill
        Called with a team when a CSM leaves by attrition (plans the backfill hire).
    """

    def __init__(
        self,
        sched: Scheduler,
        work: Dispatcher,
        plans: list[SegmentPlan],
        accounts: list[Account],
        events: list[AccountEvent],
        backfill: Callable[[TeamState], None],
    ) -> None:
        self.sched = sched
        self.work = work
        self.plans = plans
        self.accounts = accounts
        self.events = events
        self.backfill = backfill

    def assign(self, plan: SegmentPlan, acc: Account) -> None:
        """Give a new account of a dedicated segment to the active CSM with the least ARR."""
        team = plan.team
        if plan.seg.coverage != "dedicated" or team is None:
            return
        active = [c for c in team.csms if c.active]
        if not active:
            return
        owner = min(active, key=lambda c: (c.arr, c.seat))
        self.give(acc, owner)

    def give(self, acc: Account, csm: CSM | None) -> None:
        """Make ``csm`` the owner of ``acc`` (None: nobody), keeping book ARR in step."""
        old = acc.owner
        if old is not None:
            old.book.discard(acc)
            old.arr -= acc.arr
        acc.owner = csm
        if csm is not None:
            csm.book.add(acc)
            csm.arr += acc.arr

    def reassign(self, acc: Account, csm: CSM | None) -> None:
        """Move an account (and its queued tasks) to another CSM; it counts as reassigned."""
        old = acc.owner
        self.give(acc, csm)
        now = self.sched.now
        acc.reassigned_at = now
        self.events.append(
            AccountEvent(
                now,
                acc.segment,
                acc.index,
                Event.REASSIGNED,
                float(old.id if old else -1),
                float(csm.id if csm else -1),
            )
        )
        if old is not None:
            for task in old.queue.take(acc):
                self.work.enqueue(task)

    def rebalance(self, team: TeamState, new: CSM) -> None:
        """Give a new CSM the team's orphaned accounts, then a fair share of ARR."""
        for plan in self.plans:
            if plan.team is team and plan.seg.coverage == "dedicated":
                for acc in self.accounts:
                    if acc.segment == plan.index and acc.active and acc.owner is None:
                        self.reassign(acc, new)
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
            self.reassign(max(movable, key=lambda a: (a.arr, -a.index)), new)

    def release(self, csm: CSM, reason: str) -> None:
        """Hand a departing CSM's book and queue to the team; backfill after attrition."""
        csm.left = min(csm.left, self.sched.now)
        self.work.leave(csm)
        team = self.work.teams[csm.team]
        remaining = [c for c in team.csms if c.active]
        for acc in sorted(csm.book, key=lambda a: (-a.arr, a.index)):
            target = min(remaining, key=lambda c: (c.arr, c.seat)) if remaining else None
            self.reassign(acc, target)
        queued = list(csm.queue.tasks())
        csm.queue.clear()
        for task in queued:
            if task.status == Status.OPEN:
                self.work.enqueue(task)
        if csm.idle is not None:
            self.work.wake(csm)
        if reason == "attrition":
            self.backfill(team)

    def cut(self, team: TeamState, n: int) -> None:
        """The plan removes ``n`` CSMs (the newest seats) from ``team``."""
        leaving = sorted((c for c in team.csms if c.active), key=lambda c: -c.seat)[:n]
        for csm in leaving:  # all of them leave before any book is handed over
            csm.active = False
        for csm in leaving:
            self.release(csm, "plan")
