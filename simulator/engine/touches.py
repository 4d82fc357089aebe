"""Creating tasks and routing them by channel: touches, sessions, inbound and ad hoc work.

A one_to_one touch is queued for a CSM; an automated touch is delivered at once (no CSM
time); a skipped touch stays in the plan, undelivered; a one_to_many touch waits for its
touchpoint's next session slot, where waiting touches are grouped into sessions of at
most ``max_attendees``, each one task of CSM time. An inbound request goes to support
(by ``support_share``) or to the segment's inbound touchpoint. Background work is the
unscheduled uplift as ad hoc tasks with exponential hours.

Every task records its plain touchpoint index (``tp``; :data:`NO_TOUCHPOINT` for work that
is no touchpoint of the plan); what kind of work it is lives in ``kind`` and ``channel``.
"""

from __future__ import annotations

import itertools
import math
from array import array

import numpy as np

from simulator.engine.calendar import add_weekdays
from simulator.engine.codes import NO_TOUCHPOINT, Channel, Kind, Status
from simulator.engine.plan import SegmentPlan
from simulator.engine.schedule import Scheduler
from simulator.engine.state import Account, Task
from simulator.engine.work import Dispatcher, gone

__all__ = ["Touches"]

# per-touch comparisons on the hot path: module-level names avoid an enum class lookup
_AUTOMATED, _SKIPPED, _ONE_TO_MANY = Channel.AUTOMATED, Channel.SKIPPED, Channel.ONE_TO_MANY
_DONE_BY_AUTOMATION, _CUT = Status.AUTOMATED, Status.SKIPPED


class Touches:
    """Makes the replication's tasks and hands them to the right queue.

    Parameters
    ----------
    sched, work
        The replication's planner (for the clock) and task dispatcher.
    tasks
        The run log's task list (every task is appended once, when created).
    auto
        The run log's light automated and skipped touches: each one's
        :data:`~simulator.engine.state.AutoRow` appended once, flat.
    support
        The run log's inbound requests answered by support: each one's
        :data:`~simulator.engine.state.SupportRow` appended once, flat.
    plans
        Every segment's plan, by segment index.
    session_rngs
        Per (segment index, touchpoint index) of a one_to_many touchpoint: the stream
        its session hours are drawn from.
    weekday_shift
        The weekday of day 0 (Monday 0) when on-time and due windows count weekdays (the
        ``working_days`` calendar: a 2-day window from a Friday ends on the Tuesday);
        None: they count calendar days.
    """

    def _window(self, t: float, days: float) -> float:
        """The end of a window of ``days`` from day ``t`` (weekdays or calendar days)."""
        shift = self.shift
        return t + days if shift is None else add_weekdays(t, days, shift)

    def __init__(
        self,
        sched: Scheduler,
        work: Dispatcher,
        tasks: list[Task],
        auto: array[float],
        support: array[float],
        plans: list[SegmentPlan],
        session_rngs: dict[tuple[int, int], np.random.Generator],
        weekday_shift: float | None = None,
    ) -> None:
        self.shift = weekday_shift
        """Weekday of day 0 when service windows count weekdays (working_days model)."""
        self.sched = sched
        self.work = work
        self.tasks = tasks
        self.auto = auto
        self.support = support
        self.plans = plans
        self._auto_credit = [
            [(0.0 if p.channel == _SKIPPED else p.weight * p.credit, p.weight) for p in plan.params]
            for plan in plans
        ]
        """Per segment and touchpoint: (credit x weight, weight) of a light touch."""
        self.session_rngs = session_rngs
        self._tid = itertools.count()

    def task(
        self,
        plan: SegmentPlan,
        acc: Account | None,
        *,
        tp: int,
        kind: Kind,
        channel: Channel,
        priority: int,
        ontime_days: float,
        due_days: float,
        hours: float,
        weight: float = 0.0,
        credit: float = 0.0,
        weekdays: bool = True,
    ) -> Task:
        """A new task planned now, appended to the run log (touches: :meth:`touch`).

        ``weekdays`` False: the windows are calendar days whatever the calendar (a
        session's windows come from its attendees' own).
        """
        t = self.sched.now
        task = Task.new(
            tid=next(self._tid),
            segment=plan.index,
            account=acc,
            tp=tp,
            kind=kind,
            channel=channel,
            team=plan.team_index,
            priority=priority,
            planned=t,
            ontime=self._window(t, ontime_days) if weekdays else t + ontime_days,
            due=self._window(t, due_days) if weekdays else t + due_days,
            hours=hours,
            weight=weight,
            credit=credit,
        )
        self.tasks.append(task)
        return task

    def touch(
        self,
        plan: SegmentPlan,
        acc: Account,
        i: int,
        planned: float | None = None,
        after: Task | None = None,
    ) -> Task:
        """Create touch ``i`` for ``acc`` now and route it by channel.

        ``planned`` is its planned day (default now); a later day books it ahead: it is
        queued now and a CSM may start it before that day when nothing due is waiting.
        A one_to_one touch with ``after`` is queued only once that task has started.
        """
        # one unpacking instead of eight attribute reads: this runs for every touch
        kind, channel, priority, on_time_days, due_days, weight, credit, hours = plan.params[i]
        now = self.sched.now if planned is None else planned
        shift = self.shift  # the windows of _window, inlined: this runs for every touch
        task = Task.new(
            tid=next(self._tid),
            segment=plan.index,
            account=acc,
            tp=i,
            kind=kind,
            channel=channel,
            team=plan.team_index,
            priority=priority,
            planned=now,
            ontime=now + on_time_days if shift is None else add_weekdays(now, on_time_days, shift),
            due=now + due_days if shift is None else add_weekdays(now, due_days, shift),
            hours=hours.ppf1(acc.rng.random()) if hours is not None else 0.0,
            weight=weight,
            credit=credit,
        )
        self.tasks.append(task)
        acc.touches.append(task)
        if channel == _AUTOMATED:
            task.status = _DONE_BY_AUTOMATION
            task.start = task.end = now
        elif channel == _SKIPPED:
            task.status = _CUT
        elif channel == _ONE_TO_MANY:
            plan.waiting[i].append(task)
        elif after is not None:
            self.work.enqueue_after(task, after)
        else:
            self.work.enqueue(task)
        return task

    def automated(self, plan: SegmentPlan, acc: Account, i: int, t: float) -> None:
        """An automated (or skipped) scheduled touch ``i`` at day ``t``, decided at once.

        Kept light, with no :class:`Task`: a row of the run log (its record) and a tuple of
        the account's coverage (:data:`~simulator.engine.state.AutoTouch`). It still takes
        a task id, so the ids (queue tie-breaks) of every other task stay the same.
        """
        self.auto.extend((next(self._tid), plan.index, acc.index, i, t))
        c, w = self._auto_credit[plan.index][i]
        acc.auto.append((t, i, c, w))

    def automated_task(self, plan: SegmentPlan, acc: Account, i: int, t: float) -> Task:
        """An automated (or skipped) touch ``i`` at day ``t`` as a full :class:`Task`: for
        the onboarding touches, whose order and status decide late onboarding."""
        kind, channel, priority, on_time_days, due_days, weight, credit, _ = plan.params[i]
        task = Task.new(
            tid=next(self._tid),
            segment=plan.index,
            account=acc,
            tp=i,
            kind=kind,
            channel=channel,
            team=plan.team_index,
            priority=priority,
            planned=t,
            ontime=t + on_time_days,  # delivered at t: the windows do not matter
            due=t + due_days,
            hours=0.0,
            weight=weight,
            credit=credit,
        )
        if channel == _SKIPPED:
            task.status = _CUT  # planned, not delivered: a missed touch in coverage
        else:
            task.status = _DONE_BY_AUTOMATION
            task.start = task.end = t
        self.tasks.append(task)
        acc.touches.append(task)
        return task

    def on_inbound(self, payload: tuple[Account, float]) -> None:
        """An inbound request: answered by support, or a touch for the CSM."""
        acc, u = payload
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        if u < plan.seg.inbound.support_share or plan.inbound_tp < 0:
            # answered by support at once: a light row (no Task), as an automated touch
            t = self.sched.now
            self.support.extend(
                (next(self._tid), plan.index, acc.index, t, self._window(t, 0), self._window(t, 1))
            )
            return
        task = self.touch(plan, acc, plan.inbound_tp)
        # helper A (issue 12): a request is service (responsiveness), not a planned touch
        acc.touches.pop()
        acc.service.append(task)

    def on_background(self, acc: Account) -> None:
        """An ad hoc task of background work for ``acc``'s owner or team."""
        if not acc.active:
            return
        plan = self.plans[acc.segment]
        seg = plan.seg
        hours = -plan.bg_mean_hours * math.log1p(-acc.rng.random())
        due = seg.unscheduled_due_days
        task = self.task(
            plan,
            acc,
            tp=NO_TOUCHPOINT,
            kind=Kind.UNSCHEDULED,
            channel=Channel.ONE_TO_ONE,
            priority=seg.unscheduled_priority,
            ontime_days=min(7.0, due),
            due_days=due,
            hours=hours,
        )
        acc.service.append(task)  # helper A (issue 12): responsiveness
        self.work.enqueue(task)

    def on_slot(self, payload: tuple[SegmentPlan, int]) -> None:
        """A session slot of one_to_many touchpoint ``i``: group its waiting touches."""
        plan, i = payload
        now = self.sched.now
        tp = plan.tps[i]
        waiting = plan.waiting[i]
        ready = []
        for task in waiting:
            if task.account is not None and not task.account.active:
                task.status = gone(task)
                self.work.release(task)
            elif task.due < now:
                task.status = Status.MISSED
                self.work.release(task)
            else:
                ready.append(task)
        waiting.clear()
        k = tp.max_attendees or 1
        rng = self.session_rngs[(plan.index, i)]
        for start in range(0, len(ready), k):
            group = ready[start : start + k]
            hours = tp.hours.ppf1(rng.random()) if tp.hours is not None else 0.0
            session = self.task(
                plan,
                None,
                tp=i,
                kind=Kind.SESSION,
                channel=Channel.ONE_TO_MANY,
                priority=tp.resolved_priority,
                ontime_days=max(a.ontime for a in group) - now,
                due_days=max(a.due for a in group) - now,
                hours=hours,
                weekdays=False,
            )
            session.attendees = group
            self.work.enqueue(session)
        self.sched.push(now + tp.session_every_days, self.on_slot, payload)
