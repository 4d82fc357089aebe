"""Burnout: a CSM's attrition hazard rises while their recent utilisation stays high.

Without burnout a CSM leaves after an exponential time drawn when they join (the team's
``annual_attrition`` as a constant hazard). With it, the same draw is read as a budget of
cumulative hazard (``stay x annual_attrition / 365``, a unit exponential): every
:data:`STEP` days from day 0 each CSM's utilisation over the last ``window_days`` (busy
days over days present, working days with a working-day calendar: the ratio the records
report as utilisation) sets the hazard for
the next step, the base hazard times ``attrition_multiplier`` when above
``utilisation_threshold``, and the CSM leaves when the hazard spent reaches the budget.
With no overload the CSM leaves on the day they would without burnout; with it, never
later. The draw is the staff stream's, keyed by (team, seat), so variants stay paired.

The burn-in counts towards the window (a team overloaded before day 0 starts the plan
overloaded); nobody leaves before day 0. The cost is one planner item per team and step,
nothing per task.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from simulator.engine.schedule import Scheduler
from simulator.engine.state import CSM, TeamState

__all__ = ["STEP", "Burnout"]

STEP = 7.0
"""Days between utilisation checks (the hazard is constant within a step)."""


class Burnout:
    """The burnout attrition of one team.

    Parameters
    ----------
    sched
        The replication's planner.
    team
        The team (its ``spec.burnout`` and ``spec.annual_attrition``).
    start
        Day the simulation starts (the burn-in's start; utilisation is sampled from it).
    leave
        Called with a CSM on the day they leave by attrition.
    """

    def __init__(
        self, sched: Scheduler, team: TeamState, start: float, leave: Callable[[CSM], None]
    ) -> None:
        spec = team.spec.burnout
        self.sched = sched
        self.team = team
        self.leave = leave
        self.start = start
        self.threshold = spec.utilisation_threshold
        self.window = spec.window_days
        self.multiplier = spec.attrition_multiplier
        self.base = team.spec.annual_attrition / 365.0
        self.budget: dict[int, float] = {}
        """Per CSM id: cumulative hazard left before they leave (absent once planned)."""
        self.paid: dict[int, float] = {}
        """Per CSM id: the day up to which their hazard is spent."""
        self.samples: dict[int, deque[tuple[float, float]]] = {}
        """Per CSM id: (day, busy days so far) at each step over the last window."""
        first = STEP * math.ceil(start / STEP)
        sched.push(first, self.tick, None)

    def join(self, csm: CSM, budget: float) -> None:
        """A CSM joins with a unit-exponential hazard budget (their attrition draw)."""
        self.budget[csm.id] = budget
        now = self.sched.now
        self.paid[csm.id] = max(now, 0.0)
        self.samples[csm.id] = deque([(now, csm.busy_days)])
        if now >= 0.0:
            # a hire: the base hazard until the next step (whether or not the step at
            # ``now`` was handled before this join)
            self._spend(csm, STEP * (math.floor(now / STEP) + 1), self.base)

    def tick(self, _: None) -> None:
        """A step: sample every CSM's busy time and set each one's hazard for the next step."""
        now = self.sched.now
        horizon = self.sched.horizon
        lo = now - self.window - 1e-9
        for csm in self.team.csms:
            if not csm.active or csm.id not in self.budget:
                continue
            samples = self.samples[csm.id]
            samples.append((now, csm.busy_days))
            while samples[0][0] < lo:
                samples.popleft()
            if now < 0.0:
                continue  # nobody leaves before day 0
            t0, busy0 = samples[0]
            # busy_days counts working days for a CSM with a working-day calendar
            cal = csm.cal
            present = cal.working_between(t0, now) if cal is not None else now - t0
            # busy time counts when a task ends, so a window may hold a little of the
            # task that ended in it before the window began: capped at 1
            util = min(1.0, (csm.busy_days - busy0) / present) if present > 0 else 0.0
            rate = self.base * self.multiplier if util > self.threshold else self.base
            self._spend(csm, now + STEP, rate)
        if now + STEP < horizon:
            self.sched.push(now + STEP, self.tick, None)

    def _spend(self, csm: CSM, until: float, rate: float) -> None:
        """Spend ``rate`` hazard per day from where it was spent up to day ``until``;
        plan the leave when the budget runs out before."""
        cid = csm.id
        paid = self.paid[cid]
        days = until - paid
        if days <= 0:
            return
        left = self.budget[cid]
        if rate * days >= left:
            del self.budget[cid]
            self.sched.push(paid + left / rate, self.leave, csm)
        else:
            self.budget[cid] = left - rate * days
            self.paid[cid] = until
